#!/usr/bin/env node
// Benchmark: one cold scrape of bullmq-metrics' /actuator/prometheus (A) against BullMQ's own
// Queue.exportPrometheusMetrics() for every queue (B), on the same Redis and the same real BullMQ data,
// with a cached scrape (W) of a second exporter as the floor that no faster Redis read can go under,
// and two floors that hold for any exporter at all: R, what Redis spends on the bare reads, and M, what
// Micrometer spends rendering the same series.
//
// Usually started by run.sh, which checks the prerequisites and builds the jar. See README.md.
// Everything this script starts (one redis-server, two exporter jars at a time) binds 127.0.0.1 only
// and is killed when it exits, also on Ctrl+C or SIGTERM.
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { createRedisBackend, FlowProducer, MetricsTime, Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const BULLMQ_VERSION = JSON.parse(fs.readFileSync(path.join(HERE, 'node_modules/bullmq/package.json'), 'utf8')).version;
const HOST = '127.0.0.1';

// ---------------------------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------------------------

const USAGE = `Usage: node bench.mjs [options]   (normally through ./run.sh [options])

  --sizes LIST           queue counts to measure (default 1,1000,10000)
  --history LIST         none, week or both (default none,week): week fills every queue's
                         metrics:completed:data and metrics:failed:data with 10,080 points
  --rounds K             measured A/B pairs per size and history (default: 15 for N <= 1000, 7 above)
  --warmup K             unmeasured scrapes and exports before measuring (default 5)
  --warmup-seconds S     ...and keep scraping for at least S seconds, so that the JIT compiles
                         the scrape path even when a scrape has few meters (default 15).
                         M, the Micrometer floor, warms up and then measures for S seconds each
  --jar PATH             the exporter jar (default: samples/bullmq-metrics-sample/target/*.jar)
  --java PATH            java executable (default: java)
  --jvm-opts "OPTS"      JVM options for the jars (default: "-Xmx2g"), also as --jvm-opts="OPTS"
  --redis-server PATH    redis-server executable (default: redis-server)
  --seed-concurrency K   queues seeded at once (default 32)
  --wait-idle CORES      before each measurement, wait until other processes use at most CORES
                         CPUs (Linux, from /proc; default: don't wait). For shared machines
  --wait-idle-max SEC    give up waiting for idle after SEC seconds and measure anyway (default 600)
  --exporter-queues M    list: pass the queue names to the exporter (default);
                         discover: pass none (for an exporter that finds the queues itself)
  --results DIR          where the Markdown and JSON results go (default: benchmarks/results)
  --pid-file PATH        append "pid role" of every started process (run.sh cleans up with it)
  --help
`;

// parseArgs takes a value that starts with a dash only as --name=value; accept --jvm-opts "-X..." too.
function joinDashValues(argv) {
  const result = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--jvm-opts' && i + 1 < argv.length) result.push(`--jvm-opts=${argv[++i]}`);
    else result.push(argv[i]);
  }
  return result;
}

