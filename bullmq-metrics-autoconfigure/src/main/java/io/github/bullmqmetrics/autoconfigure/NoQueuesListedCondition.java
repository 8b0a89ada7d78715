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

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches when {@code bullmq.queues} lists no queue, so queues are to be discovered.
 *
 * @author bullmq-metrics authors
 */
class NoQueuesListedCondition extends SpringBootCondition {

	@Override
	public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
		List<String> queues = Binder.get(context.getEnvironment())
			.bind("bullmq.queues", Bindable.listOf(String.class))
			.orElse(List.of());
		return queues.isEmpty() ? ConditionOutcome.match("bullmq.queues lists no queue")
				: ConditionOutcome.noMatch("bullmq.queues lists " + queues.size() + " queues");
	}

}
