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

import java.util.Set;

import org.springframework.boot.actuate.endpoint.EndpointId;
import org.springframework.boot.actuate.endpoint.OperationType;
import org.springframework.boot.actuate.endpoint.invoke.OperationInvoker;
import org.springframework.boot.actuate.endpoint.invoke.OperationInvokerAdvisor;
import org.springframework.boot.actuate.endpoint.invoke.OperationParameters;

import io.github.bullmqmetrics.micrometer.SnapshotCache;

/**
 * Makes each read of the {@code prometheus} and {@code metrics} endpoints one scrape: all
 * bullmq meters it reads come from the same snapshot, and the snapshot is fetched, if
 * due, before the endpoint starts collecting.
 *
 * @author bullmq-metrics authors
 */
class BullMqScrapeAdvisor implements OperationInvokerAdvisor {

	private static final Set<EndpointId> SCRAPED = Set.of(EndpointId.of("prometheus"), EndpointId.of("metrics"));

	private final SnapshotCache snapshotCache;

	BullMqScrapeAdvisor(SnapshotCache snapshotCache) {
		this.snapshotCache = snapshotCache;
	}

	@Override
	public OperationInvoker apply(EndpointId endpointId, OperationType operationType, OperationParameters parameters,
			OperationInvoker invoker) {
		if (operationType != OperationType.READ || !SCRAPED.contains(endpointId)) {
			return invoker;
		}
		return (context) -> this.snapshotCache.withinScrape(() -> invoker.invoke(context));
	}

}