function options() {
  const { values } = parseArgs({
    args: joinDashValues(process.argv.slice(2)),
    options: {
      sizes: { type: 'string', default: '1,1000,10000' },
      history: { type: 'string', default: 'none,week' },
      rounds: { type: 'string' },
      warmup: { type: 'string', default: '5' },
      'warmup-seconds': { type: 'string', default: '15' },
      jar: { type: 'string' },
      java: { type: 'string', default: 'java' },
      'jvm-opts': { type: 'string', default: '-Xmx2g' },
      'redis-server': { type: 'string', default: 'redis-server' },
      'seed-concurrency': { type: 'string', default: '32' },
      'wait-idle': { type: 'string' },
      'wait-idle-max': { type: 'string', default: '600' },
      'exporter-queues': { type: 'string', default: 'list' },
      results: { type: 'string', default: path.join(HERE, 'results') },
      'pid-file': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const positiveInts = (text, name) =>
    text.split(',').map((part) => {
      const n = Number(part.trim());
      if (!Number.isInteger(n) || n < 1) throw new Error(`--${name}: "${part}" is not a positive integer`);
      return n;
    });
  const histories = values.history.split(',').map((h) => h.trim());
  for (const h of histories) {
    if (h !== 'none' && h !== 'week') throw new Error(`--history: "${h}" is neither none nor week`);
  }
  if (!['list', 'discover'].includes(values['exporter-queues'])) {
    throw new Error(`--exporter-queues: "${values['exporter-queues']}" is neither list nor discover`);
  }
  return {
    sizes: positiveInts(values.sizes, 'sizes'),
    histories,
    rounds: values.rounds === undefined ? undefined : positiveInts(values.rounds, 'rounds')[0],
    warmup: Number(values.warmup),
    warmupSeconds: Number(values['warmup-seconds']),
    jar: values.jar ?? defaultJar(),
    java: values.java,
    jvmOpts: values['jvm-opts'].split(/\s+/).filter(Boolean),
    redisServer: values['redis-server'],
    seedConcurrency: positiveInts(values['seed-concurrency'], 'seed-concurrency')[0],
    exporterQueues: values['exporter-queues'],
    waitIdle: values['wait-idle'] === undefined ? undefined : Number(values['wait-idle']),
    waitIdleMaxSec: Number(values['wait-idle-max']),
    results: path.resolve(values.results),
    pidFile: values['pid-file'],
  };
}

function defaultJar() {
  const pom = fs.readFileSync(path.join(ROOT, 'pom.xml'), 'utf8');
  const version = /<artifactId>bullmq-metrics-parent<\/artifactId>\s*<version>([^<]+)<\/version>/.exec(pom)?.[1];
  return path.join(ROOT, `samples/bullmq-metrics-sample/target/bullmq-metrics-sample-${version}.jar`);
}

function roundsFor(opts, n) {
  return opts.rounds ?? (n <= 1000 ? 15 : 7);
}

// ---------------------------------------------------------------------------------------------
// Processes we start, and their clean-up (normal exit, error, Ctrl+C, SIGTERM)
// ---------------------------------------------------------------------------------------------

const children = new Map(); // pid -> { child, role }
let pidFile;
let workDir; // removed after a success or an interruption, kept (with the logs) after a failure

function startProcess(role, command, args, logFile) {
  const log = fs.openSync(logFile, 'a');
  const child = spawn(command, args, { stdio: ['ignore', log, log] });
  fs.closeSync(log);
  if (child.pid === undefined) {
    throw new Error(`Could not start ${command}`);
  }
  children.set(child.pid, { child, role });
  child.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  child.exited.then(() => children.delete(child.pid));
  child.once('error', () => {});
  if (pidFile) fs.appendFileSync(pidFile, `${child.pid} ${role}\n`);
  return child;
}

async function stopProcess(child, graceMs = 10_000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await child.exited;
  clearTimeout(timer);
}

function killAllNow() {
  for (const { child } of children.values()) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}

process.on('exit', killAllNow);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    log(`${signal}: stopping the jar and redis-server`);
    Promise.race([
      Promise.all([...children.values()].map(({ child }) => stopProcess(child, 3000))),
      sleep(5000),
    ]).finally(() => {
      if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
      process.exit(128 + os.constants.signals[signal]);
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

const startedAt = performance.now();

function log(message) {
  const t = ((performance.now() - startedAt) / 1000).toFixed(1).padStart(7);
  process.stderr.write(`[${t}s] ${message}\n`);
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// Runs fn over items with at most `limit` calls in flight.
async function pool(items, limit, fn) {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  });
  await Promise.all(lanes);
}

function median(values) {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function min(values) {
  return Math.min(...values);
}

function max(values) {
  return Math.max(...values);
}

function tail(file, lines = 40) {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function queueNames(n) {
  const width = String(n).length;
  return Array.from({ length: n }, (_, i) => `bench-${String(i + 1).padStart(width, '0')}`);
}

// ---------------------------------------------------------------------------------------------
// Other processes on the machine: how much CPU they take while we measure (Linux /proc)
// ---------------------------------------------------------------------------------------------

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;

// Jiffies: busy for the whole machine, and used by our own processes (this one, Redis, the jar).
function cpuSnapshot(pids) {
  try {
    const fields = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
    const idle = fields[3] + fields[4];
    const total = fields.reduce((sum, f) => sum + f, 0);
    let own = 0;
    for (const pid of ['self', ...pids]) {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      own += Number(rest[11]) + Number(rest[12]); // utime, stime
    }
    return { busy: total - idle, own, at: performance.now() };
  } catch {
    return undefined;
  }
}

// CPUs (cores) that processes other than ours used between two snapshots.
function otherCores(before, after) {
  if (!before || !after) return NaN;
  const seconds = (after.at - before.at) / 1000;
  return Math.max(0, (after.busy - before.busy - (after.own - before.own)) / CLK_TCK / seconds);
}

// Returns how many seconds it waited.
async function waitForIdle(opts, pids) {
  if (opts.waitIdle === undefined) return 0;
  const started = Date.now();
  for (;;) {
    const before = cpuSnapshot(pids);
    await sleep(3000);
    const others = otherCores(before, cpuSnapshot(pids));
    if (!(others > opts.waitIdle)) return (Date.now() - started) / 1000;
    if (Date.now() - started > opts.waitIdleMaxSec * 1000) {
      log(`  other processes still use ${others.toFixed(2)} CPUs after ${opts.waitIdleMaxSec} s: measuring anyway`);
      return (Date.now() - started) / 1000;
    }
    log(`  other processes use ${others.toFixed(2)} CPUs (> ${opts.waitIdle}): waiting`);
  }
}

// ---------------------------------------------------------------------------------------------
// Redis: our own server, and INFO probes
// ---------------------------------------------------------------------------------------------

async function startRedis(opts, workDir) {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const logFile = path.join(workDir, 'redis.log');
    const child = startProcess('redis-server', opts.redisServer, [
      '--port', String(port),
      '--bind', HOST,
      '--save', '',
      '--appendonly', 'no',
      '--dir', workDir,
      '--daemonize', 'no',
      '--protected-mode', 'yes',
    ], logFile);
    const client = new Redis({ host: HOST, port, lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
    client.on('error', () => {});
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && child.exitCode === null) {
      try {
        await client.connect();
        await client.ping();
        return { port, child, client };
      } catch {
        client.disconnect();
        await sleep(100);
      }
    }
    client.disconnect();
    await stopProcess(child);
    if (attempt >= 3) {
      throw new Error(`redis-server did not start on ${HOST}:${port}:\n${tail(logFile)}`);
    }
    log(`redis-server did not start on port ${port}, trying another port`);
  }
}

function parseInfo(text) {
  const info = {};
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) info[line.slice(0, colon)] = line.slice(colon + 1);
  }
  return info;
}

// Counters that describe how much work Redis did: commands processed, CPU, and per-command stats.
async function redisCounters(probe) {
  const info = parseInfo(await probe.info('stats', 'cpu', 'commandstats'));
  const commandStats = {};
  for (const [key, value] of Object.entries(info)) {
    if (!key.startsWith('cmdstat_')) continue;
    const fields = Object.fromEntries(value.split(',').map((kv) => kv.split('=')));
    commandStats[key.slice('cmdstat_'.length)] = { calls: Number(fields.calls), usec: Number(fields.usec) };
  }
  return {
    commands: Number(info.total_commands_processed),
    cpuMs: (Number(info.used_cpu_sys) + Number(info.used_cpu_user)) * 1000,
    commandStats,
  };
}

const SCRIPT_COMMANDS = ['eval', 'eval_ro', 'evalsha', 'evalsha_ro', 'fcall', 'fcall_ro'];

// What happened in Redis between two counter readings, without the probes' own INFO calls.
function redisDelta(before, after, infoOverhead) {
  let calls = 0;
  let scriptUsec = 0;
  let scriptCalls = 0;
  for (const [name, stat] of Object.entries(after.commandStats)) {
    if (name === 'info') continue;
    const prior = before.commandStats[name] ?? { calls: 0, usec: 0 };
    calls += stat.calls - prior.calls;
    if (SCRIPT_COMMANDS.includes(name)) {
      scriptUsec += stat.usec - prior.usec;
      scriptCalls += stat.calls - prior.calls;
    }
  }
  return {
    commands: after.commands - before.commands - infoOverhead,
    // commandstats also count the calls a script makes (redis.call), total_commands_processed does not
    callsInclScripts: calls,
    scriptCalls,
    scriptMs: scriptUsec / 1000,
    cpuMs: after.cpuMs - before.cpuMs,
  };
}

// Sends commands (already encoded as RESP) down one plain socket without waiting, then counts the
// replies. Used only to write fixture data quickly; every reply must be an integer reply.
async function rawPipeline(port, encodedCommands) {
  const socket = net.connect({ host: HOST, port });
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let replies = 0;
  let pending = '';
  let failure;
  const expected = encodedCommands.length;
  const done = new Promise((resolve, reject) => {
    socket.on('data', (chunk) => {
      pending += chunk.toString('latin1');
      let newline;
      while ((newline = pending.indexOf('\r\n')) >= 0) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 2);
        if (line[0] !== ':') failure ??= line;
        replies++;
      }
      if (replies >= expected) resolve();
    });
    socket.on('error', reject);
    socket.on('close', () => (replies >= expected ? resolve() : reject(new Error('Redis closed the connection'))));
  });
  for (const parts of encodedCommands) {
    for (const part of parts) {
      if (!socket.write(part)) await new Promise((resolve) => socket.once('drain', resolve));
    }
  }
  await done;
  socket.end();
  if (failure) throw new Error(`Redis refused fixture data: ${failure}`);
}

function resp(...args) {
  return Buffer.from(`*${args.length}\r\n` + args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join(''));
}

// ---------------------------------------------------------------------------------------------
// Seeding real BullMQ data
// ---------------------------------------------------------------------------------------------

// Jobs per queue and state. "waiting" also gets each flow's child, so it shows waiting + waitingChildren.
const JOBS = { completed: 3, failed: 2, active: 2, waiting: 3, delayed: 2, prioritized: 2, waitingChildren: 1 };
const EXPECTED_COUNTS = {
  active: JOBS.active,
  completed: JOBS.completed,
  delayed: JOBS.delayed,
  failed: JOBS.failed,
  prioritized: JOBS.prioritized,
  waiting: JOBS.waiting + JOBS.waitingChildren,
  'waiting-children': JOBS.waitingChildren,
};

async function seed(port, names, concurrency) {
  const connection = new Redis({ host: HOST, port, maxRetriesPerRequest: null });
  connection.setMaxListeners(0);
  const flows = new FlowProducer({ connection });
  try {
    await pool(names, concurrency, async (name) => {
      const queue = new Queue(name, { connection });
      // autorun: false and non-blocking fetches: no worker loop, no stalled checker, nothing left running.
      // The backend factory leaves out the worker's own blocking connection, which a worker that never
      // blocks does not use: 10,000 workers then cost no new Redis connection.
      const worker = new Worker(name, null, {
        connection,
        autorun: false,
        metrics: { maxDataPoints: MetricsTime.ONE_WEEK },
      }, (queueName, workerOpts) => createRedisBackend(queueName, workerOpts));
      worker.on('error', (err) => log(`worker error on ${name}: ${err.message}`));
      try {
        const token = randomUUID();
        const finishing = [
          ...Array.from({ length: JOBS.completed }, (_, i) => ({ name: 'completes', data: { i } })),
          ...Array.from({ length: JOBS.failed }, (_, i) => ({ name: 'fails', data: { i } })),
        ];
        await queue.addBulk(finishing.map((job) => ({ ...job, opts: { attempts: 1 } })));
        for (let i = 0; i < finishing.length; i++) {
          const job = await worker.getNextJob(token, { block: false });
          if (!job) throw new Error(`${name}: no job to finish`);
          if (job.name === 'completes') await job.moveToCompleted({ ok: true }, token, false);
          else await job.moveToFailed(new Error('seeded failure'), token, false);
        }
        await queue.addBulk(Array.from({ length: JOBS.active }, (_, i) => ({ name: 'stays-active', data: { i } })));
        for (let i = 0; i < JOBS.active; i++) {
          // Fetched and never finished: the job stays in the active list.
          if (!(await worker.getNextJob(token, { block: false }))) throw new Error(`${name}: no job to activate`);
        }
        await queue.addBulk([
          ...Array.from({ length: JOBS.waiting }, (_, i) => ({ name: 'waits', data: { i } })),
          ...Array.from({ length: JOBS.delayed }, (_, i) => ({ name: 'delayed', data: { i }, opts: { delay: 86_400_000 } })),
          ...Array.from({ length: JOBS.prioritized }, (_, i) => ({ name: 'prioritized', data: { i }, opts: { priority: i + 1 } })),
        ]);
        for (let i = 0; i < JOBS.waitingChildren; i++) {
          await flows.add({ name: 'parent', queueName: name, data: { i }, children: [{ name: 'child', queueName: name, data: { i } }] });
        }
      } finally {
        await worker.close(true);
        await queue.close();
      }
    });
    // Spot check with BullMQ's own getJobCounts (the full check compares A's and B's output later).
    const spot = [...new Set([names[0], names[names.length >> 1], names[names.length - 1]])];
    for (const name of spot) {
      const queue = new Queue(name, { connection });
      const counts = await queue.getJobCounts();
      const totals = await Promise.all([queue.getMetrics('completed', 0, 0), queue.getMetrics('failed', 0, 0)]);
      await queue.close();
      for (const [state, want] of Object.entries(EXPECTED_COUNTS)) {
        if (counts[state] !== want) throw new Error(`${name}: getJobCounts ${JSON.stringify(counts)}, expected ${JSON.stringify(EXPECTED_COUNTS)}`);
      }
      if (totals[0].meta.count !== JOBS.completed || totals[1].meta.count !== JOBS.failed) {
        throw new Error(`${name}: metrics count completed=${totals[0].meta.count} failed=${totals[1].meta.count}`);
      }
      log(`  ${name}: getJobCounts ${JSON.stringify(counts)}, metrics count completed=${totals[0].meta.count} failed=${totals[1].meta.count}`);
    }
  } finally {
    await flows.close();
    connection.disconnect();
  }
}

// A week of per-minute points (MetricsTime.ONE_WEEK = 10,080) in each queue's two data lists, as
// BullMQ would keep them: newest first, one small count per minute. Written directly: fixture data.
const WEEK = MetricsTime.ONE_WEEK;

async function writeWeekOfHistory(port, names) {
  const points = (salt) => {
    const parts = [];
    for (let minute = 0; minute < WEEK; minute++) {
      const value = String(((minute + salt) * 7919) % 13); // 0..12 jobs per minute
      parts.push(`$${value.length}\r\n${value}\r\n`);
    }
    return Buffer.from(parts.join(''));
  };
  const completedPoints = points(0);
  const failedPoints = points(5);
  const commands = [];
  for (const name of names) {
    for (const [type, values] of [['completed', completedPoints], ['failed', failedPoints]]) {
      const key = `bull:${name}:metrics:${type}:data`;
      commands.push([resp('DEL', key)]);
      commands.push([Buffer.from(`*${WEEK + 2}\r\n$5\r\nRPUSH\r\n$${Buffer.byteLength(key)}\r\n${key}\r\n`), values]);
    }
  }
  await rawPipeline(port, commands);
  const check = new Redis({ host: HOST, port });
  try {
    for (const name of [names[0], names[names.length - 1]]) {
      const lengths = await Promise.all(['completed', 'failed'].map((t) => check.llen(`bull:${name}:metrics:${t}:data`)));
      if (lengths.some((l) => l !== WEEK)) throw new Error(`${name}: history lengths ${lengths}, expected ${WEEK}`);
    }
  } finally {
    check.disconnect();
  }
}

// ---------------------------------------------------------------------------------------------
// The exporter (A)
// ---------------------------------------------------------------------------------------------

// How the exporter learns the queues. Kept apart on purpose: an exporter that discovers the queues
// itself when bullmq.queues is empty needs no arguments here (--exporter-queues discover). For a
// list, a generated YAML file is used rather than 10,000 command-line arguments.
function exporterQueueArgs(names, workDir, mode) {
  if (mode === 'discover') return [];
  const file = path.join(workDir, `queues-${names.length}.yml`);
  const yaml = ['bullmq:', '  queues:', ...names.map((name) => `    - ${JSON.stringify(name)}`)].join('\n') + '\n';
  fs.writeFileSync(file, yaml);
  return [`--spring.config.additional-location=file:${file}`];
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function httpGet(port, pathname, timeoutMs = 120_000) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: HOST, port, path: pathname, agent, timeout: timeoutMs }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${pathname} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

// cacheTtl 0s: every scrape reads Redis afresh, a cold scrape (A). A long cacheTtl: every scrape
// after the first renders the cached snapshot and reads nothing (W, the floor under A).
async function startExporter(opts, redisPort, names, workDir, cacheTtl) {
  const port = await freePort();
  const logFile = path.join(workDir, `exporter-${names.length}-ttl-${cacheTtl}.log`);
  const args = [
    ...opts.jvmOpts,
    '-jar', opts.jar,
    `--server.port=${port}`,
    `--server.address=${HOST}`,
    `--spring.data.redis.host=${HOST}`,
    `--spring.data.redis.port=${redisPort}`,
    `--bullmq.metrics.cache-ttl=${cacheTtl}`,
    '--bullmq.metrics.timeout=30s',
    ...exporterQueueArgs(names, workDir, opts.exporterQueues),
  ];
  const t0 = performance.now();
  const child = startProcess('java', opts.java, args, logFile);
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`The exporter exited (${child.exitCode ?? child.signalCode}) while starting:\n${tail(logFile)}`);
    }
    try {
      const res = await httpGet(port, '/actuator/health', 5_000);
      if (res.status === 200 && res.body.includes('"UP"')) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`The exporter was not healthy within 180 s:\n${tail(logFile)}`);
    await sleep(200);
  }
  return { port, child, logFile, startMs: performance.now() - t0 };
}

