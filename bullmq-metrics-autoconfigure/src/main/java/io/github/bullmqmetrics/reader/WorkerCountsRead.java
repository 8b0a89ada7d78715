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

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;

import io.lettuce.core.cluster.api.async.RedisAdvancedClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode.NodeFlag;

import io.github.bullmqmetrics.reader.BullMqReadException.Reason;

/**
 * One read of the {@link WorkerCounts} of some queues: one {@code CLIENT LIST} per Redis
 * node, shared by all queues, sent on the same {@link LettuceSession} as the job counts
 * and received after them, so it adds no round trip. Use one per read: {@link #send},
 * then {@link #receive}.
 * <p>
 * On a cluster every node that BullMQ's own ioredis client would ask is asked: the
 * masters that serve slots and their replicas, except nodes known to have failed. As
 * BullMQ does, each queue then gets the count of the node with the most of its workers,
 * node by node for each queue: a worker's ioredis cluster connection is named on every
 * node it has talked to, not only on the one serving its queue, so adding up the nodes
 * would count it several times.
 * <p>
 * When Redis refuses {@code CLIENT LIST} ({@code NOPERM} from an ACL without
 * {@code +client|list}, or {@code ERR unknown command} where {@code CLIENT} is renamed or
 * disabled), the counts are {@link WorkerCounts#unknown(String) unknown}, never 0. A
 * connection failure or a timeout fails the read, as it does for the job counts.
 *
 * @author bullmq-metrics authors
 */
final class WorkerCountsRead {

	private final WorkerClientNames names;

	private final List<String> queues;

	private final List<Future<String>> replies = new ArrayList<>();

	/**
	 * Prepare to read the worker counts of some queues.
	 * @param keys the key layout
	 * @param queues the queue names
	 */
	WorkerCountsRead(BullMqKeys keys, List<String> queues) {
		this.names = new WorkerClientNames(keys, queues);
		this.queues = queues;
	}

	/**
	 * Send {@code CLIENT LIST} to every node, without waiting for a reply.
	 * @param session the session of the read
	 */
	@SuppressWarnings("unchecked")
	void send(LettuceSession session) {
		if (this.queues.isEmpty()) {
			return;
		}
		if (!session.isCluster()) {
			this.replies.add(session.commands().clientList());
			return;
		}
		RedisAdvancedClusterAsyncCommands<byte[], byte[]> cluster = (RedisAdvancedClusterAsyncCommands<byte[], byte[]>) session
			.commands();
		for (RedisClusterNode node : cluster.getStatefulConnection().getPartitions()) {
			if (isAskedByBullMq(node)) {
				this.replies.add(cluster.getStatefulConnection()
					.getConnectionAsync(node.getNodeId())
					.thenCompose((connection) -> connection.async().clientList()));
			}
		}
	}

	/**
	 * Wait for the replies of {@link #send} and count the workers of each queue.
	 * @param session the session of the read
	 * @return the counts, or unknown counts when Redis refused {@code CLIENT LIST}
	 * @throws BullMqReadException if a node could not be reached or did not answer in
	 * time
	 */
	WorkerCounts receive(LettuceSession session) {
		Map<String, Long> counts = new LinkedHashMap<>();
		this.queues.forEach((queue) -> counts.put(queue, 0L));
		for (Future<String> reply : this.replies) {
			String clientList;
			try {
				clientList = session.await(reply);
			}
			catch (BullMqReadException ex) {
				if (ex.reason() != Reason.COMMAND) {
					throw ex;
				}
				return WorkerCounts.unknown("Cannot count workers: " + ex.getMessage());
			}
			this.names.count(clientList).forEach((queue, count) -> counts.merge(queue, count, Math::max));
		}
		return WorkerCounts.known(counts);
	}

	/**
	 * Whether ioredis lists the node in a cluster's nodes, as {@code CLUSTER SLOTS} does:
	 * a master that serves slots, or a replica, unless it has failed.
	 */
	private static boolean isAskedByBullMq(RedisClusterNode node) {
		if (node.is(NodeFlag.FAIL) || node.is(NodeFlag.NOADDR) || node.is(NodeFlag.HANDSHAKE)) {
			return false;
		}
		boolean replica = node.is(NodeFlag.REPLICA) || node.is(NodeFlag.SLAVE);
		return replica || !node.hasNoSlots();
	}

}
