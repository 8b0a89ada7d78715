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

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Tests for {@link RedisServer}.
 *
 * @author bullmq-metrics authors
 */
class RedisServerTests {

	@Test
	void startsAServerThatAnswersPingAndCountsCommands() {
		try (RedisServer redis = RedisServer.start()) {
			assertThat(redis.url()).isEqualTo("redis://" + redis.host() + ":" + redis.port());
			assertThat(redis.commands().ping()).isEqualTo("PONG");
			redis.commands().set("k", "v");
			assertThat(redis.commandCalls()).containsKey("ping").containsEntry("set", 1L);
		}
	}

	@Test
	void countsSubcommandsByTheirFullName() {
		try (RedisServer redis = RedisServer.start()) {
			redis.commands().clientList();
			assertThat(redis.commandCalls()).containsKey("client|list");
		}
	}

	@Test
	void stopsAndRestartsOnTheSamePort() throws IOException {
		try (RedisServer redis = RedisServer.startLocal()) {
			assertThat(redis.host()).isEqualTo("127.0.0.1");
			int port = redis.port();
			long pid = redis.pid();
			redis.commands().set("k", "v");
			redis.stop();
			assertThatIOException().isThrownBy(() -> connect(port));
			redis.restart();
			assertThat(redis.port()).isEqualTo(port);
			assertThat(redis.pid()).isNotEqualTo(pid);
			assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
			assertThat(redis.commands().ping()).isEqualTo("PONG");
			assertThat(redis.commands().get("k")).as("nothing is persisted").isNull();
		}
	}

	@Test
	void pidNeedsARunningProcess() {
		try (RedisServer redis = RedisServer.startLocal()) {
			redis.stop();
			redis.stop();
			assertThatIllegalStateException().isThrownBy(redis::pid).withMessage("redis-server is stopped");
		}
	}

	@Test
	void reportsARedisServerThatExitsInsteadOfAnswering() {
		assertThatIllegalStateException().isThrownBy(() -> RedisServer.startLocal("--no-such-option", "x"))
			.withMessageContaining("redis-server exited with code")
			.withMessageContaining("--no-such-option");
	}

	@Test
	void closeKillsTheProcess() {
		RedisServer redis = RedisServer.startLocal();
		long pid = redis.pid();
		redis.close();
		assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
	}

	@Test
	void authenticatesWithAPassword() {
		try (RedisServer redis = RedisServer.startLocal("--requirepass", "s3cret pa:ss")) {
			assertThat(redis.url(null, "s3cret pa:ss"))
				.isEqualTo("redis://:s3cret%20pa%3Ass@127.0.0.1:" + redis.port());
			assertThat(redis.authenticate(null, "s3cret pa:ss").commands().ping()).isEqualTo("PONG");
		}
	}

	@Test
	void authenticatesAnAclUser() {
		try (RedisServer redis = RedisServer.startLocal("--user", "alice", "on", ">p@ss:w rd", "~*", "&*", "+@all")) {
			assertThat(redis.authenticate("alice", "p@ss:w rd").commands().aclWhoami()).isEqualTo("alice");
		}
	}

	private static void connect(int port) throws IOException {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
		}
	}

}
