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
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

import io.github.bullmqmetrics.micrometer.BullMqMeters;
import io.github.bullmqmetrics.test.Await;
import io.github.bullmqmetrics.test.BullMq;
import io.github.bullmqmetrics.test.BullMq.QueueSpec;
import io.github.bullmqmetrics.test.BullMq.Version;
import io.github.bullmqmetrics.test.RedisServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * An application with two real Redis servers, its own cache in one and BullMQ's queues,
 * written by real BullMQ, in the other, and two {@code RedisConnectionFactory} beans: the
 * exporter reads the one marked {@link BullMqRedis @BullMqRedis} or the {@code @Primary}
 * one, and sends nothing to the other; with neither, start-up fails with a clear message.
 *
 * @author bullmq-metrics authors
 */
@ExtendWith(OutputCaptureExtension.class)
class TwoRedisServersTests {

	private static final String QUEUE = "reports";

	private static final String CACHE_KEY = "cache:greeting";

	private static RedisServer cacheRedis;

	private static RedisServer bullMqRedis;

	private static Map<String, Long> bullMqCounts;

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class, SslAutoConfiguration.class,
				MetricsAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class,
				CompositeMeterRegistryAutoConfiguration.class, BullMqMetricsAutoConfiguration.class))
		.withPropertyValues("bullmq.queues[0]=" + QUEUE, "bullmq.metrics.cache-ttl=0s");

	@BeforeAll
	static void startBothRedisServers() {
		cacheRedis = RedisServer.startLocal();
		bullMqRedis = RedisServer.startLocal();
		cacheRedis.commands().set(CACHE_KEY, "hello");
		bullMqCounts = BullMq.seed(bullMqRedis.url(), Version.V6, "bull", List.of(QueueSpec.everyState(QUEUE)))
			.get(QUEUE);
	}

	@AfterAll
	static void stopBothRedisServers() {
		if (cacheRedis != null) {
			cacheRedis.close();
		}
		if (bullMqRedis != null) {
			bullMqRedis.close();
		}
	}

	@Test
	void readsTheFactoryMarkedBullMqRedisBesideSpringBootsOwn() {
		this.contextRunner.withUserConfiguration(MarkedJobsRedis.class)
			.withPropertyValues("spring.data.redis.host=" + cacheRedis.host(),
					"spring.data.redis.port=" + cacheRedis.port())
			.run((context) -> {
				assertReadsBullMqsRedisAlone(context);
				assertThat(context.getBean(StringRedisTemplate.class).opsForValue().get(CACHE_KEY)).isEqualTo("hello");
			});
	}

	@Test
	void readsTheFactoryMarkedBullMqRedisEvenWhenTheOtherIsPrimary() {
		this.contextRunner.withUserConfiguration(PrimaryCacheRedisAndMarkedJobsRedis.class)
			.run(this::assertReadsBullMqsRedisAlone);
	}

	@Test
	void readsThePrimaryOfTwoFactories() {
		this.contextRunner.withUserConfiguration(PrimaryJobsRedis.class).run(this::assertReadsBullMqsRedisAlone);
	}

	@Test
	void failsStartUpWithAClearMessageWhenNoneOfTwoFactoriesIsChosen() {
		this.contextRunner.withUserConfiguration(TwoFactories.class).run((context) -> {
			assertThat(context).hasFailed();
			FailureAnalysis analysis = new AmbiguousRedisFailureAnalyzer().analyze(context.getStartupFailure());
			assertThat(analysis).isNotNull();
			assertThat(analysis.getDescription()).contains("'cacheRedis', 'jobsRedis'");
			assertThat(analysis.getAction()).contains("@BullMqRedis").contains("@Primary").contains("bullmq.redis");
		});
	}

	@Test
	void springBootReportsThatFailureAsAnAnalysisThatSaysHowToChoose(CapturedOutput output) {
		assertThatException()
			.isThrownBy(() -> new SpringApplicationBuilder(AmbiguousApplication.class).web(WebApplicationType.NONE)
				.run("--bullmq.queues[0]=" + QUEUE, "--spring.main.banner-mode=off"));
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("bullmq-metrics cannot tell which Redis BullMQ's queues are in: the application has 2 "
					+ "RedisConnectionFactory beans ('cacheRedis', 'jobsRedis'), none of them is @Primary, and none "
					+ "is marked @BullMqRedis.")
			.contains("Tell bullmq-metrics which Redis to read, in one of these ways:");
	}

	private void assertReadsBullMqsRedisAlone(AssertableApplicationContext context) {
		assertThat(context).hasNotFailed();
		MeterRegistry registry = context.getBean(MeterRegistry.class);
		Await.until(Duration.ofSeconds(30), () -> registry.get(BullMqMeters.EXPORTER_UP).gauge().value() == 1,
				"a successful read");
		Map<String, Long> cacheBefore = cacheRedis.commandCalls();
		Map<String, Long> bullMqBefore = bullMqRedis.commandCalls();
		for (int i = 0; i < 10; i++) {
			bullMqCounts.forEach((state,
					count) -> assertThat(registry.get(BullMqMeters.JOB_COUNT)
						.tag(BullMqMeters.QUEUE, QUEUE)
						.tag(BullMqMeters.STATE, state)
						.gauge()
						.value()).as(state).isEqualTo(count.doubleValue()));
		}
		Map<String, Long> cacheCalls = difference(cacheBefore, cacheRedis.commandCalls());
		cacheCalls.remove("info");
		assertThat(cacheCalls).as("commands the cache's Redis received during the reads").isEmpty();
		assertThat(difference(bullMqBefore, bullMqRedis.commandCalls())).containsKey("eval_ro");
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

	private static LettuceConnectionFactory factory(RedisServer redis) {
		return new LettuceConnectionFactory(redis.host(), redis.port());
	}

	@Configuration(proxyBeanMethods = false)
	static class MarkedJobsRedis {

		// Not a default candidate: Spring Boot's own factory, from spring.data.redis.*,
		// stays the application's.
		@Bean(defaultCandidate = false)
		@BullMqRedis
		LettuceConnectionFactory jobsRedis() {
			return factory(bullMqRedis);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class PrimaryCacheRedisAndMarkedJobsRedis {

		@Bean
		@Primary
		LettuceConnectionFactory cacheRedis() {
			return factory(cacheRedis);
		}

		@Bean
		@BullMqRedis
		LettuceConnectionFactory jobsRedis() {
			return factory(bullMqRedis);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class PrimaryJobsRedis {

		@Bean
		LettuceConnectionFactory cacheRedis() {
			return factory(cacheRedis);
		}

		@Bean
		@Primary
		LettuceConnectionFactory jobsRedis() {
			return factory(bullMqRedis);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	@Import(TwoFactories.class)
	static class AmbiguousApplication {

	}

	@Configuration(proxyBeanMethods = false)
	static class TwoFactories {

		@Bean
		LettuceConnectionFactory cacheRedis() {
			return factory(cacheRedis);
		}

		@Bean
		LettuceConnectionFactory jobsRedis() {
			return factory(bullMqRedis);
		}

	}

}
