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

import java.util.List;

/**
 * The jobs of one queue that finished one way since the previous read, as one read found
 * them.
 *
 * @param queue the queue name
 * @param outcome how the jobs finished
 * @param jobs the jobs read, each seen by no other read of the same
 * {@link FinishedJobCursors cursors}
 * @param missedOverLimit jobs that finished in the range read but were left unread
 * because there were more than the most one read takes
 * @param missedRemoved jobs known to have finished that could not be read: their hash was
 * gone, or they had left the sorted set (removed by {@code removeOnComplete} or
 * {@code removeOnFail}, {@code remove()}, {@code clean()}, retried) before they were
 * read. Those that left the set are known in full only when workers keep BullMQ's
 * {@code metrics} counts (see {@link FinishedJobCursors})
 * @author bullmq-metrics authors
 */
public record FinishedJobs(String queue, JobOutcome outcome, List<FinishedJob> jobs, long missedOverLimit,
		long missedRemoved) {

	/**
	 * Create the jobs of one read.
	 * @param queue the queue name
	 * @param outcome how the jobs finished
	 * @param jobs the jobs read
	 * @param missedOverLimit jobs left unread over the limit
	 * @param missedRemoved jobs that could not be read
	 */
	public FinishedJobs {
		jobs = List.copyOf(jobs);
	}

}
