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

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.util.ClassUtils;

import io.github.bullmqmetrics.autoconfigure.SharedRedisSelection.Choice;
import io.github.bullmqmetrics.reader.RedisTarget;

/**
 * Decides which Redis BullMQ metrics read, as the {@link RedisTarget} bean: a Redis of
 * BullMQ's own when {@code bullmq.redis.*} says where it is, otherwise one of the
 * application's {@link RedisConnectionFactory} beans (see {@link SharedRedisSelection}).
 * Either way, the application's own Redis beans are left as they are.
 *
 * @author bullmq-metrics authors
 */
@Configuration(proxyBeanMethods = false)
class BullMqRedisConfiguration {

	private static final String LETTUCE_CLIENT = "io.lettuce.core.RedisClient";

	private static boolean isLettucePresent() {
		return ClassUtils.isPresent(LETTUCE_CLIENT, BullMqRedisConfiguration.class.getClassLoader());
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnMissingBean(RedisTarget.class)
	@Conditional(SeparateRedisCondition.class)
	static class SeparateRedisConfiguration {

		@Bean(destroyMethod = "close")
		SeparateRedisConnection bullMqSeparateRedisConnection(BullMqProperties properties,
				ObjectProvider<SslBundles> sslBundles) {
			if (!isLettucePresent()) {
				throw LettuceRequiredException.forSeparateRedis();
			}
			return new SeparateRedisConnection(
					new SeparateRedisFactoryBuilder(properties.getRedis(), sslBundles.getIfAvailable()).build());
		}

		@Bean
		RedisTarget bullMqRedisTarget(SeparateRedisConnection connection, BullMqProperties properties) {
			return RedisTargetDescription.ofSeparate(connection.connectionFactory(), properties.getRedis());
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnMissingBean(RedisTarget.class)
	@Conditional(SeparateRedisCondition.Absent.class)
	static class SharedRedisConfiguration {

		@Bean
		RedisTarget bullMqRedisTarget(@BullMqRedis ObjectProvider<RedisConnectionFactory> marked,
				ObjectProvider<RedisConnectionFactory> all, Environment environment,
				ConfigurableListableBeanFactory beanFactory) {
			Choice choice = SharedRedisSelection.select(marked, all, beanFactory);
			return RedisTargetDescription.ofShared(lettuce(choice.connectionFactory()), choice, environment,
					beanFactory);
		}

		private static LettuceConnectionFactory lettuce(RedisConnectionFactory connectionFactory) {
			if (!isLettucePresent()) {
				throw new LettuceRequiredException(
						connectionFactory.getClass().getName() + " and Lettuce is not on the classpath");
			}
			if (connectionFactory instanceof LettuceConnectionFactory lettuce) {
				return lettuce;
			}
			throw new LettuceRequiredException(connectionFactory.getClass().getName());
		}

	}

}
