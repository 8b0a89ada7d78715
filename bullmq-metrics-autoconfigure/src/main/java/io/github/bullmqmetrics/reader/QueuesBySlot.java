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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

import io.lettuce.core.cluster.SlotHash;

/**
 * Splits queues into the batches that one script call may read together. On a standalone
 * or Sentinel-managed Redis any queues may share a call. On a cluster a call may only
 * touch keys of one hash slot, so a batch holds only queues whose keys all share one slot
 * (BullMQ needs a hash tag such as {@code {bull}} for that); the queues whose keys spread
 * over several slots are set apart.
 *
 * @param batches the batches, each of at most the given size, in slot order on a cluster
 * @param spread the queues whose keys spread over several cluster slots
 * @author bullmq-metrics authors
 */
record QueuesBySlot(List<List<String>> batches, List<String> spread) {

	/**
	 * Plan the batches of a read.
	 * @param queues the queues to read
	 * @param perBatch the most queues in one batch
	 * @param cluster whether Redis is a cluster
	 * @param keys the keys a read of one queue touches
	 * @return the batches
	 */
	static QueuesBySlot plan(List<String> queues, int perBatch, boolean cluster, Function<String, byte[][]> keys) {
		if (!cluster) {
			return new QueuesBySlot(QueueCountsScript.batches(queues, perBatch), List.of());
		}
		Map<Integer, List<String>> bySlot = new TreeMap<>();
		List<String> spread = new ArrayList<>();
		for (String queue : queues) {
			Set<Integer> slots = new HashSet<>();
			for (byte[] key : keys.apply(queue)) {
				slots.add(SlotHash.getSlot(key));
			}
			if (slots.size() == 1) {
				bySlot.computeIfAbsent(slots.iterator().next(), (slot) -> new ArrayList<>()).add(queue);
			}
			else {
				spread.add(queue);
			}
		}
		List<List<String>> batches = new ArrayList<>();
		bySlot.values().forEach((slotQueues) -> batches.addAll(QueueCountsScript.batches(slotQueues, perBatch)));
		return new QueuesBySlot(batches, spread);
	}

}
