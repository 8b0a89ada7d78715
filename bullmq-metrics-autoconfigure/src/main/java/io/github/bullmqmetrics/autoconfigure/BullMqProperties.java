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
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.env.Environment;
import org.springframework.util.StringUtils;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

import io.github.bullmqmetrics.micrometer.BullMqMeters;

/**
 * Configuration properties for exporting BullMQ metrics. They validate themselves when
 * bound, so a wrong configuration fails start-up with a message naming the property.
 * <p>
 * An unknown {@code bullmq.*} key that is close to a known one (a typo such as
 * {@code bullmq.queue}) fails start-up and names the property meant. Any other unknown
 * key is only warned about, so that an app that sets a property of a newer version of
 * this starter still starts with an older one.
 *
 * @author bullmq-metrics authors
 */
@ConfigurationProperties(prefix = "bullmq")
public class BullMqProperties implements Validator, EnvironmentAware {

	private static final Log logger = LogFactory.getLog(BullMqProperties.class);

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

	private final Redis redis = new Redis();

	private @Nullable Environment environment;

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

	public Redis getRedis() {
		return this.redis;
	}

	@Override
	public void setEnvironment(Environment environment) {
		this.environment = environment;
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
		properties.getRedis().validate(errors);
		if (properties.environment != null) {
			checkUnknownProperties(properties.environment, errors);
		}
	}

