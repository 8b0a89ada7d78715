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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs Prometheus' own {@code promtool}: {@code check metrics} on exposition text, the
 * strictest check there is that a scrape would be accepted, and {@code check rules},
 * {@code check config} and {@code test rules} on the monitoring files.
 * <p>
 * {@code check metrics} rejects a missing final newline and repeated HELP or TYPE lines
 * (exit code 1), and also lints names: a gauge named {@code bullmq_job_count}, as
 * BullMQ's own, gets "should not have _count suffix" (exit code 3).
 * {@link Result#parsed()} ignores the lint.
 *
 * @author bullmq-metrics authors
 */
public final class Promtool {

	private static final long TIMEOUT_SECONDS = 30;

	private Promtool() {
	}

	/**
	 * The outcome of one run.
	 *
	 * @param exitCode {@code 0} on success; for {@code check metrics}, {@code 3} when the
	 * text parses but has lint problems and {@code 1} when it does not parse
	 * @param output what promtool printed, stdout and stderr together
	 */
	public record Result(int exitCode, String output) {

		private static final int LINT_PROBLEMS = 3;

		/**
		 * Whether promtool succeeded (for {@code check metrics}: accepted the text
		 * without any lint problem).
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
		return run(List.of("check", "metrics"), text);
	}

	/**
	 * Run {@code promtool check rules} on rule files.
	 * @param files the rule files
	 * @return the exit code and output
	 */
	public static Result checkRules(List<Path> files) {
		return run(withPaths(List.of("check", "rules"), files), "");
	}

	/**
	 * Run {@code promtool check config} on a Prometheus configuration, which checks the
	 * rule files it names too.
	 * @param config the configuration file
	 * @return the exit code and output
	 */
	public static Result checkConfig(Path config) {
		return run(withPaths(List.of("check", "config"), List.of(config)), "");
	}

	/**
	 * Run {@code promtool test rules}: the unit tests of alerting and recording rules.
	 * @param tests the test files, whose {@code rule_files} are relative to each file
	 * @return the exit code and output
	 */
	public static Result testRules(List<Path> tests) {
		return run(withPaths(List.of("test", "rules"), tests), "");
	}

	private static List<String> withPaths(List<String> args, List<Path> paths) {
		List<String> all = new ArrayList<>(args);
		paths.forEach((path) -> all.add(path.toString()));
		return all;
	}

	private static Result run(List<String> args, String stdin) {
		List<String> command = new ArrayList<>(List.of(executable().toString()));
		command.addAll(args);
		Process process;
		try {
			process = new ProcessBuilder(command).redirectErrorStream(true).start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not start promtool", ex);
		}
		CompletableFuture<String> output = ProcessOutput.readAsync(process.getInputStream());
		try (OutputStream in = process.getOutputStream()) {
			in.write(stdin.getBytes(StandardCharsets.UTF_8));
		}
		catch (IOException ex) {
			// promtool stopped reading early; its exit code and output tell why.
		}
		String name = "promtool " + String.join(" ", args);
		try {
			if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
				process.destroyForcibly();
				throw new IllegalStateException(name + " did not finish in " + TIMEOUT_SECONDS + " s");
			}
			return new Result(process.exitValue(), output.get(10, TimeUnit.SECONDS));
		}
		catch (InterruptedException ex) {
			process.destroyForcibly();
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while running " + name, ex);
		}
		catch (ExecutionException | TimeoutException ex) {
			throw new IllegalStateException("Could not read the output of " + name, ex);
		}
	}

	private static Path executable() {
		return Prerequisites.findExecutable("promtool")
			.orElseThrow(() -> Prerequisites.missing(
					"promtool is not on the PATH: install Prometheus' promtool (for example apt-get install prometheus)"));
	}

}
