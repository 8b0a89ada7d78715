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
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * The client names by which the workers of some queues show in {@code CLIENT LIST}, and
 * the counting of them in one node's list, as BullMQ 5 and 6 do.
 * <p>
 * A Worker names its blocking connection {@code <prefix>:<base64(queue)>}, or
 * {@code <prefix>:<base64(queue)>:w:<name>} when it has a name; the prefix is used as it
 * is, hash tag and all, and the queue name is Base64-encoded from UTF-8. A client counts
 * for a queue when its name is the first form exactly or starts with the second form up
 * to and including {@code :w:}. Anything else, such as a QueueEvents connection
 * ({@code <prefix>:<base64(queue)>:qe}), does not count. There is one such connection per
 * Worker, whatever its concurrency.
 *
 * @author bullmq-metrics authors
 */
final class WorkerClientNames {

	private static final String NAMED_WORKER = ":w:";

	private static final String NAME_FIELD = "name=";

	private final List<String> queues;

	private final Map<String, String> queueByClientName = new HashMap<>();

	/**
	 * Create the client names of the workers of some queues.
	 * @param keys the key layout, whose prefix starts every client name
	 * @param queues the queue names
	 */
	WorkerClientNames(BullMqKeys keys, List<String> queues) {
		this.queues = queues;
		for (String queue : queues) {
			this.queueByClientName.put(clientName(keys, queue), queue);
		}
	}

	/**
	 * Return the client name of an unnamed worker of a queue.
	 * @param keys the key layout
	 * @param queue the queue name
	 * @return for example {@code bull:bWFpbA==} for the queue {@code mail}
	 */
	static String clientName(BullMqKeys keys, String queue) {
		return keys.prefix() + ":" + Base64.getEncoder().encodeToString(queue.getBytes(StandardCharsets.UTF_8));
	}

	/**
	 * Count the workers of each queue in the reply of {@code CLIENT LIST} from one Redis
	 * node.
	 * @param clientList the reply: one client per line, {@code key=value} fields
	 * separated by spaces
	 * @return the number of workers per queue name, in the order of the queues, 0 for a
	 * queue with none
	 */
	Map<String, Long> count(String clientList) {
		Map<String, Long> counts = new LinkedHashMap<>();
		this.queues.forEach((queue) -> counts.put(queue, 0L));
		for (String line : clientList.split("\r?\n")) {
			String name = name(line);
			if (name == null || name.isEmpty()) {
				continue;
			}
			countFor(name, counts);
			// Each ':w:' may end a worker's client name: the worker's own name, and the
			// prefix, may hold ':w:' too.
			for (int at = name.indexOf(NAMED_WORKER); at >= 0; at = name.indexOf(NAMED_WORKER, at + 1)) {
				countFor(name.substring(0, at), counts);
			}
		}
		return counts;
	}

	private void countFor(String clientName, Map<String, Long> counts) {
		String queue = this.queueByClientName.get(clientName);
		if (queue != null) {
			counts.merge(queue, 1L, Long::sum);
		}
	}

	/**
	 * Return the {@code name} field of one client. Redis refuses client names with
	 * spaces, so splitting at spaces is safe.
	 */
	private static @Nullable String name(String line) {
		String name = null;
		for (String field : line.split(" ")) {
			if (field.startsWith(NAME_FIELD)) {
				name = field.substring(NAME_FIELD.length());
			}
		}
		return name;
	}

}
