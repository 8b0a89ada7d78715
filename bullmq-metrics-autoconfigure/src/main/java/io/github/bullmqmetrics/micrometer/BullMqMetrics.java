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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.jspecify.annotations.Nullable;

import io.github.bullmqmetrics.reader.BullMqSnapshot;
import io.github.bullmqmetrics.reader.JobState;
import io.github.bullmqmetrics.reader.QueueActivity;
import io.github.bullmqmetrics.reader.QueueSnapshot;

/**
 * Binds BullMQ's queue state to Micrometer: the job count per queue and state, the
 * lifetime completed and failed totals, whether each queue is paused, and the exporter's
 * own health.
 * <p>
 * Every value comes from the {@link SnapshotCache}, so a scrape costs at most one read of
 * Redis per time to live, however many meters it reads. A value that is not known (Redis
 * is down, or the queue could not be read) is NaN, never 0. Queue meters follow the
 * snapshots: a queue or state that a new snapshot shows gains its meters, and one that it
 * no longer shows loses them. This happens on the refreshing thread and only adds or
 * removes the meters that changed, so a concurrent scrape never sees the others vanish.
 *
 * @author bullmq-metrics authors
 */
public class BullMqMetrics implements MeterBinder {

	private static final String SECONDS = "seconds";

	private final SnapshotCache cache;

	private final Tags tags;

	private final List<MeterRegistry> registries = new CopyOnWriteArrayList<>();

	private final Map<MeterKey, List<Meter>> queueMeters = new HashMap<>();

	/** The last snapshot whose queues and states {@link #queueMeters} matches exactly. */
	private @Nullable BullMqSnapshot reconciled;

	/**
	 * Create the binder.
	 * @param cache where every value comes from
	 * @param tags tags added to every meter, BullMQ's {@code globalVariables}
	 */
	public BullMqMetrics(SnapshotCache cache, Iterable<Tag> tags) {
		this.cache = cache;
		this.tags = Tags.of(tags);
		cache.addListener(this::refreshed);
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		Gauge.builder(BullMqMeters.EXPORTER_UP, this, (metrics) -> metrics.cache.current().isSuccess() ? 1 : 0)
			.description(BullMqMeters.EXPORTER_UP_DESCRIPTION)
			.tags(this.tags)
			.strongReference(true)
			.register(registry);
		Gauge.builder(BullMqMeters.EXPORTER_LAST_SUCCESS, this, BullMqMetrics::lastSuccessSeconds)
			.description(BullMqMeters.EXPORTER_LAST_SUCCESS_DESCRIPTION)
			.tags(this.tags)
			.baseUnit("seconds")
			.strongReference(true)
			.register(registry);
		synchronized (this.queueMeters) {
			this.registries.add(registry);
			// Queues already known gain their meters in this registry too.
			this.queueMeters.forEach((key, meters) -> meters.addAll(register(key, registry)));
			Refresh last = this.cache.last();
			if (last != null && last.snapshot() != null) {
				reconcile(last.snapshot());
			}
		}
	}

	private void refreshed(Refresh refresh) {
		for (MeterRegistry registry : this.registries) {
			Timer.builder(BullMqMeters.EXPORTER_REFRESH)
				.description(BullMqMeters.EXPORTER_REFRESH_DESCRIPTION)
				.tags(this.tags)
				.register(registry)
				.record(refresh.duration());
			if (refresh.failureCause() != null) {
				errors(registry, refresh.failureCause()).increment();
			}
			else if (refresh.snapshot() != null) {
				BullMqSnapshot snapshot = refresh.snapshot();
				if (!snapshot.failures().isEmpty()) {
					errors(registry, BullMqMeters.CAUSE_QUEUE).increment(snapshot.failures().size());
				}
				// A part that could not be read for any queue (latency without TIME,
				// say).
				snapshot.unavailable().keySet().forEach((part) -> errors(registry, part).increment());
			}
		}
		if (refresh.snapshot() != null) {
			BullMqSnapshot snapshot = refresh.snapshot();
			synchronized (this.queueMeters) {
				reconcile(snapshot);
				// After reconcile, so that a queue never read before has its counter.
				snapshot.failures()
					.keySet()
					.forEach((queue) -> this.queueMeters
						.getOrDefault(new MeterKey(queue, Kind.READ_ERRORS, null), List.of())
						.forEach((meter) -> ((Counter) meter).increment()));
			}
		}
	}

	private Counter errors(MeterRegistry registry, String cause) {
		return Counter.builder(BullMqMeters.EXPORTER_REFRESH_ERRORS)
			.description(BullMqMeters.EXPORTER_REFRESH_ERRORS_DESCRIPTION)
			.tags(this.tags)
			.tag(BullMqMeters.CAUSE, cause)
			.register(registry);
	}

