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
import org.springframework.boot.health.contributor.Status;

import io.github.bullmqmetrics.micrometer.Refresh;
import io.github.bullmqmetrics.micrometer.SnapshotCache;
import io.github.bullmqmetrics.reader.BullMqSnapshot;

/**
 * The {@code bullmq} health contributor: whether BullMQ's data could be read from Redis,
 * when it was last read, and for each queue whether it is paused or has no data at all.
 * <p>
 * When Redis cannot be read it reports {@link Status#UNKNOWN} by default, which Spring
 * Boot's default aggregation ranks below {@code UP}: an outage of the Redis that only
 * monitoring needs never turns the application's own health {@code DOWN}. It reports
 * {@link Status#DOWN} instead when asked to ({@code bullmq.health.down-on-failure}).
 * <p>
 * It reads through the {@link SnapshotCache}, so it costs no Redis call while the last
 * read is fresh, and never waits longer than the scrape timeout.
 *
 * @author bullmq-metrics authors
 */
class BullMqHealthIndicator extends AbstractHealthIndicator {

	private final SnapshotCache snapshotCache;

	private final Status failureStatus;

	BullMqHealthIndicator(SnapshotCache snapshotCache, boolean downOnFailure) {
		super("BullMQ health check failed");
		this.snapshotCache = snapshotCache;
		this.failureStatus = downOnFailure ? Status.DOWN : Status.UNKNOWN;
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
			builder.status(this.failureStatus)
				.withDetail("cause", String.valueOf(refresh.failureCause()))
				.withDetail("error", String.valueOf(refresh.failureMessage()));
			return;
		}
		Map<String, Map<String, Object>> queues = new LinkedHashMap<>();
		snapshot.queues()
			.forEach((name, queue) -> queues.put(name,
					queue.exists() ? Map.of("paused", queue.paused()) : Map.of("missing", true)));
		builder.up().withDetail("queues", queues);
		if (!snapshot.failures().isEmpty()) {
			builder.withDetail("unreadableQueues", snapshot.failures());
		}
	}

}
