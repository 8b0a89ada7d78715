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
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import io.github.bullmqmetrics.test.Await;
import io.github.bullmqmetrics.test.PrometheusText;
import io.github.bullmqmetrics.test.PrometheusText.Sample;
import io.github.bullmqmetrics.test.RedisServer;

/**
 * The sample application, started the way a user starts it (command-line arguments,
 * indexed queue names), and scraped over real HTTP.
 *
 * @author bullmq-metrics authors
 */
final class RunningSample implements AutoCloseable {

	private final ConfigurableApplicationContext context;

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private RunningSample(ConfigurableApplicationContext context) {
		this.context = context;
	}

	static RunningSample start(RedisServer redis, List<String> queues, String... args) {
		return start(List.of("--spring.data.redis.host=" + redis.host(), "--spring.data.redis.port=" + redis.port()),
				queues, args);
	}

	/**
	 * Start the sample.
	 * @param redis the arguments that say where Redis is, for example
	 * {@code --spring.data.redis.cluster.nodes=...}
	 * @param queues the queues to list, none to discover them
	 * @param args further arguments
	 * @return the running sample
	 */
	static RunningSample start(List<String> redis, List<String> queues, String... args) {
		List<String> all = new ArrayList<>(List.of("--server.port=0", "--server.address=127.0.0.1"));
		all.addAll(redis);
		for (int i = 0; i < queues.size(); i++) {
			all.add("--bullmq.queues[" + i + "]=" + queues.get(i));
		}
		all.addAll(List.of(args));
		return new RunningSample(new SpringApplicationBuilder(SampleApplication.class).run(all.toArray(String[]::new)));
	}

	/**
	 * Return a bean of the running application.
	 * @param <T> the bean type
	 * @param type the bean type
	 * @return the bean
	 */
	<T> T bean(Class<T> type) {
		return this.context.getBean(type);
	}

	/**
	 * Return the port the sample listens on, on 127.0.0.1.
	 * @return the port
	 */
	int port() {
		// The property, not WebServerApplicationContext: that moved package in Spring
		// Boot 4.
		return this.context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
	}

	HttpResponse<String> get(String path, String accept) {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + path))
			.header("Accept", accept)
			.timeout(Duration.ofSeconds(30))
			.build();
		try {
			return this.http.send(request, HttpResponse.BodyHandlers.ofString());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Scrape {@code /actuator/prometheus} as Prometheus' text format.
	 * @return the body, after checking the status is 200
	 */
	String scrape() {
		HttpResponse<String> response = get("/actuator/prometheus", "text/plain");
		if (response.statusCode() != 200) {
			throw new IllegalStateException("Scrape answered " + response.statusCode() + ": " + response.body());
		}
		return response.body();
	}

	List<Sample> scrapeSamples() {
		return PrometheusText.parse(scrape());
	}

	/**
	 * Scrape until the samples satisfy a condition, for up to 30 seconds.
	 * @param condition the condition
	 * @param description what is awaited, for the failure message
	 * @return the samples that satisfied it
	 */
	List<Sample> awaitScrape(Predicate<List<Sample>> condition, String description) {
		return Await.until(Duration.ofSeconds(30), this::scrapeSamples, condition, description);
	}

	static boolean isUp(List<Sample> samples) {
		return value(samples, "bullmq_exporter_up", null, null) == 1;
	}

	/**
	 * Return the queues that have job count series.
	 * @param samples the samples
	 * @return the queue names
	 */
	static Set<String> queues(List<Sample> samples) {
		return samples.stream()
			.filter((sample) -> sample.name().equals("bullmq_job_count"))
			.map((sample) -> sample.label("queue"))
			.collect(Collectors.toSet());
	}

	static double value(List<Sample> samples, String name, String queue, String state) {
		return samples.stream()
			.filter((sample) -> sample.name().equals(name))
			.filter((sample) -> queue == null || queue.equals(sample.label("queue")))
			.filter((sample) -> state == null || state.equals(sample.label("state")))
			.mapToDouble(Sample::value)
			.reduce((a, b) -> {
				throw new IllegalStateException("More than one sample of " + name);
			})
			.orElseThrow(() -> new IllegalStateException("No sample of " + name + " " + queue + " " + state));
	}

	@Override
	public void close() {
		this.context.close();
	}

}
