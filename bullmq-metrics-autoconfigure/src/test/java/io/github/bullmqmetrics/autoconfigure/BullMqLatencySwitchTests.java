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
package io.github.bullmqmetrics.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.lettuce.core.AclCategory;
import io.lettuce.core.AclSetuserArgs;
import io.lettuce.core.protocol.CommandKeyword;
import io.lettuce.core.protocol.CommandType;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import io.github.bullmqmetrics.micrometer.BullMqMeters;
import io.github.bullmqmetrics.test.Await;
import io.github.bullmqmetrics.test.BullMq;
import io.github.bullmqmetrics.test.BullMq.QueueSpec;
import io.github.bullmqmetrics.test.BullMq.Version;
import io.github.bullmqmetrics.test.RedisServer;
import io.github.bullmqmetrics.test.RedisServerExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@code bullmq.metrics.latency.enabled} in an application reading a real Redis
 * with queues written by real BullMQ: switched off, the latency and overdue meters do not
 * exist, every other meter does, and a user that Redis refuses {@code TIME} raises no
 * latency error.
 *
 * @author bullmq-metrics authors
 */
@ExtendWith(OutputCaptureExtension.class)
class BullMqLatencySwitchTests {

	private static final String QUEUE = "reports";

	private static final String LATENCY_WARNING = "Cannot read the latency of BullMQ queues";

	@RegisterExtension
	static final RedisServerExtension redisServer = RedisServerExtension.start();

	private static Map<String, Long> bullMqCounts;

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class, SslAutoConfiguration.class,
				MetricsAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class,
				CompositeMeterRegistryAutoConfiguration.class, BullMqMetricsAutoConfiguration.class))
		.withPropertyValues("bullmq.queues[0]=" + QUEUE, "bullmq.metrics.cache-ttl=0s",
				"bullmq.metrics.durations.enabled=false", "spring.data.redis.host=" + redis().host(),
				"spring.data.redis.port=" + redis().port());

	@BeforeAll
	static void seedTheQueueAndAUserWithoutTime() {
		// Every state, delayed jobs included, so that latency and overdue have something
		// to report.
		bullMqCounts = BullMq.seed(redis().url(), Version.V6, "bull", List.of(QueueSpec.everyState(QUEUE))).get(QUEUE);
		redis().commands()
			.aclSetuser("no-time",
					AclSetuserArgs.Builder.on()
						.addPassword("pw")
						.allKeys()
						.addCategory(AclCategory.READ)
						.addCommand(CommandType.EVAL_RO)
						.addCommand(CommandType.CLIENT, CommandKeyword.LIST));
	}

	@Test
	void withLatencyOnByDefaultExportsLatencyAndOverdueJobs() {
		this.contextRunner.run((context) -> {
			MeterRegistry registry = readOnce(context);
			assertThat(registry.get(BullMqMeters.QUEUE_LATENCY).tag(BullMqMeters.QUEUE, QUEUE).gauge().value())
				.isNotNaN();
			assertThat(registry.get(BullMqMeters.QUEUE_OVERDUE_JOBS).tag(BullMqMeters.QUEUE, QUEUE).gauge().value())
				.isNotNaN();
		});
	}

	@Test
	void withLatencyOffHasNoLatencyOrOverdueSeriesAndEveryOtherMeter() {
		this.contextRunner.withPropertyValues("bullmq.metrics.latency.enabled=false").run((context) -> {
			MeterRegistry registry = readOnce(context);
			assertThat(registry.find(BullMqMeters.QUEUE_LATENCY).meters()).isEmpty();
			assertThat(registry.find(BullMqMeters.QUEUE_OVERDUE_JOBS).meters()).isEmpty();
			bullMqCounts.forEach((state,
					count) -> assertThat(registry.get(BullMqMeters.JOB_COUNT)
						.tag(BullMqMeters.QUEUE, QUEUE)
						.tag(BullMqMeters.STATE, state)
						.gauge()
						.value()).as(state).isEqualTo(count.doubleValue()));
			for (String name : List.of(BullMqMeters.QUEUE_PAUSED, BullMqMeters.QUEUE_JOB_SCHEDULERS,
					BullMqMeters.QUEUE_RATE_LIMIT_TTL, BullMqMeters.QUEUE_WORKERS)) {
				assertThat(registry.get(name).tag(BullMqMeters.QUEUE, QUEUE).gauge().value()).as(name).isNotNaN();
			}
			assertThat(registry.get(BullMqMeters.JOB_COMPLETED).tag(BullMqMeters.QUEUE, QUEUE).functionCounter())
				.isNotNull();
		});
	}

	@Test
	void withLatencyOnAUserWithoutTimeCountsALatencyErrorAndWarns(CapturedOutput output) {
		asUserWithoutTime().run((context) -> {
			MeterRegistry registry = readOnce(context);
			assertThat(registry.get(BullMqMeters.EXPORTER_REFRESH_ERRORS)
				.tag(BullMqMeters.CAUSE, "latency")
				.counter()
				.count()).isPositive();
			assertThat(output).contains(LATENCY_WARNING);
		});
	}

	@Test
	void withLatencyOffAUserWithoutTimeCountsNoLatencyErrorAndDoesNotWarn(CapturedOutput output) {
		asUserWithoutTime().withPropertyValues("bullmq.metrics.latency.enabled=false").run((context) -> {
			MeterRegistry registry = readOnce(context);
			// A few reads, each of which would count an error if TIME were asked for.
			for (int i = 0; i < 3; i++) {
				assertThat(registry.get(BullMqMeters.EXPORTER_UP).gauge().value()).isEqualTo(1);
			}
			assertThat(registry.find(BullMqMeters.EXPORTER_REFRESH_ERRORS).tag(BullMqMeters.CAUSE, "latency").counter())
				.isNull();
			assertThat(registry.find(BullMqMeters.EXPORTER_REFRESH_ERRORS).counters()).isEmpty();
			assertThat(registry.get(BullMqMeters.JOB_COUNT)
				.tag(BullMqMeters.QUEUE, QUEUE)
				.tag(BullMqMeters.STATE, "waiting")
				.gauge()
				.value()).isEqualTo(bullMqCounts.get("waiting").doubleValue());
			assertThat(output).doesNotContain(LATENCY_WARNING);
		});
	}

	private ApplicationContextRunner asUserWithoutTime() {
		return this.contextRunner.withPropertyValues("spring.data.redis.username=no-time",
				"spring.data.redis.password=pw");
	}

	/** Wait for a successful read, after which the queue has its meters. */
	private static MeterRegistry readOnce(AssertableApplicationContext context) {
		assertThat(context).hasNotFailed();
		MeterRegistry registry = context.getBean(MeterRegistry.class);
		Await.until(Duration.ofSeconds(30), () -> registry.get(BullMqMeters.EXPORTER_UP).gauge().value() == 1,
				"a successful read");
		return registry;
	}

	private static RedisServer redis() {
		return redisServer.server();
	}

}
