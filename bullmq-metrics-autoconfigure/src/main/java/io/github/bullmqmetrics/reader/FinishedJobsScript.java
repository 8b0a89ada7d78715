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

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import io.github.bullmqmetrics.reader.FinishedJobCursors.Key;
import io.github.bullmqmetrics.reader.FinishedJobCursors.Position;

/**
 * The read-only Lua script that reads the jobs of several queues that finished in a time
 * range, with the knowledge to build its keys and arguments and to turn its reply into
 * {@link FinishedJobs}.
 *
 * @author bullmq-metrics authors
 */
final class FinishedJobsScript {

	/** The keys the script takes per queue, in order. */
	private static final String[] SUFFIXES = { JobOutcome.COMPLETED.keySuffix(), JobOutcome.FAILED.keySuffix(),
			JobOutcome.COMPLETED.metricsKeySuffix(), JobOutcome.FAILED.metricsKeySuffix() };

	private final byte[] source;

	FinishedJobsScript() {
		try (InputStream in = FinishedJobsScript.class.getResourceAsStream("finished-jobs.lua")) {
			if (in == null) {
				throw new IllegalStateException("finished-jobs.lua is missing from the classpath");
			}
			this.source = in.readAllBytes();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	byte[] source() {
		return this.source;
	}

	byte[][] keys(BullMqKeys keys, List<String> queues) {
		byte[][] result = new byte[queues.size() * SUFFIXES.length][];
		int i = 0;
		for (String queue : queues) {
			for (String suffix : SUFFIXES) {
				result[i++] = keys.rawKey(queue, suffix);
			}
		}
		return result;
	}

	/**
	 * Return every key a read of one queue touches, a job's hash included, to find the
	 * cluster slots they live in.
	 */
	byte[][] slotKeys(BullMqKeys keys, String queue) {
		byte[][] declared = keys(keys, List.of(queue));
		byte[][] result = new byte[declared.length + 1][];
		System.arraycopy(declared, 0, result, 0, declared.length);
		result[declared.length] = keys.rawKey(queue, "1");
		return result;
	}

	/**
	 * How many bytes of {@code opts} JSON one read of a queue and outcome takes in per
	 * job it may read, on average: BullMQ's options are usually a few hundred bytes, and
	 * scanning them is most of a job's cost inside Redis.
	 */
	static final long OPTS_BYTES_PER_JOB = 1024;

	byte[][] args(BullMqKeys keys, List<String> queues, long readUpTo, int limit, FinishedJobCursors cursors) {
		List<byte[]> args = new ArrayList<>();
		args.add(bytes(Long.toString(readUpTo)));
		args.add(bytes(Integer.toString(limit)));
		args.add(bytes(Long.toString(limit * OPTS_BYTES_PER_JOB)));
		for (String queue : queues) {
			args.add(bytes(keys.key(queue, "")));
			args.add(bytes(Long.toString(cursors.position(queue, JobOutcome.COMPLETED).readUpTo())));
			args.add(bytes(Long.toString(cursors.position(queue, JobOutcome.FAILED).readUpTo())));
		}
		return args.toArray(byte[][]::new);
	}

	/**
	 * Decode the script's reply for a batch of queues.
	 * @param queues the queues, in the order their keys were passed
	 * @param reply the script's reply
	 * @param cursors where the read started
	 * @param readUpTo the newest {@code finishedOn} the read took in
	 * @param finished receives the jobs of each queue that could be read
	 * @param moved receives the new cursor of each queue and outcome that could be read
	 * @param failures receives the reason for each queue that could not be read
	 */
	void decode(List<String> queues, List<?> reply, FinishedJobCursors cursors, long readUpTo,
			List<FinishedJobs> finished, Map<Key, Position> moved, Map<String, String> failures) {
		if (reply.size() != queues.size()) {
			throw new IllegalStateException(
					"Expected " + queues.size() + " rows from finished-jobs.lua but got " + reply.size());
		}
		for (int i = 0; i < queues.size(); i++) {
			String queue = queues.get(i);
			List<?> row = (List<?>) reply.get(i);
			if (asLong(row.get(0)) != 1) {
				failures.put(queue, String.valueOf(asString(row.get(1))));
				continue;
			}
			int column = 1;
			for (JobOutcome outcome : JobOutcome.values()) {
				Key key = new Key(queue, outcome);
				Position from = cursors.position(queue, outcome);
				List<?> range = (List<?>) row.get(column++);
				long found = asLong(Range.FOUND.of(range));
				// No count yet is no job counted yet: workers without metrics never
				// count.
				Long total = asNumber(Range.FINISHED_TOTAL.of(range));
				long counted = (total != null) ? total : 0;
				Position to = new Position(readUpTo, counted - asLong(Range.LATER.of(range)));
				List<FinishedJob> jobs = new ArrayList<>();
				long gone = 0;
				for (int j = Range.FIRST_JOB; j < range.size(); j++) {
					FinishedJob job = job((List<?>) range.get(j));
					if (job.readable()) {
						jobs.add(job);
					}
					else {
						gone++;
					}
				}
				long read = range.size() - Range.FIRST_JOB;
				finished.add(new FinishedJobs(queue, outcome, jobs, Math.max(0, found - read),
						gone + from.removedBefore(to, found)));
				moved.put(key, to);
			}
		}
	}

	private static FinishedJob job(List<?> row) {
		return new FinishedJob(String.valueOf(asString(JobField.ID.of(row))), asNumber(JobField.TIMESTAMP.of(row)),
				asNumber(JobField.PROCESSED_ON.of(row)), asNumber(JobField.FINISHED_ON.of(row)),
				asNumber(JobField.ATTEMPTS_STARTED.of(row)), asNumber(JobField.ORIGINAL_DELAY.of(row)),
				asLong(JobField.PARENT.of(row)) > 0);
	}

	private static long asLong(@Nullable Object value) {
		return (value instanceof Number number) ? number.longValue() : 0;
	}

	/**
	 * A number as Redis or the script returns it: an integer reply, or a hash field's
	 * decimal text, which may have a fraction when a client wrote one. Anything else is
	 * unknown.
	 */
	static @Nullable Long asNumber(@Nullable Object value) {
		if (value instanceof Number number) {
			return number.longValue();
		}
		String text = asString(value);
		if (text == null) {
			return null;
		}
		try {
			return Long.parseLong(text);
		}
		catch (NumberFormatException ex) {
			try {
				double number = Double.parseDouble(text);
				return Double.isFinite(number) ? (long) number : null;
			}
			catch (NumberFormatException notANumber) {
				return null;
			}
		}
	}

	private static @Nullable String asString(@Nullable Object value) {
		if (value instanceof byte[] bytes) {
			return new String(bytes, StandardCharsets.UTF_8);
		}
		return (value != null) ? value.toString() : null;
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	/**
	 * The fields of the reply for one queue and outcome, in order, before its jobs: the
	 * one place that knows their positions.
	 */
	enum Range {

		/** {@code ZCOUNT} of the jobs that finished in the range read. */
		FOUND,

		/** {@code HGET metrics:<outcome> count}: BullMQ's lifetime count, or nil. */
		FINISHED_TOTAL,

		/** {@code ZCOUNT} of the jobs that finished after the range read. */
		LATER;

		/** The position of the first job. */
		static final int FIRST_JOB = values().length;

		@Nullable Object of(List<?> range) {
			return range.get(ordinal());
		}

	}

	/**
	 * The fields of one job in the reply, in order: the one place that knows their
	 * positions.
	 */
	enum JobField {

		/** The job id. */
		ID,

		/** {@code timestamp}. */
		TIMESTAMP,

		/** {@code processedOn}. */
		PROCESSED_ON,

		/** {@code finishedOn}. */
		FINISHED_ON,

		/** {@code ats}. */
		ATTEMPTS_STARTED,

		/** The {@code delay} of {@code opts}, for a first attempt. */
		ORIGINAL_DELAY,

		/** How many of the keys that only a flow's parent has exist. */
		PARENT;

		@Nullable Object of(List<?> job) {
			return job.get(ordinal());
		}

	}

}
