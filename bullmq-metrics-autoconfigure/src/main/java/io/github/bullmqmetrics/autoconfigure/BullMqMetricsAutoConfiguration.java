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

import java.util.List;
import java.util.function.Supplier;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.endpoint.invoke.OperationInvokerAdvisor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.util.ClassUtils;

import io.github.bullmqmetrics.micrometer.BullMqMetrics;
import io.github.bullmqmetrics.micrometer.SnapshotCache;
import io.github.bullmqmetrics.reader.BullMqKeys;
import io.github.bullmqmetrics.reader.BullMqReader;
import io.github.bullmqmetrics.reader.DiscoveredQueues;
import io.github.bullmqmetrics.reader.LettuceBullMqReader;
import io.github.bullmqmetrics.reader.QueueDiscovery;

/**
 * Auto-configuration that exports the state of BullMQ queues, read from the Redis of
 * Spring Data Redis's {@link LettuceConnectionFactory}, as Micrometer meters, with a
 * {@code bullmq} health contributor when Actuator's health support is present.
 *
 * @author bullmq-metrics authors
 */
@AutoConfiguration(afterName = { "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration",
		"org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
		"org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration",
		"org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration" })
@ConditionalOnClass({ RedisConnectionFactory.class, MeterRegistry.class })
@ConditionalOnBean({ RedisConnectionFactory.class, MeterRegistry.class })
@ConditionalOnBooleanProperty(name = "bullmq.metrics.enabled", matchIfMissing = true)
@EnableConfigurationProperties(BullMqProperties.class)
public final class BullMqMetricsAutoConfiguration {

	private static final Log logger = LogFactory.getLog(BullMqMetricsAutoConfiguration.class);

	private static final String LETTUCE_CLIENT = "io.lettuce.core.RedisClient";

	@Bean
	@ConditionalOnMissingBean
	BullMqReader bullMqReader(RedisConnectionFactory connectionFactory, BullMqProperties properties) {
		return new LettuceBullMqReader(lettuce(connectionFactory), new BullMqKeys(properties.getPrefix()),
				properties.getMetrics().getTimeout());
	}

	@Bean(destroyMethod = "close")
	@ConditionalOnMissingBean
	SnapshotCache bullMqSnapshotCache(BullMqReader reader, BullMqProperties properties,
			ObjectProvider<DiscoveredQueues> discoveredQueues) {
		DiscoveredQueues discovered = discoveredQueues.getIfAvailable();
		List<String> listed = List.copyOf(properties.getQueues());
		Supplier<List<String>> queues = (discovered != null) ? discovered : () -> listed;
		return new SnapshotCache(() -> reader.read(queues.get()), properties.getMetrics().getCacheTtl(),
				properties.getMetrics().getTimeout());
	}

	@Bean(initMethod = "start", destroyMethod = "close")
	@ConditionalOnMissingBean
	@Conditional(NoQueuesListedCondition.class)
	DiscoveredQueues bullMqDiscoveredQueues(RedisConnectionFactory connectionFactory, BullMqProperties properties,
			ObjectProvider<SnapshotCache> snapshotCache) {
		BullMqProperties.Discovery discovery = properties.getDiscovery();
		logger.info("bullmq.queues is empty: discovering the BullMQ queues under the prefix '" + properties.getPrefix()
				+ "' every " + discovery.getInterval());
		QueueDiscovery queueDiscovery = new QueueDiscovery(lettuce(connectionFactory),
				new BullMqKeys(properties.getPrefix()), discovery.getInclude(), discovery.getExclude(),
				discovery.getMaxQueues(), properties.getMetrics().getTimeout());
		return new DiscoveredQueues(queueDiscovery, discovery.getInterval(),
				() -> snapshotCache.ifAvailable(SnapshotCache::expire));
	}

	@Bean
	@ConditionalOnMissingBean
	BullMqMetrics bullMqMetrics(SnapshotCache snapshotCache, BullMqProperties properties) {
		List<Tag> tags = properties.getMetrics()
			.getTags()
			.entrySet()
			.stream()
			.map((tag) -> Tag.of(tag.getKey(), tag.getValue()))
			.toList();
		return new BullMqMetrics(snapshotCache, tags);
	}

	private static LettuceConnectionFactory lettuce(RedisConnectionFactory connectionFactory) {
		if (!ClassUtils.isPresent(LETTUCE_CLIENT, BullMqMetricsAutoConfiguration.class.getClassLoader())) {
			throw new LettuceRequiredException(
					connectionFactory.getClass().getName() + " and Lettuce is not on the classpath");
		}
		if (connectionFactory instanceof LettuceConnectionFactory lettuce) {
			return lettuce;
		}
		throw new LettuceRequiredException(connectionFactory.getClass().getName());
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(HealthIndicator.class)
	@ConditionalOnEnabledHealthIndicator("bullmq")
	static class HealthConfiguration {

		@Bean
		@ConditionalOnMissingBean(name = "bullmqHealthIndicator")
		BullMqHealthIndicator bullmqHealthIndicator(SnapshotCache snapshotCache) {
			return new BullMqHealthIndicator(snapshotCache);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(OperationInvokerAdvisor.class)
	static class ScrapeConfiguration {

		@Bean
		@ConditionalOnMissingBean
		BullMqScrapeAdvisor bullMqScrapeAdvisor(SnapshotCache snapshotCache) {
			return new BullMqScrapeAdvisor(snapshotCache);
		}

	}

}
