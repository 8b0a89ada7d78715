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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

import io.github.bullmqmetrics.micrometer.BullMqMeters;

/**
 * Configuration properties for exporting BullMQ metrics. They validate themselves when
 * bound, so a wrong configuration fails start-up with a message naming the property.
 *
 * @author bullmq-metrics authors
 */
@ConfigurationProperties(prefix = "bullmq", ignoreUnknownFields = false)
public class BullMqProperties implements Validator {

	private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

	private static final Set<String> RESERVED_TAGS = Set.of(BullMqMeters.QUEUE, BullMqMeters.STATE, BullMqMeters.CAUSE,
			BullMqMeters.OUTCOME, BullMqMeters.REASON);

	/**
	 * Names of the BullMQ queues to export. When empty, every queue under the prefix is
	 * discovered.
	 */
	private List<String> queues = new ArrayList<>();

	/**
	 * Key prefix that BullMQ uses, the 'prefix' option of its Queue and Worker.
	 */
	private String prefix = "bull";

	private final Metrics metrics = new Metrics();

	private final Discovery discovery = new Discovery();

	private final Health health = new Health();

	public List<String> getQueues() {
		return this.queues;
	}

	public void setQueues(List<String> queues) {
		this.queues = queues;
	}

	public String getPrefix() {
		return this.prefix;
	}

	public void setPrefix(String prefix) {
		this.prefix = prefix;
	}

	public Metrics getMetrics() {
		return this.metrics;
	}

	public Discovery getDiscovery() {
		return this.discovery;
	}

	public Health getHealth() {
		return this.health;
	}

	@Override
	public boolean supports(Class<?> type) {
		return BullMqProperties.class.isAssignableFrom(type);
	}

	@Override
	public void validate(Object target, Errors errors) {
		BullMqProperties properties = (BullMqProperties) target;
		Set<String> seen = new HashSet<>();
		for (int i = 0; i < properties.getQueues().size(); i++) {
			String queue = properties.getQueues().get(i);
			String field = "queues[" + i + "]";
			if (queue == null || queue.isBlank()) {
				errors.rejectValue(field, "blank", "bullmq." + field + " must not be empty or blank");
			}
			else if (queue.contains(":")) {
				errors.rejectValue(field, "colon", "bullmq." + field
						+ " must not contain ':' (BullMQ 5 and later refuse such names, and the keys would be ambiguous)");
			}
			else if (!seen.add(queue)) {
				errors.rejectValue(field, "duplicate",
						"bullmq." + field + " lists the queue '" + queue + "' a second time");
			}
		}
		if (properties.getPrefix() == null || properties.getPrefix().isBlank()) {
			errors.rejectValue("prefix", "blank",
					"bullmq.prefix must not be empty or blank (BullMQ's default is 'bull')");
		}
		properties.getMetrics().validate(errors);
		properties.getDiscovery().validate(errors);
	}

	/**
	 * How BullMQ's queue state is exported as metrics.
	 */
	public static class Metrics {

		/**
		 * Whether to export BullMQ metrics.
		 */
		private boolean enabled = true;

		/**
		 * Tags added to every bullmq meter, like the 'globalVariables' of BullMQ's
		 * exportPrometheusMetrics. Names must be valid Prometheus label names.
		 */
		private Map<String, String> tags = new LinkedHashMap<>();

		/**
		 * How long a read of Redis is reused. Any number of scrapes within it cost one
		 * read.
		 */
		private Duration cacheTtl = Duration.ofSeconds(5);

		/**
		 * Longest time a scrape waits for Redis. A scrape that waits longer reports the
		 * job counts as NaN and bullmq_exporter_up as 0.
		 */
		private Duration timeout = Duration.ofSeconds(2);

		private final Workers workers = new Workers();

		private final Durations durations = new Durations();

		public Workers getWorkers() {
			return this.workers;
		}

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public Map<String, String> getTags() {
			return this.tags;
		}

		public void setTags(Map<String, String> tags) {
			this.tags = tags;
		}

		public Duration getCacheTtl() {
			return this.cacheTtl;
		}

		public void setCacheTtl(Duration cacheTtl) {
			this.cacheTtl = cacheTtl;
		}

		public Duration getTimeout() {
			return this.timeout;
		}

		public void setTimeout(Duration timeout) {
			this.timeout = timeout;
		}

		public Durations getDurations() {
			return this.durations;
		}

		void validate(Errors errors) {
			this.tags.forEach((name, value) -> {
				String field = "metrics.tags[" + name + "]";
				if (!LABEL_NAME.matcher(name).matches() || name.startsWith("__")) {
					errors.reject("tagName", "Invalid tag name '" + name + "' under bullmq.metrics.tags: a tag name "
							+ "must be a valid Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*, not starting with '__'); "
							+ "bullmq-metrics never renames tags");
				}
				else if (RESERVED_TAGS.contains(name)) {
					errors.reject("tagName", "Invalid tag name '" + name + "' under bullmq.metrics.tags: '" + name
							+ "' is set by bullmq-metrics itself");
				}
				else if (value == null) {
					errors.rejectValue(field, "null", "bullmq." + field + " must have a value");
				}
			});
			if (this.cacheTtl == null || this.cacheTtl.isNegative()) {
				errors.rejectValue("metrics.cacheTtl", "negative", "bullmq.metrics.cache-ttl must not be negative");
			}
			if (this.timeout == null || this.timeout.isNegative() || this.timeout.isZero()) {
				errors.rejectValue("metrics.timeout", "notPositive", "bullmq.metrics.timeout must be positive");
			}
			this.durations.validate(errors);
		}

