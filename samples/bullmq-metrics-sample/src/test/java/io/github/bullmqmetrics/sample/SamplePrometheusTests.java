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

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestInstance.Lifecycle;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

import io.github.bullmqmetrics.sample.MonitoringFiles.AlertRule;
import io.github.bullmqmetrics.sample.MonitoringFiles.LabelValues;
import io.github.bullmqmetrics.test.Await;
import io.github.bullmqmetrics.test.BullMq;
import io.github.bullmqmetrics.test.BullMq.Drain;
import io.github.bullmqmetrics.test.BullMq.QueueSpec;
import io.github.bullmqmetrics.test.BullMq.Version;
import io.github.bullmqmetrics.test.BullMq.WorkerSpec;
import io.github.bullmqmetrics.test.BullMq.Workers;
import io.github.bullmqmetrics.test.PrometheusServer;
import io.github.bullmqmetrics.test.PrometheusServer.Alert;
import io.github.bullmqmetrics.test.PrometheusServer.Rule;
import io.github.bullmqmetrics.test.PrometheusServer.Series;
import io.github.bullmqmetrics.test.Promtool;
import io.github.bullmqmetrics.test.RedisServer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The monitoring bundle against a real Prometheus: it scrapes two replicas of the sample
 * every second, on real BullMQ data and real Workers, loads the shipped rule files, and
 * answers every dashboard query and every alert's inner expression. Then the scenarios,
 * on a copy of the alerts whose {@code for:} is a few seconds: workers stopped while jobs
 * wait fires {@code BullMQNoWorkers}, Redis stopped fires {@code BullMQExporterDown},
 * each once for both replicas; Redis back resolves {@code BullMQExporterDown}, and
 * workers back resolve {@code BullMQNoWorkers}.
 * <p>
 * The methods run in order on one set-up; the scenarios come last because they change it.
 * Everything started here runs on 127.0.0.1 and is stopped by its pid.
 *
 * @author bullmq-metrics authors
 */
@TestInstance(Lifecycle.PER_CLASS)
@TestMethodOrder(OrderAnnotation.class)
class SamplePrometheusTests {

	private static final String JOB = "bullmq";

	/**
	 * Well below the scrape timeout of 1 s: a scrape during an outage must still answer
	 * in time, or Prometheus stores up 0 and no bullmq series at all.
	 */
	private static final String METRICS_TIMEOUT = "250ms";

	/** The for: of every alert in the scenarios' copy of the rules. */
	private static final String SCENARIO_FOR = "3s";

	private static final Duration QUERY_TIMEOUT = Duration.ofSeconds(40);

	private static final Duration ALERT_TIMEOUT = Duration.ofSeconds(40);

	private final long start = System.nanoTime();

	private final Map<String, Alert> watchedAlerts = new ConcurrentHashMap<>();

	private RedisServer redis;

	private Workers workers;

	private final List<RunningSample> replicas = new ArrayList<>();

	private PrometheusServer prometheus;

	private Thread alertWatcher;

	@BeforeAll
	void startRedisWithBullMqDataTwoReplicasOfTheSampleAndPrometheus() {
		PrometheusServer.assumeAvailable();
		Promtool.assumeAvailable();
		// Persisted, so that Redis comes back from the outage scenario with its queues.
		this.redis = RedisServer.startLocal("--appendonly", "yes");
		BullMq.seed(this.redis.url(), Version.V6, "bull", List.of(QueueSpec.everyState("reports").withPaused(true)));
		// A queue whose data cannot be read: its per-queue error counter grows.
		this.redis.commands().set("bull:broken:wait", "not a list");
		this.workers = BullMq.workers(this.redis.url(), Version.V6, "bull", List.of("orders"),
				List.of(WorkerSpec.unnamed("orders")), List.of());
		// One after the other: Spring Boot initializes the JVM's one logging system as an
		// application starts, and two starting at once can break each other's
		// (a ConcurrentModificationException in Logback's properties, seen in CI).
		for (int i = 0; i < 2; i++) {
			this.replicas.add(RunningSample.start(this.redis, List.of("orders", "reports", "broken"),
					"--bullmq.metrics.cache-ttl=0s", "--bullmq.metrics.timeout=" + METRICS_TIMEOUT,
					"--bullmq.metrics.durations.interval=1s", "--bullmq.metrics.tags.env=test"));
		}
		this.prometheus = PrometheusServer.start(config(MonitoringFiles.ruleFiles()));
		log("Prometheus " + this.prometheus.url() + " (pid " + this.prometheus.pid() + ") scrapes "
				+ this.replicas.stream().map((replica) -> "127.0.0.1:" + replica.port()).toList());
		awaitQuery("sum(bullmq_exporter_up{job=\"" + JOB + "\"}) == 2", "both replicas to read Redis");
		awaitQuery("bullmq_job_count{queue=\"orders\", state=\"waiting\"}", "a sample of the queue orders");
		// Real jobs finished by a real Worker with BullMQ's metrics on, after the first
		// scrape, so that rates and the durations histograms move.
		try (Drain drain = BullMq.drain(this.redis.url(), Version.V6, "bull", "orders", 40, 4)) {
			drain.await(BullMq.TIMEOUT);
		}
		awaitQuery("bullmq_job_durations_observed_total{queue=\"orders\", outcome=\"completed\"} > 0",
				"the durations of the drained jobs");
		this.alertWatcher = new Thread(this::watchAlerts, "prometheus-alert-watcher");
		this.alertWatcher.setDaemon(true);
		this.alertWatcher.start();
	}

