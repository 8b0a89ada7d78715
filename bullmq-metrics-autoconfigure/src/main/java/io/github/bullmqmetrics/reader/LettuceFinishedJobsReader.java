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

import io.github.bullmqmetrics.reader.FinishedJobCursors.Key;
import io.github.bullmqmetrics.reader.FinishedJobCursors.Position;
import io.github.bullmqmetrics.reader.FinishedJobsScript.Page;

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
 * A read goes in pages, so that no call holds Redis for long: each read-only Lua script
 * call ({@code EVAL_RO}) reads at most {@value #JOBS_PER_CALL} jobs in all. A read goes
 * in rounds; each round sends the next page of every queue and outcome that still has
 * jobs to read, several queues to a call, and sends every call before any reply is
 * awaited, so a round costs one round trip per Redis node. The first round reads a small
 * page of every queue (many queues share a call); a queue with more jobs takes further
 * rounds. A page starts right below the last job the previous page of its queue and
 * outcome read: at that job's rank ({@code ZREVRANK}, in the order of score and then id),
 * not at an offset among the jobs sharing its {@code finishedOn}, so no job is read twice
 * even when jobs of that millisecond come and go between pages; if that very job was
 * removed in between, the next page starts below its millisecond, and the unread jobs of
 * that millisecond are counted as removed. The cursors move only once every page is in.
 * On a cluster a call holds queues of one hash slot only; a queue whose keys spread over
 * several slots (no hash tag) cannot hold BullMQ jobs and is not read. On a Redis older
 * than 7.0 the same script runs with {@code EVAL}.
 *
 * @author bullmq-metrics authors
 */
public class LettuceFinishedJobsReader implements FinishedJobsReader {

	/** How long after it finished a job is first read. */
	public static final Duration SETTLE_TIME = Duration.ofSeconds(2);

	/**
	 * The most jobs one script call reads. A job costs about 5 to 11 µs inside Redis
	 * (measured under a load of 250 jobs/s on a 2-core machine, see the benchmark), but a
	 * call's longest is several times its median: the jobs a read takes in finished up to
	 * a whole interval before, so their hashes are no longer in the CPU's caches, and
	 * Lua's garbage collector runs inside whichever script allocates. With Redis on a CPU
	 * of its own and under a real-time policy, calls of 48 jobs had a longest of 1.36 ms,
	 * and calls of 24 jobs still passed 1 ms about once in 640 under that load; side by
	 * side on the same pages, 12 jobs halved the longest call (543 µs against 1.00 ms of
	 * about 4,000 each). The price is a few µs of Redis CPU per extra call. Options of
	 * more than 1 KiB per job on average end a page early, so huge options cannot make a
	 * call longer.
	 */
	static final int JOBS_PER_CALL = 12;

	/**
	 * How many queues share a call in the first round, when the reader does not yet know
	 * how many jobs each has: each reads a first page of
	 * {@code JOBS_PER_CALL / (2 * FIRST_ROUND_QUEUES_PER_CALL)} jobs per outcome (1).
	 */
	static final int FIRST_ROUND_QUEUES_PER_CALL = 6;

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

	private final int jobsPerCall;

	private final LuaScript.ScriptSupport scriptSupport = new LuaScript.ScriptSupport();

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
		this(redis, keys, cursors, maxJobsPerRead, timeout, clock, settleTime, JOBS_PER_CALL);
	}

	LettuceFinishedJobsReader(RedisTarget redis, BullMqKeys keys, FinishedJobCursors cursors, int maxJobsPerRead,
			Duration timeout, Clock clock, Duration settleTime, int jobsPerCall) {
		if (maxJobsPerRead < 1) {
			throw new IllegalArgumentException("maxJobsPerRead must be at least 1");
		}
		if (jobsPerCall < 1) {
			throw new IllegalArgumentException("jobsPerCall must be at least 1");
		}
		this.redis = redis;
		this.keys = keys;
		this.cursors = cursors;
		this.maxJobsPerRead = maxJobsPerRead;
		this.timeout = timeout;
		this.clock = clock;
		this.settleTime = settleTime;
		this.jobsPerCall = jobsPerCall;
	}

	@Override
	public FinishedJobsRead read(List<String> queues) {
		long readUpTo = Math.max(this.clock.millis() - this.settleTime.toMillis(), this.cursors.readUpTo());
		return LettuceSession.run(this.redis, this.timeout, (session) -> read(session, queues, readUpTo));
	}

	private FinishedJobsRead read(LettuceSession session, List<String> queues, long readUpTo) {
		QueuesBySlot plan = QueuesBySlot.plan(queues, MAX_QUEUES_PER_CALL, session.isCluster(),
				(queue) -> SCRIPT.slotKeys(this.keys, queue));
		Map<Key, FinishedJobsRange> ranges = new LinkedHashMap<>();
		for (List<String> group : plan.batches()) {
			for (String queue : group) {
				for (JobOutcome outcome : JobOutcome.values()) {
					ranges.put(new Key(queue, outcome), new FinishedJobsRange(queue, outcome,
							this.cursors.position(queue, outcome), this.maxJobsPerRead));
				}
			}
		}
		int firstPage = Math.max(1, this.jobsPerCall / (2 * FIRST_ROUND_QUEUES_PER_CALL));
		Map<String, String> failures = new LinkedHashMap<>();
		FinishedJobsRound round = FinishedJobsRound.plan(plan.batches(), ranges, this.jobsPerCall, firstPage,
				MAX_QUEUES_PER_CALL);
		while (!round.isEmpty()) {
			List<Batch> batches = round.batches()
				.stream()
				.map((batch) -> new Batch(batch, readUpTo, this.keys, this.scriptSupport))
				.toList();
			batches.forEach((batch) -> batch.send(session));
			for (Batch batch : batches) {
				batch.receive(session, ranges, failures);
			}
			round = FinishedJobsRound.plan(plan.batches(), ranges, this.jobsPerCall, firstPage, MAX_QUEUES_PER_CALL);
		}
		List<FinishedJobs> finished = new ArrayList<>();
		Map<Key, Position> moved = new HashMap<>();
		ranges.forEach((key, range) -> {
			finished.add(range.finished(readUpTo));
			moved.put(key, range.moved(readUpTo));
		});
		// Only now that every reply is in may the cursors move.
		this.cursors.advance(queues, readUpTo, moved);
		return new FinishedJobsRead(Instant.ofEpochMilli(readUpTo), finished, failures);
	}

	/**
	 * Pages of queues read by one script call, atomically: sent first, received once
	 * every call of the round is sent.
	 */
	private static final class Batch {

		private final FinishedJobsRound.Batch pages;

		private final LuaScript.Call call;

		Batch(FinishedJobsRound.Batch pages, long readUpTo, BullMqKeys layout, LuaScript.ScriptSupport support) {
			this.pages = pages;
			this.call = SCRIPT.script()
				.call(support, SCRIPT.keys(layout, pages.queues()),
						SCRIPT.args(layout, readUpTo, pages.queues(), pages::page));
		}

		void send(LettuceSession session) {
			this.call.send(session);
		}

		/**
		 * Receive the reply and hand each page to its range; a queue that cannot be read
		 * is no longer read at all.
		 */
		void receive(LettuceSession session, Map<Key, FinishedJobsRange> ranges, Map<String, String> failures) {
			Map<Key, Page> read = new HashMap<>();
			Map<String, String> failed = new LinkedHashMap<>();
			SCRIPT.decode(this.pages.queues(), this.call.receive(session), read, failed);
			read.forEach((key, page) -> {
				FinishedJobsRange range = ranges.get(key);
				if (range != null) {
					range.take(page, this.pages.page(key));
				}
			});
			failed.keySet().forEach((queue) -> ranges.keySet().removeIf((key) -> key.queue().equals(queue)));
			failures.putAll(failed);
		}

	}

}
