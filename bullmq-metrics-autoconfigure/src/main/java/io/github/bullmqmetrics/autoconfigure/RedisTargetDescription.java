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

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import io.github.bullmqmetrics.reader.RedisTarget;

/**
 * Says where the Redis that BullMQ metrics read was configured, so that a failed read
 * names the properties (or the bean) to check, not only a host and port.
 *
 * @author bullmq-metrics authors
 */
final class RedisTargetDescription {

	private static final List<String> SPRING_BOOT = List.of("org.springframework.boot.", "org/springframework/boot/");

	private RedisTargetDescription() {
	}

	/**
	 * Describe the Redis of a connection factory bean.
	 * @param connectionFactory the connection factory
	 * @param environment the environment, to tell which properties are set
	 * @param beanFactory the bean factory, to tell whether Spring Boot made the
	 * connection factory from its properties
	 * @return the target
	 */
	static RedisTarget of(LettuceConnectionFactory connectionFactory, Environment environment,
			ConfigurableListableBeanFactory beanFactory) {
		RedisTarget target = RedisTarget.of(connectionFactory);
		String userBean = userBeanName(beanFactory);
		if (userBean != null) {
			return target.configuredBy("the RedisConnectionFactory bean '" + userBean + "'");
		}
		if (connectionFactory.isClusterAware()) {
			return target.configuredBy("spring.data.redis.cluster.nodes");
		}
		if (connectionFactory.isRedisSentinelAware()) {
			return target.configuredBy("spring.data.redis.sentinel.master and spring.data.redis.sentinel.nodes");
		}
		if (environment.containsProperty("spring.data.redis.url")) {
			return target.configuredBy("spring.data.redis.url");
		}
		boolean set = environment.containsProperty("spring.data.redis.host")
				|| environment.containsProperty("spring.data.redis.port");
		return target
			.configuredBy((set ? "" : "the defaults of ") + "spring.data.redis.host and spring.data.redis.port");
	}

	/**
	 * Return the name of the single RedisConnectionFactory bean when the application
	 * defined it rather than Spring Boot.
	 */
	private static @Nullable String userBeanName(ConfigurableListableBeanFactory beanFactory) {
		String[] names = beanFactory.getBeanNamesForType(RedisConnectionFactory.class, false, false);
		if (names.length != 1 || !beanFactory.containsBeanDefinition(names[0])) {
			return null;
		}
		BeanDefinition definition = beanFactory.getMergedBeanDefinition(names[0]);
		String origin = definition.getFactoryBeanName() + " " + definition.getResourceDescription();
		return SPRING_BOOT.stream().anyMatch(origin::contains) ? null : names[0];
	}

}
