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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.bullmqmetrics.reader.FinishedJobCursors.Key;
import io.github.bullmqmetrics.reader.FinishedJobCursors.Position;
import io.github.bullmqmetrics.reader.FinishedJobsScript.Page;
import io.github.bullmqmetrics.reader.FinishedJobsScript.PageRequest;
import io.github.bullmqmetrics.test.BullMq;
import io.github.bullmqmetrics.test.BullMq.Finished;
import io.github.bullmqmetrics.test.BullMq.FinishedJobFields;
import io.github.bullmqmetrics.test.BullMq.JobSpec;
import io.github.bullmqmetrics.test.BullMq.Version;
import io.github.bullmqmetrics.test.RedisServer;
import io.github.bullmqmetrics.test.RedisServerExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for the pages of {@link LettuceFinishedJobsReader}: a read of many jobs goes in
 * script calls of at most a page of jobs each, against a real Redis holding jobs that a
 * real BullMQ worker finished.
 *
 * @author bullmq-metrics authors
 */
class LettuceFinishedJobsReaderPagesTests {

	private static final int SMALL_PAGE = 7;

	@RegisterExtension
	static final RedisServerExtension redisServer = RedisServerExtension.start();

	@RegisterExtension
	final ConnectionFactories factories = new ConnectionFactories();

	private final RedisServer redis = redisServer.server();

	@Test
	void readsEveryJobExactlyOnceAcrossManySmallPagesEvenWhenJobsShareTheirMillisecond() {
		String queue = "small-pages";
		FinishedJobCursors cursors = new FinishedJobCursors(Instant.now());
		LettuceFinishedJobsReader reader = reader(cursors, 1000, SMALL_PAGE);
		List<JobSpec> specs = new ArrayList<>(sleeping("fast", 45));
		IntStream.range(0, 15).forEach((i) -> specs.add(JobSpec.sleeping("fails", 0).failing(1, 1, 0)));
		Finished finished = finish(queue, 20, specs);
		// Ten more jobs that finished in the same millisecond as one of BullMQ's, so that
		// the ties span pages of 7 whatever the worker's timing was.
		List<String> twins = twins(queue, finished.jobs("completed").get(20), 10);
		Map<String, Long> before = this.redis.commandCalls();
		FinishedJobsRead read = reader.read(List.of(queue));
		Map<String, Long> calls = LettuceFinishedJobsReaderTests.difference(before, this.redis.commandCalls());
		assertThat(read.failures()).isEmpty();
		FinishedJobs completed = LettuceFinishedJobsReaderTests.only(read, queue, JobOutcome.COMPLETED);
		FinishedJobs failed = LettuceFinishedJobsReaderTests.only(read, queue, JobOutcome.FAILED);
		List<String> expectedCompleted = new ArrayList<>(ids(finished.jobs("completed")));
		expectedCompleted.addAll(twins);
		assertThat(completed.jobs()).extracting(FinishedJob::id)
			.containsExactlyInAnyOrderElementsOf(expectedCompleted)
			.doesNotHaveDuplicates();
		assertThat(failed.jobs()).extracting(FinishedJob::id)
			.containsExactlyInAnyOrderElementsOf(ids(finished.jobs("failed")))
			.doesNotHaveDuplicates();
		assertThat(read.finished()).allSatisfy((jobs) -> {
			assertThat(jobs.missedOverLimit()).isZero();
			assertThat(jobs.missedRemoved()).isZero();
		});
		long twinMillis = finished.jobs("completed").get(20).processingMillis();
		assertThat(processingMillis(completed))
			.isEqualTo(processingMillis(finished.jobs("completed")) + twins.size() * twinMillis);
		assertThat(processingMillis(failed)).isEqualTo(processingMillis(finished.jobs("failed")));
		// 55 completed and 15 failed jobs in pages of at most 7 jobs per call.
		assertThat(calls.get("eval_ro")).isGreaterThanOrEqualTo((55 + 15 + SMALL_PAGE - 1) / SMALL_PAGE);
		assertThat(calls).containsEntry("hmget", 70L);
		FinishedJobsRead again = reader.read(List.of(queue));
		assertThat(again.finished()).allSatisfy((jobs) -> {
			assertThat(jobs.jobs()).isEmpty();
			assertThat(jobs.missedOverLimit()).isZero();
			assertThat(jobs.missedRemoved()).isZero();
		});
	}

