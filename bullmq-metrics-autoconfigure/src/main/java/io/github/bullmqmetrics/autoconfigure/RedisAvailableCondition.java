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

import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.context.annotation.Conditional;
import org.springframework.data.redis.connection.RedisConnectionFactory;

/**
 * Matches when there is a Redis to read BullMQ's data from: an application
 * {@link RedisConnectionFactory} bean, or a Redis of BullMQ's own in
 * {@code bullmq.redis.*} (which needs no such bean).
 *
 * @author bullmq-metrics authors
 */
class RedisAvailableCondition extends AnyNestedCondition {

	RedisAvailableCondition() {
		super(ConfigurationPhase.REGISTER_BEAN);
	}

	@ConditionalOnBean(RedisConnectionFactory.class)
	static class ApplicationRedis {

	}

	@Conditional(SeparateRedisCondition.class)
	static class SeparateRedis {

	}

}
