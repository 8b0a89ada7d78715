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
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;

import io.github.bullmqmetrics.reader.FinishedJob;
import io.github.bullmqmetrics.reader.FinishedJobs;
import io.github.bullmqmetrics.reader.FinishedJobsPoller;
import io.github.bullmqmetrics.reader.FinishedJobsRead;
import io.github.bullmqmetrics.reader.JobOutcome;

/**
 * Binds the wait and processing times of BullMQ's finished jobs to Micrometer: per queue,
 * a {@value BullMqMeters#JOB_WAIT} timer, a {@value BullMqMeters#JOB_PROCESSING} timer
 * per outcome, and counters of the jobs observed and of those known to be missed.
 * <p>
 * Values come from the reads of a {@link FinishedJobsPoller}, recorded on its thread as
 * they arrive, so a scrape costs Redis nothing. Each timer publishes a histogram with the
 * few buckets of {@link #DEFAULT_SERVICE_LEVEL_OBJECTIVES} rather than Micrometer's
 * percentile histogram of about 70, since each bucket is one series per queue; Spring
 * Boot's {@code management.metrics.distribution.*} properties override them. A queue
 * gains its meters at the first read that includes it, and loses them when a read no
 * longer does (a queue that cannot be read keeps them).
 *
 * @author bullmq-metrics authors
 */
public class JobDurationMetrics implements MeterBinder {

	/**
	 * The default histogram buckets of both timers, from 10 ms to 1 h.
	 */
	public static final List<Duration> DEFAULT_SERVICE_LEVEL_OBJECTIVES = List.of(Duration.ofMillis(10),
			Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(1),
			Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(5),
			Duration.ofHours(1));

	private final Tags tags;

	private final List<MeterRegistry> registries = new CopyOnWriteArrayList<>();

	private final Map<String, List<QueueMeters>> queues = new LinkedHashMap<>();

	/**
	 * Create the binder and let it record every read of a poller.
	 * @param poller where the finished jobs come from
	 * @param tags tags added to every meter
	 */
	public JobDurationMetrics(FinishedJobsPoller poller, Iterable<Tag> tags) {
		this(tags);
		poller.addListener(this::record);
	}

	/**
	 * Create the binder; hand it each read with {@link #record(FinishedJobsRead)}.
	 * @param tags tags added to every meter
	 */
	public JobDurationMetrics(Iterable<Tag> tags) {
		this.tags = Tags.of(tags);
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		synchronized (this.queues) {
			this.registries.add(registry);
			this.queues.forEach((queue, meters) -> meters.add(new QueueMeters(queue, registry)));
		}
	}

	/**
	 * Record what one read found.
	 * @param read the read
	 */
	public void record(FinishedJobsRead read) {
		synchronized (this.queues) {
			Set<String> current = new HashSet<>(read.failures().keySet());
			read.finished().forEach((finished) -> current.add(finished.queue()));
			this.queues.entrySet().removeIf((queue) -> {
				if (current.contains(queue.getKey())) {
					return false;
				}
				queue.getValue().forEach(QueueMeters::remove);
				return true;
			});
			for (FinishedJobs finished : read.finished()) {
				this.queues.computeIfAbsent(finished.queue(), this::register)
					.forEach((meters) -> meters.record(finished));
			}
		}
	}

	private List<QueueMeters> register(String queue) {
		List<QueueMeters> meters = new ArrayList<>();
		this.registries.forEach((registry) -> meters.add(new QueueMeters(queue, registry)));
		return meters;
	}

	/**
	 * The meters of one queue in one registry.
	 */
	private final class QueueMeters {

		private final MeterRegistry registry;

		private final Timer wait;

		private final Map<JobOutcome, Timer> processing = new EnumMap<>(JobOutcome.class);

		private final Map<JobOutcome, Counter> observed = new EnumMap<>(JobOutcome.class);

		private final Map<JobOutcome, Counter> missedOverLimit = new EnumMap<>(JobOutcome.class);

		private final Map<JobOutcome, Counter> missedRemoved = new EnumMap<>(JobOutcome.class);

		private final List<Meter> meters = new ArrayList<>();

		QueueMeters(String queue, MeterRegistry registry) {
			this.registry = registry;
			Tags queueTags = JobDurationMetrics.this.tags.and(BullMqMeters.QUEUE, queue);
			this.wait = timer(BullMqMeters.JOB_WAIT, BullMqMeters.JOB_WAIT_DESCRIPTION, queueTags);
			for (JobOutcome outcome : JobOutcome.values()) {
				Tags outcomeTags = queueTags.and(BullMqMeters.OUTCOME, outcome.value());
				this.processing.put(outcome,
						timer(BullMqMeters.JOB_PROCESSING, BullMqMeters.JOB_PROCESSING_DESCRIPTION, outcomeTags));
				this.observed.put(outcome, counter(BullMqMeters.JOB_DURATIONS_OBSERVED,
						BullMqMeters.JOB_DURATIONS_OBSERVED_DESCRIPTION, outcomeTags));
				this.missedOverLimit.put(outcome,
						counter(BullMqMeters.JOB_DURATIONS_MISSED, BullMqMeters.JOB_DURATIONS_MISSED_DESCRIPTION,
								outcomeTags.and(BullMqMeters.REASON, BullMqMeters.REASON_LIMIT)));
				this.missedRemoved.put(outcome,
						counter(BullMqMeters.JOB_DURATIONS_MISSED, BullMqMeters.JOB_DURATIONS_MISSED_DESCRIPTION,
								outcomeTags.and(BullMqMeters.REASON, BullMqMeters.REASON_REMOVED)));
			}
		}

		private Timer timer(String name, String description, Tags tags) {
			Timer timer = Timer.builder(name)
				.description(description)
				.tags(tags)
				.serviceLevelObjectives(DEFAULT_SERVICE_LEVEL_OBJECTIVES.toArray(Duration[]::new))
				.register(this.registry);
			this.meters.add(timer);
			return timer;
		}

		private Counter counter(String name, String description, Tags tags) {
			Counter counter = Counter.builder(name).description(description).tags(tags).register(this.registry);
			this.meters.add(counter);
			return counter;
		}

		void record(FinishedJobs finished) {
			JobOutcome outcome = finished.outcome();
			Timer processingTimer = this.processing.get(outcome);
			for (FinishedJob job : finished.jobs()) {
				job.processingTime().ifPresent(processingTimer::record);
				job.waitTime().ifPresent(this.wait::record);
			}
			this.observed.get(outcome).increment(finished.jobs().size());
			this.missedOverLimit.get(outcome).increment(finished.missedOverLimit());
			this.missedRemoved.get(outcome).increment(finished.missedRemoved());
		}

		void remove() {
			this.meters.forEach(this.registry::remove);
		}

	}

}
