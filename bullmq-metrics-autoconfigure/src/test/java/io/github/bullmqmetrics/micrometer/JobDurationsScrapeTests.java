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
package io.github.bullmqmetrics.micrometer;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

import io.micrometer.core.instrument.Tag;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import io.github.bullmqmetrics.reader.BullMqKeys;
import io.github.bullmqmetrics.reader.FinishedJobCursors;
import io.github.bullmqmetrics.reader.FinishedJobsPoller;
import io.github.bullmqmetrics.reader.LettuceFinishedJobsReader;
import io.github.bullmqmetrics.reader.RedisTarget;
import io.github.bullmqmetrics.test.Await;
import io.github.bullmqmetrics.test.BullMq;
import io.github.bullmqmetrics.test.BullMq.Finished;
import io.github.bullmqmetrics.test.BullMq.FinishedJobFields;
import io.github.bullmqmetrics.test.BullMq.JobSpec;
import io.github.bullmqmetrics.test.BullMq.Version;
import io.github.bullmqmetrics.test.PrometheusText;
import io.github.bullmqmetrics.test.PrometheusText.Sample;
import io.github.bullmqmetrics.test.RedisServer;
import io.github.bullmqmetrics.test.RedisServerExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * End-to-end tests of the job duration timers: real BullMQ workers finish jobs in a real
 * Redis, the real reader and poller read them, and the Prometheus text must hold exactly
 * the durations that BullMQ wrote.
 *
 * @author bullmq-metrics authors
 */
class JobDurationsScrapeTests {

	private static final Duration SETTLED = Duration.ofSeconds(30);

	@RegisterExtension
	static final RedisServerExtension redisServer = RedisServerExtension.start();

	private final RedisServer redis = redisServer.server();

	private final List<LettuceConnectionFactory> factories = new ArrayList<>();

	@AfterEach
	void destroy() {
		this.factories.forEach(LettuceConnectionFactory::destroy);
	}

	@ParameterizedTest
	@EnumSource(Version.class)
	void theScrapeHoldsTheWaitAndProcessingTimeOfEveryFinishedJobAsBullMqWroteThem(Version version) {
		String queue = "scrape-" + version;
		Exporter exporter = new Exporter(queue);
		exporter.poller.poll();
		List<JobSpec> jobs = new ArrayList<>();
		for (int i = 0; i < 6; i++) {
			jobs.add(JobSpec.sleeping("fast", 20));
		}
		for (int i = 0; i < 4; i++) {
			jobs.add(JobSpec.sleeping("slow", 150));
		}
		jobs.add(JobSpec.sleeping("fails", 10).failing(1, 1, 0));
		jobs.add(JobSpec.sleeping("fails-slowly", 600).failing(1, 1, 0));
		jobs.add(JobSpec.sleeping("retried", 10).failing(1, 2, 100));
		jobs.add(JobSpec.sleeping("delayed", 5).delayed(300));
		jobs.add(JobSpec.sleeping("parent", 5).withChildren(JobSpec.sleeping("child", 100)));
		Finished finished = BullMq.finish(this.redis.url(), version, "bull", queue, 3, false, jobs);
		exporter.awaitObserved(finished.jobs().size());
		List<Sample> samples = exporter.scrape();
		for (String outcome : List.of("completed", "failed")) {
			List<Long> processing = finished.jobs(outcome).stream().map(FinishedJobFields::processingMillis).toList();
			assertTimer(samples, "bullmq_job_processing_seconds", queue, outcome, processing);
			assertThat(value(samples, "bullmq_job_durations_observed_total", queue, outcome, null))
				.isEqualTo(processing.size());
			assertThat(value(samples, "bullmq_job_durations_missed_total", queue, outcome, "limit")).isZero();
			assertThat(value(samples, "bullmq_job_durations_missed_total", queue, outcome, "removed")).isZero();
		}
		List<Long> waits = finished.jobs()
			.stream()
			.map(FinishedJobFields::firstAttemptWaitMillis)
			.filter(OptionalLong::isPresent)
			.map(OptionalLong::getAsLong)
			.toList();
		// Every job but the retried one (it started twice) and the flow's parent.
		assertThat(waits).hasSize(finished.jobs().size() - 2);
		assertTimer(samples, "bullmq_job_wait_seconds", queue, null, waits);
		// More jobs later: the next reads add them, and only them.
		Finished more = BullMq.finish(this.redis.url(), version, "bull", queue, 3, false,
				List.of(JobSpec.sleeping("later", 5), JobSpec.sleeping("later", 5)));
		exporter.awaitObserved(finished.jobs().size() + more.jobs().size());
		exporter.poller.poll();
		assertThat(value(exporter.scrape(), "bullmq_job_processing_seconds_count", queue, "completed", null))
			.isEqualTo(finished.jobs("completed").size() + 2);
	}

