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

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import io.github.bullmqmetrics.reader.BullMqReadException.Reason;
import io.github.bullmqmetrics.test.BullMq;
import io.github.bullmqmetrics.test.BullMq.QueueSpec;
import io.github.bullmqmetrics.test.BullMq.Version;
import io.github.bullmqmetrics.test.RedisServer;
import io.github.bullmqmetrics.test.RedisServerExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link LettuceBullMqReader} against a real Redis holding data written by real
 * BullMQ 5 and 6.
 *
 * @author bullmq-metrics authors
 */
class LettuceBullMqReaderTests {

	/** Queue names that BullMQ accepts and that a text format can trip over. */
	static final List<String> HOSTILE_NAMES = List.of("quote\"d", "back\\slash", "trailing\\", "new\nline",
			"emoji 🚀 queue", "with spaces", "a,b=c}{x");

	@RegisterExtension
	static final RedisServerExtension redisServer = RedisServerExtension.start();

	@RegisterExtension
	final ConnectionFactories factories = new ConnectionFactories();

	private final RedisServer redis = redisServer.server();

	@ParameterizedTest
	@EnumSource(Version.class)
	void countsEveryStateAsBullMqDoes(Version version) {
		String queue = "every-state-" + version;
		Map<String, Long> expected = BullMq.seed(redis.url(), version, "bull", List.of(QueueSpec.everyState(queue)))
			.get(queue);
		QueueSnapshot snapshot = reader("bull").read(List.of(queue)).queues().get(queue);
		assertThat(byStateName(snapshot)).isEqualTo(expected);
		assertThat(snapshot.count(JobState.ACTIVE)).hasValue(2);
		assertThat(snapshot.count(JobState.WAITING_CHILDREN)).hasValue(1);
		assertThat(snapshot.completedTotal()).isEqualTo(3);
		assertThat(snapshot.failedTotal()).isEqualTo(2);
		assertThat(snapshot.paused()).isFalse();
		assertThat(snapshot.version()).startsWith("bullmq:" + version.major() + ".");
	}

	@ParameterizedTest
	@EnumSource(Version.class)
	void withLatencyOffCountsEveryStateAsBullMqDoesWithoutTimeOrAnyJobHash(Version version) {
		String queue = "latency-off-" + version;
		Map<String, Long> expected = BullMq.seed(redis.url(), version, "bull", List.of(QueueSpec.everyState(queue)))
			.get(queue);
		LettuceBullMqReader reader = withoutLatency("bull");
		Map<String, Long> before = redis.commandCalls();
		BullMqSnapshot snapshot = reader.read(List.of(queue));
		Map<String, Long> calls = difference(before, redis.commandCalls());
		assertThat(snapshot.failures()).isEmpty();
		assertThat(snapshot.unavailable()).isEmpty();
		QueueSnapshot read = snapshot.queues().get(queue);
		assertThat(byStateName(read)).isEqualTo(expected);
		assertThat(read.activity().latency()).isNull();
		assertThat(read.activity().overdue()).isNull();
		assertThat(read.activity().schedulers()).isZero();
		// The fixture has waiting, prioritized and delayed jobs, which latency would
		// look at: only meta's HMGET is left.
		assertThat(calls).doesNotContainKeys("time", "zrange", "zcount").containsEntry("hmget", 1L);
	}

	@Test
	void withLatencyOffALegacyMarkerAtTheTailOfWaitIsStillNotAJob() {
		String queue = "legacy-marker-latency-off";
		BullMq.seed(redis.url(), Version.V5, "bull", List.of(new QueueSpec(queue, 0, 0, 0, 3, 0, 0, 0, false)));
		String key = "bull:" + queue + ":wait";
		redis.commands().rpush(key, "0:1000");
		redis.commands().lpush(key, "1001", "1002");
		QueueSnapshot snapshot = withoutLatency("bull").read(List.of(queue)).queues().get(queue);
		assertThat(redis.commands().llen(key)).isEqualTo(6);
		assertThat(snapshot.count(JobState.WAITING)).hasValue(5);
	}

	@Test
	void aQueuePausedByBullMq5ShowsItsJobsAsPaused() {
		QueueSnapshot snapshot = seedPausedAndRead(Version.V5);
		assertThat(snapshot.paused()).isTrue();
		assertThat(snapshot.count(JobState.PAUSED)).hasValue(5);
		assertThat(snapshot.count(JobState.WAITING)).hasValue(0);
	}

