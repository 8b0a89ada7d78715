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

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains an {@link AmbiguousRedisException}: which factories were found, and the ways
 * to say which one BullMQ metrics read.
 *
 * @author bullmq-metrics authors
 */
class AmbiguousRedisFailureAnalyzer extends AbstractFailureAnalyzer<AmbiguousRedisException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, AmbiguousRedisException cause) {
		String mark = cause.marked() ? "mark only the factory of BullMQ's Redis with @BullMqRedis"
				: "mark the factory of BullMQ's Redis with @BullMqRedis (" + BullMqRedis.class.getName()
						+ ") on its @Bean method, as with Spring Boot's @FlywayDataSource";
		String action = "Tell bullmq-metrics which Redis to read, in one of these ways:\n\n" + "    - " + mark
				+ ";\n    - make one of them @Primary: bullmq-metrics then reads the primary one;\n"
				+ "    - give BullMQ metrics a Redis of their own with bullmq.redis.* (bullmq.redis.url, or "
				+ "bullmq.redis.host and bullmq.redis.port, bullmq.redis.cluster.nodes, bullmq.redis.sentinel.*), "
				+ "which needs no bean;\n    - or turn BullMQ metrics off with bullmq.metrics.enabled=false.";
		return new FailureAnalysis(cause.getMessage() + ".", action, cause);
	}

}
