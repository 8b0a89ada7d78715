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
package io.github.bullmqmetrics.autoconfigure;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

import io.github.bullmqmetrics.micrometer.Refresh;
import io.github.bullmqmetrics.micrometer.SnapshotCache;
import io.github.bullmqmetrics.reader.BullMqSnapshot;

/**
 * The {@code bullmq} health contributor: whether BullMQ's data could be read from Redis,
 * when it was last read, and for each queue whether it is paused.
 * <p>
 * It reads through the {@link SnapshotCache}, so it costs no Redis call while the last
 * read is fresh, and never waits longer than the scrape timeout.
 *
 * @author bullmq-metrics authors
 */
class BullMqHealthIndicator extends AbstractHealthIndicator {

	private final SnapshotCache snapshotCache;

	BullMqHealthIndicator(SnapshotCache snapshotCache) {
		super("BullMQ health check failed");
		this.snapshotCache = snapshotCache;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		Refresh refresh = this.snapshotCache.current();
		builder.withDetail("lastRead", refresh.completedAt().toString())
			.withDetail("lastReadDuration", refresh.duration().toMillis() + "ms");
		Instant lastSuccess = this.snapshotCache.lastSuccess();
		if (lastSuccess != null) {
			builder.withDetail("lastSuccess", lastSuccess.toString());
		}
		BullMqSnapshot snapshot = refresh.snapshot();
		if (snapshot == null) {
			builder.down()
				.withDetail("cause", String.valueOf(refresh.failureCause()))
				.withDetail("error", String.valueOf(refresh.failureMessage()));
			return;
		}
		Map<String, Map<String, Object>> queues = new LinkedHashMap<>();
		snapshot.queues().forEach((name, queue) -> queues.put(name, Map.of("paused", queue.paused())));
		builder.up().withDetail("queues", queues);
		if (!snapshot.failures().isEmpty()) {
			builder.withDetail("unreadableQueues", snapshot.failures());
		}
	}

}
