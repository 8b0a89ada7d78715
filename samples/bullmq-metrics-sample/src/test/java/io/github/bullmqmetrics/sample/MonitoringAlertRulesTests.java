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

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.github.bullmqmetrics.sample.MonitoringFiles.AlertRule;
import io.github.bullmqmetrics.test.Promtool;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shipped alert rules: valid for promtool, unit-tested by promtool, and shaped as the
 * README promises (fixed names, severities, annotations with the queue and the number,
 * runbooks, deduplicated replicas).
 *
 * @author bullmq-metrics authors
 */
class MonitoringAlertRulesTests {

	@Test
	void promtoolAcceptsTheShippedRuleFiles() {
		Promtool.Result result = Promtool.checkRules(MonitoringFiles.ruleFiles());
		assertThat(result.passed()).as(result.output()).isTrue();
	}

	@Test
	void promtoolUnitTestsOfTheAlertsPass() {
		List<Path> tests = MonitoringFiles.unitTests();
		assertThat(tests).isNotEmpty();
		Promtool.Result result = Promtool.testRules(tests);
		assertThat(result.passed()).as(result.output()).isTrue();
		assertThat(result.output()).doesNotContain("FAILED").contains("SUCCESS");
	}

	@Test
	void everyAlertHasAPromtoolUnitTestInWhichItFires() {
		String tests = String.join("\n", MonitoringFiles.unitTests().stream().map(MonitoringFiles::read).toList());
		for (String name : MonitoringFiles.ALERT_NAMES) {
			Pattern firing = Pattern.compile("alertname: " + name + "\\s*\\n\\s*exp_alerts:\\s*\\n\\s*- exp_labels:");
			assertThat(firing.matcher(tests).find()).as("a promtool test in which %s fires", name).isTrue();
		}
	}

	@Test
	void theAlertsAreTheOnesPeopleRouteOn() {
		assertThat(MonitoringFiles.alertRules()).extracting(AlertRule::name)
			.containsExactlyElementsOf(MonitoringFiles.ALERT_NAMES);
	}

	@Test
	void everyAlertHasASeverityAndAnnotationsThatNameTheQueueAndTheNumber() {
		for (AlertRule alert : MonitoringFiles.alertRules()) {
			assertThat(alert.labels()).as(alert.name()).containsOnlyKeys("severity");
			assertThat(alert.labels().get("severity")).as(alert.name()).isIn("warning", "critical");
			assertThat(alert.annotations()).as(alert.name()).containsOnlyKeys("summary", "description", "runbook_url");
			assertThat(alert.annotations().get("description")).as(alert.name()).contains("$value");
			if (alert.queueLevel()) {
				assertThat(alert.annotations().get("summary")).as(alert.name()).contains("$labels.queue");
				assertThat(alert.annotations().get("description")).as(alert.name()).contains("$labels.queue");
			}
			else {
				assertThat(alert.annotations().get("summary")).as(alert.name()).contains("$labels.job");
			}
		}
	}

	@Test
	void everyAlertLinksItsRunbookInTheReadmeByAnAbsoluteUrl() {
		String readme = MonitoringFiles.read(MonitoringFiles.readme());
		for (AlertRule alert : MonitoringFiles.alertRules()) {
			assertThat(alert.annotations().get("runbook_url")).as(alert.name())
				.isEqualTo(MonitoringFiles.RUNBOOK_BASE + alert.name().toLowerCase(Locale.ROOT));
			assertThat(readme).as("the runbook of %s", alert.name()).contains("\n### " + alert.name() + "\n");
		}
	}

	@Test
	void everyAlertDeduplicatesReplicasAndKeepsTheQueueAndTheUsersTags() {
		for (AlertRule alert : MonitoringFiles.alertRules()) {
			assertThat(alert.expr()).as(alert.name()).contains(MonitoringFiles.DEDUPLICATION);
			// "by (...)" would drop the user's tags (env and so on), which people route
			// on.
			assertThat(alert.expr()).as(alert.name()).doesNotContain(" by (", " by(", "without (queue", "on (");
		}
	}

	@Test
	void everyAlertEndsWithItsThresholdSoThatItIsEasyToFindAndChange() {
		for (AlertRule alert : MonitoringFiles.alertRules()) {
			assertThat(alert.innerExpression()).as(alert.name()).isNotBlank().isNotEqualTo(alert.expr());
		}
	}

}