const REFRESH_SUM = /^bullmq_exporter_refresh_seconds_sum(?:\{[^}]*\})? (\S+)$/m;
const REFRESH_COUNT = /^bullmq_exporter_refresh_seconds_count(?:\{[^}]*\})? (\S+)$/m;
const EXPORTER_UP = /^bullmq_exporter_up(?:\{[^}]*\})? (\S+)$/m;

async function scrape(exporter) {
  const t0 = performance.now();
  const res = await httpGet(exporter.port, '/actuator/prometheus');
  const ms = performance.now() - t0;
  if (res.status !== 200) throw new Error(`GET /actuator/prometheus answered ${res.status}: ${res.body.slice(0, 500)}`);
  const up = Number(EXPORTER_UP.exec(res.body)?.[1]);
  if (up !== 1) throw new Error(`The scrape shows bullmq_exporter_up ${up}: the exporter could not read Redis (see ${exporter.logFile})`);
  return {
    ms,
    body: res.body,
    refreshSum: Number(REFRESH_SUM.exec(res.body)?.[1]),
    refreshCount: Number(REFRESH_COUNT.exec(res.body)?.[1]),
  };
}

// ---------------------------------------------------------------------------------------------
// BullMQ's own exporter (B)
// ---------------------------------------------------------------------------------------------

