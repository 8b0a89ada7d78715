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
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A real Prometheus server for one test: {@code prometheus} from the {@code PATH},
 * listening on a free 127.0.0.1 port, with its configuration, its TSDB and its log in a
 * temporary directory that {@link #close()} deletes. Without {@code prometheus} the test
 * is skipped (it fails on CI, where {@code CI=true}).
 * <p>
 * Its HTTP API is wrapped just enough for tests: instant queries, label values, the
 * active alerts, the rule groups and a configuration reload.
 *
 * @author bullmq-metrics authors
 */
public final class PrometheusServer implements AutoCloseable {

	private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(30);

	private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

	private static final int PORT_ATTEMPTS = 5;

	private static final JsonMapper json = JsonMapper.builder().build();

	private final Path directory;

	private final Path config;

	private final Path log;

	private final int port;

	private final Process process;

	private final Thread shutdownHook;

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private PrometheusServer(Path directory, Path config, Path log, int port, Process process) {
		this.directory = directory;
		this.config = config;
		this.log = log;
		this.port = port;
		this.process = process;
		this.shutdownHook = new Thread(process::destroyForcibly, "prometheus-" + port + "-shutdown");
		Runtime.getRuntime().addShutdownHook(this.shutdownHook);
	}

	/**
	 * Abort the current test when {@code prometheus} is not on the {@code PATH} (fail it
	 * instead on CI, where {@code CI=true}).
	 */
	public static void assumeAvailable() {
		executable();
	}

	/**
	 * Start Prometheus with a configuration and wait until it is ready. Its
	 * {@code /-/reload} endpoint is enabled.
	 * @param configuration the text of {@code prometheus.yml}; rule files must be named
	 * by absolute paths
	 * @return the running server
	 */
	public static PrometheusServer start(String configuration) {
		Path executable = executable();
		Path directory = LocalRedisProcess.createDirectory("bullmq-prometheus-");
		try {
			Path config = directory.resolve("prometheus.yml");
			Files.writeString(config, configuration, StandardCharsets.UTF_8);
			IllegalStateException lastFailure = null;
			for (int attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
				int port = LocalRedisProcess.freePort((candidate) -> true);
				Path log = directory.resolve("prometheus-" + port + ".log");
				Process process = new ProcessBuilder(executable.toString(), "--config.file=" + config,
						"--storage.tsdb.path=" + directory.resolve("data"),
						"--web.listen-address=" + LocalRedisProcess.LOOPBACK + ":" + port, "--web.enable-lifecycle")
					.redirectErrorStream(true)
					.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
					.start();
				PrometheusServer server = new PrometheusServer(directory, config, log, port, process);
				try {
					server.awaitReady();
					return server;
				}
				catch (IllegalStateException ex) {
					server.stop();
					lastFailure = ex;
					if (!server.log().contains("address already in use")) {
						break;
					}
				}
			}
			throw lastFailure;
		}
		catch (IOException ex) {
			LocalRedisProcess.deleteRecursively(directory);
			throw new UncheckedIOException("Could not start prometheus", ex);
		}
		catch (RuntimeException | Error ex) {
			LocalRedisProcess.deleteRecursively(directory);
			throw ex;
		}
	}

	private void awaitReady() {
		LocalRedisProcess.await(STARTUP_TIMEOUT, "prometheus on port " + this.port + " to be ready", () -> {
			if (!this.process.isAlive()) {
				throw new IllegalStateException(
						"prometheus exited with code " + this.process.exitValue() + ":\n" + logTail());
			}
			HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/-/ready")).GET());
			return (response.statusCode() == 200) ? null : "answered " + response.statusCode();
		}, () -> "\n" + logTail());
		if (!this.process.isAlive()) {
			throw new IllegalStateException("prometheus exited:\n" + logTail());
		}
	}

	/**
	 * Return the base URL.
	 * @return for example {@code http://127.0.0.1:41234}
	 */
	public String url() {
		return "http://" + LocalRedisProcess.LOOPBACK + ":" + this.port;
	}

	/**
	 * Return the process id.
	 * @return the pid
	 */
	public long pid() {
		return this.process.pid();
	}

	/**
	 * Return the temporary directory, where a test may write rule files.
	 * @return the directory
	 */
	public Path directory() {
		return this.directory;
	}

	/**
	 * Run an instant query at the current time.
	 * @param promql the expression
	 * @return the series of a vector result, or one series without labels for a scalar
	 * @throws IllegalStateException with Prometheus' error when the query fails
	 */
	public List<Series> query(String promql) {
		JsonNode data = get("/api/v1/query?query=" + encode(promql));
		JsonNode result = data.required("result");
		List<Series> series = new ArrayList<>();
		if (data.required("resultType").asString().equals("scalar")) {
			series.add(new Series(Map.of(), parse(result.get(1).asString())));
			return series;
		}
		for (JsonNode sample : result) {
			series
				.add(new Series(labels(sample.required("metric")), parse(sample.required("value").get(1).asString())));
		}
		return series;
	}

	/**
	 * Return the values of a label among the series that match a selector, as Grafana's
	 * {@code label_values(selector, label)} does.
	 * @param selector the series selector, for example {@code bullmq_exporter_up}
	 * @param label the label name
	 * @return the values
	 */
	public List<String> labelValues(String selector, String label) {
		JsonNode data = get("/api/v1/label/" + encode(label) + "/values?match[]=" + encode(selector));
		List<String> values = new ArrayList<>();
		data.forEach((value) -> values.add(value.asString()));
		return values;
	}

	/**
	 * Return the alerts that are pending or firing now.
	 * @return the alerts
	 */
	public List<Alert> alerts() {
		List<Alert> alerts = new ArrayList<>();
		for (JsonNode alert : get("/api/v1/alerts").required("alerts")) {
			Map<String, String> labels = labels(alert.required("labels"));
			alerts.add(new Alert(labels.get("alertname"), labels, labels(alert.path("annotations")),
					alert.required("state").asString(), parse(alert.required("value").asString())));
		}
		return alerts;
	}

	/**
	 * Return every loaded rule with its health.
	 * @return the rules, in the order of their files and groups
	 */
	public List<Rule> rules() {
		List<Rule> rules = new ArrayList<>();
		for (JsonNode group : get("/api/v1/rules").required("groups")) {
			for (JsonNode rule : group.required("rules")) {
				rules.add(new Rule(group.required("file").asString(), group.required("name").asString(),
						rule.required("name").asString(), rule.required("type").asString(),
						rule.path("duration").asDouble(0), rule.path("health").asString(""),
						rule.path("lastError").asString(""), rule.path("lastEvaluation").asString("")));
			}
		}
		return rules;
	}

	/**
	 * Return the health of every scrape target, as Prometheus' {@code up} sees it.
	 * @return scrape URL to {@code up}, {@code down} or {@code unknown}
	 */
	public Map<String, String> targetHealth() {
		Map<String, String> health = new LinkedHashMap<>();
		for (JsonNode target : get("/api/v1/targets").required("activeTargets")) {
			health.put(target.required("scrapeUrl").asString(), target.required("health").asString());
		}
		return health;
	}

	/**
	 * Replace the configuration and reload it ({@code POST /-/reload}), failing when
	 * Prometheus rejects it.
	 * @param configuration the text of the new {@code prometheus.yml}
	 */
	public void reload(String configuration) {
		try {
			Files.writeString(this.config, configuration, StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		HttpResponse<String> response = send(
				HttpRequest.newBuilder(uri("/-/reload")).POST(HttpRequest.BodyPublishers.noBody()));
		if (response.statusCode() != 200) {
			throw new IllegalStateException(
					"prometheus refused to reload (" + response.statusCode() + "): " + response.body());
		}
	}

	/**
	 * Return the end of Prometheus' log, for failure messages.
	 * @return the last lines
	 */
	public String logTail() {
		List<String> lines = List.of(log().strip().split("\n"));
		return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
	}

	/**
	 * Stop Prometheus (by its pid: SIGTERM, then SIGKILL if it lingers) and delete its
	 * directory.
	 */
	@Override
	public void close() {
		stop();
		LocalRedisProcess.deleteRecursively(this.directory);
	}

	private void stop() {
		if (this.process.isAlive()) {
			this.process.destroy();
			try {
				if (!this.process.waitFor(10, TimeUnit.SECONDS)) {
					this.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
				}
			}
			catch (InterruptedException ex) {
				this.process.destroyForcibly();
				Thread.currentThread().interrupt();
			}
		}
		try {
			Runtime.getRuntime().removeShutdownHook(this.shutdownHook);
		}
		catch (IllegalStateException ex) {
			// The JVM is already shutting down.
		}
	}

	private String log() {
		try {
			return Files.exists(this.log) ? Files.readString(this.log, StandardCharsets.UTF_8) : "";
		}
		catch (IOException ex) {
			return "(log unreadable: " + ex + ")";
		}
	}

	private JsonNode get(String path) {
		HttpResponse<String> response = send(HttpRequest.newBuilder(uri(path)).GET());
		JsonNode body;
		try {
			body = json.readTree(response.body());
		}
		catch (RuntimeException ex) {
			throw new IllegalStateException(
					"GET " + path + " answered " + response.statusCode() + ": " + response.body(), ex);
		}
		if (!"success".equals(body.path("status").asString(""))) {
			throw new IllegalStateException("GET " + path + " failed (" + response.statusCode() + "): "
					+ body.path("errorType").asString("") + ": " + body.path("error").asString(response.body()));
		}
		return body.required("data");
	}

	private HttpResponse<String> send(HttpRequest.Builder request) {
		try {
			return this.http.send(request.timeout(REQUEST_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while calling prometheus", ex);
		}
	}

	private URI uri(String path) {
		return URI.create(url() + path);
	}

	private static Map<String, String> labels(JsonNode object) {
		Map<String, String> labels = new LinkedHashMap<>();
		object.properties().forEach((entry) -> labels.put(entry.getKey(), entry.getValue().asString()));
		return labels;
	}

	private static double parse(String value) {
		return switch (value) {
			case "NaN" -> Double.NaN;
			case "+Inf" -> Double.POSITIVE_INFINITY;
			case "-Inf" -> Double.NEGATIVE_INFINITY;
			default -> Double.parseDouble(value);
		};
	}

	private static String encode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8);
	}

	private static Path executable() {
		return Prerequisites.findExecutable("prometheus")
			.orElseThrow(() -> Prerequisites.missing(
					"prometheus is not on the PATH: install the Prometheus server (for example apt-get install prometheus)"));
	}

	/**
	 * One series of a query result.
	 *
	 * @param labels its labels, {@code __name__} included when it has one
	 * @param value its value
	 */
	public record Series(Map<String, String> labels, double value) {

	}

	/**
	 * One pending or firing alert.
	 *
	 * @param name the alert name
	 * @param labels its labels, {@code alertname} included
	 * @param annotations its annotations, templates expanded
	 * @param state {@code pending} or {@code firing}
	 * @param value the value of its expression
	 */
	public record Alert(String name, Map<String, String> labels, Map<String, String> annotations, String state,
			double value) {

	}

	/**
	 * One loaded rule.
	 *
	 * @param file the rule file it came from
	 * @param group its group
	 * @param name the alert name or recorded metric name
	 * @param type {@code alerting} or {@code recording}
	 * @param forSeconds the {@code for:} of an alerting rule, in seconds
	 * @param health {@code ok}, {@code err} or {@code unknown} (not evaluated yet)
	 * @param lastError the error of its last evaluation, empty when none
	 * @param lastEvaluation when it was last evaluated
	 */
	public record Rule(String file, String group, String name, String type, double forSeconds, String health,
			String lastError, String lastEvaluation) {

	}

}
