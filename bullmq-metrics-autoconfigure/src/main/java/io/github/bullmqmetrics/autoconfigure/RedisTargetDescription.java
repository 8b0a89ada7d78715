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

import java.util.ArrayList;
import java.util.List;

import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.util.StringUtils;

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
	 * Describe BullMQ's own Redis, configured by {@code bullmq.redis.*}.
	 * @param connectionFactory the connection factory built from the properties
	 * @param properties the properties
	 * @return the target
	 */
	static RedisTarget ofSeparate(LettuceConnectionFactory connectionFactory, BullMqProperties.Redis properties) {
		RedisTarget target = RedisTarget.of(connectionFactory);
		if (StringUtils.hasText(properties.getSentinel().getMaster())) {
			return target.configuredBy("bullmq.redis.sentinel.master and bullmq.redis.sentinel.nodes");
		}
		if (!properties.getCluster().getNodes().isEmpty()) {
			return target.configuredBy("bullmq.redis.cluster.nodes");
		}
		if (StringUtils.hasText(properties.getUrl())) {
			return target.configuredBy("bullmq.redis.url");
		}
		List<String> set = new ArrayList<>();
		if (StringUtils.hasText(properties.getHost())) {
			set.add("bullmq.redis.host");
		}
		if (properties.getPort() != null) {
			set.add("bullmq.redis.port");
		}
		return target.configuredBy(String.join(" and ", set));
	}

	/**
	 * Describe the Redis of one of the application's connection factory beans.
	 * @param connectionFactory the connection factory
	 * @param choice which bean it is, and why it was chosen
	 * @param environment the environment, to tell which properties are set
	 * @param beanFactory the bean factory, to tell whether Spring Boot made the
	 * connection factory from its properties
	 * @return the target
	 */
	static RedisTarget ofShared(LettuceConnectionFactory connectionFactory, SharedRedisSelection.Choice choice,
			Environment environment, ConfigurableListableBeanFactory beanFactory) {
		RedisTarget target = RedisTarget.of(connectionFactory);
		String name = choice.beanName();
		if (name == null || !isMadeBySpringBoot(name, beanFactory)) {
			String bean = (name != null) ? " '" + name + "'" : "";
			return switch (choice.reason()) {
				case MARKED -> target.configuredBy("the @BullMqRedis RedisConnectionFactory bean" + bean);
				case PRIMARY -> target.configuredBy("the @Primary RedisConnectionFactory bean" + bean);
				case ONLY -> target.configuredBy("the RedisConnectionFactory bean" + bean);
			};
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
	 * Whether Spring Boot made the bean from its {@code spring.data.redis.*} properties,
	 * rather than the application.
	 */
	private static boolean isMadeBySpringBoot(String name, ConfigurableListableBeanFactory beanFactory) {
		if (!beanFactory.containsBeanDefinition(name)) {
			return false;
		}
		BeanDefinition definition = beanFactory.getMergedBeanDefinition(name);
		String origin = definition.getFactoryBeanName() + " " + definition.getResourceDescription();
		return SPRING_BOOT.stream().anyMatch(origin::contains);
	}

}