async function bullmqExport(queues) {
  const t0 = performance.now();
  const text = (await Promise.all(queues.map((queue) => queue.exportPrometheusMetrics()))).join('\n');
  return { ms: performance.now() - t0, body: text };
}

// ---------------------------------------------------------------------------------------------
// The floors: R (Redis) and M (Micrometer)
// ---------------------------------------------------------------------------------------------

// R: the least Redis can do for the numbers both exporters report. One plain command per number
// (LLEN or ZCARD of each state's key, HGET of meta's paused and of the two metrics counts), all
// pipelined at once: no script, no MULTI, no marker check. Its Redis CPU is a floor under any
// exporter's read of these keys.
const BARE_READS = [
  ['llen', 'wait'], ['llen', 'paused'], ['llen', 'active'],
  ['zcard', 'prioritized'], ['zcard', 'delayed'], ['zcard', 'completed'], ['zcard', 'failed'], ['zcard', 'waiting-children'],
  ['hget', 'meta', 'paused'], ['hget', 'metrics:completed', 'count'], ['hget', 'metrics:failed', 'count'],
];

async function bareReads(client, names) {
  const pipeline = client.pipeline();
  for (const name of names) {
    for (const [command, suffix, ...args] of BARE_READS) pipeline[command](`bull:${name}:${suffix}`, ...args);
  }
  const replies = await pipeline.exec();
  const failed = replies.find(([err]) => err);
  if (failed) throw new Error(`A bare read failed: ${failed[0].message}`);
  // Proof that it read the seeded keys: every queue's completed set has the seeded size.
  const completed = BARE_READS.findIndex(([, suffix]) => suffix === 'completed');
  names.forEach((name, i) => {
    const got = replies[i * BARE_READS.length + completed][1];
    if (got !== JOBS.completed) throw new Error(`bare read of ${name}: ZCARD completed ${got}, seeded ${JOBS.completed}`);
  });
  return replies.length;
}

