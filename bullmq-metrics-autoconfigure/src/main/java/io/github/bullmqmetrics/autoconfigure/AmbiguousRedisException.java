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
import java.util.stream.Collectors;

/**
 * Thrown at start-up when the application has several {@code RedisConnectionFactory}
 * beans and nothing says which one BullMQ's queues are in.
 *
 * @author bullmq-metrics authors
 */
class AmbiguousRedisException extends RuntimeException {

	private final List<String> beanNames;

	private final boolean marked;

	/**
	 * Create a new exception.
	 * @param beanNames the candidate beans
	 * @param marked whether the candidates are all marked {@code @BullMqRedis}, rather
	 * than none
	 */
	AmbiguousRedisException(List<String> beanNames, boolean marked) {
		super(describe(beanNames, marked));
		this.beanNames = beanNames;
		this.marked = marked;
	}

	private static String describe(List<String> beanNames, boolean marked) {
		String names = beanNames.stream().map((name) -> "'" + name + "'").collect(Collectors.joining(", "));
		String which = marked
				? beanNames.size() + " RedisConnectionFactory beans are marked @BullMqRedis (" + names
						+ "), and none of them is @Primary"
				: "the application has " + beanNames.size() + " RedisConnectionFactory beans (" + names
						+ "), none of them is @Primary, and none is marked @BullMqRedis";
		return "bullmq-metrics cannot tell which Redis BullMQ's queues are in: " + which;
	}

	List<String> beanNames() {
		return this.beanNames;
	}

	boolean marked() {
		return this.marked;
	}

}
