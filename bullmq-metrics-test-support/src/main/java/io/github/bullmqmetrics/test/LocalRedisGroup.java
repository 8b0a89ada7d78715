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

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import java.util.function.IntPredicate;
import java.util.function.Supplier;

/**
 * The local {@code redis-server} processes of one {@link RedisCluster} or
 * {@link RedisSentinel}, with their temporary directory and admin connections. Closing it
 * closes the connections, kills every process and deletes the directory.
 *
 * @author bullmq-metrics authors
 */
final class LocalRedisGroup implements AutoCloseable {

	private final Path directory;

	private final AdminConnections admin = new AdminConnections();

	private final List<LocalRedisProcess> processes = new ArrayList<>();

	private boolean closed;

	/**
	 * Create a group with a new temporary directory.
	 * @param directoryPrefix the start of the directory's name
	 */
	LocalRedisGroup(String directoryPrefix) {
		this.directory = LocalRedisProcess.createDirectory(directoryPrefix);
	}

	/**
	 * Return the directory the processes log to and work in.
	 * @return the temporary directory
	 */
	Path directory() {
		return this.directory;
	}

	/**
	 * Return the admin connections to the processes.
	 * @return the connections, closed by {@link #close()}
	 */
	AdminConnections admin() {
		return this.admin;
	}

	/**
	 * Start a process in this group's directory (see
	 * {@link LocalRedisProcess#start(String, Path, IntPredicate, IntFunction)}) and add
	 * it to the group.
	 * @param name a short name for the log file
	 * @param usablePort which free ports to accept
	 * @param command the command line for a port
	 * @return the running process
	 */
	LocalRedisProcess start(String name, IntPredicate usablePort, IntFunction<List<String>> command) {
		LocalRedisProcess process = LocalRedisProcess.start(name, this.directory, usablePort, command);
		synchronized (this) {
			this.processes.add(process);
		}
		return process;
	}

	/**
	 * Return every process started, including killed ones.
	 * @return the processes, in start order
	 */
	synchronized List<LocalRedisProcess> processes() {
		return List.copyOf(this.processes);
	}

	/**
	 * Poll until a condition holds (see
	 * {@link LocalRedisProcess#await(Duration, String, Supplier, Supplier)}), with the
	 * last log lines of every process in the message on timeout.
	 * @param timeout how long to wait
	 * @param what what is awaited, for the message
	 * @param problems what still keeps the condition from holding, or {@code null} once
	 * it holds
	 * @throws IllegalStateException when it times out
	 */
	void await(Duration timeout, String what, Supplier<String> problems) {
		LocalRedisProcess.await(timeout, what, problems, this::logTails);
	}

	/**
	 * Return the last lines every process logged, for error messages.
	 * @return one section per process
	 */
	String logTails() {
		return LocalRedisProcess.logTails(processes());
	}

	/**
	 * Close the admin connections, kill every process (the last started first) and delete
	 * the directory. Does nothing the second time.
	 */
	@Override
	public synchronized void close() {
		if (this.closed) {
			return;
		}
		this.closed = true;
		this.admin.close();
		for (int i = this.processes.size() - 1; i >= 0; i--) {
			this.processes.get(i).kill();
		}
		LocalRedisProcess.deleteRecursively(this.directory);
	}

}