// M: Micrometer's own PrometheusMeterRegistry.scrape() of exactly the bullmq series that a scrape
// of the exporter rendered (constant values, nothing else registered, no HTTP, no Redis), run by
// MicrometerFloor.java with the exporter jar's own Micrometer and Prometheus client.
async function micrometerFloor(opts, body, label) {
  const seriesFile = path.join(workDir, `series-${label}.txt`);
  fs.writeFileSync(seriesFile, body);
  const logFile = path.join(workDir, `micrometer-floor-${label}.log`);
  const child = startProcess('micrometer-floor', opts.java, [
    ...opts.jvmOpts, '-cp', path.join(libDir(opts), '*'), path.join(HERE, 'MicrometerFloor.java'),
    seriesFile, String(opts.warmupSeconds), '30',
  ], logFile);
  const { code, signal } = await child.exited;
  const output = tail(logFile, 5).trim().split('\n').at(-1);
  if (code !== 0) throw new Error(`MicrometerFloor.java exited (${code ?? signal}):\n${tail(logFile)}`);
  return JSON.parse(output);
}

// The jars inside the exporter's Spring Boot jar, unpacked once with the JDK's jar tool.
let unpackedLib;
function libDir(opts) {
  if (!unpackedLib) {
    const dir = path.join(workDir, 'unpacked');
    fs.mkdirSync(dir, { recursive: true });
    const jarTool = path.join(path.dirname(fs.realpathSync(commandPath(opts.java))), 'jar');
    const res = spawnSync(jarTool, ['xf', opts.jar, 'BOOT-INF/lib'], { cwd: dir, encoding: 'utf8' });
    if (res.status !== 0) throw new Error(`${jarTool} xf ${opts.jar} failed: ${res.stderr ?? res.error}`);
    unpackedLib = path.join(dir, 'BOOT-INF', 'lib');
  }
  return unpackedLib;
}

function commandPath(command) {
  if (command.includes('/')) return command;
  const found = spawnSync('sh', ['-c', 'command -v "$0"', command], { encoding: 'utf8' }).stdout.trim();
  if (!found) throw new Error(`${command} is not on the PATH`);
  return found;
}

// ---------------------------------------------------------------------------------------------
// Cross-check: A and B must report the same values for every queue
// ---------------------------------------------------------------------------------------------

const SAMPLE = /^(bullmq_job_count|bullmq_job_completed_total|bullmq_job_failed_total)\{([^}]*)\} (\S+)/;