	@Test
	void aQueuePausedByBullMq6KeepsItsJobsWaiting() {
		QueueSnapshot snapshot = seedPausedAndRead(Version.V6);
		assertThat(snapshot.paused()).isTrue();
		assertThat(snapshot.count(JobState.WAITING)).hasValue(5);
		assertThat(snapshot.count(JobState.PAUSED)).isEmpty();
	}

	@ParameterizedTest
	@EnumSource(Version.class)
	void readsQueuesUnderACustomPrefixOnly(Version version) {
		String prefix = "my:app{" + version + "}";
		String queue = "custom-prefix";
		Map<String, Long> expected = BullMq.seed(redis.url(), version, prefix, List.of(QueueSpec.everyState(queue)))
			.get(queue);
		assertThat(byStateName(reader(prefix).read(List.of(queue)).queues().get(queue))).isEqualTo(expected);
		assertThat(reader("bull").read(List.of(queue)).queues().get(queue).total()).isZero();
	}

	@ParameterizedTest
	@EnumSource(Version.class)
	void readsQueuesWithHostileNames(Version version) {
		String prefix = "hostile-" + version;
		List<QueueSpec> specs = HOSTILE_NAMES.stream()
			.map((name) -> new QueueSpec(name, 1, 1, 0, 2, 1, 1, 0, false))
			.toList();
		Map<String, Map<String, Long>> expected = BullMq.seed(redis.url(), version, prefix, specs);
		BullMqSnapshot snapshot = reader(prefix).read(HOSTILE_NAMES);
		assertThat(snapshot.failures()).isEmpty();
		assertThat(snapshot.queues().keySet()).containsExactlyElementsOf(HOSTILE_NAMES);
		for (String name : HOSTILE_NAMES) {
			assertThat(byStateName(snapshot.queues().get(name))).as(name).isEqualTo(expected.get(name));
		}
	}

	@Test
	void aQueueWithNoKeysIsMissingAndCountsZeroInEveryStateButPaused() {
		QueueSnapshot snapshot = reader("bull").read(List.of("never-created")).queues().get("never-created");
		assertThat(snapshot.exists()).isFalse();
		assertThat(snapshot.counts()).hasSize(7).allSatisfy((state, count) -> assertThat(count).isZero());
		assertThat(snapshot.count(JobState.PAUSED)).isEmpty();
		assertThat(snapshot.version()).isNull();
	}

	@ParameterizedTest
	@EnumSource(Version.class)
	void anEmptyQueueThatBullMqCreatedExists(Version version) {
		String queue = "created-empty-" + version;
		Map<String, Long> expected = BullMq.seed(redis.url(), version, "bull", List.of(QueueSpec.empty(queue)))
			.get(queue);
		QueueSnapshot snapshot = reader("bull").read(List.of(queue)).queues().get(queue);
		assertThat(snapshot.exists()).isTrue();
		assertThat(byStateName(snapshot)).isEqualTo(expected);
	}

	@Test
	void aQueueWithOnlyAnIdKeyExists() {
		// Data from before BullMQ wrote 'meta': only the job id counter is left.
		redis.commands().set("bull:only-id:id", "41");
		QueueSnapshot snapshot = reader("bull").read(List.of("only-id")).queues().get("only-id");
		assertThat(snapshot.exists()).isTrue();
		assertThat(snapshot.count(JobState.PAUSED)).hasValue(0);
	}

	@ParameterizedTest(name = "{0} at the tail of {1}")
	@CsvSource({ "0, wait", "0:1000, wait", "0, paused", "0:1000, paused" })
	void aLegacyMarkerAtTheTailOfAListIsNotAJobAndIsLeftInPlace(String marker, String list) {
		boolean paused = list.equals("paused");
		JobState state = paused ? JobState.PAUSED : JobState.WAITING;
		String queue = "legacy-marker-" + list + "-" + marker.replace(':', '-');
		// BullMQ 5 pauses by moving the jobs to the paused list, which counts as paused.
		Map<String, Long> expected = new LinkedHashMap<>(
				BullMq.seed(redis.url(), Version.V5, "bull", List.of(new QueueSpec(queue, 0, 0, 0, 3, 0, 0, 0, paused)))
					.get(queue));
		String key = "bull:" + queue + ":" + state.keySuffix();
		// A marker as BullMQ 2 (0) or 3.1 to 4 (0:<delay>) left it at the tail, with
		// jobs added at the head since, so that head and tail differ.
		redis.commands().rpush(key, marker);
		redis.commands().lpush(key, "1001", "1002");
		expected.put(state.value(), redis.commands().llen(key) - 1);
		QueueSnapshot snapshot = reader("bull").read(List.of(queue)).queues().get(queue);
		assertThat(byStateName(snapshot)).isEqualTo(expected);
		assertThat(snapshot.count(state)).hasValue(5);
		assertThat(redis.commands().llen(key)).isEqualTo(6);
		assertThat(redis.commands().lindex(key, -1)).isEqualTo(marker);
	}

