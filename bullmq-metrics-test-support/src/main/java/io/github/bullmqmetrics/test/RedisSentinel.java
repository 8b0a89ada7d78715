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
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Supplier;

import io.lettuce.core.api.sync.RedisCommands;

/**
 * A throw-away Redis Sentinel setup of local {@code redis-server} processes on free
 * 127.0.0.1 ports: one master, one replica and three sentinels (quorum 2) monitoring the
 * master as {@value #MASTER_NAME}, with nothing persisted. The master can be killed to
 * test failover.
 * <p>
 * The sentinels run with {@code down-after-milliseconds} 1000 and
 * {@code failover-timeout} 5000, so a killed master is replaced within a few seconds. The
 * processes are always local, never containers: sentinels hand out the addresses the
 * servers announce, which Docker's port mapping would hide. Without {@code redis-server}
 * on the {@code PATH} the test is skipped (it fails on CI, where {@code CI=true}).
 *
 * @author bullmq-metrics authors
 */
public final class RedisSentinel implements AutoCloseable {

	/** The name the sentinels monitor the master as. */
	public static final String MASTER_NAME = "mymaster";

	private static final int SENTINELS = 3;

	private static final int QUORUM = 2;

	private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

	private static final Duration CATCH_UP_TIMEOUT = Duration.ofSeconds(10);

	private final LocalRedisGroup processes;

	private final AdminConnections admin;

	private final List<LocalRedisProcess> dataNodes = new ArrayList<>();

	private final List<LocalRedisProcess> sentinels = new ArrayList<>();

	private Integer killedMasterPort;

	private RedisSentinel(LocalRedisGroup processes) {
		this.processes = processes;
		this.admin = processes.admin();
	}

	/**
	 * Start a master, a replica of it ({@code --replicaof}) and three sentinels, and wait
	 * until the replica is in sync and every sentinel sees the master, its replica and
	 * the two other sentinels.
	 * @return the running setup
	 * @throws IllegalStateException with the sentinels' view and the logs when it does
	 * not come up in time
	 */
	public static RedisSentinel start() {
		Path redisServer = LocalRedisProcess.executable("redis-server", "RedisSentinel");
		RedisSentinel setup = new RedisSentinel(new LocalRedisGroup("bullmq-redis-sentinel-"));
		try {
			LocalRedisProcess master = setup.startDataNode(redisServer, "master");
			setup.dataNodes.add(master);
			LocalRedisProcess replica = setup.startDataNode(redisServer, "replica", "--replicaof",
					LocalRedisProcess.LOOPBACK, String.valueOf(master.port()));
			setup.dataNodes.add(replica);
			setup.await(READY_TIMEOUT, "the replica to sync with the master",
					() -> setup.replicationProblem(replica.port()));
			for (int i = 0; i < SENTINELS; i++) {
				setup.sentinels.add(setup.startSentinel(redisServer, master.port()));
			}
			setup.await(READY_TIMEOUT, "the sentinels to see the master, its replica and each other",
					setup::sentinelProblems);
			return setup;
		}
		catch (RuntimeException | Error ex) {
			setup.close();
			throw ex;
		}
	}

	// Without a diskless sync delay the replica syncs at once instead of after 5 seconds.
	private LocalRedisProcess startDataNode(Path redisServer, String name, String... extraArgs) {
		return this.processes.start(name, (port) -> true, (port) -> {
			List<String> command = new ArrayList<>(List.of(redisServer.toString(), "--bind", LocalRedisProcess.LOOPBACK,
					"--port", String.valueOf(port), "--save", "", "--appendonly", "no", "--dir",
					this.processes.directory().toString(), "--repl-diskless-sync-delay", "0"));
			command.addAll(List.of(extraArgs));
			return command;
		});
	}

	private LocalRedisProcess startSentinel(Path redisServer, int masterPort) {
		Path directory = this.processes.directory();
		return this.processes.start("sentinel", (port) -> true, (port) -> {
			// Sentinels rewrite their configuration file, so each needs its own.
			Path config = directory.resolve("sentinel-" + port + ".conf");
			String text = String.join("\n", "port " + port, "bind " + LocalRedisProcess.LOOPBACK,
					"sentinel monitor " + MASTER_NAME + " " + LocalRedisProcess.LOOPBACK + " " + masterPort + " "
							+ QUORUM,
					"sentinel down-after-milliseconds " + MASTER_NAME + " 1000",
					"sentinel failover-timeout " + MASTER_NAME + " 5000", "dir " + quoted(directory.toString()), "");
			try {
				Files.writeString(config, text, StandardCharsets.UTF_8);
			}
			catch (IOException ex) {
				throw new UncheckedIOException("Could not write " + config, ex);
			}
			return List.of(redisServer.toString(), config.toString(), "--sentinel");
		});
	}

	private static String quoted(String value) {
		return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
	}

	/**
	 * Return the name the sentinels monitor the master as.
	 * @return {@value #MASTER_NAME}
	 */
	public String masterName() {
		return MASTER_NAME;
	}

	/**
	 * Return the sentinels, for {@code spring.data.redis.sentinel.nodes}.
	 * @return for example {@code 127.0.0.1:26379,127.0.0.1:26380,127.0.0.1:26381}
	 */
	public String sentinelsProperty() {
		return String.join(",", this.sentinels.stream().map(LocalRedisProcess::address).toList());
	}

