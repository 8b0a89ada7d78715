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

import org.springframework.boot.autoconfigure.condition.ConditionMessage;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches when {@code bullmq.redis.*} says where a Redis of BullMQ's own is
 * ({@link BullMqProperties.Redis#isSeparate()}), bound with Spring Boot's relaxed rules
 * so that {@code BULLMQ_REDIS_URL} or {@code bullmq.redis.cluster.nodes[0]} count too.
 *
 * @author bullmq-metrics authors
 */
class SeparateRedisCondition extends SpringBootCondition {

	@Override
	public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
		return outcome(context, true);
	}

	private static ConditionOutcome outcome(ConditionContext context, boolean matchIfSeparate) {
		boolean separate = Binder.get(context.getEnvironment())
			.bind("bullmq.redis", BullMqProperties.Redis.class)
			.map(BullMqProperties.Redis::isSeparate)
			.orElse(false);
		ConditionMessage.Builder message = ConditionMessage.forCondition("BullMQ's own Redis");
		ConditionMessage found = separate
				? message.found("location property").items("bullmq.redis.url, host, port, cluster or sentinel")
				: message.didNotFind("location property").items("bullmq.redis.url, host, port, cluster or sentinel");
		return new ConditionOutcome(separate == matchIfSeparate, found);
	}

	/**
	 * Matches when {@code bullmq.redis.*} does not say where Redis is, so that BullMQ
	 * metrics read the application's Redis.
	 */
	static class Absent extends SpringBootCondition {

		@Override
		public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
			return outcome(context, false);
		}

	}

}
