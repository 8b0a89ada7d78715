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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import io.github.bullmqmetrics.reader.BullMqReadException.Reason;
import io.github.bullmqmetrics.test.Await;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link FinishedJobsPoller}, with a fake reader.
 *
 * @author bullmq-metrics authors
 */
@ExtendWith(OutputCaptureExtension.class)
class FinishedJobsPollerTests {

	private final AtomicReference<RuntimeException> failure = new AtomicReference<>();

	private final AtomicReference<Map<String, String>> queueFailures = new AtomicReference<>(Map.of());

	private final AtomicInteger reads = new AtomicInteger();

	private final FinishedJobsReader reader = (queues) -> {
		this.reads.incrementAndGet();
		if (this.failure.get() != null) {
			throw this.failure.get();
		}
		return new FinishedJobsRead(Instant.now(), List.of(), this.queueFailures.get());
	};

	@Test
	void handsEverySuccessfulReadToItsListeners() {
		FinishedJobsPoller poller = new FinishedJobsPoller(this.reader, () -> List.of("emails"), Duration.ofHours(1));
		List<FinishedJobsRead> heard = new ArrayList<>();
		poller.addListener(heard::add);
		poller.poll();
		this.failure.set(new BullMqReadException(Reason.CONNECTION, "down", null));
		poller.poll();
		assertThat(heard).hasSize(1);
	}

	@Test
	void logsAFailedReadOnceAndItsRecoveryOnce(CapturedOutput output) {
		FinishedJobsPoller poller = new FinishedJobsPoller(this.reader, () -> List.of("emails"), Duration.ofHours(1));
		this.failure.set(new BullMqReadException(Reason.AUTHENTICATION,
				"Redis at 127.0.0.1:6379 refused the credentials: WRONGPASS invalid username-password pair.", null));
		poller.poll();
		poller.poll();
		this.failure.set(null);
		poller.poll();
		poller.poll();
		assertThat(output.getOut().split("Cannot read BullMQ's finished jobs: ", -1)).hasSize(2);
		assertThat(output.getOut()).contains("WRONGPASS invalid username-password pair. Their durations")
			.doesNotContain("..");
		assertThat(output.getOut().split("Reading BullMQ's finished jobs works again", -1)).hasSize(2);
	}

	@Test
	void logsAQueueThatCannotBeReadOnceUntilItCanBeReadAgain(CapturedOutput output) {
		FinishedJobsPoller poller = new FinishedJobsPoller(this.reader, () -> List.of("emails"), Duration.ofHours(1));
		this.queueFailures.set(Map.of("emails", "WRONGTYPE Operation against a key holding the wrong kind of value"));
		poller.poll();
		poller.poll();
		this.queueFailures.set(Map.of());
		poller.poll();
		this.queueFailures.set(Map.of("emails", "WRONGTYPE again"));
		poller.poll();
		assertThat(output.getOut().split("Cannot read the finished jobs of the BullMQ queue 'emails'", -1)).hasSize(3);
	}

	@Test
	void keepsReadingOnScheduleWhenAListenerFailsAndStartsOnlyOnce() {
		try (FinishedJobsPoller poller = new FinishedJobsPoller(this.reader, () -> List.of("emails"),
				Duration.ofMillis(20))) {
			poller.addListener((read) -> {
				throw new IllegalStateException("a broken listener");
			});
			poller.start();
			poller.start();
			Await.until(Duration.ofSeconds(5), () -> this.reads.get() >= 5, "five reads");
			int reads = this.reads.get();
			Await.pause(Duration.ofMillis(200));
			// One schedule: about ten reads in 200 ms, not twenty.
			assertThat(this.reads.get() - reads).isLessThan(15);
		}
	}

}
