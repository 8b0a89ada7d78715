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

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

import org.jspecify.annotations.Nullable;

/**
 * The result of one read of a set of queues: a {@link QueueSnapshot} for every queue that
 * could be read, and the reason for every queue that could not.
 *
 * @param readAt when the read completed
 * @param queues the snapshot of each queue that was read, by queue name, in the order
 * asked for
 * @param failures why a queue could not be read (for example a key of the wrong type), by
 * queue name
 * @param unavailable why a part of every queue's data could not be read while the rest
 * could, by part (for example {@link #LATENCY} when Redis refuses {@code TIME})
 * @param workers the workers of each queue, read with the counts but not atomically with
 * them (they come from {@code CLIENT LIST}); {@code null} when not read at all
 * @param latencyRead whether each queue's latency and overdue jobs were read; when not,
 * their {@code null} in {@link QueueSnapshot#activity()} means "not asked for", not
 * "unknown"
 * @author bullmq-metrics authors
 */
public record BullMqSnapshot(Instant readAt, Map<String, QueueSnapshot> queues, Map<String, String> failures,
		Map<String, String> unavailable, @Nullable WorkerCounts workers, boolean latencyRead) {

	/** The part of {@link #unavailable()} for latency and overdue jobs. */
	public static final String LATENCY = "latency";

	/** The part of {@link #unavailable()} for the worker counts. */
	public static final String WORKERS = "workers";

	public BullMqSnapshot {
		queues = Collections.unmodifiableMap(new LinkedHashMap<>(queues));
		failures = Collections.unmodifiableMap(new LinkedHashMap<>(failures));
		unavailable = Collections.unmodifiableMap(new LinkedHashMap<>(unavailable));
	}

	/**
	 * Create a snapshot of a read that asked for latency and overdue jobs.
	 * @param readAt when the read completed
	 * @param queues the snapshot of each queue that was read
	 * @param failures why a queue could not be read
	 * @param unavailable why a part of every queue's data could not be read
	 * @param workers the workers of each queue; {@code null} when not read at all
	 */
	public BullMqSnapshot(Instant readAt, Map<String, QueueSnapshot> queues, Map<String, String> failures,
			Map<String, String> unavailable, @Nullable WorkerCounts workers) {
		this(readAt, queues, failures, unavailable, workers, true);
	}

	/**
	 * Create a snapshot in which every part could be read.
	 * @param readAt when the read completed
	 * @param queues the snapshot of each queue that was read
	 * @param failures why a queue could not be read
	 */
	public BullMqSnapshot(Instant readAt, Map<String, QueueSnapshot> queues, Map<String, String> failures) {
		this(readAt, queues, failures, Map.of(), null);
	}

	/**
	 * Return the number of workers of a queue.
	 * @param queue the queue name
	 * @return the count, or empty when the workers were not counted, could not be, or the
	 * queue was not read
	 */
	public OptionalLong workers(String queue) {
		return (this.workers != null) ? this.workers.count(queue) : OptionalLong.empty();
	}

	/**
	 * Whether the workers of every queue were counted.
	 * @return {@code true} if the worker counts are known
	 */
	public boolean workersKnown() {
		return this.workers != null && this.workers.isKnown();
	}

}
