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
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.cluster.api.async.RedisAdvancedClusterAsyncCommands;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;

import org.jspecify.annotations.Nullable;

import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.RedisConnectionFailureException;
import org.springframework.data.redis.connection.RedisConnection;

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

	private final RedisTarget redis;

	private final Duration timeout;

	private final long deadline;

	private LettuceSession(RedisClusterAsyncCommands<byte[], byte[]> commands, RedisTarget redis, Duration timeout) {
		this.commands = commands;
		this.redis = redis;
		this.timeout = timeout;
		this.deadline = System.nanoTime() + timeout.toNanos();
	}

	/**
	 * Open a connection, run the work with a deadline of {@code timeout}, and close it.
	 * @param <T> the result type
	 * @param redis the Redis to read
	 * @param timeout the longest the whole work may take
	 * @param work the work
	 * @return the work's result
	 * @throws BullMqReadException if Redis cannot be read, with a message that names
	 * {@link RedisTarget#description() where} Redis was looked for
	 */
	@SuppressWarnings("unchecked")
	static <T> T run(RedisTarget redis, Duration timeout, Function<LettuceSession, T> work) {
		try (RedisConnection connection = redis.connectionFactory().getConnection()) {
			RedisClusterAsyncCommands<byte[], byte[]> commands = (RedisClusterAsyncCommands<byte[], byte[]>) connection
				.getNativeConnection();
			if (!isOpen(commands)) {
				// A shared connection that lost Redis queues commands until Lettuce
				// reconnects: say what is wrong now rather than time out later.
				throw new BullMqReadException(Reason.CONNECTION, "Cannot connect to Redis at " + redis.description()
						+ ": the connection is lost and Lettuce is trying to reconnect", null);
			}
			return work.apply(new LettuceSession(commands, redis, timeout));
		}
		catch (RedisConnectionFailureException ex) {
			String root = rootMessage(ex);
			String refusal = authenticationError(ex);
			if (refusal != null) {
				throw new BullMqReadException(Reason.AUTHENTICATION,
						"Redis at " + redis.description() + " refused the credentials: " + refusal, ex);
			}
			throw new BullMqReadException(Reason.CONNECTION,
					"Cannot connect to Redis at " + redis.description() + ": " + root, ex);
		}
		catch (DataAccessException ex) {
			throw new BullMqReadException(Reason.OTHER,
					"Cannot read from Redis at " + redis.description() + ": " + rootMessage(ex), ex);
		}
	}

	private static boolean isOpen(RedisClusterAsyncCommands<byte[], byte[]> commands) {
		if (commands instanceof RedisAsyncCommands<byte[], byte[]> standalone) {
			return standalone.getStatefulConnection().isOpen();
		}
		if (commands instanceof RedisAdvancedClusterAsyncCommands<byte[], byte[]> cluster) {
			return cluster.getStatefulConnection().isOpen();
		}
		return true;
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
	 * @param reply the pending reply: a {@link RedisFuture}, or a future that composes
	 * several steps (connecting to a cluster node, then a command on it)
	 * @return the reply
	 * @throws BullMqReadException if Redis failed or did not answer in time
	 */
	<R> R await(Future<R> reply) {
		try {
			return reply.get(Math.max(0, this.deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
		}
		catch (ExecutionException ex) {
			throw translate((ex.getCause() != null) ? ex.getCause() : ex);
		}
		catch (TimeoutException ex) {
			reply.cancel(true);
			throw new BullMqReadException(Reason.TIMEOUT,
					"Redis at " + this.redis.description() + " did not answer within " + this.timeout.toMillis() + "ms",
					ex);
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

	private BullMqReadException translate(Throwable ex) {
		String redis = "Redis at " + this.redis.description();
		if (ex instanceof RedisCommandTimeoutException) {
			return new BullMqReadException(Reason.TIMEOUT, redis + " did not answer: " + ex.getMessage(), ex);
		}
		if (ex instanceof RedisConnectionException) {
			return new BullMqReadException(Reason.CONNECTION, "Cannot connect to " + redis + ": " + rootMessage(ex),
					ex);
		}
		if (ex instanceof RedisCommandExecutionException) {
			Reason reason = isAuthenticationError(ex.getMessage()) ? Reason.AUTHENTICATION : Reason.COMMAND;
			return new BullMqReadException(reason, redis + " refused the read: " + ex.getMessage(), ex);
		}
		return new BullMqReadException(Reason.OTHER, "Cannot read from " + redis + ": " + rootMessage(ex), ex);
	}

	/**
	 * Whether Redis' error says that the credentials are wrong ({@code WRONGPASS}, or
	 * {@code ERR invalid password} before Redis 6) or missing ({@code NOAUTH}).
	 */
	private static boolean isAuthenticationError(@Nullable String message) {
		return message != null && (message.startsWith("WRONGPASS") || message.startsWith("NOAUTH")
				|| message.startsWith("ERR invalid password"));
	}

	/**
	 * Return Redis' refusal of the credentials anywhere in a failure's causes (Lettuce
	 * may wrap it more than once, or add suppressed exceptions), or {@code null}.
	 */
	private static @Nullable String authenticationError(Throwable ex) {
		for (Throwable cause = ex; cause != null; cause = (cause.getCause() != cause) ? cause.getCause() : null) {
			if (isAuthenticationError(cause.getMessage())) {
				return cause.getMessage();
			}
			for (Throwable suppressed : cause.getSuppressed()) {
				if (isAuthenticationError(suppressed.getMessage())) {
					return suppressed.getMessage();
				}
			}
		}
		return null;
	}

	private static String rootMessage(Throwable ex) {
		Throwable root = ex;
		while (root.getCause() != null && root.getCause() != root) {
			root = root.getCause();
		}
		return (root.getMessage() != null) ? root.getMessage() : root.getClass().getSimpleName();
	}

}
