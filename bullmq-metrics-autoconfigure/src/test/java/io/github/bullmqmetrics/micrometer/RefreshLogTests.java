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
package io.github.bullmqmetrics.micrometer;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import io.github.bullmqmetrics.reader.BullMqSnapshot;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link RefreshLog}: pure logic, on refreshes made by hand.
 *
 * @author bullmq-metrics authors
 */
@ExtendWith(OutputCaptureExtension.class)
class RefreshLogTests {

	private final RefreshLog log = new RefreshLog("bull");

	@Test
	void logsAnOutageOncePerCauseAndAgainAfterRecovery(CapturedOutput output) {
		this.log.accept(failed("connection", "RedisHandshakeHandler not registered"));
		this.log.accept(failed("authentication", "WRONGPASS invalid username-password pair"));
		this.log.accept(failed("authentication", "WRONGPASS invalid username-password pair"));
		this.log.accept(failed("connection", "RedisHandshakeHandler not registered"));
		assertThat(output.getOut()).containsOnlyOnce("Cannot read BullMQ's data from Redis (connection)")
			.containsOnlyOnce("Cannot read BullMQ's data from Redis (authentication)");
		this.log.accept(Refresh.succeeded(new BullMqSnapshot(Instant.now(), Map.of(), Map.of()), Duration.ZERO));
		this.log.accept(Refresh.succeeded(new BullMqSnapshot(Instant.now(), Map.of(), Map.of()), Duration.ZERO));
		assertThat(output.getOut()).containsOnlyOnce("Reading BullMQ's data from Redis works again");
		// A new outage is logged again, even for a cause logged in the last one.
		int before = output.getOut().length();
		this.log.accept(failed("connection", "Connection refused"));
		assertThat(output.getOut().substring(before))
			.containsOnlyOnce("Cannot read BullMQ's data from Redis (connection)")
			.contains("this is logged again only for another cause, or on recovery.");
	}

	private static Refresh failed(String cause, String message) {
		return Refresh.failed(cause, message, Instant.now(), Duration.ZERO);
	}

}
