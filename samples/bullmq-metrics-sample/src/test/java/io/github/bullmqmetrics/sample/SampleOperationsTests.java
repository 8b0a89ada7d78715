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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

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

	private static final String QUEUE = "invoices";

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
	void reportsHealthWithThePausedFlagOfEachQueue() {
		this.sample = RunningSample.start(this.redis, List.of(QUEUE),
				"--management.endpoint.health.show-details=always", "--bullmq.metrics.cache-ttl=100ms");
		String health = this.sample.get("/actuator/health", "application/json").body();
		assertThat(health).contains("\"bullmq\":{").contains("\"" + QUEUE + "\":{\"paused\":true}");
		this.redis.stop();
		Await.pause(Duration.ofMillis(200));
		String down = this.sample.get("/actuator/health/bullmq", "application/json").body();
		assertThat(down).contains("\"status\":\"DOWN\"").contains("\"cause\":");
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
		assertThat(count(output.getOut(), "Cannot read BullMQ's data from Redis")).isEqualTo(1);
		assertThat(output.getOut()).contains("WRONGPASS");
	}

	@Test
	void logsAnOutageOnceAndItsEndOnceAndCountsTheFailedReads(CapturedOutput output) {
		this.sample = RunningSample.start(this.redis, List.of(QUEUE), "--bullmq.metrics.cache-ttl=0s",
				"--bullmq.metrics.timeout=500ms");
		this.sample.scrape();
		this.redis.stop();
		// A scrape that gives up waiting joins no count: the read it waited for is
		// counted when it ends, so keep scraping until ten failed reads are counted.
		this.sample.awaitScrape((samples) -> refreshErrors(samples) >= 10, "ten failed reads counted");
		this.redis.restart();
		BullMq.seed(this.redis.url(), Version.V6, "bull", List.of(QueueSpec.everyState(QUEUE)));
		this.sample.awaitScrape(RunningSample::isUp, "recovery");
		assertThat(count(output.getOut(), "Cannot read BullMQ's data from Redis")).isEqualTo(1);
		assertThat(count(output.getOut(), "Reading BullMQ's data from Redis works again")).isEqualTo(1);
		assertThat(output.getOut()).doesNotContain("at io.github.bullmqmetrics");
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

	private static double refreshErrors(List<Sample> samples) {
		return samples.stream()
			.filter((sample) -> sample.name().equals("bullmq_exporter_refresh_errors_total"))
			.mapToDouble(Sample::value)
			.sum();
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
