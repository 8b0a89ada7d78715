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
package io.github.bullmqmetrics.micrometer;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import io.github.bullmqmetrics.reader.BullMqSnapshot;
import io.github.bullmqmetrics.reader.JobState;
import io.github.bullmqmetrics.reader.QueueSnapshot;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Shows that the exporter's meters and heap stay flat while 10,000 queues appear and
 * vanish again and again, as discovery would report them.
 *
 * @author bullmq-metrics authors
 */
class BullMqMetricsChurnTests {

	private static final int QUEUES = 10_000;

	@Test
	void metersAndHeapStayFlatWhileTenThousandQueuesComeAndGo() {
		AtomicLong now = new AtomicLong();
		AtomicReference<BullMqSnapshot> data = new AtomicReference<>(snapshot(0, 0));
		PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
		try (SnapshotCache cache = new SnapshotCache(data::get, Duration.ofSeconds(5), Duration.ofSeconds(30), now::get,
				Clock.systemUTC())) {
			new BullMqMetrics(cache, List.of()).bindTo(registry);
			cache.withinScrape(registry::scrape);
			int baseline = registry.getMeters().size();
			long[] retained = new long[4];
			for (int round = 0; round < retained.length; round++) {
				data.set(snapshot(round * QUEUES, QUEUES));
				now.addAndGet(Duration.ofSeconds(5).toNanos());
				String scrape = cache.withinScrape(registry::scrape);
				assertThat(registry.getMeters()).hasSize(baseline + QUEUES * 16);
				assertThat(scrape).contains("queue=\"q" + (round * QUEUES) + "\"");
				data.set(snapshot(0, 0));
				now.addAndGet(Duration.ofSeconds(5).toNanos());
				scrape = cache.withinScrape(registry::scrape);
				assertThat(registry.getMeters()).hasSize(baseline);
				assertThat(scrape).doesNotContain("bullmq_job_count{");
				retained[round] = retainedHeap();
			}
			// The first round warms up class loading and caches; after it, nothing grows.
			assertThat(retained[retained.length - 1]).isLessThan(retained[1] + 16 * 1024 * 1024);
		}
	}

	private static BullMqSnapshot snapshot(int first, int count) {
		Map<String, QueueSnapshot> queues = new LinkedHashMap<>();
		for (int i = first; i < first + count; i++) {
			Map<JobState, Long> counts = new EnumMap<>(JobState.class);
			for (JobState state : JobState.values()) {
				counts.put(state, (long) i);
			}
			queues.put("q" + i, new QueueSnapshot("q" + i, counts, i, i, false, null));
		}
		return new BullMqSnapshot(Instant.now(), queues, Map.of());
	}

	private static long retainedHeap() {
		Runtime runtime = Runtime.getRuntime();
		for (int i = 0; i < 3; i++) {
			System.gc();
		}
		return runtime.totalMemory() - runtime.freeMemory();
	}

}
