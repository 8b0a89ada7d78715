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
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;

import io.github.bullmqmetrics.test.BullMq;
import io.github.bullmqmetrics.test.BullMq.Finished;
import io.github.bullmqmetrics.test.BullMq.FinishedJobFields;
import io.github.bullmqmetrics.test.BullMq.JobSpec;
import io.github.bullmqmetrics.test.BullMq.Version;
import io.github.bullmqmetrics.test.RedisServer;
import io.github.bullmqmetrics.test.RedisServerExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link LettuceFinishedJobsReader} against a real Redis holding jobs that a
 * real BullMQ 5 or 6 worker finished, whose own fields are the oracle.
 *
 * @author bullmq-metrics authors
 */
class LettuceFinishedJobsReaderTests {

	@RegisterExtension
	static final RedisServerExtension redisServer = RedisServerExtension.start();

	@RegisterExtension
	final ConnectionFactories factories = new ConnectionFactories();

	private final RedisServer redis = redisServer.server();

	@ParameterizedTest
	@EnumSource(Version.class)
	void readsTheWaitAndProcessingTimeOfEveryFinishedJobAsBullMqWroteThem(Version version) {
		String queue = "oracle-" + version;
		FinishedJobCursors cursors = new FinishedJobCursors(Instant.now());
		Finished finished = finish(version, queue, false,
				List.of(JobSpec.sleeping("fast", 20), JobSpec.sleeping("fast", 20), JobSpec.sleeping("slow", 200),
						JobSpec.sleeping("slow", 200), JobSpec.sleeping("fails", 10).failing(1, 1, 0),
						JobSpec.sleeping("retried", 10).failing(1, 2, 100),
						JobSpec.sleeping("retried-then-fails", 10).failing(2, 2, 50),
						JobSpec.sleeping("delayed", 5).delayed(300),
						JobSpec.sleeping("parent", 5).withChildren(JobSpec.sleeping("child", 100))));
		FinishedJobsRead read = reader(cursors, 1000).read(List.of(queue));
		assertThat(read.failures()).isEmpty();
		for (JobOutcome outcome : JobOutcome.values()) {
			FinishedJobs jobs = only(read, queue, outcome);
			List<FinishedJobFields> expected = finished.jobs(outcome.value());
			assertThat(jobs.jobs()).extracting(FinishedJob::id)
				.containsExactlyInAnyOrderElementsOf(expected.stream().map(FinishedJobFields::id).toList());
			assertThat(jobs.missedOverLimit()).isZero();
			assertThat(jobs.missedRemoved()).isZero();
			Map<String, FinishedJob> byId = jobs.jobs()
				.stream()
				.collect(Collectors.toMap(FinishedJob::id, Function.identity()));
			for (FinishedJobFields oracle : expected) {
				FinishedJob job = byId.get(oracle.id());
				assertThat(job.processingTime()).as(oracle.name())
					.contains(Duration.ofMillis(oracle.finishedOn() - oracle.processedOn()));
				assertThat(job.waitTime().map(Duration::toMillis).orElse(-1L)).as(oracle.name())
					.isEqualTo(oracle.firstAttemptWaitMillis().orElse(-1));
			}
		}
		Map<String, FinishedJob> byName = new HashMap<>();
		read.finished().forEach((jobs) -> jobs.jobs().forEach((job) -> byName.put(name(finished, job.id()), job)));
		FinishedJobFields delayed = named(finished, "delayed");
		assertThat(byName.get("delayed").waitTime())
			.contains(Duration.ofMillis(delayed.processedOn() - delayed.timestamp() - 300));
		// A retried job started twice: its first start is gone, and so is its wait.
		assertThat(named(finished, "retried").attemptsStarted()).isEqualTo(2);
		assertThat(byName.get("retried").waitTime()).isEmpty();
		assertThat(byName.get("retried-then-fails").waitTime()).isEmpty();
		assertThat(byName.get("fails").waitTime()).isPresent();
		// A flow's parent waited for its child, which is not a wait for a worker.
		FinishedJobFields parent = named(finished, "parent");
		assertThat(parent.attemptsStarted()).isEqualTo(1);
		assertThat(parent.processedOn() - parent.timestamp()).isGreaterThanOrEqualTo(100);
		assertThat(byName.get("parent").parent()).isTrue();
		assertThat(byName.get("parent").waitTime()).isEmpty();
		assertThat(byName.get("child").waitTime()).isPresent();
	}

