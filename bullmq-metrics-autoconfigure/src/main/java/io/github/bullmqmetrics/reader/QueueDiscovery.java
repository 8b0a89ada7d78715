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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import io.lettuce.core.KeyScanArgs;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanCursor;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Finds the BullMQ queues under a key prefix by scanning Redis ({@code SCAN}, never
 * {@code KEYS}; on a cluster, every master).
 * <p>
 * A queue is recognised by its {@code <prefix>:<queue>:meta} hash, which BullMQ's
 * {@code Queue} writes when it is created, or by its {@code <prefix>:<queue>:id} string
 * for data too old to have {@code meta}. A name that contains {@code :} is not a queue
 * (BullMQ 5 and 6 refuse such names), which also keeps out the keys of another prefix
 * that starts with this one, such as {@code bull:other}, and keys of jobs and schedulers
 * such as {@code <prefix>:<queue>:repeat:<id>:<ms>}.
 *
 * @author bullmq-metrics authors
 */
public class QueueDiscovery {

	/** How many keys one {@code SCAN} call looks at. */
	static final long SCAN_COUNT = 1000;

	private final RedisTarget redis;

	private final BullMqKeys keys;

	private final Predicate<String> filter;

	private final int maxQueues;

	private final Duration timeout;

	/**
	 * Create a discovery.
	 * @param connectionFactory the connection factory of the Redis that BullMQ uses
	 * @param keys the key layout
	 * @param include glob patterns ({@code *}, {@code ?}) of the queue names to keep; all
	 * when empty
	 * @param exclude glob patterns of the queue names to leave out
	 * @param maxQueues the most queues to return
	 * @param timeout the longest one discovery may take
	 */
	public QueueDiscovery(LettuceConnectionFactory connectionFactory, BullMqKeys keys, List<String> include,
			List<String> exclude, int maxQueues, Duration timeout) {
		this(RedisTarget.of(connectionFactory), keys, include, exclude, maxQueues, timeout);
	}

	/**
	 * Create a discovery.
	 * @param redis the Redis that BullMQ uses
	 * @param keys the key layout
	 * @param include glob patterns ({@code *}, {@code ?}) of the queue names to keep; all
	 * when empty
	 * @param exclude glob patterns of the queue names to leave out
	 * @param maxQueues the most queues to return
	 * @param timeout the longest one discovery may take
	 */
	public QueueDiscovery(RedisTarget redis, BullMqKeys keys, List<String> include, List<String> exclude, int maxQueues,
			Duration timeout) {
		this.redis = redis;
		this.keys = keys;
		this.filter = filter(include, exclude);
		this.maxQueues = maxQueues;
		this.timeout = timeout;
	}

	/**
	 * Scan Redis for queues.
	 * @return the queues found
	 * @throws BullMqReadException if Redis cannot be read
	 */
	public Result discover() {
		TreeSet<String> found = new TreeSet<>();
		LettuceSession.run(this.redis, this.timeout, (session) -> {
			scan(session, "meta", "hash", found);
			scan(session, "id", "string", found);
			return found;
		});
		List<String> kept = found.stream().limit(this.maxQueues).toList();
		return new Result(kept, found.size());
	}

	private void scan(LettuceSession session, String suffix, String type, TreeSet<String> found) {
		String head = this.keys.prefix() + ":";
		String tail = ":" + suffix;
		KeyScanArgs args = KeyScanArgs.Builder.matches(escapeGlob(head) + "*" + tail).type(type).limit(SCAN_COUNT);
		ScanCursor cursor = ScanCursor.INITIAL;
		do {
			KeyScanCursor<byte[]> page = session.await(session.commands().scan(cursor, args));
			for (byte[] rawKey : page.getKeys()) {
				String key = new String(rawKey, StandardCharsets.UTF_8);
				String name = key.substring(head.length(), key.length() - tail.length());
				if (!name.isEmpty() && !name.contains(":") && this.filter.test(name)) {
					found.add(name);
				}
			}
			cursor = page;
		}
		while (!cursor.isFinished());
	}

	static String escapeGlob(String text) {
		StringBuilder escaped = new StringBuilder();
		for (char c : text.toCharArray()) {
			if ("*?[]\\^".indexOf(c) >= 0) {
				escaped.append('\\');
			}
			escaped.append(c);
		}
		return escaped.toString();
	}

	static Predicate<String> filter(List<String> include, List<String> exclude) {
		List<Pattern> included = include.stream().map(QueueDiscovery::globToRegex).toList();
		List<Pattern> excluded = exclude.stream().map(QueueDiscovery::globToRegex).toList();
		return (name) -> (included.isEmpty() || included.stream().anyMatch((p) -> p.matcher(name).matches()))
				&& excluded.stream().noneMatch((p) -> p.matcher(name).matches());
	}

	static Pattern globToRegex(String glob) {
		List<String> parts = new ArrayList<>();
		StringBuilder literal = new StringBuilder();
		for (char c : glob.toCharArray()) {
			if (c == '*' || c == '?') {
				parts.add(Pattern.quote(literal.toString()));
				literal.setLength(0);
				parts.add((c == '*') ? ".*" : ".");
			}
			else {
				literal.append(c);
			}
		}
		parts.add(Pattern.quote(literal.toString()));
		return Pattern.compile(String.join("", parts), Pattern.DOTALL);
	}

	/**
	 * What one discovery found.
	 *
	 * @param queues the queues kept, sorted by name, at most the maximum
	 * @param found how many queues matched before the maximum was applied
	 */
	public record Result(List<String> queues, int found) {

		/**
		 * Whether queues were left out because there were more than the maximum.
		 * @return {@code true} if some were left out
		 */
		public boolean capped() {
			return this.found > this.queues.size();
		}

	}

}
