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
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * A throw-away Redis server for one test class: a Testcontainers {@code redis:7-alpine}
 * when Docker is available, otherwise {@code redis-server} from the {@code PATH} on a
 * free 127.0.0.1 port, with nothing persisted. Without either the test is skipped (it
 * fails on CI, where {@code CI=true}).
 * <p>
 * {@link #stop()}, {@link #restart()} and {@link #pid()} need the local process; they
 * throw {@link UnsupportedOperationException} for a container. Tests that stop Redis use
 * {@link #startLocal(String...)}.
 *
 * @author bullmq-metrics authors
 */
public final class RedisServer implements AutoCloseable {

	private static final String IMAGE = "redis:7-alpine";

	private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);

	private static volatile Boolean dockerAvailable;

	private final String host;

	private final int port;

	private final Path directory;

	private final LocalRedisProcess process;

	private final GenericContainer<?> container;

	private final TlsCertificates tls;

	private String username;

	private String password;

	private RedisClient client;

	private StatefulRedisConnection<String, String> connection;

	private RedisServer(String host, int port, Path directory, LocalRedisProcess process, GenericContainer<?> container,
			TlsCertificates tls) {
		this.host = host;
		this.port = port;
		this.directory = directory;
		this.process = process;
		this.container = container;
		this.tls = tls;
	}

	/**
	 * Start a Redis server: a container when Docker is available, otherwise a local
	 * {@code redis-server}. Returns once it answers {@code PING}.
	 * @param extraArgs extra {@code redis-server} arguments, for example
	 * {@code "--requirepass", "secret"}
	 * @return the running server
	 */
	public static RedisServer start(String... extraArgs) {
		return isDockerAvailable() ? startContainer(extraArgs) : startLocal(extraArgs);
	}

	/**
	 * Start {@code redis-server} from the {@code PATH} on a free 127.0.0.1 port, even
	 * when Docker is available. Use it for tests that {@link #stop()} or
	 * {@link #restart()} Redis.
	 * @param extraArgs extra {@code redis-server} arguments
	 * @return the running server
	 */
	public static RedisServer startLocal(String... extraArgs) {
		Path executable = Prerequisites.findExecutable("redis-server")
			.orElseThrow(() -> Prerequisites.missing("redis-server is not on the PATH (and Docker is not available): "
					+ "install Redis (for example apt-get install redis-server) or start Docker"));
		Path directory = LocalRedisProcess.createDirectory("bullmq-redis-");
		try {
			LocalRedisProcess process = LocalRedisProcess.start("redis", directory, (port) -> true, (port) -> {
				List<String> command = new ArrayList<>(List.of(executable.toString(), "--bind",
						LocalRedisProcess.LOOPBACK, "--port", String.valueOf(port), "--save", "", "--appendonly", "no",
						"--dir", directory.toString()));
				command.addAll(Arrays.asList(extraArgs));
				return command;
			});
			return new RedisServer(LocalRedisProcess.LOOPBACK, process.port(), directory, process, null, null);
		}
		catch (RuntimeException | Error ex) {
			LocalRedisProcess.deleteRecursively(directory);
			throw ex;
		}
	}

	/**
	 * Start {@code redis-server} from the {@code PATH} that speaks TLS only, on a free
	 * 127.0.0.1 port, with the server certificate of {@code certificates} and without
	 * asking clients for one ({@code --tls-auth-clients no}). {@link #url()} is then a
	 * {@code rediss://} URL, and {@link #commands()} trust the certificates' CA. Debian's
	 * {@code redis-server} 7 is built with TLS.
	 * @param certificates the certificates, which the caller closes after the server
	 * @param extraArgs extra {@code redis-server} arguments
	 * @return the running server
	 */
	public static RedisServer startLocalTls(TlsCertificates certificates, String... extraArgs) {
		Path executable = Prerequisites.findExecutable("redis-server")
			.orElseThrow(() -> Prerequisites.missing("redis-server is not on the PATH: install Redis "
					+ "(for example apt-get install redis-server) to run the TLS tests"));
		Path directory = LocalRedisProcess.createDirectory("bullmq-redis-tls-");
		try {
			LocalRedisProcess process = LocalRedisProcess.start("redis-tls", directory, (port) -> true, (port) -> {
				List<String> command = new ArrayList<>(List.of(executable.toString(), "--bind",
						LocalRedisProcess.LOOPBACK, "--port", "0", "--tls-port", String.valueOf(port),
						"--tls-cert-file", certificates.serverCertificate().toString(), "--tls-key-file",
						certificates.serverKey().toString(), "--tls-ca-cert-file",
						certificates.caCertificate().toString(), "--tls-auth-clients", "no", "--save", "",
						"--appendonly", "no", "--dir", directory.toString()));
				command.addAll(Arrays.asList(extraArgs));
				return command;
			}, socketFactory(certificates));
			return new RedisServer(LocalRedisProcess.LOOPBACK, process.port(), directory, process, null, certificates);
		}
		catch (RuntimeException | Error ex) {
			LocalRedisProcess.deleteRecursively(directory);
			throw ex;
		}
	}

	private static SSLSocketFactory socketFactory(TlsCertificates certificates) {
		try (InputStream in = Files.newInputStream(certificates.caCertificate())) {
			KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
			trusted.load(null, null);
			trusted.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
			TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
			trust.init(trusted);
			SSLContext context = SSLContext.getInstance("TLS");
			context.init(null, trust.getTrustManagers(), null);
			return context.getSocketFactory();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("Cannot trust " + certificates.caCertificate(), ex);
		}
	}

	private static RedisServer startContainer(String... extraArgs) {
		List<String> command = new ArrayList<>(List.of("redis-server", "--save", "", "--appendonly", "no"));
		command.addAll(Arrays.asList(extraArgs));
		GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse(IMAGE)).withExposedPorts(6379)
			.withCommand(command.toArray(String[]::new));
		container.start();
		RedisServer server = new RedisServer(container.getHost(), container.getMappedPort(6379), null, null, container,
				null);
		try {
			LocalRedisProcess.awaitPing(server.host, server.port);
		}
		catch (RuntimeException ex) {
			container.stop();
			throw ex;
		}
		return server;
	}

	/**
	 * Whether Testcontainers can use Docker here. Decided once per JVM; any exception
	 * means no. Skips the Testcontainers probe (and its error logging) when no Docker
	 * endpoint is configured or present at all.
	 * @return whether Docker is available
	 */
	public static boolean isDockerAvailable() {
		Boolean available = dockerAvailable;
		if (available == null) {
			available = dockerEndpointPresent() && probeDocker();
			dockerAvailable = available;
		}
		return available;
	}

	private static boolean dockerEndpointPresent() {
		if (System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("windows")) {
			return true;
		}
		for (String variable : List.of("DOCKER_HOST", "TESTCONTAINERS_HOST_OVERRIDE",
				"TESTCONTAINERS_DOCKER_SOCKET_OVERRIDE")) {
			String value = System.getenv(variable);
			if (value != null && !value.isBlank()) {
				return true;
			}
		}
		String home = System.getProperty("user.home", "");
		List<Path> candidates = new ArrayList<>(
				List.of(Path.of("/var/run/docker.sock"), Path.of(home, ".docker/run/docker.sock"),
						Path.of(home, ".docker/desktop/docker.sock"), Path.of(home, ".rd/docker.sock"),
						Path.of(home, ".colima/default/docker.sock"), Path.of(home, ".testcontainers.properties")));
		String runtimeDir = System.getenv("XDG_RUNTIME_DIR");
		if (runtimeDir != null && !runtimeDir.isBlank()) {
			candidates.add(Path.of(runtimeDir, "docker.sock"));
			candidates.add(Path.of(runtimeDir, ".docker/run/docker.sock"));
		}
		if (candidates.stream().anyMatch(Files::exists)) {
			return true;
		}
		try (Stream<Path> users = Files.list(Path.of("/run/user"))) {
			return users.anyMatch((user) -> Files.exists(user.resolve("docker.sock")));
		}
		catch (IOException | RuntimeException ex) {
			return false;
		}
	}

	private static boolean probeDocker() {
		try {
			return CompletableFuture.supplyAsync(() -> DockerClientFactory.instance().isDockerAvailable())
				.get(30, TimeUnit.SECONDS);
		}
		catch (Throwable ex) {
			return false;
		}
	}

	/**
	 * Return the host to connect to.
	 * @return {@code 127.0.0.1} for a local server, the container host otherwise
	 */
	public String host() {
		return this.host;
	}

	/**
	 * Return the port to connect to.
	 * @return the port
	 */
	public int port() {
		return this.port;
	}

	/**
	 * Return the server's URL without credentials.
	 * @return for example {@code redis://127.0.0.1:6380}, or {@code rediss://...} for a
	 * server that speaks TLS
	 */
	public String url() {
		return scheme() + "://" + this.host + ":" + this.port;
	}

	/**
	 * Return the certificates of a server that speaks TLS.
	 * @return the certificates, or {@code null} for a plain server
	 */
	public TlsCertificates tls() {
		return this.tls;
	}

	private String scheme() {
		return (this.tls != null) ? "rediss" : "redis";
	}

	/**
	 * Return the server's URL with credentials, percent-encoded.
	 * @param user the ACL user, or {@code null} for the default user
	 * @param password the password
	 * @return for example {@code redis://user:secret@127.0.0.1:6380}
	 */
	public String url(String user, String password) {
		String userInfo = ((user != null) ? encode(user) : "") + ":" + encode(password);
		return scheme() + "://" + userInfo + "@" + this.host + ":" + this.port;
	}

	private static String encode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
	}

	/**
	 * Use credentials for {@link #commands()} from now on (closing any connection made
	 * without them).
	 * @param user the ACL user, or {@code null} for the default user
	 * @param password the password
	 * @return this server
	 */
	public synchronized RedisServer authenticate(String user, String password) {
		this.username = user;
		this.password = password;
		closeConnection();
		return this;
	}

	/**
	 * Return synchronous Lettuce commands on one connection, created on first use and
	 * closed by {@link #close()}. It reconnects by itself after a {@link #restart()}.
	 * @return the commands
	 */
	public synchronized RedisCommands<String, String> commands() {
		if (this.connection == null) {
			RedisURI.Builder uri = RedisURI.Builder.redis(this.host, this.port)
				.withTimeout(COMMAND_TIMEOUT)
				.withSsl(this.tls != null);
			if (this.password != null) {
				if (this.username != null) {
					uri.withAuthentication(this.username, this.password);
				}
				else {
					uri.withPassword(this.password.toCharArray());
				}
			}
			this.client = RedisClient.create(uri.build());
			if (this.tls != null) {
				this.client.setOptions(ClientOptions.builder()
					.sslOptions(SslOptions.builder().trustManager(this.tls.caCertificate().toFile()).build())
					.build());
			}
			this.connection = this.client.connect();
		}
		return this.connection.sync();
	}

	/**
	 * Return the time on Redis' own clock ({@code TIME}), the clock BullMQ's scripts and
	 * the exporter use.
	 * @return milliseconds since the epoch
	 */
	public long nowMillis() {
		List<String> time = commands().time();
		return Long.parseLong(time.get(0)) * 1000 + Long.parseLong(time.get(1)) / 1000;
	}

	/**
	 * Return how often each command was called, from {@code INFO commandstats}.
	 * @return lowercase command name (subcommands as {@code client|list}) to calls
	 */
	public Map<String, Long> commandCalls() {
		return LocalRedisProcess.commandCalls(commands().info("commandstats"));
	}

	/**
	 * Return the process id of the local {@code redis-server}.
	 * @return the pid
	 * @throws UnsupportedOperationException for a container, or when stopped
	 */
	public synchronized long pid() {
		requireLocal("pid");
		return this.process.pid();
	}

	/**
	 * Kill the local {@code redis-server} (SIGKILL, by its pid) and wait until it is
	 * gone. The port is kept for {@link #restart()}.
	 * @throws UnsupportedOperationException for a container
	 */
	public synchronized void stop() {
		requireLocal("stop");
		this.process.kill();
	}

	/**
	 * Start the local {@code redis-server} again, on the same port with the same
	 * arguments (stopping it first if it still runs), and wait until it answers
	 * {@code PING}. Its data is gone: nothing is persisted.
	 * @throws UnsupportedOperationException for a container
	 */
	public synchronized void restart() {
		requireLocal("restart");
		this.process.restart();
	}

	/**
	 * Stop the server and delete its temporary directory.
	 */
	@Override
	public synchronized void close() {
		closeConnection();
		if (this.container != null) {
			this.container.stop();
			return;
		}
		this.process.kill();
		LocalRedisProcess.deleteRecursively(this.directory);
	}

	@Override
	public String toString() {
		return "RedisServer[" + url() + ((this.container != null) ? ", container" : ", local") + "]";
	}

	private void requireLocal(String operation) {
		if (this.container != null) {
			throw new UnsupportedOperationException(
					operation + "() needs a local redis-server; use RedisServer.startLocal(...) for this test");
		}
	}

	private synchronized void closeConnection() {
		if (this.connection != null) {
			this.connection.close();
			this.connection = null;
		}
		if (this.client != null) {
			this.client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
			this.client = null;
		}
	}

}