	@Test
	void readsEachFinishedJobOnceAcrossReads() {
		String queue = "once";
		FinishedJobCursors cursors = new FinishedJobCursors(Instant.now());
		LettuceFinishedJobsReader reader = reader(cursors, 1000);
		Finished first = finish(Version.V6, queue, false, sleeping("a", 10));
		List<String> read = new ArrayList<>(ids(reader.read(List.of(queue))));
		Finished second = finish(Version.V6, queue, false, sleeping("b", 10));
		read.addAll(ids(reader.read(List.of(queue))));
		read.addAll(ids(reader.read(List.of(queue))));
		List<String> expected = new ArrayList<>(first.jobs().stream().map(FinishedJobFields::id).toList());
		expected.addAll(second.jobs().stream().map(FinishedJobFields::id).toList());
		assertThat(read).containsExactlyInAnyOrderElementsOf(expected).doesNotHaveDuplicates();
	}

	@Test
	void aNewInstanceDoesNotReadJobsThatFinishedBeforeItStarted() {
		String queue = "restart";
		FinishedJobCursors before = new FinishedJobCursors(Instant.now());
		Finished history = finish(Version.V6, queue, false, sleeping("old", 5));
		assertThat(ids(reader(before, 1000).read(List.of(queue)))).hasSize(history.jobs().size());
		FinishedJobCursors restarted = new FinishedJobCursors(Instant.now());
		LettuceFinishedJobsReader reader = reader(restarted, 1000);
		assertThat(ids(reader.read(List.of(queue)))).isEmpty();
		Finished fresh = finish(Version.V6, queue, false, sleeping("new", 3));
		assertThat(ids(reader.read(List.of(queue))))
			.containsExactlyInAnyOrderElementsOf(fresh.jobs().stream().map(FinishedJobFields::id).toList());
	}

	@Test
	void jobsThatFinishedInTheMillisecondTheCursorStopsAtAreReadOnceAndNotLost() {
		String queue = "same-millisecond";
		FinishedJobCursors cursors = new FinishedJobCursors(Instant.now());
		Finished finished = finish(Version.V6, queue, false, sleeping("tie", 6));
		FinishedJobFields middle = finished.jobs()
			.stream()
			.sorted((a, b) -> Long.compare(a.finishedOn(), b.finishedOn()))
			.toList()
			.get(2);
		// A second job that finished in the very same millisecond, as a busy worker's
		// jobs do: a copy of the job's hash under a new id.
		String twin = "twin-of-" + middle.id();
		this.redis.commands()
			.hset("bull:" + queue + ":" + twin, this.redis.commands().hgetall("bull:" + queue + ":" + middle.id()));
		this.redis.commands().zadd("bull:" + queue + ":completed", middle.finishedOn(), twin);
		Clock atTheTie = Clock.fixed(Instant.ofEpochMilli(middle.finishedOn()), ZoneOffset.UTC);
		List<String> first = ids(reader(cursors, 1000, atTheTie).read(List.of(queue)));
		List<String> second = ids(reader(cursors, 1000, Clock.systemUTC()).read(List.of(queue)));
		assertThat(first).contains(middle.id(), twin);
		assertThat(first)
			.allSatisfy((id) -> assertThat(finishedOn(finished, id, middle)).isLessThanOrEqualTo(middle.finishedOn()));
		assertThat(second).doesNotContain(middle.id(), twin);
		List<String> all = new ArrayList<>(first);
		all.addAll(second);
		List<String> expected = new ArrayList<>(finished.jobs().stream().map(FinishedJobFields::id).toList());
		expected.add(twin);
		assertThat(all).containsExactlyInAnyOrderElementsOf(expected).doesNotHaveDuplicates();
	}

