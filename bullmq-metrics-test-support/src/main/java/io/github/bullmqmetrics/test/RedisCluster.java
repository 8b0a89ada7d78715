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
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import io.lettuce.core.api.sync.RedisCommands;

/**
 * A throw-away Redis Cluster of local {@code redis-server} processes on free 127.0.0.1
 * ports, joined by {@code redis-cli --cluster create}, with nothing persisted. Masters
 * can be killed to test failover.
 * <p>
 * Each node runs with {@code --cluster-node-timeout 1000}, so a killed master is replaced
 * by its replica within a few seconds. Cluster nodes are always local processes, never
 * containers: cluster nodes announce their own addresses, which Docker's port mapping
 * would hide. Without {@code redis-server} or {@code redis-cli} on the {@code PATH} the
 * test is skipped (it fails on CI, where {@code CI=true}).
 * <p>
 * BullMQ needs a hash tag in the prefix (for example {@code {bull}}) on a cluster; see
 * {@link #url()}.
 *
 * @author bullmq-metrics authors
 */
public final class RedisCluster implements AutoCloseable {

	/** The number of hash slots of every Redis Cluster. */
	public static final int SLOTS = 16384;

	private static final int NODE_TIMEOUT_MILLIS = 1000;

	private static final int BUS_PORT_OFFSET = 10000;

	private static final Duration CREATE_TIMEOUT = Duration.ofSeconds(60);

	private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

	private static final Duration CATCH_UP_TIMEOUT = Duration.ofSeconds(10);

	private final int masters;

	private final int replicasPerMaster;

	private final LocalRedisGroup processes;

	private final Map<Integer, List<Integer>> killedMasterReplicas = new HashMap<>();

	private String createOutput = "";

	private RedisCluster(int masters, int replicasPerMaster, LocalRedisGroup processes) {
		this.masters = masters;
		this.replicasPerMaster = replicasPerMaster;
		this.processes = processes;
	}

	/**
	 * Start {@code masters * (1 + replicasPerMaster)} local {@code redis-server} cluster
	 * nodes, join them with {@code redis-cli --cluster create}, and wait until every node
	 * reports {@code cluster_state:ok}, all {@value #SLOTS} slots are covered, every node
	 * knows every other one, and every replica is in sync with its master. Which node
	 * becomes a master is {@code redis-cli}'s choice; ask {@link #masterPorts()}.
	 * @param masters the number of masters, at least 3 (as {@code redis-cli} requires)
	 * @param replicasPerMaster the number of replicas of each master, 0 or more
	 * @return the running cluster
	 * @throws IllegalStateException with the {@code redis-cli} output and the nodes' view
	 * when the cluster cannot be formed in time
	 */
	public static RedisCluster start(int masters, int replicasPerMaster) {
		if (masters < 3) {
			throw new IllegalArgumentException("A Redis Cluster needs at least 3 masters, got " + masters);
		}
		if (replicasPerMaster < 0) {
			throw new IllegalArgumentException("replicasPerMaster must not be negative, got " + replicasPerMaster);
		}
		Path redisServer = LocalRedisProcess.executable("redis-server", "RedisCluster");
		Path redisCli = LocalRedisProcess.executable("redis-cli", "RedisCluster");
		RedisCluster cluster = new RedisCluster(masters, replicasPerMaster,
				new LocalRedisGroup("bullmq-redis-cluster-"));
		try {
			for (int i = 0; i < masters * (1 + replicasPerMaster); i++) {
				cluster.startNode(redisServer);
			}
			cluster.create(redisCli);
			cluster.awaitFormed();
			return cluster;
		}
		catch (RuntimeException | Error ex) {
			cluster.close();
			throw ex;
		}
	}

	private void startNode(Path redisServer) {
		Path directory = this.processes.directory();
		String dir = directory.toString();
		// The cluster bus listens on port + 10000, which must be free too. Without a
		// diskless sync delay a replica syncs at once instead of after 5 seconds.
		this.processes.start("node", (port) -> LocalRedisProcess.isFree(port + BUS_PORT_OFFSET),
				(port) -> List.of(redisServer.toString(), "--cluster-enabled", "yes", "--cluster-config-file",
						directory.resolve("nodes-" + port + ".conf").toString(), "--cluster-node-timeout",
						String.valueOf(NODE_TIMEOUT_MILLIS), "--bind", LocalRedisProcess.LOOPBACK, "--port",
						String.valueOf(port), "--save", "", "--appendonly", "no", "--dir", dir,
						"--repl-diskless-sync-delay", "0"));
	}

