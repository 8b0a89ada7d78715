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

/**
 * The names, tag keys and descriptions of every meter that bullmq-metrics registers. The
 * Prometheus names follow from Micrometer's naming convention: {@code bullmq.job.count}
 * becomes {@code bullmq_job_count}, and a counter gains {@code _total}.
 *
 * @author bullmq-metrics authors
 */
public final class BullMqMeters {

	/** Gauge: the number of jobs in a queue by state. */
	public static final String JOB_COUNT = "bullmq.job.count";

	/** BullMQ's own HELP text for {@link #JOB_COUNT}. */
	public static final String JOB_COUNT_DESCRIPTION = "Number of jobs in the queue by state";

	/** Function counter: the lifetime number of completed jobs of a queue. */
	public static final String JOB_COMPLETED = "bullmq.job.completed";

	/** BullMQ's own HELP text for {@link #JOB_COMPLETED}. */
	public static final String JOB_COMPLETED_DESCRIPTION = "Total number of completed jobs";

	/** Function counter: the lifetime number of failed jobs of a queue. */
	public static final String JOB_FAILED = "bullmq.job.failed";

	/** BullMQ's own HELP text for {@link #JOB_FAILED}. */
	public static final String JOB_FAILED_DESCRIPTION = "Total number of failed jobs";

	/** Gauge: 1 when a queue is paused, else 0. */
	public static final String QUEUE_PAUSED = "bullmq.queue.paused";

	/** Description of {@link #QUEUE_PAUSED}. */
	public static final String QUEUE_PAUSED_DESCRIPTION = "Whether the queue is paused (1) or not (0)";

	/**
	 * Gauge, in seconds: how long the job that has waited longest at the front of a queue
	 * has been ready to run.
	 */
	public static final String QUEUE_LATENCY = "bullmq.queue.latency";

	/** Description of {@link #QUEUE_LATENCY}. */
	public static final String QUEUE_LATENCY_DESCRIPTION = "How long the job that has waited longest at the front of the queue has been ready to run";

	/** Gauge: delayed jobs whose time has come but that no worker has promoted yet. */
	public static final String QUEUE_OVERDUE_JOBS = "bullmq.queue.overdue.jobs";

	/** Description of {@link #QUEUE_OVERDUE_JOBS}. */
	public static final String QUEUE_OVERDUE_JOBS_DESCRIPTION = "Delayed jobs whose time has come but that no worker has promoted yet";

	/** Gauge: the job schedulers of a queue. */
	public static final String QUEUE_JOB_SCHEDULERS = "bullmq.queue.job.schedulers";

	/** Description of {@link #QUEUE_JOB_SCHEDULERS}. */
	public static final String QUEUE_JOB_SCHEDULERS_DESCRIPTION = "Number of job schedulers of the queue";

	/** Gauge, in seconds: how long a queue stays rate-limited. */
	public static final String QUEUE_RATE_LIMIT_TTL = "bullmq.queue.rate.limit.ttl";

	/** Description of {@link #QUEUE_RATE_LIMIT_TTL}. */
	public static final String QUEUE_RATE_LIMIT_TTL_DESCRIPTION = "How long the queue stays rate-limited, 0 when it is not";

	/**
	 * Counter: reads in which one queue's data could not be read while Redis could, per
	 * queue; present for every queue, so that a queue never readable has a series too.
	 */
	public static final String QUEUE_READ_ERRORS = "bullmq.queue.read.errors";

	/** Description of {@link #QUEUE_READ_ERRORS}. */
	public static final String QUEUE_READ_ERRORS_DESCRIPTION = "Reads in which this queue's data could not be read (a key of the wrong type, say)";

	/** Gauge: the workers of a queue, as BullMQ's {@code getWorkersCount()}. */
	public static final String QUEUE_WORKERS = "bullmq.queue.workers";

	/** Description of {@link #QUEUE_WORKERS}. */
	public static final String QUEUE_WORKERS_DESCRIPTION = "Number of workers connected to the queue";

	/** Gauge: the global concurrency of a queue, present only when one is set. */
	public static final String QUEUE_GLOBAL_CONCURRENCY = "bullmq.queue.global.concurrency";

