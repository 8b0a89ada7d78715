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

import java.util.List;
import java.util.Objects;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.ssl.SslOptions;
import org.springframework.data.redis.connection.RedisClusterConfiguration;
import org.springframework.data.redis.connection.RedisNode;
import org.springframework.data.redis.connection.RedisPassword;
import org.springframework.data.redis.connection.RedisSentinelConfiguration;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration.LettuceClientConfigurationBuilder;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.util.StringUtils;

/**
 * Builds the {@link LettuceConnectionFactory} of BullMQ's own Redis from
 * {@code bullmq.redis.*}, with the meaning Spring Boot gives {@code spring.data.redis.*}:
 * the URL overrides host, port, username, password and database; {@code rediss://} or
 * {@code ssl.enabled} turn SSL on; an SSL bundle gives the certificates to trust (and the
 * client's own); Sentinel wins over a cluster. It uses only Spring Data Redis and
 * Lettuce, not Spring Boot's Redis classes, which are named differently in each Boot
 * generation.
 * <p>
 * Unlike Spring Boot's own factory, a cluster's topology is refreshed on Lettuce's
 * adaptive triggers (a redirect, a lost node), so that the exporter follows a failover by
 * itself.
 *
 * @author bullmq-metrics authors
 */
final class SeparateRedisFactoryBuilder {

	private static final String DEFAULT_HOST = "localhost";

	private static final int DEFAULT_PORT = 6379;

	private final BullMqProperties.Redis properties;

	private final @Nullable SslBundles sslBundles;

	/**
	 * Create a builder.
	 * @param properties the {@code bullmq.redis} properties, which must say where Redis
	 * is ({@link BullMqProperties.Redis#isSeparate()})
	 * @param sslBundles the application's SSL bundles, or {@code null} when it has none
	 */
	SeparateRedisFactoryBuilder(BullMqProperties.Redis properties, @Nullable SslBundles sslBundles) {
		this.properties = properties;
		this.sslBundles = sslBundles;
	}

	/**
	 * Build the factory, not yet started.
	 * @return a new factory that its caller owns
	 */
	LettuceConnectionFactory build() {
		String text = this.properties.getUrl();
		RedisUrl url = StringUtils.hasText(text) ? RedisUrl.parse(text) : null;
		LettuceClientConfiguration client = clientConfiguration(url);
		BullMqProperties.Sentinel sentinel = this.properties.getSentinel();
		if (StringUtils.hasText(sentinel.getMaster())) {
			return new LettuceConnectionFactory(sentinelConfiguration(url, sentinel), client);
		}
		if (!this.properties.getCluster().getNodes().isEmpty()) {
			return new LettuceConnectionFactory(clusterConfiguration(url), client);
		}
		return new LettuceConnectionFactory(standaloneConfiguration(url), client);
	}

	private RedisStandaloneConfiguration standaloneConfiguration(@Nullable RedisUrl url) {
		RedisStandaloneConfiguration configuration = new RedisStandaloneConfiguration();
		if (url != null) {
			configuration.setHostName(url.host());
			configuration.setPort(url.port());
		}
		else {
			String host = this.properties.getHost();
			configuration.setHostName(StringUtils.hasText(host) ? host : DEFAULT_HOST);
			configuration.setPort(Objects.requireNonNullElse(this.properties.getPort(), DEFAULT_PORT));
		}
		configuration.setDatabase(database(url));
		configuration.setUsername(username(url));
		configuration.setPassword(RedisPassword.of(password(url)));
		return configuration;
	}

	private RedisSentinelConfiguration sentinelConfiguration(@Nullable RedisUrl url,
			BullMqProperties.Sentinel sentinel) {
		RedisSentinelConfiguration configuration = new RedisSentinelConfiguration();
		configuration.master(Objects.requireNonNull(sentinel.getMaster()));
		configuration.setSentinels(nodes(sentinel.getNodes()));
		configuration.setDatabase(database(url));
		configuration.setUsername(username(url));
		configuration.setPassword(RedisPassword.of(password(url)));
		configuration.setSentinelUsername(sentinel.getUsername());
		configuration.setSentinelPassword(RedisPassword.of(sentinel.getPassword()));
		return configuration;
	}