	@Test
	void aRestartedExporterDoesNotCountTheJobsThatFinishedBeforeIt() {
		String queue = "restarted";
		Exporter first = new Exporter(queue);
		Finished finished = BullMq.finish(this.redis.url(), Version.V6, "bull", queue, 2, false,
				List.of(JobSpec.sleeping("before", 1), JobSpec.sleeping("before", 1)));
		first.awaitObserved(finished.jobs().size());
		Exporter restarted = new Exporter(queue);
		Await.pause(LettuceFinishedJobsReader.SETTLE_TIME);
		restarted.poller.poll();
		assertThat(value(restarted.scrape(), "bullmq_job_durations_observed_total", queue, "completed", null)).isZero();
		Finished after = BullMq.finish(this.redis.url(), Version.V6, "bull", queue, 2, false,
				List.of(JobSpec.sleeping("after", 1)));
		restarted.awaitObserved(after.jobs().size());
		assertThat(value(restarted.scrape(), "bullmq_job_processing_seconds_count", queue, "completed", null))
			.isEqualTo(1);
	}

	private void assertTimer(List<Sample> samples, String name, String queue, String outcome, List<Long> millis) {
		assertThat(value(samples, name + "_count", queue, outcome, null)).as(name + " count").isEqualTo(millis.size());
		assertThat(value(samples, name + "_sum", queue, outcome, null)).as(name + " sum")
			.isCloseTo(millis.stream().mapToLong(Long::longValue).sum() / 1000.0, within(1e-9));
		List<Sample> buckets = samples.stream()
			.filter((sample) -> sample.name().equals(name + "_bucket") && queue.equals(sample.label("queue"))
					&& (outcome == null || outcome.equals(sample.label("outcome"))))
			.toList();
		assertThat(buckets).extracting((bucket) -> bucket.label("le"))
			.containsExactly("0.01", "0.05", "0.1", "0.5", "1.0", "5.0", "30.0", "60.0", "300.0", "3600.0", "+Inf");
		for (Sample bucket : buckets) {
			double le = Double.parseDouble(bucket.label("le").replace("+Inf", "Infinity"));
			assertThat(bucket.value()).as(name + " le=" + bucket.label("le"))
				.isEqualTo(millis.stream().filter((value) -> value / 1000.0 <= le).count());
		}
	}

	private static double value(List<Sample> samples, String name, String queue, String outcome, String reason) {
		List<Sample> matching = samples.stream()
			.filter((sample) -> sample.name().equals(name) && queue.equals(sample.label("queue")))
			.filter((sample) -> outcome == null || outcome.equals(sample.label("outcome")))
			.filter((sample) -> reason == null || reason.equals(sample.label("reason")))
			.toList();
		assertThat(matching).as(name + " of " + queue + " " + outcome + " " + reason).hasSize(1);
		return matching.get(0).value();
	}

	/**
	 * One exporter instance: cursors that start now, the real reader, a poller driven by
	 * the test, and the meters in a Prometheus registry.
	 */
	private final class Exporter {

		private final String queue;

		private final FinishedJobsPoller poller;

		private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

		Exporter(String queue) {
			this.queue = queue;
			LettuceConnectionFactory factory = new LettuceConnectionFactory(new RedisStandaloneConfiguration(
					JobDurationsScrapeTests.this.redis.host(), JobDurationsScrapeTests.this.redis.port()));
			factory.afterPropertiesSet();
			factory.start();
			JobDurationsScrapeTests.this.factories.add(factory);
			LettuceFinishedJobsReader reader = new LettuceFinishedJobsReader(RedisTarget.of(factory),
					new BullMqKeys("bull"), new FinishedJobCursors(Instant.now()), 1000, Duration.ofSeconds(10));
			this.poller = new FinishedJobsPoller(reader, () -> List.of(queue), Duration.ofHours(1));
			new JobDurationMetrics(this.poller, List.of(Tag.of("env", "test"))).bindTo(this.registry);
		}

		List<Sample> scrape() {
			return PrometheusText.parse(this.registry.scrape());
		}

		/** Read until this many jobs were observed: each job is read once it settled. */
		void awaitObserved(long jobs) {
			Await.until(SETTLED, () -> {
				this.poller.poll();
				List<Sample> samples = scrape();
				return value(samples, "bullmq_job_durations_observed_total", this.queue, "completed", null)
						+ value(samples, "bullmq_job_durations_observed_total", this.queue, "failed", null) >= jobs;
			}, jobs + " observed jobs of " + this.queue);
		}

	}

}
