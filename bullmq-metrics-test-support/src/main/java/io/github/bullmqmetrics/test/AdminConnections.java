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

package io.github.bullmqmetrics.test;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.sentinel.api.StatefulRedisSentinelConnection;
import io.lettuce.core.sentinel.api.sync.RedisSentinelCommands;

/**
 * Lettuce connections for administering local Redis processes ({@link RedisCluster},
 * {@link RedisSentinel}): one per port, opened on first use, with short timeouts and no
 * automatic reconnect, so a killed process fails fast instead of keeping a connection
 * busy reconnecting.
 *
 * @author bullmq-metrics authors
 */
final class AdminConnections implements AutoCloseable {

	private static final Duration TIMEOUT = Duration.ofSeconds(2);

	private final RedisClient client;

	private final Map<Integer, StatefulConnection<String, String>> connections = new HashMap<>();

	private boolean closed;

	AdminConnections() {
		this.client = RedisClient.create();
		this.client.setOptions(ClientOptions.builder()
			.autoReconnect(false)
			.socketOptions(SocketOptions.builder().connectTimeout(TIMEOUT).build())
			.build());
	}

	/**
	 * Return commands for a data node (a master or a replica).
	 * @param port the node's port on 127.0.0.1
	 * @return synchronous commands
	 */
	synchronized RedisCommands<String, String> node(int port) {
		if (this.connections.get(port) instanceof StatefulRedisConnection<String, String> node && node.isOpen()) {
			return node.sync();
		}
		close(port);
		StatefulRedisConnection<String, String> node = this.client.connect(uri(port));
		this.connections.put(port, node);
		return node.sync();
	}

	/**
	 * Return commands for a sentinel.
	 * @param port the sentinel's port on 127.0.0.1
	 * @return synchronous sentinel commands
	 */
	synchronized RedisSentinelCommands<String, String> sentinel(int port) {
		if (this.connections.get(port) instanceof StatefulRedisSentinelConnection<String, String> sentinel
				&& sentinel.isOpen()) {
			return sentinel.sync();
		}
		close(port);
		StatefulRedisSentinelConnection<String, String> sentinel = this.client.connectSentinel(uri(port));
		this.connections.put(port, sentinel);
		return sentinel.sync();
	}

	/**
	 * Close the connection to one port, if open.
	 * @param port the port
	 */
	synchronized void close(int port) {
		StatefulConnection<String, String> connection = this.connections.remove(port);
		if (connection != null) {
			connection.close();
		}
	}

	/**
	 * Close every connection and shut the client down.
	 */
	@Override
	public synchronized void close() {
		if (this.closed) {
			return;
		}
		this.closed = true;
		for (Integer port : List.copyOf(this.connections.keySet())) {
			close(port);
		}
		this.client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
	}

	private RedisURI uri(int port) {
		if (this.closed) {
			throw new IllegalStateException("The admin connections are closed");
		}
		return RedisURI.Builder.redis(LocalRedisProcess.LOOPBACK, port).withTimeout(TIMEOUT).build();
	}

}
