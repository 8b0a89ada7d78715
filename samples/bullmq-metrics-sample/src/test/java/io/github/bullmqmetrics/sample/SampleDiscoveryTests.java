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
import java.util.Set;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import io.github.bullmqmetrics.test.BullMq;
import io.github.bullmqmetrics.test.BullMq.QueueSpec;
import io.github.bullmqmetrics.test.BullMq.Version;
import io.github.bullmqmetrics.test.PrometheusText.Sample;
import io.github.bullmqmetrics.test.RedisServer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample with no queue list at all: it discovers the queues, and follows them as they
 * come and go.
 *
 * @author bullmq-metrics authors
 */
class SampleDiscoveryTests {

	@AutoClose
	private final RedisServer redis = RedisServer.start();

	@AutoClose
	private RunningSample sample;

	@Test
	void exportsEveryQueueWithNoConfigurationAndFollowsThemAsTheyComeAndGo() {
		BullMq.seed(this.redis.url(), Version.V5, "bull", List.of(QueueSpec.everyState("five")));
		BullMq.seed(this.redis.url(), Version.V6, "bull", List.of(QueueSpec.everyState("six")));
		BullMq.seed(this.redis.url(), Version.V6, "other", List.of(QueueSpec.everyState("elsewhere")));
		this.sample = RunningSample.start(this.redis, List.of(), "--bullmq.discovery.interval=200ms",
				"--bullmq.metrics.cache-ttl=100ms");
		this.sample.awaitScrape((scrape) -> RunningSample.queues(scrape).equals(Set.of("five", "six")),
				"the queues five and six");
		List<Sample> samples = this.sample.scrapeSamples();
		assertThat(RunningSample.value(samples, "bullmq_job_count", "five", "completed")).isEqualTo(3);
		assertThat(RunningSample.value(samples, "bullmq_job_count", "six", "waiting")).isEqualTo(5);

		BullMq.seed(this.redis.url(), Version.V6, "bull", List.of(QueueSpec.empty("new")));
		for (String key : this.redis.commands().keys("bull:five:*")) {
			this.redis.commands().del(key);
		}
		this.sample.awaitScrape((scrape) -> RunningSample.queues(scrape).equals(Set.of("six", "new")),
				"the queues six and new, without five");
	}

}
