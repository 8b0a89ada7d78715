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

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.github.bullmqmetrics.reader.BullMqReadException;
import io.github.bullmqmetrics.reader.BullMqReadException.Reason;
import io.github.bullmqmetrics.reader.BullMqSnapshot;
import io.github.bullmqmetrics.reader.JobState;
import io.github.bullmqmetrics.reader.QueueActivity;
import io.github.bullmqmetrics.reader.WorkerCounts;
import io.github.bullmqmetrics.reader.QueueSnapshot;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link BullMqMetrics}, with a fake reader.
 *
 * @author bullmq-metrics authors
 */
class BullMqMetricsTests {

	private final AtomicLong now = new AtomicLong();

	private final AtomicReference<Supplier<BullMqSnapshot>> data = new AtomicReference<>();

	private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	private final SnapshotCache cache = new SnapshotCache(() -> this.data.get().get(), Duration.ofSeconds(5),
			Duration.ofSeconds(2), this.now::get, Clock.systemUTC());

	@AfterEach
	void close() {
		this.cache.close();
	}

	@Test
	void exportsTheCountOfEveryStateWithQueueStateAndCommonTags() {
		this.data.set(() -> snapshot(queue("emails", 3, 1)));
		bind(Tag.of("env", "Production"));
		scrape();
		Gauge waiting = this.registry.get(BullMqMeters.JOB_COUNT)
			.tags("queue", "emails", "state", "waiting", "env", "Production")
			.gauge();
		assertThat(waiting.value()).isEqualTo(3);
		assertThat(waiting.getId().getDescription()).isEqualTo("Number of jobs in the queue by state");
		assertThat(this.registry.get(BullMqMeters.JOB_COUNT).tag("queue", "emails").gauges()).hasSize(8);
		assertThat(this.registry.get(BullMqMeters.JOB_COMPLETED).tag("queue", "emails").functionCounter().count())
			.isEqualTo(42);
		assertThat(this.registry.get(BullMqMeters.JOB_FAILED).tag("queue", "emails").functionCounter().count())
			.isEqualTo(7);
		assertThat(this.registry.get(BullMqMeters.QUEUE_PAUSED).tag("queue", "emails").gauge().value()).isEqualTo(1);
		assertThat(this.registry.get(BullMqMeters.EXPORTER_UP).tag("env", "Production").gauge().value()).isEqualTo(1);
	}

	@Test
	void exportsOnlyTheStatesTheQueuesVersionKnows() {
		Map<JobState, Long> counts = counts(5);
		counts.remove(JobState.PAUSED);
		this.data.set(() -> snapshot(new QueueSnapshot("v6", counts, 0, 0, false, "bullmq:6.7.0")));
		bind();
		scrape();
		assertThat(this.registry.get(BullMqMeters.JOB_COUNT).tag("queue", "v6").gauges()).hasSize(7);
		assertThat(this.registry.find(BullMqMeters.JOB_COUNT).tags("queue", "v6", "state", "paused").gauge()).isNull();
	}

	@Test
	void reportsNaNAndDownWhileRedisCannotBeRead() {
		this.data.set(() -> snapshot(queue("emails", 3, 0)));
		bind();
		scrape();
		this.data.set(() -> {
			throw new BullMqReadException(Reason.CONNECTION, "Connection refused", null);
		});
		this.now.addAndGet(Duration.ofSeconds(5).toNanos());
		Gauge waiting = this.registry.get(BullMqMeters.JOB_COUNT).tags("queue", "emails", "state", "waiting").gauge();
		assertThat(waiting.value()).isNaN();
		FunctionCounter completed = this.registry.get(BullMqMeters.JOB_COMPLETED).functionCounter();
		assertThat(completed.count()).isNaN();
		assertThat(this.registry.get(BullMqMeters.EXPORTER_UP).gauge().value()).isZero();
		assertThat(this.registry.get(BullMqMeters.EXPORTER_REFRESH_ERRORS).tag("cause", "connection").counter().count())
			.isEqualTo(1);
		assertThat(this.registry.get(BullMqMeters.EXPORTER_LAST_SUCCESS).gauge().value()).isPositive();
	}