		/**
		 * How the wait and processing times of finished jobs are measured, from BullMQ's
		 * completed and failed sets, in the background.
		 */
		public static class Durations {

			/**
			 * Whether to measure the wait and processing times of finished jobs.
			 */
			private boolean enabled = true;

			/**
			 * How long to wait between two reads of the jobs that finished. Jobs are read
			 * on this schedule, not when scraped, so sparse scrapes lose nothing; keep it
			 * short enough that BullMQ's removeOnComplete or removeOnFail count does not
			 * remove jobs before they are read.
			 */
			private Duration interval = Duration.ofSeconds(15);

			/**
			 * Most finished jobs to read per queue and outcome in one read. When more
			 * finished since the last read, the newest are read and the rest are counted
			 * as missed.
			 */
			private int maxJobsPerRead = 1000;

			public boolean isEnabled() {
				return this.enabled;
			}

			public void setEnabled(boolean enabled) {
				this.enabled = enabled;
			}

			public Duration getInterval() {
				return this.interval;
			}

			public void setInterval(Duration interval) {
				this.interval = interval;
			}

			public int getMaxJobsPerRead() {
				return this.maxJobsPerRead;
			}

			public void setMaxJobsPerRead(int maxJobsPerRead) {
				this.maxJobsPerRead = maxJobsPerRead;
			}

			void validate(Errors errors) {
				if (this.interval == null || this.interval.isNegative() || this.interval.isZero()) {
					errors.rejectValue("metrics.durations.interval", "notPositive",
							"bullmq.metrics.durations.interval must be positive");
				}
				if (this.maxJobsPerRead < 1) {
					errors.rejectValue("metrics.durations.maxJobsPerRead", "notPositive",
							"bullmq.metrics.durations.max-jobs-per-read must be at least 1");
				}
			}

		}

	}

	/**
	 * How the workers of each queue are counted.
	 */
	public static class Workers {

		/**
		 * Whether to export the number of workers of each queue, read with one CLIENT
		 * LIST per Redis node and read (the ACL user needs +client|list).
		 */
		private boolean enabled = true;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

	}

	/**
	 * How the {@code bullmq} health contributor reports a failed read.
	 */
	public static class Health {

		/**
		 * Whether the bullmq health contributor reports DOWN when Redis cannot be read,
		 * which turns the application's overall health DOWN (HTTP 503). When false, it
		 * reports UNKNOWN, which leaves the overall status as the other contributors make
		 * it.
		 */
		private boolean downOnFailure;

		public boolean isDownOnFailure() {
			return this.downOnFailure;
		}

		public void setDownOnFailure(boolean downOnFailure) {
			this.downOnFailure = downOnFailure;
		}

	}

	/**
	 * How queues are found when none are listed.
	 */
	public static class Discovery {

		/**
		 * Glob patterns ('*' and '?') of the queue names to export. When empty, every
		 * discovered queue is exported.
		 */
		private List<String> include = new ArrayList<>();

		/**
		 * Glob patterns ('*' and '?') of the queue names not to export.
		 */
		private List<String> exclude = new ArrayList<>();

		/**
		 * How often discovery runs again, in the background, to find new queues and
		 * forget vanished ones.
		 */
		private Duration interval = Duration.ofSeconds(60);

		/**
		 * Most queues to export. Beyond it, the first queues by name are exported and a
		 * warning is logged.
		 */
		private int maxQueues = 10_000;

		public List<String> getInclude() {
			return this.include;
		}

		public void setInclude(List<String> include) {
			this.include = include;
		}

		public List<String> getExclude() {
			return this.exclude;
		}

		public void setExclude(List<String> exclude) {
			this.exclude = exclude;
		}

		public Duration getInterval() {
			return this.interval;
		}

		public void setInterval(Duration interval) {
			this.interval = interval;
		}

		public int getMaxQueues() {
			return this.maxQueues;
		}

		public void setMaxQueues(int maxQueues) {
			this.maxQueues = maxQueues;
		}

		void validate(Errors errors) {
			if (this.interval == null || this.interval.isNegative() || this.interval.isZero()) {
				errors.rejectValue("discovery.interval", "notPositive", "bullmq.discovery.interval must be positive");
			}
			if (this.maxQueues < 1) {
				errors.rejectValue("discovery.maxQueues", "notPositive",
						"bullmq.discovery.max-queues must be at least 1");
			}
		}

	}

}
