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

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.github.bullmqmetrics.reader.FinishedJobCursors.Key;
import io.github.bullmqmetrics.reader.FinishedJobsScript.PageRequest;

/**
 * One round of a read of finished jobs: the next page of every queue and outcome that
 * still has jobs to read, packed into script calls of at most a page of jobs in all.
 * <p>
 * A queue and outcome gets at most one page a round, since a page starts where the
 * previous one stopped; the two outcomes of a queue are independent and may go to two
 * calls of one round. The first page is small ({@code firstPage} jobs), so that the many
 * queues with few finished jobs share calls; from then on the read knows how many jobs
 * are left, and a page is as large as a call allows.
 *
 * @param batches the calls of the round, each the queues it reads and what it reads of
 * each queue and outcome
 * @author bullmq-metrics authors
 */
record FinishedJobsRound(List<Batch> batches) {

	/**
	 * Plan a round.
	 * @param groups the queues, in groups that may share a call (one hash slot each)
	 * @param ranges the read of each queue and outcome; a queue without any is not read
	 * @param jobsPerCall the most jobs one call reads
	 * @param firstPage the most jobs a first page reads
	 * @param maxQueuesPerCall the most queues one call reads
	 * @return the round, without batches when every read ended
	 */
	static FinishedJobsRound plan(List<List<String>> groups, Map<Key, FinishedJobsRange> ranges, int jobsPerCall,
			int firstPage, int maxQueuesPerCall) {
		List<Batch> batches = new ArrayList<>();
		for (List<String> group : groups) {
			List<String> queues = new ArrayList<>();
			Map<Key, PageRequest> pages = new HashMap<>();
			int jobs = 0;
			for (String queue : group) {
				for (JobOutcome outcome : JobOutcome.values()) {
					Key key = new Key(queue, outcome);
					FinishedJobsRange range = ranges.get(key);
					int page = (range != null) ? pageOf(range, jobsPerCall, firstPage) : 0;
					if (range == null || page == 0) {
						continue;
					}
					boolean listed = !queues.isEmpty() && queues.get(queues.size() - 1).equals(queue);
					// The other outcome of a busy queue may go to a call of its own.
					if (jobs + page > jobsPerCall || (!listed && queues.size() == maxQueuesPerCall)) {
						batches.add(new Batch(queues, pages));
						queues = new ArrayList<>();
						pages = new HashMap<>();
						jobs = 0;
						listed = false;
					}
					if (!listed) {
						queues.add(queue);
					}
					pages.put(key, range.next(page));
					jobs += page;
				}
			}
			if (!queues.isEmpty()) {
				batches.add(new Batch(queues, pages));
			}
		}
		return new FinishedJobsRound(batches);
	}

	private static int pageOf(FinishedJobsRange range, int jobsPerCall, int firstPage) {
		return Math.min(range.wanted(), range.firstPage() ? firstPage : jobsPerCall);
	}

	/**
	 * Return whether the round has no call: every read ended.
	 * @return whether it is empty
	 */
	boolean isEmpty() {
		return this.batches.isEmpty();
	}

	/**
	 * The queues of one call and what it reads of each.
	 *
	 * @param queues the queues, in the order of their keys
	 * @param pages the page of each queue and outcome; {@link PageRequest#NONE} for one
	 * whose read ended
	 */
	record Batch(List<String> queues, Map<Key, PageRequest> pages) {

		Batch {
			queues = List.copyOf(queues);
			pages = Map.copyOf(pages);
		}

		PageRequest page(Key key) {
			PageRequest page = this.pages.get(key);
			return (page != null) ? page : PageRequest.NONE;
		}

	}

}
