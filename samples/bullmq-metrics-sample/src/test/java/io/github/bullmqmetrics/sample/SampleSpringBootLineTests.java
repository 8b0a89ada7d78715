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

import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which Spring Boot line this run tests. CI runs the sample's tests once per supported
 * line ({@code -Dboot=3.5}, {@code -Dboot=4.0}, and 4.1 by default): this checks that the
 * build really put that line on the class path, and that the one jar chose the health
 * contributor of that line's health API.
 *
 * @author bullmq-metrics authors
 */
class SampleSpringBootLineTests {

	@Test
	void runsOnTheSpringBootLineTheBuildChoseWithThatLinesHealthContributor() {
		String line = System.getProperty("spring-boot.version");
		assertThat(SpringBootVersion.getVersion()).as("the Spring Boot that the build chose").isEqualTo(line);
		// Nothing listens on port 1; nothing connects before a scrape or a health check.
		try (ConfigurableApplicationContext context = new SpringApplicationBuilder(SampleApplication.class).run(
				"--server.port=0", "--server.address=127.0.0.1", "--spring.data.redis.port=1",
				"--bullmq.queues[0]=emails")) {
			String contributor = line.startsWith("3.") ? "BullMqBoot3HealthIndicator" : "BullMqHealthIndicator";
			assertThat(context.getBean("bullmqHealthIndicator").getClass().getSimpleName()).isEqualTo(contributor);
		}
	}

}
