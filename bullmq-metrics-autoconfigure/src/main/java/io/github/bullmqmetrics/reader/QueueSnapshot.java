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
import java.util.EnumMap;
import java.util.Map;
import java.util.OptionalLong;

import org.jspecify.annotations.Nullable;

/**
 * What one queue looked like at one instant: its job count per state, its lifetime totals
 * and whether it is paused. All values come from one atomic read.
 *
 * @param name the queue name
 * @param counts the job count per state, holding only the states that the BullMQ version
 * which last wrote the queue knows (BullMQ 6 has no {@code paused} state)
 * @param completedTotal the lifetime number of completed jobs
 * ({@code metrics:completed count}), 0 when workers never enabled metrics
 * @param failedTotal the lifetime number of failed jobs ({@code metrics:failed count}), 0
 * when workers never enabled metrics
 * @param paused whether the queue is paused ({@code meta paused} is set)
 * @param version the BullMQ version recorded in {@code meta version}, for example
 * {@code bullmq:6.7.0}, or {@code null} when the data does not say
 * @param exists whether the queue has any data in Redis at all; {@code false} for a name
 * under which BullMQ never wrote (a typo in the queue name or the prefix, say), whose
 * counts are all 0
 * @param activity latency, overdue jobs, schedulers and limits, read with the counts
 * @author bullmq-metrics authors
 */
public record QueueSnapshot(String name, Map<JobState, Long> counts, long completedTotal, long failedTotal,
		boolean paused, @Nullable String version, boolean exists, QueueActivity activity) {

	public QueueSnapshot {
		counts = Collections.unmodifiableMap(counts.isEmpty() ? new EnumMap<>(JobState.class) : new EnumMap<>(counts));
	}

	/**
	 * Create the snapshot of a queue that has data in Redis.
	 * @param name the queue name
	 * @param counts the job count per state
	 * @param completedTotal the lifetime number of completed jobs
	 * @param failedTotal the lifetime number of failed jobs
	 * @param paused whether the queue is paused
	 * @param version the BullMQ version recorded in {@code meta version}, or {@code null}
	 */
	public QueueSnapshot(String name, Map<JobState, Long> counts, long completedTotal, long failedTotal, boolean paused,
			@Nullable String version) {
		this(name, counts, completedTotal, failedTotal, paused, version, true, QueueActivity.UNKNOWN);
	}

	/**
	 * Return the number of jobs in a state.
	 * @param state the state
	 * @return the count, or empty when this queue's BullMQ version has no such state
	 */
	public OptionalLong count(JobState state) {
		Long count = this.counts.get(state);
		return (count != null) ? OptionalLong.of(count) : OptionalLong.empty();
	}

	/**
	 * Return the number of jobs in all states together.
	 * @return the sum of {@link #counts()}
	 */
	public long total() {
		return this.counts.values().stream().mapToLong(Long::longValue).sum();
	}

}
