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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import io.github.bullmqmetrics.test.BullMq;
import io.github.bullmqmetrics.test.BullMq.QueueSpec;
import io.github.bullmqmetrics.test.BullMq.Version;
import io.github.bullmqmetrics.test.RedisServer;
import io.github.bullmqmetrics.test.RedisServerExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link QueueDiscovery} and {@link DiscoveredQueues} against a real Redis
 * holding queues created by real BullMQ.
 *
 * @author bullmq-metrics authors
 */
class QueueDiscoveryTests {

	@RegisterExtension
	static final RedisServerExtension redisServer = RedisServerExtension.start();

	@RegisterExtension
	final ConnectionFactories factories = new ConnectionFactories();

	private final RedisServer redis = redisServer.server();

	@AfterEach
	void flush() {
		this.redis.commands().flushall();
	}

	@Test
	void findsEveryQueueOfBothMajorsIncludingEmptyOnesAndHostileNames() {
		List<String> hostile = LettuceBullMqReaderTests.HOSTILE_NAMES;
		BullMq.seed(redis.url(), Version.V5, "bull", List.of(QueueSpec.everyState("five")));
		BullMq.seed(redis.url(), Version.V6, "bull",
				List.of(QueueSpec.everyState("six"), QueueSpec.empty("empty-six").withPaused(true)));
		BullMq.seed(redis.url(), Version.V6, "bull", hostile.stream().map(QueueSpec::empty).toList());
		List<String> expected = new ArrayList<>(List.of("five", "six", "empty-six"));
		expected.addAll(hostile);
		assertThat(discovery("bull", List.of(), List.of(), 100).discover().queues())
			.containsExactlyInAnyOrderElementsOf(expected)
			.isSorted();
	}

	@Test
	void ignoresOtherPrefixesEvenOnesThatStartTheSame() {
		BullMq.seed(redis.url(), Version.V6, "bull", List.of(QueueSpec.empty("mine")));
		BullMq.seed(redis.url(), Version.V6, "bull2", List.of(QueueSpec.empty("not-mine")));
		BullMq.seed(redis.url(), Version.V6, "bull:nested", List.of(QueueSpec.empty("nested")));
		BullMq.seed(redis.url(), Version.V6, "{bull}", List.of(QueueSpec.empty("tagged")));
		assertThat(discovery("bull", List.of(), List.of(), 100).discover().queues()).containsExactly("mine");
		assertThat(discovery("bull:nested", List.of(), List.of(), 100).discover().queues()).containsExactly("nested");
		assertThat(discovery("{bull}", List.of(), List.of(), 100).discover().queues()).containsExactly("tagged");
	}

	@Test
	void treatsGlobCharactersInThePrefixLiterally() {
		BullMq.seed(redis.url(), Version.V6, "app*", List.of(QueueSpec.empty("starred")));
		BullMq.seed(redis.url(), Version.V6, "appX", List.of(QueueSpec.empty("other")));
		assertThat(discovery("app*", List.of(), List.of(), 100).discover().queues()).containsExactly("starred");
	}

	@Test
	void findsOldDataByItsIdKeyAndSkipsLookAlikes() {
		BullMq.seed(redis.url(), Version.V6, "bull", List.of(new QueueSpec("real", 2, 0, 0, 1, 0, 0, 0, false)));
		redis.commands().set("bull:old:id", "42");
		// Not queues: a job scheduler and its job, and a meta key of the wrong type.
		redis.commands().hset("bull:real:repeat:abc", "every", "1000");
		redis.commands().hset("bull:real:repeat:abc:1700000000000", "name", "job");
		redis.commands().set("bull:wrongtype:meta", "x");
		assertThat(discovery("bull", List.of(), List.of(), 100).discover().queues()).containsExactly("old", "real");
	}

	@Test
	void keepsOnlyIncludedAndNotExcludedNames() {
		BullMq.seed(redis.url(), Version.V6, "bull", List.of(QueueSpec.empty("mail-in"), QueueSpec.empty("mail-out"),
				QueueSpec.empty("mail-test"), QueueSpec.empty("reports")));
		assertThat(discovery("bull", List.of("mail-*"), List.of("*-test"), 100).discover().queues())
			.containsExactly("mail-in", "mail-out");
		assertThat(discovery("bull", List.of("r?ports"), List.of(), 100).discover().queues())
			.containsExactly("reports");
	}

	@Test
	void capsTheNumberOfQueuesByName() {
		BullMq.seed(redis.url(), Version.V6, "bull",
				List.of(QueueSpec.empty("d"), QueueSpec.empty("b"), QueueSpec.empty("a"), QueueSpec.empty("c")));
		QueueDiscovery.Result result = discovery("bull", List.of(), List.of(), 2).discover();
		assertThat(result.queues()).containsExactly("a", "b");
		assertThat(result.found()).isEqualTo(4);
		assertThat(result.capped()).isTrue();
	}

	@Test
	void queuesThatAppearAreAddedAndQueuesThatVanishAreDropped() {
		BullMq.seed(redis.url(), Version.V6, "bull", List.of(QueueSpec.empty("first")));
		AtomicInteger changes = new AtomicInteger();
		try (DiscoveredQueues queues = new DiscoveredQueues(discovery("bull", List.of(), List.of(), 100),
				Duration.ofHours(1), changes::incrementAndGet)) {
			assertThat(queues.get()).isEmpty();
			queues.refresh();
			assertThat(queues.get()).containsExactly("first");
			BullMq.seed(redis.url(), Version.V6, "bull", List.of(QueueSpec.empty("second")));
			redis.commands().del("bull:first:meta");
			queues.refresh();
			assertThat(queues.get()).containsExactly("second");
			queues.refresh();
			assertThat(changes).hasValue(2);
		}
	}

	@Test
	void keepsTheLastListWhenRedisCannotBeRead() {
		BullMq.seed(redis.url(), Version.V6, "bull", List.of(QueueSpec.empty("kept")));
		LettuceConnectionFactory factory = factory();
		QueueDiscovery discovery = new QueueDiscovery(factory, new BullMqKeys("bull"), List.of(), List.of(), 100,
				Duration.ofSeconds(2));
		try (DiscoveredQueues queues = new DiscoveredQueues(discovery, Duration.ofHours(1), () -> {
		})) {
			queues.refresh();
			factory.stop();
			queues.refresh();
			assertThat(queues.get()).containsExactly("kept");
		}
	}

	private QueueDiscovery discovery(String prefix, List<String> include, List<String> exclude, int max) {
		return new QueueDiscovery(factory(), new BullMqKeys(prefix), include, exclude, max, Duration.ofSeconds(5));
	}

	private LettuceConnectionFactory factory() {
		return this.factories.create(this.redis);
	}

}
