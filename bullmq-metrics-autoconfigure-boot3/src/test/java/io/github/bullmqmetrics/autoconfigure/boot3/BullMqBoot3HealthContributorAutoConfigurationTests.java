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
package io.github.bullmqmetrics.autoconfigure.boot3;

import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.data.redis.RedisAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import io.github.bullmqmetrics.autoconfigure.BullMqMetricsAutoConfiguration;
import io.github.bullmqmetrics.micrometer.BullMqMetrics;
import io.github.bullmqmetrics.micrometer.SnapshotCache;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link BullMqBoot3HealthContributorAutoConfiguration}, and for the rest of
 * the auto-configuration on Spring Boot 3.5's own auto-configurations.
 *
 * @author bullmq-metrics authors
 */
class BullMqBoot3HealthContributorAutoConfigurationTests {

	// Nothing listens on port 1. Ours are listed first: their ordering must put them
	// after Spring Boot 3.5's Redis and metrics auto-configurations, or they back off.
	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(BullMqBoot3HealthContributorAutoConfiguration.class,
				BullMqMetricsAutoConfiguration.class, RedisAutoConfiguration.class, MetricsAutoConfiguration.class,
				SimpleMetricsExportAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class))
		.withPropertyValues("spring.data.redis.host=127.0.0.1", "spring.data.redis.port=1", "bullmq.queues[0]=emails");

	@Test
	void comesAfterSpringBoot35sRedisAndMetricsAutoConfigurations() {
		this.contextRunner.run((context) -> assertThat(context).hasSingleBean(SnapshotCache.class)
			.hasSingleBean(BullMqMetrics.class)
			.hasSingleBean(BullMqBoot3HealthIndicator.class));
	}

	@Test
	void contributesAHealthNamedBullMqThatIsUnknownWhileRedisCannotBeRead() {
		this.contextRunner.run((context) -> {
			assertThat(context).getBean("bullmqHealthIndicator").isInstanceOf(HealthIndicator.class);
			Health health = context.getBean(BullMqBoot3HealthIndicator.class).health();
			assertThat(health.getStatus()).isEqualTo(Status.UNKNOWN);
			assertThat(health.getDetails()).containsKeys("lastRead", "lastReadDuration", "cause", "error");
			assertThat((String) health.getDetails().get("error")).contains("127.0.0.1:1");
		});
	}

	@Test
	void contributesAHealthThatIsDownWhileRedisCannotBeReadWhenAskedTo() {
		this.contextRunner.withPropertyValues("bullmq.health.down-on-failure=true")
			.run((context) -> assertThat(context.getBean(BullMqBoot3HealthIndicator.class).health().getStatus())
				.isEqualTo(Status.DOWN));
	}

	@Test
	void healthCanBeTurnedOff() {
		this.contextRunner.withPropertyValues("management.health.bullmq.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(BullMqBoot3HealthIndicator.class)
				.hasSingleBean(BullMqMetrics.class));
	}

	@Test
	void contributesNoHealthWhenMetricsAreDisabled() {
		this.contextRunner.withPropertyValues("bullmq.metrics.enabled=false")
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(BullMqBoot3HealthIndicator.class));
	}

	@Test
	void backsOffWithoutActuatorsHealthApi() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(HealthIndicator.class))
			.run((context) -> assertThat(context).doesNotHaveBean(BullMqBoot3HealthIndicator.class)
				.hasSingleBean(BullMqMetrics.class));
	}

}