	/** Description of {@link #QUEUE_GLOBAL_CONCURRENCY}. */
	public static final String QUEUE_GLOBAL_CONCURRENCY_DESCRIPTION = "Global concurrency of the queue";

	/** Gauge: 1 when the last read of Redis succeeded, else 0. */
	public static final String EXPORTER_UP = "bullmq.exporter.up";

	/** Description of {@link #EXPORTER_UP}. */
	public static final String EXPORTER_UP_DESCRIPTION = "Whether the last read of BullMQ's data from Redis succeeded (1) or not (0)";

	/** Timer: how long each read of Redis took. */
	public static final String EXPORTER_REFRESH = "bullmq.exporter.refresh";

	/** Description of {@link #EXPORTER_REFRESH}. */
	public static final String EXPORTER_REFRESH_DESCRIPTION = "Duration of each read of BullMQ's data from Redis";

	/** Counter: failed reads, tagged with {@link #CAUSE}. */
	public static final String EXPORTER_REFRESH_ERRORS = "bullmq.exporter.refresh.errors";

	/** Description of {@link #EXPORTER_REFRESH_ERRORS}. */
	public static final String EXPORTER_REFRESH_ERRORS_DESCRIPTION = "Reads of BullMQ's data that failed, whole or for one queue";

	/** Gauge: when the last successful read completed, in seconds since the epoch. */
	public static final String EXPORTER_LAST_SUCCESS = "bullmq.exporter.last.success";

	/** Description of {@link #EXPORTER_LAST_SUCCESS}. */
	public static final String EXPORTER_LAST_SUCCESS_DESCRIPTION = "When the last successful read of BullMQ's data completed, in seconds since the epoch";

	/** Timer: how long finished jobs waited, from ready to run until first taken. */
	public static final String JOB_WAIT = "bullmq.job.wait";

	/** Description of {@link #JOB_WAIT}. */
	public static final String JOB_WAIT_DESCRIPTION = "Time from when a job was ready to run until a worker first took it, for finished first attempts";

	/**
	 * Timer: how long the last attempt of finished jobs took, tagged with
	 * {@link #OUTCOME}.
	 */
	public static final String JOB_PROCESSING = "bullmq.job.processing";

	/** Description of {@link #JOB_PROCESSING}. */
	public static final String JOB_PROCESSING_DESCRIPTION = "Time from when the last attempt of a finished job started until it finished";

	/** Counter: finished jobs that the durations read, tagged with {@link #OUTCOME}. */
	public static final String JOB_DURATIONS_OBSERVED = "bullmq.job.durations.observed";

	/** Description of {@link #JOB_DURATIONS_OBSERVED}. */
	public static final String JOB_DURATIONS_OBSERVED_DESCRIPTION = "Finished jobs read for their wait and processing times";

	/**
	 * Counter: finished jobs known to have been left unmeasured, tagged with
	 * {@link #OUTCOME} and {@link #REASON}.
	 */
	public static final String JOB_DURATIONS_MISSED = "bullmq.job.durations.missed";

	/** Description of {@link #JOB_DURATIONS_MISSED}. */
	public static final String JOB_DURATIONS_MISSED_DESCRIPTION = "Finished jobs known to have been left unmeasured";

	/** Tag key: how a job finished, {@code completed} or {@code failed}. */
	public static final String OUTCOME = "outcome";

	/** Tag key: why finished jobs were left unmeasured. */
	public static final String REASON = "reason";

	/**
	 * Value of {@link #REASON} for jobs beyond the most that one read measures per queue
	 * and outcome.
	 */
	public static final String REASON_LIMIT = "limit";

	/**
	 * Value of {@link #REASON} for jobs that had left the finished set, or lost their
	 * hash, before they could be read.
	 */
	public static final String REASON_REMOVED = "removed";

	/** Tag key: the queue name. */
	public static final String QUEUE = "queue";

	/** Tag key: the job state, as BullMQ names it. */
	public static final String STATE = "state";

	/** Tag key: why a read failed. */
	public static final String CAUSE = "cause";

	/** Value of {@link #CAUSE} when one queue's data could not be read. */
	public static final String CAUSE_QUEUE = "queue";

	private BullMqMeters() {
	}

}
