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
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import io.github.bullmqmetrics.micrometer.Refresh;
import io.github.bullmqmetrics.micrometer.SnapshotCache;
import io.github.bullmqmetrics.reader.BullMqSnapshot;

/**
 * What the {@code bullmq} health contributor reports, taken from the last read of Redis
 * and free of Spring Boot types, so that the contributor for Spring Boot 4's health API
 * and the one for Spring Boot 3's report exactly the same details. Support for those two
 * contributors, not meant to be used by applications.
 *
 * @param readable whether the last read of Redis succeeded
 * @param details the details, in the order they are shown: when the last read ended and
 * how long it took, the last success, and then either each queue's state (and the queues
 * that could not be read) or the cause and message of the failure
 * @author bullmq-metrics authors
 */
public record BullMqHealthReport(boolean readable, Map<String, Object> details) {

	/**
	 * Create the report of the last read, reading Redis only if the cache says so.
	 * @param snapshotCache the cache that the scrape reads through as well
	 * @return the report
	 */
	public static BullMqHealthReport of(SnapshotCache snapshotCache) {
		Refresh refresh = snapshotCache.current();
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("lastRead", refresh.completedAt().toString());
		details.put("lastReadDuration", refresh.duration().toMillis() + "ms");
		Instant lastSuccess = snapshotCache.lastSuccess();
		if (lastSuccess != null) {
			details.put("lastSuccess", lastSuccess.toString());
		}
		BullMqSnapshot snapshot = refresh.snapshot();
		if (snapshot == null) {
			details.put("cause", String.valueOf(refresh.failureCause()));
			details.put("error", String.valueOf(refresh.failureMessage()));
			return new BullMqHealthReport(false, Collections.unmodifiableMap(details));
		}
		Map<String, Map<String, Object>> queues = new LinkedHashMap<>();
		snapshot.queues()
			.forEach((name, queue) -> queues.put(name,
					queue.exists() ? Map.of("paused", queue.paused()) : Map.of("missing", true)));
		details.put("queues", queues);
		if (!snapshot.failures().isEmpty()) {
			details.put("unreadableQueues", snapshot.failures());
		}
		return new BullMqHealthReport(true, Collections.unmodifiableMap(details));
	}

}
