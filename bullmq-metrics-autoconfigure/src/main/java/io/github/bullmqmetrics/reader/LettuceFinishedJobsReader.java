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
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;

import io.github.bullmqmetrics.reader.FinishedJobCursors.Key;
import io.github.bullmqmetrics.reader.FinishedJobCursors.Position;

/**
 * A {@link FinishedJobsReader} on Lettuce: reads, from BullMQ's {@code completed} and
 * {@code failed} sorted sets, the jobs that finished since its {@link FinishedJobCursors
 * cursors}, and the fields of their hashes that their wait and processing times come
 * from.
 * <p>
 * Each read takes in the jobs that finished up to {@link #SETTLE_TIME} ago, by this
 * application's clock: a worker writes {@code finishedOn} from its own clock a little
 * before the job reaches the sorted set, so the newest moments are left for the next read
 * rather than passed over. Per queue and outcome it reads at most {@code maxJobsPerRead}
 * jobs, the newest (fewer when their {@code opts} average more than 1 KiB); the rest of
 * the range is counted as missed, so that a read never falls behind.
 * <p>
 * Queues are read with one read-only Lua script ({@code EVAL_RO}) per batch; every batch
 * is sent before any reply is awaited, so a read costs one round trip per Redis node. A
 * batch holds as many queues as keep one call under about {@value #JOBS_PER_CALL} jobs
 * (one queue per call at the default limit of 1,000 jobs), so other clients never wait
 * long behind it. On a cluster a batch holds queues of one hash slot only; a queue whose
 * keys spread over several slots (no hash tag) cannot hold BullMQ jobs and is not read.
 * On a Redis older than 7.0 the same script runs with {@code EVAL}.
 *
 * @author bullmq-metrics authors
 */
public class LettuceFinishedJobsReader implements FinishedJobsReader {

	/** How long after it finished a job is first read. */
	public static final Duration SETTLE_TIME = Duration.ofSeconds(2);

	/**
	 * About the most jobs one script call reads: {@code maxJobsPerRead} per queue and
	 * outcome decides how many queues share a call. A job with options of a few hundred
	 * bytes costs about 5 to 7 µs inside Redis (measured on a busy 2-core machine, see
	 * {@code docs-durations.md}), so a full call takes about 10 ms at most; options of
	 * more than 1 KiB per job on average end a read early, so huge options cannot make it
	 * longer.
	 */
	static final int JOBS_PER_CALL = 2000;

	/** The most queues one call reads. */
	static final int MAX_QUEUES_PER_CALL = 100;

	private static final FinishedJobsScript SCRIPT = new FinishedJobsScript();

	private final RedisTarget redis;

	private final BullMqKeys keys;

	private final FinishedJobCursors cursors;

	private final int maxJobsPerRead;

	private final Duration timeout;

	private final Clock clock;

	private final Duration settleTime;

	private volatile boolean readOnlyScripts = true;

	/**
	 * Create a reader.
	 * @param redis the Redis that BullMQ uses
	 * @param keys the key layout
	 * @param cursors where reading has got to; a new instance starts now
	 * @param maxJobsPerRead the most jobs to read per queue and outcome in one read
	 * @param timeout the longest a read may take
	 */
	public LettuceFinishedJobsReader(RedisTarget redis, BullMqKeys keys, FinishedJobCursors cursors, int maxJobsPerRead,
			Duration timeout) {
		this(redis, keys, cursors, maxJobsPerRead, timeout, Clock.systemUTC(), SETTLE_TIME);
	}

	LettuceFinishedJobsReader(RedisTarget redis, BullMqKeys keys, FinishedJobCursors cursors, int maxJobsPerRead,
			Duration timeout, Clock clock, Duration settleTime) {
		if (maxJobsPerRead < 1) {
			throw new IllegalArgumentException("maxJobsPerRead must be at least 1");
		}
		this.redis = redis;
		this.keys = keys;
		this.cursors = cursors;
		this.maxJobsPerRead = maxJobsPerRead;
		this.timeout = timeout;
		this.clock = clock;
		this.settleTime = settleTime;
	}

	@Override
	public FinishedJobsRead read(List<String> queues) {
		long readUpTo = Math.max(this.clock.millis() - this.settleTime.toMillis(), this.cursors.readUpTo());
		return LettuceSession.run(this.redis, this.timeout, (session) -> read(session, queues, readUpTo));
	}

	private FinishedJobsRead read(LettuceSession session, List<String> queues, long readUpTo) {
		int perCall = Math.max(1, Math.min(MAX_QUEUES_PER_CALL, JOBS_PER_CALL / (2 * this.maxJobsPerRead)));
		QueuesBySlot plan = QueuesBySlot.plan(queues, perCall, session.isCluster(),
				(queue) -> SCRIPT.slotKeys(this.keys, queue));
		List<Batch> batches = plan.batches().stream().map((batch) -> new Batch(batch, readUpTo)).toList();
		batches.forEach((batch) -> batch.send(session));
		List<FinishedJobs> finished = new ArrayList<>();
		Map<Key, Position> moved = new HashMap<>();
		Map<String, String> failures = new LinkedHashMap<>();
		for (Batch batch : batches) {
			SCRIPT.decode(batch.queues, batch.receive(session), this.cursors, readUpTo, finished, moved, failures);
		}
		// Only now that every reply is in may the cursors move.
		this.cursors.advance(queues, readUpTo, moved);
		return new FinishedJobsRead(Instant.ofEpochMilli(readUpTo), finished, failures);
	}

	/**
	 * Queues read by one script call, atomically: sent first, received once every batch
	 * is sent.
	 */
	private final class Batch {

		private final List<String> queues;

		private final byte[][] keys;

		private final byte[][] args;

		private RedisFuture<List<Object>> reply;

		/**
		 * Whether this batch went out as {@code EVAL_RO}: every batch is sent before the
		 * first reply tells whether Redis knows it.
		 */
		private boolean sentReadOnly;

		Batch(List<String> queues, long readUpTo) {
			this.queues = queues;
			BullMqKeys layout = LettuceFinishedJobsReader.this.keys;
			this.keys = SCRIPT.keys(layout, queues);
			this.args = SCRIPT.args(layout, queues, readUpTo, LettuceFinishedJobsReader.this.maxJobsPerRead,
					LettuceFinishedJobsReader.this.cursors);
		}

		void send(LettuceSession session) {
			RedisClusterAsyncCommands<byte[], byte[]> commands = session.commands();
			this.sentReadOnly = LettuceFinishedJobsReader.this.readOnlyScripts;
			this.reply = this.sentReadOnly
					? commands.evalReadOnly(SCRIPT.source(), ScriptOutputType.MULTI, this.keys, this.args)
					: commands.eval(SCRIPT.source(), ScriptOutputType.MULTI, this.keys, this.args);
		}

		List<?> receive(LettuceSession session) {
			try {
				return session.await(this.reply);
			}
			catch (BullMqReadException ex) {
				if (!this.sentReadOnly || !LettuceSession.isUnknownCommand(ex)) {
					throw ex;
				}
				// Redis before 7.0: the same script, which only reads, runs with EVAL.
				LettuceFinishedJobsReader.this.readOnlyScripts = false;
				send(session);
				return session.await(this.reply);
			}
		}

	}

}