	@AfterAll
	void stopEverythingThisTestStarted() {
		if (this.alertWatcher != null) {
			this.alertWatcher.interrupt();
		}
		List<AutoCloseable> started = new ArrayList<>();
		started.add(this.prometheus);
		started.addAll(this.replicas);
		started.add(this.workers);
		started.add(this.redis);
		for (AutoCloseable closeable : started) {
			try {
				if (closeable != null) {
					closeable.close();
				}
			}
			catch (Exception ex) {
				log("Could not stop " + closeable + ": " + ex);
			}
		}
		log("Done in " + elapsed());
	}

	@Test
	@Order(1)
	void promtoolAcceptsTheConfigurationAndTheShippedRuleFiles() {
		Promtool.Result config = Promtool.checkConfig(this.prometheus.directory().resolve("prometheus.yml"));
		assertThat(config.passed()).as(config.output()).isTrue();
		Promtool.Result rules = Promtool.checkRules(MonitoringFiles.ruleFiles());
		assertThat(rules.passed()).as(rules.output()).isTrue();
		log(config.output().strip().replace("\n", " | "));
	}

	@Test
	@Order(2)
	void theShippedRuleFilesAreLoadedAsTheyAreAndEvaluateWithoutErrors() {
		List<String> shipped = MonitoringFiles.ruleFiles().stream().map(Path::toString).toList();
		List<Rule> rules = Await.until(QUERY_TIMEOUT, this.prometheus::rules,
				(loaded) -> !loaded.isEmpty() && loaded.stream().allMatch((rule) -> rule.health().equals("ok")),
				"every rule to be evaluated without error");
		assertThat(rules).extracting(Rule::file).allSatisfy((file) -> assertThat(shipped).contains(file));
		assertThat(rules).filteredOn((rule) -> rule.type().equals("alerting"))
			.extracting(Rule::name)
			.containsExactlyElementsOf(MonitoringFiles.ALERT_NAMES);
		assertThat(rules).extracting(Rule::lastError).containsOnly("");
		log(rules.size() + " rules loaded from " + shipped + ", all evaluated with health ok");
	}

	@Test
	@Order(3)
	void everyDashboardQueryAndVariableReturnsSeries() {
		JsonNode dashboard = MonitoringFiles.dashboard();
		List<String> expressions = MonitoringFiles.expressions(dashboard)
			.stream()
			.map(MonitoringFiles::substitute)
			.distinct()
			.toList();
		Map<String, List<Series>> results = awaitSeries(expressions);
		results.forEach((expression, series) -> log(series.size() + " series: " + oneLine(expression)));
		assertThat(results).allSatisfy((expression, series) -> assertThat(series).as(expression).isNotEmpty());
		Map<String, LabelValues> variables = MonitoringFiles.variableQueries(dashboard);
		for (Map.Entry<String, LabelValues> variable : variables.entrySet()) {
			LabelValues query = variable.getValue();
			List<String> values = this.prometheus.labelValues(MonitoringFiles.substitute(query.selector()),
					query.label());
			log("$" + variable.getKey() + " = " + values);
			assertThat(values).as(variable.getKey()).isNotEmpty();
		}
		assertThat(this.prometheus.labelValues("bullmq_job_count", "queue")).contains("orders", "reports");
	}

	@Test
	@Order(4)
	void everyRecordingRuleAndTheInnerExpressionOfEveryAlertReturnSeries() {
		List<String> expressions = new ArrayList<>(MonitoringFiles.recordingRules().keySet());
		List<AlertRule> alerts = MonitoringFiles.alertRules();
		alerts.forEach((alert) -> expressions.add(alert.innerExpression()));
		Map<String, List<Series>> results = awaitSeries(expressions);
		for (AlertRule alert : alerts) {
			List<Series> series = results.get(alert.innerExpression());
			log(alert.name() + ": " + series.size() + " series, e.g. " + (series.isEmpty() ? "-" : series.get(0)));
		}
		assertThat(results).allSatisfy((expression, series) -> assertThat(series).as(expression).isNotEmpty());
	}

