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

import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import io.github.bullmqmetrics.test.BullMq;
import io.github.bullmqmetrics.test.BullMq.ClientCounts;
import io.github.bullmqmetrics.test.BullMq.Version;
import io.github.bullmqmetrics.test.BullMq.WorkerSpec;
import io.github.bullmqmetrics.test.BullMq.Workers;
import io.github.bullmqmetrics.test.RedisServer;
import io.github.bullmqmetrics.test.RedisServerExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link WorkerCountsRead} against a real Redis with real BullMQ 5 and 6
 * Workers and QueueEvents running, compared with BullMQ's own
 * {@code queue.getWorkersCount()}.
 *
 * @author bullmq-metrics authors
 */
class WorkerCountsReadTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(5);

	@RegisterExtension
	static final RedisServerExtension redisServer = RedisServerExtension.start();

	@RegisterExtension
	final ConnectionFactories factories = new ConnectionFactories();

	private final RedisServer redis = redisServer.server();

	@ParameterizedTest
	@EnumSource(Version.class)
	void countsTheWorkersOfEachQueueAsBullMqDoesAlsoAfterSomeClose(Version version) {
		// A prefix with a hash tag and a colon, and queue names that need Base64.
		String prefix = "w:{" + version + "}";
		List<String> queues = List.of("mail", "emoji 🚀 queue", "new\nline", "idle", "events-only");
		List<WorkerSpec> workers = List.of(WorkerSpec.unnamed("mail"), WorkerSpec.unnamed("mail"),
				WorkerSpec.named("mail", "sender"), WorkerSpec.named("mail", "x:w:y"),
				WorkerSpec.named("emoji 🚀 queue", "rocket"), WorkerSpec.unnamed("new\nline"));
		try (Workers running = BullMq.workers(redis.url(), version, prefix, queues, workers,
				List.of("mail", "events-only"))) {
			ClientCounts bullMq = running.counts();
			assertThat(bullMq.workers()).containsEntry("mail", 4L).containsEntry("idle", 0L);
			assertThat(bullMq.queueEvents()).containsEntry("mail", 1L).containsEntry("events-only", 1L);
			assertThat(read(prefix, queues)).isEqualTo(WorkerCounts.known(bullMq.workers()));

			ClientCounts afterClose = running.close(0, 3, 4);
			assertThat(afterClose.workers()).containsEntry("mail", 2L).containsEntry("emoji 🚀 queue", 0L);
			assertThat(read(prefix, queues)).isEqualTo(WorkerCounts.known(afterClose.workers()));
		}
		assertThat(read(prefix, queues).counts()).allSatisfy((queue, count) -> assertThat(count).isZero());
	}

	@Test
	void aQueueEventsIsNotAWorker() {
		try (Workers running = BullMq.workers(redis.url(), Version.V6, "qe", List.of("watched"), List.of(),
				List.of("watched", "watched"))) {
			assertThat(running.counts().queueEvents()).containsEntry("watched", 2L);
			assertThat(running.counts().workers()).containsEntry("watched", 0L);
			assertThat(read("qe", List.of("watched")).count("watched")).hasValue(0);
		}
	}

	@Test
	void workersOfAnotherPrefixDoNotCount() {
		try (Workers running = BullMq.workers(redis.url(), Version.V6, "other", List.of(),
				List.of(WorkerSpec.unnamed("mail"), WorkerSpec.named("mail", "n")), List.of())) {
			assertThat(running.counts().workers()).containsEntry("mail", 2L);
			assertThat(read("other", List.of("mail")).count("mail")).hasValue(2);
			assertThat(read("bull", List.of("mail")).count("mail")).hasValue(0);
		}
	}

	@Test
	void readsAllQueuesWithOneClientListWhateverTheirNumber() {
		List<String> queues = IntStream.range(0, 250).mapToObj((i) -> "many-" + i).toList();
		try (Workers running = BullMq.workers(redis.url(), Version.V6, "cost", queues,
				List.of(WorkerSpec.unnamed("many-7"), WorkerSpec.named("many-249", "last")), List.of())) {
			LettuceConnectionFactory factory = this.factories.create(this.redis);
			read(factory, "cost", queues);
			Map<String, Long> before = this.redis.commandCalls();
			WorkerCounts counts = read(factory, "cost", queues);
			Map<String, Long> calls = LettuceBullMqReaderTests.difference(before, this.redis.commandCalls());
			calls.remove("info");
			assertThat(calls).containsExactly(Map.entry("client|list", 1L));
			assertThat(counts).isEqualTo(WorkerCounts.known(running.counts().workers()));
		}
	}

	@Test
	void anAclUserWithoutClientListGetsUnknownCountsAndStillReadsTheJobCounts() {
		aclSetuser("no-client-list", "~bull:*", "+@read", "+eval_ro");
		try (Workers running = BullMq.workers(redis.url(), Version.V6, "bull", List.of(),
				List.of(WorkerSpec.unnamed("acl")), List.of())) {
			assertThat(running.counts().workers()).containsEntry("acl", 1L);
			LettuceConnectionFactory factory = factoryFor("no-client-list");
			WorkerCounts counts = read(factory, "bull", List.of("acl"));
			assertThat(counts.isKnown()).isFalse();
			assertThat(counts.count("acl")).isEmpty();
			assertThat(counts.counts()).isEmpty();
			assertThat(counts.unknownReason()).startsWith("Cannot count workers: ")
				.contains("NOPERM")
				.contains("client|list");
			BullMqSnapshot snapshot = new LettuceBullMqReader(factory, new BullMqKeys("bull"), TIMEOUT)
				.read(List.of("acl"));
			assertThat(snapshot.failures()).isEmpty();
			assertThat(snapshot.queues().get("acl").exists()).isTrue();
		}
	}

	@Test
	void anAclUserWithClientListAndOnlyBullKeysGetsTheCounts() {
		aclSetuser("with-client-list", "~bull:*", "+@read", "+eval_ro", "+client|list");
		try (Workers running = BullMq.workers(redis.url(), Version.V6, "bull", List.of("acl-idle"),
				List.of(WorkerSpec.unnamed("acl-ok"), WorkerSpec.named("acl-ok", "named")), List.of())) {
			LettuceConnectionFactory factory = factoryFor("with-client-list");
			assertThat(read(factory, "bull", List.of("acl-ok", "acl-idle")))
				.isEqualTo(WorkerCounts.known(Map.of("acl-ok", 2L, "acl-idle", 0L)))
				.isEqualTo(WorkerCounts.known(running.counts().workers()));
			BullMqSnapshot snapshot = new LettuceBullMqReader(factory, new BullMqKeys("bull"), TIMEOUT)
				.read(List.of("acl-ok"));
			assertThat(snapshot.failures()).isEmpty();
		}
	}

	@Test
	void noQueuesSendNothing() {
		LettuceConnectionFactory factory = this.factories.create(this.redis);
		read(factory, "bull", List.of("warm-up"));
		Map<String, Long> before = this.redis.commandCalls();
		assertThat(read(factory, "bull", List.of())).isEqualTo(WorkerCounts.known(Map.of()));
		assertThat(LettuceBullMqReaderTests.difference(before, this.redis.commandCalls()))
			.doesNotContainKey("client|list");
	}

	/**
	 * Read the worker counts as the reader does: send, then receive, in one session.
	 */
	static WorkerCounts read(LettuceConnectionFactory factory, String prefix, List<String> queues) {
		WorkerCountsRead read = new WorkerCountsRead(new BullMqKeys(prefix), queues);
		return LettuceSession.run(RedisTarget.of(factory), TIMEOUT, (session) -> {
			read.send(session);
			return read.receive(session);
		});
	}

	private WorkerCounts read(String prefix, List<String> queues) {
		return read(this.factories.create(this.redis), prefix, queues);
	}

	private void aclSetuser(String user, String... rules) {
		CommandArgs<String, String> args = new CommandArgs<>(StringCodec.UTF8).add("SETUSER")
			.add(user)
			.add("reset")
			.add("on")
			.add(">pw");
		for (String rule : rules) {
			args.add(rule);
		}
		this.redis.commands().dispatch(CommandType.ACL, new StatusOutput<>(StringCodec.UTF8), args);
	}

	private LettuceConnectionFactory factoryFor(String user) {
		RedisStandaloneConfiguration configuration = new RedisStandaloneConfiguration(this.redis.host(),
				this.redis.port());
		configuration.setUsername(user);
		configuration.setPassword("pw");
		return this.factories.create(configuration);
	}

}
