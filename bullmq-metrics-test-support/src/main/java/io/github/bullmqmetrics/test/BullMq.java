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

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Drives real BullMQ from npm (versions 5 and 6 side by side) through the Node scripts in
 * {@code bullmq-metrics-test-support/node}, so tests compare against what BullMQ itself
 * writes and reports.
 * <p>
 * Each script reads one JSON document on stdin and writes one on stdout. A run that fails
 * or takes longer than {@link #TIMEOUT} throws an {@link IllegalStateException} with the
 * script's stderr.
 * <p>
 * A {@code redisUrl} is a {@code redis://} URL ({@link RedisServer#url()}), a
 * {@code redis+cluster://host:port,host:port,...} URL ({@link RedisCluster#url()}), or a
 * {@code redis+sentinel://host:port,host:port,.../masterName} URL
 * ({@link RedisSentinel#url()}); the last two may carry credentials for the data nodes
 * ({@code user:password@}). On a cluster, use a hash-tagged prefix such as
 * {@code {bull}}.
 *
 * @author bullmq-metrics authors
 */
public final class BullMq {

	/** The longest a seed or export run may take. */
	public static final Duration TIMEOUT = Duration.ofSeconds(120);

	/** The system property that names the Node fixtures directory. */
	public static final String NODE_DIR_PROPERTY = "bullmq.node.dir";

	private static final JsonMapper json = JsonMapper.builder().build();

	private BullMq() {
	}

	/**
	 * A BullMQ major version, installed under the npm alias {@code bullmq<major>}.
	 */
	public enum Version {

		/** BullMQ 5 (pause moves {@code wait} to {@code paused}). */
		V5(5),

		/** BullMQ 6 (pause only sets the {@code meta} flag). */
		V6(6);

		private final int major;

		Version(int major) {
			this.major = major;
		}

		/**
		 * Return the major version number.
		 * @return 5 or 6
		 */
		public int major() {
			return this.major;
		}

	}

	/**
	 * How many jobs {@link #seed} puts in each state of one queue. Each
	 * {@code waitingChildren} flow is a parent in {@code waiting-children} plus one child
	 * that is waiting, so it also adds one waiting job (a paused one in v5 when
	 * {@code paused}).
	 *
	 * @param name the queue name (anything but {@code :})
	 * @param completed jobs completed by a worker with metrics enabled
	 * @param failed jobs failed by that worker (one attempt each)
	 * @param active jobs left active by a worker that was force-closed
	 * @param waiting plain waiting jobs
	 * @param delayed jobs delayed by one hour
	 * @param prioritized jobs with priorities 1 to n
	 * @param waitingChildren flows of one parent and one child
	 * @param paused whether the queue is paused after all jobs were added
	 */
	public record QueueSpec(String name, int completed, int failed, int active, int waiting, int delayed,
			int prioritized, int waitingChildren, boolean paused) {

		/**
		 * A queue with jobs in every state: 3 completed, 2 failed, 2 active, 4 waiting, 2
		 * delayed, 3 prioritized and 1 waiting-children flow (so 5 waiting in all), not
		 * paused.
		 * @param name the queue name
		 * @return the spec
		 */
		public static QueueSpec everyState(String name) {
			return new QueueSpec(name, 3, 2, 2, 4, 2, 3, 1, false);
		}

		/**
		 * A queue with no jobs at all.
		 * @param name the queue name
		 * @return the spec
		 */
		public static QueueSpec empty(String name) {
			return new QueueSpec(name, 0, 0, 0, 0, 0, 0, 0, false);
		}

		/**
		 * Return a copy that is paused or not.
		 * @param paused whether the queue is paused
		 * @return the copy
		 */
		public QueueSpec withPaused(boolean paused) {
			return new QueueSpec(this.name, this.completed, this.failed, this.active, this.waiting, this.delayed,
					this.prioritized, this.waitingChildren, paused);
		}

	}

	/**
	 * Fill queues with real BullMQ data in every state (see {@link QueueSpec}). Seed each
	 * queue once: the active jobs are left without a worker, and a later worker on the
	 * same queue would treat them as stalled.
	 * @param redisUrl the Redis URL (see the class description), optionally with
	 * credentials
	 * @param version the BullMQ version that writes the data
	 * @param prefix the key prefix, for example {@code bull}
	 * @param queues the queues to fill
	 * @return per queue name, what BullMQ's {@code getJobCounts()} says afterwards (state
	 * to count, in BullMQ's order)
	 */
	public static Map<String, Map<String, Long>> seed(String redisUrl, Version version, String prefix,
			List<QueueSpec> queues) {
		return seed(redisUrl, null, version, prefix, queues);
	}

	/**
	 * Fill queues as {@link #seed(String, Version, String, List)} does, on a Redis that
	 * speaks TLS ({@code rediss://}): Node trusts this CA as well as its own
	 * ({@code NODE_EXTRA_CA_CERTS}), and ioredis checks the server's certificate against
	 * the URL's host.
	 * @param redisUrl the {@code rediss://} URL ({@link RedisServer#url()} of a
	 * {@link RedisServer#startLocalTls TLS server})
	 * @param caCertificate the PEM file of the CA that signed the server's certificate,
	 * or {@code null} for Node's own CAs only
	 * @param version the BullMQ version that writes the data
	 * @param prefix the key prefix
	 * @param queues the queues to fill
	 * @return per queue name, what BullMQ's {@code getJobCounts()} says afterwards
	 */
	public static Map<String, Map<String, Long>> seed(String redisUrl, Path caCertificate, Version version,
			String prefix, List<QueueSpec> queues) {
		Map<String, Object> input = input(redisUrl, version, prefix);
		input.put("queues", queues);
		Map<String, String> environment = (caCertificate != null)
				? Map.of("NODE_EXTRA_CA_CERTS", caCertificate.toAbsolutePath().toString()) : Map.of();
		JsonNode output = json.readTree(run("seed.mjs", input, environment));
		return json.convertValue(output.required("queues"),
				new TypeReference<LinkedHashMap<String, Map<String, Long>>>() {
				});
	}

	/**
	 * Return what BullMQ's own {@code Queue.exportPrometheusMetrics(globalVariables)}
	 * returns for each queue (with no final newline, as BullMQ writes it). Reading does
	 * not create a queue's {@code meta} hash.
	 * @param redisUrl the Redis URL (see the class description), optionally with
	 * credentials
	 * @param version the BullMQ version that exports
	 * @param prefix the key prefix
	 * @param queues the queue names
	 * @param globalVariables extra labels for every sample, or {@code null}
	 * @return per queue name, the Prometheus text
	 */
	public static Map<String, String> exportPrometheusMetrics(String redisUrl, Version version, String prefix,
			List<String> queues, Map<String, String> globalVariables) {
		Map<String, Object> input = input(redisUrl, version, prefix);
		input.put("queues", queues);
		if (globalVariables != null) {
			input.put("globalVariables", globalVariables);
		}
		return json.readValue(run("export.mjs", input), new TypeReference<LinkedHashMap<String, String>>() {
		});
	}

	/**
	 * Add {@code jobs} jobs to a queue, then start a real Worker that works them off in
	 * the background. Returns once the jobs are added (the worker may not have started).
	 * @param redisUrl the Redis URL (see the class description), optionally with
	 * credentials
	 * @param version the BullMQ version
	 * @param prefix the key prefix
	 * @param queue the queue name
	 * @param jobs how many jobs to add and complete
	 * @param concurrency the worker's concurrency
	 * @return a handle on the running drain; close it to stop the worker
	 */
	public static Drain drain(String redisUrl, Version version, String prefix, String queue, int jobs,
			int concurrency) {
		Map<String, Object> input = input(redisUrl, version, prefix);
		input.put("queue", queue);
		input.put("jobs", jobs);
		input.put("concurrency", concurrency);
		Drain drain = new Drain(start("drain.mjs", json.writeValueAsBytes(input), Map.of()));
		drain.awaitAdded(TIMEOUT);
		return drain;
	}

	/**
	 * What BullMQ says of a queue built in one of the situations of
	 * {@code node/activity.mjs}, and when its front job became ready to run.
	 *
	 * @param readySince when the job that has waited longest at the front became ready,
	 * in ms on Redis' clock; {@code null} when no job is ready
	 * @param latencyChecked whether the scenario pins the latency down (a scheduler's
	 * first job is due at once, so one with schedulers does not)
	 * @param delayedCount {@code getDelayedCount(now)} of BullMQ 6.7, {@code null} for
	 * BullMQ 5, which cannot count by time
	 * @param schedulers {@code getJobSchedulersCount()}
	 * @param rateLimitTtl {@code getRateLimitTtl()}, in ms (-2 with no limiter key)
	 * @param globalConcurrency {@code getGlobalConcurrency()}, {@code null} when none
	 */
	public record Activity(Long readySince, boolean latencyChecked, Long delayedCount, long schedulers,
			long rateLimitTtl, Long globalConcurrency) {
	}

	/**
	 * Build one queue per scenario of {@code node/activity.mjs}, named after it, with
	 * real BullMQ, and return what BullMQ's API says of each.
	 * @param redisUrl the Redis URL
	 * @param version the BullMQ version that writes the data
	 * @param prefix the key prefix
	 * @param scenarios the scenarios, for example {@code waiting} or {@code retried}
	 * @return per queue name, BullMQ's answers
	 */
	public static Map<String, Activity> activity(String redisUrl, Version version, String prefix,
			List<String> scenarios) {
		Map<String, Object> input = input(redisUrl, version, prefix);
		input.put("scenarios", scenarios);
		JsonNode queues = json.readTree(run("activity.mjs", input)).required("queues");
		Map<String, Activity> result = new LinkedHashMap<>();
		for (String scenario : scenarios) {
			JsonNode queue = queues.required(scenario);
			JsonNode ready = queue.path("readySince");
			boolean checked = !ready.isString();
			result.put(scenario, new Activity((ready.isNumber()) ? ready.asLong() : null, checked,
					queue.path("delayedCount").isNumber() ? queue.path("delayedCount").asLong() : null,
					queue.required("schedulers").asLong(), queue.required("rateLimitTtl").asLong(),
					queue.path("globalConcurrency").isNumber() ? queue.path("globalConcurrency").asLong() : null));
		}
		return result;
	}

	/**
	 * Start real Workers and QueueEvents and keep them running until the handle is
	 * closed. Returns once BullMQ's own {@code queue.getWorkersCount()} and
	 * {@code queue.getQueueEvents()} see exactly these on their queues (or at once when
	 * Redis refuses {@code CLIENT LIST}, where BullMQ cannot see them), with what BullMQ
	 * says then; on the other queues it says whatever BullMQ sees, clients named by other
	 * processes included.
	 * @param redisUrl the Redis URL (see the class description), optionally with
	 * credentials
	 * @param version the BullMQ version
	 * @param prefix the key prefix
	 * @param queues the queues to report on; queues of the workers and QueueEvents are
	 * reported too
	 * @param workers the workers to start, in the order that
	 * {@link Workers#close(int...)} refers to
	 * @param queueEvents the queues to start one QueueEvents on each
	 * @return a handle on the running workers; close it to stop them all
	 */
	public static Workers workers(String redisUrl, Version version, String prefix, List<String> queues,
			List<WorkerSpec> workers, List<String> queueEvents) {
		Map<String, Object> input = input(redisUrl, version, prefix);
		input.put("queues", queues);
		input.put("workers", workers);
		input.put("queueEvents", queueEvents);
		Workers running = new Workers(launch("workers.mjs"));
		try {
			running.send(input);
			running.counts = running.nextReport();
			return running;
		}
		catch (RuntimeException ex) {
			running.close();
			throw ex;
		}
	}

	/**
	 * Add jobs to a queue, let one real Worker finish them all, and return each job's
	 * fields as BullMQ wrote them: the oracle of wait and processing times. The worker
	 * sleeps each job's {@link JobSpec#sleep()} and fails its first
	 * {@link JobSpec#failTimes()} attempts. Returns once every job finished for good (and
	 * those marked {@link JobSpec#remove()} were removed) and the worker closed.
	 * @param redisUrl the Redis URL (see the class description)
	 * @param version the BullMQ version
	 * @param prefix the key prefix
	 * @param queue the queue name
	 * @param concurrency the worker's concurrency
	 * @param metrics whether the worker keeps BullMQ's {@code metrics} counts
	 * @param jobs the jobs, added in order
	 * @return every job added, flows' children included, and the metrics counts
	 */
	public static Finished finish(String redisUrl, Version version, String prefix, String queue, int concurrency,
			boolean metrics, List<JobSpec> jobs) {
		Map<String, Object> input = input(redisUrl, version, prefix);
		input.put("queue", queue);
		input.put("concurrency", concurrency);
		input.put("metrics", metrics);
		input.put("jobs", jobs);
		return json.readValue(run("finish.mjs", input), Finished.class);
	}

	/**
	 * A job for {@link #finish}: how long the worker sleeps on it, how it fails, and the
	 * BullMQ options it is added with ({@code null} for none).
	 *
	 * @param name the job name
	 * @param sleep how long the worker sleeps on each attempt, in milliseconds
	 * @param failTimes how many of its first attempts fail
	 * @param attempts BullMQ's {@code attempts}
	 * @param backoff BullMQ's {@code backoff}, for example
	 * {@code Map.of("type", "fixed", "delay", 100)}
	 * @param delay BullMQ's {@code delay}, in milliseconds
	 * @param removeOnComplete BullMQ's {@code removeOnComplete}: {@code true}, a count,
	 * or {@code Map.of("count", n)}
	 * @param removeOnFail BullMQ's {@code removeOnFail}
	 * @param remove whether to remove the job with {@code queue.remove(id)} once every
	 * job finished
	 * @param children the children of a flow whose parent this job is, or {@code null}
	 */
	public record JobSpec(String name, long sleep, int failTimes, Integer attempts, Map<String, Object> backoff,
			Long delay, Object removeOnComplete, Object removeOnFail, boolean remove, List<JobSpec> children) {

		/**
		 * A job that the worker completes after sleeping.
		 * @param name the job name
		 * @param sleep the sleep in milliseconds
		 * @return the spec
		 */
		public static JobSpec sleeping(String name, long sleep) {
			return new JobSpec(name, sleep, 0, null, null, null, null, null, false, null);
		}

		/**
		 * Return a copy whose first attempts fail.
		 * @param failTimes how many attempts fail
		 * @param attempts BullMQ's {@code attempts}
		 * @param backoffMillis a fixed backoff, or 0 for none
		 * @return the copy
		 */
		public JobSpec failing(int failTimes, int attempts, long backoffMillis) {
			Map<String, Object> backoff = (backoffMillis > 0) ? Map.of("type", "fixed", "delay", backoffMillis) : null;
			return new JobSpec(this.name, this.sleep, failTimes, attempts, backoff, this.delay, this.removeOnComplete,
					this.removeOnFail, this.remove, this.children);
		}

		/**
		 * Return a copy added with a delay.
		 * @param delayMillis the delay
		 * @return the copy
		 */
		public JobSpec delayed(long delayMillis) {
			return new JobSpec(this.name, this.sleep, this.failTimes, this.attempts, this.backoff, delayMillis,
					this.removeOnComplete, this.removeOnFail, this.remove, this.children);
		}

		/**
		 * Return a copy with BullMQ's {@code removeOnComplete} and {@code removeOnFail}.
		 * @param removeOnComplete {@code removeOnComplete}
		 * @param removeOnFail {@code removeOnFail}
		 * @return the copy
		 */
		public JobSpec removedOnFinish(Object removeOnComplete, Object removeOnFail) {
			return new JobSpec(this.name, this.sleep, this.failTimes, this.attempts, this.backoff, this.delay,
					removeOnComplete, removeOnFail, this.remove, this.children);
		}

		/**
		 * Return a copy that is removed with {@code queue.remove(id)} once every job
		 * finished.
		 * @return the copy
		 */
		public JobSpec removedAfterwards() {
			return new JobSpec(this.name, this.sleep, this.failTimes, this.attempts, this.backoff, this.delay,
					this.removeOnComplete, this.removeOnFail, true, this.children);
		}

		/**
		 * Return a copy that is the parent of a flow with these children, all in the same
		 * queue.
		 * @param children the children
		 * @return the copy
		 */
		public JobSpec withChildren(JobSpec... children) {
			return new JobSpec(this.name, this.sleep, this.failTimes, this.attempts, this.backoff, this.delay,
					this.removeOnComplete, this.removeOnFail, this.remove, List.of(children));
		}

	}

	/**
	 * What {@link #finish} did.
	 *
	 * @param jobs every job added, flows' children included
	 * @param metrics BullMQ's lifetime {@code count} of {@code metrics:completed} and
	 * {@code metrics:failed} afterwards ({@code null} values when absent)
	 */
	public record Finished(List<FinishedJobFields> jobs, Map<String, Long> metrics) {

		/**
		 * Return the jobs that finished one way.
		 * @param state {@code completed} or {@code failed}
		 * @return the jobs
		 */
		public List<FinishedJobFields> jobs(String state) {
			return this.jobs.stream().filter((job) -> job.state().equals(state)).toList();
		}

	}

	/**
	 * One finished job's fields as BullMQ wrote them: read back from its hash when it is
	 * kept, else as the worker's {@code Job} had them when it finished.
	 *
	 * @param id the job id
	 * @param name the job name
	 * @param state {@code completed} or {@code failed}
	 * @param kept whether its hash was still there at the end
	 * @param removed whether it was removed with {@code queue.remove(id)}
	 * @param parent whether it is the parent of a flow
	 * @param timestamp {@code timestamp}
	 * @param processedOn {@code processedOn}
	 * @param finishedOn {@code finishedOn}
	 * @param attemptsStarted {@code ats}, or {@code null} when the hash is gone
	 * @param attemptsMade {@code atm}
	 * @param delay the hash's {@code delay}, or {@code null} when the hash is gone
	 * @param opts the {@code opts} JSON
	 */
	public record FinishedJobFields(String id, String name, String state, boolean kept, boolean removed, boolean parent,
			long timestamp, long processedOn, long finishedOn, Integer attemptsStarted, int attemptsMade, Long delay,
			String opts) {

		/**
		 * Return {@code finishedOn - processedOn}: the processing time of the last
		 * attempt.
		 * @return the processing time in milliseconds
		 */
		public long processingMillis() {
			return this.finishedOn - this.processedOn;
		}

		/**
		 * Return the wait of a first attempt: {@code processedOn - (timestamp + delay)},
		 * with the delay the job was added with (the {@code delay} of {@code opts}, since
		 * BullMQ resets the hash's {@code delay} on promotion). A job that started more
		 * than once ({@code ats} above 1), or a flow's parent, which became ready only
		 * when its children finished, has none.
		 * @return the wait in milliseconds, or empty
		 */
		public OptionalLong firstAttemptWaitMillis() {
			if (this.attemptsStarted == null || this.attemptsStarted != 1 || this.parent) {
				return OptionalLong.empty();
			}
			long ready = this.timestamp + json.readTree(this.opts).path("delay").asLong(0);
			return (this.processedOn >= ready) ? OptionalLong.of(this.processedOn - ready) : OptionalLong.empty();
		}

	}

	/**
	 * Return the directory of the Node fixtures: the {@code bullmq.node.dir} system
	 * property (set by the build), or {@code bullmq-metrics-test-support/node} found by
	 * walking up from the working directory. Fails when its {@code node_modules} is
	 * missing.
	 * @return the directory
	 */
	public static Path nodeDir() {
		String configured = System.getProperty(NODE_DIR_PROPERTY);
		Path directory = (configured != null && !configured.isBlank()) ? Path.of(configured) : findNodeDir();
		if (!Files.isRegularFile(directory.resolve("package.json"))) {
			throw new IllegalStateException("No BullMQ Node fixtures at " + directory.toAbsolutePath() + " (set -D"
					+ NODE_DIR_PROPERTY + " to bullmq-metrics-test-support/node)");
		}
		if (!Files.isDirectory(directory.resolve("node_modules/bullmq5"))
				|| !Files.isDirectory(directory.resolve("node_modules/bullmq6"))) {
			throw new IllegalStateException("BullMQ is not installed in " + directory.toAbsolutePath().normalize()
					+ "/node_modules: run ./mvnw -B verify, which runs npm ci (or run npm ci in that directory)");
		}
		return directory;
	}

	private static Path findNodeDir() {
		Path start = Path.of(System.getProperty("user.dir")).toAbsolutePath();
		for (Path directory = start; directory != null; directory = directory.getParent()) {
			Path candidate = directory.resolve("bullmq-metrics-test-support/node");
			if (Files.isRegularFile(candidate.resolve("package.json"))) {
				return candidate;
			}
			if (directory.getFileName() != null
					&& directory.getFileName().toString().equals("bullmq-metrics-test-support")
					&& Files.isRegularFile(directory.resolve("node/package.json"))) {
				return directory.resolve("node");
			}
		}
		throw new IllegalStateException(
				"Could not find bullmq-metrics-test-support/node above " + start + "; set -D" + NODE_DIR_PROPERTY);
	}

	private static Map<String, Object> input(String redisUrl, Version version, String prefix) {
		Map<String, Object> input = new LinkedHashMap<>();
		input.put("redis", redisUrl);
		input.put("bullmq", version.major());
		input.put("prefix", prefix);
		return input;
	}

	private static String run(String script, Object input) {
		return run(script, input, Map.of());
	}

	private static String run(String script, Object input, Map<String, String> environment) {
		Process process = start(script, json.writeValueAsBytes(input), environment);
		CompletableFuture<String> stdout = readAsync(process.getInputStream());
		CompletableFuture<String> stderr = readAsync(process.getErrorStream());
		try {
			if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
				process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
				throw new IllegalStateException(
						"node " + script + " timed out after " + TIMEOUT + ":\n" + finish(stderr) + finish(stdout));
			}
			String out = stdout.get(10, TimeUnit.SECONDS);
			String err = stderr.get(10, TimeUnit.SECONDS);
			if (process.exitValue() != 0) {
				throw new IllegalStateException(
						"node " + script + " failed with exit code " + process.exitValue() + ":\n" + err);
			}
			return out;
		}
		catch (InterruptedException ex) {
			process.destroyForcibly();
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while running node " + script, ex);
		}
		catch (ExecutionException | TimeoutException ex) {
			throw new IllegalStateException("Could not read the output of node " + script, ex);
		}
	}

	private static Process start(String script, byte[] input, Map<String, String> environment) {
		Process process = launch(script, environment);
		try (OutputStream stdin = process.getOutputStream()) {
			stdin.write(input);
		}
		catch (IOException ex) {
			process.destroyForcibly();
			throw new UncheckedIOException("Could not write the input of node " + script, ex);
		}
		return process;
	}

	private static Process launch(String script) {
		return launch(script, Map.of());
	}

	private static Process launch(String script, Map<String, String> environment) {
		Path node = Prerequisites.findExecutable("node")
			.orElseThrow(() -> Prerequisites.missing("node is not on the PATH: install Node.js 20+ to run BullMQ"));
		Path directory = nodeDir();
		try {
			ProcessBuilder builder = new ProcessBuilder(node.toString(), script).directory(directory.toFile());
			builder.environment().putAll(environment);
			return builder.start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not start node " + script + " in " + directory, ex);
		}
	}

	private static String finish(CompletableFuture<String> output) {
		try {
			return output.get(2, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return "";
		}
		catch (ExecutionException | TimeoutException ex) {
			return "";
		}
	}

	private static CompletableFuture<String> readAsync(InputStream stream) {
		return ProcessOutput.readAsync(stream);
	}

	/**
	 * A running {@code drain.mjs}: a real Worker completing the jobs it added.
	 */
	public static final class Drain implements AutoCloseable {

		private static final Duration READER_TIMEOUT = Duration.ofSeconds(1);

		private final Process process;

		private final CountDownLatch added = new CountDownLatch(1);

		private final CompletableFuture<String> stderr;

		private final Thread reader;

		private volatile Integer addedJobs;

		private volatile Long completed;

		private Drain(Process process) {
			this.process = process;
			this.stderr = readAsync(process.getErrorStream());
			this.reader = new Thread(this::readStdout, "bullmq-drain-" + process.pid());
			this.reader.setDaemon(true);
			this.reader.start();
		}

		private void readStdout() {
			try (BufferedReader reader = new BufferedReader(
					new InputStreamReader(this.process.getInputStream(), StandardCharsets.UTF_8))) {
				String line;
				while ((line = reader.readLine()) != null) {
					if (line.isBlank()) {
						continue;
					}
					JsonNode message = json.readTree(line);
					if (message.has("added")) {
						this.addedJobs = message.get("added").asInt();
						this.added.countDown();
					}
					if (message.path("done").asBoolean(false)) {
						this.completed = message.path("completed").asLong();
					}
				}
			}
			catch (IOException | RuntimeException ex) {
				// The process was destroyed; await() reports it.
			}
			finally {
				this.added.countDown();
			}
		}

		private void awaitAdded(Duration timeout) {
			try {
				if (!this.added.await(timeout.toMillis(), TimeUnit.MILLISECONDS) || this.addedJobs == null) {
					close();
					throw new IllegalStateException(
							"node drain.mjs did not add its jobs within " + timeout + ":\n" + finish(this.stderr));
				}
			}
			catch (InterruptedException ex) {
				close();
				Thread.currentThread().interrupt();
				throw new IllegalStateException("Interrupted while adding jobs", ex);
			}
		}

		/**
		 * Return how many jobs were added.
		 * @return the number of jobs
		 */
		public int added() {
			return this.addedJobs;
		}

		/**
		 * Whether all jobs were completed and the worker stopped.
		 * @return whether the drain finished
		 */
		public boolean finished() {
			return !this.process.isAlive() && this.process.exitValue() == 0 && this.completed != null;
		}

		/**
		 * Return the queue's completed count when the drain finished.
		 * @return the completed count, or {@code null} while running
		 */
		public Long completed() {
			return this.completed;
		}

		/**
		 * Wait until all jobs are completed.
		 * @param timeout how long to wait
		 * @throws IllegalStateException if the drain failed or did not finish in time
		 */
		public void await(Duration timeout) {
			try {
				if (!this.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
					throw new IllegalStateException("node drain.mjs did not finish within " + timeout
							+ " (close() the drain to stop its worker)");
				}
				// Let the reader thread see the last line: it ends at the end of stdout.
				this.reader.join(READER_TIMEOUT.toMillis());
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException("Interrupted while draining", ex);
			}
			if (!finished()) {
				throw new IllegalStateException("node drain.mjs failed with exit code " + this.process.exitValue()
						+ ":\n" + finish(this.stderr));
			}
		}

		/**
		 * Stop the worker (destroying the Node process) if it still runs.
		 */
		@Override
		public void close() {
			if (this.process.isAlive()) {
				this.process.destroyForcibly();
				try {
					this.process.waitFor(10, TimeUnit.SECONDS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}
		}

	}

	/**
	 * A Worker for {@link #workers}: on a queue, with or without BullMQ's {@code name}
	 * option.
	 *
	 * @param queue the queue name
	 * @param name the worker's name, or {@code null} for an unnamed worker
	 */
	public record WorkerSpec(String queue, String name) {

		/**
		 * A worker without a name.
		 * @param queue the queue name
		 * @return the spec
		 */
		public static WorkerSpec unnamed(String queue) {
			return new WorkerSpec(queue, null);
		}

		/**
		 * A worker with a name, which BullMQ appends to its client name as
		 * {@code :w:<name>}.
		 * @param queue the queue name
		 * @param name the worker's name
		 * @return the spec
		 */
		public static WorkerSpec named(String queue, String name) {
			return new WorkerSpec(queue, name);
		}

	}

	/**
	 * What real BullMQ says about the clients of each queue.
	 *
	 * @param workers per queue name, {@code queue.getWorkersCount()}
	 * @param queueEvents per queue name, the length of {@code queue.getQueueEvents()}
	 * @param clientList whether Redis answered {@code CLIENT LIST}; when it did not,
	 * BullMQ reports a made-up client instead of the real ones
	 */
	public record ClientCounts(Map<String, Long> workers, Map<String, Long> queueEvents, boolean clientList) {

	}

	/**
	 * A running {@code workers.mjs}: real Workers and QueueEvents that stay connected
	 * until they are closed.
	 */
	public static final class Workers implements AutoCloseable {

		/** Marks the end of stdout, where blank lines are skipped. */
		private static final String END = "";

		private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(30);

		private final Process process;

		private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

		private final CompletableFuture<String> stderr;

		private final OutputStream stdin;

		private ClientCounts counts;

		private Workers(Process process) {
			this.process = process;
			this.stdin = process.getOutputStream();
			this.stderr = readAsync(process.getErrorStream());
			Thread reader = new Thread(this::readStdout, "bullmq-workers-" + process.pid());
			reader.setDaemon(true);
			reader.start();
		}

		private void readStdout() {
			try (BufferedReader reader = new BufferedReader(
					new InputStreamReader(this.process.getInputStream(), StandardCharsets.UTF_8))) {
				String line;
				while ((line = reader.readLine()) != null) {
					if (!line.isBlank()) {
						this.lines.add(line);
					}
				}
			}
			catch (IOException ex) {
				// The process was destroyed; nextReport() reports it.
			}
			finally {
				this.lines.add(END);
			}
		}

		/**
		 * Return what BullMQ said in its last report: when the workers started, or after
		 * the last {@link #close(int...)} or {@link #report()}.
		 * @return the counts
		 */
		public ClientCounts counts() {
			return this.counts;
		}

		/**
		 * Close some of the workers, and wait until BullMQ no longer sees them.
		 * @param indices indices into the list of workers that started
		 * @return what BullMQ says afterwards
		 */
		public ClientCounts close(int... indices) {
			send(Map.of("close", indices));
			this.counts = nextReport();
			return this.counts;
		}

		/**
		 * Ask BullMQ again.
		 * @return what BullMQ says now
		 */
		public ClientCounts report() {
			send(Map.of("report", true));
			this.counts = nextReport();
			return this.counts;
		}

		private void send(Object command) {
			try {
				this.stdin.write(json.writeValueAsBytes(command));
				this.stdin.write('\n');
				this.stdin.flush();
			}
			catch (IOException ex) {
				throw new IllegalStateException("node workers.mjs stopped reading commands:\n" + stopAndReadStderr(),
						ex);
			}
		}

		private ClientCounts nextReport() {
			String line;
			try {
				line = this.lines.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException("Interrupted while waiting for node workers.mjs", ex);
			}
			if (line == null || line.equals(END)) {
				throw new IllegalStateException(
						"node workers.mjs " + ((line == null) ? "did not report within " + TIMEOUT : "ended") + ":\n"
								+ stopAndReadStderr());
			}
			return json.readValue(line, ClientCounts.class);
		}

		private String stopAndReadStderr() {
			if (this.process.isAlive()) {
				this.process.destroyForcibly();
			}
			return finish(this.stderr);
		}

		/**
		 * Close every worker and QueueEvents (by closing the script's stdin), waiting for
		 * the script to end; stop it by force if it does not.
		 */
		@Override
		public void close() {
			try {
				this.stdin.close();
			}
			catch (IOException ex) {
				// Already gone.
			}
			try {
				if (!this.process.waitFor(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
					this.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
				}
			}
			catch (InterruptedException ex) {
				this.process.destroyForcibly();
				Thread.currentThread().interrupt();
			}
		}

	}

}