	@Test
	void noCallOfTheDefaultPageReadsMoreThanAPageOfJobs() {
		String queue = "default-page";
		FinishedJobCursors cursors = new FinishedJobCursors(Instant.now());
		LettuceFinishedJobsReader reader = reader(cursors, 1000, LettuceFinishedJobsReader.JOBS_PER_CALL);
		Finished finished = finish(queue, 50, sleeping("bulk", 300));
		this.redis.commands().configSet("slowlog-log-slower-than", "0");
		this.redis.commands().configSet("slowlog-max-len", "10000");
		this.redis.commands().slowlogReset();
		Map<String, Long> before = this.redis.commandCalls();
		FinishedJobsRead read;
		List<Object> slowlog;
		try {
			read = reader.read(List.of(queue));
			slowlog = this.redis.commands().slowlogGet(10000);
		}
		finally {
			this.redis.commands().configSet("slowlog-log-slower-than", "10000");
		}
		Map<String, Long> calls = LettuceFinishedJobsReaderTests.difference(before, this.redis.commandCalls());
		assertThat(LettuceFinishedJobsReaderTests.ids(read)).containsExactlyInAnyOrderElementsOf(ids(finished.jobs()))
			.hasSize(300);
		assertThat(calls.get("eval_ro")).isGreaterThanOrEqualTo(3L);
		assertThat(calls).containsEntry("hmget", 300L);
		List<Integer> pages = jobsAskedPerCall(slowlog);
		assertThat(pages).hasSize(calls.get("eval_ro").intValue());
		assertThat(pages).allSatisfy((jobs) -> assertThat(jobs).isBetween(1, LettuceFinishedJobsReader.JOBS_PER_CALL));
		assertThat(pages.stream().mapToInt(Integer::intValue).sum()).isGreaterThanOrEqualTo(300);
	}

	@Test
	void aPageStartsBelowTheLastJobReadSoJobsAddedInItsMillisecondAreNotReadAgain() {
		String queue = "tie-added";
		Finished finished = finish(queue, 4, sleeping("tie", 3));
		FinishedJobFields newest = newest(finished);
		List<String> ties = twins(queue, newest, 6);
		long from = newest.finishedOn() - 60_000;
		Page first = page(queue, newest.finishedOn(), new PageRequest(from, "", "", 3, 3 * 1024, true));
		// A job of the very same millisecond whose id sorts before every one read: an
		// offset of 3 among the jobs of that millisecond would now read one of them
		// again.
		twin(queue, newest, "zzz-late");
		PageRequest next = new PageRequest(from, first.last().score(), first.last().id(), 100, 100 * 1024, true);
		Page second = page(queue, newest.finishedOn(), next);
		Set<String> firstIds = ids(first);
		assertThat(firstIds).hasSize(3);
		assertThat(ids(second)).doesNotContainAnyElementsOf(firstIds).doesNotContain("zzz-late");
		List<String> all = new ArrayList<>(firstIds);
		all.addAll(ids(second));
		List<String> expected = new ArrayList<>(ids(finished.jobs()));
		expected.addAll(ties);
		assertThat(all).containsExactlyInAnyOrderElementsOf(expected);
		assertThat(second.left()).isZero();
	}

	@Test
	void whenTheLastJobReadIsRemovedBeforeTheNextPageTheRestOfItsMillisecondIsCountedAsRemovedNotReadAgain() {
		String queue = "tie-removed";
		Finished finished = finish(queue, 4, sleeping("tie", 3));
		FinishedJobFields newest = newest(finished);
		List<String> ties = twins(queue, newest, 6);
		Position start = new Position(newest.finishedOn() - 60_000, null);
		FinishedJobsRange range = new FinishedJobsRange(queue, JobOutcome.COMPLETED, start, 1000);
		PageRequest firstRequest = range.next(3);
		Page first = page(queue, newest.finishedOn(), firstRequest);
		range.take(first, firstRequest);
		this.redis.commands().zrem("bull:" + queue + ":completed", first.last().id());
		PageRequest nextRequest = range.next(range.wanted());
		Page second = page(queue, newest.finishedOn(), nextRequest);
		range.take(second, nextRequest);
		assertThat(ids(second)).doesNotContainAnyElementsOf(ids(first));
		// Below the removed job's millisecond: the other jobs of the queue, none of its
		// millisecond.
		assertThat(ids(second)).containsExactlyInAnyOrderElementsOf(
				ids(finished.jobs().stream().filter((job) -> job.finishedOn() < newest.finishedOn()).toList()));
		FinishedJobs jobs = range.finished(newest.finishedOn());
		int total = finished.jobs().size() + ties.size();
		assertThat(jobs.jobs()).hasSize(first.jobs().size() + second.jobs().size());
		assertThat(jobs.missedOverLimit()).isZero();
		assertThat(jobs.missedRemoved()).isEqualTo(total - jobs.jobs().size());
	}