	@Test
	void comesBackWhenRedisDoes() {
		this.data.set(() -> {
			throw new BullMqReadException(Reason.CONNECTION, "Connection refused", null);
		});
		bind();
		scrape();
		assertThat(this.registry.get(BullMqMeters.EXPORTER_UP).gauge().value()).isZero();
		assertThat(this.registry.find(BullMqMeters.JOB_COUNT).gauges()).isEmpty();
		assertThat(this.registry.get(BullMqMeters.EXPORTER_LAST_SUCCESS).gauge().value()).isNaN();
		this.data.set(() -> snapshot(queue("emails", 2, 0)));
		this.now.addAndGet(Duration.ofSeconds(5).toNanos());
		scrape();
		assertThat(this.registry.get(BullMqMeters.EXPORTER_UP).gauge().value()).isEqualTo(1);
		assertThat(
				this.registry.get(BullMqMeters.JOB_COUNT).tags("queue", "emails", "state", "waiting").gauge().value())
			.isEqualTo(2);
	}

	@Test
	void aQueueThatCannotBeReadReadsNaNWithoutHarmingTheOthers() {
		readGoodAndBadThenBadFails();
		assertThat(this.registry.get(BullMqMeters.JOB_COUNT).tags("queue", "bad", "state", "waiting").gauge().value())
			.isNaN();
		assertThat(this.registry.get(BullMqMeters.JOB_COUNT).tags("queue", "good", "state", "waiting").gauge().value())
			.isEqualTo(1);
		assertThat(this.registry.get(BullMqMeters.EXPORTER_UP).gauge().value()).isEqualTo(1);
		assertThat(this.registry.get(BullMqMeters.EXPORTER_REFRESH_ERRORS).tag("cause", "queue").counter().count())
			.isEqualTo(1);
	}

	@Test
	void countsOneErrorPerQueueThatCannotBeReadInEachRefresh() {
		this.data.set(() -> new BullMqSnapshot(Instant.now(), Map.of("good", queue("good", 1, 0)),
				Map.of("bad", "WRONGTYPE Operation against a key holding the wrong kind of value", "worse",
						"WRONGTYPE Operation against a key holding the wrong kind of value")));
		bind();
		for (int refresh = 1; refresh <= 3; refresh++) {
			scrape();
			assertThat(this.registry.get(BullMqMeters.EXPORTER_REFRESH).timer().count()).isEqualTo(refresh);
			assertThat(this.registry.get(BullMqMeters.EXPORTER_REFRESH_ERRORS).tag("cause", "queue").counter().count())
				.isEqualTo(2 * refresh);
			// Per queue too, for queues never read: each has a series of its own.
			for (String queue : List.of("bad", "worse")) {
				assertThat(this.registry.get(BullMqMeters.QUEUE_READ_ERRORS).tag("queue", queue).counter().count())
					.isEqualTo(refresh);
			}
			assertThat(this.registry.get(BullMqMeters.QUEUE_READ_ERRORS).tag("queue", "good").counter().count())
				.isZero();
			this.now.addAndGet(Duration.ofSeconds(5).toNanos());
		}
	}

	@Test
	void queuesThatAppearGainMetersAndQueuesThatVanishLoseThem() {
		this.data.set(() -> snapshot(queue("a", 1, 0)));
		bind();
		scrape();
		this.data.set(() -> snapshot(queue("b", 1, 0)));
		this.now.addAndGet(Duration.ofSeconds(5).toNanos());
		scrape();
		assertThat(this.registry.find(BullMqMeters.JOB_COUNT).tag("queue", "a").gauges()).isEmpty();
		assertThat(this.registry.find(BullMqMeters.JOB_COMPLETED).tag("queue", "a").functionCounters()).isEmpty();
		assertThat(this.registry.get(BullMqMeters.JOB_COUNT).tag("queue", "b").gauges()).hasSize(8);
	}

	@Test
	void aQueueWhoseStatesChangeGainsAndLosesThoseMeters() {
		this.data.set(() -> snapshot(queue("a", 1, 0), queue("b", 1, 0)));
		bind();
		scrape();
		Map<JobState, Long> counts = counts(1);
		counts.remove(JobState.PAUSED);
		this.data.set(() -> snapshot(queue("a", 1, 0), new QueueSnapshot("b", counts, 0, 0, false, "bullmq:6.7.0")));
		this.now.addAndGet(Duration.ofSeconds(5).toNanos());
		scrape();
		assertThat(this.registry.find(BullMqMeters.JOB_COUNT).tags("queue", "b", "state", "paused").gauge()).isNull();
		assertThat(this.registry.get(BullMqMeters.JOB_COUNT).tag("queue", "b").gauges()).hasSize(7);
		this.data.set(() -> snapshot(queue("a", 1, 0), queue("b", 1, 0)));
		this.now.addAndGet(Duration.ofSeconds(5).toNanos());
		scrape();
		assertThat(this.registry.get(BullMqMeters.JOB_COUNT).tag("queue", "b").gauges()).hasSize(8);
	}

