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
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import io.github.bullmqmetrics.reader.FinishedJob;
import io.github.bullmqmetrics.reader.FinishedJobs;
import io.github.bullmqmetrics.reader.FinishedJobsRead;
import io.github.bullmqmetrics.reader.JobOutcome;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link JobDurationMetrics}, with reads made up in the test.
 *
 * @author bullmq-metrics authors
 */
class JobDurationMetricsTests {

	private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	private final JobDurationMetrics metrics = new JobDurationMetrics(List.of(Tag.of("env", "Production")));

	@Test
	void aQueueGainsItsTimersAndCountersAtTheFirstReadThatIncludesIt() {
		this.metrics.bindTo(this.registry);
		assertThat(this.registry.getMeters()).isEmpty();
		this.metrics.record(read(finished("emails", JobOutcome.COMPLETED), finished("emails", JobOutcome.FAILED)));
		Timer wait = this.registry.get(BullMqMeters.JOB_WAIT).tags("queue", "emails", "env", "Production").timer();
		assertThat(wait.count()).isZero();
		assertThat(wait.getId().getDescription()).isEqualTo(BullMqMeters.JOB_WAIT_DESCRIPTION);
		assertThat(this.registry.get(BullMqMeters.JOB_PROCESSING).tag("queue", "emails").timers())
			.extracting((timer) -> timer.getId().getTag(BullMqMeters.OUTCOME))
			.containsExactlyInAnyOrder("completed", "failed");
		assertThat(this.registry.get(BullMqMeters.JOB_DURATIONS_OBSERVED).tag("queue", "emails").counters()).hasSize(2);
		assertThat(this.registry.get(BullMqMeters.JOB_DURATIONS_MISSED).tag("queue", "emails").counters())
			.extracting((counter) -> counter.getId().getTag(BullMqMeters.OUTCOME) + "/"
					+ counter.getId().getTag(BullMqMeters.REASON))
			.containsExactlyInAnyOrder("completed/limit", "completed/removed", "failed/limit", "failed/removed");
		assertThat(durationMeters()).hasSize(9)
			.allSatisfy((meter) -> assertThat(meter.getId().getTag("env")).isEqualTo("Production"));
	}

