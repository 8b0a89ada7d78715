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

import java.util.List;
import java.util.Map;

import io.github.bullmqmetrics.test.PrometheusText.Sample;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.entry;

/**
 * Tests for {@link PrometheusText}.
 *
 * @author bullmq-metrics authors
 */
class PrometheusTextTests {

	private static final String HOSTILE = "q \"quoted\" back\\slash\nnew line 😀 a,b=c}{x\\";

	@Test
	void parsesBullMqStyleTextWithoutFinalNewline() {
		String text = """
				# HELP bullmq_job_count Number of jobs in the queue by state
				# TYPE bullmq_job_count gauge
				bullmq_job_count{queue="mail", state="active"} 2
				bullmq_job_count{queue="mail", state="waiting"} 5
				# HELP bullmq_job_completed_total Total number of completed jobs
				# TYPE bullmq_job_completed_total counter
				bullmq_job_completed_total{queue="mail"} 3""";
		assertThat(PrometheusText.parse(text)).containsExactly(
				new Sample("bullmq_job_count", Map.of("queue", "mail", "state", "active"), 2),
				new Sample("bullmq_job_count", Map.of("queue", "mail", "state", "waiting"), 5),
				new Sample("bullmq_job_completed_total", Map.of("queue", "mail"), 3));
	}

	@Test
	void keepsLabelsInTheOrderWritten() {
		Sample sample = PrometheusText.parse("m{z=\"1\",a=\"2\",m=\"3\"} 1\n").get(0);
		assertThat(sample.labels().keySet()).containsExactly("z", "a", "m");
		assertThat(sample.label("a")).isEqualTo("2");
		assertThat(sample.label("missing")).isNull();
	}

	@Test
	void unescapesLabelValues() {
		Sample sample = PrometheusText.parse("m{v=\"a\\\\b\\\"c\\nd\"} 1").get(0);
		assertThat(sample.label("v")).isEqualTo("a\\b\"c\nd");
	}

	@Test
	void roundTripsAHostileQueueName() {
		String text = "bullmq_job_count{queue=\"" + PrometheusText.escapeLabelValue(HOSTILE)
				+ "\", state=\"waiting\"} 4\n";
		Sample sample = PrometheusText.parse(text).get(0);
		assertThat(sample.label("queue")).isEqualTo(HOSTILE);
		assertThat(sample.label("state")).isEqualTo("waiting");
		assertThat(sample.value()).isEqualTo(4);
	}

	@Test
	void acceptsBlanksAroundTokensAndATrailingComma() {
		Sample sample = PrometheusText.parse("  m { a = \"1\" ,\tb=\"2\", }   7  \n").get(0);
		assertThat(sample.labels()).containsExactly(entry("a", "1"), entry("b", "2"));
		assertThat(sample.value()).isEqualTo(7);
	}

	@Test
	void parsesSpecialValuesNumbersAndTimestamps() {
		List<Sample> samples = PrometheusText.parse("""
				a NaN
				b +Inf
				c -Inf
				d 1.5e3 1700000000000
				e{} -0.25 -5
				f .5
				""");
		assertThat(samples).extracting(Sample::value)
			.containsExactly(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1500.0, -0.25, 0.5);
		assertThat(samples.get(4).labels()).isEmpty();
	}

	@Test
	void ignoresCommentsAndBlankLines() {
		List<Sample> samples = PrometheusText.parse("""
				# a free comment
				#
				# HELP m Help with \\\\ and \\n escapes

				# TYPE m untyped
				m 1
				""");
		assertThat(samples).containsExactly(new Sample("m", Map.of(), 1));
	}

	@Test
	void rejectsAMissingValue() {
		assertThatIllegalArgumentException().isThrownBy(() -> PrometheusText.parse("m{a=\"1\"}"))
			.withMessageContaining("line 1");
		assertThatIllegalArgumentException().isThrownBy(() -> PrometheusText.parse("ok 1\nm\n"))
			.withMessageContaining("line 2")
			.withMessageContaining("missing value");
	}

	@Test
	void rejectsInvalidValuesAndTimestamps() {
		assertThatIllegalArgumentException().isThrownBy(() -> PrometheusText.parse("m one"));
		assertThatIllegalArgumentException().isThrownBy(() -> PrometheusText.parse("m 0x10"));
		assertThatIllegalArgumentException().isThrownBy(() -> PrometheusText.parse("m 1 1.5"));
		assertThatIllegalArgumentException().isThrownBy(() -> PrometheusText.parse("m 1 2 3"));
	}

	@Test
	void rejectsBrokenLabels() {
		assertThatIllegalArgumentException().isThrownBy(() -> PrometheusText.parse("m{a=\"1} 1"))
			.withMessageContaining("unterminated");
		assertThatIllegalArgumentException().isThrownBy(() -> PrometheusText.parse("m{a=\"\\t\"} 1"))
			.withMessageContaining("invalid escape");
		assertThatIllegalArgumentException().isThrownBy(() -> PrometheusText.parse("m{a=\"1\",a=\"2\"} 1"))
			.withMessageContaining("duplicate label");
		assertThatIllegalArgumentException().isThrownBy(() -> PrometheusText.parse("m{bad-key=\"1\"} 1"))
			.withMessageContaining("expected '='");
		assertThatIllegalArgumentException().isThrownBy(() -> PrometheusText.parse("m{a=1} 1"))
			.withMessageContaining("expected '\"'");
		assertThatIllegalArgumentException().isThrownBy(() -> PrometheusText.parse("m{a=\"1\" b=\"2\"} 1"))
			.withMessageContaining("expected ',' or '}'");
	}

	@Test
	void rejectsInvalidNames() {
		assertThatIllegalArgumentException().isThrownBy(() -> PrometheusText.parse("1m 1"))
			.withMessageContaining("invalid metric name");
		assertThatIllegalArgumentException().isThrownBy(() -> PrometheusText.parse("m-x 1"));
		assertThatIllegalArgumentException().isThrownBy(() -> PrometheusText.parse("m{0a=\"1\"} 1"))
			.withMessageContaining("invalid label name");
	}

	@Test
	void rejectsRepeatedHelpAndTypeLikePrometheus() {
		String oneQueue = """
				# HELP bullmq_job_count Number of jobs in the queue by state
				# TYPE bullmq_job_count gauge
				bullmq_job_count{queue="a", state="active"} 1""";
		assertThatIllegalArgumentException().isThrownBy(() -> PrometheusText.parse(oneQueue + "\n" + oneQueue))
			.withMessageContaining("second HELP line");
		assertThatIllegalArgumentException().isThrownBy(() -> PrometheusText.parse("# TYPE m gauge\n# TYPE m gauge"))
			.withMessageContaining("second TYPE line");
		assertThatIllegalArgumentException().isThrownBy(() -> PrometheusText.parse("h_sum 1\n# TYPE h histogram"))
			.withMessageContaining("after its samples");
		assertThatIllegalArgumentException().isThrownBy(() -> PrometheusText.parse("# TYPE m gauges\nm 1"))
			.withMessageContaining("unknown metric type");
	}

}
