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
package io.github.bullmqmetrics.autoconfigure.boot3;

import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;

import io.github.bullmqmetrics.autoconfigure.BullMqHealthReport;
import io.github.bullmqmetrics.micrometer.SnapshotCache;

/**
 * The {@code bullmq} health contributor on Spring Boot 3.5: the same status and details
 * as on Spring Boot 4 ({@link BullMqHealthReport}), through Actuator's health API of that
 * generation. {@code UNKNOWN} when Redis cannot be read, or {@code DOWN} when asked to
 * ({@code bullmq.health.down-on-failure}).
 *
 * @author bullmq-metrics authors
 */
class BullMqBoot3HealthIndicator extends AbstractHealthIndicator {

	private final SnapshotCache snapshotCache;

	private final Status failureStatus;

	BullMqBoot3HealthIndicator(SnapshotCache snapshotCache, boolean downOnFailure) {
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
