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

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mockito.Mockito;

import org.springframework.boot.actuate.endpoint.invoke.OperationInvokerAdvisor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.context.annotation.ImportCandidates;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.util.ClassUtils;
import org.springframework.validation.BeanPropertyBindingResult;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import io.github.bullmqmetrics.micrometer.BullMqMeters;
import io.github.bullmqmetrics.micrometer.BullMqMetrics;
import io.github.bullmqmetrics.micrometer.SnapshotCache;
import io.github.bullmqmetrics.reader.BullMqReader;
import io.github.bullmqmetrics.reader.BullMqSnapshot;
import io.github.bullmqmetrics.reader.DiscoveredQueues;
import io.github.bullmqmetrics.reader.LettuceBullMqReader;
import io.github.bullmqmetrics.reader.QueueSnapshot;
import io.github.bullmqmetrics.reader.RedisTarget;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link BullMqMetricsAutoConfiguration}.
 *
 * @author bullmq-metrics authors
 */
@ExtendWith(OutputCaptureExtension.class)
class BullMqMetricsAutoConfigurationTests {

	// Nothing listens on port 1, and nothing here connects before a scrape. Ours are
	// listed first: their ordering must put them after Spring Boot's own.
	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(BullMqHealthContributorAutoConfiguration.class,
				BullMqMetricsAutoConfiguration.class, DataRedisAutoConfiguration.class, MetricsAutoConfiguration.class,
				SimpleMetricsExportAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class))
		.withPropertyValues("spring.data.redis.host=127.0.0.1", "spring.data.redis.port=1");

	@Test
	void createsTheReaderTheCacheTheBinderAndTheScrapeAdvisor() {
		this.contextRunner.withPropertyValues("bullmq.queues[0]=emails").run((context) -> {
			assertThat(context).hasSingleBean(LettuceBullMqReader.class)
				.hasSingleBean(SnapshotCache.class)
				.hasSingleBean(BullMqMetrics.class)
				.hasSingleBean(BullMqScrapeAdvisor.class);
			assertThat(context.getBean(BullMqProperties.class).getQueues()).containsExactly("emails");
		});
	}

	@Test
	void bootBindsTheMetersToTheRegistry() {
		this.contextRunner.withPropertyValues("bullmq.queues[0]=emails", "bullmq.metrics.tags.env=Production")
			.run((context) -> assertThat(context.getBean(MeterRegistry.class)
				.find(BullMqMeters.EXPORTER_UP)
				.tag("env", "Production")
				.gauge()).isNotNull());
	}

	@Test
	void anUnreachableRedisDoesNotFailStartUpAndReportsDown() {
		this.contextRunner.withPropertyValues("bullmq.queues[0]=emails").run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context.getBean(MeterRegistry.class).get(BullMqMeters.EXPORTER_UP).gauge().value()).isZero();
		});
	}

	@Test
	void discoversQueuesWhenNoneIsListedAndSaysSoInOneStartUpLine(CapturedOutput output) {
		this.contextRunner.withPropertyValues("bullmq.prefix={jobs}").run((context) -> {
			assertThat(context).hasSingleBean(DiscoveredQueues.class);
			assertThat(output).containsOnlyOnce("Exporting BullMQ metrics for every queue discovered under the prefix "
					+ "'{jobs}' (discovery runs every 60s); Redis is read at most once every 5s "
					+ "(bullmq.metrics.cache-ttl)");
		});
	}

	@Test
	void saysInOneStartUpLineHowManyQueuesAreListed(CapturedOutput output) {
		this.contextRunner
			.withPropertyValues("bullmq.queues[0]=emails", "bullmq.queues[1]=reports", "bullmq.metrics.cache-ttl=250ms")
			.run((context) -> assertThat(output).containsOnlyOnce("Exporting BullMQ metrics for 2 listed queues "
					+ "under the prefix 'bull'; Redis is read at most once every 250ms (bullmq.metrics.cache-ttl)"));
	}

	@Test
	void doesNotDiscoverWhenQueuesAreListed() {
		this.contextRunner.withPropertyValues("bullmq.queues[0]=emails")
			.run((context) -> assertThat(context).doesNotHaveBean(DiscoveredQueues.class));
	}

	@Test
	void failsStartUpOnANonPositiveDiscoveryInterval() {
		assertStartUpFails("bullmq.discovery.interval=0s", "bullmq.discovery.interval", "must be positive");
	}

	@Test
	void failsStartUpOnAMaximumBelowOne() {
		assertStartUpFails("bullmq.discovery.max-queues=0", "bullmq.discovery.max-queues", "at least 1");
	}

	@Test
	void backsOffWhenDisabled() {
		this.contextRunner.withPropertyValues("bullmq.metrics.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(BullMqMetrics.class)
				.doesNotHaveBean(SnapshotCache.class)
				.doesNotHaveBean(BullMqReader.class));
	}

	@Test
	void backsOffWithoutSpringDataRedis() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(RedisConnectionFactory.class))
			.run((context) -> assertThat(context).doesNotHaveBean(BullMqMetrics.class));
	}

	@Test
	void backsOffWithoutAMeterRegistry() {
		new ApplicationContextRunner()
			.withConfiguration(
					AutoConfigurations.of(DataRedisAutoConfiguration.class, BullMqMetricsAutoConfiguration.class))
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(BullMqMetrics.class));
	}

	@Test
	void needsNoActuatorForTheMeters() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(OperationInvokerAdvisor.class))
			.run((context) -> assertThat(context).hasSingleBean(BullMqMetrics.class)
				.doesNotHaveBean(BullMqScrapeAdvisor.class));
	}

	@Test
	void backsOffFromAUsersOwnReader() {
		this.contextRunner.withUserConfiguration(UserReaderConfiguration.class)
			.withPropertyValues("bullmq.queues[0]=emails")
			.run((context) -> {
				assertThat(context).hasSingleBean(BullMqReader.class).doesNotHaveBean(LettuceBullMqReader.class);
				assertThat(context.getBean(MeterRegistry.class).get(BullMqMeters.EXPORTER_UP).gauge().value())
					.isEqualTo(1);
			});
	}

	@Test
	void backsOffFromAUsersOwnBinder() {
		this.contextRunner.withUserConfiguration(UserBinderConfiguration.class)
			.run((context) -> assertThat(context).getBean(BullMqMetrics.class).isSameAs(context.getBean("userBinder")));
	}

	@Test
	void contributesAHealthThatIsUnknownWhileRedisCannotBeRead() {
		this.contextRunner.withPropertyValues("bullmq.queues[0]=emails").run((context) -> {
			Health health = context.getBean(BullMqHealthIndicator.class).health();
			assertThat(health.getStatus()).isEqualTo(Status.UNKNOWN);
			assertThat(health.getDetails()).containsKeys("lastRead", "error");
			// Refused at once, or, on a machine busy enough to slow Lettuce's first
			// start, a timeout.
			assertThat(health.getDetails().get("cause")).isIn("connection", "timeout");
			assertThat((String) health.getDetails().get("error")).contains("127.0.0.1:1");
		});
	}

	@Test
	void contributesAHealthThatIsDownWhileRedisCannotBeReadWhenAskedTo() {
		this.contextRunner.withPropertyValues("bullmq.queues[0]=emails", "bullmq.health.down-on-failure=true")
			.run((context) -> {
				Health health = context.getBean(BullMqHealthIndicator.class).health();
				assertThat(health.getStatus()).isEqualTo(Status.DOWN);
				assertThat(health.getDetails()).containsKeys("cause", "error");
			});
	}

	@Test
	void contributesAHealthThatShowsAQueueWithNoDataAsMissing() {
		this.contextRunner.withUserConfiguration(UserReaderConfiguration.class)
			.withPropertyValues("bullmq.queues[0]=emails", "bullmq.queues[1]=typo")
			.run((context) -> assertThat(context.getBean(BullMqHealthIndicator.class).health().getDetails())
				.containsEntry("queues", Map.of("emails", Map.of("paused", true), "typo", Map.of("missing", true))));
	}

	@Test
	void namesTheRedisItCannotReachAndThePropertiesThatSetIt() {
		this.contextRunner.withPropertyValues("bullmq.queues[0]=emails").run((context) -> {
			RedisTarget target = context.getBean(RedisTarget.class);
			assertThat(target.description())
				.isEqualTo("127.0.0.1:1 (set by spring.data.redis.host and spring.data.redis.port)");
		});
		this.contextRunner.withPropertyValues("bullmq.queues[0]=emails", "spring.data.redis.url=redis://127.0.0.1:2")
			.run((context) -> assertThat(context.getBean(RedisTarget.class).description())
				.isEqualTo("127.0.0.1:2 (set by spring.data.redis.url)"));
		this.contextRunner
			.withPropertyValues("bullmq.queues[0]=emails", "spring.data.redis.cluster.nodes=127.0.0.1:3,127.0.0.1:4")
			.run((context) -> assertThat(context.getBean(RedisTarget.class).description())
				.isEqualTo("the cluster nodes 127.0.0.1:3, 127.0.0.1:4 (set by spring.data.redis.cluster.nodes)"));
		this.contextRunner
			.withPropertyValues("bullmq.queues[0]=emails", "spring.data.redis.sentinel.master=main",
					"spring.data.redis.sentinel.nodes=127.0.0.1:5")
			.run((context) -> assertThat(context.getBean(RedisTarget.class).description())
				.isEqualTo("the master 'main' of the Sentinels 127.0.0.1:5 "
						+ "(set by spring.data.redis.sentinel.master and spring.data.redis.sentinel.nodes)"));
		this.contextRunner.withUserConfiguration(UserConnectionFactoryConfiguration.class)
			.withPropertyValues("bullmq.queues[0]=emails")
			.run((context) -> assertThat(context.getBean(RedisTarget.class).description())
				.isEqualTo("127.0.0.1:7 (set by the RedisConnectionFactory bean 'jobsRedis')"));
	}

	@Test
	void contributesAHealthThatListsWhetherEachQueueIsPaused() {
		this.contextRunner.withUserConfiguration(UserReaderConfiguration.class)
			.withPropertyValues("bullmq.queues[0]=emails")
			.run((context) -> {
				Health health = context.getBean(BullMqHealthIndicator.class).health();
				assertThat(health.getStatus()).isEqualTo(Status.UP);
				assertThat(health.getDetails()).containsEntry("queues", Map.of("emails", Map.of("paused", true)));
			});
	}

	@Test
	void contributesOneHealthFromTheAutoConfigurationsThatTheJarListsAndNoneWhenDisabled() {
		List<Class<?>> listed = new ArrayList<>();
		for (String name : ImportCandidates.load(AutoConfiguration.class, getClass().getClassLoader())) {
			if (name.startsWith("io.github.bullmqmetrics.")) {
				listed.add(ClassUtils.resolveClassName(name, getClass().getClassLoader()));
			}
		}
		// The Spring Boot 3.5 contributor is listed too, and backs off here.
		assertThat(listed).extracting(Class::getSimpleName).contains("BullMqBoot3HealthContributorAutoConfiguration");
		ApplicationContextRunner runner = new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(listed.toArray(Class<?>[]::new)))
			.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class, MetricsAutoConfiguration.class,
					SimpleMetricsExportAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class))
			.withPropertyValues("spring.data.redis.host=127.0.0.1", "spring.data.redis.port=1",
					"bullmq.queues[0]=emails");
		runner.run((context) -> assertThat(context).hasSingleBean(HealthIndicator.class)
			.getBean("bullmqHealthIndicator")
			.isInstanceOf(BullMqHealthIndicator.class));
		runner.withPropertyValues("bullmq.metrics.enabled=false")
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(HealthIndicator.class));
	}

	@Test
	void healthCanBeTurnedOff() {
		this.contextRunner.withPropertyValues("management.health.bullmq.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(BullMqHealthIndicator.class)
				.hasSingleBean(BullMqMetrics.class));
	}

	@Test
	void failsStartUpOnATypoInABullMqPropertyAndSaysWhichOneWasMeant() {
		this.contextRunner
			.withPropertyValues("bullmq.queue[0]=emails", "bullmq.metrics.cache-tll=1s", "bullmq.discovery.includes=a*",
					"bullmq.metrics.tag.env=prod")
			.run((context) -> {
				assertThat(context).hasFailed();
				String message = NestedExceptionUtils.getMostSpecificCause(context.getStartupFailure()).getMessage();
				assertThat(message)
					.contains("Unknown property 'bullmq.queue[0]' (from \"bullmq.queue[0]\" from property source "
							+ "\"test\"): did you mean 'bullmq.queues'?")
					.contains("Unknown property 'bullmq.metrics.cache-tll'")
					.contains("did you mean 'bullmq.metrics.cache-ttl'?")
					.contains("did you mean 'bullmq.discovery.include'?")
					.contains("did you mean 'bullmq.metrics.tags'?");
			});
	}

	@Test
	void startsWithAnUnknownBullMqPropertyFarFromEveryKnownOneAndWarnsAboutIt(CapturedOutput output) {
		this.contextRunner
			.withPropertyValues("bullmq.queues[0]=emails", "bullmq.metrics.some-future-feature.enabled=true",
					"bullmq.metrics.tags.env=prod", "bullmq.metrics.cache-ttl=1s")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(output).containsOnlyOnce("Ignoring bullmq properties that this version of bullmq-metrics "
						+ "does not know (set for a newer version?): bullmq.metrics.some-future-feature.enabled (from")
					.doesNotContain("bullmq.metrics.tags.env (from")
					.doesNotContain("bullmq.queues[0] (from");
			});
	}

	@Test
	void knowsEveryRelaxedFormOfItsProperties() {
		KnownProperties known = KnownProperties.load(getClass().getClassLoader());
		assertThat(known.names()).contains("bullmq.queues", "bullmq.metrics.cache-ttl",
				"bullmq.health.down-on-failure");
		assertThat(known.isKnown("bullmq.queues[3]")).isTrue();
		assertThat(known.isKnown("bullmq.metrics.tags.region")).isTrue();
		// BULLMQ_METRICS_CACHE_TTL, as Spring Boot maps an environment variable.
		assertThat(known.isKnown("bullmq.metrics.cache.ttl")).isTrue();
		assertThat(known.isKnown("bullmq.queue[0]")).isFalse();
		assertThat(known.closest("bullmq.nonsense")).isNull();
	}

	@Test
	void failsStartUpWithAClearMessageWhenTheRedisClientIsNotLettuce() {
		this.contextRunner
			.withBean("redisConnectionFactory", RedisConnectionFactory.class,
					() -> Mockito.mock(RedisConnectionFactory.class))
			.run((context) -> {
				assertThat(context).hasFailed();
				FailureAnalysis analysis = new LettuceRequiredFailureAnalyzer().analyze(context.getStartupFailure());
				assertThat(analysis.getDescription()).contains("Lettuce").contains("RedisConnectionFactory");
				assertThat(analysis.getAction()).contains("bullmq.metrics.enabled=false");
			});
	}

	@Test
	void failsStartUpOnABlankQueueName() {
		assertStartUpFails("bullmq.queues[0]= ", "bullmq.queues[0]", "must not be empty or blank");
	}

	@Test
	void failsStartUpOnAQueueNameWithAColon() {
		assertStartUpFails("bullmq.queues[0]=a:b", "bullmq.queues[0]", "must not contain ':'");
	}

	@Test
	void failsStartUpOnAQueueListedTwice() {
		this.contextRunner.withPropertyValues("bullmq.queues[0]=a", "bullmq.queues[1]=a")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("bullmq.queues[1]")
				.hasMessageContaining("a second time"));
	}

	@Test
	void failsStartUpOnABlankPrefix() {
		assertStartUpFails("bullmq.prefix= ", "bullmq.prefix", "must not be empty or blank");
	}

	@Test
	void failsStartUpOnATagNameThatIsNotAPrometheusLabelName() {
		assertStartUpFails("bullmq.metrics.tags.bad-key=x", "bullmq.metrics.tags", "Invalid tag name 'bad-key'");
		assertStartUpFails("bullmq.metrics.tags.1x=x", "bullmq.metrics.tags", "Invalid tag name '1x'");
	}

	@Test
	void rejectsAnEmptyTagName() {
		BullMqProperties properties = new BullMqProperties();
		properties.getMetrics().getTags().put("", "x");
		BeanPropertyBindingResult errors = new BeanPropertyBindingResult(properties, "bullmq");
		properties.validate(properties, errors);
		assertThat(errors.getAllErrors()).singleElement()
			.satisfies((error) -> assertThat(error.getDefaultMessage()).contains("Invalid tag name ''"));
	}

	@Test
	void failsStartUpOnATagNameItSetsItself() {
		assertStartUpFails("bullmq.metrics.tags.queue=x", "bullmq.metrics.tags", "is set by bullmq-metrics itself");
	}

	@Test
	void failsStartUpOnANonPositiveTimeout() {
		assertStartUpFails("bullmq.metrics.timeout=0s", "bullmq.metrics.timeout", "must be positive");
	}

	@Test
	void failsStartUpOnANegativeCacheTtl() {
		assertStartUpFails("bullmq.metrics.cache-ttl=-1s", "bullmq.metrics.cache-ttl", "must not be negative");
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
		BullMqReader userReader() {
			// 'emails' is paused; any other queue has no data at all.
			return (queues) -> new BullMqSnapshot(Instant.now(),
					queues.stream()
						.collect(java.util.stream.Collectors.toMap((queue) -> queue,
								(queue) -> new QueueSnapshot(queue, Map.of(), 0, 0, queue.equals("emails"), null,
										queue.equals("emails"), io.github.bullmqmetrics.reader.QueueActivity.UNKNOWN))),
					Map.of());
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UserConnectionFactoryConfiguration {

		@Bean
		LettuceConnectionFactory jobsRedis() {
			return new LettuceConnectionFactory("127.0.0.1", 7);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UserBinderConfiguration {

		@Bean
		BullMqMetrics userBinder(SnapshotCache cache) {
			return new BullMqMetrics(cache, java.util.List.of());
		}

	}

}
