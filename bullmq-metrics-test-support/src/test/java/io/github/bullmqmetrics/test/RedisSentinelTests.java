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
import java.util.List;
import java.util.Map;

import io.github.bullmqmetrics.test.BullMq.QueueSpec;
import io.github.bullmqmetrics.test.BullMq.Version;
import org.junit.jupiter.api.Test;

import static io.github.bullmqmetrics.test.JobCountAssertions.assertJobCounts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Tests for {@link RedisSentinel}: a real master, replica and three sentinels, real
 * BullMQ through the sentinels, and a real failover.
 *
 * @author bullmq-metrics authors
 */
class RedisSentinelTests {

	@Test
	void keepsBullMqWorkingThroughTheSentinelsWhenTheMasterFailsOver() {
		try (RedisSentinel sentinel = RedisSentinel.start()) {
			assertThat(sentinel.masterName()).isEqualTo("mymaster");
			assertThat(sentinel.sentinelsProperty().split(",")).hasSize(3)
				.allMatch((node) -> node.matches("127\\.0\\.0\\.1:\\d+"));
			assertThat(sentinel.url()).isEqualTo("redis+sentinel://" + sentinel.sentinelsProperty() + "/mymaster");
			int master = sentinel.masterPort();
			assertThatIllegalStateException().isThrownBy(() -> sentinel.awaitFailover(Duration.ofSeconds(1)))
				.withMessageContaining("killMaster() was not called");

			Map<String, Long> counts = BullMq
				.seed(sentinel.url(), Version.V5, "bull", List.of(QueueSpec.everyState("q")))
				.get("q");
			assertThat(counts).containsEntry("completed", 3L).containsEntry("waiting", 5L);

			sentinel.killMaster();
			sentinel.awaitFailover(Duration.ofSeconds(30));

			assertThat(sentinel.masterPort()).isNotEqualTo(master);
			assertThatIllegalStateException().isThrownBy(sentinel::killMaster)
				.withMessageContaining("was killed already");
			String text = BullMq.exportPrometheusMetrics(sentinel.url(), Version.V5, "bull", List.of("q"), null)
				.get("q");
			assertJobCounts(text, counts, "acknowledged writes survive the failover");
		}
	}

}
