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

package io.github.bullmqmetrics.test;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Tests for {@link RedisServerExtension}.
 *
 * @author bullmq-metrics authors
 */
class RedisServerExtensionTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.startLocal("--maxmemory-policy", "noeviction");

	private static RedisServer startedBeforeAll;

	@BeforeAll
	static void recordTheServer() {
		startedBeforeAll = redis.server();
	}

	@Test
	void startsTheServerWithItsArgumentsBeforeAllTests() {
		assertThat(redis.server()).isSameAs(startedBeforeAll);
		assertThat(redis.server().commands().ping()).isEqualTo("PONG");
		assertThat(redis.server().commands().configGet("maxmemory-policy")).containsEntry("maxmemory-policy",
				"noeviction");
		assertThat(redis.toString()).contains(redis.server().url());
	}

	@Test
	void startsALocalServerThatCanBeRestarted() {
		RedisServer server = redis.server();
		long pid = server.pid();
		server.restart();
		assertThat(server.pid()).isNotEqualTo(pid);
		assertThat(server.commands().ping()).isEqualTo("PONG");
	}

	@Test
	void closesTheServerAfterTheClassThatStartedIt() {
		RedisServerExtension extension = RedisServerExtension.startLocal();
		assertThatIllegalStateException().isThrownBy(extension::server).withMessageContaining("@RegisterExtension");
		extension.afterAll(null);
		extension.beforeAll(null);
		long pid = extension.server().pid();
		extension.beforeAll(null);
		assertThat(extension.server().pid()).as("a @Nested class shares the server").isEqualTo(pid);
		extension.afterAll(null);
		assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isPresent();
		extension.afterAll(null);
		assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
		assertThatIllegalStateException().isThrownBy(extension::server);
		assertThat(extension).hasToString("RedisServerExtension[not running]");
	}

	@Nested
	class InANestedClass {

		@Test
		void usesTheEnclosingClassesServer() {
			assertThat(redis.server()).isSameAs(startedBeforeAll);
			assertThat(redis.server().commands().ping()).isEqualTo("PONG");
		}

	}

}
