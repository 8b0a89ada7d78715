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
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Reads finished jobs in the background with a {@link FinishedJobsReader}, once at start
 * and then at a fixed interval, never on a scraping thread, and hands every successful
 * read to its listeners. Reading on a schedule of its own, rather than when scraped, is
 * what keeps jobs from being lost between sparse scrapes, and scrapes from paying for it.
 * <p>
 * A failed read is logged once, and again only after reads work again; so is each queue
 * that cannot be read.
 *
 * @author bullmq-metrics authors
 */
public class FinishedJobsPoller implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(FinishedJobsPoller.class);

	private final FinishedJobsReader reader;

	private final Supplier<List<String>> queues;

	private final Duration interval;

	private final List<Consumer<FinishedJobsRead>> listeners = new CopyOnWriteArrayList<>();

	private final ScheduledExecutorService executor;

	private final Set<String> failingQueues = new HashSet<>();

	private final AtomicBoolean started = new AtomicBoolean();

	private boolean failing;

	/**
	 * Create a poller; call {@link #start()} to begin reading.
	 * @param reader reads the finished jobs
	 * @param queues the queues to read, asked again before every read
	 * @param interval how long to wait between the end of one read and the next
	 */
	public FinishedJobsPoller(FinishedJobsReader reader, Supplier<List<String>> queues, Duration interval) {
		this.reader = reader;
		this.queues = queues;
		this.interval = interval;
		this.executor = Executors.newSingleThreadScheduledExecutor((runnable) -> {
			Thread thread = new Thread(runnable, "bullmq-metrics-durations");
			thread.setDaemon(true);
			return thread;
		});
	}

	/**
	 * Add a listener that is called, on the reading thread, with every successful read.
	 * @param listener the listener
	 */
	public void addListener(Consumer<FinishedJobsRead> listener) {
		this.listeners.add(listener);
	}

	/**
	 * Read now, in the background, and then every interval. Calling it again does
	 * nothing.
	 */
	public void start() {
		if (this.started.compareAndSet(false, true)) {
			this.executor.scheduleWithFixedDelay(this::poll, 0, this.interval.toMillis(), TimeUnit.MILLISECONDS);
		}
	}

	/**
	 * Read once now, on the calling thread, and hand the result to the listeners. Never
	 * throws: a failure is logged.
	 */
	public synchronized void poll() {
		FinishedJobsRead read;
		try {
			read = this.reader.read(this.queues.get());
		}
		catch (RuntimeException ex) {
			if (!this.failing) {
				this.failing = true;
				logger.warn("Cannot read BullMQ's finished jobs: " + sentence(ex.getMessage()) + " Their durations "
						+ "are measured again from the next read that works; this is logged again only on recovery.");
			}
			return;
		}
		if (this.failing) {
			this.failing = false;
			logger.info("Reading BullMQ's finished jobs works again");
		}
		logQueueFailures(read);
		for (Consumer<FinishedJobsRead> listener : this.listeners) {
			try {
				listener.accept(read);
			}
			catch (RuntimeException ex) {
				logger.warn("A listener of BullMQ's finished jobs failed", ex);
			}
		}
	}

	private void logQueueFailures(FinishedJobsRead read) {
		read.failures().forEach((queue, error) -> {
			if (this.failingQueues.add(queue)) {
				logger.warn("Cannot read the finished jobs of the BullMQ queue '" + queue + "': " + sentence(error)
						+ " This is logged again only after the queue can be read again.");
			}
		});
		this.failingQueues.retainAll(read.failures().keySet());
	}

	/**
	 * End a message with exactly one period: Redis' own messages sometimes have one.
	 */
	private static String sentence(@Nullable String message) {
		String trimmed = (message != null) ? message.strip() : "unknown error";
		while (trimmed.endsWith(".")) {
			trimmed = trimmed.substring(0, trimmed.length() - 1);
		}
		return trimmed + ".";
	}

	@Override
	public void close() {
		this.executor.shutdownNow();
	}

}
