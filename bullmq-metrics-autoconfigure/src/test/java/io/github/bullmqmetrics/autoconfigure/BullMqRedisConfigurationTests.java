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

import io.lettuce.core.ClientOptions;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.health.DataRedisHealthContributorAutoConfiguration;
import org.springframework.boot.data.redis.health.DataRedisHealthIndicator;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthContributors;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

import io.github.bullmqmetrics.micrometer.BullMqMetrics;
import io.github.bullmqmetrics.reader.BullMqReader;
import io.github.bullmqmetrics.reader.RedisTarget;
import io.github.bullmqmetrics.test.TlsCertificates;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for which Redis BullMQ metrics read ({@link BullMqRedisConfiguration}): the
 * application's only factory, the one marked {@link BullMqRedis @BullMqRedis}, the
 * {@code @Primary} one, or a Redis of BullMQ's own from {@code bullmq.redis.*}. Nothing
 * here connects: ports 1 to 9 on 127.0.0.1 have no Redis.
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
			assertThat(context).doesNotHaveBean(SeparateRedisConnection.class);
			assertThat(target(context).connectionFactory()).isSameAs(context.getBean(RedisConnectionFactory.class));
		});
	}

	@Test
	void bullMqRedisPropertiesGiveBullMqARedisOfItsOwnAndLeaveTheApplicationsRedisAlone() {
		this.contextRunner.withPropertyValues("bullmq.redis.host=127.0.0.1", "bullmq.redis.port=2").run((context) -> {
			assertThat(context).hasSingleBean(SeparateRedisConnection.class);
			// Spring Boot's own factory did not back off, and is the only factory bean.
			assertThat(context).hasSingleBean(RedisConnectionFactory.class);
			LettuceConnectionFactory application = context.getBean(LettuceConnectionFactory.class);
			assertThat(application.getPort()).isEqualTo(1);
			assertThat(context.getBean(StringRedisTemplate.class).getConnectionFactory()).isSameAs(application);
			RedisTarget target = target(context);
			assertThat(target.connectionFactory()).isNotSameAs(application)
				.isSameAs(context.getBean(SeparateRedisConnection.class).connectionFactory());
			assertThat(target.description()).isEqualTo("127.0.0.1:2 (set by bullmq.redis.host and bullmq.redis.port)");
		});
	}

	@Test
	void springBootsRedisHealthIndicatorNeverSeesBullMqsOwnRedis() {
		this.contextRunner
			.withConfiguration(AutoConfigurations.of(HealthContributorAutoConfiguration.class,
					DataRedisHealthContributorAutoConfiguration.class))
			.withPropertyValues("bullmq.redis.port=2")
			.run((context) -> {
				DataRedisHealthIndicator indicator = context.getBean("redisHealthContributor",
						DataRedisHealthIndicator.class);
				assertThat(indicator).extracting("redisConnectionFactory")
					.isSameAs(context.getBean(RedisConnectionFactory.class));
			});
	}

	@Test
	void bullMqRedisPropertiesNeedNoRedisConnectionFactoryBeanAtAll() {
		new ApplicationContextRunner()
			.withConfiguration(
					AutoConfigurations.of(MetricsAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class,
							CompositeMeterRegistryAutoConfiguration.class, BullMqMetricsAutoConfiguration.class))
			.withPropertyValues("bullmq.queues[0]=emails", "bullmq.redis.url=redis://127.0.0.1:3")
			.run((context) -> {
				assertThat(context).doesNotHaveBean(RedisConnectionFactory.class)
					.hasSingleBean(BullMqReader.class)
					.hasSingleBean(BullMqMetrics.class);
				assertThat(target(context).description()).isEqualTo("127.0.0.1:3 (set by bullmq.redis.url)");
			});
	}

	@Test
	void withoutAnyRedisTheAutoConfigurationBacksOff() {
		new ApplicationContextRunner()
			.withConfiguration(
					AutoConfigurations.of(MetricsAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class,
							CompositeMeterRegistryAutoConfiguration.class, BullMqMetricsAutoConfiguration.class))
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(BullMqMetrics.class));
	}

	@Test
	void theExporterClosesTheFactoryItOwnsWithTheContext() {
		ConfigurableApplicationContext[] closed = new ConfigurableApplicationContext[1];
		LettuceConnectionFactory[] factory = new LettuceConnectionFactory[1];
		this.contextRunner.withPropertyValues("bullmq.redis.port=4").run((context) -> {
			factory[0] = context.getBean(SeparateRedisConnection.class).connectionFactory();
			assertThat(factory[0].isRunning()).isTrue();
			closed[0] = context.getSourceApplicationContext();
		});
		assertThat(closed[0].isActive()).isFalse();
		assertThat(factory[0].isRunning()).isFalse();
	}

	@Test
	void aPortAloneMeansLocalhost() {
		this.contextRunner.withPropertyValues("bullmq.redis.port=5")
			.run((context) -> assertThat(target(context).description())
				.isEqualTo("localhost:5 (set by bullmq.redis.port)"));
	}

	@Test
	void theUrlOverridesHostPortCredentialsAndDatabaseAndRedissTurnsSslOn() {
		this.contextRunner
			.withPropertyValues("bullmq.redis.url=rediss://jobs:s3cret@127.0.0.1:6/3", "bullmq.redis.host=10.0.0.1",
					"bullmq.redis.port=7", "bullmq.redis.username=other", "bullmq.redis.password=other",
					"bullmq.redis.database=9", "bullmq.redis.timeout=3s", "bullmq.redis.connect-timeout=1500ms")
			.run((context) -> {
				LettuceConnectionFactory factory = context.getBean(SeparateRedisConnection.class).connectionFactory();
				RedisStandaloneConfiguration standalone = factory.getStandaloneConfiguration();
				assertThat(standalone.getHostName()).isEqualTo("127.0.0.1");
				assertThat(standalone.getPort()).isEqualTo(6);
				assertThat(standalone.getDatabase()).isEqualTo(3);
				assertThat(standalone.getUsername()).isEqualTo("jobs");
				assertThat(standalone.getPassword().get()).isEqualTo("s3cret".toCharArray());
				assertThat(factory.isUseSsl()).isTrue();
				assertThat(factory.getClientConfiguration().getCommandTimeout()).isEqualTo(Duration.ofSeconds(3));
				ClientOptions options = factory.getClientConfiguration().getClientOptions().orElseThrow();
				assertThat(options.getSocketOptions().getConnectTimeout()).isEqualTo(Duration.ofMillis(1500));
				assertThat(target(context).description())
					.isEqualTo("127.0.0.1:6, database 3 (set by bullmq.redis.url)");
			});
	}

	@Test
	void hostPortCredentialsAndDatabaseApplyWithoutAUrl() {
		this.contextRunner
			.withPropertyValues("bullmq.redis.host=127.0.0.1", "bullmq.redis.port=8", "bullmq.redis.username=jobs",
					"bullmq.redis.password=s3cret", "bullmq.redis.database=2")
			.run((context) -> {
				LettuceConnectionFactory factory = context.getBean(SeparateRedisConnection.class).connectionFactory();
				RedisStandaloneConfiguration standalone = factory.getStandaloneConfiguration();
				assertThat(standalone.getUsername()).isEqualTo("jobs");
				assertThat(standalone.getPassword().get()).isEqualTo("s3cret".toCharArray());
				assertThat(standalone.getDatabase()).isEqualTo(2);
				assertThat(factory.isUseSsl()).isFalse();
			});
	}

	@Test
	void namesTheClusterAndTheSentinelsAndThePropertiesThatSetThem() {
		this.contextRunner.withPropertyValues("bullmq.redis.cluster.nodes=127.0.0.1:3,127.0.0.1:4")
			.run((context) -> assertThat(target(context).description())
				.isEqualTo("the cluster nodes 127.0.0.1:3, 127.0.0.1:4 (set by bullmq.redis.cluster.nodes)"));
		this.contextRunner
			.withPropertyValues("bullmq.redis.sentinel.master=jobs", "bullmq.redis.sentinel.nodes[0]=127.0.0.1:5",
					"bullmq.redis.sentinel.password=sentinel-secret", "bullmq.redis.password=data-secret")
			.run((context) -> {
				LettuceConnectionFactory factory = context.getBean(SeparateRedisConnection.class).connectionFactory();
				assertThat(factory.getSentinelConfiguration().getSentinelPassword().get())
					.isEqualTo("sentinel-secret".toCharArray());
				assertThat(factory.getSentinelConfiguration().getPassword().get())
					.isEqualTo("data-secret".toCharArray());
				assertThat(target(context).description()).isEqualTo("the master 'jobs' of the Sentinels 127.0.0.1:5 "
						+ "(set by bullmq.redis.sentinel.master and bullmq.redis.sentinel.nodes)");
			});
	}

	@Test
	void anSslBundleTurnsSslOnWithItsCertificates() {
		try (TlsCertificates certificates = TlsCertificates.generate()) {
			this.contextRunner
				.withPropertyValues("bullmq.redis.port=9", "bullmq.redis.ssl.bundle=jobs",
						"spring.ssl.bundle.pem.jobs.truststore.certificate=file:" + certificates.caCertificate())
				.run((context) -> {
					LettuceConnectionFactory factory = context.getBean(SeparateRedisConnection.class)
						.connectionFactory();
					assertThat(factory.isUseSsl()).isTrue();
					assertThat(factory.getClientConfiguration().getClientOptions().orElseThrow().getSslOptions())
						.isNotNull();
				});
			this.contextRunner
				.withPropertyValues("bullmq.redis.port=9", "bullmq.redis.ssl.bundle=jobs",
						"bullmq.redis.ssl.enabled=false",
						"spring.ssl.bundle.pem.jobs.truststore.certificate=file:" + certificates.caCertificate())
				.run((context) -> assertThat(
						context.getBean(SeparateRedisConnection.class).connectionFactory().isUseSsl())
					.as("ssl.enabled=false wins, as in spring.data.redis")
					.isFalse());
		}
	}

	@Test
	void failsStartUpOnAnSslBundleThatDoesNotExistAndNamesTheProperty() {
		this.contextRunner.withPropertyValues("bullmq.redis.port=9", "bullmq.redis.ssl.bundle=nope")
			.run((context) -> assertThat(context).getFailure()
				.hasStackTraceContaining("Property bullmq.redis.ssl.bundle with value 'nope' is invalid")
				.hasStackTraceContaining("spring.ssl.bundle.pem.nope"));
	}

	@Test
	void failsStartUpOnWrongBullMqRedisPropertiesAndNamesThem() {
		assertStartUpFails("bullmq.redis.url=http://127.0.0.1:6379", "bullmq.redis.url must start with redis://");
		assertStartUpFails("bullmq.redis.port=0", "bullmq.redis.port must be between 1 and 65535");
		assertStartUpFails("bullmq.redis.cluster.nodes=127.0.0.1", "bullmq.redis.cluster.nodes[0] must be host:port");
		assertStartUpFails("bullmq.redis.sentinel.master=jobs",
				"bullmq.redis.sentinel.master is set but bullmq.redis.sentinel.nodes is not");
		assertStartUpFails("bullmq.redis.timeout=0s", "bullmq.redis.timeout must be positive");
		assertStartUpFails("bullmq.redis.connect-timeout=-1s", "bullmq.redis.connect-timeout must be positive");
	}

	@Test
	void aUrlThatCannotBeReadIsRejectedWithoutRepeatingThePassword() {
		this.contextRunner.withPropertyValues("bullmq.redis.url=redis://user:s3cret@127.0.0.1:6379/x")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("bullmq.redis.url must end with a database number")
				.satisfies((failure) -> assertThat(failure.getMessage()).doesNotContain("s3cret")));
	}

	@Test
	void failsStartUpWhenConnectionSettingsAreSetButNotWhereBullMqsRedisIs() {
		assertStartUpFails("bullmq.redis.password=secret",
				"bullmq.redis.password is set, but nothing says where BullMQ's own Redis is");
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
				.contains("bullmq.redis.url")
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
	void severalFactoriesDoNotMatterWhenBullMqRedisPropertiesAreSet() {
		this.contextRunner.withUserConfiguration(TwoFactories.class)
			.withPropertyValues("bullmq.redis.port=8")
			.run((context) -> assertThat(target(context).description())
				.isEqualTo("localhost:8 (set by bullmq.redis.port)"));
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

	@Test
	void backsOffFromAUsersOwnTarget() {
		this.contextRunner.withUserConfiguration(UserTarget.class)
			.withPropertyValues("bullmq.redis.port=8")
			.run((context) -> assertThat(context).doesNotHaveBean(SeparateRedisConnection.class)
				.getBean(RedisTarget.class)
				.isSameAs(context.getBean("userTarget")));
	}

	private void assertStartUpFails(String property, String message) {
		this.contextRunner.withPropertyValues(property).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context).getFailure().rootCause().hasMessageContaining(message);
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

	@Configuration(proxyBeanMethods = false)
	static class UserTarget {

		@Bean
		RedisTarget userTarget() {
			return RedisTarget.of(new LettuceConnectionFactory("127.0.0.1", 9));
		}

	}

}
