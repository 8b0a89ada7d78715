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

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import org.jspecify.annotations.Nullable;

/**
 * The read-only Lua script that counts the jobs of several queues, with the knowledge to
 * build its keys and to turn its reply into {@link QueueSnapshot snapshots}.
 * <p>
 * Counting follows BullMQ's {@code getJobCounts()} for the version that wrote the data: a
 * legacy marker at the tail of {@code wait} or {@code paused} is not a job, and the
 * {@code paused} state exists only for data written by BullMQ 5 or older.
 *
 * @author bullmq-metrics authors
 */
final class QueueCountsScript {

	private static final String[] SUFFIXES = { "wait", "paused", "active", "prioritized", "delayed", "completed",
			"failed", "waiting-children", "meta", "metrics:completed", "metrics:failed", "id", "events", "repeat",
			"limiter" };

	/** How many keys the script takes per queue. */
	static final int KEYS_PER_QUEUE = SUFFIXES.length;

	private static final byte[] PAUSED = bytes("paused");

	private static final byte[] VERSION = bytes("version");

	private static final byte[] COUNT = bytes("count");

	private static final String VERSION_6_PREFIX = "bullmq:";

	private final LuaScript script = LuaScript.load("queue-counts.lua");

	private static final byte[] WITH_LATENCY = bytes("1");

	private static final byte[] WITHOUT_LATENCY = bytes("0");

	/**
	 * Prepare a call of the script.
	 * @param redis what is known of the Redis it goes to
	 * @param keys the keys of the queues, from {@link #keys}
	 * @param latency whether to read latency and overdue jobs, which need {@code TIME},
	 * the next jobs' hashes and the delayed set's head
	 * @return the call
	 */
	LuaScript.Call call(LuaScript.ScriptSupport redis, byte[][] keys, boolean latency) {
		return this.script.call(redis, keys, latency ? WITH_LATENCY : WITHOUT_LATENCY);
	}

	byte[][] keys(BullMqKeys keys, List<String> queues) {
		return keys.rawKeys(queues, SUFFIXES);
	}

	/**
	 * Decode the script's reply for a batch of queues.
	 * @param queues the queues, in the order their keys were passed
	 * @param reply the script's reply
	 * @param snapshots receives the snapshot of each queue that could be read
	 * @param failures receives the reason for each queue that could not be read
	 * @param unavailable receives the reason for each part that could not be read
	 * @param latency whether latency and overdue jobs were asked for: when not, their
	 * absence is no refusal
	 */
	void decode(List<String> queues, List<?> reply, Map<String, QueueSnapshot> snapshots, Map<String, String> failures,
			Map<String, String> unavailable, boolean latency) {
		if (reply.size() != queues.size()) {
			throw new IllegalStateException(
					"Expected " + queues.size() + " rows from queue-counts.lua but got " + reply.size());
		}
		for (int i = 0; i < queues.size(); i++) {
			String queue = queues.get(i);
			List<?> row = (List<?>) reply.get(i);
			if (asLong(row.get(Field.OK.ordinal())) != 1) {
				failures.put(queue, asString(row.get(Field.ERROR.ordinal())));
				continue;
			}
			if (latency && row.size() > Field.LATENCY.ordinal() && Field.LATENCY.of(row) == null) {
				unavailable.put(BullMqSnapshot.LATENCY,
						"Redis refused TIME, which is not in the ACL category @read (add +time to the user)");
			}
			try {
				snapshots.put(queue, snapshot(queue, row));
			}
			catch (NumberFormatException ex) {
				failures.put(queue, "Unreadable metrics count: " + ex.getMessage());
			}
		}
	}

