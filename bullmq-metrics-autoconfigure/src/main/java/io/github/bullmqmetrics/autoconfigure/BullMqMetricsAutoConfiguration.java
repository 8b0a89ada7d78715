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
import java.util.List;
import java.util.function.Supplier;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.actuate.endpoint.invoke.OperationInvokerAdvisor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import io.github.bullmqmetrics.micrometer.BullMqMetrics;
import io.github.bullmqmetrics.micrometer.JobDurationMetrics;
import io.github.bullmqmetrics.micrometer.RefreshLog;
import io.github.bullmqmetrics.micrometer.SnapshotCache;
import io.github.bullmqmetrics.reader.BullMqKeys;
import io.github.bullmqmetrics.reader.BullMqReader;
import io.github.bullmqmetrics.reader.DiscoveredQueues;
import io.github.bullmqmetrics.reader.FinishedJobCursors;
import io.github.bullmqmetrics.reader.FinishedJobsPoller;
import io.github.bullmqmetrics.reader.FinishedJobsReader;
import io.github.bullmqmetrics.reader.LettuceFinishedJobsReader;
import io.github.bullmqmetrics.reader.LettuceBullMqReader;
import io.github.bullmqmetrics.reader.QueueDiscovery;
import io.github.bullmqmetrics.reader.RedisTarget;

/**
 * Auto-configuration that exports the state of BullMQ queues, read from the Redis of
 * Spring Data Redis's {@link LettuceConnectionFactory} (the application's, or one of
 * BullMQ's own: see {@link BullMqRedisConfiguration}), as Micrometer meters. The
 * {@code bullmq} health contributor has its own auto-configuration, one for each
 * generation of Spring Boot's health API.
 *
 * @author bullmq-metrics authors
 */
@AutoConfiguration(afterName = {
		// Spring Boot 4
		"org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration",
		"org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
		"org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration",
		"org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
		// Spring Boot 3.5
		"org.springframework.boot.autoconfigure.data.redis.RedisAutoConfiguration",
		"org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration",
		"org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration",
		"org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration" })
@ConditionalOnClass({ RedisConnectionFactory.class, MeterRegistry.class })
@ConditionalOnBean(MeterRegistry.class)
@Conditional(RedisAvailableCondition.class)
@ConditionalOnBooleanProperty(name = "bullmq.metrics.enabled", matchIfMissing = true)
@EnableConfigurationProperties(BullMqProperties.class)
@Import(BullMqRedisConfiguration.class)
public final class BullMqMetricsAutoConfiguration {

	private static final Log logger = LogFactory.getLog(BullMqMetricsAutoConfiguration.class);

	@Bean
	@ConditionalOnMissingBean
	BullMqReader bullMqReader(RedisTarget redisTarget, BullMqProperties properties) {
		BullMqProperties.Metrics metrics = properties.getMetrics();
		return new LettuceBullMqReader(redisTarget, new BullMqKeys(properties.getPrefix()), metrics.getTimeout(),
				metrics.getWorkers().isEnabled(), metrics.getLatency().isEnabled());
	}

	@Bean(destroyMethod = "close")
	@ConditionalOnMissingBean
	SnapshotCache bullMqSnapshotCache(BullMqReader reader, BullMqProperties properties,
			ObjectProvider<DiscoveredQueues> discoveredQueues) {
		DiscoveredQueues discovered = discoveredQueues.getIfAvailable();
		Supplier<List<String>> queues = queues(properties, discoveredQueues);
		BullMqProperties.Metrics metrics = properties.getMetrics();
		SnapshotCache cache = new SnapshotCache(() -> reader.read(queues.get()), metrics.getCacheTtl(),
				metrics.getTimeout());
		cache.addListener(new RefreshLog(properties.getPrefix()));
		logger.info(startUpLine(properties, discovered != null));
		return cache;
	}

