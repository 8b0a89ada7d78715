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

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shape of the shipped Grafana dashboard: importable JSON in a current schema, unique
 * panel ids, every query on the datasource variable, no real datasource's uid, the
 * variables and rows the README describes, and replicas deduplicated as the alerts do.
 *
 * @author bullmq-metrics authors
 */
class GrafanaDashboardTests {

	private static final String DATASOURCE = "${datasource}";

	private final JsonNode dashboard = MonitoringFiles.dashboard();

	@Test
	void isOneImportableDashboardInTheSchemaOfACurrentGrafana() {
		assertThat(this.dashboard.isObject()).isTrue();
		// 41 is the schema of Grafana 12.0; Grafana migrates anything older on import.
		assertThat(this.dashboard.required("schemaVersion").asInt()).isGreaterThanOrEqualTo(41);
		assertThat(this.dashboard.required("title").asString()).isEqualTo("BullMQ");
		assertThat(this.dashboard.required("uid").asString()).isEqualTo("bullmq-metrics");
		// Set by the Grafana that stores it; an exported id would clash on import.
		assertThat(this.dashboard.required("id").isNull()).isTrue();
		assertThat(this.dashboard.has("__inputs")).as("import-time inputs instead of a datasource variable").isFalse();
		assertThat(this.dashboard.required("panels")).isNotEmpty();
	}

	@Test
	void everyPanelHasAUniqueId() {
		List<Integer> ids = MonitoringFiles.panels(this.dashboard)
			.stream()
			.map((panel) -> panel.required("id").asInt())
			.toList();
		assertThat(ids).doesNotHaveDuplicates();
	}

	@Test
	void everyPanelAndTargetQueriesTheDatasourceVariable() {
		for (JsonNode panel : MonitoringFiles.panels(this.dashboard)) {
			String title = panel.required("title").asString();
			if (panel.required("type").asString().equals("row")) {
				continue;
			}
			assertThat(panel.required("datasource").required("uid").asString()).as(title).isEqualTo(DATASOURCE);
			assertThat(panel.required("targets")).as(title).isNotEmpty();
			for (JsonNode target : panel.required("targets")) {
				assertThat(target.required("datasource").required("type").asString()).as(title).isEqualTo("prometheus");
				assertThat(target.required("datasource").required("uid").asString()).as(title).isEqualTo(DATASOURCE);
				assertThat(target.required("expr").asString()).as(title).isNotBlank();
			}
		}
	}

	@Test
	void namesNoRealDatasource() {
		List<String> references = new ArrayList<>();
		// The dashboard's own uid aside, every uid is a datasource's.
		this.dashboard.properties()
			.stream()
			.filter((property) -> !property.getKey().equals("uid"))
			.forEach((property) -> collectDatasources(property.getValue(), references));
		assertThat(references).isNotEmpty().containsOnly(DATASOURCE);
	}

	private static void collectDatasources(JsonNode node, List<String> references) {
		if (node.isArray()) {
			node.forEach((element) -> collectDatasources(element, references));
		}
		for (Map.Entry<String, JsonNode> property : node.properties()) {
			JsonNode value = property.getValue();
			if (property.getKey().equals("uid") || (property.getKey().equals("datasource") && value.isString())) {
				// A datasource's uid, or the datasource name of an old dashboard.
				references.add(value.asString());
			}
			collectDatasources(value, references);
		}
	}

	@Test
	void hasTheVariablesDatasourceJobInstanceTagsAndQueue() {
		JsonNode variables = this.dashboard.required("templating").required("list");
		assertThat(variables).extracting((variable) -> variable.required("name").asString())
			.containsExactly("datasource", "job", "instance", "tags", "queue");
		JsonNode datasource = variables.get(0);
		assertThat(datasource.required("type").asString()).isEqualTo("datasource");
		assertThat(datasource.required("query").asString()).isEqualTo("prometheus");
		// The user's own tags (bullmq.metrics.tags) have names only they know: ad hoc
		// filters.
		assertThat(variables.get(3).required("type").asString()).isEqualTo("adhoc");
		for (int i : new int[] { 1, 2, 4 }) {
			JsonNode variable = variables.get(i);
			String name = variable.required("name").asString();
			assertThat(variable.required("type").asString()).as(name).isEqualTo("query");
			assertThat(variable.required("multi").asBoolean()).as(name).isTrue();
			assertThat(variable.required("includeAll").asBoolean()).as(name).isTrue();
			assertThat(variable.required("current").required("value").get(0).asString()).as(name).isEqualTo("$__all");
		}
		assertThat(MonitoringFiles.variableQueries(this.dashboard)).containsOnlyKeys("job", "instance", "queue");
	}

	@Test
	void hasTheRowsOverviewPerQueueDurationsAndExporter() {
		assertThat(MonitoringFiles.panels(this.dashboard))
			.filteredOn((panel) -> panel.required("type").asString().equals("row"))
			.extracting((panel) -> panel.required("title").asString())
			.containsExactly("Overview", "Per queue", "Durations", "Exporter");
		assertThat(MonitoringFiles.panels(this.dashboard))
			.filteredOn((panel) -> panel.required("type").asString().equals("heatmap"))
			.isNotEmpty();
	}

	@Test
	void everyQueueQueryDeduplicatesReplicasAsTheAlertsDoAndFollowsTheVariables() {
		for (String expression : MonitoringFiles.expressions(this.dashboard)) {
			if (expression.contains("bullmq_job_") || expression.contains("bullmq_queue_")) {
				assertThat(expression).contains("max " + MonitoringFiles.DEDUPLICATION)
					.contains("queue=~\"$queue\"")
					.doesNotContain(" by (queue");
			}
			assertThat(expression).contains("job=~\"$job\"", "instance=~\"$instance\"");
			assertThat(MonitoringFiles.substitute(expression)).doesNotContain("$");
		}
	}

}
