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

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.context.annotation.Bean;

import io.github.bullmqmetrics.micrometer.SnapshotCache;

/**
 * Auto-configuration of the {@code bullmq} health contributor for Spring Boot 4, whose
 * health API lives in {@code org.springframework.boot.health}. On Spring Boot 3.5 that
 * API is absent and {@code BullMqBoot3HealthContributorAutoConfiguration} contributes the
 * same health through Actuator's own API instead.
 *
 * @author bullmq-metrics authors
 */
@AutoConfiguration(after = BullMqMetricsAutoConfiguration.class)
@ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
@ConditionalOnBean(SnapshotCache.class)
@ConditionalOnEnabledHealthIndicator("bullmq")
public final class BullMqHealthContributorAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(name = "bullmqHealthIndicator")
	BullMqHealthIndicator bullmqHealthIndicator(SnapshotCache snapshotCache, BullMqProperties properties) {
		return new BullMqHealthIndicator(snapshotCache, properties.getHealth().isDownOnFailure());
	}

}
