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

import java.util.List;
import java.util.Map;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisURI;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import io.github.bullmqmetrics.test.BullMq.QueueSpec;
import io.github.bullmqmetrics.test.BullMq.Version;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Tests for {@link RedisServer#startLocalTls} and {@link TlsCertificates}: a real
 * {@code redis-server} that speaks TLS only, and real BullMQ writing to it.
 *
 * @author bullmq-metrics authors
 */
class RedisServerTlsTests {

	@AutoClose
	private final TlsCertificates certificates = TlsCertificates.generate();

	@AutoClose
	private final RedisServer redis = RedisServer.startLocalTls(this.certificates);

	@Test
	void speaksTlsOnlyWithTheCertificatesCa() {
		assertThat(this.redis.url()).isEqualTo("rediss://127.0.0.1:" + this.redis.port());
		assertThat(this.redis.commands().ping()).isEqualTo("PONG");
		assertThat(this.redis.commandCalls()).containsKey("ping");
		RedisClient plain = RedisClient.create(RedisURI.create("redis://127.0.0.1:" + this.redis.port()));
		try {
			assertThatExceptionOfType(RedisConnectionException.class).isThrownBy(() -> plain.connect().sync().ping());
		}
		finally {
			plain.shutdown();
		}
	}

	@Test
	void realBullMqSeedsItOverTls() {
		Map<String, Map<String, Long>> counts = BullMq.seed(this.redis.url(), this.certificates.caCertificate(),
				Version.V6, "bull", List.of(QueueSpec.everyState("tls")));
		assertThat(counts.get("tls")).containsEntry("waiting", 5L).containsEntry("completed", 3L);
		assertThat(this.redis.commands().llen("bull:tls:wait")).isEqualTo(5);
	}

	@Test
	void bullMqRefusesAServerWhoseCaItDoesNotTrust() {
		try (TlsCertificates other = TlsCertificates.generate()) {
			assertThatIllegalStateException().isThrownBy(() -> BullMq.seed(this.redis.url(), other.caCertificate(),
					Version.V6, "bull", List.of(QueueSpec.empty("untrusted"))))
				.withMessageContaining("certificate");
		}
	}

}
