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
 * Reads the state of BullMQ queues from Redis. Implementations never write to Redis.
 *
 * @author bullmq-metrics authors
 */
@FunctionalInterface
public interface BullMqReader {

	/**
	 * Read the given queues. Each queue is read atomically, so a job moving between
	 * states during the read is counted exactly once.
	 * @param queues the queue names
	 * @return the snapshot; a queue whose data cannot be read is listed in
	 * {@link BullMqSnapshot#failures()} instead of failing the whole read
	 * @throws BullMqReadException if Redis cannot be read at all
	 */
	BullMqSnapshot read(List<String> queues);

}
