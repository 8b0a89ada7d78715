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

package io.github.bullmqmetrics.test;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Polling for tests: wait until something holds, checking every 50 ms, and fail with an
 * {@link AssertionError} naming what was awaited when it does not hold in time.
 * <p>
 * The condition is checked before the first pause, so one that already holds returns at
 * once, even with a zero timeout. An exception thrown by the condition or the value is
 * not caught: it ends the wait. An interrupt ends it too, with an
 * {@link IllegalStateException}, keeping the thread's interrupt flag.
 *
 * @author bullmq-metrics authors
 */
public final class Await {

	/** How often {@link #until} checks, in milliseconds. */
	static final long POLL_MILLIS = 50;

	private static final Duration POLL_INTERVAL = Duration.ofMillis(POLL_MILLIS);

	private Await() {
	}

	/**
	 * Wait until a condition holds.
	 * @param timeout how long to wait at most
	 * @param condition what must become true
	 * @param description what is awaited, for the failure message, for example
	 * {@code "the worker to finish"}
	 * @throws AssertionError naming the description when the condition does not hold
	 * within the timeout
	 */
	public static void until(Duration timeout, BooleanSupplier condition, String description) {
		poll(timeout, POLL_INTERVAL, condition::getAsBoolean, Boolean.TRUE::equals, description,
				(last) -> new AssertionError("Timed out after " + timeout + " waiting until " + description));
	}

	/**
	 * Wait until a value satisfies a condition, and return it.
	 * @param <T> the type of the value
	 * @param timeout how long to wait at most
	 * @param value what to read each time, for example a count from Redis
	 * @param condition what the value must satisfy
	 * @param description what is awaited, for the failure message
	 * @return the value that satisfied the condition (the last one read)
	 * @throws AssertionError naming the description and the last value read when no value
	 * satisfies the condition within the timeout
	 */
	public static <T> T until(Duration timeout, Supplier<T> value, Predicate<? super T> condition, String description) {
		return poll(timeout, POLL_INTERVAL, value, condition, description, (last) -> new AssertionError(
				"Timed out after " + timeout + " waiting until " + description + " (last value: " + last + ")"));
	}

	/**
	 * Sleep. An interrupt ends the sleep early and sets the thread's interrupt flag
	 * again, so the caller can still see it.
	 * @param duration how long to sleep
	 */
	public static void pause(Duration duration) {
		try {
			Thread.sleep(duration.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * The polling behind {@link #until}, with a chosen interval and failure: for the
	 * launchers of this package, which report timeouts as {@link IllegalStateException}
	 * with the processes' logs.
	 * @param <T> the type of the value
	 * @param <X> the type of the failure
	 * @param timeout how long to wait at most
	 * @param interval how long to pause between two reads
	 * @param value what to read each time
	 * @param condition what the value must satisfy
	 * @param description what is awaited, for the message on interrupt
	 * @param timedOut the failure to throw on timeout, given the last value read
	 * @return the value that satisfied the condition
	 * @throws X on timeout
	 */
	static <T, X extends Throwable> T poll(Duration timeout, Duration interval, Supplier<T> value,
			Predicate<? super T> condition, String description, Function<? super T, X> timedOut) throws X {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (true) {
			T current = value.get();
			if (condition.test(current)) {
				return current;
			}
			if (System.nanoTime() - deadline >= 0) {
				throw timedOut.apply(current);
			}
			pause(interval);
			if (Thread.currentThread().isInterrupted()) {
				throw new IllegalStateException("Interrupted while waiting until " + description);
			}
		}
	}

}