	@Test
	void aKeyOfTheWrongTypeFailsOnlyItsQueue() {
		BullMq.seed(redis.url(), Version.V6, "bull", List.of(new QueueSpec("healthy", 0, 0, 0, 2, 0, 0, 0, false)));
		redis.commands().set("bull:broken:wait", "not a list");
		BullMqSnapshot snapshot = reader("bull").read(List.of("healthy", "broken"));
		assertThat(snapshot.queues()).containsOnlyKeys("healthy");
		assertThat(snapshot.queues().get("healthy").count(JobState.WAITING)).hasValue(2);
		assertThat(snapshot.failures()).containsOnlyKeys("broken");
		assertThat(snapshot.failures().get("broken")).contains("WRONGTYPE");
	}

	@Test
	void aHugeListCostsNoMoreThanASmallOne() {
		String key = "bull:huge:wait";
		String[] ids = IntStream.range(1, 10_001).mapToObj(String::valueOf).toArray(String[]::new);
		for (int i = 0; i < 100; i++) {
			redis.commands().lpush(key, ids);
		}
		QueueSnapshot snapshot = reader("bull").read(List.of("huge")).queues().get("huge");
		assertThat(snapshot.count(JobState.WAITING)).hasValue(1_000_000);
	}

	@Test
	void aQueueDeletedWhileBeingReadIsSeenWholeOrNotAtAll() throws Exception {
		String queue = "deleted-mid-read";
		BullMq.seed(redis.url(), Version.V6, "bull", List.of(QueueSpec.everyState(queue)));
		List<String> keys = redis.commands().keys("bull:" + queue + ":*");
		Map<String, byte[]> dumps = new HashMap<>();
		for (String key : keys) {
			dumps.put(key, redis.commands().dump(key));
		}
		LettuceBullMqReader reader = reader("bull");
		long whole = reader.read(List.of(queue)).queues().get(queue).total();
		// The queue vanishes and comes back whole, each in one transaction.
		Thread deleter = new Thread(() -> {
			for (int i = 0; i < 200; i++) {
				redis.commands().multi();
				redis.commands().del(keys.toArray(String[]::new));
				redis.commands().exec();
				redis.commands().multi();
				dumps.forEach((key, dump) -> redis.commands().restore(key, 0, dump));
				redis.commands().exec();
			}
		});
		List<Long> totals = new ArrayList<>();
		deleter.start();
		while (deleter.isAlive()) {
			BullMqSnapshot snapshot = reader.read(List.of(queue));
			assertThat(snapshot.failures()).isEmpty();
			totals.add(snapshot.queues().get(queue).total());
		}
		deleter.join();
		assertThat(totals).isNotEmpty().allSatisfy((total) -> assertThat(total).isIn(0L, whole));
	}

	@Test
	void eachQueueIsReadAtomicallyWhileAWorkerDrainsIt() {
		int jobs = 3000;
		String queue = "atomic-drain";
		LettuceBullMqReader reader = reader("bull");
		int snapshots = 0;
		List<Long> totals = new ArrayList<>();
		try (BullMq.Drain drain = BullMq.drain(redis.url(), Version.V6, "bull", queue, jobs, 50)) {
			while (!drain.finished() && snapshots < 20_000) {
				QueueSnapshot snapshot = reader.read(List.of(queue)).queues().get(queue);
				totals.add(snapshot.total());
				snapshots++;
			}
			drain.await(Duration.ofMinutes(2));
		}
		QueueSnapshot last = reader.read(List.of(queue)).queues().get(queue);
		assertThat(last.count(JobState.COMPLETED)).hasValue(jobs);
		assertThat(snapshots).isGreaterThan(10);
		assertThat(totals).allSatisfy((total) -> assertThat(total).isEqualTo(jobs));
	}