	@ParameterizedTest
	@ValueSource(ints = { LettuceFinishedJobsReader.JOBS_PER_CALL, 7, 1 })
	void readsTheNewestJobsUpToTheLimitAndCountsTheRestAsMissedWhateverThePage(int jobsPerCall) {
		String queue = "over-limit-" + jobsPerCall;
		FinishedJobCursors cursors = new FinishedJobCursors(Instant.now());
		LettuceFinishedJobsReader reader = reader(cursors, 5, jobsPerCall);
		Finished finished = finish(Version.V6, queue, false, sleeping("many", 12));
		FinishedJobsRead read = reader.read(List.of(queue));
		FinishedJobs completed = only(read, queue, JobOutcome.COMPLETED);
		assertThat(completed.jobs()).hasSize(5);
		assertThat(completed.jobs()).extracting(FinishedJob::id).doesNotHaveDuplicates();
		assertThat(completed.missedOverLimit()).isEqualTo(7);
		assertThat(completed.missedRemoved()).isZero();
		long oldestRead = completed.jobs().stream().mapToLong(FinishedJob::finishedOn).min().orElseThrow();
		assertThat(finished.jobs().stream().filter((job) -> job.finishedOn() > oldestRead)).hasSizeLessThanOrEqualTo(4);
		// The excess is counted, not read later: the read never falls behind.
		FinishedJobs next = only(reader.read(List.of(queue)), queue, JobOutcome.COMPLETED);
		assertThat(next.jobs()).isEmpty();
		assertThat(next.missedOverLimit()).isZero();
	}

	@ParameterizedTest
	@ValueSource(ints = { LettuceFinishedJobsReader.JOBS_PER_CALL, 2 })
	void jobsWithHugeOptionsEndTheReadEarlyAndTheRestIsCountedOverTheLimitWhateverThePage(int jobsPerCall) {
		String queue = "huge-options-" + jobsPerCall;
		FinishedJobCursors cursors = new FinishedJobCursors(Instant.now());
		LettuceFinishedJobsReader reader = reader(cursors, 5, jobsPerCall);
		Finished finished = finish(Version.V6, queue, false, sleeping("big", 5));
		// Options of 2 KiB each, as large telemetry metadata would make them: five jobs
		// may bring 5 KiB of options, so the third one ends the read.
		for (FinishedJobFields job : finished.jobs()) {
			this.redis.commands()
				.hset("bull:" + queue + ":" + job.id(), "opts", "{\"attempts\":0,\"tm\":\"" + "x".repeat(2048) + "\"}");
		}
		FinishedJobs completed = only(reader.read(List.of(queue)), queue, JobOutcome.COMPLETED);
		assertThat(completed.jobs()).hasSize(2);
		assertThat(completed.missedOverLimit()).isEqualTo(3);
	}