	@Test
	@Order(5)
	void noWorkersAndExporterDownFireOnceForBothReplicasAndResolveWhenRedisAndWorkersAreBack() throws Exception {
		String fast = MonitoringFiles.withForRewritten(MonitoringFiles.read(MonitoringFiles.alertsFile()),
				SCENARIO_FOR);
		assertOnlyForChanged(MonitoringFiles.read(MonitoringFiles.alertsFile()), fast);
		Path copy = Files.writeString(this.prometheus.directory().resolve("bullmq-alerts-for-" + SCENARIO_FOR + ".yml"),
				fast);
		List<Path> ruleFiles = new ArrayList<>(MonitoringFiles.ruleFiles());
		ruleFiles.replaceAll((file) -> file.equals(MonitoringFiles.alertsFile()) ? copy : file);
		this.prometheus.reload(config(ruleFiles));
		Await.until(QUERY_TIMEOUT, this.prometheus::rules,
				(rules) -> rules.stream().anyMatch((rule) -> rule.file().equals(copy.toString())),
				"the rules with for: " + SCENARIO_FOR);
		log("Reloaded with a copy of the alerts whose for: is " + SCENARIO_FOR + " (every alert starts afresh)");

		log("Scenario 1: the workers of 'orders' stop, then 3 jobs wait");
		this.workers.close(0);
		BullMq.seed(this.redis.url(), Version.V6, "bull", List.of(new QueueSpec("orders", 0, 0, 0, 3, 0, 0, 0, false)));
		Alert noWorkers = awaitAlert("BullMQNoWorkers", "orders", "firing");
		assertThat(alerts("BullMQNoWorkers", "orders")).as("one alert for both replicas").hasSize(1);
		assertThat(noWorkers.labels()).containsOnlyKeys("alertname", "severity", "queue", "job", "env")
			.containsEntry("severity", "critical")
			.containsEntry("job", JOB)
			.containsEntry("env", "test");
		assertThat(noWorkers.value()).isEqualTo(3);
		assertThat(noWorkers.annotations().get("summary"))
			.isEqualTo("BullMQ queue orders has 3 jobs ready and no worker");
		assertThat(noWorkers.annotations().get("runbook_url"))
			.isEqualTo(MonitoringFiles.RUNBOOK_BASE + "bullmqnoworkers");

		log("Scenario 2: Redis stops");
		this.workers.close();
		this.workers = null;
		this.redis.stop();
		Alert down = awaitAlert("BullMQExporterDown", null, "firing");
		assertThat(alerts("BullMQExporterDown", null)).as("one alert for both replicas").hasSize(1);
		assertThat(down.labels()).containsOnlyKeys("alertname", "severity", "job", "env")
			.containsEntry("severity", "critical");
		assertThat(down.value()).as("replicas that cannot read Redis").isEqualTo(2);
		assertThat(this.prometheus.targetHealth().values()).as("scrapes still answer in time").containsOnly("up");

		log("Scenario 3: Redis comes back; the workers of 'orders' do not yet");
		this.redis.restart();
		awaitResolved("BullMQExporterDown", null);
		// Its jobs were unknown (NaN) while Redis was down; known again, they still wait.
		awaitAlert("BullMQNoWorkers", "orders", "firing");

		log("Scenario 4: the workers of 'orders' come back");
		this.workers = BullMq.workers(this.redis.url(), Version.V6, "bull", List.of("orders"),
				List.of(WorkerSpec.unnamed("orders")), List.of());
		awaitResolved("BullMQNoWorkers", "orders");
		assertThat(alerts("BullMQExporterDown", null)).isEmpty();
		assertThat(alerts("BullMQNoWorkers", "orders")).isEmpty();
		// The seeded paused queue and the unreadable one fire their alerts too.
		awaitAlert("BullMQQueuePaused", "reports", "firing");
		awaitAlert("BullMQQueueReadErrors", "broken", "firing");
	}

	private void assertOnlyForChanged(String shipped, String copy) {
		List<String> shippedLines = shipped.lines().toList();
		List<String> copyLines = copy.lines().toList();
		assertThat(copyLines).hasSameSizeAs(shippedLines);
		int changed = 0;
		for (int i = 0; i < shippedLines.size(); i++) {
			if (!shippedLines.get(i).equals(copyLines.get(i))) {
				assertThat(shippedLines.get(i).strip()).startsWith("for:");
				assertThat(copyLines.get(i).strip()).isEqualTo("for: " + SCENARIO_FOR);
				changed++;
			}
		}
		assertThat(changed).isPositive();
	}

