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

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import io.github.bullmqmetrics.test.BullMq;
import io.github.bullmqmetrics.test.BullMq.QueueSpec;
import io.github.bullmqmetrics.test.BullMq.Version;
import io.github.bullmqmetrics.test.RedisServer;
import io.github.bullmqmetrics.test.RedisServerExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link LettuceBullMqReader} on a Redis without {@code EVAL_RO}, as every
 * Redis before 7.0 is: a real Redis whose {@code EVAL_RO} is renamed away, holding data
 * written by real BullMQ 5 and 6. Every other test Redis has {@code EVAL_RO}, so only
 * these tests reach the fallback to {@code EVAL}.
 *
 * @author bullmq-metrics authors
 */
class LettuceBullMqReaderWithoutEvalRoTests {

	@RegisterExtension
	static final RedisServerExtension redisServer = RedisServerExtension.start("--rename-command", "EVAL_RO", "");

	@RegisterExtension
	final ConnectionFactories factories = new ConnectionFactories();

	private final RedisServer redis = redisServer.server();

	@ParameterizedTest
	@EnumSource(Version.class)
	void readsThroughEvalAndCountsEveryStateAsBullMqDoes(Version version) {
		String queue = "no-eval-ro-" + version;
		Map<String, Long> expected = BullMq.seed(redis.url(), version, "bull", List.of(QueueSpec.everyState(queue)))
			.get(queue);
		Map<String, Long> before = this.redis.commandCalls();
		BullMqSnapshot snapshot = reader(factory()).read(List.of(queue));
		Map<String, Long> calls = LettuceBullMqReaderTests.difference(before, this.redis.commandCalls());
		assertThat(snapshot.failures()).isEmpty();
		assertThat(LettuceBullMqReaderTests.byStateName(snapshot.queues().get(queue))).isEqualTo(expected);
		assertThat(calls).containsEntry("eval", 1L).doesNotContainKey("eval_ro");
	}

	@Test
	void triesEvalRoOnceAndThenGoesStraightToEval() {
		String queue = "remembered";
		Map<String, Long> expected = BullMq.seed(redis.url(), Version.V6, "bull", List.of(QueueSpec.everyState(queue)))
			.get(queue);
		LettuceConnectionFactory factory = factory();
		// Connect first: the client's own handshake may draw error replies too.
		try (RedisConnection connection = factory.getConnection()) {
			connection.ping();
		}
		LettuceBullMqReader reader = reader(factory);
		long errors = errorReplies();
		long evals = evalCalls();
		assertThat(countsOf(reader.read(List.of(queue)))).isEqualTo(expected);
		assertThat(errorReplies() - errors).as("error replies of the first read (the refused EVAL_RO)").isEqualTo(1);
		assertThat(evalCalls() - evals).as("EVAL calls of the first read").isEqualTo(1);
		for (int read = 2; read <= 4; read++) {
			errors = errorReplies();
			evals = evalCalls();
			assertThat(countsOf(reader.read(List.of(queue)))).isEqualTo(expected);
			assertThat(errorReplies() - errors).as("error replies of read %d", read).isZero();
			assertThat(evalCalls() - evals).as("EVAL calls of read %d", read).isEqualTo(1);
		}
		assertThat(this.redis.commandCalls()).doesNotContainKey("eval_ro");
	}

	@Test
	void readsMoreQueuesThanOneScriptCallTakesOnItsFirstRead() {
		List<String> queues = IntStream.range(0, 2 * LettuceBullMqReader.QUEUES_PER_CALL + 1)
			.mapToObj((i) -> "many-" + i)
			.toList();
		// Every batch of the first read goes out as EVAL_RO before the first refusal
		// comes back: each one is sent again with EVAL.
		BullMqSnapshot snapshot = reader(factory()).read(queues);
		assertThat(snapshot.failures()).isEmpty();
		assertThat(snapshot.queues().keySet()).containsExactlyElementsOf(queues);
		assertThat(evalCalls()).isEqualTo(3);
	}

	private static Map<String, Long> countsOf(BullMqSnapshot snapshot) {
		assertThat(snapshot.failures()).isEmpty();
		return LettuceBullMqReaderTests.byStateName(snapshot.queues().values().iterator().next());
	}

	private long evalCalls() {
		return this.redis.commandCalls().getOrDefault("eval", 0L);
	}

	private long errorReplies() {
		return this.redis.commands()
			.info("stats")
			.lines()
			.filter((line) -> line.startsWith("total_error_replies:"))
			.map((line) -> Long.parseLong(line.substring(line.indexOf(':') + 1).strip()))
			.findFirst()
			.orElseThrow(() -> new IllegalStateException("INFO stats has no total_error_replies"));
	}

	private LettuceBullMqReader reader(LettuceConnectionFactory factory) {
		return new LettuceBullMqReader(factory, new BullMqKeys("bull"), Duration.ofSeconds(5));
	}

	private LettuceConnectionFactory factory() {
		return this.factories.create(this.redis);
	}

}
