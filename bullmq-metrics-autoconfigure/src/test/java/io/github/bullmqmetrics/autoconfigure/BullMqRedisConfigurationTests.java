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

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.health.DataRedisHealthContributorAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthContributors;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

import io.github.bullmqmetrics.reader.RedisTarget;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for which Redis BullMQ metrics read ({@link BullMqRedisConfiguration}): the
 * application's only factory, the one marked {@link BullMqRedis @BullMqRedis}, or the
 * {@code @Primary} one. Nothing here connects: ports 1 to 9 on 127.0.0.1 have no Redis.
 *
 * @author bullmq-metrics authors
 */
class BullMqRedisConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class, SslAutoConfiguration.class,
				MetricsAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class,
				CompositeMeterRegistryAutoConfiguration.class, BullMqMetricsAutoConfiguration.class))
		.withPropertyValues("spring.data.redis.host=127.0.0.1", "spring.data.redis.port=1", "bullmq.queues[0]=emails");

	@Test
	void readsTheApplicationsOnlyRedisWhenNothingElseIsSet() {
		this.contextRunner.run((context) -> {
			assertThat(target(context).connectionFactory()).isSameAs(context.getBean(RedisConnectionFactory.class));
		});
	}

	@Test
	void readsTheFactoryMarkedBullMqRedisEvenWhenAnotherIsPrimary() {
		this.contextRunner.withUserConfiguration(MarkedAndPrimaryFactories.class)
			.run((context) -> assertThat(target(context).description())
				.isEqualTo("127.0.0.1:7 (set by the @BullMqRedis RedisConnectionFactory bean 'jobsRedis')"));
	}

	@Test
	void readsThePrimaryFactoryOfSeveral() {
		this.contextRunner.withUserConfiguration(PrimaryFactory.class)
			.run((context) -> assertThat(target(context).description())
				.isEqualTo("127.0.0.1:6 (set by the @Primary RedisConnectionFactory bean 'appRedis')"));
	}

	@Test
	void failsStartUpWithAClearMessageWhenSeveralFactoriesAndNoneIsChosen() {
		this.contextRunner.withUserConfiguration(TwoFactories.class).run((context) -> {
			assertThat(context).hasFailed();
			FailureAnalysis analysis = new AmbiguousRedisFailureAnalyzer().analyze(context.getStartupFailure());
			assertThat(analysis).isNotNull();
			assertThat(analysis.getDescription()).isEqualTo("bullmq-metrics cannot tell which Redis BullMQ's queues "
					+ "are in: the application has 2 RedisConnectionFactory beans ('appRedis', 'jobsRedis'), none of "
					+ "them is @Primary, and none is marked @BullMqRedis.");
			assertThat(analysis.getAction())
				.contains("@BullMqRedis (io.github.bullmqmetrics.autoconfigure.BullMqRedis)")
				.contains("@Primary")
				.contains("bullmq.metrics.enabled=false");
		});
	}

	@Test
	void failsStartUpWithAClearMessageWhenSeveralFactoriesAreMarked() {
		this.contextRunner.withUserConfiguration(TwoMarkedFactories.class).run((context) -> {
			FailureAnalysis analysis = new AmbiguousRedisFailureAnalyzer().analyze(context.getStartupFailure());
			assertThat(analysis).isNotNull();
			assertThat(analysis.getDescription()).contains("2 RedisConnectionFactory beans are marked @BullMqRedis")
				.contains("'jobsRedis'")
				.contains("'otherJobsRedis'");
			assertThat(analysis.getAction()).contains("mark only the factory of BullMQ's Redis with @BullMqRedis");
		});
	}

	@Test
	void aMarkedFactoryThatIsNoDefaultCandidateLeavesSpringBootsOwnFactoryInPlace() {
		this.contextRunner.withUserConfiguration(MarkedNonDefaultCandidate.class)
			.withConfiguration(AutoConfigurations.of(HealthContributorAutoConfiguration.class,
					DataRedisHealthContributorAutoConfiguration.class))
			.run((context) -> {
				assertThat(context).hasBean("redisConnectionFactory");
				LettuceConnectionFactory application = (LettuceConnectionFactory) context
					.getBean("redisConnectionFactory");
				assertThat(application.getPort()).isEqualTo(1);
				assertThat(context.getBean(StringRedisTemplate.class).getConnectionFactory()).isSameAs(application);
				assertThat(target(context).description())
					.isEqualTo("127.0.0.1:7 (set by the @BullMqRedis RedisConnectionFactory bean 'jobsRedis')");
				// Spring Boot's redis indicator watches every factory bean, this one too.
				assertThat(context.getBean("redisHealthContributor", CompositeHealthContributor.class)
					.stream()
					.map(HealthContributors.Entry::name))
					.containsExactlyInAnyOrder("jobsRedis", "redisConnectionFactory");
			});
	}

	private static RedisTarget target(org.springframework.context.ApplicationContext context) {
		return context.getBean(RedisTarget.class);
	}

	@Configuration(proxyBeanMethods = false)
	static class MarkedAndPrimaryFactories {

		@Bean
		@Primary
		LettuceConnectionFactory appRedis() {
			return new LettuceConnectionFactory("127.0.0.1", 6);
		}

		@Bean
		@BullMqRedis
		LettuceConnectionFactory jobsRedis() {
			return new LettuceConnectionFactory("127.0.0.1", 7);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class PrimaryFactory {

		@Bean
		@Primary
		LettuceConnectionFactory appRedis() {
			return new LettuceConnectionFactory("127.0.0.1", 6);
		}

		@Bean
		LettuceConnectionFactory jobsRedis() {
			return new LettuceConnectionFactory("127.0.0.1", 7);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class TwoFactories {

		@Bean
		LettuceConnectionFactory appRedis() {
			return new LettuceConnectionFactory("127.0.0.1", 6);
		}

		@Bean
		LettuceConnectionFactory jobsRedis() {
			return new LettuceConnectionFactory("127.0.0.1", 7);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class TwoMarkedFactories {

		@Bean
		@BullMqRedis
		LettuceConnectionFactory jobsRedis() {
			return new LettuceConnectionFactory("127.0.0.1", 6);
		}

		@Bean
		@BullMqRedis
		LettuceConnectionFactory otherJobsRedis() {
			return new LettuceConnectionFactory("127.0.0.1", 7);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class MarkedNonDefaultCandidate {

		@Bean(defaultCandidate = false)
		@BullMqRedis
		LettuceConnectionFactory jobsRedis() {
			return new LettuceConnectionFactory("127.0.0.1", 7);
		}

	}

}