	/**
	 * Return the URL for the Node fixtures ({@link BullMq}), which connect with ioredis'
	 * sentinel support and so follow a failover.
	 * @return for example
	 * {@code redis+sentinel://127.0.0.1:26379,127.0.0.1:26380,127.0.0.1:26381/mymaster}
	 */
	public String url() {
		return "redis+sentinel://" + sentinelsProperty() + "/" + MASTER_NAME;
	}

	/**
	 * Return the port of the current master, asked from the sentinels now (the first that
	 * answers).
	 * @return the master's port
	 */
	public int masterPort() {
		RuntimeException lastFailure = null;
		for (LocalRedisProcess sentinel : this.sentinels) {
			try {
				return port(this.admin.sentinel(sentinel.port()).getMasterAddrByName(MASTER_NAME));
			}
			catch (RuntimeException ex) {
				lastFailure = ex;
			}
		}
		throw new IllegalStateException("No sentinel told the master's address", lastFailure);
	}

	/**
	 * Kill the current master (SIGKILL, by its pid), first waiting until the replica has
	 * replicated everything the master acknowledged, so no acknowledged write is lost by
	 * the failover. Then use {@link #awaitFailover(Duration)}. Once the replica is
	 * promoted there is no replica left, so this works once.
	 * @throws IllegalStateException when the master was killed already, or the replica
	 * does not catch up in time
	 */
	public synchronized void killMaster() {
		if (this.killedMasterPort != null) {
			throw new IllegalStateException(
					"The master 127.0.0.1:" + this.killedMasterPort + " was killed already; no replica is left");
		}
		int masterPort = masterPort();
		LocalRedisProcess master = dataNode(masterPort);
		long masterOffset = Long.parseLong(
				LocalRedisProcess.infoField(this.admin.node(masterPort).info("replication"), "master_repl_offset"));
		for (LocalRedisProcess replica : this.dataNodes) {
			if (replica != master) {
				await(CATCH_UP_TIMEOUT, "the replica " + replica.address() + " to reach offset " + masterOffset, () -> {
					String offset = LocalRedisProcess.infoField(this.admin.node(replica.port()).info("replication"),
							"slave_repl_offset");
					return (offset != null && Long.parseLong(offset) >= masterOffset) ? null : "at offset " + offset;
				});
			}
		}
		this.admin.close(masterPort);
		master.kill();
		this.killedMasterPort = masterPort;
	}

	/**
	 * Wait until the sentinels replace the master killed by {@link #killMaster()}: every
	 * sentinel names the same new master, and that master answers {@code PING} with role
	 * {@code master}. With {@code down-after-milliseconds} 1000 that takes about two to
	 * three seconds.
	 * @param timeout how long to wait
	 * @throws IllegalStateException when no master was killed, or with the sentinels'
	 * view and the logs when it does not happen in time
	 */
	public void awaitFailover(Duration timeout) {
		Integer killed;
		synchronized (this) {
			killed = this.killedMasterPort;
		}
		if (killed == null) {
			throw new IllegalStateException("killMaster() was not called");
		}
		await(timeout, "the sentinels to replace the killed master 127.0.0.1:" + killed, () -> {
			TreeSet<Integer> named = new TreeSet<>();
			List<String> views = new ArrayList<>();
			for (LocalRedisProcess sentinel : this.sentinels) {
				int port = port(this.admin.sentinel(sentinel.port()).getMasterAddrByName(MASTER_NAME));
				named.add(port);
				views.add(sentinel.address() + " names 127.0.0.1:" + port);
			}
			if (named.size() != 1 || named.first() == killed.intValue()) {
				return String.join("\n", views);
			}
			RedisCommands<String, String> master = this.admin.node(named.first());
			String role = LocalRedisProcess.infoField(master.info("replication"), "role");
			if (!"PONG".equals(master.ping()) || !"master".equals(role)) {
				return "127.0.0.1:" + named.first() + " has role " + role;
			}
			return null;
		});
	}

	/**
	 * Kill the sentinels, then the data nodes, and delete the temporary directory.
	 */
	@Override
	public void close() {
		this.processes.close();
	}

	@Override
	public String toString() {
		return "RedisSentinel[" + url() + "]";
	}

	private String replicationProblem(int replicaPort) {
		String link = LocalRedisProcess.infoField(this.admin.node(replicaPort).info("replication"),
				"master_link_status");
		return "up".equals(link) ? null : "master_link_status:" + link;
	}

	private String sentinelProblems() {
		List<String> problems = new ArrayList<>();
		for (LocalRedisProcess sentinel : this.sentinels) {
			Map<String, String> master = this.admin.sentinel(sentinel.port()).master(MASTER_NAME);
			boolean ready = "master".equals(master.get("flags")) && "1".equals(master.get("num-slaves"))
					&& String.valueOf(SENTINELS - 1).equals(master.get("num-other-sentinels"));
			if (!ready) {
				problems.add(sentinel.address() + " sees " + master);
			}
		}
		return problems.isEmpty() ? null : String.join("\n", problems);
	}

	private synchronized LocalRedisProcess dataNode(int port) {
		return this.dataNodes.stream()
			.filter((node) -> node.port() == port && node.isAlive())
			.findFirst()
			.orElseThrow(() -> new IllegalStateException(
					"The sentinels name 127.0.0.1:" + port + " as the master, which is not a running node of " + this));
	}

	private void await(Duration timeout, String what, Supplier<String> problems) {
		this.processes.await(timeout, what, problems);
	}

	private static int port(SocketAddress address) {
		if (address == null) {
			throw new IllegalStateException("The sentinel does not know a master named " + MASTER_NAME);
		}
		return ((InetSocketAddress) address).getPort();
	}

}
