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

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import io.github.bullmqmetrics.test.BullMq;
import io.github.bullmqmetrics.test.BullMq.Activity;
import io.github.bullmqmetrics.test.BullMq.ClientCounts;
import io.github.bullmqmetrics.test.BullMq.Version;
import io.github.bullmqmetrics.test.BullMq.WorkerSpec;
import io.github.bullmqmetrics.test.BullMq.Workers;
import io.github.bullmqmetrics.test.PrometheusText.Sample;
import io.github.bullmqmetrics.test.RedisServer;

import static io.github.bullmqmetrics.sample.RunningSample.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The queue meters beyond counts, scraped from the running sample and compared with what
 * real BullMQ's API says of the same queues: workers, latency, overdue jobs, schedulers,
 * rate limit and global concurrency.
 *
 * @author bullmq-metrics authors
 */
class SampleQueueActivityTests {

	@AutoClose
	private final RedisServer redis = RedisServer.startLocal();

	@AutoClose
	private RunningSample sample;

	@Test
	void exportsTheWorkersOfEachQueueAsBullMqCountsThemAndFollowsThoseThatClose() {
		List<String> queues = List.of("mail", "pdf", "idle");
		try (Workers workers = BullMq.workers(this.redis.url(), Version.V6, "bull", queues,
				List.of(WorkerSpec.unnamed("mail"), WorkerSpec.named("mail", "mailer-2"),
						WorkerSpec.named("pdf", "pdf"), WorkerSpec.unnamed("pdf"), WorkerSpec.unnamed("pdf")),
				List.of("mail"))) {
			this.sample = RunningSample.start(this.redis, queues, "--bullmq.metrics.cache-ttl=0s");
			assertWorkers(workers.counts(), queues);
			assertThat(workers.counts().workers()).containsEntry("mail", 2L).containsEntry("pdf", 3L);
			ClientCounts afterClose = workers.close(0, 3);
			assertThat(afterClose.workers()).containsEntry("mail", 1L).containsEntry("pdf", 2L);
			assertWorkers(afterClose, queues);
		}
	}

	@Test
	void exportsLatencyOverdueSchedulersRateLimitAndConcurrencyAsBullMqSaysThem() {
		List<String> scenarios = List.of("empty", "waiting", "prioritized", "overdue", "promoted", "limited");
		Map<String, Activity> expected = BullMq.activity(this.redis.url(), Version.V6, "bull", scenarios);
		this.sample = RunningSample.start(this.redis, scenarios, "--bullmq.metrics.cache-ttl=0s");
		List<Sample> samples = this.sample.scrapeSamples();
		long now = this.redis.nowMillis();
		for (String queue : scenarios) {
			Activity oracle = expected.get(queue);
			assertThat(value(samples, "bullmq_queue_job_schedulers", queue, null)).as(queue)
				.isEqualTo((double) oracle.schedulers());
			assertThat(value(samples, "bullmq_queue_overdue_jobs", queue, null)).as(queue)
				.isEqualTo(oracle.delayedCount().doubleValue());
			assertThat(value(samples, "bullmq_queue_rate_limit_ttl_seconds", queue, null)).as(queue)
				.isBetween(Math.max(0, oracle.rateLimitTtl() - 5000) / 1000.0,
						Math.max(0, oracle.rateLimitTtl()) / 1000.0);
			if (oracle.globalConcurrency() != null) {
				assertThat(value(samples, "bullmq_queue_global_concurrency", queue, null)).as(queue)
					.isEqualTo(oracle.globalConcurrency().doubleValue());
			}
			else {
				assertThat(samples).as(queue)
					.noneMatch((sample) -> sample.name().equals("bullmq_queue_global_concurrency")
							&& queue.equals(sample.label("queue")));
			}
			if (oracle.latencyChecked()) {
				double expectedSeconds = (oracle.readySince() != null) ? (now - oracle.readySince()) / 1000.0 : 0;
				assertThat(value(samples, "bullmq_queue_latency_seconds", queue, null)).as(queue)
					.isCloseTo(expectedSeconds, within(1.0));
			}
		}
	}

	private void assertWorkers(ClientCounts bullMq, List<String> queues) {
		List<Sample> samples = this.sample.scrapeSamples();
		for (String queue : queues) {
			assertThat(value(samples, "bullmq_queue_workers", queue, null)).as(queue)
				.isEqualTo(bullMq.workers().get(queue).doubleValue());
		}
	}

}