	private void create(Path redisCli) {
		List<String> command = new ArrayList<>(List.of(redisCli.toString(), "--cluster", "create"));
		command.addAll(nodes());
		command.addAll(List.of("--cluster-replicas", String.valueOf(this.replicasPerMaster), "--cluster-yes"));
		Process process;
		try {
			process = new ProcessBuilder(command).directory(this.processes.directory().toFile())
				.redirectErrorStream(true)
				.start();
			process.getOutputStream().close();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not run " + command, ex);
		}
		CompletableFuture<String> output = ProcessOutput.readAsync(process.getInputStream());
		try {
			boolean exited = process.waitFor(CREATE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
			if (!exited) {
				process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
			this.createOutput = withoutColors(output.get(10, TimeUnit.SECONDS));
			if (!exited || process.exitValue() != 0 || !this.createOutput.contains("All " + SLOTS + " slots covered")) {
				throw new IllegalStateException("redis-cli --cluster create "
						+ (exited ? "failed with exit code " + process.exitValue()
								: "timed out after " + CREATE_TIMEOUT)
						+ ": " + command + "\n" + this.createOutput + this.processes.logTails());
			}
		}
		catch (InterruptedException ex) {
			process.destroyForcibly();
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while creating the cluster", ex);
		}
		catch (ExecutionException | TimeoutException ex) {
			throw new IllegalStateException("Could not read the output of " + command, ex);
		}
	}

	private void awaitFormed() {
		int total = this.processes.processes().size();
		int replicas = this.masters * this.replicasPerMaster;
		await(READY_TIMEOUT, "the cluster to form (cluster_state:ok, all slots covered, every node known, "
				+ "replicas in sync)\nredis-cli --cluster create said:\n" + this.createOutput, () -> {
					List<String> problems = new ArrayList<>();
					for (LocalRedisProcess node : liveNodes()) {
						RedisCommands<String, String> commands = commands(node.port());
						String info = commands.clusterInfo();
						List<ClusterNode> view = ClusterNode.parseAll(commands.clusterNodes());
						String problem = clusterInfoProblem(info);
						if (problem == null && view.size() != total) {
							problem = "knows " + view.size() + " of " + total + " nodes";
						}
						if (problem == null && view.stream().anyMatch(ClusterNode::isUnhealthy)) {
							problem = "sees unhealthy nodes";
						}
						if (problem == null && view.stream().filter(ClusterNode::isReplica).count() != replicas) {
							problem = "sees " + view.stream().filter(ClusterNode::isReplica).count() + " of " + replicas
									+ " replicas";
						}
						if (problem == null && view.stream().anyMatch((n) -> n.isMyself() && n.isReplica()) && !"up"
							.equals(LocalRedisProcess.infoField(commands.info("replication"), "master_link_status"))) {
							problem = "replica not in sync with its master yet";
						}
						if (problem != null) {
							problems.add(node.address() + " " + problem + ":\n" + info.strip() + "\n"
									+ commands.clusterNodes().strip());
						}
					}
					return problems.isEmpty() ? null : String.join("\n", problems);
				});
	}

	/**
	 * Return every node started, masters and replicas, including killed ones.
	 * @return {@code 127.0.0.1:port} per node, in start order
	 */
	public List<String> nodes() {
		return this.processes.processes().stream().map(LocalRedisProcess::address).toList();
	}

	/**
	 * Return every node started, for {@code spring.data.redis.cluster.nodes}.
	 * @return for example {@code 127.0.0.1:7000,127.0.0.1:7001,...}
	 */
	public String nodesProperty() {
		return String.join(",", nodes());
	}

	/**
	 * Return the cluster's URL for the Node fixtures ({@link BullMq}): every node started
	 * as a seed node. The fixtures connect with an ioredis {@code Cluster}, which skips
	 * seed nodes that no longer answer. Use a hash-tagged prefix such as {@code {bull}}:
	 * BullMQ writes a queue's keys in multi-key scripts and pipelines, which fail with
	 * {@code CROSSSLOT} errors otherwise.
	 * @return for example {@code redis+cluster://127.0.0.1:7000,127.0.0.1:7001,...}
	 */
	public String url() {
		return "redis+cluster://" + nodesProperty();
	}

	/**
	 * Return the ports of the current masters that own slots, as a live node sees them
	 * ({@code CLUSTER SLOTS}).
	 * @return the ports, ascending
	 */
	public List<Integer> masterPorts() {
		return slotRanges().stream().map(SlotRange::masterPort).distinct().sorted().toList();
	}

	/**
	 * Return the port of the master that serves a key now ({@code CLUSTER KEYSLOT}, then
	 * {@code CLUSTER SLOTS}, asked from a live node).
	 * @param key the key, for example {@code {bull}:mail:wait}
	 * @return the master's port
	 */
	public int masterPortForKey(String key) {
		LocalRedisProcess node = anyLiveNode();
		long slot = commands(node.port()).clusterKeyslot(key);
		return slotRanges().stream()
			.filter((range) -> range.contains(slot))
			.findFirst()
			.map(SlotRange::masterPort)
			.orElseThrow(() -> new IllegalStateException("Slot " + slot + " of '" + key + "' is not served"));
	}

	/**
	 * Kill a master (SIGKILL, by its pid), first waiting until its replicas have
	 * replicated everything it acknowledged, so no acknowledged write is lost by the
	 * failover. Then use {@link #awaitFailover(int, Duration)}.
	 * @param port the master's port, one of {@link #masterPorts()}
	 * @throws IllegalArgumentException when the port is not a current master
	 * @throws IllegalStateException when its replicas do not catch up in time
	 */
	public synchronized void killMaster(int port) {
		if (!masterPorts().contains(port)) {
			throw new IllegalArgumentException(
					"127.0.0.1:" + port + " is not a current master; masters are " + masterPorts());
		}
		List<ClusterNode> view = ClusterNode.parseAll(commands(port).clusterNodes());
		String id = view.stream()
			.filter(ClusterNode::isMyself)
			.findFirst()
			.map(ClusterNode::id)
			.orElseThrow(() -> new IllegalStateException("CLUSTER NODES of " + port + " has no 'myself' entry"));
		List<Integer> replicas = view.stream()
			.filter((node) -> node.isReplica() && id.equals(node.masterId()))
			.map(ClusterNode::port)
			.toList();
		awaitReplicasCaughtUp(port, replicas);
		this.processes.admin().close(port);
		process(port).kill();
		this.killedMasterReplicas.put(port, replicas);
	}

	private void awaitReplicasCaughtUp(int masterPort, List<Integer> replicaPorts) {
		long masterOffset = Long
			.parseLong(LocalRedisProcess.infoField(commands(masterPort).info("replication"), "master_repl_offset"));
		await(CATCH_UP_TIMEOUT,
				"the replicas " + replicaPorts + " of " + masterPort + " to reach offset " + masterOffset, () -> {
					List<String> behind = new ArrayList<>();
					for (int replica : replicaPorts) {
						String offset = LocalRedisProcess.infoField(commands(replica).info("replication"),
								"slave_repl_offset");
						if (offset == null || Long.parseLong(offset) < masterOffset) {
							behind.add(replica + " at offset " + offset);
						}
					}
					return behind.isEmpty() ? null : String.join(", ", behind);
				});
	}

	/**
	 * Wait until a master killed by {@link #killMaster(int)} is replaced: one of its
	 * replicas owns its slots, no live node routes a slot to it any more, and every live
	 * node reports {@code cluster_state:ok} with all slots covered. With a node timeout
	 * of one second that takes about two to three seconds.
	 * @param killedPort the port passed to {@link #killMaster(int)}
	 * @param timeout how long to wait
	 * @throws IllegalArgumentException when that master was not killed by
	 * {@link #killMaster(int)}
	 * @throws IllegalStateException with the nodes' view when it does not happen in time
	 */
	public void awaitFailover(int killedPort, Duration timeout) {
		List<Integer> replicas;
		synchronized (this) {
			replicas = this.killedMasterReplicas.get(killedPort);
		}
		if (replicas == null) {
			throw new IllegalArgumentException("127.0.0.1:" + killedPort + " was not killed by killMaster");
		}
		if (replicas.isEmpty()) {
			throw new IllegalStateException("127.0.0.1:" + killedPort + " had no replica to fail over to");
		}
		await(timeout, "a replica " + replicas + " to replace the killed master 127.0.0.1:" + killedPort, () -> {
			List<String> problems = new ArrayList<>();
			Set<Integer> live = liveNodes().stream()
				.map(LocalRedisProcess::port)
				.collect(Collectors.toCollection(TreeSet::new));
			boolean promoted = false;
			for (int port : live) {
				RedisCommands<String, String> commands = commands(port);
				String info = commands.clusterInfo();
				String problem = clusterInfoProblem(info);
				Set<Integer> owners = SlotRange.parseAll(commands.clusterSlots())
					.stream()
					.map(SlotRange::masterPort)
					.collect(Collectors.toCollection(TreeSet::new));
				promoted |= owners.stream().anyMatch(replicas::contains);
				if (problem == null && !live.containsAll(owners)) {
					problem = "still routes slots to " + owners.stream().filter((p) -> !live.contains(p)).toList();
				}
				if (problem != null) {
					problems.add(port + " " + problem + ":\n" + commands.clusterNodes().strip());
				}
			}
			if (!promoted) {
				problems.add(0, "no replica of " + killedPort + " owns slots yet");
			}
			return problems.isEmpty() ? null : String.join("\n", problems);
		});
	}

	/**
	 * Return how often each command was called, summed over the live nodes
	 * ({@code INFO commandstats}, as {@link RedisServer#commandCalls()} reports it). The
	 * admin calls of this class count too.
	 * @return lowercase command name (subcommands as {@code client|list}) to calls
	 */
	public Map<String, Long> commandCalls() {
		Map<String, Long> calls = new LinkedHashMap<>();
		for (LocalRedisProcess node : liveNodes()) {
			LocalRedisProcess.commandCalls(commands(node.port()).info("commandstats"))
				.forEach((command, count) -> calls.merge(command, count, Long::sum));
		}
		return calls;
	}

	/**
	 * Return how often each command was called on each live node
	 * ({@code INFO commandstats}). The admin calls of this class count too.
	 * @return per node ({@code 127.0.0.1:port}, in start order), lowercase command name
	 * (subcommands as {@code client|list}) to calls
	 */
	public Map<String, Map<String, Long>> commandCallsByNode() {
		Map<String, Map<String, Long>> calls = new LinkedHashMap<>();
		for (LocalRedisProcess node : liveNodes()) {
			calls.put(node.address(), LocalRedisProcess.commandCalls(commands(node.port()).info("commandstats")));
		}
		return calls;
	}

	/**
	 * Kill every node and delete the temporary directory.
	 */
	@Override
	public void close() {
		this.processes.close();
	}

	@Override
	public String toString() {
		return "RedisCluster[" + url() + "]";
	}

	private List<SlotRange> slotRanges() {
		return SlotRange.parseAll(commands(anyLiveNode().port()).clusterSlots());
	}

	private static String clusterInfoProblem(String info) {
		String state = LocalRedisProcess.infoField(info, "cluster_state");
		if (!"ok".equals(state)) {
			return "reports cluster_state:" + state;
		}
		String slotsOk = LocalRedisProcess.infoField(info, "cluster_slots_ok");
		if (!String.valueOf(SLOTS).equals(slotsOk)) {
			return "reports cluster_slots_ok:" + slotsOk;
		}
		return null;
	}

	private List<LocalRedisProcess> liveNodes() {
		return this.processes.processes().stream().filter(LocalRedisProcess::isAlive).toList();
	}

	private LocalRedisProcess anyLiveNode() {
		return liveNodes().stream()
			.findFirst()
			.orElseThrow(() -> new IllegalStateException("No cluster node is running"));
	}

	private LocalRedisProcess process(int port) {
		return this.processes.processes()
			.stream()
			.filter((process) -> process.port() == port)
			.findFirst()
			.orElseThrow(() -> new IllegalArgumentException("127.0.0.1:" + port + " is not a node of " + this));
	}

	private RedisCommands<String, String> commands(int port) {
		return this.processes.admin().node(port);
	}

	private void await(Duration timeout, String what, Supplier<String> problems) {
		this.processes.await(timeout, what, problems);
	}

	private static String withoutColors(String text) {
		return text.replaceAll("\u001B\\[[0-9;]*m", "");
	}

	/**
	 * One line of {@code CLUSTER NODES}.
	 */
	private record ClusterNode(String id, int port, Set<String> flags, String masterId) {

		static List<ClusterNode> parseAll(String clusterNodes) {
			List<ClusterNode> nodes = new ArrayList<>();
			for (String line : clusterNodes.split("\r?\n")) {
				if (line.isBlank()) {
					continue;
				}
				String[] fields = line.trim().split(" ");
				String address = fields[1].split("[@,]")[0];
				int port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
				nodes.add(new ClusterNode(fields[0], port, Set.of(fields[2].split(",")), fields[3]));
			}
			return nodes;
		}

		boolean isMyself() {
			return this.flags.contains("myself");
		}

		boolean isReplica() {
			return this.flags.contains("slave") || this.flags.contains("replica");
		}

		boolean isUnhealthy() {
			return this.flags.contains("fail") || this.flags.contains("fail?") || this.flags.contains("handshake")
					|| this.flags.contains("noaddr");
		}

	}

	/**
	 * One slot range of {@code CLUSTER SLOTS} and the port of its master.
	 */
	private record SlotRange(long start, long end, int masterPort) {

		static List<SlotRange> parseAll(List<Object> clusterSlots) {
			List<SlotRange> ranges = new ArrayList<>();
			for (Object entry : clusterSlots) {
				List<?> range = (List<?>) entry;
				List<?> master = (List<?>) range.get(2);
				ranges.add(new SlotRange(((Number) range.get(0)).longValue(), ((Number) range.get(1)).longValue(),
						((Number) master.get(1)).intValue()));
			}
			return ranges;
		}

		boolean contains(long slot) {
			return slot >= this.start && slot <= this.end;
		}

	}

}
