/*
 * Copyright 2026 the bullmq-metrics authors.
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *      https://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */
package io.github.bullmqmetrics.reader;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.lettuce.core.RedisFuture;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * A {@link BullMqReader} on Lettuce, through Spring Data Redis's
 * {@link LettuceConnectionFactory}: standalone, Sentinel-managed and cluster Redis alike.
 * <p>
 * Queues are read with one read-only Lua script ({@code EVAL_RO}), in batches of up to
 * {@value #QUEUES_PER_CALL} queues. Every batch is sent before any reply is awaited, so a
 * read costs one round trip per Redis node. Each queue's keys are read inside one script
 * call, which Redis runs atomically. On a Redis older than 7.0, which lacks
 * {@code EVAL_RO}, the same script runs with {@code EVAL}.
 * <p>
 * On a cluster, a batch holds only queues whose keys share one hash slot (BullMQ needs a
 * hash tag such as {@code {bull}} for that), so every call is legal on the node that
 * serves the slot. The keys of a queue without a hash tag spread over several slots: they
 * are read with one plain command each, grouped per node by Lettuce, which is correct but
 * not atomic per queue.
 *
 * @author bullmq-metrics authors
 */
public class LettuceBullMqReader implements BullMqReader {

	/**
	 * How many queues one script call reads at most. Redis runs one script at a time, so
	 * every other client, BullMQ's workers included, waits behind a call: the batch is
	 * small enough that a call stays under 1 ms inside Redis. Each queue costs 13 to 22
	 * O(1) or O(log n) calls inside the script; the benchmark (see the README) measured
	 * the longest call at 10 queues as 706 µs and at 25 as 1.6 ms on a 2-core machine.
	 * Smaller batches cost only a few µs of Redis CPU per extra call, and every batch is
	 * still sent before any reply is awaited.
	 */
	public static final int QUEUES_PER_CALL = 8;

	private static final QueueCountsScript SCRIPT = new QueueCountsScript();

	private final RedisTarget redis;

	private final BullMqKeys keys;

	private final Duration timeout;

	private final boolean countWorkers;

	private final boolean readLatency;

	private final Clock clock;

	private final LuaScript.ScriptSupport scriptSupport = new LuaScript.ScriptSupport();

	/**
	 * Create a reader.
	 * @param connectionFactory the connection factory of the Redis that BullMQ uses
	 * @param keys the key layout
	 * @param timeout the longest a read may take
	 */
	public LettuceBullMqReader(LettuceConnectionFactory connectionFactory, BullMqKeys keys, Duration timeout) {
		this(RedisTarget.of(connectionFactory), keys, timeout);
	}

	/**
	 * Create a reader.
	 * @param redis the Redis that BullMQ uses
	 * @param keys the key layout
	 * @param timeout the longest a read may take
	 */
	public LettuceBullMqReader(RedisTarget redis, BullMqKeys keys, Duration timeout) {
		this(redis, keys, timeout, true);
	}

	/**
	 * Create a reader.
	 * @param redis the Redis that BullMQ uses
	 * @param keys the key layout
	 * @param timeout the longest a read may take
	 * @param countWorkers whether to count each queue's workers too, with one
	 * {@code CLIENT LIST} per Redis node and read
	 */
	public LettuceBullMqReader(RedisTarget redis, BullMqKeys keys, Duration timeout, boolean countWorkers) {
		this(redis, keys, timeout, countWorkers, true);
	}

	/**
	 * Create a reader.
	 * @param redis the Redis that BullMQ uses
	 * @param keys the key layout
	 * @param timeout the longest a read may take
	 * @param countWorkers whether to count each queue's workers too, with one
	 * {@code CLIENT LIST} per Redis node and read
	 * @param readLatency whether to read each queue's latency and overdue jobs too, which
	 * costs {@code TIME} (the ACL user needs {@code +time}), the next jobs' hashes and
	 * the delayed set's head; when not, the snapshots' {@link QueueActivity#latency()}
	 * and {@link QueueActivity#overdue()} are {@code null}
	 */
	public LettuceBullMqReader(RedisTarget redis, BullMqKeys keys, Duration timeout, boolean countWorkers,
			boolean readLatency) {
		this(redis, keys, timeout, countWorkers, readLatency, Clock.systemUTC());
	}

	LettuceBullMqReader(RedisTarget redis, BullMqKeys keys, Duration timeout, boolean countWorkers, boolean readLatency,
			Clock clock) {
		this.redis = redis;
		this.keys = keys;
		this.timeout = timeout;
		this.countWorkers = countWorkers;
		this.readLatency = readLatency;
		this.clock = clock;
	}

	@Override
	public BullMqSnapshot read(List<String> queues) {
		return LettuceSession.run(this.redis, this.timeout, (session) -> read(session, queues));
	}

	private BullMqSnapshot read(LettuceSession session, List<String> queues) {
		List<Batch> batches = plan(session, queues);
		WorkerCountsRead workerCounts = this.countWorkers ? new WorkerCountsRead(this.keys, queues) : null;
		// Everything is sent before any reply is awaited: one round trip per node.
		batches.forEach((batch) -> batch.send(session));
		if (workerCounts != null) {
			workerCounts.send(session);
		}
		Map<String, QueueSnapshot> snapshots = new HashMap<>();
		Map<String, String> failures = new LinkedHashMap<>();
		Map<String, String> unavailable = new LinkedHashMap<>();
		for (Batch batch : batches) {
			SCRIPT.decode(batch.queues, batch.receive(session), snapshots, failures, unavailable, this.readLatency);
		}
		WorkerCounts workers = null;
		if (workerCounts != null) {
			workers = workerCounts.receive(session);
			if (!workers.isKnown()) {
				unavailable.put(BullMqSnapshot.WORKERS, String.valueOf(workers.unknownReason()));
			}
		}
		Map<String, QueueSnapshot> ordered = new LinkedHashMap<>();
		queues.stream().filter(snapshots::containsKey).forEach((queue) -> ordered.put(queue, snapshots.get(queue)));
		return new BullMqSnapshot(this.clock.instant(), ordered, failures, unavailable, workers, this.readLatency);
	}

	private List<Batch> plan(LettuceSession session, List<String> queues) {
		QueuesBySlot plan = QueuesBySlot.plan(queues, QUEUES_PER_CALL, session.isCluster(),
				(queue) -> SCRIPT.keys(this.keys, List.of(queue)));
		List<Batch> batches = new ArrayList<>();
		plan.batches().forEach((batch) -> batches.add(scriptBatch(batch)));
		if (!plan.spread().isEmpty()) {
			batches.add(new KeyByKeyBatch(plan.spread()));
		}
		return batches;
	}

	private Batch scriptBatch(List<String> queues) {
		return new ScriptBatch(queues);
	}

	/**
	 * Queues read together: sent first, received once every batch is sent.
	 */
	private abstract class Batch {

		final List<String> queues;

		final byte[][] keys;

		Batch(List<String> queues) {
			this.queues = queues;
			this.keys = SCRIPT.keys(LettuceBullMqReader.this.keys, queues);
		}

		abstract void send(LettuceSession session);

		abstract List<?> receive(LettuceSession session);

	}

	/**
	 * Queues read by one script call, atomically.
	 */
	private final class ScriptBatch extends Batch {

		private final LuaScript.Call call;

		ScriptBatch(List<String> queues) {
			super(queues);
			this.call = SCRIPT.call(LettuceBullMqReader.this.scriptSupport, this.keys,
					LettuceBullMqReader.this.readLatency);
		}

		@Override
		void send(LettuceSession session) {
			this.call.send(session);
		}

		@Override
		List<?> receive(LettuceSession session) {
			return this.call.receive(session);
		}

	}

	/**
	 * Queues whose keys spread over several cluster slots: each key is read with its own
	 * command, in the order of the script's reply, so the reply decodes the same way.
	 */
	private final class KeyByKeyBatch extends Batch {

		private final List<List<RedisFuture<?>>> replies = new ArrayList<>();

		KeyByKeyBatch(List<String> queues) {
			super(queues);
		}

		@Override
		void send(LettuceSession session) {
			for (int base = 0; base < this.keys.length; base += QueueCountsScript.KEYS_PER_QUEUE) {
				this.replies.add(QueueCountsScript.readKeyByKey(session.commands(), this.keys, base));
			}
		}

		@Override
		List<?> receive(LettuceSession session) {
			List<Object> rows = new ArrayList<>();
			for (List<RedisFuture<?>> queueReplies : this.replies) {
				rows.add(QueueCountsScript.row(queueReplies, session));
			}
			return rows;
		}

	}

}
