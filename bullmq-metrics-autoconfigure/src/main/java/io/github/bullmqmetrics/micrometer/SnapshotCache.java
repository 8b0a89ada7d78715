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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

import io.github.bullmqmetrics.reader.BullMqSnapshot;

/**
 * Decides which read of Redis a scrape sees. It keeps the last {@link Refresh} for a time
 * to live, so any number of scrapes within it cost one read; it lets only one read run at
 * a time, on its own thread; and it never lets a caller wait longer than a timeout,
 * answering with a failed refresh instead. The read itself, and telling the listeners, is
 * the {@link Refresher}'s job.
 * <p>
 * A scrape wrapped in {@link #withinScrape(Supplier)} sees one refresh for all of its
 * meters, even if the time to live ends half way through.
 *
 * @author bullmq-metrics authors
 */
public final class SnapshotCache implements AutoCloseable {

	private final Refresher refresher;

	private final long timeToLiveNanos;

	private final Duration timeout;

	private final LongSupplier nanoTime;

	private final Clock clock;

	private final ExecutorService executor;

	private final ThreadLocal<Refresh> scrapeRefresh = new ThreadLocal<>();

	private final Object monitor = new Object();

	private @Nullable Refresh last;

	private long lastStartedNanos;

	private boolean expired;

	private @Nullable CompletableFuture<Refresh> inFlight;

	private volatile @Nullable Instant lastSuccess;

	/**
	 * Create a cache.
	 * @param reader reads BullMQ's data, throwing on failure
	 * @param timeToLive how long a refresh is reused
	 * @param timeout the longest a caller waits for a read
	 */
	public SnapshotCache(Supplier<BullMqSnapshot> reader, Duration timeToLive, Duration timeout) {
		this(reader, timeToLive, timeout, System::nanoTime, Clock.systemUTC());
	}

	SnapshotCache(Supplier<BullMqSnapshot> reader, Duration timeToLive, Duration timeout, LongSupplier nanoTime,
			Clock clock) {
		this.refresher = new Refresher(reader, nanoTime, clock);
		this.timeToLiveNanos = timeToLive.toNanos();
		this.timeout = timeout;
		this.nanoTime = nanoTime;
		this.clock = clock;
		this.executor = Executors.newSingleThreadExecutor((runnable) -> {
			Thread thread = new Thread(runnable, "bullmq-metrics-refresh");
			thread.setDaemon(true);
			return thread;
		});
	}

	/**
	 * Add a listener that is called, on the refreshing thread, after every read and
	 * before any caller sees its result.
	 * @param listener the listener
	 */
	public void addListener(Consumer<Refresh> listener) {
		this.refresher.addListener(listener);
	}

	/**
	 * Return the refresh that the current caller should see: the one pinned to the
	 * current scrape, else the cached one while it is fresh, else a new read, waiting at
	 * most the timeout for it.
	 * @return the refresh
	 */
	public Refresh current() {
		Refresh pinned = this.scrapeRefresh.get();
		return (pinned != null) ? pinned : fresh();
	}

	/**
	 * Return the last completed refresh, without reading.
	 * @return the last refresh, or {@code null} if none completed yet
	 */
	public @Nullable Refresh last() {
		synchronized (this.monitor) {
			return this.last;
		}
	}

	/**
	 * Make the next caller read afresh, for example because the queues to read changed. A
	 * read in flight is not affected.
	 */
	public void expire() {
		synchronized (this.monitor) {
			this.expired = true;
		}
	}

	/**
	 * Return when the last successful read completed.
	 * @return the instant, or {@code null} if no read succeeded yet
	 */
	public @Nullable Instant lastSuccess() {
		return this.lastSuccess;
	}

	/**
	 * Run a scrape so that every meter it reads sees the same refresh.
	 * @param <T> the scrape's result type
	 * @param scrape the scrape
	 * @return the scrape's result
	 */
	public <T> T withinScrape(Supplier<T> scrape) {
		if (this.scrapeRefresh.get() != null) {
			return scrape.get();
		}
		this.scrapeRefresh.set(fresh());
		try {
			return scrape.get();
		}
		finally {
			this.scrapeRefresh.remove();
		}
	}

	private Refresh fresh() {
		CompletableFuture<Refresh> refresh;
		synchronized (this.monitor) {
			if (this.last != null && !this.expired
					&& this.nanoTime.getAsLong() - this.lastStartedNanos < this.timeToLiveNanos) {
				return this.last;
			}
			if (this.inFlight == null) {
				long started = this.nanoTime.getAsLong();
				this.inFlight = CompletableFuture.supplyAsync(() -> read(started), this.executor);
			}
			refresh = this.inFlight;
		}
		return await(refresh);
	}

	private Refresh await(CompletableFuture<Refresh> refresh) {
		try {
			return refresh.get(this.timeout.toNanos(), TimeUnit.NANOSECONDS);
		}
		catch (TimeoutException ex) {
			return Refresh.failed("timeout", "Redis did not answer within " + this.timeout.toMillis() + "ms",
					this.clock.instant(), this.timeout);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return Refresh.failed("interrupted", "Interrupted while waiting for Redis", this.clock.instant(),
					Duration.ZERO);
		}
		catch (ExecutionException ex) {
			return Refresh.failed("other", String.valueOf(ex.getCause()), this.clock.instant(), Duration.ZERO);
		}
	}

	private Refresh read(long started) {
		Refresh refresh = null;
		try {
			refresh = this.refresher.refresh(started);
			return refresh;
		}
		finally {
			publish(started, refresh);
		}
	}

	private void publish(long started, @Nullable Refresh refresh) {
		synchronized (this.monitor) {
			if (refresh != null) {
				this.last = refresh;
				this.lastStartedNanos = started;
				this.expired = false;
				if (refresh.isSuccess()) {
					this.lastSuccess = refresh.completedAt();
				}
			}
			this.inFlight = null;
		}
	}

	@Override
	public void close() {
		this.executor.shutdownNow();
	}

}
