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
package io.github.bullmqmetrics.sample;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.github.bullmqmetrics.test.BullMq;
import io.github.bullmqmetrics.test.BullMq.QueueSpec;
import io.github.bullmqmetrics.test.BullMq.Version;
import io.github.bullmqmetrics.test.PrometheusText.Sample;
import io.github.bullmqmetrics.test.RedisCluster;
import io.github.bullmqmetrics.test.RedisServer;
import io.github.bullmqmetrics.test.RedisSentinel;

import static io.github.bullmqmetrics.sample.RunningSample.value;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample on a real Redis Cluster (3 masters, each with a replica) and behind real
 * Sentinels, with data written by real BullMQ, through failovers.
 *
 * @author bullmq-metrics authors
 */
class SampleClusterTests {

	private static final Duration RECOVERY = Duration.ofSeconds(30);

	@AutoClose
	private static RedisCluster cluster;

	@AutoClose
	private RunningSample sample;

	@BeforeAll
	static void startCluster() {
		cluster = RedisCluster.start(3, 1);
	}

	@Test
	void discoversAndReadsHashTaggedQueuesAsBullMqDoesThenSurvivesAFailover() {
		BullMq.seed(cluster.url(), Version.V6, "{bull}",
				List.of(QueueSpec.everyState("alpha"), QueueSpec.everyState("beta").withPaused(true)));
		BullMq.seed(cluster.url(), Version.V5, "{bull}", List.of(QueueSpec.everyState("gamma")));
		this.sample = RunningSample.start(clusterArgs(), List.of(), "--bullmq.prefix={bull}",
				"--bullmq.discovery.interval=500ms", "--bullmq.metrics.cache-ttl=200ms");
		List<Sample> scrape = this.sample.awaitScrape((samples) -> RunningSample.queues(samples).size() == 3,
				"three queues");
		BullMqOracle.assertSameAsBullMq(scrape,
				BullMq.exportPrometheusMetrics(cluster.url(), Version.V6, "{bull}", List.of("alpha", "beta"), null));
		BullMqOracle.assertSameAsBullMq(scrape,
				BullMq.exportPrometheusMetrics(cluster.url(), Version.V5, "{bull}", List.of("gamma"), null));
		// The reads beyond counts work on a cluster too: the job hashes share the
		// queue's slot, and CLIENT LIST goes to every node.
		for (String queue : List.of("alpha", "beta", "gamma")) {
			assertThat(value(scrape, "bullmq_queue_latency_seconds", queue, null)).as(queue).isPositive();
			assertThat(value(scrape, "bullmq_queue_overdue_jobs", queue, null)).as(queue).isZero();
			assertThat(value(scrape, "bullmq_queue_job_schedulers", queue, null)).as(queue).isZero();
			assertThat(value(scrape, "bullmq_queue_workers", queue, null)).as(queue).isZero();
		}

		int master = cluster.masterPortForKey("{bull}:alpha:wait");
		cluster.killMaster(master);
		cluster.awaitFailover(master, RECOVERY);
		List<Sample> recovered = this.sample.awaitScrape(
				(samples) -> RunningSample.isUp(samples) && value(samples, "bullmq_job_count", "alpha", "waiting") == 5,
				"recovery after the failover");
		assertThat(value(recovered, "bullmq_job_count", "gamma", "paused")).isZero();
		assertThat(value(recovered, "bullmq_queue_paused", "beta", null)).isEqualTo(1);
	}

	@Test
	void discoversQueuesOnEveryMasterWhenTheHashTagIsInTheQueueName() {
		List<String> names = List.of("{north}", "{south}", "{east}", "{west}", "{up}", "{down}");
		assertThat(names.stream().map((name) -> cluster.masterPortForKey("bull:" + name + ":wait")).distinct().count())
			.isGreaterThan(1);
		BullMq.seed(cluster.url(), Version.V6, "bull", names.stream().map(QueueSpec::everyState).toList());
		this.sample = RunningSample.start(clusterArgs(), List.of(), "--bullmq.discovery.interval=500ms",
				"--bullmq.metrics.cache-ttl=200ms");
		List<Sample> scrape = this.sample.awaitScrape((samples) -> RunningSample.queues(samples).size() == names.size(),
				"a series for every queue");
		BullMqOracle.assertSameAsBullMq(scrape,
				BullMq.exportPrometheusMetrics(cluster.url(), Version.V6, "bull", names, null));
	}

