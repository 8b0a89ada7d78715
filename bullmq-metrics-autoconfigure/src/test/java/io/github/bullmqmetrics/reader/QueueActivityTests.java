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

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;

import io.github.bullmqmetrics.test.BullMq;
import io.github.bullmqmetrics.test.BullMq.Activity;
import io.github.bullmqmetrics.test.BullMq.Version;
import io.github.bullmqmetrics.test.RedisServer;
import io.github.bullmqmetrics.test.RedisServerExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Tests for the latency, overdue jobs, schedulers, rate limit and global concurrency that
 * {@link LettuceBullMqReader} reads with the counts, against queues that real BullMQ put
 * in each situation, with BullMQ's own API and the jobs' own fields as the oracle.
 *
 * @author bullmq-metrics authors
 */
class QueueActivityTests {

	private static final List<String> SCENARIOS = List.of("empty", "waiting", "prioritized", "paused", "overdue",
			"promoted", "retried", "limited", "worker-limited");

	/** How far a latency may be from the expected age: the bound. */
	private static final long TOLERANCE_MS = 1000;

	@RegisterExtension
	static final RedisServerExtension redisServer = RedisServerExtension.start();

	@RegisterExtension
	final ConnectionFactories factories = new ConnectionFactories();

	private final RedisServer redis = redisServer.server();

	@ParameterizedTest
	@EnumSource(Version.class)
	void readsWhatBullMqSaysOfEveryQueueWithLatencyOnRedisClock(Version version) {
		String prefix = "activity-" + version;
		Map<String, Activity> expected = BullMq.activity(this.redis.url(), version, prefix, SCENARIOS);
		BullMqSnapshot snapshot = reader(prefix).read(SCENARIOS);
		long now = this.redis.nowMillis();
		assertThat(snapshot.failures()).isEmpty();
		for (String scenario : SCENARIOS) {
			QueueActivity activity = snapshot.queues().get(scenario).activity();
			Activity oracle = expected.get(scenario);
			assertThat(activity.schedulers()).as("%s schedulers", scenario).isEqualTo(oracle.schedulers());
			// The TTL runs down between BullMQ's answer and our read, a few seconds at
			// most.
			long ttl = Math.max(0, oracle.rateLimitTtl());
			assertThat(activity.rateLimitTtl().toMillis()).as("%s rate limit TTL", scenario)
				.isBetween(Math.max(0, ttl - 5000), ttl);
			assertThat(activity.globalConcurrency()).as("%s global concurrency", scenario)
				.isEqualTo(oracle.globalConcurrency());
			if (oracle.delayedCount() != null) {
				assertThat(activity.overdue()).as("%s overdue", scenario).isEqualTo(oracle.delayedCount());
			}
			if (oracle.latencyChecked()) {
				long expectedMs = (oracle.readySince() != null) ? now - oracle.readySince() : 0;
				long actualMs = activity.latency().toMillis();
				if (scenario.equals("retried")) {
					// The documented over-report: back in wait, the hash only says when
					// the
					// failed attempt started, so the latency also counts that attempt and
					// its 1 s backoff, and never less than the truth.
					assertThat(actualMs).as("retried latency").isBetween(expectedMs, expectedMs + 1000 + TOLERANCE_MS);
				}
				else {
					assertThat(actualMs).as("%s latency", scenario).isCloseTo(expectedMs, within(TOLERANCE_MS));
				}
			}
		}
		assertThat(snapshot.queues().get("overdue").activity().overdue()).isEqualTo(1);
		assertThat(snapshot.queues().get("limited").activity().rateLimitTtl()).isPositive();
		assertThat(snapshot.queues().get("empty").activity().latency()).isZero();
	}

