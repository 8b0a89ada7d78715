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
package io.github.bullmqmetrics.autoconfigure;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusMetricsExportAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.github.bullmqmetrics.micrometer.JobDurationMetrics;
import io.github.bullmqmetrics.reader.FinishedJob;
import io.github.bullmqmetrics.reader.FinishedJobs;
import io.github.bullmqmetrics.reader.FinishedJobsPoller;
import io.github.bullmqmetrics.reader.FinishedJobsRead;
import io.github.bullmqmetrics.reader.FinishedJobsReader;
import io.github.bullmqmetrics.reader.JobOutcome;
import io.github.bullmqmetrics.reader.LettuceFinishedJobsReader;
import io.github.bullmqmetrics.test.Await;
import io.github.bullmqmetrics.test.BullMq;
import io.github.bullmqmetrics.test.BullMq.Finished;
import io.github.bullmqmetrics.test.BullMq.JobSpec;
import io.github.bullmqmetrics.test.BullMq.Version;
import io.github.bullmqmetrics.test.PrometheusText;
import io.github.bullmqmetrics.test.PrometheusText.Sample;
import io.github.bullmqmetrics.test.RedisServerExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for the job durations part of {@link BullMqMetricsAutoConfiguration}, with Spring
 * Boot's Prometheus registry.
 *
 * @author bullmq-metrics authors
 */
class BullMqDurationsAutoConfigurationTests {

	private static final List<String> DEFAULT_BUCKETS = List.of("0.01", "0.05", "0.1", "0.5", "1.0", "5.0", "30.0",
			"60.0", "300.0", "3600.0", "+Inf");

	@RegisterExtension
	static final RedisServerExtension redisServer = RedisServerExtension.start();

