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
package io.github.bullmqmetrics.sample;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import io.github.bullmqmetrics.test.BullMq;
import io.github.bullmqmetrics.test.BullMq.QueueSpec;
import io.github.bullmqmetrics.test.BullMq.Version;
import io.github.bullmqmetrics.test.PrometheusText.Sample;
import io.github.bullmqmetrics.test.RedisServer;
import io.github.bullmqmetrics.test.TlsCertificates;

import static io.github.bullmqmetrics.sample.RunningSample.value;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample against a real {@code redis-server} that speaks TLS only, with a CA made for
 * the test and filled by real BullMQ over TLS: as the application's Redis through a
 * Spring Boot SSL bundle ({@code spring.data.redis.ssl.bundle}), as BullMQ's own Redis
 * ({@code bullmq.redis.ssl.bundle}), and with a bundle that trusts the wrong CA.
 *
 * @author bullmq-metrics authors
 */
@ExtendWith(OutputCaptureExtension.class)
class SampleTlsTests {

	private static final String QUEUE = "tls-invoices";

	private static TlsCertificates certificates;

	private static RedisServer tlsRedis;

	private static Map<String, Long> bullMqCounts;

	@AutoClose
	private RunningSample sample;

	@BeforeAll
	static void startRedisOverTls() {
		certificates = TlsCertificates.generate();
		tlsRedis = RedisServer.startLocalTls(certificates);
		bullMqCounts = BullMq
			.seed(tlsRedis.url(), certificates.caCertificate(), Version.V6, "bull",
					List.of(QueueSpec.everyState(QUEUE)))
			.get(QUEUE);
	}

	@AfterAll
	static void stopRedis() {
		if (tlsRedis != null) {
			tlsRedis.close();
		}
		if (certificates != null) {
			certificates.close();
		}
	}

	@Test
	void readsTheApplicationsRedisOverTlsThroughASpringBootSslBundle() {
		this.sample = RunningSample.start(
				List.of("--spring.data.redis.host=" + tlsRedis.host(), "--spring.data.redis.port=" + tlsRedis.port(),
						"--spring.data.redis.ssl.bundle=redis",
						"--spring.ssl.bundle.pem.redis.truststore.certificate=file:" + certificates.caCertificate()),
				List.of(QUEUE));
		assertCounts(this.sample.awaitScrape(RunningSample::isUp, "a read over TLS"));
	}

	@Test
	void readsBullMqsOwnRedisOverTlsThroughItsOwnSslBundle() {
		try (RedisServer applicationRedis = RedisServer.startLocal()) {
			this.sample = RunningSample.start(
					List.of("--spring.data.redis.host=" + applicationRedis.host(),
							"--spring.data.redis.port=" + applicationRedis.port(),
							"--bullmq.redis.url=" + tlsRedis.url(), "--bullmq.redis.ssl.bundle=jobs",
							"--spring.ssl.bundle.pem.jobs.truststore.certificate=file:" + certificates.caCertificate()),
					List.of(QUEUE));
			assertCounts(this.sample.awaitScrape(RunningSample::isUp, "a read over TLS"));
			this.sample.close();
		}
	}

	@Test
	void aBundleThatTrustsTheWrongCaReportsDownAndLogsOnceWithoutFailingStartUp(CapturedOutput output) {
		try (TlsCertificates wrong = TlsCertificates.generate()) {
			this.sample = RunningSample.start(
					List.of("--bullmq.redis.host=" + tlsRedis.host(), "--bullmq.redis.port=" + tlsRedis.port(),
							"--bullmq.redis.ssl.bundle=jobs",
							"--spring.ssl.bundle.pem.jobs.truststore.certificate=file:" + wrong.caCertificate()),
					List.of(QUEUE), "--bullmq.metrics.cache-ttl=0s");
			List<Sample> samples = null;
			for (int i = 0; i < 5; i++) {
				samples = this.sample.scrapeSamples();
				assertThat(value(samples, "bullmq_exporter_up", null, null)).isZero();
			}
			assertThat(samples).filteredOn((sample) -> sample.name().equals("bullmq_exporter_refresh_errors_total"))
				.extracting((sample) -> sample.label("cause"))
				.containsOnly("connection");
			String line = "Cannot read BullMQ's data from Redis (connection): Cannot connect to Redis at "
					+ tlsRedis.host() + ":" + tlsRedis.port() + " (set by bullmq.redis.host and bullmq.redis.port): ";
			assertThat(count(output.getOut(), "Cannot read BullMQ's data from Redis")).isEqualTo(1);
			assertThat(output.getOut()).contains(line).doesNotContain("at io.github.bullmqmetrics");
		}
	}

	private static void assertCounts(List<Sample> samples) {
		bullMqCounts.forEach((state, count) -> assertThat(value(samples, "bullmq_job_count", QUEUE, state)).as(state)
			.isEqualTo(count.doubleValue()));
	}

	private static int count(String text, String part) {
		int count = 0;
		for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
			count++;
		}
		return count;
	}

}
