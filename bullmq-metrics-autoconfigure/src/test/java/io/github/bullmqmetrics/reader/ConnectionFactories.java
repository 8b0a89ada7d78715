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
package io.github.bullmqmetrics.reader;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import io.github.bullmqmetrics.test.RedisServer;

/**
 * Spring Data Redis connection factories for the reader's tests, each started as Spring
 * Boot would and destroyed after each test.
 *
 * @author bullmq-metrics authors
 */
final class ConnectionFactories implements AfterEachCallback {

	private final List<LettuceConnectionFactory> created = new ArrayList<>();

	LettuceConnectionFactory create(RedisServer redis) {
		return create(new RedisStandaloneConfiguration(redis.host(), redis.port()));
	}

	LettuceConnectionFactory create(RedisStandaloneConfiguration configuration) {
		LettuceConnectionFactory factory = new LettuceConnectionFactory(configuration);
		factory.afterPropertiesSet();
		factory.start();
		this.created.add(factory);
		return factory;
	}

	@Override
	public void afterEach(ExtensionContext context) {
		this.created.forEach(LettuceConnectionFactory::destroy);
		this.created.clear();
	}

}
