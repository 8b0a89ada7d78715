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
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import io.github.bullmqmetrics.test.BullMq;
import io.github.bullmqmetrics.test.BullMq.QueueSpec;
import io.github.bullmqmetrics.test.BullMq.Version;
import io.github.bullmqmetrics.test.PrometheusText;
import io.github.bullmqmetrics.test.PrometheusText.Sample;
import io.github.bullmqmetrics.test.Promtool;
import io.github.bullmqmetrics.test.RedisServer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Boots the sample as a user runs it, against a Redis filled by real BullMQ 5 and 6, and
 * checks that its {@code /actuator/prometheus} says what BullMQ's own
 * {@code exportPrometheusMetrics()} says for the same queues.
 *
 * @author bullmq-metrics authors
 */
class SampleOracleTests {

	/** Like BullMQ's globalVariables, with a value that text formats trip over. */
	private static final Map<String, String> GLOBAL_VARIABLES = Map.of("env", "Pro\"duction\\ line\nbreak 🚀", "server",
			"1");

	private static final Map<Version, List<String>> QUEUES = new LinkedHashMap<>();

	/**
	 * Per version, queue names with leading or trailing spaces, which BullMQ keeps as
	 * they are. They are left out of {@code bullmq.queues}, which configuration binding
	 * may trim: only discovery finds them.
	 */
	private static final Map<Version, List<String>> PADDED = new LinkedHashMap<>();

	private static final List<String> TAGS = List.of("--bullmq.metrics.tags.env=" + GLOBAL_VARIABLES.get("env"),
			"--bullmq.metrics.tags.server=1");

	private static RedisServer redis;

	private static ConfigurableApplicationContext app;

	private static String scrape;

	@BeforeAll
	static void seedAndStart() throws Exception {
		redis = RedisServer.start();
		for (Version version : Version.values()) {
			List<QueueSpec> specs = new ArrayList<>();
			specs.add(QueueSpec.everyState("every-state " + version));
			specs.add(QueueSpec.everyState("paused " + version).withPaused(true));
			specs.add(QueueSpec.empty("empty " + version));
			for (String hostile : List.of("quote\"d", "back\\slash", "trailing\\", "new\nline", "emoji 🚀",
					"a,b=c}{x")) {
				specs.add(new QueueSpec(version + " " + hostile, 1, 1, 0, 2, 1, 1, 0, false));
			}
			QUEUES.put(version, specs.stream().map(QueueSpec::name).toList());
			List<String> padded = List.of(" leading " + version, "trailing " + version + " ",
					"  both " + version + "  ");
			padded.forEach((name) -> specs.add(new QueueSpec(name, 1, 1, 0, 2, 1, 1, 0, false)));
			PADDED.put(version, padded);
			BullMq.seed(redis.url(), version, "bull", specs);
		}
		List<String> args = new ArrayList<>(List.of("--server.port=0", "--spring.data.redis.host=" + redis.host(),
				"--spring.data.redis.port=" + redis.port()));
		args.addAll(TAGS);
		List<String> all = QUEUES.values().stream().flatMap(List::stream).toList();
		for (int i = 0; i < all.size(); i++) {
			args.add("--bullmq.queues[" + i + "]=" + all.get(i));
		}
		app = new SpringApplicationBuilder(SampleApplication.class).run(args.toArray(String[]::new));
		scrape = get("/actuator/prometheus", "text/plain");
	}

	@AfterAll
	static void stop() {
		if (app != null) {
			app.close();
		}
		if (redis != null) {
			redis.close();
		}
	}

	@Test
	void reportsWhatBullMqReportsForEveryQueue() {
		List<Sample> ours = PrometheusText.parse(scrape);
		for (Version version : Version.values()) {
			BullMqOracle.assertSameAsBullMq(ours, BullMq.exportPrometheusMetrics(redis.url(), version, "bull",
					QUEUES.get(version), GLOBAL_VARIABLES));
		}
	}

	@Test
	void discoversAndReportsWhatBullMqReportsForQueuesWhoseNamesStartOrEndWithSpaces() {
		List<String> everyQueue = new ArrayList<>();
		QUEUES.values().forEach(everyQueue::addAll);
		PADDED.values().forEach(everyQueue::addAll);
		try (RunningSample discovering = RunningSample.start(redis, List.of(), TAGS.toArray(String[]::new))) {
			List<Sample> ours = discovering.awaitScrape(
					(samples) -> RunningSample.queues(samples).size() == everyQueue.size(),
					"a series for each of the " + everyQueue.size() + " queues");
			for (Version version : Version.values()) {
				List<String> queues = new ArrayList<>(QUEUES.get(version));
				queues.addAll(PADDED.get(version));
				BullMqOracle.assertSameAsBullMq(ours,
						BullMq.exportPrometheusMetrics(redis.url(), version, "bull", queues, GLOBAL_VARIABLES));
			}
		}
	}

	@Test
	void reportsTheExporterUp() {
		assertThat(PrometheusText.parse(scrape)).filteredOn((sample) -> sample.name().equals("bullmq_exporter_up"))
			.singleElement()
			.satisfies((sample) -> {
				assertThat(sample.value()).isEqualTo(1);
				assertThat(sample.labels()).isEqualTo(GLOBAL_VARIABLES);
			});
	}

	@Test
	void reportsPausedQueues() {
		assertThat(PrometheusText.parse(scrape))
			.filteredOn((sample) -> sample.name().equals("bullmq_queue_paused") && sample.value() == 1)
			.extracting((sample) -> sample.label("queue"))
			.containsExactlyInAnyOrder("paused V5", "paused V6");
	}

	@Test
	void passesPromtoolWithOnlyTheDocumentedLintWarning() {
		Promtool.Result result = Promtool.checkMetrics(scrape);
		assertThat(result.parsed()).as(result.output()).isTrue();
		// BullMQ chose the name bullmq_job_count; promtool's linter dislikes the _count
		// suffix.
		assertThat(result.output().lines().filter((line) -> line.startsWith("bullmq"))).allMatch((line) -> line
			.equals("bullmq_job_count non-histogram and non-summary metrics should not have \"_count\" suffix"));
	}

	@Test
	void servesHealthAndInfo() throws Exception {
		assertThat(get("/actuator/health", "application/json")).contains("\"status\":\"UP\"");
		assertThat(get("/actuator/info", "application/json")).startsWith("{");
	}

	private static String get(String path, String accept) throws IOException, InterruptedException {
		// The property, not WebServerApplicationContext: that moved package in Spring
		// Boot 4.
		int port = app.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
			.header("Accept", accept)
			.build();
		HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(200);
		return response.body();
	}

}
