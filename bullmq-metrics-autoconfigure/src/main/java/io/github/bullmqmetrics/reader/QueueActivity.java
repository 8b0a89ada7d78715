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

import org.jspecify.annotations.Nullable;

/**
 * What a queue is doing beyond its job counts, read in the same atomic call: how long its
 * front has waited, what is overdue, and what limits it. A value is {@code null} when it
 * is not known (Redis refused {@code TIME}, or the queue's keys spread over several
 * cluster slots and were read key by key), when it was not read (latency and overdue
 * jobs, where the reader was told not to) or, for the global concurrency, not set.
 *
 * @param latency how long the job that has waited longest at the front of the queue has
 * been ready to run, on Redis' clock; zero when no job is ready
 * @param overdue delayed jobs due before now that no worker has promoted yet, as BullMQ
 * 6.7's {@code getDelayedCount(now)}
 * @param schedulers job schedulers, as BullMQ's {@code getJobSchedulersCount()}
 * @param rateLimitTtl how long the queue stays rate-limited, as BullMQ's
 * {@code getRateLimitTtl()}; zero when it is not
 * @param globalConcurrency the queue's global concurrency, as BullMQ's
 * {@code getGlobalConcurrency()}; {@code null} when none is set
 * @author bullmq-metrics authors
 */
public record QueueActivity(@Nullable Duration latency, @Nullable Long overdue, @Nullable Long schedulers,
		@Nullable Duration rateLimitTtl, @Nullable Long globalConcurrency) {

	/** Nothing known. */
	public static final QueueActivity UNKNOWN = new QueueActivity(null, null, null, null, null);

}
