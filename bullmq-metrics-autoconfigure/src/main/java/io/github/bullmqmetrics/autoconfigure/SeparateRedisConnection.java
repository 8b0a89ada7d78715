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

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * The connection factory of BullMQ's own Redis ({@code bullmq.redis.*}), which the
 * exporter builds, starts and closes itself.
 * <p>
 * It is deliberately not a {@code RedisConnectionFactory} bean: such a bean would make
 * Spring Boot's Redis auto-configuration back off, and would be injected into the
 * application's own Redis users and health indicator. As a bean of this type only, it
 * leaves the application's Redis exactly as Spring Boot configures it.
 *
 * @author bullmq-metrics authors
 */
final class SeparateRedisConnection implements AutoCloseable {

	private final LettuceConnectionFactory connectionFactory;

	/**
	 * Start a factory and take ownership of it. Starting creates Lettuce's client; it
	 * does not connect, so a Redis that is down does not fail start-up.
	 * @param connectionFactory a factory that nothing else uses or closes
	 */
	SeparateRedisConnection(LettuceConnectionFactory connectionFactory) {
		this.connectionFactory = connectionFactory;
		connectionFactory.afterPropertiesSet();
		connectionFactory.start();
	}

	/**
	 * Return the factory.
	 * @return the factory, owned by this object
	 */
	LettuceConnectionFactory connectionFactory() {
		return this.connectionFactory;
	}

	/**
	 * Close the connections and shut down the Lettuce client and the resources (event
	 * loops, threads) the factory created.
	 */
	@Override
	public void close() {
		this.connectionFactory.destroy();
	}

}