	@ParameterizedTest
	@EnumSource(Version.class)
	void jobsRemovedBeforeTheyAreReadAreCountedAsMissedWhenWorkersKeepMetrics(Version version) {
		String queue = "removed-" + version;
		FinishedJobCursors cursors = new FinishedJobCursors(Instant.now());
		LettuceFinishedJobsReader reader = reader(cursors, 1000);
		finish(version, queue, true, List.of(JobSpec.sleeping("before", 1)));
		// The first read sets the baseline of BullMQ's count that removals are found by.
		reader.read(List.of(queue));
		Finished finished = finish(version, queue, true,
				List.of(JobSpec.sleeping("kept", 1), JobSpec.sleeping("kept", 1),
						JobSpec.sleeping("removed", 1).removedAfterwards(),
						JobSpec.sleeping("removed-at-once", 1).removedOnFinish(true, true),
						JobSpec.sleeping("failed-removed-at-once", 1).failing(1, 1, 0).removedOnFinish(true, true),
						JobSpec.sleeping("failed-kept", 1).failing(1, 1, 0)));
		FinishedJobsRead read = reader.read(List.of(queue));
		FinishedJobs completed = only(read, queue, JobOutcome.COMPLETED);
		FinishedJobs failed = only(read, queue, JobOutcome.FAILED);
		assertThat(completed.jobs()).extracting((job) -> name(finished, job.id()))
			.containsExactlyInAnyOrder("kept", "kept");
		assertThat(completed.missedRemoved()).isEqualTo(2);
		assertThat(failed.jobs()).extracting((job) -> name(finished, job.id())).containsExactly("failed-kept");
		assertThat(failed.missedRemoved()).isEqualTo(1);
		assertThat(only(reader.read(List.of(queue)), queue, JobOutcome.COMPLETED).missedRemoved()).isZero();
	}

	@Test
	void withoutMetricsOnlyAJobWhoseHashIsGoneIsKnownToBeMissed() {
		String queue = "hash-gone";
		FinishedJobCursors cursors = new FinishedJobCursors(Instant.now());
		LettuceFinishedJobsReader reader = reader(cursors, 1000);
		reader.read(List.of(queue));
		Finished finished = finish(Version.V6, queue, false, List.of(JobSpec.sleeping("kept", 1),
				JobSpec.sleeping("hash-deleted", 1), JobSpec.sleeping("removed", 1).removedAfterwards()));
		this.redis.commands().del("bull:" + queue + ":" + named(finished, "hash-deleted").id());
		FinishedJobs completed = only(reader.read(List.of(queue)), queue, JobOutcome.COMPLETED);
		assertThat(completed.jobs()).extracting((job) -> name(finished, job.id())).containsExactly("kept");
		assertThat(completed.missedRemoved()).isEqualTo(1);
	}

	@Test
	void aQueueThatCannotBeReadKeepsItsCursorAndIsReadInFullOnceItCanBe() {
		String queue = "unreadable";
		FinishedJobCursors cursors = new FinishedJobCursors(Instant.now());
		LettuceFinishedJobsReader reader = reader(cursors, 1000);
		Finished finished = finish(Version.V6, queue, false, sleeping("waits-for-a-good-read", 3));
		this.redis.commands().set("bull:" + queue + ":failed", "not a sorted set");
		FinishedJobsRead broken = reader.read(List.of(queue, "other"));
		assertThat(broken.failures()).containsOnlyKeys(queue);
		assertThat(broken.failures().get(queue)).contains("WRONGTYPE");
		assertThat(broken.finished()).extracting(FinishedJobs::queue).containsOnly("other");
		this.redis.commands().del("bull:" + queue + ":failed");
		assertThat(ids(reader.read(List.of(queue))))
			.containsExactlyInAnyOrderElementsOf(finished.jobs().stream().map(FinishedJobFields::id).toList());
	}

	@Test
	void aReadThatFailsDoesNotMoveTheCursors() {
		String queue = "redis-down";
		FinishedJobCursors cursors = new FinishedJobCursors(Instant.now());
		Finished finished = finish(Version.V6, queue, false, sleeping("survives", 3));
		long before = cursors.readUpTo();
		LettuceFinishedJobsReader unreachable = new LettuceFinishedJobsReader(
				RedisTarget.of(this.factories.create(new RedisStandaloneConfiguration(this.redis.host(), 1))),
				new BullMqKeys("bull"), cursors, 1000, Duration.ofSeconds(2), Clock.systemUTC(), Duration.ZERO);
		assertThatExceptionOfType(BullMqReadException.class).isThrownBy(() -> unreachable.read(List.of(queue)));
		assertThat(cursors.readUpTo()).isEqualTo(before);
		assertThat(ids(reader(cursors, 1000).read(List.of(queue))))
			.containsExactlyInAnyOrderElementsOf(finished.jobs().stream().map(FinishedJobFields::id).toList());
	}