	private void reconcile(BullMqSnapshot snapshot) {
		if (sameShape(snapshot, this.reconciled)) {
			return;
		}
		this.reconciled = null;
		Map<MeterKey, List<Meter>> stale = new HashMap<>(this.queueMeters);
		snapshot.queues()
			.values()
			.forEach((queue) -> keysOf(queue, snapshot.workersKnown(), snapshot.latencyRead())
				.forEach((key) -> keep(stale, key)));
		// A queue that cannot be read keeps whatever meters it had, which read NaN, and
		// has its read error counter even if it was never read.
		snapshot.failures().keySet().forEach((queue) -> keep(stale, new MeterKey(queue, Kind.READ_ERRORS, null)));
		stale.keySet().removeIf((key) -> snapshot.failures().containsKey(key.queue()));
		stale.forEach((key, meters) -> {
			this.queueMeters.remove(key);
			for (MeterRegistry registry : this.registries) {
				meters.forEach(registry::remove);
			}
		});
		if (snapshot.failures().isEmpty()) {
			// Only then do the meters match the snapshot exactly.
			this.reconciled = snapshot;
		}
	}

	/** The meters that a queue's snapshot calls for. */
	private static List<MeterKey> keysOf(QueueSnapshot queue, boolean workersKnown, boolean latency) {
		List<MeterKey> keys = new ArrayList<>();
		for (JobState state : queue.counts().keySet()) {
			keys.add(new MeterKey(queue.name(), Kind.COUNT, state));
		}
		keys.add(new MeterKey(queue.name(), Kind.QUEUE, null));
		keys.add(new MeterKey(queue.name(), Kind.READ_ERRORS, null));
		if (latency) {
			keys.add(new MeterKey(queue.name(), Kind.LATENCY, null));
		}
		if (queue.activity().globalConcurrency() != null) {
			keys.add(new MeterKey(queue.name(), Kind.GLOBAL_CONCURRENCY, null));
		}
		if (workersKnown) {
			keys.add(new MeterKey(queue.name(), Kind.WORKERS, null));
		}
		return keys;
	}

	/**
	 * Whether a snapshot calls for the same meters as the one the meters match: the
	 * common case, checked per queue rather than per meter.
	 */
	private static boolean sameShape(BullMqSnapshot snapshot, @Nullable BullMqSnapshot reconciled) {
		if (reconciled == null || !snapshot.failures().isEmpty()
				|| snapshot.queues().size() != reconciled.queues().size()
				|| snapshot.workersKnown() != reconciled.workersKnown()) {
			return false;
		}
		for (QueueSnapshot queue : snapshot.queues().values()) {
			QueueSnapshot previous = reconciled.queues().get(queue.name());
			if (previous == null || !previous.counts().keySet().equals(queue.counts().keySet()) || (previous.activity()
				.globalConcurrency() == null) != (queue.activity().globalConcurrency() == null)) {
				return false;
			}
		}
		return true;
	}

	private void keep(Map<MeterKey, List<Meter>> stale, MeterKey key) {
		if (stale.remove(key) == null && !this.queueMeters.containsKey(key)) {
			List<Meter> meters = new ArrayList<>();
			this.registries.forEach((registry) -> meters.addAll(register(key, registry)));
			this.queueMeters.put(key, meters);
		}
	}

	private List<Meter> register(MeterKey key, MeterRegistry registry) {
		Tags queueTags = this.tags.and(BullMqMeters.QUEUE, key.queue());
		String queue = key.queue();
		return switch (key.kind()) {
			case COUNT -> {
				JobState state = Objects.requireNonNull(key.state());
				yield List.of(gauge(registry, BullMqMeters.JOB_COUNT, BullMqMeters.JOB_COUNT_DESCRIPTION,
						queueTags.and(BullMqMeters.STATE, state.value()), null,
						(metrics) -> metrics.count(queue, state)));
			}
			case QUEUE -> List.of(
					counter(registry, BullMqMeters.JOB_COMPLETED, BullMqMeters.JOB_COMPLETED_DESCRIPTION, queueTags,
							(metrics) -> metrics.queueValue(queue, QueueSnapshot::completedTotal)),
					counter(registry, BullMqMeters.JOB_FAILED, BullMqMeters.JOB_FAILED_DESCRIPTION, queueTags,
							(metrics) -> metrics.queueValue(queue, QueueSnapshot::failedTotal)),
					gauge(registry, BullMqMeters.QUEUE_PAUSED, BullMqMeters.QUEUE_PAUSED_DESCRIPTION, queueTags, null,
							(metrics) -> metrics.queueValue(queue, (snapshot) -> snapshot.paused() ? 1 : 0)),
					gauge(registry, BullMqMeters.QUEUE_JOB_SCHEDULERS, BullMqMeters.QUEUE_JOB_SCHEDULERS_DESCRIPTION,
							queueTags, null,
							(metrics) -> metrics.activity(queue, (activity) -> number(activity.schedulers()))),
					gauge(registry, BullMqMeters.QUEUE_RATE_LIMIT_TTL, BullMqMeters.QUEUE_RATE_LIMIT_TTL_DESCRIPTION,
							queueTags, SECONDS,
							(metrics) -> metrics.activity(queue, (activity) -> seconds(activity.rateLimitTtl()))));
			case LATENCY -> List.of(
					gauge(registry, BullMqMeters.QUEUE_LATENCY, BullMqMeters.QUEUE_LATENCY_DESCRIPTION, queueTags,
							SECONDS, (metrics) -> metrics.activity(queue, (activity) -> seconds(activity.latency()))),
					gauge(registry, BullMqMeters.QUEUE_OVERDUE_JOBS, BullMqMeters.QUEUE_OVERDUE_JOBS_DESCRIPTION,
							queueTags, null,
							(metrics) -> metrics.activity(queue, (activity) -> number(activity.overdue()))));
			case READ_ERRORS -> List.of(Counter.builder(BullMqMeters.QUEUE_READ_ERRORS)
				.description(BullMqMeters.QUEUE_READ_ERRORS_DESCRIPTION)
				.tags(queueTags)
				.register(registry));
			case WORKERS -> List.of(gauge(registry, BullMqMeters.QUEUE_WORKERS, BullMqMeters.QUEUE_WORKERS_DESCRIPTION,
					queueTags, null, (metrics) -> metrics.workers(queue)));
			case GLOBAL_CONCURRENCY -> List.of(gauge(registry, BullMqMeters.QUEUE_GLOBAL_CONCURRENCY,
					BullMqMeters.QUEUE_GLOBAL_CONCURRENCY_DESCRIPTION, queueTags, null,
					(metrics) -> metrics.activity(queue, (activity) -> number(activity.globalConcurrency()))));
		};
	}