	@Test
	void readsAllQueuesWithOneScriptCallPerBatchAndNoWrite() {
		List<String> queues = IntStream.range(0, 250).mapToObj((i) -> "many-" + i).toList();
		long batches = (queues.size() + LettuceBullMqReader.QUEUES_PER_CALL - 1) / LettuceBullMqReader.QUEUES_PER_CALL;
		assertThat(batches).isGreaterThan(1);
		LettuceBullMqReader reader = reader("bull");
		reader.read(queues);
		Map<String, Long> before = redis.commandCalls();
		reader.read(queues);
		Map<String, Long> after = redis.commandCalls();
		Map<String, Long> calls = difference(before, after);
		calls.remove("info");
		assertThat(calls).containsEntry("eval_ro", batches);
		assertThat(calls.keySet()).isSubsetOf("eval_ro", "time", "llen", "lindex", "zcard", "hmget", "hget", "exists",
				"pttl", "client|list");
		assertThat(calls).containsEntry("client|list", 1L);
		// Redis' clock once per call; prioritized, delayed, completed, failed,
		// waiting-children and repeat of each queue.
		assertThat(calls).containsEntry("time", batches);
		assertThat(calls).containsEntry("zcard", 250L * 6);
		assertThat(calls.keySet()).allSatisfy((command) -> assertThat(flags(command)).doesNotContain("write"));
	}

	@Test
	void failsWithAConnectionErrorWhenRedisIsDown() {
		LettuceBullMqReader reader = new LettuceBullMqReader(factory(1), new BullMqKeys("bull"), Duration.ofSeconds(2));
		assertThatExceptionOfType(BullMqReadException.class).isThrownBy(() -> reader.read(List.of("q")))
			.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(Reason.CONNECTION))
			.withMessageStartingWith("Cannot connect to Redis at " + redis.host() + ":1: ");
	}

	@Test
	void failsWithAnAuthenticationErrorOnAWrongPassword() {
		redis.commands()
			.aclSetuser("metrics-auth",
					io.lettuce.core.AclSetuserArgs.Builder.on().addPassword("right").allKeys().allCommands());
		RedisStandaloneConfiguration configuration = new RedisStandaloneConfiguration(redis.host(), redis.port());
		configuration.setUsername("metrics-auth");
		configuration.setPassword("wrong");
		LettuceBullMqReader reader = new LettuceBullMqReader(this.factories.create(configuration),
				new BullMqKeys("bull"), Duration.ofSeconds(2));
		assertThatExceptionOfType(BullMqReadException.class).isThrownBy(() -> reader.read(List.of("q")))
			.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(Reason.AUTHENTICATION))
			.withMessageStartingWith("Redis at " + redis.host() + ":" + redis.port() + " refused the credentials: ")
			.withMessageContaining("WRONGPASS");
	}

	@Test
	void failsWithACommandErrorWhenAclForbidsTheRead() {
		redis.commands()
			.aclSetuser("no-scripts",
					io.lettuce.core.AclSetuserArgs.Builder.on()
						.addPassword("pw")
						.allKeys()
						.addCommand(io.lettuce.core.protocol.CommandType.GET));
		RedisStandaloneConfiguration configuration = new RedisStandaloneConfiguration(redis.host(), redis.port());
		configuration.setUsername("no-scripts");
		configuration.setPassword("pw");
		LettuceConnectionFactory factory = this.factories.create(configuration);
		LettuceBullMqReader reader = new LettuceBullMqReader(factory, new BullMqKeys("bull"), Duration.ofSeconds(2));
		assertThatExceptionOfType(BullMqReadException.class).isThrownBy(() -> reader.read(List.of("q")))
			.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(Reason.COMMAND))
			.withMessageContaining("NOPERM");
	}

	@SuppressWarnings("unchecked")
	private List<String> flags(String command) {
		List<Object> info = (List<Object>) redis.commands().commandInfo(command).get(0);
		return ((List<Object>) info.get(2)).stream().map(String::valueOf).toList();
	}

	private QueueSnapshot seedPausedAndRead(Version version) {
		String queue = "paused-" + version;
		BullMq.seed(redis.url(), version, "bull", List.of(QueueSpec.everyState(queue).withPaused(true)));
		return reader("bull").read(List.of(queue)).queues().get(queue);
	}

	private LettuceBullMqReader reader(String prefix) {
		return new LettuceBullMqReader(factory(redis.port()), new BullMqKeys(prefix), Duration.ofSeconds(5));
	}

	private LettuceBullMqReader withoutLatency(String prefix) {
		return new LettuceBullMqReader(RedisTarget.of(factory(redis.port())), new BullMqKeys(prefix),
				Duration.ofSeconds(5), false, false);
	}

	private LettuceConnectionFactory factory(int port) {
		return this.factories.create(new RedisStandaloneConfiguration(this.redis.host(), port));
	}

	static Map<String, Long> byStateName(QueueSnapshot snapshot) {
		Map<String, Long> counts = new LinkedHashMap<>();
		snapshot.counts().forEach((state, count) -> counts.put(state.value(), count));
		return counts;
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