	private QueueSnapshot snapshot(String queue, List<?> row) {
		String version = asString(Field.VERSION.of(row));
		boolean exists = asLong(Field.PRESENT.required(row)) > 0;
		Map<JobState, Long> counts = new EnumMap<>(JobState.class);
		counts.put(JobState.WAITING, withoutMarker(asLong(Field.WAITING.required(row)), Field.WAIT_TAIL.of(row)));
		// A queue with no data at all gets no BullMQ 5 'paused' state: nothing says it
		// was written by BullMQ 5.
		if (exists && !isVersion6OrLater(version)) {
			counts.put(JobState.PAUSED, withoutMarker(asLong(Field.PAUSED.required(row)), Field.PAUSED_TAIL.of(row)));
		}
		counts.put(JobState.ACTIVE, asLong(Field.ACTIVE.required(row)));
		counts.put(JobState.PRIORITIZED, asLong(Field.PRIORITIZED.required(row)));
		counts.put(JobState.DELAYED, asLong(Field.DELAYED.required(row)));
		counts.put(JobState.COMPLETED, asLong(Field.COMPLETED.required(row)));
		counts.put(JobState.FAILED, asLong(Field.FAILED.required(row)));
		counts.put(JobState.WAITING_CHILDREN, asLong(Field.WAITING_CHILDREN.required(row)));
		boolean paused = asLong(Field.META_PAUSED.required(row)) == 1;
		Long latency = asOptionalLong(Field.LATENCY.of(row));
		Long rateLimitTtl = asOptionalLong(Field.RATE_LIMIT_TTL.of(row));
		String concurrency = asString(Field.GLOBAL_CONCURRENCY.of(row));
		QueueActivity activity = new QueueActivity((latency != null) ? Duration.ofMillis(latency) : null,
				asOptionalLong(Field.OVERDUE.of(row)), asOptionalLong(Field.SCHEDULERS.of(row)),
				(rateLimitTtl != null) ? Duration.ofMillis(Math.max(0, rateLimitTtl)) : null,
				(concurrency != null) ? Long.valueOf(concurrency) : null);
		return new QueueSnapshot(queue, counts, asCount(Field.COMPLETED_TOTAL.of(row)),
				asCount(Field.FAILED_TOTAL.of(row)), paused, version, exists, activity);
	}

	/**
	 * Whether data was written by BullMQ 6 or later, which keeps a paused queue's jobs in
	 * {@code wait} and has no {@code paused} state. Other libraries (BullMQ Pro, Bull)
	 * and data without a version keep the older state list.
	 */
	static boolean isVersion6OrLater(@Nullable String version) {
		if (version == null || !version.startsWith(VERSION_6_PREFIX)) {
			return false;
		}
		String number = version.substring(VERSION_6_PREFIX.length());
		int dot = number.indexOf('.');
		try {
			return Integer.parseInt((dot < 0) ? number : number.substring(0, dot)) >= 6;
		}
		catch (NumberFormatException ex) {
			return false;
		}
	}

	/**
	 * A legacy marker ({@code 0} from BullMQ 2, {@code 0:<delay>} from 3.1 to 4) at the
	 * tail of a list is not a job. BullMQ's own count script pops it; we subtract it.
	 */
	static long withoutMarker(long length, @Nullable Object tail) {
		String last = asString(tail);
		boolean marker = last != null && (last.equals("0") || last.startsWith("0:"));
		return marker ? Math.max(0, length - 1) : length;
	}

	/** A number, or {@code null} for a field the row does not have or Redis' nil. */
	private static @Nullable Long asOptionalLong(@Nullable Object value) {
		return (value instanceof Number number) ? number.longValue() : null;
	}

	private static long asCount(@Nullable Object value) {
		String text = asString(value);
		return (text != null) ? Long.parseLong(text) : 0;
	}

	private static long asLong(Object value) {
		return ((Number) value).longValue();
	}

	private static @Nullable String asString(@Nullable Object value) {
		if (value instanceof byte[] bytes) {
			return new String(bytes, StandardCharsets.UTF_8);
		}
		return (value != null) ? value.toString() : null;
	}

	/**
	 * Send, one plain command per key, the reads that the script does for the queue whose
	 * keys start at {@code base}, in the order of the script's reply. For keys that
	 * spread over several cluster slots, where the script cannot run.
	 */
	static List<RedisFuture<?>> readKeyByKey(RedisClusterAsyncCommands<byte[], byte[]> commands, byte[][] keys,
			int base) {
		return List.of(commands.llen(keys[base]), commands.lindex(keys[base], -1), commands.llen(keys[base + 1]),
				commands.lindex(keys[base + 1], -1), commands.llen(keys[base + 2]), commands.zcard(keys[base + 3]),
				commands.zcard(keys[base + 4]), commands.zcard(keys[base + 5]), commands.zcard(keys[base + 6]),
				commands.zcard(keys[base + 7]), commands.hexists(keys[base + 8], PAUSED),
				commands.hget(keys[base + 8], VERSION), commands.hget(keys[base + 9], COUNT),
				commands.hget(keys[base + 10], COUNT),
				commands.exists(keys[base + 8], keys[base + 11], keys[base + 12]));
	}

