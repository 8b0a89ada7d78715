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

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import io.github.bullmqmetrics.reader.BullMqSnapshot;
import io.github.bullmqmetrics.reader.QueueSnapshot;

/**
 * Logs what changes from one read of Redis to the next, each change once: an outage (once
 * per cause) and its end, a queue that cannot be read and its recovery, and a queue that
 * has no data at all under the prefix. Add it to a {@link SnapshotCache} as a listener.
 *
 * @author bullmq-metrics authors
 */
public final class RefreshLog implements Consumer<Refresh> {

	private static final Log logger = LogFactory.getLog(RefreshLog.class);

	private final String prefix;

	/**
	 * The causes of the failed reads since reads last worked: empty while they work.
	 */
	private final Set<String> loggedCauses = new HashSet<>();

	private final Set<String> failingQueues = new HashSet<>();

	private final Set<String> missingQueues = new HashSet<>();

	private final Set<String> unavailableParts = new HashSet<>();

	/**
	 * Create the log.
	 * @param prefix BullMQ's key prefix, named in the warning about a missing queue
	 */
	public RefreshLog(String prefix) {
		this.prefix = prefix;
	}

	@Override
	public synchronized void accept(Refresh refresh) {
		BullMqSnapshot snapshot = refresh.snapshot();
		if (snapshot == null) {
			// Once per cause: a first read that fails for a passing reason (Lettuce's own
			// error while a connection attempt with wrong credentials is torn down, say)
			// must not hide the lasting one that follows.
			String cause = String.valueOf(refresh.failureCause());
			if (this.loggedCauses.add(cause)) {
				logger.warn("Cannot read BullMQ's data from Redis (" + cause + "): "
						+ sentence(String.valueOf(refresh.failureMessage()))
						+ " Job counts are NaN and bullmq_exporter_up is 0 until a read succeeds; this is "
						+ "logged again only for another cause, or on recovery.");
			}
			return;
		}
		if (!this.loggedCauses.isEmpty()) {
			logger.info("Reading BullMQ's data from Redis works again");
			this.loggedCauses.clear();
		}
		logQueueFailures(snapshot);
		logMissingQueues(snapshot);
		logUnavailableParts(snapshot);
	}

	private void logUnavailableParts(BullMqSnapshot snapshot) {
		logChanges(this.unavailableParts, snapshot.unavailable(),
				(part, reason) -> logger.warn("Cannot read the " + part + " of BullMQ queues: " + sentence(reason)
						+ " Those series read NaN or are absent; the rest is read as usual. This is logged again "
						+ "only on recovery."),
				(part) -> logger.info("The " + part + " of BullMQ queues can be read again"));
	}

	/**
	 * Log each problem once when it appears and once when it is gone.
	 * @param logged the problems logged so far, updated
	 * @param now the problems of this read, with their reasons
	 * @param appeared logs a new problem
	 * @param gone logs a problem that is gone
	 */
	private static void logChanges(Set<String> logged, Map<String, String> now, BiConsumer<String, String> appeared,
			Consumer<String> gone) {
		now.forEach((name, reason) -> {
			if (logged.add(name)) {
				appeared.accept(name, reason);
			}
		});
		logged.removeIf((name) -> {
			boolean recovered = !now.containsKey(name);
			if (recovered) {
				gone.accept(name);
			}
			return recovered;
		});
	}

	private void logQueueFailures(BullMqSnapshot snapshot) {
		logChanges(this.failingQueues, snapshot.failures(),
				(queue, reason) -> logger
					.warn("Cannot read BullMQ queue '" + queue + "': " + sentence(reason) + " Its job counts are NaN."),
				(queue) -> logger.info("BullMQ queue '" + queue + "' can be read again"));
	}

	private void logMissingQueues(BullMqSnapshot snapshot) {
		for (QueueSnapshot queue : snapshot.queues().values()) {
			if (queue.exists()) {
				if (this.missingQueues.remove(queue.name())) {
					logger.info(
							"BullMQ queue '" + queue.name() + "' now has data under the prefix '" + this.prefix + "'");
				}
			}
			else if (this.missingQueues.add(queue.name())) {
				logger.warn("BullMQ queue '" + queue.name() + "' has no data under the prefix '" + this.prefix
						+ "' (no key " + this.prefix + ":" + queue.name() + ":*): check the queue name in "
						+ "bullmq.queues and the prefix in bullmq.prefix. Its job counts read 0 until BullMQ "
						+ "writes it; this is logged again only if it appears.");
			}
		}
		this.missingQueues.retainAll(snapshot.queues().keySet());
	}

	/** A message that ends with exactly one period, whether or not Redis' own did. */
	private static String sentence(String message) {
		String trimmed = message.strip();
		while (trimmed.endsWith(".")) {
			trimmed = trimmed.substring(0, trimmed.length() - 1);
		}
		return trimmed + ".";
	}

}
