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
import java.util.Optional;

import org.jspecify.annotations.Nullable;

/**
 * One finished job as its hash described it when read: the fields that its wait and
 * processing times come from. A field the hash lacked is {@code null}.
 * <p>
 * How BullMQ (6.7.0's Lua scripts, and 5.x alike) writes them:
 * <ul>
 * <li>{@code timestamp}: when the job was added, by the producer's clock (or the
 * {@code timestamp} option), written once ({@code includes/storeJob.lua});</li>
 * <li>{@code opts}: the options the job was added with, as JSON. Its {@code delay} is the
 * delay it was added with. The hash's own {@code delay} field is not: it is reset to 0
 * when a delayed job is promoted ({@code includes/promoteDelayedJobs.lua},
 * {@code promote-9.lua}) and overwritten with the backoff on a retry
 * ({@code moveToDelayed-11.lua});</li>
 * <li>{@code processedOn}: when the last attempt started, by the worker's clock,
 * overwritten at every start, and {@code ats} (attempts started) incremented there
 * ({@code includes/prepareJobForProcessing.lua}). A stalled job that restarts, a retried
 * job, a rate-limited job put back, and a job that moved itself to delayed or to
 * waiting-children all start again, so their {@code ats} is above 1;</li>
 * <li>{@code finishedOn}: when the job finished, by the worker's clock, which is also its
 * score in the {@code completed} or {@code failed} sorted set
 * ({@code moveToFinished-14.lua}).</li>
 * </ul>
 *
 * @param id the job id
 * @param timestamp {@code timestamp}, in milliseconds since the epoch
 * @param processedOn {@code processedOn}, in milliseconds since the epoch
 * @param finishedOn {@code finishedOn}, in milliseconds since the epoch
 * @param attemptsStarted {@code ats}
 * @param originalDelay the {@code delay} of the {@code opts} JSON, in milliseconds (0
 * when it has none); looked up only for a first attempt, else {@code null}; {@code null}
 * too when {@code opts} cannot be read
 * @param parent whether the job is the parent of a flow: it has children's results or
 * dependencies ({@code :processed}, {@code :failed}, {@code :unsuccessful} or
 * {@code :dependencies} keys); looked up only for a first attempt
 * @author bullmq-metrics authors
 */
public record FinishedJob(String id, @Nullable Long timestamp, @Nullable Long processedOn, @Nullable Long finishedOn,
		@Nullable Long attemptsStarted, @Nullable Long originalDelay, boolean parent) {

	/**
	 * Whether the job was still there when read: its hash has {@code finishedOn}. A job
	 * whose id is still in the sorted set but whose hash is gone was removed before it
	 * could be read.
	 * @return whether the job could be read
	 */
	public boolean readable() {
		return this.finishedOn != null;
	}

	/**
	 * Return how long the last attempt took: {@code finishedOn - processedOn}.
	 * @return the processing time, or empty when the job never started (a flow parent
	 * failed by a child, say), or when the worker's clock makes it negative
	 */
	public Optional<Duration> processingTime() {
		if (this.processedOn == null || this.finishedOn == null || this.finishedOn < this.processedOn) {
			return Optional.empty();
		}
		return Optional.of(Duration.ofMillis(this.finishedOn - this.processedOn));
	}

	/**
	 * Return how long the job waited, from when it was ready to run until a worker first
	 * took it: {@code processedOn - (timestamp + opts.delay)}, for a first attempt only.
	 * <p>
	 * Only then does the hash still say when the job became ready: after a retry, a stall
	 * or any other restart ({@code ats} above 1) {@code processedOn} is that of the last
	 * start and the earlier ones are gone; a flow's parent became ready when its last
	 * child finished, which its hash does not record. A job whose delay was changed
	 * ({@code changeDelay}) or that was promoted early ({@code promote()}) became ready
	 * at a time its hash does not record either: the first makes the wait too long or too
	 * short, the second too short, and a negative one (ready after it started) is left
	 * out. A job without {@code ats} (written by a BullMQ older than that field, or by
	 * Bull) has no wait.
	 * @return the wait, or empty when it cannot be known
	 */
	public Optional<Duration> waitTime() {
		if (this.attemptsStarted == null || this.attemptsStarted != 1 || this.parent || this.timestamp == null
				|| this.processedOn == null || this.originalDelay == null) {
			return Optional.empty();
		}
		long ready = this.timestamp + this.originalDelay;
		if (this.processedOn < ready) {
			return Optional.empty();
		}
		return Optional.of(Duration.ofMillis(this.processedOn - ready));
	}

}