	private Meter gauge(MeterRegistry registry, String name, String description, Tags tags, @Nullable String baseUnit,
			ToDoubleFunction<BullMqMetrics> value) {
		return Gauge.builder(name, this, value)
			.description(description)
			.tags(tags)
			.baseUnit(baseUnit)
			.strongReference(true)
			.register(registry);
	}

	private Meter counter(MeterRegistry registry, String name, String description, Tags tags,
			ToDoubleFunction<BullMqMetrics> value) {
		return FunctionCounter.builder(name, this, value).description(description).tags(tags).register(registry);
	}

	private double workers(String queue) {
		BullMqSnapshot snapshot = this.cache.current().snapshot();
		OptionalLong workers = (snapshot != null) ? snapshot.workers(queue) : OptionalLong.empty();
		return workers.isPresent() ? workers.getAsLong() : Double.NaN;
	}

	private double activity(String queue, ToDoubleFunction<QueueActivity> value) {
		return queueValue(queue, (snapshot) -> value.applyAsDouble(snapshot.activity()));
	}

	private static double seconds(@Nullable Duration duration) {
		return (duration != null) ? duration.toNanos() / 1e9 : Double.NaN;
	}

	private static double number(@Nullable Long value) {
		return (value != null) ? value : Double.NaN;
	}

	private double count(String queue, JobState state) {
		QueueSnapshot snapshot = queueSnapshot(queue);
		OptionalLong count = (snapshot != null) ? snapshot.count(state) : OptionalLong.empty();
		return count.isPresent() ? count.getAsLong() : Double.NaN;
	}

	private double queueValue(String queue, ToDoubleFunction<QueueSnapshot> value) {
		QueueSnapshot snapshot = queueSnapshot(queue);
		return (snapshot != null) ? value.applyAsDouble(snapshot) : Double.NaN;
	}

	private @Nullable QueueSnapshot queueSnapshot(String queue) {
		BullMqSnapshot snapshot = this.cache.current().snapshot();
		return (snapshot != null) ? snapshot.queues().get(queue) : null;
	}

	private double lastSuccessSeconds() {
		Instant lastSuccess = this.cache.lastSuccess();
		return (lastSuccess != null) ? lastSuccess.toEpochMilli() / 1000.0 : Double.NaN;
	}

	/**
	 * Identifies a group of meters of one queue, registered and removed together: its job
	 * count in one state, its queue-level meters, or a meter that exists only while its
	 * value does.
	 */
	private record MeterKey(String queue, Kind kind, @Nullable JobState state) {
	}

	private enum Kind {

		/** {@link BullMqMeters#JOB_COUNT} of one state. */
		COUNT,

		/** The totals, paused flag, schedulers and rate limit. */
		QUEUE,

		/**
		 * {@link BullMqMeters#QUEUE_LATENCY} and {@link BullMqMeters#QUEUE_OVERDUE_JOBS},
		 * where the reader read them ({@link BullMqSnapshot#latencyRead()}).
		 */
		LATENCY,

		/**
		 * {@link BullMqMeters#QUEUE_READ_ERRORS}, for every queue read or failing to be.
		 */
		READ_ERRORS,

		/** {@link BullMqMeters#QUEUE_GLOBAL_CONCURRENCY}, while one is set. */
		GLOBAL_CONCURRENCY,

		/** {@link BullMqMeters#QUEUE_WORKERS}, while Redis lets workers be counted. */
		WORKERS

	}

}
