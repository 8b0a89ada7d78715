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

import java.net.URI;
import java.net.URISyntaxException;

import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.RedisNode;
import org.springframework.util.StringUtils;

/**
 * A {@code redis://} or {@code rediss://} URL, read the way Spring Boot reads
 * {@code spring.data.redis.url}: user info is {@code [username]:password} (or the
 * password alone), the path is the database, and {@code rediss} means SSL.
 *
 * @param host the host
 * @param port the port, 6379 when the URL has none
 * @param username the username, or {@code null}
 * @param password the password, or {@code null}
 * @param database the database index
 * @param ssl whether the scheme is {@code rediss}
 * @author bullmq-metrics authors
 */
record RedisUrl(String host, int port, @Nullable String username, @Nullable String password, int database,
		boolean ssl) {

	private static final int DEFAULT_PORT = 6379;

	/**
	 * Parse a URL.
	 * @param url the URL
	 * @return the parts
	 * @throws IllegalArgumentException when it is not a Redis URL, with a reason that
	 * completes a sentence starting with the property's name and never repeats a password
	 */
	static RedisUrl parse(String url) {
		URI uri;
		try {
			uri = new URI(url);
		}
		catch (URISyntaxException ex) {
			throw new IllegalArgumentException("is not a valid URL: " + ex.getReason());
		}
		String scheme = uri.getScheme();
		if (!"redis".equals(scheme) && !"rediss".equals(scheme)) {
			throw new IllegalArgumentException("must start with redis:// or rediss://");
		}
		if (!StringUtils.hasText(uri.getHost())) {
			throw new IllegalArgumentException("has no host");
		}
		int database = 0;
		String path = uri.getPath();
		if (StringUtils.hasText(path) && !path.equals("/")) {
			try {
				database = Integer.parseInt(path.substring(1));
			}
			catch (NumberFormatException ex) {
				throw new IllegalArgumentException("must end with a database number, as in /0, or no path at all");
			}
		}
		String username = null;
		String password = null;
		String userInfo = uri.getUserInfo();
		if (userInfo != null) {
			int colon = userInfo.indexOf(':');
			username = (colon != -1) ? userInfo.substring(0, colon) : null;
			password = (colon != -1) ? userInfo.substring(colon + 1) : userInfo;
		}
		int port = (uri.getPort() != -1) ? uri.getPort() : DEFAULT_PORT;
		return new RedisUrl(uri.getHost(), port, StringUtils.hasLength(username) ? username : null, password, database,
				"rediss".equals(scheme));
	}

	/**
	 * Parse a {@code host:port} pair, as in {@code spring.data.redis.cluster.nodes}.
	 * @param node the pair
	 * @return the node, or {@code null} when it is not a pair with a valid port
	 */
	static @Nullable RedisNode node(@Nullable String node) {
		int colon = (node != null) ? node.lastIndexOf(':') : -1;
		if (node == null || colon < 1) {
			return null;
		}
		try {
			int port = Integer.parseInt(node.substring(colon + 1));
			return (port >= 1 && port <= 65535) ? new RedisNode(node.substring(0, colon), port) : null;
		}
		catch (NumberFormatException ex) {
			return null;
		}
	}

}