	@Test
	void asksOncePerCallWhetherAnyOfItsJobsIsAFlowParent() {
		String queue = "no-parents";
		LettuceFinishedJobsReader reader = reader(new FinishedJobCursors(Instant.now()), 1000);
		reader.read(List.of(queue));
		finish(Version.V6, queue, false, sleeping("job", LettuceFinishedJobsReader.JOBS_PER_CALL));
		Map<String, Long> before = this.redis.commandCalls();
		FinishedJobsRead read = reader.read(List.of(queue));
		Map<String, Long> calls = difference(before, this.redis.commandCalls());
		assertThat(ids(read)).hasSize(LettuceFinishedJobsReader.JOBS_PER_CALL);
		assertThat(calls).containsEntry("hmget", (long) LettuceFinishedJobsReader.JOBS_PER_CALL);
		// Every job is a first attempt, and none is a parent: one EXISTS a call, not one
		// a job.
		assertThat(calls.get("eval_ro")).isLessThan(LettuceFinishedJobsReader.JOBS_PER_CALL);
		assertThat(calls.get("exists")).isEqualTo(calls.get("eval_ro"));
	}

	@Test
	void readsQueuesWithFewJobsTogetherInOneReadOnlyScriptCallAndNoWrite() {
		// As many queues as share a call in the first round.
		List<String> queues = IntStream.range(0, LettuceFinishedJobsReader.FIRST_ROUND_QUEUES_PER_CALL)
			.mapToObj((i) -> "calls-" + i)
			.toList();
		LettuceFinishedJobsReader reader = reader(new FinishedJobCursors(Instant.now()), 1000);
		reader.read(queues);
		// Within the first round's page (JOBS_PER_CALL / 8 jobs per queue and outcome).
		int firstPage = Math.max(1,
				LettuceFinishedJobsReader.JOBS_PER_CALL / (2 * LettuceFinishedJobsReader.FIRST_ROUND_QUEUES_PER_CALL));
		finish(Version.V6, queues.get(0), false, sleeping("one", firstPage));
		Map<String, Long> before = this.redis.commandCalls();
		reader.read(queues);
		Map<String, Long> calls = difference(before, this.redis.commandCalls());
		calls.remove("info");
		assertThat(calls).containsEntry("eval_ro", 1L);
		assertThat(calls.keySet()).isSubsetOf("eval_ro", "zcount", "zrevrange", "zrevrank", "zscore", "hmget", "hget",
				"exists");
		assertThat(calls).containsEntry("hmget", (long) firstPage);
		// One EXISTS for the keys only a flow's parent has, for the whole page: there is
		// none.
		assertThat(calls).containsEntry("exists", 1L);
		assertThat(calls.keySet()).allSatisfy((command) -> assertThat(flags(command)).doesNotContain("write"));
	}

	@Test
	void readsAsAUserThatMayOnlyReadBullMqsKeys() {
		// The README's least-privilege user: read commands and EVAL_RO on bull:* only.
		this.redis.commands()
			.dispatch(CommandType.ACL, new StatusOutput<>(StringCodec.UTF8),
					new CommandArgs<>(StringCodec.UTF8).addValues("SETUSER", "durations-reader", "on", ">pw",
							"resetkeys", "~bull:*", "resetchannels", "-@all", "+@read", "+eval_ro"));
		String queue = "least-privilege";
		FinishedJobCursors cursors = new FinishedJobCursors(Instant.now());
		Finished finished = finish(Version.V6, queue, false, List.of(JobSpec.sleeping("p", 1),
				JobSpec.sleeping("parent", 1).withChildren(JobSpec.sleeping("c", 1))));
		RedisStandaloneConfiguration configuration = new RedisStandaloneConfiguration(this.redis.host(),
				this.redis.port());
		configuration.setUsername("durations-reader");
		configuration.setPassword("pw");
		LettuceFinishedJobsReader reader = new LettuceFinishedJobsReader(
				RedisTarget.of(this.factories.create(configuration)), new BullMqKeys("bull"), cursors, 1000,
				Duration.ofSeconds(5), Clock.systemUTC(), Duration.ZERO);
		assertThat(ids(reader.read(List.of(queue))))
			.containsExactlyInAnyOrderElementsOf(finished.jobs().stream().map(FinishedJobFields::id).toList());
	}