	// Nothing listens on port 1: unless a test says otherwise, reads fail, quietly.
	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class, MetricsAutoConfiguration.class,
				SimpleMetricsExportAutoConfiguration.class, PrometheusMetricsExportAutoConfiguration.class,
				CompositeMeterRegistryAutoConfiguration.class, BullMqMetricsAutoConfiguration.class))
		.withPropertyValues("spring.data.redis.host=127.0.0.1", "spring.data.redis.port=1");

	@Test
	void readsFinishedJobsInTheBackgroundByDefault() {
		this.contextRunner.withPropertyValues("bullmq.queues[0]=emails").run((context) -> {
			assertThat(context).hasSingleBean(LettuceFinishedJobsReader.class)
				.hasSingleBean(FinishedJobsPoller.class)
				.hasSingleBean(JobDurationMetrics.class);
			BullMqProperties.Metrics.Durations durations = context.getBean(BullMqProperties.class)
				.getMetrics()
				.getDurations();
			assertThat(durations.isEnabled()).isTrue();
			assertThat(durations.getInterval()).isEqualTo(Duration.ofSeconds(15));
			assertThat(durations.getMaxJobsPerRead()).isEqualTo(1000);
		});
	}

	@Test
	void durationsCanBeTurnedOffAlone() {
		this.contextRunner.withPropertyValues("bullmq.queues[0]=emails", "bullmq.metrics.durations.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(FinishedJobsReader.class)
				.doesNotHaveBean(FinishedJobsPoller.class)
				.doesNotHaveBean(JobDurationMetrics.class)
				.hasSingleBean(io.github.bullmqmetrics.micrometer.BullMqMetrics.class));
	}

	@Test
	void backsOffWhenAllMetricsAreTurnedOff() {
		this.contextRunner.withPropertyValues("bullmq.metrics.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(FinishedJobsPoller.class)
				.doesNotHaveBean(JobDurationMetrics.class));
	}

	@Test
	void backsOffFromAUsersOwnFinishedJobsReader() {
		this.contextRunner.withUserConfiguration(UserReaderConfiguration.class)
			.withPropertyValues("bullmq.queues[0]=emails")
			.run((context) -> assertThat(context).hasSingleBean(FinishedJobsReader.class)
				.doesNotHaveBean(LettuceFinishedJobsReader.class)
				.hasSingleBean(FinishedJobsPoller.class));
	}

	@Test
	void failsStartUpOnANonPositiveInterval() {
		assertStartUpFails("bullmq.metrics.durations.interval=0s", "bullmq.metrics.durations.interval",
				"must be positive");
	}

	@Test
	void failsStartUpOnAMaximumOfJobsPerReadBelowOne() {
		assertStartUpFails("bullmq.metrics.durations.max-jobs-per-read=0", "bullmq.metrics.durations.max-jobs-per-read",
				"must be at least 1");
	}

	@Test
	void failsStartUpOnATagNameTheDurationsSetThemselves() {
		assertStartUpFails("bullmq.metrics.tags.outcome=x", "bullmq.metrics.tags", "is set by bullmq-metrics itself");
		assertStartUpFails("bullmq.metrics.tags.reason=x", "bullmq.metrics.tags", "is set by bullmq-metrics itself");
	}

	@Test
	void theTimersPublishTheDefaultBucketsUnderTheirNames() {
		this.contextRunner.withUserConfiguration(UserReaderConfiguration.class)
			.withPropertyValues("bullmq.queues[0]=emails", "bullmq.metrics.durations.interval=100ms",
					"bullmq.metrics.tags.env=Production")
			.run((context) -> {
				List<Sample> samples = awaitScrape(context, "bullmq_job_durations_observed_total",
						"bullmq_job_durations_missed_total");
				assertThat(le(samples, "bullmq_job_wait_seconds_bucket")).containsExactlyElementsOf(DEFAULT_BUCKETS);
				assertThat(le(samples, "bullmq_job_processing_seconds_bucket")).hasSize(2 * DEFAULT_BUCKETS.size());
				assertThat(names(samples)).contains("bullmq_job_wait_seconds_count", "bullmq_job_wait_seconds_sum",
						"bullmq_job_wait_seconds_max", "bullmq_job_processing_seconds_count",
						"bullmq_job_durations_observed_total", "bullmq_job_durations_missed_total");
				assertThat(samples).filteredOn((sample) -> sample.name().startsWith("bullmq_job_wait"))
					.allSatisfy((sample) -> assertThat(sample.labels()).containsEntry("queue", "emails")
						.containsEntry("env", "Production"));
			});
	}

	@Test
	void springBootsDistributionPropertiesOverrideTheBuckets() {
		this.contextRunner.withUserConfiguration(UserReaderConfiguration.class)
			.withPropertyValues("bullmq.queues[0]=emails", "bullmq.metrics.durations.interval=100ms",
					"management.metrics.distribution.slo.bullmq.job.wait=250ms,2s",
					"management.metrics.distribution.percentiles-histogram.bullmq.job.processing=true")
			.run((context) -> {
				List<Sample> samples = awaitScrape(context, "bullmq_job_durations_missed_total");
				assertThat(le(samples, "bullmq_job_wait_seconds_bucket")).containsExactly("0.25", "2.0", "+Inf");
				// Micrometer's percentile histogram adds its many buckets to ours.
				assertThat(le(samples, "bullmq_job_processing_seconds_bucket")).hasSizeGreaterThan(2 * 60)
					.contains("0.01", "3600.0");
			});
	}

	@Test
	void measuresJobsThatRealBullMqFinishedThroughTheRealAutoConfiguration() {
		String queue = "auto-configured";
		this.contextRunner
			.withPropertyValues("spring.data.redis.port=" + redisServer.server().port(), "bullmq.queues[0]=" + queue,
					"bullmq.metrics.durations.interval=200ms")
			.run((context) -> {
				awaitScrape(context, "bullmq_job_durations_observed_total");
				Finished finished = BullMq.finish(redisServer.server().url(), Version.V6, "bull", queue, 2, false,
						List.of(JobSpec.sleeping("a", 30), JobSpec.sleeping("b", 60),
								JobSpec.sleeping("c", 5).failing(1, 1, 0)));
				PrometheusMeterRegistry registry = context.getBean(PrometheusMeterRegistry.class);
				Await
					.until(Duration.ofSeconds(30),
							() -> sum(PrometheusText.parse(registry.scrape()),
									"bullmq_job_durations_observed_total") == finished.jobs().size(),
							"3 jobs observed");
				List<Sample> samples = PrometheusText.parse(registry.scrape());
				assertThat(sum(samples, "bullmq_job_processing_seconds_sum")).isCloseTo(
						finished.jobs().stream().mapToLong(BullMq.FinishedJobFields::processingMillis).sum() / 1000.0,
						org.assertj.core.api.Assertions.within(1e-9));
				assertThat(sum(samples, "bullmq_job_wait_seconds_count")).isEqualTo(3);
			});
	}

	private static List<Sample> awaitScrape(AssertableApplicationContext context, String... names) {
		PrometheusMeterRegistry registry = context.getBean(PrometheusMeterRegistry.class);
		// The meters of a queue are registered one by one, on the poller's thread, while
		// the test scrapes, and a scrape can see a meter registered after one it misses:
		// wait for both timers as well as every named meter.
		List<String> expected = new ArrayList<>(List.of(names));
		expected.addAll(List.of("bullmq_job_wait_seconds_bucket", "bullmq_job_processing_seconds_bucket"));
		return Await.until(Duration.ofSeconds(20), () -> PrometheusText.parse(registry.scrape()),
				(samples) -> names(samples).containsAll(expected), expected + " in the scrape");
	}

	private static List<String> names(List<Sample> samples) {
		return samples.stream().map(Sample::name).distinct().toList();
	}

	private static List<String> le(List<Sample> samples, String name) {
		return samples.stream()
			.filter((sample) -> sample.name().equals(name))
			.map((sample) -> sample.label("le"))
			.toList();
	}

	private static double sum(List<Sample> samples, String name) {
		return samples.stream().filter((sample) -> sample.name().equals(name)).mapToDouble(Sample::value).sum();
	}

	private void assertStartUpFails(String property, String name, String reason) {
		this.contextRunner.withPropertyValues(property).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context).getFailure().rootCause().hasMessageContaining(name).hasMessageContaining(reason);
		});
	}

	@Configuration(proxyBeanMethods = false)
	static class UserReaderConfiguration {

		@Bean
		FinishedJobsReader userFinishedJobsReader() {
			// Every read finds one job per queue and outcome: waited 40 ms, took 60 ms.
			return (queues) -> {
				List<FinishedJobs> finished = new ArrayList<>();
				for (String queue : queues) {
					for (JobOutcome outcome : JobOutcome.values()) {
						finished.add(new FinishedJobs(queue, outcome,
								List.of(new FinishedJob("1", 1_000L, 1_040L, 1_100L, 1L, 0L, false)), 0, 0));
					}
				}
				return new FinishedJobsRead(Instant.now(), finished, Map.of());
			};
		}

	}

}
