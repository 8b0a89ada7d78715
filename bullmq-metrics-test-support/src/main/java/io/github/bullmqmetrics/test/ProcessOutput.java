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

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Reads what a child process writes, in the background, on threads of its own.
 * <p>
 * Never on the common fork-join pool: on a 2-core machine it has one worker, and a read
 * that blocks until the process ends would starve whatever else needs that pool, such as
 * Lettuce completing a connection (seen on Java 25, where the pool no longer makes up for
 * the blocked worker).
 *
 * @author bullmq-metrics authors
 */
public final class ProcessOutput {

	private static final ExecutorService READERS = Executors.newCachedThreadPool((runnable) -> {
		Thread thread = new Thread(runnable, "process-output");
		thread.setDaemon(true);
		return thread;
	});

	private ProcessOutput() {
	}

	/**
	 * Read a stream to its end, as UTF-8, in the background.
	 * @param stream the stream, closed at the end
	 * @return the text, once the stream ends
	 */
	public static CompletableFuture<String> readAsync(InputStream stream) {
		return CompletableFuture.supplyAsync(() -> {
			try (stream) {
				return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}, READERS);
	}

}
