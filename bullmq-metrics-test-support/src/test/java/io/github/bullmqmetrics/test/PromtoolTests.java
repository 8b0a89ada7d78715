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

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link Promtool}.
 *
 * @author bullmq-metrics authors
 */
class PromtoolTests {

	private static final String ONE_QUEUE = """
			# HELP bullmq_job_count Number of jobs in the queue by state
			# TYPE bullmq_job_count gauge
			bullmq_job_count{queue="a", state="waiting"} 1""";

	@BeforeEach
	void promtoolIsAvailable() {
		Promtool.assumeAvailable();
	}

	@Test
	void acceptsValidText() {
		Promtool.Result result = Promtool.checkMetrics("""
				# HELP bullmq_jobs Jobs by state
				# TYPE bullmq_jobs gauge
				bullmq_jobs{queue="a", state="waiting"} 1
				""");
		assertThat(result.passed()).as(result.output()).isTrue();
		assertThat(result.parsed()).isTrue();
	}

	@Test
	void parsesBullMqsGaugeNameButLintsItsCountSuffix() {
		Promtool.Result result = Promtool.checkMetrics(ONE_QUEUE + "\n");
		assertThat(result.exitCode()).isEqualTo(3);
		assertThat(result.parsed()).isTrue();
		assertThat(result.passed()).isFalse();
		assertThat(result.output()).contains("should not have \"_count\" suffix");
	}

	@Test
	void rejectsTextWithoutAFinalNewlineAsBullMqWritesIt() {
		Promtool.Result result = Promtool.checkMetrics(ONE_QUEUE);
		assertThat(result.exitCode()).isEqualTo(1);
		assertThat(result.parsed()).isFalse();
		assertThat(result.output()).contains("unexpected end of input stream");
	}

	@Test
	void rejectsConcatenatedExportsWithRepeatedHelp() {
		Promtool.Result result = Promtool.checkMetrics(ONE_QUEUE + "\n" + ONE_QUEUE.replace("\"a\"", "\"b\"") + "\n");
		assertThat(result.exitCode()).isEqualTo(1);
		assertThat(result.output()).contains("second HELP line");
	}

	@Test
	void checksRuleFilesAndConfigurationsAndRunsRuleUnitTests(@TempDir Path directory) throws IOException {
		Path rules = Files.writeString(directory.resolve("rules.yml"), """
				groups:
				  - name: test
				    rules:
				      - alert: QueueDown
				        expr: bullmq_exporter_up == 0
				        for: 1m
				""");
		Path broken = Files.writeString(directory.resolve("broken.yml"), """
				groups:
				  - name: test
				    rules:
				      - alert: Broken
				        expr: sum(
				""");
		Path config = Files.writeString(directory.resolve("prometheus.yml"), "rule_files:\n  - rules.yml\n");
		Path test = Files.writeString(directory.resolve("test.yml"), """
				rule_files:
				  - rules.yml
				tests:
				  - interval: 1m
				    input_series:
				      - series: 'bullmq_exporter_up{job="a"}'
				        values: '0x5'
				    alert_rule_test:
				      - eval_time: 3m
				        alertname: QueueDown
				        exp_alerts:
				          - exp_labels:
				              job: a
				""");
		assertThat(Promtool.checkRules(List.of(rules)).passed()).isTrue();
		Promtool.Result brokenResult = Promtool.checkRules(List.of(broken));
		assertThat(brokenResult.passed()).isFalse();
		assertThat(brokenResult.output()).contains("parse error");
		Promtool.Result configResult = Promtool.checkConfig(config);
		assertThat(configResult.passed()).as(configResult.output()).isTrue();
		Promtool.Result testResult = Promtool.testRules(List.of(test));
		assertThat(testResult.passed()).as(testResult.output()).isTrue();
		Files.writeString(test, Files.readString(test).replace("job: a", "job: b"));
		assertThat(Promtool.testRules(List.of(test)).passed()).isFalse();
	}

}