	private static void checkUnknownProperties(Environment environment, Errors errors) {
		KnownProperties known = KnownProperties.load(BullMqProperties.class.getClassLoader());
		ConfigurationPropertyName root = ConfigurationPropertyName.of("bullmq");
		Map<String, String> unknown = new TreeMap<>();
		for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
			if (source instanceof IterableConfigurationPropertySource iterable) {
				iterable.filter(root::isAncestorOf).stream().forEach((name) -> {
					if (!known.isKnown(name.toString())) {
						ConfigurationProperty property = iterable.getConfigurationProperty(name);
						unknown.putIfAbsent(name.toString(), (property != null && property.getOrigin() != null)
								? " (from " + property.getOrigin() + ")" : "");
					}
				});
			}
		}
		List<String> ignored = new ArrayList<>();
		unknown.forEach((name, origin) -> {
			String meant = known.closest(name);
			if (meant != null) {
				errors.reject("unknown",
						"Unknown property '" + name + "'" + origin + ": did you mean '" + meant + "'?");
			}
			else {
				ignored.add(name + origin);
			}
		});
		if (!ignored.isEmpty()) {
			logger.warn("Ignoring bullmq properties that this version of bullmq-metrics does not know (set for a newer "
					+ "version?): " + String.join(", ", ignored) + ". The known ones are: "
					+ String.join(", ", known.names()));
		}
	}

	/**
	 * Reject a duration that is missing, zero or negative, naming the property.
	 * @param errors where to reject it
	 * @param field the field path, for example {@code metrics.timeout}
	 * @param property the property, for example {@code bullmq.metrics.timeout}
	 * @param value the duration
	 */
	static void requirePositive(Errors errors, String field, String property, @Nullable Duration value) {
		if (value == null || value.isNegative() || value.isZero()) {
			errors.rejectValue(field, "notPositive", property + " must be positive");
		}
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

		public Workers getWorkers() {
			return this.workers;
		}

		private final Latency latency = new Latency();

		public Latency getLatency() {
			return this.latency;
		}

		private final Durations durations = new Durations();

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
			requirePositive(errors, "metrics.timeout", "bullmq.metrics.timeout", this.timeout);
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
				requirePositive(errors, "metrics.durations.interval", "bullmq.metrics.durations.interval",
						this.interval);
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
	 * How the latency and overdue jobs of each queue are read.
	 */
	public static class Latency {

		/**
		 * Whether to export the latency and the overdue delayed jobs of each queue. They
		 * are the costliest part of a read: Redis' clock (the ACL user needs +time), the
		 * hashes of the jobs at the front of each queue and the head of its delayed set.
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
			requirePositive(errors, "discovery.interval", "bullmq.discovery.interval", this.interval);
			if (this.maxQueues < 1) {
				errors.rejectValue("discovery.maxQueues", "notPositive",
						"bullmq.discovery.max-queues must be at least 1");
			}
		}

	}

	/**
	 * A Redis of BullMQ's own, apart from the application's
	 * ({@code spring.data.redis.*}). It is used when any of {@code url}, {@code host},
	 * {@code port}, {@code cluster.nodes}, {@code sentinel.master} or
	 * {@code sentinel.nodes} is set; the other properties only say how to connect to it.
	 */
	public static class Redis {

		/**
		 * Connection URL of BullMQ's own Redis, for example
		 * rediss://user:password@jobs.example.com:6380/2. Overrides host, port, username,
		 * password and database; rediss:// turns SSL on.
		 */
		private @Nullable String url;

		/**
		 * Host of BullMQ's own Redis server. When none of url, host, port, cluster.nodes
		 * and sentinel.master is set, BullMQ metrics read the application's Redis
		 * (spring.data.redis.*). Only a port set: localhost.
		 */
		private @Nullable String host;

		/**
		 * Port of BullMQ's own Redis server. Only a host set: 6379.
		 */
		private @Nullable Integer port;

		/**
		 * Login username of BullMQ's own Redis (a Redis ACL user).
		 */
		private @Nullable String username;

		/**
		 * Login password of BullMQ's own Redis.
		 */
		private @Nullable String password;

		/**
		 * Database index of BullMQ's own Redis.
		 */
		private int database;

		/**
		 * Command timeout of the connection to BullMQ's own Redis. A scrape never waits
		 * longer than bullmq.metrics.timeout, whatever this is.
		 */
		private @Nullable Duration timeout;

		/**
		 * Connection timeout of BullMQ's own Redis.
		 */
		private @Nullable Duration connectTimeout;

		private final Ssl ssl = new Ssl();

		private final Cluster cluster = new Cluster();

		private final Sentinel sentinel = new Sentinel();

		public @Nullable String getUrl() {
			return this.url;
		}

		public void setUrl(@Nullable String url) {
			this.url = url;
		}

		public @Nullable String getHost() {
			return this.host;
		}

		public void setHost(@Nullable String host) {
			this.host = host;
		}

		public @Nullable Integer getPort() {
			return this.port;
		}

		public void setPort(@Nullable Integer port) {
			this.port = port;
		}

		public @Nullable String getUsername() {
			return this.username;
		}

		public void setUsername(@Nullable String username) {
			this.username = username;
		}

		public @Nullable String getPassword() {
			return this.password;
		}

		public void setPassword(@Nullable String password) {
			this.password = password;
		}

		public int getDatabase() {
			return this.database;
		}

		public void setDatabase(int database) {
			this.database = database;
		}

		public @Nullable Duration getTimeout() {
			return this.timeout;
		}

		public void setTimeout(@Nullable Duration timeout) {
			this.timeout = timeout;
		}

		public @Nullable Duration getConnectTimeout() {
			return this.connectTimeout;
		}

		public void setConnectTimeout(@Nullable Duration connectTimeout) {
			this.connectTimeout = connectTimeout;
		}

		public Ssl getSsl() {
			return this.ssl;
		}

		public Cluster getCluster() {
			return this.cluster;
		}

		public Sentinel getSentinel() {
			return this.sentinel;
		}

		/**
		 * Whether these properties say where a Redis of BullMQ's own is, so that BullMQ
		 * metrics read it rather than the application's.
		 * @return whether BullMQ has a Redis of its own
		 */
		public boolean isSeparate() {
			return StringUtils.hasText(this.url) || StringUtils.hasText(this.host) || this.port != null
					|| !this.cluster.getNodes().isEmpty() || StringUtils.hasText(this.sentinel.getMaster())
					|| !this.sentinel.getNodes().isEmpty();
		}

		void validate(Errors errors) {
			if (StringUtils.hasText(this.url)) {
				try {
					RedisUrl.parse(this.url);
				}
				catch (IllegalArgumentException ex) {
					// Not rejectValue: Spring Boot would print the value, password
					// included.
					errors.reject("redisUrl", "bullmq.redis.url " + ex.getMessage());
				}
			}
			if (this.port != null && (this.port < 1 || this.port > 65535)) {
				errors.rejectValue("redis.port", "range", "bullmq.redis.port must be between 1 and 65535");
			}
			if (this.database < 0) {
				errors.rejectValue("redis.database", "negative", "bullmq.redis.database must not be negative");
			}
			rejectNonPositive(errors, "timeout", this.timeout);
			rejectNonPositive(errors, "connectTimeout", this.connectTimeout);
			validateNodes(errors, "cluster.nodes", this.cluster.getNodes());
			validateNodes(errors, "sentinel.nodes", this.sentinel.getNodes());
			boolean sentinelMaster = StringUtils.hasText(this.sentinel.getMaster());
			if (sentinelMaster != !this.sentinel.getNodes().isEmpty()) {
				errors.reject("sentinel", sentinelMaster
						? "bullmq.redis.sentinel.master is set but bullmq.redis.sentinel.nodes is not: list the Sentinels"
						: "bullmq.redis.sentinel.nodes is set but bullmq.redis.sentinel.master is not: name the master");
			}
			if (!this.cluster.getNodes().isEmpty() && (sentinelMaster || !this.sentinel.getNodes().isEmpty())) {
				errors.reject("clusterAndSentinel",
						"Set either bullmq.redis.cluster.nodes or bullmq.redis.sentinel.*, not both");
			}
			List<String> unplaced = connectionSettings();
			if (!isSeparate() && !unplaced.isEmpty()) {
				errors.reject("noRedis", String.join(", ", unplaced) + ((unplaced.size() == 1) ? " is" : " are")
						+ " set, but nothing says where BullMQ's own Redis is: set bullmq.redis.url, "
						+ "bullmq.redis.host and bullmq.redis.port, bullmq.redis.cluster.nodes, or "
						+ "bullmq.redis.sentinel.master and bullmq.redis.sentinel.nodes. Without them BullMQ metrics "
						+ "read the application's Redis, configured with spring.data.redis.*");
			}
		}

		/**
		 * Return the names of the properties that say how to connect but not where.
		 */
		private List<String> connectionSettings() {
			List<String> names = new ArrayList<>();
			addIfSet(names, "username", this.username);
			addIfSet(names, "password", this.password);
			addIfSet(names, "database", (this.database != 0) ? this.database : null);
			addIfSet(names, "timeout", this.timeout);
			addIfSet(names, "connect-timeout", this.connectTimeout);
			addIfSet(names, "ssl.enabled", Boolean.TRUE.equals(this.ssl.enabled) ? true : null);
			addIfSet(names, "ssl.bundle", this.ssl.getBundle());
			addIfSet(names, "sentinel.username", this.sentinel.getUsername());
			addIfSet(names, "sentinel.password", this.sentinel.getPassword());
			return names;
		}

		private static void addIfSet(List<String> names, String name, @Nullable Object value) {
			if (value != null && !"".equals(value)) {
				names.add("bullmq.redis." + name);
			}
		}

		private static void rejectNonPositive(Errors errors, String field, @Nullable Duration value) {
			if (value != null && (value.isNegative() || value.isZero())) {
				String name = field.replaceAll("([A-Z])", "-$1").toLowerCase(Locale.ROOT);
				errors.rejectValue("redis." + field, "notPositive", "bullmq.redis." + name + " must be positive");
			}
		}

		private static void validateNodes(Errors errors, String field, List<String> nodes) {
			for (int i = 0; i < nodes.size(); i++) {
				String node = nodes.get(i);
				if (RedisUrl.node(node) == null) {
					errors.rejectValue("redis." + field + "[" + i + "]", "invalid", "bullmq.redis." + field + "[" + i
							+ "] must be host:port with a port between 1 and 65535, got '" + node + "'");
				}
			}
		}

	}

	/**
	 * SSL (TLS) to BullMQ's own Redis.
	 */
	public static class Ssl {

		/**
		 * Whether to connect to BullMQ's own Redis over SSL (TLS). Setting a bundle turns
		 * it on unless this is false.
		 */
		private @Nullable Boolean enabled;

		/**
		 * Name of the SSL bundle (spring.ssl.bundle.*) with the certificates to trust,
		 * and the client's key and certificate when Redis asks for one. Without a bundle,
		 * the JVM's default trust store is used.
		 */
		private @Nullable String bundle;

		/**
		 * Whether SSL is on: as set, or else whether a bundle is named.
		 * @return whether SSL is on
		 */
		public boolean isEnabled() {
			return (this.enabled != null) ? this.enabled : StringUtils.hasText(this.bundle);
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public @Nullable String getBundle() {
			return this.bundle;
		}

		public void setBundle(@Nullable String bundle) {
			this.bundle = bundle;
		}

	}

	/**
	 * BullMQ's own Redis Cluster.
	 */
	public static class Cluster {

		/**
		 * Seed nodes of BullMQ's own Redis Cluster, as host:port pairs. One that answers
		 * is enough.
		 */
		private List<String> nodes = new ArrayList<>();

		public List<String> getNodes() {
			return this.nodes;
		}

		public void setNodes(List<String> nodes) {
			this.nodes = nodes;
		}

	}

	/**
	 * BullMQ's own Redis behind Redis Sentinel.
	 */
	public static class Sentinel {

		/**
		 * Name of the Redis master that the Sentinels watch.
		 */
		private @Nullable String master;

		/**
		 * Sentinels of BullMQ's own Redis, as host:port pairs.
		 */
		private List<String> nodes = new ArrayList<>();

		/**
		 * Login username for the Sentinels themselves.
		 */
		private @Nullable String username;

		/**
		 * Login password for the Sentinels themselves.
		 */
		private @Nullable String password;

		public @Nullable String getMaster() {
			return this.master;
		}

		public void setMaster(@Nullable String master) {
			this.master = master;
		}

		public List<String> getNodes() {
			return this.nodes;
		}

		public void setNodes(List<String> nodes) {
			this.nodes = nodes;
		}

		public @Nullable String getUsername() {
			return this.username;
		}

		public void setUsername(@Nullable String username) {
			this.username = username;
		}

		public @Nullable String getPassword() {
			return this.password;
		}

		public void setPassword(@Nullable String password) {
			this.password = password;
		}

	}

}
