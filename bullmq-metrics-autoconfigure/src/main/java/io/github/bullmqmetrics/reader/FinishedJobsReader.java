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
 * Reads the jobs of BullMQ queues that finished since the previous read. Implementations
 * never write to Redis.
 *
 * @author bullmq-metrics authors
 */
@FunctionalInterface
public interface FinishedJobsReader {

	/**
	 * Read the jobs that finished since the previous successful read of each queue. A
	 * read that fails, whole or for one queue, leaves the next read to take in what it
	 * would have.
	 * @param queues the queue names
	 * @return what the read found; a queue whose data cannot be read is listed in
	 * {@link FinishedJobsRead#failures()}
	 * @throws BullMqReadException if Redis cannot be read at all
	 */
	FinishedJobsRead read(List<String> queues);

}