	private Page page(String queue, long readUpTo, PageRequest request) {
		FinishedJobsScript script = new FinishedJobsScript();
		BullMqKeys keys = new BullMqKeys("bull");
		Key key = new Key(queue, JobOutcome.COMPLETED);
		return LettuceSession.run(RedisTarget.of(this.factories.create(this.redis)), Duration.ofSeconds(10),
				(session) -> {
					LuaScript.Call call = script.script()
						.call(new LuaScript.ScriptSupport(), script.keys(keys, List.of(queue)), script.args(keys,
								readUpTo, List.of(queue), (asked) -> asked.equals(key) ? request : PageRequest.NONE));
					call.send(session);
					Map<Key, Page> pages = new HashMap<>();
					script.decode(List.of(queue), call.receive(session), pages, new HashMap<>());
					return pages.get(key);
				});
	}

	private List<String> twins(String queue, FinishedJobFields of, int count) {
		return IntStream.range(0, count).mapToObj((i) -> twin(queue, of, "twin-" + i + "-of-" + of.id())).toList();
	}

	/** A copy of a job's hash under a new id, finished in the very same millisecond. */
	private String twin(String queue, FinishedJobFields of, String id) {
		this.redis.commands()
			.hset("bull:" + queue + ":" + id, this.redis.commands().hgetall("bull:" + queue + ":" + of.id()));
		this.redis.commands().zadd("bull:" + queue + ":" + of.state(), of.finishedOn(), id);
		return id;
	}

	/**
	 * Return the jobs each {@code EVAL_RO} of the slowlog asked for: the two {@code most}
	 * arguments of each queue (see {@code finished-jobs.lua}).
	 */
	private static List<Integer> jobsAskedPerCall(List<Object> slowlog) {
		List<Integer> result = new ArrayList<>();
		for (Object entry : slowlog) {
			List<?> args = (List<?>) ((List<?>) entry).get(3);
			if (!"eval_ro".equalsIgnoreCase(String.valueOf(args.get(0)))) {
				continue;
			}
			int keys = Integer.parseInt(String.valueOf(args.get(2)));
			assertThat(args).hasSize(3 + keys + 1 + keys / 4 * 13);
			int jobs = 0;
			for (int queue = 0; queue < keys / 4; queue++) {
				int prefix = 3 + keys + 1 + queue * 13;
				jobs += Integer.parseInt(String.valueOf(args.get(prefix + 4)));
				jobs += Integer.parseInt(String.valueOf(args.get(prefix + 10)));
			}
			result.add(jobs);
		}
		return result;
	}

	private Finished finish(String queue, int concurrency, List<JobSpec> jobs) {
		return BullMq.finish(this.redis.url(), Version.V6, "bull", queue, concurrency, false, jobs);
	}

	private LettuceFinishedJobsReader reader(FinishedJobCursors cursors, int maxJobsPerRead, int jobsPerCall) {
		return new LettuceFinishedJobsReader(RedisTarget.of(this.factories.create(this.redis)), new BullMqKeys("bull"),
				cursors, maxJobsPerRead, Duration.ofSeconds(30), Clock.systemUTC(), Duration.ZERO, jobsPerCall);
	}

	private static List<JobSpec> sleeping(String name, int count) {
		return IntStream.range(0, count).mapToObj((i) -> JobSpec.sleeping(name, 0)).toList();
	}

	private static FinishedJobFields newest(Finished finished) {
		return finished.jobs().stream().max((a, b) -> Long.compare(a.finishedOn(), b.finishedOn())).orElseThrow();
	}

	private static long processingMillis(FinishedJobs jobs) {
		return jobs.jobs().stream().mapToLong((job) -> job.processingTime().orElseThrow().toMillis()).sum();
	}

	private static long processingMillis(List<FinishedJobFields> jobs) {
		return jobs.stream().mapToLong(FinishedJobFields::processingMillis).sum();
	}

	private static List<String> ids(List<FinishedJobFields> jobs) {
		return jobs.stream().map(FinishedJobFields::id).toList();
	}

	private static Set<String> ids(Page page) {
		return page.jobs().stream().map(FinishedJob::id).collect(Collectors.toCollection(HashSet::new));
	}

}
