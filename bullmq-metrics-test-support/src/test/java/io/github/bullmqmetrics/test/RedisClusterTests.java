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

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.github.bullmqmetrics.test.BullMq.QueueSpec;
import io.github.bullmqmetrics.test.BullMq.Version;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.github.bullmqmetrics.test.JobCountAssertions.assertJobCounts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.entry;

/**
 * Tests for {@link RedisCluster}: a real three-master cluster, real BullMQ on it, and a
 * real failover.
 *
 * @author bullmq-metrics authors
 */
class RedisClusterTests {

	private static final String PREFIX = "{bull}";

	@AutoClose
	private static RedisCluster cluster;

	@BeforeAll
	static void startCluster() {
		cluster = RedisCluster.start(3, 1);
	}

	@Test
	void startsThreeMastersWithOneReplicaEachCoveringEverySlot() {
		List<String> nodes = cluster.nodes();
		assertThat(nodes).hasSize(6).doesNotHaveDuplicates().allMatch((node) -> node.matches("127\\.0\\.0\\.1:\\d+"));
		assertThat(cluster.nodesProperty()).isEqualTo(String.join(",", nodes));
		assertThat(cluster.url()).isEqualTo("redis+cluster://" + String.join(",", nodes));
		assertThat(cluster.masterPorts()).hasSize(3).allMatch((port) -> nodes.contains("127.0.0.1:" + port));
		assertThat(cluster.masterPorts()).contains(cluster.masterPortForKey("a"), cluster.masterPortForKey("b"),
				cluster.masterPortForKey("c"));
	}

	@Test
	void sumsCommandCallsOverTheNodes() {
		long before = evalCalls(cluster.commandCalls());
		BullMq.exportPrometheusMetrics(cluster.url(), Version.V6, PREFIX, List.of("counted"), null);
		assertThat(cluster.commandCalls()).containsKey("cluster|slots");
		assertThat(evalCalls(cluster.commandCalls())).isGreaterThan(before);
	}

	@Test
	void needsAtLeastThreeMasters() {
		assertThatIllegalArgumentException().isThrownBy(() -> RedisCluster.start(2, 1))
			.withMessageContaining("at least 3 masters");
	}

	@Test
	void refusesToKillANodeThatIsNotAMaster() {
		int replica = cluster.nodes()
			.stream()
			.map((node) -> Integer.parseInt(node.substring(node.indexOf(':') + 1)))
			.filter((port) -> !cluster.masterPorts().contains(port) && isListening(port))
			.findFirst()
			.orElseThrow();
		assertThatIllegalArgumentException().isThrownBy(() -> cluster.killMaster(replica))
			.withMessageContaining("is not a current master");
		assertThatIllegalArgumentException().isThrownBy(() -> cluster.awaitFailover(replica, Duration.ofSeconds(1)))
			.withMessageContaining("was not killed by killMaster");
	}

	@Test
	void keepsBullMqWorkingWhenTheQueuesMasterFailsOver() throws IOException {
		Map<String, Long> counts = BullMq.seed(cluster.url(), Version.V6, PREFIX, List.of(QueueSpec.everyState("q")))
			.get("q");
		assertThat(counts).contains(entry("completed", 3L), entry("failed", 2L), entry("active", 2L),
				entry("waiting", 5L), entry("delayed", 2L), entry("prioritized", 3L), entry("waiting-children", 1L));
		int master = cluster.masterPortForKey(PREFIX + ":q:wait");
		assertThat(cluster.masterPorts()).contains(master);
		assertThat(cluster.masterPortForKey(PREFIX + ":q:meta")).as("one hash tag, one slot").isEqualTo(master);

		cluster.killMaster(master);
		assertThatIOException().isThrownBy(() -> connect(master));
		cluster.awaitFailover(master, Duration.ofSeconds(30));

		assertThat(cluster.masterPorts()).hasSize(3).doesNotContain(master);
		assertThat(cluster.masterPortForKey(PREFIX + ":q:wait")).isNotEqualTo(master);
		String text = BullMq.exportPrometheusMetrics(cluster.url(), Version.V6, PREFIX, List.of("q"), null).get("q");
		assertJobCounts(text, counts, "acknowledged writes survive the failover");
		assertThat(BullMq.seed(cluster.url(), Version.V5, PREFIX, List.of(QueueSpec.everyState("after"))).get("after"))
			.containsAllEntriesOf(counts)
			.containsEntry("paused", 0L);
	}

	private static long evalCalls(Map<String, Long> calls) {
		return calls.getOrDefault("evalsha", 0L) + calls.getOrDefault("eval", 0L);
	}

	private static boolean isListening(int port) {
		try {
			connect(port);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	private static void connect(int port) throws IOException {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
		}
	}

}
