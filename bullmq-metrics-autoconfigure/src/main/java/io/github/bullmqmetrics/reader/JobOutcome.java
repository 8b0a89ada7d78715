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
 * How a BullMQ job finished, with the sorted set that keeps such jobs (scored by
 * {@code finishedOn}) and the hash whose {@code count} BullMQ's workers increment for
 * each of them when their {@code metrics} option is set.
 *
 * @author bullmq-metrics authors
 */
public enum JobOutcome {

	/** The job's last attempt succeeded: sorted set {@code completed}. */
	COMPLETED("completed"),

	/**
	 * The job's last attempt failed and it will not be retried: sorted set
	 * {@code failed}.
	 */
	FAILED("failed");

	private final String value;

	JobOutcome(String value) {
		this.value = value;
	}

	/**
	 * Return the name BullMQ gives this outcome.
	 * @return {@code completed} or {@code failed}
	 */
	public String value() {
		return this.value;
	}

	/**
	 * Return the suffix of the key of the sorted set that keeps finished jobs.
	 * @return {@code completed} or {@code failed}
	 */
	public String keySuffix() {
		return this.value;
	}

	/**
	 * Return the suffix of the key of the hash whose {@code count} is the lifetime number
	 * of jobs that finished so.
	 * @return {@code metrics:completed} or {@code metrics:failed}
	 */
	public String metricsKeySuffix() {
		return "metrics:" + this.value;
	}

}
