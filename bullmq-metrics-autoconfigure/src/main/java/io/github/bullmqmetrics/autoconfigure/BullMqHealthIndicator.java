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

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

import io.github.bullmqmetrics.micrometer.SnapshotCache;

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
 * read is fresh, and never waits longer than the scrape timeout. This is the contributor
 * for Spring Boot 4's health API; {@link BullMqHealthReport} holds what it reports.
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
		BullMqHealthReport report = BullMqHealthReport.of(this.snapshotCache);
		builder.status(report.readable() ? Status.UP : this.failureStatus).withDetails(report.details());
	}

}
