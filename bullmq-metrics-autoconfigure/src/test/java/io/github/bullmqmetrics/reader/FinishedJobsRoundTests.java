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

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import io.github.bullmqmetrics.reader.FinishedJobCursors.Key;
import io.github.bullmqmetrics.reader.FinishedJobCursors.Position;
import io.github.bullmqmetrics.reader.FinishedJobsRound.Batch;
import io.github.bullmqmetrics.reader.FinishedJobsScript.Anchor;
import io.github.bullmqmetrics.reader.FinishedJobsScript.Page;
import io.github.bullmqmetrics.reader.FinishedJobsScript.PageRequest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link FinishedJobsRound}: how the pages of one round are packed into calls.
 *
 * @author bullmq-metrics authors
 */
class FinishedJobsRoundTests {

	private static final int PAGE = 128;

	@Test
	void theFirstRoundReadsASmallPageOfEveryQueueWithEightQueuesToACall() {
		List<String> queues = IntStream.range(0, 20).mapToObj((i) -> "q" + i).toList();
		Map<Key, FinishedJobsRange> ranges = ranges(queues, 1000);
		FinishedJobsRound round = FinishedJobsRound.plan(List.of(queues), ranges, PAGE, 8, 100);
		assertThat(round.batches()).extracting((batch) -> batch.queues().size()).containsExactly(8, 8, 4);
		assertThat(round.batches()).allSatisfy((batch) -> assertThat(jobs(batch)).isLessThanOrEqualTo(PAGE));
		assertThat(round.batches().get(0).page(new Key("q0", JobOutcome.FAILED)).most()).isEqualTo(8);
	}

	@Test
	void laterRoundsGiveEachBusyOutcomeAFullCallAndLeaveFinishedReadsOut() {
		List<String> queues = List.of("busy", "done");
		Map<Key, FinishedJobsRange> ranges = ranges(queues, 1000);
		FinishedJobsRound first = FinishedJobsRound.plan(List.of(queues), ranges, PAGE, 8, 100);
		Batch batch = first.batches().get(0);
		take(ranges, batch, "busy", JobOutcome.COMPLETED, 500);
		take(ranges, batch, "busy", JobOutcome.FAILED, 500);
		take(ranges, batch, "done", JobOutcome.COMPLETED, 0);
		take(ranges, batch, "done", JobOutcome.FAILED, 0);
		FinishedJobsRound second = FinishedJobsRound.plan(List.of(queues), ranges, PAGE, 8, 100);
		assertThat(second.batches()).hasSize(2);
		assertThat(second.batches()).allSatisfy((call) -> {
			assertThat(call.queues()).containsExactly("busy");
			assertThat(jobs(call)).isEqualTo(PAGE);
		});
		PageRequest next = second.batches().get(0).page(new Key("busy", JobOutcome.COMPLETED));
		assertThat(next.anchorId()).isEqualTo("busy-completed-8");
		assertThat(next.anchorScore()).isEqualTo("1000");
	}

	@Test
	void noRoundIsLeftOnceEveryReadEnded() {
		List<String> queues = List.of("a");
		Map<Key, FinishedJobsRange> ranges = ranges(queues, 1000);
		Batch batch = FinishedJobsRound.plan(List.of(queues), ranges, PAGE, 8, 100).batches().get(0);
		take(ranges, batch, "a", JobOutcome.COMPLETED, 0);
		take(ranges, batch, "a", JobOutcome.FAILED, 0);
		assertThat(FinishedJobsRound.plan(List.of(queues), ranges, PAGE, 8, 100).isEmpty()).isTrue();
	}

	private static Map<Key, FinishedJobsRange> ranges(List<String> queues, int maxJobs) {
		Map<Key, FinishedJobsRange> ranges = new LinkedHashMap<>();
		for (String queue : queues) {
			for (JobOutcome outcome : JobOutcome.values()) {
				ranges.put(new Key(queue, outcome),
						new FinishedJobsRange(queue, outcome, new Position(0, null), maxJobs));
			}
		}
		return ranges;
	}

	/** A page that read as many jobs as asked, all in the same millisecond. */
	private static void take(Map<Key, FinishedJobsRange> ranges, Batch batch, String queue, JobOutcome outcome,
			long left) {
		Key key = new Key(queue, outcome);
		PageRequest request = batch.page(key);
		List<FinishedJob> jobs = IntStream.range(0, (left > 0) ? request.most() : 0)
			.mapToObj((i) -> new FinishedJob(queue + "-" + outcome.value() + "-" + (i + 1), 900L, 950L, 1000L, 1L, 0L,
					false))
			.toList();
		Anchor last = jobs.isEmpty() ? null : new Anchor("1000", jobs.get(jobs.size() - 1).id());
		ranges.get(key).take(new Page(jobs.size() + left, null, 0, left, last, 0, false, jobs), request);
	}

	private static int jobs(Batch batch) {
		return batch.pages().values().stream().mapToInt(PageRequest::most).sum();
	}

}
