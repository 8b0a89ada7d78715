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

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The monitoring bundle as shipped in {@code monitoring/}, read from disk: the alert
 * rules, the recording rules (if any), the promtool unit tests and the Grafana dashboard.
 * Tests read these files and never copy their expressions.
 *
 * @author bullmq-metrics authors
 */
final class MonitoringFiles {

	/** Where every runbook_url points, followed by the alert name in lower case. */
	static final String RUNBOOK_BASE = "https://github.com/bullmq-metrics/bullmq-metrics/blob/main/monitoring/README.md#";

	/** The alert names people route on: fixed. */
	static final List<String> ALERT_NAMES = List.of("BullMQExporterDown", "BullMQExporterStale",
			"BullMQQueueReadErrors", "BullMQNoWorkers", "BullMQHighLatency", "BullMQBacklogGrowing",
			"BullMQHighFailureRatio", "BullMQQueuePaused", "BullMQRateLimited", "BullMQDelayedOverdue");

	/** The clause that deduplicates the replicas of the application. */
	static final String DEDUPLICATION = "without (instance, pod)";

	/** The dashboard's variables as the Prometheus tests substitute them: "All". */
	static final Map<String, String> VARIABLES = Map.of("$job", ".+", "$instance", ".+", "$queue", ".+",
			"$__rate_interval", "1m");

	private static final Pattern FINAL_THRESHOLD = Pattern
		.compile("(?s)^(.*?)\\s*(==|!=|>=|<=|>|<)\\s*-?[0-9]+(\\.[0-9]+)?([eE][+-]?[0-9]+)?\\s*$");

	private static final Pattern FOR_LINE = Pattern.compile("(?m)^(\\s+for:\\s*)\\S+\\s*$");

	private static final Pattern LABEL_VALUES = Pattern
		.compile("^label_values\\((.*),\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\)$");

	private static final JsonMapper json = JsonMapper.builder().build();

	private MonitoringFiles() {
	}

	/**
	 * Return the repository's root: the first directory up from the working directory
	 * that has {@code monitoring/prometheus/bullmq-alerts.yml}.
	 * @return the root
	 */
	static Path root() {
		for (Path directory = Path.of("").toAbsolutePath(); directory != null; directory = directory.getParent()) {
			if (Files.isRegularFile(directory.resolve("monitoring/prometheus/bullmq-alerts.yml"))) {
				return directory;
			}
		}
		throw new IllegalStateException(
				"No monitoring/prometheus/bullmq-alerts.yml above " + Path.of("").toAbsolutePath());
	}

	static Path alertsFile() {
		return root().resolve("monitoring/prometheus/bullmq-alerts.yml");
	}

	/**
	 * Return the rule files that Prometheus loads: the alerts, and the recording rules
	 * when the bundle has any.
	 * @return the files
	 */
	static List<Path> ruleFiles() {
		Path recording = root().resolve("monitoring/prometheus/bullmq-rules.yml");
		return Files.isRegularFile(recording) ? List.of(recording, alertsFile()) : List.of(alertsFile());
	}

