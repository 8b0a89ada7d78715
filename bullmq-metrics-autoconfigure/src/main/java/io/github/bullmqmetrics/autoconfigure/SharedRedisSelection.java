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

import java.util.Arrays;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.NoUniqueBeanDefinitionException;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.data.redis.connection.RedisConnectionFactory;

/**
 * Chooses which of the application's {@link RedisConnectionFactory} beans BullMQ metrics
 * read, as Spring Boot chooses Flyway's {@code DataSource}: the one marked
 * {@link BullMqRedis @BullMqRedis}; else the only one; else the {@code @Primary} one.
 * When none can be chosen it throws an {@link AmbiguousRedisException}, which
 * {@link AmbiguousRedisFailureAnalyzer} explains.
 *
 * @author bullmq-metrics authors
 */
final class SharedRedisSelection {

	private SharedRedisSelection() {
	}

	/**
	 * Choose the factory.
	 * @param marked the factories marked {@code @BullMqRedis}
	 * @param all every factory
	 * @param beanFactory the bean factory, to name the chosen bean
	 * @return the choice
	 * @throws AmbiguousRedisException when no single factory can be chosen
	 */
	static Choice select(ObjectProvider<RedisConnectionFactory> marked, ObjectProvider<RedisConnectionFactory> all,
			ConfigurableListableBeanFactory beanFactory) {
		RedisConnectionFactory chosen;
		try {
			chosen = marked.getIfAvailable();
		}
		catch (NoUniqueBeanDefinitionException ex) {
			throw new AmbiguousRedisException(names(ex), true);
		}
		if (chosen != null) {
			return new Choice(chosen, beanName(chosen, beanFactory), Reason.MARKED);
		}
		chosen = all.getIfUnique();
		if (chosen == null) {
			throw new AmbiguousRedisException(
					List.of(beanFactory.getBeanNamesForType(RedisConnectionFactory.class, true, false)), false);
		}
		String name = beanName(chosen, beanFactory);
		boolean primary = name != null && beanFactory.containsBeanDefinition(name)
				&& beanFactory.getMergedBeanDefinition(name).isPrimary();
		return new Choice(chosen, name, primary ? Reason.PRIMARY : Reason.ONLY);
	}

	private static List<String> names(NoUniqueBeanDefinitionException ex) {
		return (ex.getBeanNamesFound() != null) ? List.copyOf(ex.getBeanNamesFound()) : List.of();
	}

	/**
	 * Return the name of the singleton bean that is this factory, without creating any
	 * other bean.
	 */
	private static @Nullable String beanName(RedisConnectionFactory factory,
			ConfigurableListableBeanFactory beanFactory) {
		return Arrays.stream(beanFactory.getBeanNamesForType(RedisConnectionFactory.class, true, false))
			.filter((name) -> beanFactory.getSingleton(name) == factory)
			.findFirst()
			.orElse(null);
	}

	/**
	 * Why a factory was chosen.
	 */
	enum Reason {

		/** It is the one marked {@code @BullMqRedis}. */
		MARKED,

		/** It is the application's only one. */
		ONLY,

		/** It is the {@code @Primary} one of several. */
		PRIMARY

	}

	/**
	 * The chosen factory.
	 *
	 * @param connectionFactory the factory
	 * @param beanName its bean name, or {@code null} when it cannot be told
	 * @param reason why it was chosen
	 */
	record Choice(RedisConnectionFactory connectionFactory, @Nullable String beanName, Reason reason) {

	}

}