	@Test
	void recordsTheProcessingTimeOfEveryJobAndTheWaitOfFirstAttemptsOnly() {
		this.metrics.bindTo(this.registry);
		this.metrics.record(read(
				finished("emails", JobOutcome.COMPLETED, job(1_000, 1_040, 1_100, 1, 0),
						job(1_000, 3_500, 3_700, 1, 2_000), job(1_000, 9_000, 9_020, 2, 0)),
				finished("emails", JobOutcome.FAILED, job(1_000, 1_005, 1_010, 1, 0))));
		Timer completed = processing("emails", "completed");
		assertThat(completed.count()).isEqualTo(3);
		assertThat(completed.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(60 + 200 + 20);
		assertThat(processing("emails", "failed").totalTime(TimeUnit.MILLISECONDS)).isEqualTo(5);
		Timer wait = this.registry.get(BullMqMeters.JOB_WAIT).tag("queue", "emails").timer();
		// The retried job (ats 2) has no wait; the delayed one waited 500 ms after its
		// delay.
		assertThat(wait.count()).isEqualTo(3);
		assertThat(wait.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(40 + 500 + 5);
		assertThat(observed("emails", "completed").count()).isEqualTo(3);
		assertThat(observed("emails", "failed").count()).isEqualTo(1);
	}

	@Test
	void countsTheJobsKnownToBeMissedByOutcomeAndReason() {
		this.metrics.bindTo(this.registry);
		this.metrics.record(read(new FinishedJobs("emails", JobOutcome.COMPLETED, List.of(), 7, 2),
				new FinishedJobs("emails", JobOutcome.FAILED, List.of(), 0, 1)));
		this.metrics.record(read(new FinishedJobs("emails", JobOutcome.COMPLETED, List.of(), 3, 0),
				finished("emails", JobOutcome.FAILED)));
		assertThat(missed("emails", "completed", "limit").count()).isEqualTo(10);
		assertThat(missed("emails", "completed", "removed").count()).isEqualTo(2);
		assertThat(missed("emails", "failed", "limit").count()).isZero();
		assertThat(missed("emails", "failed", "removed").count()).isEqualTo(1);
	}

	@Test
	void publishesAHistogramWithTheTenDefaultBucketsOnly() {
		this.metrics.bindTo(this.registry);
		this.metrics.record(read(finished("emails", JobOutcome.COMPLETED, job(0, 30, 60, 1, 0),
				job(0, 700, 2_700, 1, 0), job(0, 7_200_000, 7_200_001, 1, 0))));
		Timer wait = this.registry.get(BullMqMeters.JOB_WAIT).tag("queue", "emails").timer();
		CountAtBucket[] buckets = wait.takeSnapshot().histogramCounts();
		assertThat(buckets).extracting((bucket) -> Duration.ofNanos((long) bucket.bucket()))
			.containsExactlyElementsOf(JobDurationMetrics.DEFAULT_SERVICE_LEVEL_OBJECTIVES);
		assertThat(buckets).hasSize(10);
		// 30 ms, 700 ms and 2 h: 1 by 50 ms, 2 by 1 s, and the 2 h one beyond the last.
		assertThat(Arrays.stream(buckets).mapToDouble(CountAtBucket::count).toArray()).containsExactly(0, 1, 1, 1, 2, 2,
				2, 2, 2, 2);
		assertThat(wait.takeSnapshot().percentileValues()).isEmpty();
	}

	@Test
	void aQueueNoLongerReadLosesItsMetersAndOneThatCannotBeReadKeepsThem() {
		this.metrics.bindTo(this.registry);
		this.metrics.record(read(finished("emails", JobOutcome.COMPLETED), finished("emails", JobOutcome.FAILED),
				finished("reports", JobOutcome.COMPLETED), finished("reports", JobOutcome.FAILED)));
		this.metrics.record(new FinishedJobsRead(Instant.now(),
				List.of(finished("reports", JobOutcome.COMPLETED), finished("reports", JobOutcome.FAILED)),
				Map.of("images", "WRONGTYPE")));
		assertThat(this.registry.find(BullMqMeters.JOB_WAIT).tag("queue", "emails").timer()).isNull();
		assertThat(this.registry.find(BullMqMeters.JOB_DURATIONS_MISSED).tag("queue", "emails").counters()).isEmpty();
		assertThat(this.registry.find(BullMqMeters.JOB_WAIT).tag("queue", "reports").timer()).isNotNull();
		this.metrics.record(new FinishedJobsRead(Instant.now(), List.of(), Map.of("reports", "WRONGTYPE")));
		assertThat(this.registry.find(BullMqMeters.JOB_WAIT).tag("queue", "reports").timer()).isNotNull();
		assertThat(durationMeters()).hasSize(9);
	}

	@Test
	void aRegistryBoundLaterGetsTheMetersOfTheQueuesAlreadyKnown() {
		this.metrics.record(read(finished("emails", JobOutcome.COMPLETED, job(0, 10, 20, 1, 0))));
		this.metrics.bindTo(this.registry);
		assertThat(this.registry.find(BullMqMeters.JOB_WAIT).tag("queue", "emails").timer()).isNotNull();
		SimpleMeterRegistry second = new SimpleMeterRegistry();
		this.metrics.bindTo(second);
		this.metrics.record(read(finished("emails", JobOutcome.COMPLETED, job(0, 10, 30, 1, 0))));
		assertThat(processing("emails", "completed").count()).isEqualTo(1);
		assertThat(
				second.get(BullMqMeters.JOB_PROCESSING).tags("queue", "emails", "outcome", "completed").timer().count())
			.isEqualTo(1);
	}

	/**
	 * The meters of the binder, without the gauges by which a simple registry shows a
	 * histogram's buckets.
	 */
	private List<Meter> durationMeters() {
		List<String> names = List.of(BullMqMeters.JOB_WAIT, BullMqMeters.JOB_PROCESSING,
				BullMqMeters.JOB_DURATIONS_OBSERVED, BullMqMeters.JOB_DURATIONS_MISSED);
		return this.registry.getMeters().stream().filter((meter) -> names.contains(meter.getId().getName())).toList();
	}

	private Timer processing(String queue, String outcome) {
		return this.registry.get(BullMqMeters.JOB_PROCESSING).tags("queue", queue, "outcome", outcome).timer();
	}

	private Counter observed(String queue, String outcome) {
		return this.registry.get(BullMqMeters.JOB_DURATIONS_OBSERVED)
			.tags("queue", queue, "outcome", outcome)
			.counter();
	}

	private Counter missed(String queue, String outcome, String reason) {
		return this.registry.get(BullMqMeters.JOB_DURATIONS_MISSED)
			.tags("queue", queue, "outcome", outcome, "reason", reason)
			.counter();
	}

	private static FinishedJobsRead read(FinishedJobs... finished) {
		return new FinishedJobsRead(Instant.now(), List.of(finished), Map.of());
	}

	private static FinishedJobs finished(String queue, JobOutcome outcome, FinishedJob... jobs) {
		return new FinishedJobs(queue, outcome, List.of(jobs), 0, 0);
	}

	private static FinishedJob job(long timestamp, long processedOn, long finishedOn, long attemptsStarted,
			long delay) {
		return new FinishedJob(timestamp + "-" + processedOn, timestamp, processedOn, finishedOn, attemptsStarted,
				delay, false);
	}

}
