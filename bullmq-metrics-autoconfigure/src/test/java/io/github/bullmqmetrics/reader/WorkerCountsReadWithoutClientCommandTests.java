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
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.github.bullmqmetrics.test.BullMq;
import io.github.bullmqmetrics.test.BullMq.ClientCounts;
import io.github.bullmqmetrics.test.BullMq.Version;
import io.github.bullmqmetrics.test.BullMq.WorkerSpec;
import io.github.bullmqmetrics.test.BullMq.Workers;
import io.github.bullmqmetrics.test.RedisServer;
import io.github.bullmqmetrics.test.RedisServerExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link WorkerCountsRead} on a Redis whose {@code CLIENT} command is renamed
 * away, as some managed Redis services do: a real Redis with real BullMQ workers running.
 *
 * @author bullmq-metrics authors
 */
class WorkerCountsReadWithoutClientCommandTests {

	@RegisterExtension
	static final RedisServerExtension redisServer = RedisServerExtension.start("--rename-command", "CLIENT", "");

	@RegisterExtension
	final ConnectionFactories factories = new ConnectionFactories();

	private final RedisServer redis = redisServer.server();

	@ParameterizedTest
	@EnumSource(Version.class)
	void theCountsAreUnknownWhereBullMqMakesUpOneWorker(Version version) {
		String queue = "no-client-" + version;
		try (Workers running = BullMq.workers(this.redis.url(), version, "bull", List.of("idle"),
				List.of(WorkerSpec.unnamed(queue), WorkerSpec.unnamed(queue), WorkerSpec.named(queue, "n")),
				List.of())) {
			ClientCounts bullMq = running.counts();
			assertThat(bullMq.clientList()).isFalse();
			// BullMQ returns a placeholder client when CLIENT is unknown: 1 for every
			// queue.
			assertThat(bullMq.workers()).containsEntry(queue, 1L).containsEntry("idle", 1L);
			WorkerCounts counts = WorkerCountsReadTests.read(this.factories.create(this.redis), "bull",
					List.of(queue, "idle"));
			assertThat(counts.isKnown()).isFalse();
			assertThat(counts.count(queue)).isEmpty();
			assertThat(counts.count("idle")).isEmpty();
			assertThat(counts.unknownReason()).startsWith("Cannot count workers: ").contains("ERR unknown command");
		}
	}

	@Test
	void theJobCountsAreReadAsUsual() {
		String queue = "jobs";
		BullMq.seed(this.redis.url(), Version.V6, "bull", List.of(BullMq.QueueSpec.everyState(queue)));
		BullMqSnapshot snapshot = new LettuceBullMqReader(this.factories.create(this.redis), new BullMqKeys("bull"),
				Duration.ofSeconds(5))
			.read(List.of(queue));
		assertThat(snapshot.failures()).isEmpty();
		assertThat(snapshot.queues().get(queue).exists()).isTrue();
	}

}
