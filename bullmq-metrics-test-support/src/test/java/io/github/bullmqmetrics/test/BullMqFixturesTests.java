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

package io.github.bullmqmetrics.test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.github.bullmqmetrics.test.BullMq.ClientCounts;
import io.github.bullmqmetrics.test.BullMq.Drain;
import io.github.bullmqmetrics.test.BullMq.QueueSpec;
import io.github.bullmqmetrics.test.BullMq.Version;
import io.github.bullmqmetrics.test.BullMq.WorkerSpec;
import io.github.bullmqmetrics.test.BullMq.Workers;
import io.github.bullmqmetrics.test.PrometheusText.Sample;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static io.github.bullmqmetrics.test.JobCountAssertions.assertJobCounts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.tuple;

/**
 * Tests for {@link BullMq}: the Node fixtures against a real Redis.
 *
 * @author bullmq-metrics authors
 */
class BullMqFixturesTests {

	private static final String HOSTILE = "q \"quoted\" back\\slash\nnew line 😀 a,b=c}{x\\";

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.start();

	@ParameterizedTest
	@EnumSource
	void seedsJobsInEveryState(Version version) {
		String prefix = "seed" + version.major();
		Map<String, Map<String, Long>> counts = BullMq.seed(redis.server().url(), version, prefix,
				List.of(QueueSpec.everyState("mail")));
		assertThat(counts).containsOnlyKeys("mail");
		assertThat(counts.get("mail")).contains(entry("completed", 3L), entry("failed", 2L), entry("active", 2L),
				entry("waiting", 5L), entry("delayed", 2L), entry("prioritized", 3L), entry("waiting-children", 1L));
		if (version == Version.V5) {
			assertThat(counts.get("mail")).containsEntry("paused", 0L).hasSize(8);
		}
		else {
			assertThat(counts.get("mail")).doesNotContainKey("paused").hasSize(7);
		}
		assertThat(redis.server().commands().llen(prefix + ":mail:active")).isEqualTo(2);
		assertThat(redis.server().commands().hget(prefix + ":mail:meta", "version"))
			.startsWith("bullmq:" + version.major() + ".");
		assertThat(redis.server().commands().hget(prefix + ":mail:metrics:completed", "count")).isEqualTo("3");
		assertThat(redis.server().commands().hget(prefix + ":mail:metrics:failed", "count")).isEqualTo("2");
	}

	@ParameterizedTest
	@EnumSource
	void seedsAPausedQueueTheWayEachVersionPauses(Version version) {
		String prefix = "paused" + version.major();
		Map<String, Long> counts = BullMq
			.seed(redis.server().url(), version, prefix, List.of(QueueSpec.everyState("mail").withPaused(true)))
			.get("mail");
		assertThat(redis.server().commands().hget(prefix + ":mail:meta", "paused")).isEqualTo("1");
		if (version == Version.V5) {
			assertThat(counts).containsEntry("paused", 5L).containsEntry("waiting", 0L);
			assertThat(redis.server().commands().exists(prefix + ":mail:wait")).isZero();
		}
		else {
			assertThat(counts).containsEntry("waiting", 5L).doesNotContainKey("paused");
			assertThat(redis.server().commands().exists(prefix + ":mail:paused")).isZero();
		}
	}

	@Test
	void seedsSeveralQueuesAndEmptyOnes() {
		Map<String, Map<String, Long>> counts = BullMq.seed(redis.server().url(), Version.V6, "several",
				List.of(new QueueSpec("a", 1, 0, 0, 2, 0, 0, 0, false), QueueSpec.empty("b")));
		assertThat(counts.get("a")).containsEntry("completed", 1L).containsEntry("waiting", 2L);
		assertThat(counts.get("b").values()).containsOnly(0L);
		assertThat(redis.server().commands().exists("several:b:meta")).as("an empty queue is discoverable").isOne();
	}

	@ParameterizedTest
	@EnumSource
	void exportsWhatBullMqReportsForAHostileQueueName(Version version) {
		String prefix = "export" + version.major();
		Map<String, Long> counts = BullMq
			.seed(redis.server().url(), version, prefix, List.of(QueueSpec.everyState(HOSTILE)))
			.get(HOSTILE);
		Map<String, String> texts = BullMq.exportPrometheusMetrics(redis.server().url(), version, prefix,
				List.of(HOSTILE), Map.of("env", "test \"1\""));
		assertThat(texts).containsOnlyKeys(HOSTILE);
		String text = texts.get(HOSTILE);
		assertThat(text).contains("bullmq_job_count").doesNotEndWith("\n");
		List<Sample> samples = PrometheusText.parse(text);
		assertThat(samples).allSatisfy((sample) -> {
			assertThat(sample.label("queue")).isEqualTo(HOSTILE);
			assertThat(sample.label("env")).isEqualTo("test \"1\"");
		});
		assertJobCounts(text, counts, "what BullMQ's getJobCounts() said");
		assertThat(samples).filteredOn((sample) -> sample.name().endsWith("_total"))
			.extracting(Sample::name, Sample::value)
			.containsExactly(tuple("bullmq_job_completed_total", 3.0), tuple("bullmq_job_failed_total", 2.0));
	}