	static List<Path> unitTests() {
		try (Stream<Path> files = Files.list(root().resolve("monitoring/prometheus/tests"))) {
			return files.filter((file) -> file.toString().endsWith(".yml")).sorted().toList();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	static Path dashboardFile() {
		return root().resolve("monitoring/grafana/bullmq-dashboard.json");
	}

	static Path readme() {
		return root().resolve("monitoring/README.md");
	}

	static String read(Path file) {
		try {
			return Files.readString(file, StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Return every alerting rule of the rule files.
	 * @return the alerts, in file order
	 */
	static List<AlertRule> alertRules() {
		List<AlertRule> alerts = new ArrayList<>();
		for (Map<String, Object> rule : rules()) {
			if (rule.containsKey("alert")) {
				alerts.add(new AlertRule((String) rule.get("alert"), ((String) rule.get("expr")).strip(),
						(String) rule.get("for"), strings(rule.get("labels")), strings(rule.get("annotations"))));
			}
		}
		return alerts;
	}

	/**
	 * Return every recording rule of the rule files.
	 * @return the recorded name to its expression
	 */
	static Map<String, String> recordingRules() {
		Map<String, String> records = new LinkedHashMap<>();
		for (Map<String, Object> rule : rules()) {
			if (rule.containsKey("record")) {
				records.put((String) rule.get("record"), ((String) rule.get("expr")).strip());
			}
		}
		return records;
	}

	@SuppressWarnings("unchecked")
	private static List<Map<String, Object>> rules() {
		List<Map<String, Object>> rules = new ArrayList<>();
		for (Path file : ruleFiles()) {
			Map<String, Object> document = new Yaml().load(read(file));
			for (Map<String, Object> group : (List<Map<String, Object>>) document.get("groups")) {
				rules.addAll((List<Map<String, Object>>) group.get("rules"));
			}
		}
		return rules;
	}

	private static Map<String, String> strings(Object map) {
		Map<String, String> strings = new LinkedHashMap<>();
		if (map instanceof Map<?, ?> entries) {
			entries.forEach((key, value) -> strings.put(String.valueOf(key), String.valueOf(value)));
		}
		return strings;
	}

	/**
	 * Return the text of a rule file with every {@code for:} set to one duration, and
	 * nothing else changed, so that a test need not wait minutes for an alert to fire.
	 * @param text the rule file's text
	 * @param duration the new duration, for example {@code 3s}
	 * @return the rewritten text
	 */
	static String withForRewritten(String text, String duration) {
		return FOR_LINE.matcher(text).replaceAll((match) -> Matcher.quoteReplacement(match.group(1) + duration));
	}

	static JsonNode dashboard() {
		return json.readTree(read(dashboardFile()));
	}

	/**
	 * Return every panel of a dashboard, rows and the panels of collapsed rows included.
	 * @param dashboard the dashboard
	 * @return the panels
	 */
	static List<JsonNode> panels(JsonNode dashboard) {
		List<JsonNode> panels = new ArrayList<>();
		for (JsonNode panel : dashboard.path("panels")) {
			panels.add(panel);
			panel.path("panels").forEach(panels::add);
		}
		return panels;
	}

	/**
	 * Return the PromQL of every target of every panel.
	 * @param dashboard the dashboard
	 * @return the expressions, with the dashboard's variables in them
	 */
	static List<String> expressions(JsonNode dashboard) {
		List<String> expressions = new ArrayList<>();
		for (JsonNode panel : panels(dashboard)) {
			panel.path("targets").forEach((target) -> expressions.add(target.required("expr").asString()));
		}
		return expressions;
	}

	/**
	 * Return the {@code label_values(selector, label)} queries of the dashboard's query
	 * variables.
	 * @param dashboard the dashboard
	 * @return variable name to its selector and label
	 */
	static Map<String, LabelValues> variableQueries(JsonNode dashboard) {
		Map<String, LabelValues> queries = new LinkedHashMap<>();
		for (JsonNode variable : dashboard.path("templating").path("list")) {
			if (variable.path("type").asString("").equals("query")) {
				String definition = variable.required("definition").asString();
				Matcher matcher = LABEL_VALUES.matcher(definition.strip());
				if (!matcher.matches()) {
					throw new IllegalStateException("Not a label_values() query: " + definition);
				}
				queries.put(variable.required("name").asString(),
						new LabelValues(matcher.group(1).strip(), matcher.group(2)));
			}
		}
		return queries;
	}

	/**
	 * Replace the dashboard's variables as Grafana does when "All" is selected.
	 * @param expression an expression of the dashboard
	 * @return the PromQL that Prometheus receives
	 */
	static String substitute(String expression) {
		String substituted = expression;
		for (Map.Entry<String, String> variable : VARIABLES.entrySet()
			.stream()
			.sorted((a, b) -> b.getKey().length() - a.getKey().length())
			.toList()) {
			substituted = substituted.replace(variable.getKey(), variable.getValue());
		}
		if (substituted.contains("$")) {
			throw new IllegalStateException("A variable the test does not know in: " + expression);
		}
		return substituted;
	}

	/**
	 * One alerting rule.
	 *
	 * @param name the alert name
	 * @param expr its expression
	 * @param forDuration its {@code for:}, or {@code null}
	 * @param labels its labels
	 * @param annotations its annotations
	 */
	record AlertRule(String name, String expr, String forDuration, Map<String, String> labels,
			Map<String, String> annotations) {

		/**
		 * Return the expression without its final threshold comparison: what a healthy
		 * system still returns series for.
		 * @return the inner expression
		 * @throws IllegalStateException when the expression does not end with a
		 * comparison to a number
		 */
		String innerExpression() {
			Matcher matcher = FINAL_THRESHOLD.matcher(this.expr);
			if (!matcher.matches()) {
				throw new IllegalStateException(this.name + " does not end with its threshold: " + this.expr);
			}
			return matcher.group(1);
		}

		/**
		 * Whether the alert is about queues, not about the exporter itself.
		 * @return whether its expression reads a queue meter
		 */
		boolean queueLevel() {
			return this.expr.contains("bullmq_job_") || this.expr.contains("bullmq_queue_");
		}

	}

	/**
	 * A {@code label_values(selector, label)} variable query.
	 *
	 * @param selector the series selector, with variables
	 * @param label the label whose values it lists
	 */
	record LabelValues(String selector, String label) {

	}

}
