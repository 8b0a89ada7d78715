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

package io.github.bullmqmetrics.test;

import java.util.List;
import java.util.function.Function;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts one {@link RedisServer} before all tests of a class and closes it after them:
 *
 * <pre class="code">
 * &#064;RegisterExtension
 * static final RedisServerExtension redis = RedisServerExtension.start();
 *
 * &#064;Test
 * void test() {
 *     String url = redis.server().url();
 * }
 * </pre>
 *
 * Register it on a {@code static} field: on an instance field JUnit never calls
 * {@link #beforeAll}, and {@link #server()} says so. {@code @Nested} classes share the
 * enclosing class's server. A missing {@code redis-server} skips the class, or fails it
 * on CI, as {@link RedisServer#start(String...)} does.
 *
 * @author bullmq-metrics authors
 */
public final class RedisServerExtension implements BeforeAllCallback, AfterAllCallback {

	private final Function<String[], RedisServer> starter;

	private final List<String> extraArgs;

	private int depth;

	private volatile RedisServer server;

	private RedisServerExtension(Function<String[], RedisServer> starter, String[] extraArgs) {
		this.starter = starter;
		this.extraArgs = List.of(extraArgs);
	}

	/**
	 * Start the server with {@link RedisServer#start(String...)}: a container when Docker
	 * is available, otherwise a local {@code redis-server}.
	 * @param extraArgs extra {@code redis-server} arguments, for example
	 * {@code "--requirepass", "secret"}
	 * @return the extension, to register with {@code @RegisterExtension}
	 */
	public static RedisServerExtension start(String... extraArgs) {
		return new RedisServerExtension(RedisServer::start, extraArgs);
	}

	/**
	 * Start the server with {@link RedisServer#startLocal(String...)}: always a local
	 * {@code redis-server}, for test classes that {@link RedisServer#stop()} or
	 * {@link RedisServer#restart()} it.
	 * @param extraArgs extra {@code redis-server} arguments
	 * @return the extension, to register with {@code @RegisterExtension}
	 */
	public static RedisServerExtension startLocal(String... extraArgs) {
		return new RedisServerExtension(RedisServer::startLocal, extraArgs);
	}

	/**
	 * Return the running server.
	 * @return the server started for the current test class
	 * @throws IllegalStateException outside the class's tests, or when the extension is
	 * not registered on a {@code static} field
	 */
	public RedisServer server() {
		RedisServer running = this.server;
		if (running == null) {
			throw new IllegalStateException("No Redis server is running: register the RedisServerExtension with "
					+ "@RegisterExtension on a static field, and use server() only in the class's tests");
		}
		return running;
	}

	/**
	 * Start the server, unless an enclosing class started it already.
	 * @param context the class's context
	 */
	@Override
	public synchronized void beforeAll(ExtensionContext context) {
		if (this.depth == 0) {
			this.server = this.starter.apply(this.extraArgs.toArray(String[]::new));
		}
		this.depth++;
	}

	/**
	 * Close the server after the class that started it.
	 * @param context the class's context
	 */
	@Override
	public synchronized void afterAll(ExtensionContext context) {
		if (this.depth == 0) {
			// beforeAll failed, for example because redis-server is missing.
			return;
		}
		this.depth--;
		if (this.depth == 0) {
			RedisServer running = this.server;
			this.server = null;
			running.close();
		}
	}

	@Override
	public String toString() {
		RedisServer running = this.server;
		return "RedisServerExtension[" + ((running != null) ? running : "not running") + "]";
	}

}
