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
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Tests for {@link Await}.
 *
 * @author bullmq-metrics authors
 */
class AwaitTests {

	@Test
	void returnsOnceTheConditionHolds() {
		AtomicInteger calls = new AtomicInteger();
		Await.until(Duration.ofSeconds(5), () -> calls.incrementAndGet() == 3, "the third call");
		assertThat(calls).hasValue(3);
	}

	@Test
	void returnsTheValueThatSatisfiedTheCondition() {
		AtomicInteger calls = new AtomicInteger();
		Integer value = Await.until(Duration.ofSeconds(5), calls::incrementAndGet, (count) -> count >= 3,
				"three calls");
		assertThat(value).isEqualTo(3);
	}

	@Test
	void checksOnceEvenWithoutTime() {
		Await.until(Duration.ZERO, () -> true, "nothing");
		assertThat(Await.until(Duration.ZERO, () -> "done", "done"::equals, "done")).isEqualTo("done");
	}

	@Test
	void failsNamingWhatItAwaited() {
		assertThatExceptionOfType(AssertionError.class)
			.isThrownBy(() -> Await.until(Duration.ofMillis(200), () -> false, "the moon to turn blue"))
			.withMessage("Timed out after PT0.2S waiting until the moon to turn blue");
		assertThatExceptionOfType(AssertionError.class)
			.isThrownBy(() -> Await.until(Duration.ofMillis(200), () -> 7, (value) -> value > 7, "more than 7"))
			.withMessage("Timed out after PT0.2S waiting until more than 7 (last value: 7)");
	}

	@Test
	void pausesBetweenChecksInsteadOfSpinning() {
		AtomicInteger calls = new AtomicInteger();
		assertThatExceptionOfType(AssertionError.class).isThrownBy(
				() -> Await.until(Duration.ofMillis(500), () -> calls.incrementAndGet() < 0, "a negative count"));
		assertThat(calls.get()).isBetween(2, 12);
	}

	@Test
	void letsExceptionsThrough() {
		assertThatIllegalArgumentException().isThrownBy(() -> Await.until(Duration.ofSeconds(5), () -> {
			throw new IllegalArgumentException("boom");
		}, "no exception")).withMessage("boom");
	}

	@Test
	void stopsWaitingWhenInterruptedAndKeepsTheFlag() {
		Thread.currentThread().interrupt();
		long start = System.nanoTime();
		assertThatIllegalStateException()
			.isThrownBy(() -> Await.until(Duration.ofSeconds(10), () -> false, "an interrupt"))
			.withMessage("Interrupted while waiting until an interrupt");
		assertThat(Thread.interrupted()).isTrue();
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
	}

	@Test
	void pauseRestoresTheInterruptFlag() {
		Thread.currentThread().interrupt();
		long start = System.nanoTime();
		Await.pause(Duration.ofSeconds(10));
		assertThat(Thread.interrupted()).isTrue();
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
	}

	@Test
	void pauseSleeps() {
		long start = System.nanoTime();
		Await.pause(Duration.ofMillis(100));
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(100));
		assertThat(Thread.currentThread().isInterrupted()).isFalse();
	}

}
