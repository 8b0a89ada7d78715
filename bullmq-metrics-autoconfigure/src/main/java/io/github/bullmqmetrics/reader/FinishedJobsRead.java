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
import java.util.List;
import java.util.Map;

/**
 * What one read of finished jobs found: for every queue that could be read, its completed
 * and its failed jobs since the previous read.
 *
 * @param readUpTo the newest {@code finishedOn} the read took in
 * @param finished per queue that could be read, its completed and failed jobs, in the
 * order of the queues
 * @param failures per queue that could not be read, why
 * @author bullmq-metrics authors
 */
public record FinishedJobsRead(Instant readUpTo, List<FinishedJobs> finished, Map<String, String> failures) {

	/**
	 * Create a read.
	 * @param readUpTo the newest {@code finishedOn} the read took in
	 * @param finished the jobs found
	 * @param failures the queues that could not be read
	 */
	public FinishedJobsRead {
		finished = List.copyOf(finished);
		failures = Map.copyOf(failures);
	}

}
