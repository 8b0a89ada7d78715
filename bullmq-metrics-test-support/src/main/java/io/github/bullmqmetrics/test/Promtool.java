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
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs Prometheus' own {@code promtool check metrics} on exposition text: the strictest
 * check there is that a scrape would be accepted. It rejects a missing final newline and
 * repeated HELP or TYPE lines (exit code 1), and also lints names: a gauge named
 * {@code bullmq_job_count}, as BullMQ's own, gets "should not have _count suffix" (exit
 * code 3). {@link Result#parsed()} ignores the lint.
 *
 * @author bullmq-metrics authors
 */
public final class Promtool {

	private static final long TIMEOUT_SECONDS = 30;

	private Promtool() {
	}

	/**
	 * The outcome of one check.
	 *
	 * @param exitCode {@code 0} when the text is valid and lint-free, {@code 3} when it
	 * parses but has lint problems, {@code 1} when it does not parse
	 * @param output what promtool printed, stdout and stderr together
	 */
	public record Result(int exitCode, String output) {

		private static final int LINT_PROBLEMS = 3;

		/**
		 * Whether promtool accepted the text without any lint problem.
		 * @return whether the exit code is {@code 0}
		 */
		public boolean passed() {
			return this.exitCode == 0;
		}

		/**
		 * Whether the text parses, lint problems (such as a gauge with a {@code _count}
		 * suffix) aside.
		 * @return whether the exit code is {@code 0} or {@code 3}
		 */
		public boolean parsed() {
			return this.exitCode == 0 || this.exitCode == LINT_PROBLEMS;
		}

	}

	/**
	 * Abort the current test when {@code promtool} is not on the {@code PATH} (fail it
	 * instead on CI, where {@code CI=true}).
	 */
	public static void assumeAvailable() {
		executable();
	}

	/**
	 * Run {@code promtool check metrics} with the text on stdin.
	 * @param text the exposition text
	 * @return the exit code and output
	 */
	public static Result checkMetrics(String text) {
		Process process;
		try {
			process = new ProcessBuilder(executable().toString(), "check", "metrics").redirectErrorStream(true).start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not start promtool", ex);
		}
		CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
			try {
				return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		});
		try (OutputStream stdin = process.getOutputStream()) {
			stdin.write(text.getBytes(StandardCharsets.UTF_8));
		}
		catch (IOException ex) {
			// promtool stopped reading early; its exit code and output tell why.
		}
		try {
			if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
				process.destroyForcibly();
				throw new IllegalStateException("promtool check metrics did not finish in " + TIMEOUT_SECONDS + " s");
			}
			return new Result(process.exitValue(), output.get(10, TimeUnit.SECONDS));
		}
		catch (InterruptedException ex) {
			process.destroyForcibly();
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while running promtool", ex);
		}
		catch (ExecutionException | TimeoutException ex) {
			throw new IllegalStateException("Could not read promtool's output", ex);
		}
	}

	private static Path executable() {
		return Prerequisites.findExecutable("promtool")
			.orElseThrow(() -> Prerequisites.missing(
					"promtool is not on the PATH: install Prometheus' promtool (for example apt-get install prometheus)"));
	}

}
