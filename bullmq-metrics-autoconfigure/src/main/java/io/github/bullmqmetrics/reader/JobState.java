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

/**
 * The states of a BullMQ job that {@code Queue.getJobCounts()} reports, with the key that
 * holds each of them.
 *
 * @author bullmq-metrics authors
 */
public enum JobState {

	/** Jobs being processed: list {@code active}. */
	ACTIVE("active", "active"),

	/** Finished jobs still kept: sorted set {@code completed}. */
	COMPLETED("completed", "completed"),

	/** Jobs due later: sorted set {@code delayed}. */
	DELAYED("delayed", "delayed"),

	/** Failed jobs still kept: sorted set {@code failed}. */
	FAILED("failed", "failed"),

	/**
	 * Jobs of a queue paused by BullMQ 5 or older: list {@code paused}. BullMQ 6 has no
	 * such state.
	 */
	PAUSED("paused", "paused"),

	/** Jobs waiting by priority: sorted set {@code prioritized}. */
	PRIORITIZED("prioritized", "prioritized"),

	/** Jobs waiting to be processed: list {@code wait}. */
	WAITING("waiting", "wait"),

	/** Flow parents waiting for their children: sorted set {@code waiting-children}. */
	WAITING_CHILDREN("waiting-children", "waiting-children");

	private final String value;

	private final String keySuffix;

	JobState(String value, String keySuffix) {
		this.value = value;
		this.keySuffix = keySuffix;
	}

	/**
	 * Return the name BullMQ gives this state, as in {@code getJobCounts()}.
	 * @return the state name, for example {@code waiting-children}
	 */
	public String value() {
		return this.value;
	}

	/**
	 * Return the suffix of the Redis key that holds the jobs in this state.
	 * @return the key suffix, for example {@code wait}
	 */
	public String keySuffix() {
		return this.keySuffix;
	}

}
