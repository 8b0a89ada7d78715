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

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.junit.jupiter.api.Assumptions;

/**
 * Finds the tools the tests need (redis-server, node, promtool) and decides what a
 * missing one means: a skipped test on a developer's machine, a failure on CI.
 *
 * @author bullmq-metrics authors
 */
final class Prerequisites {

	private Prerequisites() {
	}

	/**
	 * Whether the build runs on CI, where a missing tool must fail the build instead of
	 * skipping tests.
	 * @return whether the environment variable {@code CI} is {@code true}
	 */
	static boolean onCi() {
		return "true".equalsIgnoreCase(System.getenv("CI"));
	}

	/**
	 * Find an executable on the {@code PATH}.
	 * @param name the executable's name, for example {@code redis-server}
	 * @return its path, or empty when it is not on the {@code PATH}
	 */
	static Optional<Path> findExecutable(String name) {
		String path = System.getenv("PATH");
		if (path == null) {
			return Optional.empty();
		}
		for (String directory : path.split(File.pathSeparator)) {
			if (directory.isEmpty()) {
				continue;
			}
			Path candidate = Path.of(directory, name);
			if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
				return Optional.of(candidate);
			}
		}
		return Optional.empty();
	}

	/**
	 * Stop the current test because a tool is missing: abort it (skipped) on a
	 * developer's machine, fail it on CI.
	 * @param message what is missing and how to get it
	 * @return never returns normally; declared so callers can write {@code throw}
	 */
	static AssertionError missing(String message) {
		if (onCi()) {
			throw new AssertionError(message + " (CI=true, so this fails instead of skipping)");
		}
		Assumptions.abort(message);
		throw new AssertionError(message);
	}

}
