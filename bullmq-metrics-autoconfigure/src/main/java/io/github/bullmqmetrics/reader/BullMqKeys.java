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
import java.util.List;

/**
 * The Redis key layout of BullMQ: {@code <prefix>:<queue>:<suffix>}.
 *
 * @author bullmq-metrics authors
 */
public final class BullMqKeys {

	/** The prefix BullMQ uses when none is configured. */
	public static final String DEFAULT_PREFIX = "bull";

	private final String prefix;

	/**
	 * Create the key layout for a prefix.
	 * @param prefix the key prefix, for example {@code bull} or {@code {bull}}
	 */
	public BullMqKeys(String prefix) {
		if (prefix == null || prefix.isBlank()) {
			throw new IllegalArgumentException("The BullMQ key prefix must not be blank");
		}
		this.prefix = prefix;
	}

	/**
	 * Return the key prefix.
	 * @return the prefix
	 */
	public String prefix() {
		return this.prefix;
	}

	/**
	 * Return the key of one of a queue's structures.
	 * @param queue the queue name
	 * @param suffix the key suffix, for example {@code wait} or {@code metrics:completed}
	 * @return the key
	 */
	public String key(String queue, String suffix) {
		return this.prefix + ":" + queue + ":" + suffix;
	}

	byte[] rawKey(String queue, String suffix) {
		return key(queue, suffix).getBytes(StandardCharsets.UTF_8);
	}

	/**
	 * Return the keys of several queues: for each queue in turn, one key per suffix.
	 * @param queues the queue names
	 * @param suffixes the key suffixes
	 * @return the keys, as a script takes them
	 */
	byte[][] rawKeys(List<String> queues, String[] suffixes) {
		byte[][] result = new byte[queues.size() * suffixes.length][];
		int i = 0;
		for (String queue : queues) {
			for (String suffix : suffixes) {
				result[i++] = rawKey(queue, suffix);
			}
		}
		return result;
	}

}