	@Test
	void exportDoesNotCreateAQueue() {
		Map<String, String> texts = BullMq.exportPrometheusMetrics(redis.server().url(), Version.V6, "none",
				List.of("ghost"), null);
		assertThat(texts.get("ghost")).contains("bullmq_job_count{queue=\"ghost\", state=\"waiting\"} 0");
		assertThat(redis.server().commands().keys("none:*")).isEmpty();
	}

	@Test
	void connectsWithCredentialsInTheUrl() {
		try (RedisServer secured = RedisServer.startLocal("--user", "alice", "on", ">p@ss:w rd", "~*", "&*", "+@all",
				"--user", "default", "off")) {
			String url = secured.url("alice", "p@ss:w rd");
			Map<String, Long> counts = BullMq
				.seed(url, Version.V5, "bull", List.of(new QueueSpec("q", 0, 0, 0, 1, 0, 0, 0, false)))
				.get("q");
			assertThat(counts).containsEntry("waiting", 1L);
			assertThat(BullMq.exportPrometheusMetrics(url, Version.V6, "bull", List.of("q"), null).get("q"))
				.contains("state=\"waiting\"} 1");
		}
	}

	@Test
	void reportsTheScriptsErrorWhenRedisIsUnreachable() {
		try (RedisServer stopped = RedisServer.startLocal()) {
			stopped.stop();
			assertThatIllegalStateException()
				.isThrownBy(() -> BullMq.exportPrometheusMetrics(stopped.url(), Version.V6, "bull", List.of("q"), null))
				.withMessageContaining("export.mjs failed")
				.withMessageContaining("ECONNREFUSED");
		}
	}

	@ParameterizedTest
	@EnumSource
	void drainsJobsWithARealWorker(Version version) {
		String prefix = "drain" + version.major();
		try (Drain drain = BullMq.drain(redis.server().url(), version, prefix, "work", 500, 8)) {
			assertThat(drain.added()).isEqualTo(500);
			drain.await(Duration.ofSeconds(60));
			assertThat(drain.finished()).isTrue();
			assertThat(drain.completed()).isEqualTo(500L);
		}
		assertThat(redis.server().commands().zcard(prefix + ":work:completed")).isEqualTo(500);
		assertThat(redis.server().commands().llen(prefix + ":work:wait")).isZero();
		assertThat(redis.server().commands().hget(prefix + ":work:metrics:completed", "count")).isEqualTo("500");
	}

	@Test
	void closingADrainStopsItsWorker() {
		Drain drain = BullMq.drain(redis.server().url(), Version.V6, "stopped", "work", 5_000, 1);
		drain.close();
		assertThat(drain.finished()).isFalse();
		assertThat(redis.server().commands().zcard("stopped:work:completed")).isLessThan(5_000);
	}

	@Test
	void keepsWorkersConnectedUntilTheyAreClosed() {
		List<WorkerSpec> workers = List.of(WorkerSpec.unnamed("mail"), WorkerSpec.named("mail", "sender"),
				WorkerSpec.unnamed("other"));
		try (Workers running = BullMq.workers(redis.server().url(), Version.V6, "kept", List.of("idle"), workers,
				List.of("mail"))) {
			assertThat(running.counts()).isEqualTo(new ClientCounts(Map.of("mail", 2L, "other", 1L, "idle", 0L),
					Map.of("mail", 1L, "other", 0L, "idle", 0L), true));
			assertThat(redis.server().commands().clientList()).contains(" name=kept:bWFpbA== ",
					" name=kept:bWFpbA==:w:sender ", " name=kept:bWFpbA==:qe ");
			assertThat(running.close(1, 2).workers()).isEqualTo(Map.of("mail", 1L, "other", 0L, "idle", 0L));
			assertThat(running.report()).isEqualTo(running.counts());
		}
		assertThat(redis.server().commands().clientList()).doesNotContain("name=kept:");
	}

}
