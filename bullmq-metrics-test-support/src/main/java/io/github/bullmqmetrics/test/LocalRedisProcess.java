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
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.function.IntPredicate;
import java.util.function.Supplier;
import java.util.stream.Stream;

import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * One local {@code redis-server} process (a data node or a sentinel) on a free 127.0.0.1
 * port, logging to a file in a directory its owner deletes: the building block of
 * {@link RedisServer#startLocal(String...)}, {@link RedisCluster} and
 * {@link RedisSentinel}.
 *
 * @author bullmq-metrics authors
 */
final class LocalRedisProcess {

	static final String LOOPBACK = "127.0.0.1";

	private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(10);

	private static final int PORT_ATTEMPTS = 5;

	private static final Duration POLL_INTERVAL = Duration.ofMillis(Await.POLL_MILLIS);

	private static final Duration PING_INTERVAL = Duration.ofMillis(10);

	private static final int LOG_TAIL_LINES = 15;

	private final int port;

	private final List<String> command;

	private final Path directory;

	private final Path logFile;

	private final SSLSocketFactory tls;

	private Process process;

	private Thread shutdownHook;

	private LocalRedisProcess(int port, List<String> command, Path directory, Path logFile, SSLSocketFactory tls) {
		this.port = port;
		this.command = command;
		this.directory = directory;
		this.logFile = logFile;
		this.tls = tls;
	}

	/**
	 * Find {@code redis-server}, {@code redis-cli} or another tool on the {@code PATH},
	 * or stop the test as {@link Prerequisites#missing(String)} decides.
	 * @param name the executable's name
	 * @param neededFor what needs it, for the message
	 * @return its path
	 */
	static Path executable(String name, String neededFor) {
		return Prerequisites.findExecutable(name)
			.orElseThrow(() -> Prerequisites.missing(name + " is not on the PATH, and " + neededFor
					+ " needs it: install Redis (for example apt-get install redis-server, which brings "
					+ "redis-server and redis-cli)"));
	}

	/**
	 * Start a process on a free port and wait until it answers {@code PING}, trying
	 * another port when the chosen one was taken in the meantime.
	 * @param name a short name for the log file, for example {@code node}
	 * @param directory where the log file goes (and the working directory)
	 * @param usablePort which free ports to accept, for example only those whose cluster
	 * bus port is free as well
	 * @param command the command line for a port; may write files the command needs
	 * @return the running process
	 */
	static LocalRedisProcess start(String name, Path directory, IntPredicate usablePort,
			IntFunction<List<String>> command) {
		return start(name, directory, usablePort, command, null);
	}

	/**
	 * Start a process as {@link #start(String, Path, IntPredicate, IntFunction)} does,
	 * whose port may speak TLS only.
	 * @param name a short name for the log file
	 * @param directory where the log file goes (and the working directory)
	 * @param usablePort which free ports to accept
	 * @param command the command line for a port
	 * @param tls how to open a TLS connection for {@code PING}, or {@code null} for a
	 * plain port
	 * @return the running process
	 */
	static LocalRedisProcess start(String name, Path directory, IntPredicate usablePort,
			IntFunction<List<String>> command, SSLSocketFactory tls) {
		IllegalStateException lastFailure = null;
		for (int attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
			int port = freePort(usablePort);
			LocalRedisProcess started = new LocalRedisProcess(port, List.copyOf(command.apply(port)), directory,
					directory.resolve(name + "-" + port + ".log"), tls);
			try {
				started.launch();
				return started;
			}
			catch (IllegalStateException ex) {
				started.kill();
				lastFailure = ex;
				if (!started.log().contains("Address already in use")) {
					break;
				}
			}
		}
		throw lastFailure;
	}

	/**
	 * Return the port.
	 * @return the port on 127.0.0.1
	 */
	int port() {
		return this.port;
	}

	/**
	 * Return the address as clients write it.
	 * @return {@code 127.0.0.1:port}
	 */
	String address() {
		return LOOPBACK + ":" + this.port;
	}

	/**
	 * Whether the process still runs.
	 * @return whether it is alive
	 */
	synchronized boolean isAlive() {
		return this.process != null && this.process.isAlive();
	}

	/**
	 * Return the process id.
	 * @return the pid
	 * @throws IllegalStateException when the process was killed
	 */
	synchronized long pid() {
		if (this.process == null) {
			throw new IllegalStateException("redis-server is stopped");
		}
		return this.process.pid();
	}

	/**
	 * Kill the process (SIGKILL, by its pid) and wait until it is gone. Does nothing when
	 * it is already gone.
	 */
	synchronized void kill() {
		Process running = this.process;
		if (running == null) {
			return;
		}
		running.destroyForcibly();
		try {
			if (!running.waitFor(10, TimeUnit.SECONDS)) {
				throw new IllegalStateException("redis-server (pid " + running.pid() + ") did not exit");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while killing redis-server", ex);
		}
		this.process = null;
		try {
			Runtime.getRuntime().removeShutdownHook(this.shutdownHook);
		}
		catch (IllegalStateException ex) {
			// The JVM is already shutting down.
		}
		this.shutdownHook = null;
	}

	/**
	 * Start the process again with the same command on the same port (killing it first if
	 * it still runs), appending to the same log, and wait until it answers {@code PING}.
	 * @throws IllegalStateException when it exits or does not answer in time
	 */
	synchronized void restart() {
		kill();
		launch();
	}

	/**
	 * Return what the process logged so far.
	 * @return the log, or a note when it cannot be read
	 */
	String log() {
		try {
			return Files.exists(this.logFile) ? Files.readString(this.logFile, StandardCharsets.UTF_8) : "";
		}
		catch (IOException ex) {
			return "(log unreadable: " + ex + ")";
		}
	}

	@Override
	public String toString() {
		return "redis-server " + address();
	}

	private synchronized void launch() {
		try {
			this.process = new ProcessBuilder(this.command).directory(this.directory.toFile())
				.redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.appendTo(this.logFile.toFile()))
				.redirectInput(ProcessBuilder.Redirect.from(nullDevice().toFile()))
				.start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not start " + this.command, ex);
		}
		Process started = this.process;
		this.shutdownHook = new Thread(started::destroyForcibly, "redis-server-" + this.port + "-shutdown");
		Runtime.getRuntime().addShutdownHook(this.shutdownHook);
		awaitPing(LOOPBACK, this.port, this.tls, () -> {
			if (!started.isAlive()) {
				throw new IllegalStateException("redis-server exited with code " + started.exitValue()
						+ " before answering PING: " + this.command + "\n" + log());
			}
		}, () -> ": " + this.command + "\n" + log());
	}

	/**
	 * Wait until a Redis server that is not a local process, such as a container, answers
	 * {@code PING}.
	 * @param host the host
	 * @param port the port
	 * @throws IllegalStateException when it does not answer within 10 seconds
	 * @see #awaitPing(String, int, SSLSocketFactory, Runnable, Supplier)
	 */
	static void awaitPing(String host, int port) {
		awaitPing(host, port, null, () -> {
		}, () -> "");
	}

	/**
	 * Wait until a Redis server answers {@code PING}, with {@code +PONG} or with an error
	 * such as {@code -NOAUTH} when it needs a password: either way it answers.
	 * @param host the host
	 * @param port the port
	 * @param tls how to open a TLS connection, or {@code null} for a plain port
	 * @param check run before each attempt, to fail early, for example when the process
	 * exited
	 * @param details more context for the message on timeout, for example the log
	 * @throws IllegalStateException when it does not answer within 10 seconds
	 */
	static void awaitPing(String host, int port, SSLSocketFactory tls, Runnable check, Supplier<String> details) {
		Await.poll(STARTUP_TIMEOUT, PING_INTERVAL, () -> {
			check.run();
			return pingFailure(host, port, tls);
		}, Objects::isNull, "Redis at " + host + ":" + port + " to answer PING",
				(lastFailure) -> new IllegalStateException("Redis at " + host + ":" + port
						+ " did not answer PING within " + STARTUP_TIMEOUT + " (" + lastFailure + ")" + details.get()));
	}

	private static String pingFailure(String host, int port, SSLSocketFactory tls) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(host, port), 500);
			socket.setSoTimeout(1000);
			Socket connection = socket;
			if (tls != null) {
				SSLSocket secure = (SSLSocket) tls.createSocket(socket, host, port, true);
				secure.startHandshake();
				connection = secure;
			}
			OutputStream out = connection.getOutputStream();
			out.write("*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII));
			out.flush();
			InputStream in = connection.getInputStream();
			int first = in.read();
			return (first == '+' || first == '-') ? null : "answered " + first;
		}
		catch (IOException ex) {
			return ex.toString();
		}
	}

	/**
	 * Parse {@code INFO commandstats} the way {@link RedisServer#commandCalls()} reports
	 * it.
	 * @param info the {@code INFO commandstats} text
	 * @return lowercase command name (subcommands as {@code client|list}) to calls
	 */
	static Map<String, Long> commandCalls(String info) {
		Map<String, Long> calls = new LinkedHashMap<>();
		for (String line : info.split("\r?\n")) {
			if (!line.startsWith("cmdstat_")) {
				continue;
			}
			int colon = line.indexOf(':');
			String name = line.substring("cmdstat_".length(), colon).toLowerCase(Locale.ROOT);
			for (String field : line.substring(colon + 1).split(",")) {
				if (field.startsWith("calls=")) {
					calls.put(name, Long.parseLong(field.substring("calls=".length())));
				}
			}
		}
		return calls;
	}

	/**
	 * Return one field of an {@code INFO} or {@code CLUSTER INFO} answer.
	 * @param info the answer
	 * @param field the field name, for example {@code role}
	 * @return the value, or {@code null} when absent
	 */
	static String infoField(String info, String field) {
		for (String line : info.split("\r?\n")) {
			if (line.startsWith(field + ":")) {
				return line.substring(field.length() + 1).trim();
			}
		}
		return null;
	}

	/**
	 * Poll until a condition holds.
	 * @param timeout how long to wait
	 * @param what what is awaited, for the message
	 * @param problems what still keeps the condition from holding, or {@code null} once
	 * it holds; an exception counts as a problem
	 * @param details more context for the message on timeout, for example log tails
	 * @throws IllegalStateException with the last problem seen when it times out
	 */
	static void await(Duration timeout, String what, Supplier<String> problems, Supplier<String> details) {
		Await.poll(timeout, POLL_INTERVAL, () -> {
			try {
				return problems.get();
			}
			catch (RuntimeException ex) {
				return ex.toString();
			}
		}, Objects::isNull, what, (last) -> new IllegalStateException(
				"Timed out after " + timeout + " waiting for " + what + "\nLast seen:\n" + last + details.get()));
	}

	/**
	 * Return the last lines each process logged, for error messages.
	 * @param processes the processes
	 * @return one section per process, each starting with a new line
	 */
	static String logTails(List<LocalRedisProcess> processes) {
		StringBuilder tails = new StringBuilder();
		for (LocalRedisProcess process : processes) {
			List<String> lines = List.of(process.log().strip().split("\n"));
			tails.append("\n--- last log lines of ")
				.append(process.address())
				.append(process.isAlive() ? "" : " (killed)")
				.append(":\n")
				.append(String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size())));
		}
		return tails.toString();
	}

	/**
	 * Create a temporary directory.
	 * @param prefix the start of its name
	 * @return the new directory
	 */
	static Path createDirectory(String prefix) {
		try {
			return Files.createTempDirectory(prefix);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Delete a directory and everything in it, ignoring failures: a leftover temporary
	 * directory is harmless.
	 * @param directory the directory, or {@code null}
	 */
	static void deleteRecursively(Path directory) {
		if (directory == null || !Files.exists(directory)) {
			return;
		}
		try (Stream<Path> paths = Files.walk(directory)) {
			paths.sorted(Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
		}
		catch (IOException ex) {
			// A leftover temporary directory is harmless.
		}
	}

	/**
	 * Find a port on 127.0.0.1 that is free right now.
	 * @param usable which free ports to accept
	 * @return the port
	 */
	static int freePort(IntPredicate usable) {
		for (int attempt = 0; attempt < 100; attempt++) {
			int port = bindAndRelease(0);
			if (usable.test(port)) {
				return port;
			}
		}
		throw new IllegalStateException("No usable free port on " + LOOPBACK);
	}

	/**
	 * Whether a port on 127.0.0.1 is free right now.
	 * @param port the port
	 * @return whether it could be bound
	 */
	static boolean isFree(int port) {
		if (port < 1 || port > 65535) {
			return false;
		}
		try {
			bindAndRelease(port);
			return true;
		}
		catch (UncheckedIOException ex) {
			return false;
		}
	}

	private static int bindAndRelease(int port) {
		try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName(LOOPBACK))) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("No free port on " + LOOPBACK, ex);
		}
	}

	private static Path nullDevice() {
		return Path
			.of(System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("windows") ? "NUL" : "/dev/null");
	}

}
