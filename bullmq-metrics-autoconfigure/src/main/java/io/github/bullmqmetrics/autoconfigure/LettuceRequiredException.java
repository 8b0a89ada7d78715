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

/**
 * Thrown at start-up when the application's Redis client is not Lettuce, which
 * bullmq-metrics needs to read BullMQ's data in one round trip.
 *
 * @author bullmq-metrics authors
 */
class LettuceRequiredException extends RuntimeException {

	LettuceRequiredException(String found) {
		super("bullmq-metrics reads Redis through Spring Data Redis on Lettuce, but the RedisConnectionFactory is "
				+ found);
	}

	private LettuceRequiredException() {
		super("bullmq-metrics reads the Redis of bullmq.redis.* through Spring Data Redis on Lettuce, "
				+ "but Lettuce is not on the classpath");
	}

	/**
	 * Return the exception for {@code bullmq.redis.*} without Lettuce.
	 * @return the exception
	 */
	static LettuceRequiredException forSeparateRedis() {
		return new LettuceRequiredException();
	}

}
