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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

import io.github.bullmqmetrics.reader.FinishedJobCursors.Key;

/**
 * The read-only Lua script that reads one page of the jobs of several queues that
 * finished in a time range, with the knowledge to build its keys and arguments and to
 * decode its reply into a {@link Page} per queue and outcome.
 *
 * @author bullmq-metrics authors
 */
final class FinishedJobsScript {

	/** The keys the script takes per queue, in order. */
	private static final String[] SUFFIXES = { JobOutcome.COMPLETED.keySuffix(), JobOutcome.FAILED.keySuffix(),
			JobOutcome.COMPLETED.metricsKeySuffix(), JobOutcome.FAILED.metricsKeySuffix() };

	private final LuaScript script = LuaScript.load("finished-jobs.lua");

	LuaScript script() {
		return this.script;
	}

	byte[][] keys(BullMqKeys keys, List<String> queues) {
		return keys.rawKeys(queues, SUFFIXES);
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
	 * How many bytes of {@code opts} JSON a page takes in per job it may read, on
	 * average: BullMQ's options are usually a few hundred bytes, and scanning them is
	 * most of a job's cost inside Redis.
	 */
	static final long OPTS_BYTES_PER_JOB = 1024;

	/**
	 * Return the arguments of one call.
	 * @param keys the key layout
	 * @param readUpTo the newest {@code finishedOn} to read
	 * @param queues the queues, in the order of their keys
	 * @param pages what to read of each queue and outcome
	 * @return the arguments
	 */
	byte[][] args(BullMqKeys keys, long readUpTo, List<String> queues, Function<Key, PageRequest> pages) {
		List<byte[]> args = new ArrayList<>();
		args.add(bytes(Long.toString(readUpTo)));
		for (String queue : queues) {
			args.add(bytes(keys.key(queue, "")));
			for (JobOutcome outcome : JobOutcome.values()) {
				PageRequest page = pages.apply(new Key(queue, outcome));
				args.add(bytes(Long.toString(page.from())));
				args.add(bytes(page.anchorScore()));
				args.add(bytes(page.anchorId()));
				args.add(bytes(Integer.toString(page.most())));
				args.add(bytes(Long.toString(page.optsBudget())));
				args.add(bytes(page.firstJobFree() ? "1" : "0"));
			}
		}
		return args.toArray(byte[][]::new);
	}

	/**
	 * Decode the script's reply for a batch of queues.
	 * @param queues the queues, in the order their keys were passed
	 * @param reply the script's reply
	 * @param pages receives the page of each queue and outcome that was asked for and
	 * could be read
	 * @param failures receives the reason for each queue that could not be read
	 */
	void decode(List<String> queues, List<?> reply, Map<Key, Page> pages, Map<String, String> failures) {
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
				List<?> page = (List<?>) row.get(column++);
				if (!page.isEmpty()) {
					pages.put(new Key(queue, outcome), page(page));
				}
			}
		}
	}

	private static Page page(List<?> page) {
		List<FinishedJob> jobs = new ArrayList<>();
		for (int j = PageField.FIRST_JOB; j < page.size(); j++) {
			jobs.add(job((List<?>) page.get(j)));
		}
		String lastScore = asString(PageField.LAST_SCORE.of(page));
		String lastId = asString(PageField.LAST_ID.of(page));
		return new Page(asLong(PageField.FOUND.of(page)), asNumber(PageField.FINISHED_TOTAL.of(page)),
				asLong(PageField.LATER.of(page)), asLong(PageField.LEFT.of(page)),
				(lastScore != null && lastId != null) ? new Anchor(lastScore, lastId) : null,
				asLong(PageField.OPTS_BYTES.of(page)), asLong(PageField.CUT.of(page)) == 1, jobs);
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
	 * The fields of the reply for one page of a queue and outcome, in order, before its
	 * jobs: the one place that knows their positions.
	 */
	enum PageField {

		/**
		 * {@code ZCOUNT} of the jobs that finished in the range read; on the first page
		 * only.
		 */
		FOUND,

		/**
		 * {@code HGET metrics:<outcome> count}: BullMQ's lifetime count, or nil; on the
		 * first page only.
		 */
		FINISHED_TOTAL,

		/**
		 * {@code ZCOUNT} of the jobs that finished after the range read; on the first
		 * page only.
		 */
		LATER,

		/** How many jobs of the range are left below the page's last job. */
		LEFT,

		/** The score of the page's last job, or nil when it read none. */
		LAST_SCORE,

		/** The id of the page's last job, or nil when it read none. */
		LAST_ID,

		/** How many bytes of {@code opts} the page read. */
		OPTS_BYTES,

		/** 1 when the budget of {@code opts} bytes ended the page early. */
		CUT;

		/** The position of the first job. */
		static final int FIRST_JOB = values().length;

		@Nullable Object of(List<?> page) {
			return page.get(ordinal());
		}

	}

	/**
	 * What to read of one queue and outcome in one call.
	 *
	 * @param from every job that finished at or before this time (ms) is not read
	 * @param anchorScore the score of the previous page's last job, empty for the first
	 * page
	 * @param anchorId the id of the previous page's last job, empty for the first page
	 * @param most the most jobs to read, 0 for none
	 * @param optsBudget the most bytes of {@code opts} to read
	 * @param firstJobFree whether the first job is read even when its {@code opts} alone
	 * exceed the budget
	 */
	record PageRequest(long from, String anchorScore, String anchorId, int most, long optsBudget,
			boolean firstJobFree) {

		/** Read nothing of this queue and outcome. */
		static final PageRequest NONE = new PageRequest(0, "", "", 0, 0, false);

	}

	/**
	 * Where a page stopped: the last job it read, which the next page starts below.
	 *
	 * @param score its score, as Redis wrote it
	 * @param id its id
	 */
	record Anchor(String score, String id) {

	}

	/**
	 * One page of one queue and outcome.
	 *
	 * @param found how many jobs the range held, on the first page
	 * @param finishedTotal BullMQ's lifetime count, on the first page, or {@code null}
	 * @param later how many jobs finished after the range, on the first page
	 * @param left how many jobs of the range are left below the page
	 * @param last the page's last job, or {@code null} when it read none
	 * @param optsBytes how many bytes of {@code opts} the page read
	 * @param cut whether the budget of {@code opts} bytes ended the page early
	 * @param jobs the jobs read, newest first, those whose hash was gone included
	 */
	record Page(long found, @Nullable Long finishedTotal, long later, long left, @Nullable Anchor last, long optsBytes,
			boolean cut, List<FinishedJob> jobs) {

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
