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

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.cluster.api.async.RedisAdvancedClusterAsyncCommands;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;

import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.RedisConnectionFailureException;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import io.github.bullmqmetrics.reader.BullMqReadException.Reason;

/**
 * One use of Redis through Spring Data Redis's Lettuce connection: the asynchronous
 * commands of the connection (a standalone, Sentinel-managed or cluster connection
 * alike), a deadline that bounds every wait, and one translation of failures into
 * {@link BullMqReadException}.
 *
 * @author bullmq-metrics authors
 */
final class LettuceSession {

	private final RedisClusterAsyncCommands<byte[], byte[]> commands;

	private final Duration timeout;

	private final long deadline;

	private LettuceSession(RedisClusterAsyncCommands<byte[], byte[]> commands, Duration timeout) {
		this.commands = commands;
		this.timeout = timeout;
		this.deadline = System.nanoTime() + timeout.toNanos();
	}

	/**
	 * Open a connection, run the work with a deadline of {@code timeout}, and close it.
	 * @param <T> the result type
	 * @param connectionFactory the connection factory
	 * @param timeout the longest the whole work may take
	 * @param work the work
	 * @return the work's result
	 * @throws BullMqReadException if Redis cannot be read
	 */
	@SuppressWarnings("unchecked")
	static <T> T run(LettuceConnectionFactory connectionFactory, Duration timeout, Function<LettuceSession, T> work) {
		try (RedisConnection connection = connectionFactory.getConnection()) {
			return work.apply(new LettuceSession(
					(RedisClusterAsyncCommands<byte[], byte[]>) connection.getNativeConnection(), timeout));
		}
		catch (RedisConnectionFailureException ex) {
			throw new BullMqReadException(Reason.CONNECTION, "Cannot connect to Redis: " + rootMessage(ex), ex);
		}
		catch (DataAccessException ex) {
			throw new BullMqReadException(Reason.OTHER, "Cannot read from Redis: " + rootMessage(ex), ex);
		}
	}

	RedisClusterAsyncCommands<byte[], byte[]> commands() {
		return this.commands;
	}

	boolean isCluster() {
		return this.commands instanceof RedisAdvancedClusterAsyncCommands;
	}

	/**
	 * Wait for a reply, at most until the deadline.
	 * @param <R> the reply type
	 * @param reply the pending reply
	 * @return the reply
	 * @throws BullMqReadException if Redis failed or did not answer in time
	 */
	<R> R await(RedisFuture<R> reply) {
		try {
			return reply.get(Math.max(0, this.deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
		}
		catch (ExecutionException ex) {
			throw translate((ex.getCause() != null) ? ex.getCause() : ex);
		}
		catch (TimeoutException ex) {
			reply.cancel(true);
			throw new BullMqReadException(Reason.TIMEOUT, "Redis did not answer within " + this.timeout, ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			reply.cancel(true);
			throw new BullMqReadException(Reason.OTHER, "Interrupted while reading from Redis", ex);
		}
	}

	static boolean isUnknownCommand(BullMqReadException ex) {
		return ex.reason() == Reason.COMMAND && ex.getCause() != null && ex.getCause().getMessage() != null
				&& ex.getCause().getMessage().startsWith("ERR unknown command");
	}

	private static BullMqReadException translate(Throwable ex) {
		if (ex instanceof RedisCommandTimeoutException) {
			return new BullMqReadException(Reason.TIMEOUT, "Redis did not answer: " + ex.getMessage(), ex);
		}
		if (ex instanceof RedisConnectionException) {
			return new BullMqReadException(Reason.CONNECTION, "Cannot connect to Redis: " + rootMessage(ex), ex);
		}
		if (ex instanceof RedisCommandExecutionException) {
			return new BullMqReadException(Reason.COMMAND, "Redis refused the read: " + ex.getMessage(), ex);
		}
		return new BullMqReadException(Reason.OTHER, "Cannot read from Redis: " + rootMessage(ex), ex);
	}

	private static String rootMessage(Throwable ex) {
		Throwable root = ex;
		while (root.getCause() != null && root.getCause() != root) {
			root = root.getCause();
		}
		return (root.getMessage() != null) ? root.getMessage() : root.getClass().getSimpleName();
	}

}