	@Test
	void aQueueThatFailedAndThenVanishedLosesItsMeters() {
		readGoodAndBadThenBadFails();
		assertThat(this.registry.find(BullMqMeters.JOB_COUNT).tag("queue", "bad").gauges()).hasSize(8);
		this.data.set(() -> snapshot(queue("good", 1, 0)));
		this.now.addAndGet(Duration.ofSeconds(5).toNanos());
		scrape();
		assertThat(this.registry.find(BullMqMeters.JOB_COUNT).tag("queue", "bad").gauges()).isEmpty();
		assertThat(this.registry.find(BullMqMeters.QUEUE_PAUSED).tag("queue", "bad").gauges()).isEmpty();
		assertThat(this.registry.get(BullMqMeters.JOB_COUNT).tag("queue", "good").gauges()).hasSize(8);
	}

	@Test
	void aRegistryBoundLaterGetsTheMetersOfQueuesAlreadyKnown() {
		this.data.set(() -> snapshot(queue("a", 4, 0)));
		BullMqMetrics metrics = new BullMqMetrics(this.cache, java.util.List.of());
		metrics.bindTo(this.registry);
		scrape();
		SimpleMeterRegistry later = new SimpleMeterRegistry();
		metrics.bindTo(later);
		assertThat(later.get(BullMqMeters.JOB_COUNT).tags("queue", "a", "state", "waiting").gauge().value())
			.isEqualTo(4);
		assertThat(later.get(BullMqMeters.JOB_COMPLETED).tag("queue", "a").functionCounter().count()).isEqualTo(42);
	}

	@Test
	void timesEveryRead() {
		this.data.set(() -> snapshot(queue("a", 1, 0)));
		bind();
		scrape();
		this.now.addAndGet(Duration.ofSeconds(5).toNanos());
		scrape();
		assertThat(this.registry.get(BullMqMeters.EXPORTER_REFRESH).timer().count()).isEqualTo(2);
	}

	@Test
	void exportsLatencyOverdueSchedulersAndRateLimitInSecondsAndGlobalConcurrencyOnlyWhileSet() {
		QueueActivity busy = new QueueActivity(Duration.ofMillis(1500), 4L, 2L, Duration.ofSeconds(30), 5L);
		this.data.set(() -> snapshot(withActivity(queue("emails", 3, 0), busy)));
		bind();
		scrape();
		assertThat(gauge(BullMqMeters.QUEUE_LATENCY).value()).isEqualTo(1.5);
		assertThat(gauge(BullMqMeters.QUEUE_LATENCY).getId().getBaseUnit()).isEqualTo("seconds");
		assertThat(gauge(BullMqMeters.QUEUE_OVERDUE_JOBS).value()).isEqualTo(4);
		assertThat(gauge(BullMqMeters.QUEUE_JOB_SCHEDULERS).value()).isEqualTo(2);
		assertThat(gauge(BullMqMeters.QUEUE_RATE_LIMIT_TTL).value()).isEqualTo(30);
		assertThat(gauge(BullMqMeters.QUEUE_GLOBAL_CONCURRENCY).value()).isEqualTo(5);
		// The concurrency is unset, and Redis refused TIME: latency and overdue are
		// unknown, never 0, and the concurrency's series goes away.
		QueueActivity idle = new QueueActivity(null, null, 0L, Duration.ZERO, null);
		this.data
			.set(() -> new BullMqSnapshot(Instant.now(), Map.of("emails", withActivity(queue("emails", 3, 0), idle)),
					Map.of(), Map.of(BullMqSnapshot.LATENCY, "Redis refused TIME"), null));
		this.now.addAndGet(Duration.ofSeconds(5).toNanos());
		scrape();
		assertThat(gauge(BullMqMeters.QUEUE_LATENCY).value()).isNaN();
		assertThat(gauge(BullMqMeters.QUEUE_OVERDUE_JOBS).value()).isNaN();
		assertThat(gauge(BullMqMeters.QUEUE_RATE_LIMIT_TTL).value()).isZero();
		assertThat(this.registry.find(BullMqMeters.QUEUE_GLOBAL_CONCURRENCY).gauges()).isEmpty();
		assertThat(this.registry.get(BullMqMeters.EXPORTER_REFRESH_ERRORS).tag("cause", "latency").counter().count())
			.isEqualTo(1);
		// Redis down: every value of the queue is unknown.
		this.data.set(() -> {
			throw new IllegalStateException("down");
		});
		this.now.addAndGet(Duration.ofSeconds(5).toNanos());
		scrape();
		assertThat(gauge(BullMqMeters.QUEUE_JOB_SCHEDULERS).value()).isNaN();
	}