	private static List<JobSpec> sleeping(String name, int count) {
		return IntStream.range(0, count).mapToObj((i) -> JobSpec.sleeping(name, 1)).toList();
	}

	private Finished finish(Version version, String queue, boolean metrics, List<JobSpec> jobs) {
		return BullMq.finish(this.redis.url(), version, "bull", queue, 4, metrics, jobs);
	}

	static FinishedJobs only(FinishedJobsRead read, String queue, JobOutcome outcome) {
		return read.finished()
			.stream()
			.filter((jobs) -> jobs.queue().equals(queue) && jobs.outcome() == outcome)
			.findFirst()
			.orElseThrow();
	}

	static List<String> ids(FinishedJobsRead read) {
		return read.finished().stream().flatMap((jobs) -> jobs.jobs().stream()).map(FinishedJob::id).toList();
	}

	private static String name(Finished finished, String id) {
		return finished.jobs().stream().filter((job) -> job.id().equals(id)).findFirst().orElseThrow().name();
	}

	private static FinishedJobFields named(Finished finished, String name) {
		return finished.jobs().stream().filter((job) -> job.name().equals(name)).findFirst().orElseThrow();
	}

	private static long finishedOn(Finished finished, String id, FinishedJobFields twinOf) {
		return finished.jobs()
			.stream()
			.filter((job) -> job.id().equals(id))
			.findFirst()
			.map(FinishedJobFields::finishedOn)
			.orElse(twinOf.finishedOn());
	}

	private LettuceFinishedJobsReader reader(FinishedJobCursors cursors, int maxJobsPerRead) {
		return reader(cursors, maxJobsPerRead, Clock.systemUTC());
	}

	private LettuceFinishedJobsReader reader(FinishedJobCursors cursors, int maxJobsPerRead, Clock clock) {
		// Every job is in its sorted set once BullMQ.finish returns: no need to wait for
		// late ones.
		return new LettuceFinishedJobsReader(RedisTarget.of(this.factories.create(this.redis)), new BullMqKeys("bull"),
				cursors, maxJobsPerRead, Duration.ofSeconds(10), clock, Duration.ZERO);
	}

	private LettuceFinishedJobsReader reader(FinishedJobCursors cursors, int maxJobsPerRead, int jobsPerCall) {
		return new LettuceFinishedJobsReader(RedisTarget.of(this.factories.create(this.redis)), new BullMqKeys("bull"),
				cursors, maxJobsPerRead, Duration.ofSeconds(10), Clock.systemUTC(), Duration.ZERO, jobsPerCall);
	}

	@SuppressWarnings("unchecked")
	private List<String> flags(String command) {
		List<Object> info = (List<Object>) this.redis.commands().commandInfo(command).get(0);
		return ((List<Object>) info.get(2)).stream().map(String::valueOf).toList();
	}

	static Map<String, Long> difference(Map<String, Long> before, Map<String, Long> after) {
		Map<String, Long> difference = new HashMap<>();
		after.forEach((command, calls) -> {
			long delta = calls - before.getOrDefault(command, 0L);
			if (delta > 0) {
				difference.put(command, delta);
			}
		});
		return difference;
	}

}
