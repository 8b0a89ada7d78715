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
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * The queues to read, kept up to date by running a {@link QueueDiscovery} in the
 * background: once at start and then at a fixed interval, never on the caller's thread.
 * Until the first discovery completes the list is empty; when a discovery fails, the last
 * list is kept.
 *
 * @author bullmq-metrics authors
 */
public class DiscoveredQueues implements Supplier<List<String>>, AutoCloseable {

	private static final Log logger = LogFactory.getLog(DiscoveredQueues.class);

	private final QueueDiscovery discovery;

	private final Duration interval;

	private final Runnable onChange;

	private final ScheduledExecutorService executor;

	private volatile List<String> queues = List.of();

	private boolean failing;

	private boolean capped;

	/**
	 * Create the list; call {@link #start()} to begin discovering.
	 * @param discovery how queues are found
	 * @param interval how often discovery runs again
	 * @param onChange called, on the discovering thread, when the list changes
	 */
	public DiscoveredQueues(QueueDiscovery discovery, Duration interval, Runnable onChange) {
		this.discovery = discovery;
		this.interval = interval;
		this.onChange = onChange;
		this.executor = Executors.newSingleThreadScheduledExecutor((runnable) -> {
			Thread thread = new Thread(runnable, "bullmq-metrics-discovery");
			thread.setDaemon(true);
			return thread;
		});
	}

	/**
	 * Run the first discovery now, in the background, and then every interval.
	 */
	public void start() {
		this.executor.scheduleWithFixedDelay(this::refresh, 0, this.interval.toMillis(), TimeUnit.MILLISECONDS);
	}

	@Override
	public List<String> get() {
		return this.queues;
	}

	/**
	 * Run one discovery now, on the calling thread.
	 */
	public void refresh() {
		QueueDiscovery.Result result;
		try {
			result = this.discovery.discover();
		}
		catch (RuntimeException ex) {
			if (!this.failing) {
				this.failing = true;
				logger.warn("Cannot discover BullMQ queues: " + ex.getMessage()
						+ ". Keeping the last list of queues; this is logged again only on recovery.");
			}
			return;
		}
		if (this.failing) {
			this.failing = false;
			logger.info("Discovering BullMQ queues works again");
		}
		logCap(result);
		if (!result.queues().equals(this.queues)) {
			this.queues = result.queues();
			this.onChange.run();
		}
	}

	private void logCap(QueueDiscovery.Result result) {
		if (result.capped() && !this.capped) {
			logger.warn("Discovered " + result.found() + " BullMQ queues, more than bullmq.discovery.max-queues: "
					+ "exporting the first " + result.queues().size() + " by name. Raise the limit or narrow "
					+ "bullmq.discovery.include/exclude.");
		}
		this.capped = result.capped();
	}

	@Override
	public void close() {
		this.executor.shutdownNow();
	}

}
