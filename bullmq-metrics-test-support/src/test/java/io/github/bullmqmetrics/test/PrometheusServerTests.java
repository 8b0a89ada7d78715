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

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Tests for {@link PrometheusServer}: a real Prometheus that scrapes itself.
 *
 * @author bullmq-metrics authors
 */
class PrometheusServerTests {

	@Test
	void startsOnLoopbackScrapesQueriesReloadsAndStopsByPid() throws Exception {
		PrometheusServer.assumeAvailable();
		Path rules = Files.createTempFile("bullmq-test-rules-", ".yml");
		try {
			Files.writeString(rules, """
					groups:
					  - name: test
					    rules:
					      - alert: AlwaysFiring
					        expr: vector(1)
					        labels:
					          severity: none
					""");
			PrometheusServer prometheus = PrometheusServer.start(config(null, List.of()));
			long pid = prometheus.pid();
			try {
				assertThat(prometheus.url()).startsWith("http://127.0.0.1:");
				assertThat(prometheus.rules()).isEmpty();
				String self = prometheus.url().substring("http://".length());
				prometheus.reload(config(self, List.of(rules)));
				assertThat(prometheus.rules()).singleElement()
					.satisfies((rule) -> assertThat(rule.name()).isEqualTo("AlwaysFiring"));
				Await.until(Duration.ofSeconds(20), () -> prometheus.query("up{job=\"self\"} == 1").size() == 1,
						"Prometheus to scrape itself");
				assertThat(prometheus.labelValues("up", "job")).containsExactly("self");
				assertThat(prometheus.query("scalar(vector(2))")).singleElement()
					.satisfies((series) -> assertThat(series.value()).isEqualTo(2.0));
				assertThatIllegalStateException().isThrownBy(() -> prometheus.query("sum("))
					.withMessageContaining("bad_data");
				Await.until(Duration.ofSeconds(20),
						() -> prometheus.alerts()
							.stream()
							.anyMatch((alert) -> alert.name().equals("AlwaysFiring") && alert.state().equals("firing")),
						"the alert to fire");
			}
			finally {
				prometheus.close();
			}
			assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
			assertThat(prometheus.directory()).doesNotExist();
		}
		finally {
			Files.deleteIfExists(rules);
		}
	}

	private static String config(String self, List<Path> ruleFiles) {
		StringBuilder config = new StringBuilder("""
				global:
				  scrape_interval: 1s
				  evaluation_interval: 1s
				rule_files:
				""");
		ruleFiles.forEach((file) -> config.append("  - ").append(file).append('\n'));
		if (self != null) {
			config.append("scrape_configs:\n  - job_name: self\n    static_configs:\n      - targets: ['")
				.append(self)
				.append("']\n");
		}
		return config.toString();
	}

}