	@Bean(initMethod = "start", destroyMethod = "close")
	@ConditionalOnMissingBean
	@Conditional(NoQueuesListedCondition.class)
	DiscoveredQueues bullMqDiscoveredQueues(RedisTarget redisTarget, BullMqProperties properties,
			ObjectProvider<SnapshotCache> snapshotCache) {
		BullMqProperties.Discovery discovery = properties.getDiscovery();
		QueueDiscovery queueDiscovery = new QueueDiscovery(redisTarget, new BullMqKeys(properties.getPrefix()),
				discovery.getInclude(), discovery.getExclude(), discovery.getMaxQueues(),
				properties.getMetrics().getTimeout());
		return new DiscoveredQueues(queueDiscovery, discovery.getInterval(),
				() -> snapshotCache.ifAvailable(SnapshotCache::expire));
	}

	@Bean
	@ConditionalOnMissingBean
	BullMqMetrics bullMqMetrics(SnapshotCache snapshotCache, BullMqProperties properties) {
		return new BullMqMetrics(snapshotCache, tags(properties));
	}

	/** The queues to read: those discovered, else those listed. */
	static Supplier<List<String>> queues(BullMqProperties properties,
			ObjectProvider<DiscoveredQueues> discoveredQueues) {
		DiscoveredQueues discovered = discoveredQueues.getIfAvailable();
		List<String> listed = List.copyOf(properties.getQueues());
		return (discovered != null) ? discovered : () -> listed;
	}

	/** The tags of every bullmq meter, BullMQ's globalVariables. */
	static List<Tag> tags(BullMqProperties properties) {
		return properties.getMetrics()
			.getTags()
			.entrySet()
			.stream()
			.map((tag) -> Tag.of(tag.getKey(), tag.getValue()))
			.toList();
	}

	private static String startUpLine(BullMqProperties properties, boolean discovering) {
		String prefix = properties.getPrefix();
		int listed = properties.getQueues().size();
		String queues = discovering
				? "every queue discovered under the prefix '" + prefix + "' (discovery runs every "
						+ readable(properties.getDiscovery().getInterval()) + ")"
				: listed + ((listed != 1) ? " listed queues" : " listed queue") + " under the prefix '" + prefix + "'";
		return "Exporting BullMQ metrics for " + queues + "; Redis is read at most once every "
				+ readable(properties.getMetrics().getCacheTtl()) + " (bullmq.metrics.cache-ttl)";
	}

	private static String readable(Duration duration) {
		return (duration.toMillis() % 1000 == 0) ? duration.toSeconds() + "s" : duration.toMillis() + "ms";
	}

	/**
	 * The wait and processing times of finished jobs: a reader with its cursors, a
	 * background poller, and the meters.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnBooleanProperty(name = "bullmq.metrics.durations.enabled", matchIfMissing = true)
	static class DurationsConfiguration {

		@Bean
		@ConditionalOnMissingBean
		FinishedJobsReader bullMqFinishedJobsReader(RedisTarget redisTarget, BullMqProperties properties) {
			BullMqProperties.Metrics.Durations durations = properties.getMetrics().getDurations();
			// A read may take as long as the interval before the next one is due.
			return new LettuceFinishedJobsReader(redisTarget, new BullMqKeys(properties.getPrefix()),
					new FinishedJobCursors(Instant.now()), durations.getMaxJobsPerRead(), durations.getInterval());
		}

		@Bean(destroyMethod = "close")
		@ConditionalOnMissingBean
		FinishedJobsPoller bullMqFinishedJobsPoller(FinishedJobsReader reader, BullMqProperties properties,
				ObjectProvider<DiscoveredQueues> discoveredQueues) {
			Supplier<List<String>> queues = queues(properties, discoveredQueues);
			return new FinishedJobsPoller(reader, queues, properties.getMetrics().getDurations().getInterval());
		}

		@Bean
		@ConditionalOnMissingBean
		JobDurationMetrics bullMqJobDurationMetrics(FinishedJobsPoller poller, BullMqProperties properties) {
			return new JobDurationMetrics(poller, tags(properties));
		}

		/**
		 * Start reading once every bean exists, so that no read happens before the meters
		 * listen to the poller.
		 */
		@Bean
		SmartInitializingSingleton bullMqFinishedJobsPollerStarter(FinishedJobsPoller poller) {
			return poller::start;
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
