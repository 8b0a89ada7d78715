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

import java.util.Map;

import io.github.bullmqmetrics.test.PrometheusText.Sample;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Assertions on the {@code bullmq_job_count} samples of BullMQ's own Prometheus export.
 *
 * @author bullmq-metrics authors
 */
final class JobCountAssertions {

	private JobCountAssertions() {
	}

	/**
	 * Assert that the text has exactly one {@code bullmq_job_count} sample per expected
	 * state, each with the expected count.
	 * @param prometheusText what {@link BullMq#exportPrometheusMetrics} returned for one
	 * queue
	 * @param expected state to count, for example what {@link BullMq#seed} returned
	 * @param description what the counts show, for the failure message, for example
	 * {@code "acknowledged writes survive the failover"}
	 */
	static void assertJobCounts(String prometheusText, Map<String, Long> expected, String description) {
		assertThat(PrometheusText.parse(prometheusText))
			.filteredOn((sample) -> sample.name().equals("bullmq_job_count"))
			.allSatisfy((sample) -> assertThat(sample.value()).as("%s: %s", description, sample.label("state"))
				.isEqualTo(expected.get(sample.label("state")).doubleValue()))
			.extracting(Sample::name)
			.hasSize(expected.size());
	}

}
