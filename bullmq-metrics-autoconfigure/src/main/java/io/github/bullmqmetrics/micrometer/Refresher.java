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
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import io.github.bullmqmetrics.reader.BullMqReadException;
import io.github.bullmqmetrics.reader.BullMqSnapshot;

/**
 * Runs one read of BullMQ's data and turns its outcome into a {@link Refresh}: a
 * snapshot, or a tag-friendly cause and a message, never an exception. Every listener
 * hears of each refresh before any caller sees it.
 *
 * @author bullmq-metrics authors
 */
final class Refresher {

	private static final Log logger = LogFactory.getLog(Refresher.class);

	private final Supplier<BullMqSnapshot> reader;

	private final LongSupplier nanoTime;

	private final Clock clock;

	private final List<Consumer<Refresh>> listeners = new CopyOnWriteArrayList<>();

	Refresher(Supplier<BullMqSnapshot> reader, LongSupplier nanoTime, Clock clock) {
		this.reader = reader;
		this.nanoTime = nanoTime;
		this.clock = clock;
	}

	void addListener(Consumer<Refresh> listener) {
		this.listeners.add(listener);
	}

	/**
	 * Read, and tell every listener.
	 * @param started when the read was asked for, on the {@code nanoTime} clock
	 * @return the outcome
	 */
	Refresh refresh(long started) {
		Refresh refresh = attempt(started);
		for (Consumer<Refresh> listener : this.listeners) {
			try {
				listener.accept(refresh);
			}
			catch (RuntimeException ex) {
				logger.warn("A BullMQ metrics refresh listener failed", ex);
			}
		}
		return refresh;
	}

	private Refresh attempt(long started) {
		try {
			return Refresh.succeeded(this.reader.get(), elapsedSince(started));
		}
		catch (BullMqReadException ex) {
			return Refresh.failed(ex.reason().name().toLowerCase(Locale.ROOT), String.valueOf(ex.getMessage()),
					this.clock.instant(), elapsedSince(started));
		}
		catch (RuntimeException ex) {
			return Refresh.failed("other", String.valueOf(ex), this.clock.instant(), elapsedSince(started));
		}
	}

	private Duration elapsedSince(long started) {
		return Duration.ofNanos(this.nanoTime.getAsLong() - started);
	}

}
