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

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

import org.jspecify.annotations.Nullable;

/**
 * How many BullMQ workers each queue has, counted as BullMQ's own
 * {@code queue.getWorkersCount()} counts them, or unknown, with the reason, when Redis
 * does not let its clients be listed ({@code CLIENT LIST} refused by an ACL, or renamed
 * or disabled by a managed Redis). Unknown is never reported as 0.
 *
 * @param counts the number of workers per queue name, in the order the queues were asked
 * for; empty when the counts are unknown
 * @param unknownReason why the counts are unknown, or {@code null} when they are known
 * @author bullmq-metrics authors
 */
public record WorkerCounts(Map<String, Long> counts, @Nullable String unknownReason) {

	public WorkerCounts {
		if (unknownReason != null && !counts.isEmpty()) {
			throw new IllegalArgumentException("Unknown worker counts must have no counts, got " + counts);
		}
		counts = Collections.unmodifiableMap(new LinkedHashMap<>(counts));
	}

	/**
	 * Return known counts.
	 * @param counts the number of workers per queue name
	 * @return the counts
	 */
	public static WorkerCounts known(Map<String, Long> counts) {
		return new WorkerCounts(counts, null);
	}

	/**
	 * Return counts that are unknown.
	 * @param reason why, for example Redis' {@code NOPERM} error
	 * @return the unknown counts
	 */
	public static WorkerCounts unknown(String reason) {
		return new WorkerCounts(Map.of(), reason);
	}

	/**
	 * Whether the counts are known.
	 * @return {@code true} unless Redis refused to list its clients
	 */
	public boolean isKnown() {
		return this.unknownReason == null;
	}

	/**
	 * Return the number of workers of a queue.
	 * @param queue the queue name
	 * @return the count, or empty when the counts are unknown or the queue was not asked
	 * for
	 */
	public OptionalLong count(String queue) {
		Long count = this.counts.get(queue);
		return (count != null) ? OptionalLong.of(count) : OptionalLong.empty();
	}

}
