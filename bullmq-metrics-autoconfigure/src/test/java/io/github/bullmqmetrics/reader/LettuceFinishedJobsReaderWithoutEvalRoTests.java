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

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.bullmqmetrics.test.BullMq;
import io.github.bullmqmetrics.test.BullMq.Finished;
import io.github.bullmqmetrics.test.BullMq.FinishedJobFields;
import io.github.bullmqmetrics.test.BullMq.JobSpec;
import io.github.bullmqmetrics.test.BullMq.Version;
import io.github.bullmqmetrics.test.RedisServer;
import io.github.bullmqmetrics.test.RedisServerExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link LettuceFinishedJobsReader} on a Redis without {@code EVAL_RO}, as
 * every Redis before 7.0 is: a real Redis whose {@code EVAL_RO} is renamed away.
 *
 * @author bullmq-metrics authors
 */
class LettuceFinishedJobsReaderWithoutEvalRoTests {

	@RegisterExtension
	static final RedisServerExtension redisServer = RedisServerExtension.start("--rename-command", "EVAL_RO", "");

	@RegisterExtension
	final ConnectionFactories factories = new ConnectionFactories();

	private final RedisServer redis = redisServer.server();

	@Test
	void readsThroughEvalAndRemembersIt() {
		String queue = "no-eval-ro";
		LettuceFinishedJobsReader reader = new LettuceFinishedJobsReader(
				RedisTarget.of(this.factories.create(this.redis)), new BullMqKeys("bull"),
				new FinishedJobCursors(Instant.now()), 1000, Duration.ofSeconds(5), Clock.systemUTC(), Duration.ZERO);
		reader.read(List.of(queue));
		Finished finished = BullMq.finish(this.redis.url(), Version.V6, "bull", queue, 2, false,
				List.of(JobSpec.sleeping("a", 1), JobSpec.sleeping("b", 1)));
		Map<String, Long> before = this.redis.commandCalls();
		FinishedJobsRead read = reader.read(List.of(queue));
		Map<String, Long> calls = LettuceFinishedJobsReaderTests.difference(before, this.redis.commandCalls());
		assertThat(read.finished().stream().flatMap((jobs) -> jobs.jobs().stream()).map(FinishedJob::id))
			.containsExactlyInAnyOrderElementsOf(finished.jobs().stream().map(FinishedJobFields::id).toList());
		// Every page went through EVAL (as many calls as the read took rounds), none
		// through EVAL_RO.
		assertThat(calls).containsKey("eval").doesNotContainKey("eval_ro");
	}

}