	private RedisClusterConfiguration clusterConfiguration(@Nullable RedisUrl url) {
		RedisClusterConfiguration configuration = new RedisClusterConfiguration();
		configuration.setClusterNodes(nodes(this.properties.getCluster().getNodes()));
		configuration.setUsername(username(url));
		configuration.setPassword(RedisPassword.of(password(url)));
		return configuration;
	}

	private LettuceClientConfiguration clientConfiguration(@Nullable RedisUrl url) {
		LettuceClientConfigurationBuilder builder = LettuceClientConfiguration.builder();
		SslBundle bundle = sslBundle();
		if (this.properties.getSsl().isEnabled() || (url != null && url.ssl())) {
			builder.useSsl();
		}
		if (this.properties.getTimeout() != null) {
			builder.commandTimeout(this.properties.getTimeout());
		}
		builder.clientOptions(clientOptions(bundle));
		return builder.build();
	}

	private ClientOptions clientOptions(@Nullable SslBundle bundle) {
		ClientOptions.Builder options = this.properties.getCluster().getNodes().isEmpty() ? ClientOptions.builder()
				: ClusterClientOptions.builder()
					.topologyRefreshOptions(
							ClusterTopologyRefreshOptions.builder().enableAllAdaptiveRefreshTriggers().build());
		if (this.properties.getConnectTimeout() != null) {
			options.socketOptions(SocketOptions.builder().connectTimeout(this.properties.getConnectTimeout()).build());
		}
		if (bundle != null) {
			io.lettuce.core.SslOptions.Builder ssl = io.lettuce.core.SslOptions.builder()
				.keyManager(bundle.getManagers().getKeyManagerFactory())
				.trustManager(bundle.getManagers().getTrustManagerFactory());
			SslOptions sslOptions = bundle.getOptions();
			if (sslOptions.getCiphers() != null) {
				ssl.cipherSuites(sslOptions.getCiphers());
			}
			if (sslOptions.getEnabledProtocols() != null) {
				ssl.protocols(sslOptions.getEnabledProtocols());
			}
			options.sslOptions(ssl.build());
		}
		options.timeoutOptions(TimeoutOptions.enabled());
		return options.build();
	}

	/**
	 * Return the bundle named by {@code bullmq.redis.ssl.bundle} when SSL is on, failing
	 * with the property's name when there is no such bundle.
	 */
	private @Nullable SslBundle sslBundle() {
		BullMqProperties.Ssl ssl = this.properties.getSsl();
		String name = ssl.getBundle();
		if (!ssl.isEnabled() || !StringUtils.hasText(name)) {
			return null;
		}
		if (this.sslBundles == null) {
			throw new InvalidConfigurationPropertyValueException("bullmq.redis.ssl.bundle", name,
					"The application has no SSL bundles (Spring Boot's SslAutoConfiguration did not run)");
		}
		try {
			return this.sslBundles.getBundle(name);
		}
		catch (NoSuchSslBundleException ex) {
			// The constructor with a cause is not public in Spring Boot 3.5.
			throw new InvalidConfigurationPropertyValueException("bullmq.redis.ssl.bundle", name,
					"No SSL bundle has this name: define it under spring.ssl.bundle.pem." + name
							+ " or spring.ssl.bundle.jks." + name);
		}
	}

	private int database(@Nullable RedisUrl url) {
		return (url != null) ? url.database() : this.properties.getDatabase();
	}

	private @Nullable String username(@Nullable RedisUrl url) {
		return (url != null) ? url.username() : this.properties.getUsername();
	}

	private @Nullable String password(@Nullable RedisUrl url) {
		return (url != null) ? url.password() : this.properties.getPassword();
	}

	private static List<RedisNode> nodes(List<String> nodes) {
		return nodes.stream().map((node) -> Objects.requireNonNull(RedisUrl.node(node), node)).toList();
	}

}
