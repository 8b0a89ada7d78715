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

import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

import org.springframework.data.redis.connection.RedisClusterConfiguration;
import org.springframework.data.redis.connection.RedisNode;
import org.springframework.data.redis.connection.RedisSentinelConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * The Redis that BullMQ's data is read from: its connection factory, and a description of
 * where it is, so that a failure says which Redis could not be read.
 *
 * @param connectionFactory the connection factory
 * @param description where Redis is, for example {@code 127.0.0.1:6379}, and where that
 * was configured
 * @author bullmq-metrics authors
 */
public record RedisTarget(LettuceConnectionFactory connectionFactory, String description) {

	/**
	 * Describe the Redis of a connection factory by its configuration: the host and port,
	 * the cluster's seed nodes, or the Sentinel master and the Sentinels.
	 * @param connectionFactory the connection factory
	 * @return the target
	 */
	public static RedisTarget of(LettuceConnectionFactory connectionFactory) {
		return new RedisTarget(connectionFactory, endpoints(connectionFactory));
	}

	/**
	 * Return a copy whose description also says where the endpoints were configured.
	 * @param source for example {@code spring.data.redis.host and spring.data.redis.port}
	 * @return the copy
	 */
	public RedisTarget configuredBy(String source) {
		return new RedisTarget(this.connectionFactory, this.description + " (set by " + source + ")");
	}

	private static String endpoints(LettuceConnectionFactory connectionFactory) {
		RedisClusterConfiguration cluster = connectionFactory.getClusterConfiguration();
		if (connectionFactory.isClusterAware() && cluster != null) {
			return "the cluster nodes " + nodes(cluster.getClusterNodes());
		}
		RedisSentinelConfiguration sentinel = connectionFactory.getSentinelConfiguration();
		if (connectionFactory.isRedisSentinelAware() && sentinel != null) {
			String master = (sentinel.getMaster() != null) ? sentinel.getMaster().getName() : "?";
			return "the master '" + master + "' of the Sentinels " + nodes(sentinel.getSentinels());
		}
		String endpoint = connectionFactory.getHostName() + ":" + connectionFactory.getPort();
		int database = connectionFactory.getDatabase();
		return (database != 0) ? endpoint + ", database " + database : endpoint;
	}

	private static String nodes(Iterable<RedisNode> nodes) {
		return StreamSupport.stream(nodes.spliterator(), false)
			.map((node) -> node.getHost() + ":" + node.getPort())
			.collect(Collectors.joining(", "));
	}

	@Override
	public String toString() {
		return this.description;
	}

}
