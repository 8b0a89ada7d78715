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
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.github.bullmqmetrics.reader.BullMqReadException;
import io.github.bullmqmetrics.reader.BullMqReadException.Reason;
import io.github.bullmqmetrics.reader.BullMqSnapshot;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link SnapshotCache}.
 *
 * @author bullmq-metrics authors
 */
class SnapshotCacheTests {

	private final AtomicLong now = new AtomicLong();

	private final AtomicInteger reads = new AtomicInteger();

	private SnapshotCache cache;

	@AfterEach
	void close() {
		if (this.cache != null) {
			this.cache.close();
		}
	}

	@Test
	void readsOnceWithinTheTimeToLive() {
		this.cache = cache(this::countingRead, Duration.ofSeconds(5), Duration.ofSeconds(2));
		Refresh first = this.cache.current();
		this.now.addAndGet(Duration.ofSeconds(4).toNanos());
		Refresh second = this.cache.current();
		assertThat(second).isSameAs(first);
		assertThat(this.reads).hasValue(1);
	}

	@Test
	void readsAgainOnceTheTimeToLiveHasPassed() {
		this.cache = cache(this::countingRead, Duration.ofSeconds(5), Duration.ofSeconds(2));
		Refresh first = this.cache.current();
		this.now.addAndGet(Duration.ofSeconds(5).toNanos());
		assertThat(this.cache.current()).isNotSameAs(first);
		assertThat(this.reads).hasValue(2);
	}

	@Test
	void keepsAFailedReadForTheTimeToLiveToo() {
		this.cache = cache(() -> {
			this.reads.incrementAndGet();
			throw new BullMqReadException(Reason.CONNECTION, "Connection refused", null);
		}, Duration.ofSeconds(5), Duration.ofSeconds(2));
		Refresh refresh = this.cache.current();
		this.cache.current();
		assertThat(refresh.isSuccess()).isFalse();
		assertThat(refresh.failureCause()).isEqualTo("connection");
		assertThat(refresh.failureMessage()).isEqualTo("Connection refused");
		assertThat(this.reads).hasValue(1);
	}

	@Test
	void recoversOnTheFirstReadAfterAFailure() {
		AtomicInteger calls = new AtomicInteger();
		this.cache = cache(() -> {
			if (calls.incrementAndGet() == 1) {
				throw new BullMqReadException(Reason.CONNECTION, "down", null);
			}
			return snapshot();
		}, Duration.ofSeconds(5), Duration.ofSeconds(2));
		assertThat(this.cache.current().isSuccess()).isFalse();
		this.now.addAndGet(Duration.ofSeconds(5).toNanos());
		assertThat(this.cache.current().isSuccess()).isTrue();
		assertThat(this.cache.lastSuccess()).isNotNull();
	}

	@Test
	void neverWaitsLongerThanTheTimeoutAndRunsOneReadAtATime() throws Exception {
		CountDownLatch release = new CountDownLatch(1);
		this.cache = cache(() -> {
			this.reads.incrementAndGet();
			await(release);
			return snapshot();
		}, Duration.ofSeconds(5), Duration.ofMillis(200));
		long started = System.nanoTime();
		Refresh first = this.cache.current();
		Refresh second = this.cache.current();
		long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
		assertThat(first.isSuccess()).isFalse();
		assertThat(first.failureCause()).isEqualTo("timeout");
		assertThat(second.failureCause()).isEqualTo("timeout");
		assertThat(waitedMillis).isBetween(400L, 2000L);
		assertThat(this.reads).hasValue(1);
		release.countDown();
		awaitCondition(() -> this.cache.last() != null);
		assertThat(this.cache.current().isSuccess()).isTrue();
		assertThat(this.reads).hasValue(1);
	}

	@Test
	void concurrentCallersShareOneRead() throws Exception {
		CountDownLatch release = new CountDownLatch(1);
		this.cache = cache(() -> {
			this.reads.incrementAndGet();
			await(release);
			return snapshot();
		}, Duration.ofSeconds(5), Duration.ofSeconds(5));
		ExecutorService callers = Executors.newFixedThreadPool(50);
		try {
			List<Future<Refresh>> results = java.util.stream.IntStream.range(0, 50)
				.mapToObj((i) -> callers.submit(this.cache::current))
				.toList();
			Thread.sleep(200);
			release.countDown();
			for (Future<Refresh> result : results) {
				assertThat(result.get(5, TimeUnit.SECONDS).isSuccess()).isTrue();
			}
		}
		finally {
			callers.shutdownNow();
		}
		assertThat(this.reads).hasValue(1);
	}

	@Test
	void aScrapeSeesOneRefreshEvenWhenTheTimeToLiveEndsDuringIt() {
		this.cache = cache(this::countingRead, Duration.ofSeconds(5), Duration.ofSeconds(2));
		List<Refresh> seen = this.cache.withinScrape(() -> {
			Refresh first = this.cache.current();
			this.now.addAndGet(Duration.ofSeconds(6).toNanos());
			return List.of(first, this.cache.current());
		});
		assertThat(seen.get(1)).isSameAs(seen.get(0));
		assertThat(this.reads).hasValue(1);
		assertThat(this.cache.current()).isNotSameAs(seen.get(0));
		assertThat(this.reads).hasValue(2);
	}

	@Test
	void readsAfreshOnceExpired() {
		this.cache = cache(this::countingRead, Duration.ofSeconds(5), Duration.ofSeconds(2));
		Refresh first = this.cache.current();
		this.cache.expire();
		Refresh second = this.cache.current();
		assertThat(second).isNotSameAs(first);
		assertThat(this.cache.current()).isSameAs(second);
		assertThat(this.reads).hasValue(2);
	}

	@Test
	void listenersSeeEveryReadBeforeCallersDo() {
		List<Refresh> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
		this.cache = cache(this::countingRead, Duration.ofSeconds(5), Duration.ofSeconds(2));
		this.cache.addListener(heard::add);
		Refresh refresh = this.cache.current();
		assertThat(heard).containsExactly(refresh);
	}

	@Test
	void anUnexpectedReaderExceptionIsAFailedRefresh() {
		this.cache = cache(() -> {
			throw new IllegalStateException("boom");
		}, Duration.ofSeconds(5), Duration.ofSeconds(2));
		Refresh refresh = this.cache.current();
		assertThat(refresh.isSuccess()).isFalse();
		assertThat(refresh.failureCause()).isEqualTo("other");
		assertThat(refresh.failureMessage()).contains("boom");
	}

	private SnapshotCache cache(Supplier<BullMqSnapshot> reader, Duration ttl, Duration timeout) {
		return new SnapshotCache(reader, ttl, timeout, this.now::get, Clock.systemUTC());
	}

	private BullMqSnapshot countingRead() {
		this.reads.incrementAndGet();
		return snapshot();
	}

	private static BullMqSnapshot snapshot() {
		return new BullMqSnapshot(Instant.now(), Map.of(), Map.of());
	}

	private static void await(CountDownLatch latch) {
		try {
			latch.await(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private static void awaitCondition(Supplier<Boolean> condition) throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
		while (!condition.get() && System.nanoTime() < deadline) {
			Thread.sleep(10);
		}
		assertThat(condition.get()).isTrue();
	}

}
