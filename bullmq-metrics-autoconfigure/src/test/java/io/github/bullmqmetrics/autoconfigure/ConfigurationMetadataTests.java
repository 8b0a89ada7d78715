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

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.boot.json.JsonParserFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for the configuration metadata that the build generates from
 * {@link BullMqProperties} and {@code additional-spring-configuration-metadata.json}:
 * what an IDE shows a user for every property.
 *
 * @author bullmq-metrics authors
 */
class ConfigurationMetadataTests {

	@Test
	void everyPropertyHasADescriptionAndADefaultWhereOneExists() throws IOException {
		List<Map<String, Object>> properties = properties();
		assertThat(properties).extracting((property) -> property.get("name"))
			.contains("bullmq.queues", "bullmq.prefix", "bullmq.metrics.cache-ttl", "management.health.bullmq.enabled");
		assertThat(properties).allSatisfy((property) -> {
			String name = (String) property.get("name");
			assertThat((String) property.get("description")).as("description of %s", name).isNotBlank();
			if (!hasNoDefault(name, (String) property.get("type"))) {
				assertThat(property).as("default of %s", name).containsKey("defaultValue");
			}
		});
	}

	@Test
	void describesTheHealthSwitchWithItsDefault() throws IOException {
		assertThat(properties())
			.filteredOn((property) -> "management.health.bullmq.enabled".equals(property.get("name")))
			.singleElement()
			.satisfies((property) -> assertThat(property).containsEntry("defaultValue", true)
				.containsEntry("type", "java.lang.Boolean"));
	}

	@Test
	void describesTheLatencySwitchWithItsDefaultAndTheAclItNeeds() throws IOException {
		assertThat(properties()).filteredOn((property) -> "bullmq.metrics.latency.enabled".equals(property.get("name")))
			.singleElement()
			.satisfies((property) -> assertThat(property).containsEntry("defaultValue", true)
				.containsEntry("type", "java.lang.Boolean")
				.hasEntrySatisfying("description",
						(description) -> assertThat((String) description).contains("+time")));
	}

	/**
	 * Properties with no default by nature: map entries, and the settings of a separate
	 * Redis, which are unset unless BullMQ has a Redis of its own.
	 */
	private static boolean hasNoDefault(String name, String type) {
		return (type != null && type.startsWith("java.util.Map")) || name.startsWith("bullmq.redis.");
	}

	@SuppressWarnings("unchecked")
	private List<Map<String, Object>> properties() throws IOException {
		try (InputStream in = getClass().getClassLoader()
			.getResourceAsStream("META-INF/spring-configuration-metadata.json")) {
			assertThat(in).as("the generated metadata").isNotNull();
			Map<String, Object> metadata = JsonParserFactory.getJsonParser()
				.parseMap(new String(in.readAllBytes(), StandardCharsets.UTF_8));
			return (List<Map<String, Object>>) metadata.get("properties");
		}
	}

}
