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

import org.jspecify.annotations.Nullable;

/**
 * Thrown when BullMQ's data cannot be read from Redis at all.
 *
 * @author bullmq-metrics authors
 */
public class BullMqReadException extends RuntimeException {

	private final Reason reason;

	/**
	 * Create a new exception.
	 * @param reason what kind of failure it is
	 * @param message the detail message
	 * @param cause the cause, may be {@code null}
	 */
	public BullMqReadException(Reason reason, String message, @Nullable Throwable cause) {
		super(message, cause);
		this.reason = reason;
	}

	/**
	 * Return what kind of failure this is.
	 * @return the reason
	 */
	public Reason reason() {
		return this.reason;
	}

	/**
	 * The kinds of read failure.
	 */
	public enum Reason {

		/** Redis could not be reached. */
		CONNECTION,

		/**
		 * Redis refused the credentials ({@code WRONGPASS}), or asked for some that were
		 * not given ({@code NOAUTH}).
		 */
		AUTHENTICATION,

		/** Redis did not answer in time. */
		TIMEOUT,

		/** Redis refused the command, for example for lack of ACL permissions. */
		COMMAND,

		/** Anything else. */
		OTHER

	}

}
