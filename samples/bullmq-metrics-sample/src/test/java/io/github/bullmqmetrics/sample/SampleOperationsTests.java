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
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import io.github.bullmqmetrics.test.Await;
import io.github.bullmqmetrics.test.BullMq;
import io.github.bullmqmetrics.test.BullMq.QueueSpec;
import io.github.bullmqmetrics.test.BullMq.Version;
import io.github.bullmqmetrics.test.PrometheusText.Sample;
import io.github.bullmqmetrics.test.RedisServer;

import static io.github.bullmqmetrics.sample.RunningSample.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * What operators rely on: least privilege with the README's own ACL line, no write
 * commands at all, the health contributor, the self-metrics, and quiet logs during an
 * outage.
 *
 * @author bullmq-metrics authors
 */
@ExtendWith(OutputCaptureExtension.class)
class SampleOperationsTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final String QUEUE = "invoices";

	/** A queue that is listed but has no data, as the README's own 'image resize' had. */
	private static final String MISSING = "image resize";

	@AutoClose
	private final RedisServer redis = RedisServer.startLocal();

	@AutoClose
	private RunningSample sample;

	@BeforeEach
	void seed() {
		BullMq.seed(this.redis.url(), Version.V6, "bull", List.of(QueueSpec.everyState(QUEUE).withPaused(true)));
	}

	@Test
	void worksAsTheLeastPrivilegedUserThatTheReadmeDocuments() throws IOException {
		String aclLine = readmeAclLine();
		String[] words = aclLine.split(" ");
		String user = words[2];
		String password = words[4].substring(1);
		this.redis.commands().aclSetuser(user, io.lettuce.core.AclSetuserArgs.Builder.reset());
		this.redis.commands()
			.dispatch(io.lettuce.core.protocol.CommandType.ACL,
					new io.lettuce.core.output.StatusOutput<>(io.lettuce.core.codec.StringCodec.UTF8),
					new io.lettuce.core.protocol.CommandArgs<>(io.lettuce.core.codec.StringCodec.UTF8)
						.addValues(List.of(words).subList(1, words.length)));
		this.sample = RunningSample.start(this.redis, List.of(), "--spring.data.redis.username=" + user,
				"--spring.data.redis.password=" + password, "--bullmq.discovery.interval=200ms",
				"--bullmq.metrics.cache-ttl=100ms");
		List<Sample> samples = this.sample.awaitScrape((scrape) -> RunningSample.queues(scrape).contains(QUEUE),
				"the queue's series");
		assertThat(value(samples, "bullmq_exporter_up", null, null)).isEqualTo(1);
		assertThat(value(samples, "bullmq_job_count", QUEUE, "waiting")).isEqualTo(5);
		// The ACL line allows TIME and CLIENT LIST, so latency and workers are known.
		assertThat(value(samples, "bullmq_queue_latency_seconds", QUEUE, null)).isNotNaN().isPositive();
		assertThat(value(samples, "bullmq_queue_workers", QUEUE, null)).isZero();
		assertThat(samples).noneMatch((sample) -> sample.name().equals("bullmq_exporter_refresh_errors_total"));
		try (RedisClient client = RedisClient.create(RedisURI.builder()
			.withHost(this.redis.host())
			.withPort(this.redis.port())
			.withAuthentication(user, password)
			.build()); StatefulRedisConnection<String, String> connection = client.connect()) {
			assertThatExceptionOfType(RedisCommandExecutionException.class)
				.isThrownBy(() -> connection.sync().set("bull:" + QUEUE + ":meta", "x"))
				.withMessageContaining("NOPERM");
		}
	}

	@Test
	void sendsNoWriteCommandWhileDiscoveringScrapingAndCheckingHealth() {
		this.sample = RunningSample.start(this.redis, List.of(), "--bullmq.discovery.interval=100ms",
				"--bullmq.metrics.cache-ttl=0s");
		this.sample.awaitScrape((scrape) -> RunningSample.queues(scrape).contains(QUEUE), "the queue's series");
		Map<String, Long> before = this.redis.commandCalls();
		for (int i = 0; i < 50; i++) {
			this.sample.scrape();
			this.sample.get("/actuator/health", "application/json");
		}
		Map<String, Long> calls = difference(before, this.redis.commandCalls());
		calls.remove("info");
		assertThat(calls).containsKeys("eval_ro", "scan");
		assertThat(calls.keySet()).allSatisfy((command) -> assertThat(flags(command)).doesNotContain("write"));
	}

	@Test
	void reportsHealthWithThePausedFlagOfEachQueueAndAQueueWithNoDataAsMissing() {
		this.sample = RunningSample.start(this.redis, List.of(QUEUE, MISSING),
				"--management.endpoint.health.show-details=always", "--bullmq.metrics.cache-ttl=100ms");
		String health = this.sample.get("/actuator/health", "application/json").body();
		assertThat(health).contains("\"bullmq\":{")
			.contains("\"" + QUEUE + "\":{\"paused\":true}")
			.contains("\"" + MISSING + "\":{\"missing\":true}");
	}

	@Test
	void aRedisOutageLeavesTheApplicationUpWhileBullMqSaysWhy() {
		this.sample = RunningSample.start(this.redis, List.of(QUEUE),
				"--management.endpoint.health.show-details=always", "--bullmq.metrics.cache-ttl=100ms");
		assertThat(health().at("/status").asString()).isEqualTo("UP");
		this.redis.stop();
		Await.pause(Duration.ofMillis(200));
		HttpResponse<String> response = this.sample.get("/actuator/health", "application/json");
		assertThat(response.statusCode()).isEqualTo(200);
		JsonNode health = JSON.readTree(response.body());
		assertThat(health.at("/status").asString()).isEqualTo("UP");
		assertThat(health.at("/components/bullmq/status").asString()).isEqualTo("UNKNOWN");
		// The shared connection was open: reads wait for it to come back until they
		// time out, or are refused at once while it reconnects.
		assertThat(health.at("/components/bullmq/details/cause").asString()).isIn("connection", "timeout");
		assertThat(health.at("/components/bullmq/details/lastSuccess").isString()).isTrue();
		// A health check that gives up waiting says only that; the read's own failure
		// names the Redis.
		String target = "Redis at " + this.redis.host() + ":" + this.redis.port()
				+ " (set by spring.data.redis.host and spring.data.redis.port)";
		Await.until(Duration.ofSeconds(20), this::health,
				(checked) -> checked.at("/components/bullmq/details/error").asString().contains(target),
				"an error that names " + target);
	}

	@Test
	void aWrongPasswordLeavesTheApplicationUpWhileBullMqSaysWhy() {
		this.redis.commands().configSet("requirepass", "right");
		this.sample = RunningSample.start(this.redis, List.of(QUEUE), "--spring.data.redis.password=wrong",
				"--management.endpoint.health.show-details=always", "--bullmq.metrics.cache-ttl=0s");
		// The first read may fail with Lettuce's own error while it drops the
		// connection that Redis refused (cause connection, seen once in CI): the
		// next read says why.
		JsonNode health = Await.until(Duration.ofSeconds(10), () -> {
			HttpResponse<String> response = this.sample.get("/actuator/health", "application/json");
			assertThat(response.statusCode()).isEqualTo(200);
			return JSON.readTree(response.body());
		}, (body) -> "authentication".equals(body.at("/components/bullmq/details/cause").asString()),
				"the bullmq health component to give the cause authentication");
		assertThat(health.at("/status").asString()).isEqualTo("UP");
		assertThat(health.at("/components/bullmq/status").asString()).isEqualTo("UNKNOWN");
		assertThat(health.at("/components/bullmq/details/error").asString()).contains("refused the credentials")
			.contains("WRONGPASS");
	}

	@Test
	void aFailedReadTurnsTheApplicationDownOnlyWhenAskedTo() {
		this.sample = RunningSample.start(this.redis, List.of(QUEUE), "--bullmq.health.down-on-failure=true",
				"--bullmq.metrics.cache-ttl=100ms");
		assertThat(health().at("/status").asString()).isEqualTo("UP");
		this.redis.stop();
		Await.pause(Duration.ofMillis(200));
		HttpResponse<String> response = this.sample.get("/actuator/health", "application/json");
		assertThat(response.statusCode()).isEqualTo(503);
		assertThat(JSON.readTree(response.body()).at("/status").asString()).isEqualTo("DOWN");
	}

	@Test
	void warnsOnceAboutAListedQueueWithNoDataWhichReadsZeroWithoutAPausedState(CapturedOutput output) {
		this.sample = RunningSample.start(this.redis, List.of(QUEUE, MISSING), "--bullmq.metrics.cache-ttl=0s");
		List<Sample> samples = null;
		for (int i = 0; i < 3; i++) {
			samples = this.sample.scrapeSamples();
		}
		List<Sample> missing = samples.stream()
			.filter((sample) -> sample.name().equals("bullmq_job_count") && MISSING.equals(sample.label("queue")))
			.toList();
		assertThat(missing).extracting((sample) -> sample.label("state"))
			.containsExactlyInAnyOrder("active", "completed", "delayed", "failed", "prioritized", "waiting",
					"waiting-children");
		assertThat(missing).allSatisfy((sample) -> assertThat(sample.value()).isZero());
		assertThat(value(samples, "bullmq_queue_paused", MISSING, null)).isZero();
		assertThat(count(output.getOut(),
				"BullMQ queue '" + MISSING + "' has no data under the prefix 'bull' " + "(no key bull:" + MISSING
						+ ":*): check the queue name in bullmq.queues and the prefix in " + "bullmq.prefix"))
			.isEqualTo(1);
		assertThat(output.getOut()).doesNotContain("BullMQ queue '" + QUEUE + "' has no data");
	}

	@Test
	void healthCostsRedisNothingWhileTheLastReadIsFresh() {
		this.sample = RunningSample.start(this.redis, List.of(QUEUE), "--bullmq.metrics.cache-ttl=1h",
				"--management.endpoint.health.show-details=always");
		this.sample.scrape();
		long reads = this.redis.commandCalls().get("eval_ro");
		for (int i = 0; i < 10; i++) {
			assertThat(this.sample.get("/actuator/health/bullmq", "application/json").body()).contains("\"UP\"");
		}
		assertThat(this.redis.commandCalls().get("eval_ro")).isEqualTo(reads);
	}

	@Test
	void aWrongPasswordDoesNotFailStartUpAndIsLoggedOnce(CapturedOutput output) {
		this.redis.commands().configSet("requirepass", "right");
		this.sample = RunningSample.start(this.redis, List.of(QUEUE), "--spring.data.redis.password=wrong",
				"--bullmq.metrics.cache-ttl=0s");
		for (int i = 0; i < 5; i++) {
			List<Sample> samples = this.sample.scrapeSamples();
			assertThat(value(samples, "bullmq_exporter_up", null, null)).isZero();
			// Never read, so there are no job count series yet: absent, never 0.
			assertThat(samples).filteredOn((sample) -> sample.name().equals("bullmq_job_count"))
				.allMatch((sample) -> Double.isNaN(sample.value()));
		}
		assertThat(count(output.getOut(), "Cannot read BullMQ's data from Redis (authentication): Redis at "
				+ this.redis.host() + ":" + this.redis.port()
				+ " (set by spring.data.redis.host and spring.data.redis.port) refused the credentials: WRONGPASS"))
			.isEqualTo(1);
		assertThat(output.getOut()).doesNotContain("..");
		assertThat(sum(this.sample.scrapeSamples(), "bullmq_exporter_refresh_errors_total", "authentication"))
			.isPositive();
	}

	@Test
	void logsAnOutageOnceAndItsEndOnceAndCountsTheFailedReads(CapturedOutput output) {
		this.sample = RunningSample.start(this.redis, List.of(QUEUE), "--bullmq.metrics.cache-ttl=0s",
				"--bullmq.metrics.timeout=500ms");
		this.sample.scrape();
		this.redis.stop();
		// A scrape that gives up waiting joins no count: the read it waited for is
		// counted when it ends, so keep scraping until ten failed reads are counted.
		this.sample.awaitScrape(
				(samples) -> sum(samples, "bullmq_exporter_refresh_errors_total", "connection")
						+ sum(samples, "bullmq_exporter_refresh_errors_total", "timeout") >= 10,
				"ten failed reads counted");
		this.redis.restart();
		BullMq.seed(this.redis.url(), Version.V6, "bull", List.of(QueueSpec.everyState(QUEUE)));
		List<Sample> recovered = this.sample.awaitScrape(RunningSample::isUp, "recovery");
		// Once per cause of the outage's failed reads, connection or timeout.
		long causes = Stream.of("connection", "timeout")
			.filter((cause) -> sum(recovered, "bullmq_exporter_refresh_errors_total", cause) > 0)
			.count();
		assertThat(causes).isPositive();
		assertThat(count(output.getOut(), "Cannot read BullMQ's data from Redis")).isEqualTo(causes);
		assertThat(output.getOut()).containsPattern("Cannot read BullMQ's data from Redis \\((connection|timeout)\\): "
				+ "[^\n]*Redis at " + this.redis.host() + ":" + this.redis.port()
				+ " \\(set by spring.data.redis.host and spring.data.redis.port\\)");
		assertThat(count(output.getOut(), "Reading BullMQ's data from Redis works again")).isEqualTo(1);
		assertThat(output.getOut()).doesNotContain("at io.github.bullmqmetrics");
	}

	@Test
	void aTypoInABullMqPropertyFailsStartUpNamingThePropertyMeant(CapturedOutput output) {
		assertThatExceptionOfType(RuntimeException.class)
			.isThrownBy(() -> RunningSample.start(this.redis, List.of(), "--bullmq.queue[0]=" + QUEUE));
		assertThat(output.getOut() + output.getErr()).contains("APPLICATION FAILED TO START")
			.contains("Unknown property 'bullmq.queue[0]' (from")
			.contains("did you mean 'bullmq.queues'?");
	}

	@Test
	void countsEachQueueThatCannotBeReadAsOneRefreshErrorPerRefresh() {
		// Keys of the wrong type make exactly these two queues unreadable.
		this.redis.commands().set("bull:broken-wait:wait", "not a list");
		this.redis.commands().hset("bull:broken-completed:completed", "not", "a sorted set");
		this.sample = RunningSample.start(this.redis, List.of(QUEUE, "broken-wait", "broken-completed"),
				"--bullmq.metrics.cache-ttl=0s");
		List<Sample> previous = this.sample.scrapeSamples();
		for (int i = 0; i < 3; i++) {
			List<Sample> samples = this.sample.scrapeSamples();
			double refreshes = sum(samples, "bullmq_exporter_refresh_seconds_count", null)
					- sum(previous, "bullmq_exporter_refresh_seconds_count", null);
			double errors = sum(samples, "bullmq_exporter_refresh_errors_total", "queue")
					- sum(previous, "bullmq_exporter_refresh_errors_total", "queue");
			assertThat(refreshes).isPositive();
			assertThat(errors).as("queue errors of %s refreshes", refreshes).isEqualTo(2 * refreshes);
			assertThat(value(samples, "bullmq_exporter_up", null, null)).isEqualTo(1);
			assertThat(value(samples, "bullmq_job_count", QUEUE, "waiting")).isEqualTo(5);
			// Never read, so the broken queues have no series: absent, never 0.
			assertThat(RunningSample.queues(samples)).containsExactly(QUEUE);
			previous = samples;
		}
	}

	private static double sum(List<Sample> samples, String name, String cause) {
		return samples.stream()
			.filter((sample) -> sample.name().equals(name))
			.filter((sample) -> cause == null || cause.equals(sample.label("cause")))
			.mapToDouble(Sample::value)
			.sum();
	}

	private JsonNode health() {
		return JSON.readTree(this.sample.get("/actuator/health", "application/json").body());
	}

	private static String readmeAclLine() throws IOException {
		Path readme = Path.of(System.getProperty("bullmq.node.dir")).resolve("../../README.md").normalize();
		Matcher matcher = Pattern.compile("^ACL SETUSER .*$", Pattern.MULTILINE).matcher(Files.readString(readme));
		assertThat(matcher.find()).as("an ACL SETUSER line in %s", readme).isTrue();
		return matcher.group();
	}

	@SuppressWarnings("unchecked")
	private List<String> flags(String command) {
		List<Object> info = (List<Object>) this.redis.commands().commandInfo(command).get(0);
		return ((List<Object>) info.get(2)).stream().map(String::valueOf).toList();
	}

	private static Map<String, Long> difference(Map<String, Long> before, Map<String, Long> after) {
		Map<String, Long> difference = new HashMap<>();
		after.forEach((command, calls) -> {
			if (calls > before.getOrDefault(command, 0L)) {
				difference.put(command, calls - before.getOrDefault(command, 0L));
			}
		});
		return difference;
	}

	private static int count(String text, String part) {
		int count = 0;
		for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
			count++;
		}
		return count;
	}

}
