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
package io.github.bullmqmetrics.micrometer;

import java.time.Duration;
import java.time.Instant;

import org.jspecify.annotations.Nullable;

import io.github.bullmqmetrics.reader.BullMqSnapshot;

/**
 * The outcome of one attempt to read BullMQ's data: a snapshot, or why there is none.
 *
 * @param snapshot the snapshot, or {@code null} when the read failed
 * @param failureCause a short, tag-friendly cause when the read failed (for example
 * {@code connection} or {@code timeout}), else {@code null}
 * @param failureMessage what went wrong, for logs and health details, else {@code null}
 * @param completedAt when the attempt ended
 * @param duration how long the attempt took
 * @author bullmq-metrics authors
 */
public record Refresh(@Nullable BullMqSnapshot snapshot, @Nullable String failureCause, @Nullable String failureMessage,
		Instant completedAt, Duration duration) {

	/**
	 * Create the outcome of a read that succeeded.
	 * @param snapshot the snapshot
	 * @param duration how long the read took
	 * @return the outcome
	 */
	public static Refresh succeeded(BullMqSnapshot snapshot, Duration duration) {
		return new Refresh(snapshot, null, null, snapshot.readAt(), duration);
	}

	/**
	 * Create the outcome of a read that failed.
	 * @param cause a short, tag-friendly cause
	 * @param message what went wrong
	 * @param completedAt when the attempt ended
	 * @param duration how long the attempt took
	 * @return the outcome
	 */
	public static Refresh failed(String cause, String message, Instant completedAt, Duration duration) {
		return new Refresh(null, cause, message, completedAt, duration);
	}

	/**
	 * Whether the read succeeded.
	 * @return {@code true} if there is a snapshot
	 */
	public boolean isSuccess() {
		return this.snapshot != null;
	}

}
