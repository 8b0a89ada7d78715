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
package io.github.bullmqmetrics.autoconfigure.boot3;

import org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

import io.github.bullmqmetrics.autoconfigure.BullMqMetricsAutoConfiguration;
import io.github.bullmqmetrics.autoconfigure.BullMqProperties;
import io.github.bullmqmetrics.micrometer.SnapshotCache;

/**
 * Auto-configuration of the {@code bullmq} health contributor for Spring Boot 3.5, whose
 * health API lives in Actuator's {@code org.springframework.boot.actuate.health}. Spring
 * Boot 4 has no such package, so there this backs off and
 * {@code BullMqHealthContributorAutoConfiguration} contributes the health instead.
 * <p>
 * Compiled against Spring Boot 3.5 in a module of its own and shipped in the same jar as
 * the rest of the auto-configuration.
 *
 * @author bullmq-metrics authors
 */
@AutoConfiguration(after = BullMqMetricsAutoConfiguration.class)
@ConditionalOnClass(name = "org.springframework.boot.actuate.health.HealthIndicator")
@ConditionalOnBean(SnapshotCache.class)
@ConditionalOnEnabledHealthIndicator("bullmq")
public final class BullMqBoot3HealthContributorAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(name = "bullmqHealthIndicator")
	BullMqBoot3HealthIndicator bullmqHealthIndicator(SnapshotCache snapshotCache, BullMqProperties properties) {
		return new BullMqBoot3HealthIndicator(snapshotCache, properties.getHealth().isDownOnFailure());
	}

}