function samples(text) {
  const map = new Map();
  for (const line of text.split('\n')) {
    const m = SAMPLE.exec(line);
    if (!m) continue;
    const labels = Object.fromEntries([...m[2].matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
    map.set(`${m[1]}|${labels.queue}|${labels.state ?? ''}`, Number(m[3]));
  }
  return map;
}

function crossCheck(aBody, bBody, names) {
  const a = samples(aBody);
  const b = samples(bBody);
  const problems = [];
  for (const [key, value] of b) {
    if (!a.has(key)) problems.push(`${key}: missing from the exporter (BullMQ says ${value})`);
    else if (a.get(key) !== value) problems.push(`${key}: exporter ${a.get(key)}, BullMQ ${value}`);
  }
  for (const key of a.keys()) {
    if (!b.has(key)) problems.push(`${key}: only in the exporter`);
  }
  const expectedSeries = names.length * (Object.keys(EXPECTED_COUNTS).length + 2);
  if (b.size !== expectedSeries) problems.push(`BullMQ exported ${b.size} series, expected ${expectedSeries}`);
  for (const name of names) {
    for (const [state, want] of Object.entries(EXPECTED_COUNTS)) {
      const got = b.get(`bullmq_job_count|${name}|${state}`);
      if (got !== want) problems.push(`${name} ${state}: BullMQ says ${got}, seeded ${want}`);
    }
  }
  return { series: b.size, problems };
}

// ---------------------------------------------------------------------------------------------
// Measuring
// ---------------------------------------------------------------------------------------------

async function measure({ opts, n, names, history, exporter, warmExporter, queues, probe, infoOverhead, pids }) {
  const rounds = roundsFor(opts, n);
  const idleWaitSec = await waitForIdle(opts, pids);
  let lastA;
  let lastB;
  let lastW;
  const warmupStarted = performance.now();
  let warmups = 0;
  while (warmups < opts.warmup || performance.now() - warmupStarted < opts.warmupSeconds * 1000) {
    lastA = await scrape(exporter);
    lastW = await scrape(warmExporter);
    // One export that runs for seconds has run BullMQ's code thousands of times: it is warm.
    if (!lastB || lastB.ms < 5000) lastB = await bullmqExport(queues);
    warmups++;
  }
  log(`  warm-up: ${warmups} scrapes and exports in ${((performance.now() - warmupStarted) / 1000).toFixed(1)} s`);
  const check = crossCheck(lastA.body, lastB.body, names);
  if (check.problems.length > 0) {
    throw new Error(`A and B disagree (${check.problems.length} problems):\n  ${check.problems.slice(0, 20).join('\n  ')}`);
  }
  const warmCheck = crossCheck(lastW.body, lastB.body, names);
  if (warmCheck.problems.length > 0) {
    throw new Error(`W and B disagree (${warmCheck.problems.length} problems):\n  ${warmCheck.problems.slice(0, 20).join('\n  ')}`);
  }
  log(`  cross-check: A, W and B agree on all ${check.series} series, and every queue has every state non-zero`);
  const aBytes = Buffer.byteLength(lastA.body);
  const bBytes = Buffer.byteLength(lastB.body);
  const aBody = lastA.body;
  let previousRefresh = { sum: lastA.refreshSum, count: lastA.refreshCount };
  lastA = lastB = lastW = undefined;

  const a = [];
  const b = [];
  const w = [];
  const r = [];
  const runA = async () => {
    const before = await redisCounters(probe);
    const result = await scrape(exporter);
    const after = await redisCounters(probe);
    // The exporter's own timer: how long this scrape's read of Redis took, inside the JVM.
    const refreshMs = result.refreshCount === previousRefresh.count + 1
      ? (result.refreshSum - previousRefresh.sum) * 1000
      : NaN;
    previousRefresh = { sum: result.refreshSum, count: result.refreshCount };
    const delta = redisDelta(before, after, infoOverhead);
    if (delta.scriptCalls === 0) throw new Error('A scrape did not read Redis: is bullmq.metrics.cache-ttl really 0s?');
    a.push({ ms: result.ms, refreshMs, ...delta });
  };
  const runW = async () => {
    const before = await redisCounters(probe);
    const result = await scrape(warmExporter);
    const delta = redisDelta(before, await redisCounters(probe), infoOverhead);
    if (delta.commands !== 0) throw new Error(`A cached scrape sent ${delta.commands} commands to Redis: is its cache-ttl long enough?`);
    w.push({ ms: result.ms });
  };
  const runR = async () => {
    const before = await redisCounters(probe);
    const sent = await bareReads(probe, names);
    r.push({ sent, ...redisDelta(before, await redisCounters(probe), infoOverhead) });
  };
  const runB = async () => {
    const before = await redisCounters(probe);
    const result = await bullmqExport(queues);
    const after = await redisCounters(probe);
    b.push({ ms: result.ms, ...redisDelta(before, after, infoOverhead) });
  };
  const cpuBefore = cpuSnapshot(pids);
  const loadBefore = os.loadavg()[0];
  // Between two timings, collect Node's garbage (run.sh passes --expose-gc): after a B with
  // history, Node's collector would otherwise work through gigabytes on the second core while
  // the next timing runs, and charge B's cost to whatever comes next.
  const settle = async () => {
    globalThis.gc?.();
    await sleep(20);
  };
  for (let round = 0; round < rounds; round++) {
    // Alternate the order, so neither side always runs right after the other.
    if (round % 2 === 0) {
      await runA();
      await settle();
      await runB();
    } else {
      await runB();
      await settle();
      await runA();
    }
    await settle();
    await runW();
    await settle();
    await runR();
    await settle();
    log(`  round ${round + 1}/${rounds}: A ${a.at(-1).ms.toFixed(1)} ms, B ${b.at(-1).ms.toFixed(1)} ms, W ${w.at(-1).ms.toFixed(1)} ms, R ${r.at(-1).cpuMs.toFixed(1)} ms of Redis CPU`);
  }
  const others = otherCores(cpuBefore, cpuSnapshot(pids));
  const load = [loadBefore, os.loadavg()[0]];
  // Alone, after the rounds: it takes a core for a JVM of its own.
  const m = await micrometerFloor(opts, aBody, `${n}-${history}`);
  log(`  M: Micrometer scrapes the same ${m.series} series in ${fmtMs(m.medianMs)} ms (median of ${m.scrapes}, min ${fmtMs(m.minMs)} ms)`);
  return {
    n, history, rounds, a, b, w, r, m,
    ratios: a.map((x, i) => x.ms / b[i].ms),
    warmRatios: w.map((x, i) => x.ms / b[i].ms),
    floorRatios: r.map((x, i) => (x.cpuMs + m.medianMs) / b[i].ms),
    aBytes, bBytes, series: check.series, others, load, idleWaitSec,
  };
}

function summarize(result) {
  const pick = (list, key) => list.map((x) => x[key]);
  return {
    n: result.n,
    history: result.history,
    rounds: result.rounds,
    aMs: median(pick(result.a, 'ms')),
    bMs: median(pick(result.b, 'ms')),
    aMin: min(pick(result.a, 'ms')),
    aMax: max(pick(result.a, 'ms')),
    bMin: min(pick(result.b, 'ms')),
    bMax: max(pick(result.b, 'ms')),
    ratio: median(result.ratios),
    wMs: median(pick(result.w, 'ms')),
    wRatio: median(result.warmRatios),
    rCpuMs: median(pick(result.r, 'cpuMs')),
    rCommands: median(pick(result.r, 'commands')),
    mMs: result.m.medianMs,
    mMinMs: result.m.minMs,
    floorRatio: median(result.floorRatios),
    aCommands: median(pick(result.a, 'commands')),
    bCommands: median(pick(result.b, 'commands')),
    aScripts: median(pick(result.a, 'scriptCalls')),
    bScripts: median(pick(result.b, 'scriptCalls')),
    aCpuMs: median(pick(result.a, 'cpuMs')),
    bCpuMs: median(pick(result.b, 'cpuMs')),
    aScriptMs: median(pick(result.a, 'scriptMs')),
    bScriptMs: median(pick(result.b, 'scriptMs')),
    aRefreshMs: median(pick(result.a, 'refreshMs')),
    aBytes: result.aBytes,
    bBytes: result.bBytes,
    others: result.others,
    load: result.load,
  };
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

function fmtMs(ms) {
  if (!Number.isFinite(ms)) return 'n/a';
  if (ms >= 100) return ms.toFixed(0);
  if (ms >= 10) return ms.toFixed(1);
  return ms.toFixed(2);
}

function fmtInt(n) {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a';
}

function fmtRatio(r) {
  if (!Number.isFinite(r)) return 'n/a';
  return r >= 0.1 ? r.toFixed(2) : r.toPrecision(2);
}

function targets(rows) {
  const row = (n, history) => rows.find((r) => r.n === n && r.history === history);
  const list = [];
  const add = (label, r, limit, value) => {
    const verdict = r === undefined ? 'NOT RUN' : value(r) <= limit ? 'PASS' : 'MISS';
    list.push({ label, r, limit, verdict });
  };
  add('A/B <= 0.25 at N=1000, no history', row(1000, 'none'), 0.25, (r) => r.ratio);
  add('A/B <= 0.01 at N=1000, a week of history', row(1000, 'week'), 0.01, (r) => r.ratio);
  add('A/B <= 0.01 at N=10000, a week of history', row(10000, 'week'), 0.01, (r) => r.ratio);
  add('A < 1000 ms at N=10000, no history', row(10000, 'none'), 1000, (r) => r.aMs);
  add('A < 1000 ms at N=10000, a week of history', row(10000, 'week'), 1000, (r) => r.aMs);
  return list.map(({ label, r, limit, verdict }) => {
    if (!r) return `- ${verdict}: ${label}`;
    if (!label.startsWith('A/B')) return `- ${verdict}: ${label} (A = ${fmtMs(r.aMs)} ms)`;
    const reach = r.floorRatio > limit
      ? `; out of reach here: the floor is above ${limit}, so no exporter that reads these keys and renders through Micrometer can meet it on this machine`
      : '';
    return `- ${verdict}: ${label} (A/B = ${fmtRatio(r.ratio)}; W/B = ${fmtRatio(r.wRatio)}; floor (R+M)/B = ${fmtRatio(r.floorRatio)}${reach})`;
  });
}

function report(env, rows, timings) {
  const lines = [];
  lines.push(`# bullmq-metrics benchmark, ${env.date}`);
  lines.push('');
  lines.push(`- Machine: ${env.nproc} CPUs (nproc), ${env.cpuModel}, ${env.memGiB} GiB RAM, ${env.os}`);
  lines.push(`- Redis ${env.redisVersion} (own redis-server, ${HOST}, --save "" --appendonly no), Node ${env.node}, ${env.java}`);
  lines.push(`- A: one GET of /actuator/prometheus from ${env.jar} (${env.jarInfo}; cache-ttl 0s, timeout 30s, JVM ${env.jvmOpts})`);
  lines.push(`- W: the same GET from a second instance of that jar with cache-ttl 1h, so it renders its cached snapshot and sends Redis nothing: HTTP and rendering only, the floor under A`);
  lines.push(`- R: Redis CPU of the bare reads of the same numbers, one plain command per number (LLEN, ZCARD, HGET), pipelined, no script: a floor under any exporter's read`);
  lines.push(`- M: Micrometer's own PrometheusMeterRegistry.scrape() of the same bullmq series as A, constant values, nothing else registered, no HTTP (MicrometerFloor.java, the jar's own Micrometer): a floor under any exporter that renders through Micrometer`);
  lines.push(`- B: BullMQ ${BULLMQ_VERSION} Queue.exportPrometheusMetrics() for all N queues, Promise.all, one shared ioredis ${env.ioredis} connection`);
  lines.push(`- Each queue: real BullMQ jobs, ${Object.entries(EXPECTED_COUNTS).map(([s, c]) => `${c} ${s}`).join(', ')}; history "week" adds ${WEEK.toLocaleString('en-US')} points to each of metrics:completed:data and metrics:failed:data`);
  lines.push(`- Repository: ${env.git}`);
  lines.push('');
  lines.push('| N | history | A median ms | B median ms | A/B (median of pairs) | W median ms | W/B | floor (R+M)/B | Redis commands per refresh A / B | Redis CPU ms per refresh A / B |');
  lines.push('|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    lines.push(`| ${fmtInt(r.n)} | ${r.history} | ${fmtMs(r.aMs)} | ${fmtMs(r.bMs)} | ${fmtRatio(r.ratio)} | ${fmtMs(r.wMs)} | ${fmtRatio(r.wRatio)} | ${fmtRatio(r.floorRatio)} | ${fmtInt(r.aCommands)} / ${fmtInt(r.bCommands)} | ${fmtMs(r.aCpuMs)} / ${fmtMs(r.bCpuMs)} |`);
  }
  lines.push('');
  lines.push('Targets (reported, never enforced):');
  lines.push('');
  lines.push(...targets(rows));
  lines.push('');
  lines.push('Details (medians unless a range is given):');
  lines.push('');
  lines.push('| N | history | pairs | A min–max ms | B min–max ms | A: exporter read of Redis ms | A: rest (HTTP, render) ms | script calls sent A / B | script time in Redis ms A / B | R: commands, Redis CPU ms | M median (min) ms | body KB A / B | CPUs used by other processes |');
  lines.push('|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    lines.push(`| ${fmtInt(r.n)} | ${r.history} | ${r.rounds} | ${fmtMs(r.aMin)}–${fmtMs(r.aMax)} | ${fmtMs(r.bMin)}–${fmtMs(r.bMax)} | ${fmtMs(r.aRefreshMs)} | ${fmtMs(r.aMs - r.aRefreshMs)} | ${fmtInt(r.aScripts)} / ${fmtInt(r.bScripts)} | ${fmtMs(r.aScriptMs)} / ${fmtMs(r.bScriptMs)} | ${fmtInt(r.rCommands)}, ${fmtMs(r.rCpuMs)} | ${fmtMs(r.mMs)} (${fmtMs(r.mMinMs)}) | ${fmtInt(r.aBytes / 1024)} / ${fmtInt(r.bBytes / 1024)} | ${Number.isFinite(r.others) ? r.others.toFixed(2) : 'n/a'} |`);
  }
  lines.push('');
  lines.push('Timings of this run:');
  lines.push('');
  for (const t of timings) lines.push(`- ${t}`);
  return lines.join('\n') + '\n';
}

function commandOutput(command, args) {
  const res = spawnSync(command, args, { encoding: 'utf8' });
  return `${res.stdout ?? ''}${res.stderr ?? ''}`.trim();
}

function environment(opts) {
  const jarStat = fs.statSync(opts.jar);
  const jarSha = createHash('sha256').update(fs.readFileSync(opts.jar)).digest('hex').slice(0, 12);
  const head = commandOutput('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD']);
  const dirty = commandOutput('git', ['-C', ROOT, 'status', '--porcelain', '--untracked-files=no']) ? ' with uncommitted changes' : '';
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    nproc: commandOutput('nproc', []) || String(os.availableParallelism()),
    cpuModel: os.cpus()[0]?.model ?? 'unknown CPU',
    memGiB: (os.totalmem() / 2 ** 30).toFixed(0),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    java: commandOutput(opts.java, ['-version']).split('\n')[0],
    jar: path.relative(ROOT, opts.jar),
    jarInfo: `built ${jarStat.mtime.toISOString().replace(/\.\d+Z$/, 'Z')}, sha256 ${jarSha}…`,
    jvmOpts: opts.jvmOpts.join(' ') || '(defaults)',
    ioredis: JSON.parse(fs.readFileSync(path.join(HERE, 'node_modules/ioredis/package.json'), 'utf8')).version,
    git: head ? `commit ${head}${dirty}` : 'not a git checkout',
  };
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

async function main() {
  const opts = options();
  pidFile = opts.pidFile;
  if (!fs.existsSync(opts.jar)) throw new Error(`No exporter jar at ${opts.jar} (run.sh builds it)`);
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bullmq-bench-'));
  log(`work directory ${workDir}`);
  // Run a private copy: a build elsewhere in the repository must not swap the jar under a run.
  const env = environment(opts);
  const jarCopy = path.join(workDir, path.basename(opts.jar));
  fs.copyFileSync(opts.jar, jarCopy);
  opts.jar = jarCopy;
  const timings = [];
  const phase = async (label, fn) => {
    const t0 = performance.now();
    const value = await fn();
    const seconds = (performance.now() - t0) / 1000;
    timings.push(`${label}: ${seconds.toFixed(1)} s`);
    log(`${label}: ${seconds.toFixed(1)} s`);
    return value;
  };

  const redis = await startRedis(opts, workDir);
  const probe = redis.client;
  const redisVersion = parseInfo(await probe.info('server')).redis_version;
  log(`redis-server ${redisVersion} on ${HOST}:${redis.port} (pid ${redis.child.pid})`);
  env.redisVersion = redisVersion;

  // What two back-to-back probes add to total_commands_processed by themselves (the first INFO).
  const idle = [];
  for (let i = 0; i < 5; i++) {
    const before = await redisCounters(probe);
    const after = await redisCounters(probe);
    idle.push(after.commands - before.commands);
  }
  const infoOverhead = median(idle);

  const rows = [];
  const raw = [];
  for (const n of opts.sizes) {
    const names = queueNames(n);
    log(`N=${n}: seeding ${n} queues with real BullMQ ${BULLMQ_VERSION} jobs`);
    await probe.flushall();
    await phase(`N=${n}: seed ${n} queues`, () => seed(redis.port, names, opts.seedConcurrency));
    const exporter = await phase(`N=${n}: start the exporter`, () => startExporter(opts, redis.port, names, workDir, '0s'));
    log(`  exporter on ${HOST}:${exporter.port} (pid ${exporter.child.pid}), log ${exporter.logFile}`);
    const warmExporter = await phase(`N=${n}: start the cached exporter`, () => startExporter(opts, redis.port, names, workDir, '1h'));
    log(`  cached exporter on ${HOST}:${warmExporter.port} (pid ${warmExporter.child.pid}), log ${warmExporter.logFile}`);
    const connection = new Redis({ host: HOST, port: redis.port });
    connection.setMaxListeners(0);
    // B's Queue objects: created once, outside the timing, all on ONE ioredis connection.
    const queues = names.map((name) => new Queue(name, { connection }));
    await Promise.all(queues.map((queue) => queue.waitUntilReady()));
    try {
      for (const history of opts.histories) {
        if (history === 'week') {
          await phase(`N=${n}: write a week of history to ${2 * n} lists`, () => writeWeekOfHistory(redis.port, names));
        }
        log(`N=${n}, history ${history}: measuring ${roundsFor(opts, n)} pairs`);
        const result = await phase(`N=${n}, history ${history}: warm-up and ${roundsFor(opts, n)} pairs`, () =>
          measure({ opts, n, names, history, exporter, warmExporter, queues, probe, infoOverhead, pids: [redis.child.pid, exporter.child.pid, warmExporter.child.pid] }));
        raw.push(result);
        if (result.idleWaitSec > 0) timings[timings.length - 1] += ` (of which ${result.idleWaitSec.toFixed(0)} s waiting for other processes to go quiet)`;
        const row = summarize(result);
        rows.push(row);
        log(`  median A ${fmtMs(row.aMs)} ms, B ${fmtMs(row.bMs)} ms, A/B ${fmtRatio(row.ratio)}, W ${fmtMs(row.wMs)} ms, W/B ${fmtRatio(row.wRatio)}, floor (R+M)/B ${fmtRatio(row.floorRatio)}`);
      }
    } finally {
      await Promise.all(queues.map((queue) => queue.close()));
      connection.disconnect();
      await Promise.all([stopProcess(exporter.child), stopProcess(warmExporter.child)]);
    }
  }

  const total = (performance.now() - startedAt) / 1000;
  timings.push(`whole run: ${total.toFixed(1)} s (${(total / 60).toFixed(1)} min)`);
  const markdown = report(env, rows, timings);
  process.stdout.write('\n' + markdown);
  fs.mkdirSync(opts.results, { recursive: true });
  const stamp = env.date.replace(/:/g, '').replace(/-/g, '').replace('T', '-').replace('Z', 'Z');
  const dated = path.join(opts.results, `${stamp}.md`);
  fs.writeFileSync(dated, markdown);
  fs.writeFileSync(path.join(opts.results, 'latest.md'), markdown);
  fs.writeFileSync(path.join(opts.results, `${stamp}.json`), JSON.stringify({ env, options: { ...opts, pidFile: undefined }, rows, raw }, null, 1) + '\n');
  log(`wrote ${path.relative(process.cwd(), dated)}, results/latest.md and ${stamp}.json`);

  probe.disconnect();
  await stopProcess(redis.child);
  fs.rmSync(workDir, { recursive: true, force: true });
}

main().then(
  () => process.exit(0),
  (err) => {
    log(`FAILED: ${err && err.stack ? err.stack : err}`);
    if (workDir) log(`logs kept in ${workDir}`);
    process.exit(1);
  },
);
