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
package io.github.bullmqmetrics.sample;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.data.redis.core.StringRedisTemplate;

import io.github.bullmqmetrics.test.Await;
import io.github.bullmqmetrics.test.BullMq;
import io.github.bullmqmetrics.test.BullMq.QueueSpec;
import io.github.bullmqmetrics.test.BullMq.Version;
import io.github.bullmqmetrics.test.PrometheusText.Sample;
import io.github.bullmqmetrics.test.RedisServer;

import static io.github.bullmqmetrics.sample.RunningSample.value;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample with two real Redis servers: the application's own
 * ({@code spring.data.redis.*}), which holds its cache, and BullMQ's
 * ({@code bullmq.redis.*}), filled by real BullMQ. The counts come from BullMQ's Redis,
 * and the application's Redis never hears from the exporter.
 *
 * @author bullmq-metrics authors
 */
class SampleSeparateRedisTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final String QUEUE = "invoices";

	private static final String CACHE_KEY = "cache:greeting";

	private static RedisServer applicationRedis;

	private static RedisServer bullMqRedis;

	private static Map<String, Long> bullMqCounts;

	@AutoClose
	private RunningSample sample;

	@BeforeAll
	static void startBothRedisServers() {
		applicationRedis = RedisServer.startLocal();
		bullMqRedis = RedisServer.startLocal();
		bullMqCounts = BullMq.seed(bullMqRedis.url(), Version.V6, "bull", List.of(QueueSpec.everyState(QUEUE)))
			.get(QUEUE);
	}

	@AfterAll
	static void stopBothRedisServers() {
		if (applicationRedis != null) {
			applicationRedis.close();
		}
		if (bullMqRedis != null) {
			bullMqRedis.close();
		}
	}

	@Test
	void readsBullMqsOwnRedisAndSendsNothingToTheApplicationsRedis() {
		applicationRedis.commands().set(CACHE_KEY, "hello");
		Map<String, Long> beforeStart = applicationRedis.commandCalls();
		this.sample = start("--bullmq.discovery.interval=100ms", "--bullmq.metrics.cache-ttl=0s");
		List<Sample> samples = this.sample.awaitScrape(
				(scrape) -> RunningSample.isUp(scrape) && RunningSample.queues(scrape).contains(QUEUE),
				"the queue's series");
		assertCounts(samples);
		Map<String, Long> startUp = difference(beforeStart, applicationRedis.commandCalls());
		startUp.remove("info");
		assertThat(startUp).as("commands the application's Redis received while the sample started and was scraped")
			.isEmpty();
		// The application's own Redis beans are Spring Boot's, on its own Redis.
		assertThat(this.sample.bean(StringRedisTemplate.class).opsForValue().get(CACHE_KEY)).isEqualTo("hello");
		Map<String, Long> before = applicationRedis.commandCalls();
		Map<String, Long> bullMqBefore = bullMqRedis.commandCalls();
		for (int i = 0; i < 20; i++) {
			assertCounts(this.sample.scrapeSamples());
		}
		Await.pause(Duration.ofMillis(300));
		Map<String, Long> calls = difference(before, applicationRedis.commandCalls());
		calls.remove("info");
		assertThat(calls).as("commands the application's Redis received during 20 scrapes and discovery").isEmpty();
		assertThat(difference(bullMqBefore, bullMqRedis.commandCalls())).containsKeys("eval_ro", "scan");
		assertThat(bullMqRedis.commands().exists(CACHE_KEY)).isZero();
	}

	@Test
	void anOutageOfBullMqsRedisLeavesTheApplicationAndItsRedisHealthUp() {
		RedisServer outage = RedisServer.startLocal();
		try {
			this.sample = RunningSample.start(
					List.of("--spring.data.redis.host=" + applicationRedis.host(),
							"--spring.data.redis.port=" + applicationRedis.port(),
							"--bullmq.redis.host=" + outage.host(), "--bullmq.redis.port=" + outage.port()),
					List.of(QUEUE), "--management.health.redis.enabled=true",
					"--management.endpoint.health.show-details=always", "--bullmq.metrics.cache-ttl=100ms");
			outage.stop();
			String target = "Redis at " + outage.host() + ":" + outage.port()
					+ " (set by bullmq.redis.host and bullmq.redis.port)";
			JsonNode health = Await.until(Duration.ofSeconds(20), this::health,
					(checked) -> checked.at("/components/bullmq/details/error").asString().contains(target),
					"an error that names " + target);
			assertThat(health.at("/status").asString()).isEqualTo("UP");
			assertThat(health.at("/components/redis/status").asString()).isEqualTo("UP");
			assertThat(health.at("/components/bullmq/status").asString()).isEqualTo("UNKNOWN");
			assertThat(value(this.sample.scrapeSamples(), "bullmq_exporter_up", null, null)).isZero();
		}
		finally {
			outage.close();
		}
	}

	private RunningSample start(String... args) {
		return RunningSample.start(
				List.of("--spring.data.redis.host=" + applicationRedis.host(),
						"--spring.data.redis.port=" + applicationRedis.port(),
						"--bullmq.redis.host=" + bullMqRedis.host(), "--bullmq.redis.port=" + bullMqRedis.port()),
				List.of(), args);
	}

	private JsonNode health() {
		return JSON.readTree(this.sample.get("/actuator/health", "application/json").body());
	}

	static void assertCounts(List<Sample> samples) {
		bullMqCounts.forEach((state, count) -> assertThat(value(samples, "bullmq_job_count", QUEUE, state)).as(state)
			.isEqualTo(count.doubleValue()));
		assertThat(samples).filteredOn((sample) -> sample.name().equals("bullmq_job_count"))
			.filteredOn((sample) -> QUEUE.equals(sample.label("queue")))
			.hasSize(bullMqCounts.size());
	}

	static Map<String, Long> difference(Map<String, Long> before, Map<String, Long> after) {
		Map<String, Long> difference = new HashMap<>();
		after.forEach((command, calls) -> {
			if (calls > before.getOrDefault(command, 0L)) {
				difference.put(command, calls - before.getOrDefault(command, 0L));
			}
		});
		return difference;
	}

}