	@Test
	void readsAPrefixWithoutAHashTagKeyByKey() {
		// BullMQ itself cannot write such a prefix to a cluster: it writes to a single
		// Redis, and its keys are copied over as they are.
		Map<String, Map<String, Long>> expected;
		try (RedisServer single = RedisServer.start()) {
			expected = BullMq.seed(single.url(), Version.V6, "plain",
					List.of(QueueSpec.everyState("spread"), QueueSpec.everyState("wide")));
			copyToCluster(single, "plain");
		}
		this.sample = RunningSample.start(clusterArgs(), List.of("spread", "wide"), "--bullmq.prefix=plain");
		List<Sample> scrape = this.sample.scrapeSamples();
		expected.forEach((queue,
				counts) -> counts.forEach((state, count) -> assertThat(value(scrape, "bullmq_job_count", queue, state))
					.as("%s %s", queue, state)
					.isEqualTo(count.doubleValue())));
		assertThat(value(scrape, "bullmq_job_completed_total", "spread", null)).isEqualTo(3);
	}

	@Test
	void readsLegacyMarkersKeyByKeyFromTheTailOfWaitAndOfAPausedList() {
		Map<String, Map<String, Long>> expected = new LinkedHashMap<>();
		try (RedisServer single = RedisServer.start()) {
			for (String list : List.of("wait", "paused")) {
				for (String marker : List.of("0", "0:1000")) {
					String queue = "marker-" + list + "-" + marker.replace(':', '-');
					boolean paused = list.equals("paused");
					// BullMQ 5 pauses by moving the jobs to the paused list.
					Map<String, Long> counts = new LinkedHashMap<>(BullMq
						.seed(single.url(), Version.V5, "legacy",
								List.of(new QueueSpec(queue, 0, 0, 0, 3, 0, 0, 0, paused)))
						.get(queue));
					String key = "legacy:" + queue + ":" + list;
					// A marker of BullMQ 2 (0) or 3.1 to 4 (0:<delay>) at the tail, and
					// jobs
					// added at the head since, so that head and tail differ.
					single.commands().rpush(key, marker);
					single.commands().lpush(key, "1001", "1002");
					counts.put(paused ? "paused" : "waiting", single.commands().llen(key) - 1);
					expected.put(queue, counts);
				}
			}
			copyToCluster(single, "legacy");
		}
		// Without a hash tag a queue's keys spread over slots, so they are read key by
		// key.
		expected.keySet()
			.forEach((queue) -> assertThat(Stream.of("wait", "paused", "meta")
				.map((suffix) -> SlotHash.getSlot("legacy:" + queue + ":" + suffix))
				.distinct()
				.count()).as(queue).isGreaterThan(1));
		this.sample = RunningSample.start(clusterArgs(), List.copyOf(expected.keySet()), "--bullmq.prefix=legacy");
		List<Sample> scrape = this.sample.scrapeSamples();
		expected.forEach((queue,
				counts) -> counts.forEach((state, count) -> assertThat(value(scrape, "bullmq_job_count", queue, state))
					.as("%s %s", queue, state)
					.isEqualTo(count.doubleValue())));
		assertThat(value(scrape, "bullmq_job_count", "marker-paused-0", "paused")).isEqualTo(5);
		assertThat(value(scrape, "bullmq_job_count", "marker-wait-0-1000", "waiting")).isEqualTo(5);
	}

	@Test
	void readsThroughSentinelsAndFollowsAFailover() {
		try (RedisSentinel sentinel = RedisSentinel.start()) {
			BullMq.seed(sentinel.url(), Version.V6, "bull", List.of(QueueSpec.everyState("watched")));
			this.sample = RunningSample.start(
					List.of("--spring.data.redis.sentinel.master=" + sentinel.masterName(),
							"--spring.data.redis.sentinel.nodes=" + sentinel.sentinelsProperty()),
					List.of("watched"), "--bullmq.metrics.cache-ttl=200ms");
			assertThat(value(this.sample.scrapeSamples(), "bullmq_job_count", "watched", "waiting")).isEqualTo(5);
			sentinel.killMaster();
			sentinel.awaitFailover(RECOVERY);
			List<Sample> recovered = this.sample.awaitScrape(RunningSample::isUp, "recovery after the failover");
			assertThat(value(recovered, "bullmq_job_count", "watched", "waiting")).isEqualTo(5);
		}
	}

	private static List<String> clusterArgs() {
		return List.of("--spring.data.redis.cluster.nodes=" + cluster.nodesProperty(),
				"--spring.data.redis.lettuce.cluster.refresh.adaptive=true",
				"--spring.data.redis.lettuce.cluster.refresh.period=1s", "--spring.data.redis.timeout=2s");
	}

	private static void copyToCluster(RedisServer single, String prefix) {
		RedisClusterClient client = RedisClusterClient.create(RedisURI.create("redis://" + cluster.nodes().get(0)));
		try (StatefulRedisClusterConnection<byte[], byte[]> connection = client.connect(ByteArrayCodec.INSTANCE)) {
			for (String key : single.commands().keys(prefix + ":*")) {
				byte[] dump = single.commands().dump(key);
				connection.sync().restore(key.getBytes(java.nio.charset.StandardCharsets.UTF_8), 0, dump);
			}
		}
		finally {
			client.shutdown();
		}
	}

}