	@Test
	void withoutTimeOnlyLatencyAndOverdueAreUnknown() {
		String prefix = "no-time";
		BullMq.activity(this.redis.url(), Version.V6, prefix, List.of("waiting", "limited"));
		this.redis.commands()
			.aclSetuser("no-time", io.lettuce.core.AclSetuserArgs.Builder.on()
				.addPassword("pw")
				.allKeys()
				.addCategory(io.lettuce.core.AclCategory.READ)
				.addCommand(io.lettuce.core.protocol.CommandType.EVAL_RO)
				// Workers are counted too; only TIME is missing.
				.addCommand(io.lettuce.core.protocol.CommandType.CLIENT, io.lettuce.core.protocol.CommandKeyword.LIST));
		RedisStandaloneConfiguration configuration = new RedisStandaloneConfiguration(this.redis.host(),
				this.redis.port());
		configuration.setUsername("no-time");
		configuration.setPassword("pw");
		BullMqSnapshot snapshot = new LettuceBullMqReader(RedisTarget.of(this.factories.create(configuration)),
				new BullMqKeys(prefix), Duration.ofSeconds(5))
			.read(List.of("waiting", "limited"));
		assertThat(snapshot.failures()).isEmpty();
		assertThat(snapshot.unavailable()).containsOnlyKeys(BullMqSnapshot.LATENCY);
		assertThat(snapshot.workersKnown()).isTrue();
		assertThat(snapshot.unavailable().get(BullMqSnapshot.LATENCY)).contains("+time");
		QueueSnapshot waiting = snapshot.queues().get("waiting");
		assertThat(waiting.count(JobState.WAITING)).hasValue(2);
		assertThat(waiting.activity().latency()).isNull();
		assertThat(waiting.activity().overdue()).isNull();
		QueueActivity limited = snapshot.queues().get("limited").activity();
		assertThat(limited.schedulers()).isEqualTo(2);
		assertThat(limited.globalConcurrency()).isEqualTo(3);
	}

	@Test
	void withLatencyOffAUserWithoutTimeReadsEverythingElseAndNothingIsUnavailable() {
		String prefix = "no-time-off";
		Map<String, Activity> expected = BullMq.activity(this.redis.url(), Version.V6, prefix,
				List.of("overdue", "limited"));
		this.redis.commands()
			.aclSetuser("no-time-off",
					io.lettuce.core.AclSetuserArgs.Builder.on()
						.addPassword("pw")
						.allKeys()
						.addCategory(io.lettuce.core.AclCategory.READ)
						.addCommand(io.lettuce.core.protocol.CommandType.EVAL_RO));
		RedisStandaloneConfiguration configuration = new RedisStandaloneConfiguration(this.redis.host(),
				this.redis.port());
		configuration.setUsername("no-time-off");
		configuration.setPassword("pw");
		RedisTarget target = RedisTarget.of(this.factories.create(configuration));
		// The same user with latency on: Redis refuses it TIME.
		assertThat(new LettuceBullMqReader(target, new BullMqKeys(prefix), Duration.ofSeconds(5), false, true)
			.read(List.of("overdue"))
			.unavailable()).containsOnlyKeys(BullMqSnapshot.LATENCY);
		BullMqSnapshot snapshot = new LettuceBullMqReader(target, new BullMqKeys(prefix), Duration.ofSeconds(5), false,
				false)
			.read(List.of("overdue", "limited"));
		assertThat(snapshot.failures()).isEmpty();
		assertThat(snapshot.unavailable()).isEmpty();
		QueueActivity overdue = snapshot.queues().get("overdue").activity();
		assertThat(overdue.latency()).isNull();
		assertThat(overdue.overdue()).isNull();
		assertThat(snapshot.queues().get("overdue").count(JobState.DELAYED).getAsLong()).isPositive();
		QueueActivity limited = snapshot.queues().get("limited").activity();
		assertThat(limited.schedulers()).isEqualTo(expected.get("limited").schedulers());
		assertThat(limited.globalConcurrency()).isEqualTo(expected.get("limited").globalConcurrency());
	}

	private LettuceBullMqReader reader(String prefix) {
		return new LettuceBullMqReader(this.factories.create(this.redis), new BullMqKeys(prefix),
				Duration.ofSeconds(5));
	}

}
