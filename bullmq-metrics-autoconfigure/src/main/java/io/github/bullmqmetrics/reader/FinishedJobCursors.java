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

import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * Where reading finished jobs has got to, per queue and outcome, so that each finished
 * job is read once by the reader that holds these cursors: the state that lives from one
 * read to the next.
 * <p>
 * A cursor is a {@code finishedOn} time (the score of BullMQ's {@code completed} and
 * {@code failed} sorted sets): every job that finished at or before it has been read or
 * counted as missed. Cursors start at the instant they are created, so a new instance (a
 * restarted application) never reads the history again. A queue first read later starts
 * where the last successful read ended. Only a successful read moves a cursor: a failed
 * one leaves the next read to take in what it would have.
 * <p>
 * With each cursor goes how many jobs BullMQ's lifetime {@code count} (kept when workers
 * set their {@code metrics} option) said had finished up to it: the count less the jobs
 * still in the sorted set after the cursor. The difference between two reads, less the
 * jobs found in between, is how many finished jobs left the sorted set before they could
 * be read: removed by {@code removeOnComplete} or {@code removeOnFail} (even
 * {@code true}, which never adds them), {@code remove()}, {@code clean()} or a retry, or
 * added to the set too late for their {@code finishedOn}. Without the count, only those
 * that were seen after a cursor and were gone by the next read are found this way.
 *
 * @author bullmq-metrics authors
 */
public final class FinishedJobCursors {

	private final Map<Key, Position> positions = new HashMap<>();

	private long readUpTo;

	/**
	 * Create cursors that start at an instant: jobs that finished at or before it are
	 * history and are never read.
	 * @param start the instant, usually now
	 */
	public FinishedJobCursors(Instant start) {
		this.readUpTo = start.toEpochMilli();
	}

	/**
	 * Return the newest {@code finishedOn} that the last successful read took in, or the
	 * start when none did.
	 * @return the time, in milliseconds since the epoch
	 */
	public synchronized long readUpTo() {
		return this.readUpTo;
	}

	synchronized Position position(String queue, JobOutcome outcome) {
		Position position = this.positions.get(new Key(queue, outcome));
		return (position != null) ? position : new Position(this.readUpTo, null);
	}

	/**
	 * Move the cursors after a successful read.
	 * @param queues every queue the read was asked for: the cursors of other queues are
	 * forgotten
	 * @param readUpTo the newest {@code finishedOn} the read took in
	 * @param moved the new position of each queue and outcome that could be read
	 */
	synchronized void advance(Collection<String> queues, long readUpTo, Map<Key, Position> moved) {
		Set<String> kept = new HashSet<>(queues);
		this.positions.keySet().removeIf((key) -> !kept.contains(key.queue()));
		// A queue that could not be read stays where it was, even at its first read.
		for (String queue : kept) {
			for (JobOutcome outcome : JobOutcome.values()) {
				this.positions.putIfAbsent(new Key(queue, outcome), new Position(this.readUpTo, null));
			}
		}
		this.positions.putAll(moved);
		this.readUpTo = Math.max(this.readUpTo, readUpTo);
	}

	/**
	 * Identifies one cursor.
	 *
	 * @param queue the queue name
	 * @param outcome the outcome
	 */
	record Key(String queue, JobOutcome outcome) {
	}

	/**
	 * One cursor.
	 *
	 * @param readUpTo every job that finished at or before this time (ms) has been read
	 * or counted as missed
	 * @param settled how many jobs BullMQ's lifetime count said had finished at or before
	 * {@code readUpTo} (the count, 0 when absent, less the jobs still in the sorted set
	 * after it), or {@code null} before the first read
	 */
	record Position(long readUpTo, @Nullable Long settled) {

		/**
		 * Return how many jobs finished between this position and a later one without
		 * being in the sorted set when the later one was read.
		 * @param next the later position
		 * @param found how many jobs the sorted set held between the two
		 * @return the jobs known to be missed; 0 before the first read, or when the count
		 * went back (the queue was obliterated, say)
		 */
		long removedBefore(Position next, long found) {
			if (this.settled == null || next.settled() == null) {
				return 0;
			}
			return Math.max(0, next.settled() - this.settled - found);
		}

	}

}