	@Test
	void hasNoLatencyOrOverdueSeriesWhereTheReaderDidNotReadThem() {
		QueueActivity busy = new QueueActivity(Duration.ofMillis(1500), 4L, 2L, Duration.ofSeconds(30), 5L);
		this.data.set(() -> new BullMqSnapshot(Instant.now(),
				Map.of("emails", withActivity(queue("emails", 3, 0), busy)), Map.of(), Map.of(), null, false));
		bind();
		scrape();
		assertThat(this.registry.find(BullMqMeters.QUEUE_LATENCY).meters()).isEmpty();
		assertThat(this.registry.find(BullMqMeters.QUEUE_OVERDUE_JOBS).meters()).isEmpty();
		assertThat(gauge(BullMqMeters.QUEUE_JOB_SCHEDULERS).value()).isEqualTo(2);
		assertThat(gauge(BullMqMeters.QUEUE_PAUSED).value()).isZero();
		assertThat(this.registry.find(BullMqMeters.JOB_COUNT).gauges()).isNotEmpty();
	}

	@Test
	void exportsTheWorkersOfEachQueueOnlyWhileTheyCanBeCounted() {
		QueueSnapshot emails = queue("emails", 3, 0);
		this.data.set(() -> new BullMqSnapshot(Instant.now(), Map.of("emails", emails), Map.of(), Map.of(),
				WorkerCounts.known(Map.of("emails", 2L))));
		bind();
		scrape();
		assertThat(gauge(BullMqMeters.QUEUE_WORKERS).value()).isEqualTo(2);
		// CLIENT LIST refused: the series goes away (unknown, never 0) and the error says
		// why.
		this.data.set(() -> new BullMqSnapshot(Instant.now(), Map.of("emails", emails), Map.of(),
				Map.of(BullMqSnapshot.WORKERS, "NOPERM"), WorkerCounts.unknown("NOPERM")));
		this.now.addAndGet(Duration.ofSeconds(5).toNanos());
		scrape();
		assertThat(this.registry.find(BullMqMeters.QUEUE_WORKERS).gauges()).isEmpty();
		assertThat(
				this.registry.get(BullMqMeters.JOB_COUNT).tags("queue", "emails", "state", "waiting").gauge().value())
			.isEqualTo(3);
		assertThat(this.registry.get(BullMqMeters.EXPORTER_REFRESH_ERRORS).tag("cause", "workers").counter().count())
			.isEqualTo(1);
	}

	private Gauge gauge(String name) {
		return this.registry.get(name).tag("queue", "emails").gauge();
	}

	private static QueueSnapshot withActivity(QueueSnapshot queue, QueueActivity activity) {
		return new QueueSnapshot(queue.name(), queue.counts(), queue.completedTotal(), queue.failedTotal(),
				queue.paused(), queue.version(), true, activity);
	}

	private void readGoodAndBadThenBadFails() {
		this.data.set(() -> snapshot(queue("good", 1, 0), queue("bad", 4, 0)));
		bind();
		scrape();
		this.data.set(() -> new BullMqSnapshot(Instant.now(), Map.of("good", queue("good", 1, 0)),
				Map.of("bad", "WRONGTYPE Operation against a key holding the wrong kind of value")));
		this.now.addAndGet(Duration.ofSeconds(5).toNanos());
		scrape();
	}

	private void bind(Tag... tags) {
		new BullMqMetrics(this.cache, java.util.List.of(tags)).bindTo(this.registry);
	}

	private void scrape() {
		this.cache.withinScrape(() -> this.registry.get(BullMqMeters.EXPORTER_UP).gauge().value());
	}

	private static BullMqSnapshot snapshot(QueueSnapshot... queues) {
		Map<String, QueueSnapshot> byName = new LinkedHashMap<>();
		for (QueueSnapshot queue : queues) {
			byName.put(queue.name(), queue);
		}
		return new BullMqSnapshot(Instant.now(), byName, Map.of());
	}

	private static QueueSnapshot queue(String name, long waiting, long paused) {
		Map<JobState, Long> counts = counts(0);
		counts.put(JobState.WAITING, waiting);
		counts.put(JobState.PAUSED, paused);
		return new QueueSnapshot(name, counts, 42, 7, paused > 0, null);
	}

	private static Map<JobState, Long> counts(long each) {
		Map<JobState, Long> counts = new EnumMap<>(JobState.class);
		for (JobState state : JobState.values()) {
			counts.put(state, each);
		}
		return counts;
	}

}
