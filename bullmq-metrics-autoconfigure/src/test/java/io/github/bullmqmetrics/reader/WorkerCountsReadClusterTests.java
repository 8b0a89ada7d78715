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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.data.redis.connection.RedisClusterConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import io.github.bullmqmetrics.test.BullMq;
import io.github.bullmqmetrics.test.BullMq.ClientCounts;
import io.github.bullmqmetrics.test.BullMq.Version;
import io.github.bullmqmetrics.test.BullMq.WorkerSpec;
import io.github.bullmqmetrics.test.BullMq.Workers;
import io.github.bullmqmetrics.test.RedisCluster;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link WorkerCountsRead} on a real Redis Cluster (3 masters, 3 replicas) with
 * real BullMQ 5 and 6 Workers connected through an ioredis {@code Cluster}, compared with
 * BullMQ's own {@code queue.getWorkersCount()}.
 *
 * @author bullmq-metrics authors
 */
class WorkerCountsReadClusterTests {

	@AutoClose
	private static RedisCluster cluster;

	private LettuceConnectionFactory factory;

	@BeforeAll
	static void startCluster() {
		cluster = RedisCluster.start(3, 1);
	}

	@AfterEach
	void destroyFactory() {
		if (this.factory != null) {
			this.factory.destroy();
		}
	}

	@ParameterizedTest
	@EnumSource(Version.class)
	void countsTheWorkersOfEachQueueUnderAHashTaggedPrefixAsBullMqDoes(Version version) {
		String prefix = "{bull}";
		String mail = "mail-" + version;
		String reports = "reports-" + version;
		List<String> queues = List.of(mail, reports, "idle-" + version);
		List<WorkerSpec> workers = List.of(WorkerSpec.unnamed(mail), WorkerSpec.named(mail, "sender"),
				WorkerSpec.named(mail, "sender-2"), WorkerSpec.unnamed(reports));
		try (Workers running = BullMq.workers(cluster.url(), version, prefix, queues, workers, List.of(mail))) {
			ClientCounts bullMq = running.counts();
			assertThat(bullMq.workers()).containsEntry(mail, 3L).containsEntry(reports, 1L);
			assertThat(bullMq.queueEvents()).containsEntry(mail, 1L);
			assertThat(read(prefix, queues)).isEqualTo(WorkerCounts.known(bullMq.workers()));

			ClientCounts afterClose = running.close(1, 3);
			assertThat(afterClose.workers()).containsEntry(mail, 2L).containsEntry(reports, 0L);
			assertThat(read(prefix, queues)).isEqualTo(WorkerCounts.known(afterClose.workers()));
		}
	}

	@Test
	void countsEachQueueOnTheNodeWithTheMostOfItsOwnWorkers() {
		// Hash tags in the queue names put the queues on different masters.
		List<String> queues = List.of("{north}", "{south}", "{east}", "{west}");
		assertThat(queues.stream().map((queue) -> cluster.masterPortForKey("bull:" + queue + ":wait")).distinct())
			.hasSizeGreaterThan(1);
		List<WorkerSpec> workers = List.of(WorkerSpec.unnamed("{north}"), WorkerSpec.unnamed("{north}"),
				WorkerSpec.named("{south}", "s"), WorkerSpec.unnamed("{east}"), WorkerSpec.named("{east}", "e"),
				WorkerSpec.named("{east}", "e2"), WorkerSpec.unnamed("{west}"));
		try (Workers running = BullMq.workers(cluster.url(), Version.V6, "bull", queues, workers, List.of())) {
			assertThat(running.counts().workers())
				.containsExactlyInAnyOrderEntriesOf(Map.of("{north}", 2L, "{south}", 1L, "{east}", 3L, "{west}", 1L));
			assertThat(read("bull", queues)).isEqualTo(WorkerCounts.known(running.counts().workers()));
		}
	}

	@Test
	void takesTheNodeWithTheMostWorkersForEachQueueOnItsOwn() {
		// Connections named as workers, put on chosen masters: the first master holds 3
		// of 'left' and 1 of 'right', the second 2 of 'right'. Per queue that is 3 and
		// 2; the node with the most in all would say 3 and 1, and a sum 3 and 3.
		List<Integer> masters = cluster.masterPorts();
		BullMqKeys keys = new BullMqKeys("placed");
		String left = WorkerClientNames.clientName(keys, "left");
		String right = WorkerClientNames.clientName(keys, "right");
		List<RedisClient> clients = new ArrayList<>();
		try {
			for (String name : List.of(left, left, left, right)) {
				clients.add(namedConnection(masters.get(0), name));
			}
			for (String name : List.of(right + ":w:named", right)) {
				clients.add(namedConnection(masters.get(1), name));
			}
			List<String> queues = List.of("left", "right");
			try (Workers bullMq = BullMq.workers(cluster.url(), Version.V6, "placed", queues, List.of(), List.of())) {
				assertThat(bullMq.counts().workers()).isEqualTo(Map.of("left", 3L, "right", 2L));
			}
			assertThat(read("placed", queues)).isEqualTo(WorkerCounts.known(Map.of("left", 3L, "right", 2L)));
		}
		finally {
			clients.forEach((client) -> client.shutdown(Duration.ZERO, Duration.ofSeconds(2)));
		}
	}

	@Test
	void asksEveryNodeOnceWhateverTheNumberOfQueues() {
		List<String> queues = IntStream.range(0, 200).mapToObj((i) -> "many-" + i).toList();
		read("{cost}", queues);
		Map<String, Map<String, Long>> before = cluster.commandCallsByNode();
		WorkerCounts counts = read("{cost}", queues);
		Map<String, Map<String, Long>> after = cluster.commandCallsByNode();
		assertThat(counts.counts()).hasSize(200).allSatisfy((queue, count) -> assertThat(count).isZero());
		assertThat(after).hasSize(6);
		after.forEach((node, calls) -> assertThat(LettuceBullMqReaderTests.difference(before.get(node), calls)).as(node)
			.containsEntry("client|list", 1L));
	}

	private static RedisClient namedConnection(int port, String name) {
		RedisClient client = RedisClient.create(RedisURI.create("redis://127.0.0.1:" + port));
		client.connect().sync().clientSetname(name);
		return client;
	}

	private WorkerCounts read(String prefix, List<String> queues) {
		if (this.factory == null) {
			this.factory = new LettuceConnectionFactory(new RedisClusterConfiguration(cluster.nodes()));
			this.factory.afterPropertiesSet();
			this.factory.start();
		}
		return WorkerCountsReadTests.read(this.factory, prefix, queues);
	}

}