	private String config(List<Path> ruleFiles) {
		StringBuilder config = new StringBuilder("""
				global:
				  scrape_interval: 1s
				  scrape_timeout: 1s
				  evaluation_interval: 1s
				rule_files:
				""");
		ruleFiles.forEach((file) -> config.append("  - ").append(file).append('\n'));
		config.append("scrape_configs:\n  - job_name: ")
			.append(JOB)
			.append("\n    metrics_path: /actuator/prometheus\n    static_configs:\n");
		for (int i = 0; i < this.replicas.size(); i++) {
			config.append("      - targets: ['127.0.0.1:")
				.append(this.replicas.get(i).port())
				.append("']\n        labels:\n          pod: app-")
				.append(i + 1)
				.append('\n');
		}
		return config.toString();
	}

	private void awaitQuery(String promql, String description) {
		Await.until(QUERY_TIMEOUT, () -> this.prometheus.query(promql), (series) -> !series.isEmpty(), description);
	}

	/**
	 * Query each expression until it returns series, or the time is up: rates and
	 * derivatives need a few samples.
	 */
	private Map<String, List<Series>> awaitSeries(Collection<String> expressions) {
		Map<String, List<Series>> results = new LinkedHashMap<>();
		long deadline = System.nanoTime() + QUERY_TIMEOUT.toNanos();
		while (true) {
			expressions.forEach((expression) -> results.compute(expression,
					(key, last) -> (last == null || last.isEmpty()) ? this.prometheus.query(expression) : last));
			if (results.values().stream().noneMatch(List::isEmpty) || System.nanoTime() > deadline) {
				return results;
			}
			Await.pause(Duration.ofMillis(500));
		}
	}

	private List<Alert> alerts(String name, String queue) {
		Predicate<Alert> matches = (alert) -> alert.name().equals(name)
				&& (queue == null || queue.equals(alert.labels().get("queue")));
		return this.prometheus.alerts().stream().filter(matches).toList();
	}

	/**
	 * Wait until the alert watcher has seen an alert in a state (so that the log shows it
	 * first), and return it.
	 */
	private Alert awaitAlert(String name, String queue, String state) {
		return Await.until(ALERT_TIMEOUT,
				() -> watched(name, queue).filter((alert) -> alert.state().equals(state)).findFirst().orElse(null),
				(alert) -> alert != null, name + ((queue != null) ? " of " + queue : "") + " to be " + state);
	}

	private void awaitResolved(String name, String queue) {
		Await.until(ALERT_TIMEOUT, () -> watched(name, queue).findAny().isEmpty(),
				name + ((queue != null) ? " of " + queue : "") + " to resolve");
	}

	private Stream<Alert> watched(String name, String queue) {
		return this.watchedAlerts.values()
			.stream()
			.filter((alert) -> alert.name().equals(name)
					&& (queue == null || queue.equals(alert.labels().get("queue"))));
	}

	/**
	 * Log every change of every alert's state, as /api/v1/alerts shows it.
	 */
	private void watchAlerts() {
		while (!Thread.currentThread().isInterrupted()) {
			try {
				Map<String, Alert> now = new TreeMap<>();
				this.prometheus.alerts().forEach((alert) -> now.put(key(alert), alert));
				now.forEach((key, alert) -> {
					Alert before = this.watchedAlerts.put(key, alert);
					if (before == null || !before.state().equals(alert.state())) {
						log(key + " " + alert.state() + " (value " + format(alert.value()) + ")");
					}
				});
				for (String key : List.copyOf(this.watchedAlerts.keySet())) {
					if (!now.containsKey(key)) {
						this.watchedAlerts.remove(key);
						log(key + " resolved");
					}
				}
			}
			catch (RuntimeException ex) {
				// Prometheus is stopping; the next round tells.
			}
			Await.pause(Duration.ofMillis(200));
		}
	}

	private static String key(Alert alert) {
		Map<String, String> labels = new TreeMap<>(alert.labels());
		labels.remove("alertname");
		labels.remove("severity");
		StringBuilder key = new StringBuilder(alert.name()).append('{');
		labels.forEach((name, value) -> key.append(name).append("=\"").append(value).append("\","));
		if (!labels.isEmpty()) {
			key.setLength(key.length() - 1);
		}
		return key.append('}').toString();
	}

	private static String format(double value) {
		return String.format(Locale.ROOT, "%.3g", value);
	}

	private static String oneLine(String expression) {
		return expression.replaceAll("\\s+", " ");
	}

	private String elapsed() {
		return String.format(Locale.ROOT, "%.1fs", (System.nanoTime() - this.start) / 1e9);
	}

	private void log(String message) {
		System.out.println("[prometheus-test " + elapsed() + "] " + message);
	}

}
