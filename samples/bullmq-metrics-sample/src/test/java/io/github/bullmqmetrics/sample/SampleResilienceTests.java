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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import io.github.bullmqmetrics.test.Await;
import io.github.bullmqmetrics.test.BullMq;
import io.github.bullmqmetrics.test.BullMq.QueueSpec;
import io.github.bullmqmetrics.test.BullMq.Version;
import io.github.bullmqmetrics.test.PrometheusText.Sample;
import io.github.bullmqmetrics.test.RedisServer;

import static io.github.bullmqmetrics.sample.RunningSample.value;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * How the sample behaves when Redis is down, slow or scraped hard, and with credentials:
 * over real HTTP, against a real {@code redis-server} that the tests stop, pause and
 * restart.
 *
 * @author bullmq-metrics authors
 */
@ExtendWith(OutputCaptureExtension.class)
class SampleResilienceTests {

	private static final String QUEUE = "orders";

	@AutoClose
	private final RedisServer redis = RedisServer.startLocal();

	@AutoClose
	private RunningSample sample;

	@BeforeEach
	void seed() {
		seed(this.redis);
	}

	@Test
	void aScrapeStormCostsOneRedisRead() throws Exception {
		this.sample = RunningSample.start(this.redis, List.of(QUEUE), "--bullmq.metrics.cache-ttl=1h");
		Map<String, Long> before = this.redis.commandCalls();
		ExecutorService scrapers = Executors.newFixedThreadPool(50);
		try {
			List<Callable<List<Sample>>> scrapes = new ArrayList<>();
			for (int i = 0; i < 50; i++) {
				scrapes.add(this.sample::scrapeSamples);
			}
			for (Future<List<Sample>> scrape : scrapers.invokeAll(scrapes)) {
				assertThat(value(scrape.get(), "bullmq_job_count", QUEUE, "waiting")).isEqualTo(5);
			}
		}
		finally {
			scrapers.shutdownNow();
		}
		Map<String, Long> after = this.redis.commandCalls();
		assertThat(after.getOrDefault("eval_ro", 0L) - before.getOrDefault("eval_ro", 0L)).isEqualTo(1);
	}

	@Test
	void whileRedisIsDownScrapesAnswerPromptlyWithNaNAndUpZeroThenRecover() {
		this.sample = RunningSample.start(this.redis, List.of(QUEUE), "--bullmq.metrics.cache-ttl=100ms",
				"--bullmq.metrics.timeout=1s");
		assertThat(value(this.sample.scrapeSamples(), "bullmq_exporter_up", null, null)).isEqualTo(1);
		this.redis.stop();
		Await.pause(Duration.ofMillis(200));
		long started = System.nanoTime();
		List<Sample> down = this.sample.scrapeSamples();
		Duration took = Duration.ofNanos(System.nanoTime() - started);
		assertThat(took).isLessThan(Duration.ofSeconds(2));
		assertThat(value(down, "bullmq_exporter_up", null, null)).isZero();
		assertThat(value(down, "bullmq_job_count", QUEUE, "waiting")).isNaN();
		assertThat(value(down, "bullmq_job_completed_total", QUEUE, null)).isNaN();
		assertThat(down).anyMatch((sample) -> sample.name().startsWith("jvm_"));
		this.redis.restart();
		seed(this.redis);
		Await.pause(Duration.ofMillis(200));
		List<Sample> back = this.sample.awaitScrape(RunningSample::isUp, "the exporter up again");
		assertThat(value(back, "bullmq_job_count", QUEUE, "waiting")).isEqualTo(5);
	}

	@Test
	void aSlowRedisNeverHoldsAScrapeLongerThanTheTimeoutNorPilesUpReads() throws Exception {
		this.sample = RunningSample.start(this.redis, List.of(QUEUE), "--bullmq.metrics.cache-ttl=100ms",
				"--bullmq.metrics.timeout=500ms");
		this.sample.scrape();
		Await.pause(Duration.ofMillis(200));
		long readsBefore = this.redis.commandCalls().getOrDefault("eval_ro", 0L);
		// Redis holds every client's commands for 3 s: it answers, but too late.
		this.redis.commands().clientPause(3000);
		ExecutorService scrapers = Executors.newFixedThreadPool(20);
		try {
			List<Callable<Duration>> scrapes = new ArrayList<>();
			for (int i = 0; i < 20; i++) {
				scrapes.add(() -> {
					long started = System.nanoTime();
					List<Sample> slow = this.sample.scrapeSamples();
					assertThat(value(slow, "bullmq_exporter_up", null, null)).isZero();
					assertThat(value(slow, "bullmq_job_count", QUEUE, "waiting")).isNaN();
					return Duration.ofNanos(System.nanoTime() - started);
				});
			}
			for (Future<Duration> took : scrapers.invokeAll(scrapes)) {
				assertThat(took.get()).isLessThan(Duration.ofMillis(1500));
			}
		}
		finally {
			scrapers.shutdownNow();
		}
		assertThat(Thread.getAllStackTraces().keySet())
			.filteredOn((thread) -> thread.getName().startsWith("bullmq-metrics-refresh"))
			.hasSize(1);
		Await.pause(Duration.ofSeconds(3));
		assertThat(value(this.sample.awaitScrape(RunningSample::isUp, "the exporter up again"), "bullmq_job_count",
				QUEUE, "waiting"))
			.isEqualTo(5);
		// The paused read, then at most the one that brought the values back.
		assertThat(this.redis.commandCalls().get("eval_ro") - readsBefore).isLessThanOrEqualTo(2);
	}

	@Test
	void readsAsAnAclUserWithAPassword(CapturedOutput output) {
		this.redis.commands()
			.aclSetuser("metrics",
					io.lettuce.core.AclSetuserArgs.Builder.on()
						.addPassword("s3cret")
						.allKeys()
						.addCommand(io.lettuce.core.protocol.CommandType.EVAL_RO)
						.addCategory(io.lettuce.core.AclCategory.READ));
		this.sample = RunningSample.start(this.redis, List.of(QUEUE), "--spring.data.redis.username=metrics",
				"--spring.data.redis.password=s3cret");
		List<Sample> samples = this.sample.scrapeSamples();
		assertThat(value(samples, "bullmq_exporter_up", null, null)).isEqualTo(1);
		assertThat(value(samples, "bullmq_job_count", QUEUE, "waiting")).isEqualTo(5);
		// No +time: latency and overdue jobs alone are unknown, and say why.
		assertThat(value(samples, "bullmq_queue_latency_seconds", QUEUE, null)).isNaN();
		assertThat(value(samples, "bullmq_queue_overdue_jobs", QUEUE, null)).isNaN();
		assertThat(value(samples, "bullmq_queue_job_schedulers", QUEUE, null)).isZero();
		// Nor +client|list: no worker series at all, absent rather than 0.
		assertThat(samples).noneMatch((sample) -> sample.name().equals("bullmq_queue_workers"));
		assertThat(samples).filteredOn((sample) -> sample.name().equals("bullmq_exporter_refresh_errors_total"))
			.extracting((sample) -> sample.label("cause"))
			.containsExactlyInAnyOrder("latency", "workers");
		assertThat(output.getOut()).containsOnlyOnce("Cannot read the latency of BullMQ queues: Redis refused TIME")
			.containsOnlyOnce("Cannot read the workers of BullMQ queues: Cannot count workers: ")
			.contains("NOPERM");
	}

	private static void seed(RedisServer redis) {
		BullMq.seed(redis.url(), Version.V6, "bull", List.of(QueueSpec.everyState(QUEUE)));
	}

}