	/**
	 * Turn the replies of {@link #readKeyByKey} into a row as the script returns it: the
	 * values, or the error of a key that Redis refused (a wrong type, say).
	 */
	static List<Object> row(List<RedisFuture<?>> replies, LettuceSession session) {
		List<Object> row = new ArrayList<>();
		row.add(1L);
		for (RedisFuture<?> reply : replies) {
			try {
				Object value = session.await(reply);
				row.add((value instanceof Boolean flag) ? (flag ? 1L : 0L) : value);
			}
			catch (BullMqReadException ex) {
				if (ex.reason() != BullMqReadException.Reason.COMMAND) {
					throw ex;
				}
				return List.of(0L,
						String.valueOf((ex.getCause() != null) ? ex.getCause().getMessage() : ex.getMessage()));
			}
		}
		return row;
	}

	/**
	 * The fields of one queue's row in the script's reply (and in {@link #row}), in
	 * order: the one place that knows their positions.
	 */
	enum Field {

		/** 1 when the queue could be read, else 0 and {@link #ERROR} follows. */
		OK,

		/** {@code LLEN wait}; in a row of a queue that could not be read, the error. */
		WAITING,

		/** {@code LINDEX wait -1}: a legacy marker or the next job. */
		WAIT_TAIL,

		/** {@code LLEN paused}. */
		PAUSED,

		/** {@code LINDEX paused -1}. */
		PAUSED_TAIL,

		/** {@code LLEN active}. */
		ACTIVE,

		/** {@code ZCARD prioritized}. */
		PRIORITIZED,

		/** {@code ZCARD delayed}. */
		DELAYED,

		/** {@code ZCARD completed}. */
		COMPLETED,

		/** {@code ZCARD failed}. */
		FAILED,

		/** {@code ZCARD waiting-children}. */
		WAITING_CHILDREN,

		/** 1 when {@code meta} has {@code paused}, else 0. */
		META_PAUSED,

		/** {@code HGET meta version}. */
		VERSION,

		/** {@code HGET metrics:completed count}. */
		COMPLETED_TOTAL,

		/** {@code HGET metrics:failed count}. */
		FAILED_TOTAL,

		/**
		 * Greater than 0 when the queue has any data: a job, a metrics count, or a
		 * {@code meta}, {@code id} or {@code events} key.
		 */
		PRESENT,

		/**
		 * How long, in ms on Redis' clock, the job that has waited longest at the front
		 * of the queue has been ready to run; false when not asked for or when
		 * {@code TIME} is refused.
		 */
		LATENCY,

		/**
		 * Delayed jobs due before now; false when not asked for or when {@code TIME} is
		 * refused.
		 */
		OVERDUE,

		/** {@code ZCARD repeat}. */
		SCHEDULERS,

		/** As BullMQ's {@code getRateLimitTtl()}, in ms; -2 or -1 when not limited. */
		RATE_LIMIT_TTL,

		/** {@code HGET meta concurrency}. */
		GLOBAL_CONCURRENCY;

		/** The error of a row whose {@link #OK} is 0. */
		static final Field ERROR = WAITING;

		/**
		 * Return this field of a row, or {@code null} when the row ends before it (the
		 * key-by-key rows of a queue without a hash tag carry the counts only).
		 */
		@Nullable Object of(List<?> row) {
			return (ordinal() < row.size()) ? row.get(ordinal()) : null;
		}

		/** Return this field of a row, which every row has. */
		Object required(List<?> row) {
			Object value = of(row);
			if (value == null) {
				throw new IllegalStateException("queue-counts.lua returned no " + this + " in a row of " + row.size());
			}
			return value;
		}

	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	static <T> List<List<T>> batches(List<T> items, int size) {
		List<List<T>> result = new ArrayList<>();
		for (int from = 0; from < items.size(); from += size) {
			result.add(items.subList(from, Math.min(items.size(), from + size)));
		}
		return result;
	}

}
