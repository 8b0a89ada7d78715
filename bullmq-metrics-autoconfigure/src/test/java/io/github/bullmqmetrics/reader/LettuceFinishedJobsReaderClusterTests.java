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
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.RedisClusterConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import io.github.bullmqmetrics.test.BullMq;
import io.github.bullmqmetrics.test.BullMq.Finished;
import io.github.bullmqmetrics.test.BullMq.FinishedJobFields;
import io.github.bullmqmetrics.test.BullMq.JobSpec;
import io.github.bullmqmetrics.test.BullMq.Version;
import io.github.bullmqmetrics.test.RedisCluster;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link LettuceFinishedJobsReader} on a real Redis Cluster, with jobs that
 * real BullMQ finished under hash-tagged prefixes and queue names.
 *
 * @author bullmq-metrics authors
 */
class LettuceFinishedJobsReaderClusterTests {

	private static RedisCluster cluster;

	private final List<LettuceConnectionFactory> factories = new ArrayList<>();

	@BeforeAll
	static void startCluster() {
		cluster = RedisCluster.start(3, 0);
	}

	@AfterAll
	static void stopCluster() {
		if (cluster != null) {
			cluster.close();
		}
	}

	@AfterEach
	void destroy() {
		this.factories.forEach(LettuceConnectionFactory::destroy);
	}

	@Test
	void readsQueuesOfAHashTaggedPrefixTogetherInOneScriptCall() {
		List<String> queues = List.of("alpha", "beta");
		LettuceFinishedJobsReader reader = reader("{bull}");
		reader.read(queues);
		List<Finished> finished = queues.stream()
			.map((queue) -> BullMq.finish(cluster.url(), Version.V6, "{bull}", queue, 2, true,
					List.of(JobSpec.sleeping("ok", 5), JobSpec.sleeping("fails", 5).failing(1, 1, 0))))
			.toList();
		Map<String, Long> before = cluster.commandCalls();
		FinishedJobsRead read = reader.read(queues);
		Map<String, Long> calls = LettuceFinishedJobsReaderTests.difference(before, cluster.commandCalls());
		assertThat(read.failures()).isEmpty();
		assertThat(ids(read)).containsExactlyInAnyOrderElementsOf(ids(queues, finished));
		assertThat(read.finished()).allSatisfy((jobs) -> {
			assertThat(jobs.missedOverLimit()).isZero();
			assertThat(jobs.missedRemoved()).isZero();
			assertThat(jobs.jobs()).allSatisfy((job) -> assertThat(job.waitTime()).isPresent());
		});
		assertThat(calls).containsEntry("eval_ro", 1L);
	}

	@Test
	void readsQueuesWhoseNamesCarryTheHashTagAcrossEveryMaster() {
		List<String> queues = List.of("{q1}", "{q2}", "{q3}", "{q4}", "{q5}", "{q6}");
		assertThat(queues.stream().map((queue) -> cluster.masterPortForKey("bull:" + queue + ":completed")).distinct())
			.hasSize(3);
		LettuceFinishedJobsReader reader = reader("bull");
		reader.read(queues);
		List<Finished> finished = queues.stream()
			.map((queue) -> BullMq.finish(cluster.url(), Version.V5, "bull", queue, 2, false,
					List.of(JobSpec.sleeping("ok", 1))))
			.toList();
		FinishedJobsRead read = reader.read(queues);
		assertThat(read.failures()).isEmpty();
		assertThat(ids(read)).containsExactlyInAnyOrderElementsOf(ids(queues, finished));
	}

	@Test
	void leavesOutAQueueWhoseKeysSpreadOverSeveralSlots() {
		// Without a hash tag BullMQ cannot run on a cluster, so such a queue never has
		// finished jobs: it is neither read nor reported as failing.
		FinishedJobsRead read = reader("plain").read(List.of("spread"));
		assertThat(read.finished()).isEmpty();
		assertThat(read.failures()).isEmpty();
	}

	private LettuceFinishedJobsReader reader(String prefix) {
		LettuceConnectionFactory factory = new LettuceConnectionFactory(new RedisClusterConfiguration(cluster.nodes()));
		factory.afterPropertiesSet();
		factory.start();
		this.factories.add(factory);
		return new LettuceFinishedJobsReader(RedisTarget.of(factory), new BullMqKeys(prefix),
				new FinishedJobCursors(Instant.now()), 1000, Duration.ofSeconds(10), Clock.systemUTC(), Duration.ZERO);
	}

	/** Job ids count from 1 in every queue: the queue and the id name a job. */
	private static List<String> ids(FinishedJobsRead read) {
		List<String> ids = new ArrayList<>();
		for (FinishedJobs jobs : read.finished()) {
			jobs.jobs().forEach((job) -> ids.add(jobs.queue() + "/" + job.id()));
		}
		return ids;
	}

	private static List<String> ids(List<String> queues, List<Finished> finished) {
		List<String> ids = new ArrayList<>();
		for (int i = 0; i < queues.size(); i++) {
			for (FinishedJobFields job : finished.get(i).jobs()) {
				ids.add(queues.get(i) + "/" + job.id());
			}
		}
		return ids;
	}

}
