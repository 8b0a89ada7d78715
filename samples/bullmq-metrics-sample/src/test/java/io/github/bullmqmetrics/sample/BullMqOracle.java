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

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import io.github.bullmqmetrics.test.PrometheusText;
import io.github.bullmqmetrics.test.PrometheusText.Sample;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Compares a scrape with what BullMQ's own {@code exportPrometheusMetrics()} says.
 *
 * @author bullmq-metrics authors
 */
final class BullMqOracle {

	/** The series that BullMQ's own export has. */
	static final List<String> BULLMQ_METRICS = List.of("bullmq_job_count", "bullmq_job_completed_total",
			"bullmq_job_failed_total");

	private BullMqOracle() {
	}

	/**
	 * Assert that, for every queue BullMQ exported, the scrape has exactly BullMQ's
	 * series: the same names, labels and values, no more and no fewer.
	 * @param scrape our samples
	 * @param exports BullMQ's export per queue name
	 */
	static void assertSameAsBullMq(List<Sample> scrape, Map<String, String> exports) {
		exports.forEach((queue, export) -> {
			Set<Sample> expected = new HashSet<>(PrometheusText.parse(export));
			Set<Sample> actual = scrape.stream()
				.filter((sample) -> BULLMQ_METRICS.contains(sample.name()))
				.filter((sample) -> queue.equals(sample.label("queue")))
				.collect(Collectors.toSet());
			assertThat(expected).as("BullMQ's export of %s", queue).isNotEmpty();
			assertThat(actual).as("queue %s", queue).isEqualTo(expected);
		});
	}

}
