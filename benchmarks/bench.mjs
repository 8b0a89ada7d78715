#!/usr/bin/env node
// Benchmark: one cold scrape of bullmq-metrics' /actuator/prometheus (A) against BullMQ's own
// Queue.exportPrometheusMetrics() for every queue (B), on the same Redis and the same real BullMQ data,
// with a cached scrape (W) of a second exporter as the floor that no faster Redis read can go under,
// and two floors that hold for any exporter at all: R, what Redis spends on the bare reads, and M, what
// Micrometer spends rendering the same series. A runs in variants (job durations off, counts alone as
// far as the switches go, every default meter on); the longest exporter calls inside Redis come from
// SLOWLOG; and a real BullMQ Worker pool under load shows what reading job durations costs Redis.
//
// Usually started by run.sh, which checks the prerequisites and builds the jar. See README.md.
// Everything this script starts (one redis-server, the exporter jars, the Micrometer floor, the load
// process) binds 127.0.0.1 only and is killed when it exits, also on Ctrl+C or SIGTERM.
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { createRedisBackend, FlowProducer, MetricsTime, Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';

import { COUNTS_READS, TAIL_READS, luaReads, multiAllReads, multiReads, planNextJobs } from './atomic-floors.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
// The exporter's batch size, from its source, so that R_lua and R_multi batch as the exporter does.
const QUEUES_PER_CALL = Number(/QUEUES_PER_CALL = (\d+);/.exec(fs.readFileSync(path.join(HERE,
  '../bullmq-metrics-autoconfigure/src/main/java/io/github/bullmqmetrics/reader/LettuceBullMqReader.java'), 'utf8'))[1]);
// And the most jobs a durations call reads, for the report.
const JOBS_PER_CALL = Number(/JOBS_PER_CALL = (\d+);/.exec(fs.readFileSync(path.join(HERE,
  '../bullmq-metrics-autoconfigure/src/main/java/io/github/bullmqmetrics/reader/LettuceFinishedJobsReader.java'), 'utf8'))[1]);
const ROOT = path.resolve(HERE, '..');
const BULLMQ_VERSION = JSON.parse(fs.readFileSync(path.join(HERE, 'node_modules/bullmq/package.json'), 'utf8')).version;
const HOST = '127.0.0.1';

// ---------------------------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------------------------

const PHASES = ['scrape', 'durations', 'slowlog', 'load'];
const VARIANTS = ['counts', 'all'];

const USAGE = `Usage: node bench.mjs [options]   (normally through ./run.sh [options])

  --phases LIST          what to measure (default scrape,durations,slowlog,load):
                           scrape     the A/B pairs with W, R and M, for every exporter variant
                           durations  the Redis CPU of the "all" exporter's background reads of
                                      job durations, per read (needs the variant "all")
                           slowlog    SLOWLOG at 0 us: the longest exporter calls inside Redis,
                                      and the counts script timed directly per batch size
                           load       a real BullMQ Worker pool under load (once per run, on its
                                      own queues): what reading job durations costs Redis
                         scrape, durations and slowlog run for every size and history
  --variants LIST        exporter variants besides A (durations off), measured in the same
                         rounds (default counts,all; "none" for A alone):
                           counts     A_c: durations, workers and latency off, the closest to counts alone
                           all        A_all: every default meter on, durations included
  --sizes LIST           queue counts to measure (default 1,1000,10000)
  --history LIST         none, week or both (default none,week): week fills every queue's
                         metrics:completed:data and metrics:failed:data with 10,080 points
  --rounds K             measured rounds per size and history (default: 15 for N <= 1000, 7 above)
  --warmup K             unmeasured scrapes and exports before measuring (default 5)
  --warmup-seconds S     ...and keep scraping for at least S seconds, so that the JIT compiles
                         the scrape path even when a scrape has few meters (default 15).
                         M, the Micrometer floor, warms up and then measures for S seconds each
  --target-size N        the N that the targets are checked at (default 1000)
  --durations-reads K    background reads of job durations to time, per size and history (default 2)
  --slowlog-scrapes K    cold scrapes of each variant while SLOWLOG logs every call (default 10)
  --batch-sizes LIST     queues per call to time the counts script with, directly (default 10,25,50,100)
  --batch-calls K        calls per batch size (default 20)
  --load-seconds S       how long the load phase adds jobs (default 60)
  --load-rate R          jobs added per second, spread over the load queues (default 250)
  --load-queues K        queues of the load phase (default 4)
  --load-workers K       BullMQ Workers per load queue (default 2)
  --load-concurrency K   concurrency of each Worker (default 20)
  --load-job-ms MS       how long a job runs (default 10)
  --load-fail F          fraction of jobs that fail (default 0.05)
  --load-slowlog-usec U  SLOWLOG threshold during the load phase (default 100): logging every
                         command of the workload would cost it memory and time
  --jar PATH             the exporter jar (default: samples/bullmq-metrics-sample/target/*.jar)
  --java PATH            java executable (default: java)
  --jvm-opts "OPTS"      JVM options for the jars (default: "-Xmx2g"), also as --jvm-opts="OPTS"
  --jvm-opts-all "OPTS"  JVM options for the jars with every meter on, and their M (default:
                         "-Xmx4g": 10,000 queues have about 590,000 series then)
  --redis-server PATH    redis-server executable (default: redis-server)
  --seed-concurrency K   queues seeded at once (default 32)
  --wait-idle CORES      before each measurement, wait until other processes use at most CORES
                         CPUs (Linux, from /proc; default: don't wait). For shared machines
  --wait-idle-max SEC    give up waiting for idle after SEC seconds and measure anyway (default 600)
  --no-pin               do not pin Redis to a CPU of its own while timing single calls (SLOWLOG
                         and load phases; by default, with taskset and 2 or more CPUs, Redis gets the
                         last CPU, its main thread SCHED_FIFO where chrt may set it, and the
                         benchmark's other processes the rest)
  --exporter-queues M    list: pass the queue names to the exporter (default);
                         discover: pass none (for an exporter that finds the queues itself)
  --results DIR          where the Markdown and JSON results go (default: benchmarks/results)
  --pid-file PATH        append "pid role" of every started process (run.sh cleans up with it)
  --report-from FILE     measure nothing: print the Markdown report of an earlier run from its JSON
                         (after a change to the report's wording; the numbers are the run's own)
  --help
`;

// parseArgs takes a value that starts with a dash only as --name=value; accept --jvm-opts "-X..." too.
function joinDashValues(argv) {
  const result = [];
  for (let i = 0; i < argv.length; i++) {
    if ((argv[i] === '--jvm-opts' || argv[i] === '--jvm-opts-all') && i + 1 < argv.length) result.push(`${argv[i]}=${argv[++i]}`);
    else result.push(argv[i]);
  }
  return result;
}

function options() {
  const { values } = parseArgs({
    args: joinDashValues(process.argv.slice(2)),
    options: {
      phases: { type: 'string', default: PHASES.join(',') },
      variants: { type: 'string', default: VARIANTS.join(',') },
      sizes: { type: 'string', default: '1,1000,10000' },
      history: { type: 'string', default: 'none,week' },
      rounds: { type: 'string' },
      warmup: { type: 'string', default: '5' },
      'warmup-seconds': { type: 'string', default: '15' },
      jar: { type: 'string' },
      java: { type: 'string', default: 'java' },
      'jvm-opts': { type: 'string', default: '-Xmx2g' },
      'jvm-opts-all': { type: 'string', default: '-Xmx4g' },
      'target-size': { type: 'string', default: '1000' },
      'durations-reads': { type: 'string', default: '2' },
      'slowlog-scrapes': { type: 'string', default: '10' },
      'batch-sizes': { type: 'string', default: '10,25,50,100' },
      'batch-calls': { type: 'string', default: '20' },
      'load-seconds': { type: 'string', default: '60' },
      'load-rate': { type: 'string', default: '250' },
      'load-queues': { type: 'string', default: '4' },
      'load-workers': { type: 'string', default: '2' },
      'load-concurrency': { type: 'string', default: '20' },
      'load-job-ms': { type: 'string', default: '10' },
      'load-fail': { type: 'string', default: '0.05' },
      'load-slowlog-usec': { type: 'string', default: '100' },
      'redis-server': { type: 'string', default: 'redis-server' },
      'seed-concurrency': { type: 'string', default: '32' },
      'wait-idle': { type: 'string' },
      'wait-idle-max': { type: 'string', default: '600' },
      'no-pin': { type: 'boolean', default: false },
      'exporter-queues': { type: 'string', default: 'list' },
      results: { type: 'string', default: path.join(HERE, 'results') },
      'pid-file': { type: 'string' },
      'report-from': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  if (values['report-from']) {
    const run = JSON.parse(fs.readFileSync(values['report-from'], 'utf8'));
    const timings = run.timings ?? ['not kept in this run\'s JSON'];
    process.stdout.write(report(run.env, run.rows, run.load, timings, run.options));
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
  const phases = values.phases.split(',').map((p) => p.trim()).filter(Boolean);
  for (const p of phases) {
    if (!PHASES.includes(p)) throw new Error(`--phases: "${p}" is none of ${PHASES.join(', ')}`);
  }
  const variants = values.variants.split(',').map((v) => v.trim()).filter((v) => v && v !== 'none');
  for (const v of variants) {
    if (!VARIANTS.includes(v)) throw new Error(`--variants: "${v}" is none of ${VARIANTS.join(', ')}, none`);
  }
  if (phases.includes('durations') && !variants.includes('all')) {
    throw new Error('--phases durations times the background reads of the exporter with every meter on: add "all" to --variants');
  }
  const fraction = Number(values['load-fail']);
  if (!(fraction >= 0 && fraction < 1)) throw new Error(`--load-fail: "${values['load-fail']}" is not a fraction in [0, 1)`);
  const nonNegative = (name) => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name}: "${values[name]}" is not a whole number`);
    return n;
  };
  return {
    phases,
    variants,
    targetSize: positiveInts(values['target-size'], 'target-size')[0],
    durationsReads: nonNegative('durations-reads'),
    slowlogScrapes: positiveInts(values['slowlog-scrapes'], 'slowlog-scrapes')[0],
    batchSizes: positiveInts(values['batch-sizes'], 'batch-sizes'),
    batchCalls: positiveInts(values['batch-calls'], 'batch-calls')[0],
    load: {
      seconds: positiveInts(values['load-seconds'], 'load-seconds')[0],
      rate: positiveInts(values['load-rate'], 'load-rate')[0],
      queues: positiveInts(values['load-queues'], 'load-queues')[0],
      workers: positiveInts(values['load-workers'], 'load-workers')[0],
      concurrency: positiveInts(values['load-concurrency'], 'load-concurrency')[0],
      jobMs: nonNegative('load-job-ms'),
      fail: fraction,
      slowlogUsec: nonNegative('load-slowlog-usec'),
    },
    jvmOptsAll: values['jvm-opts-all'].split(/\s+/).filter(Boolean),
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
    pin: !values['no-pin'],
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

// With interactive, the child's stdin and stdout are pipes (the load process talks JSON lines);
// its stderr still goes to the log.
function startProcess(role, command, args, logFile, { interactive = false } = {}) {
  const log = fs.openSync(logFile, 'a');
  const child = spawn(command, args, { stdio: [interactive ? 'pipe' : 'ignore', interactive ? 'pipe' : log, log] });
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
let stoppingOnSignal = false;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    stoppingOnSignal = true;
    log(`${signal}: stopping every process this benchmark started`);
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
  return values.reduce((a, b) => Math.min(a, b), Infinity);
}

function max(values) {
  return values.reduce((a, b) => Math.max(a, b), -Infinity);
}

function sum(values) {
  return values.reduce((a, b) => a + b, 0);
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

// Time a process' main thread ran on a CPU and waited for one, in ns (Linux /proc/<pid>/schedstat).
// Redis runs every command on its main thread: the wait says how much a busy machine held it up, and
// SLOWLOG and INFO commandstats count that wait inside the command that was running.
function schedstat(pid) {
  try {
    const [runNs, waitNs] = fs.readFileSync(`/proc/${pid}/schedstat`, 'utf8').trim().split(/\s+/).map(Number);
    return { runNs, waitNs };
  } catch {
    return undefined;
  }
}

// Time the hypervisor ran something else while a CPU of this virtual machine had work (steal, the
// eighth figure of the CPU's line in /proc/stat), in ms, at the resolution of /proc/stat (1/CLK_TCK,
// 10 ms). SCHED_FIFO keeps every task of the machine off Redis' CPU, but not the host: a call during
// which the host took the CPU looks that much longer in SLOWLOG. `cpu` undefined: all CPUs.
function stealMs(cpu) {
  try {
    const name = cpu === undefined ? 'cpu' : `cpu${cpu}`;
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n').find((l) => l.split(' ')[0] === name);
    const steal = Number(line?.trim().split(/\s+/)[8]);
    return Number.isFinite(steal) ? (steal * 1000) / CLK_TCK : NaN;
  } catch {
    return NaN;
  }
}

// How long one call holds Redis is timed by SLOWLOG, on the wall clock: on a small machine where the
// benchmark's own processes (the exporter's JVM, the load's Workers, this Node process) share Redis'
// CPUs, the scheduler preempts Redis in the middle of a call and the call looks milliseconds longer
// than the work it did. For the phases that time single calls, Redis gets a CPU of its own (the last
// one) and the benchmark's other processes the rest, every thread of each (taskset -a). Where that is
// not possible (one CPU, no taskset, --no-pin) nothing is pinned and the report says so.
// Returns a function that gives every process all CPUs again, and a description for the report.
function pinRedis(opts, redisPid, otherPids) {
  const cpus = os.cpus().length;
  const taskset = spawnSync('taskset', ['--version'], { stdio: 'ignore' });
  if (!opts.pin || cpus < 2 || taskset.error || taskset.status !== 0) {
    const why = !opts.pin ? '--no-pin' : cpus < 2 ? 'one CPU' : 'no taskset';
    return { unpin: () => {}, description: `not pinned (${why}): other processes may preempt Redis inside a call` };
  }
  const all = `0-${cpus - 1}`;
  const rest = cpus === 2 ? '0' : `0-${cpus - 2}`;
  const set = (pid, list) => spawnSync('taskset', ['-a', '-p', '-c', list, String(pid)], { stdio: 'ignore' }).status === 0;
  const pinned = [[redisPid, String(cpus - 1)], ...otherPids.map((pid) => [pid, rest])].filter(([pid, list]) => set(pid, list));
  // Pinning keeps the benchmark's own processes off Redis' CPU, not the machine's services, which
  // the scheduler may still run there in the middle of a call. A real-time policy for Redis' main
  // thread (SCHED_FIFO, the lowest priority) lets nothing of the normal class preempt it; Redis
  // sleeps in its event loop between commands, so it takes the CPU only while it works.
  const realTime = spawnSync('chrt', ['-f', '-p', '1', String(redisPid)], { stdio: 'ignore' }).status === 0;
  return {
    cpu: cpus - 1,
    unpin: () => {
      if (realTime) spawnSync('chrt', ['-o', '-p', '0', String(redisPid)], { stdio: 'ignore' });
      pinned.forEach(([pid]) => set(pid, all));
    },
    description: `Redis pinned to CPU ${cpus - 1}${realTime ? ' with its main thread on SCHED_FIFO (chrt -f 1), so that no other task of the machine preempts it' : ' (chrt -f refused: other tasks of the machine may still preempt it)'}, this benchmark's other ${pinned.length - 1} processes to CPU ${rest} (taskset -a)`,
  };
}

// CPU time of every task (thread) of the machine, with the CPU it last ran on (Linux /proc/*/task/*/stat):
// which other tasks took Redis' CPU while it was pinned. Approximate: a task is put on the CPU it was
// last seen on.
function tasksSnapshot() {
  const tasks = new Map();
  for (const pid of fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    for (const tid of threadIds(pid)) {
      try {
        const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        tasks.set(`${pid}/${tid}`, { pid: Number(pid), comm, ticks: Number(fields[11]) + Number(fields[12]), cpu: Number(fields[36]) });
      } catch {
        // The task ended meanwhile.
      }
    }
  }
  return tasks;
}

// The tasks other than Redis' own that ran on `cpu` between two snapshots, by name, in ms, most first.
function othersOnCpu(before, after, cpu, ownPid) {
  const byName = new Map();
  for (const [key, task] of after) {
    const ticks = task.ticks - (before.get(key)?.ticks ?? task.ticks);
    if (task.cpu !== cpu || task.pid === ownPid || ticks <= 0) continue;
    byName.set(task.comm, (byName.get(task.comm) ?? 0) + (ticks * 1000) / CLK_TCK);
  }
  return [...byName].sort((x, y) => y[1] - x[1]);
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

// Only the exporter sends EVAL_RO (BullMQ sends EVALSHA, R no script at all): its calls in a window
// tell a scrape's read from a background read of job durations that happened to run at the same time.
function commandDelta(before, after, name) {
  const a = after.commandStats[name] ?? { calls: 0, usec: 0 };
  const b = before.commandStats[name] ?? { calls: 0, usec: 0 };
  return { calls: a.calls - b.calls, usec: a.usec - b.usec };
}

// What happened in Redis between two counter readings, without the probes' own INFO calls.
function redisDelta(before, after, infoOverhead) {
  let calls = 0;
  let scriptUsec = 0;
  let scriptCalls = 0;
  let usec = 0;
  for (const [name, stat] of Object.entries(after.commandStats)) {
    if (name === 'info') continue;
    const prior = before.commandStats[name] ?? { calls: 0, usec: 0 };
    calls += stat.calls - prior.calls;
    // Redis 7 counts a script's inner calls under their own commands too: a rough figure only.
    usec += stat.usec - prior.usec;
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
    commandUsec: usec,
    evalRo: commandDelta(before, after, 'eval_ro'),
    clientList: commandDelta(before, after, 'client|list'),
    infoUsec: commandDelta(before, after, 'info').usec,
    cpuMs: after.cpuMs - before.cpuMs,
  };
}

// SLOWLOG: the time each call spent inside Redis, the same figure as INFO commandstats' usec, per call.
async function slowlogOn(probe, slowerThanUsec, maxLen) {
  const [, threshold] = await probe.config('GET', 'slowlog-log-slower-than');
  const [, length] = await probe.config('GET', 'slowlog-max-len');
  await probe.config('SET', 'slowlog-max-len', String(maxLen));
  await probe.config('SET', 'slowlog-log-slower-than', String(slowerThanUsec));
  await probe.slowlog('RESET');
  return async () => {
    await probe.config('SET', 'slowlog-log-slower-than', threshold);
    await probe.config('SET', 'slowlog-max-len', length);
    await probe.slowlog('RESET');
  };
}

// Every entry logged since the last reset: { id, usec, command, args, client }, oldest first.
async function slowlogEntries(probe) {
  const entries = await probe.slowlog('GET', '-1');
  return entries
    .map(([id, , usec, args, client, name]) => ({ id: Number(id), usec: Number(usec), args: args.map(String), client: `${client} ${name ?? ''}`.trim() }))
    .sort((x, y) => x.id - y.id);
}

// Which exporter call a SLOWLOG entry is: the counts script, the durations script, CLIENT LIST, or null.
// A script is told by the start of its source, which SLOWLOG keeps (the first 128 bytes).
function exporterCall(entry, scripts) {
  const command = entry.args[0]?.toUpperCase();
  if (command === 'CLIENT' && entry.args[1]?.toUpperCase() === 'LIST') return 'clientList';
  if (command !== 'EVAL_RO' && command !== 'EVAL') return null;
  const body = entry.args[1] ?? '';
  for (const [kind, source] of Object.entries(scripts)) {
    if (source && body.startsWith(source.slice(0, 100))) return kind;
  }
  return command === 'EVAL_RO' ? 'otherEvalRo' : null;
}

function usecStats(list) {
  const values = list.map((e) => e.usec ?? e);
  return {
    calls: values.length,
    maxUsec: values.length ? max(values) : NaN,
    overOneMs: values.filter((v) => v > 1000).length,
    medianUsec: median(values),
    meanUsec: values.length ? values.reduce((a, b) => a + b, 0) / values.length : NaN,
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

// The exporters of a size. cache-ttl 0s: every scrape reads Redis afresh, a cold scrape. cache-ttl 1h:
// every scrape after the first renders the cached snapshot and reads nothing (W, the floor under A).
// Job durations are read in the background on their own interval, never by a scrape: A, A_c and W run
// without them, so that no background read lands in their measurements; A_c has workers and latency off
// too, so that what it reads besides the counts is 2 cheap calls per queue; A_all has every default meter
// on, durations at their default interval; W_all reads durations only once, at start, and so renders
// the same series as A_all without ever reading Redis again.
const DURATIONS_OFF = '--bullmq.metrics.durations.enabled=false';
const EXPORTERS = {
  a: { label: 'A', cacheTtl: '0s', args: [DURATIONS_OFF] },
  counts: { label: 'A_c', cacheTtl: '0s', args: [DURATIONS_OFF, '--bullmq.metrics.workers.enabled=false', '--bullmq.metrics.latency.enabled=false'], variant: 'counts' },
  all: { label: 'A_all', cacheTtl: '0s', args: [], variant: 'all', everyMeter: true },
  w: { label: 'W', cacheTtl: '1h', args: [DURATIONS_OFF], cached: true },
  wAll: { label: 'W_all', cacheTtl: '1h', args: ['--bullmq.metrics.durations.interval=1h'], variant: 'all', cached: true, everyMeter: true },
};

async function startExporter(opts, redisPort, names, workDir, cacheTtl, { tag = `ttl-${cacheTtl}`, extraArgs = [], jvmOpts = opts.jvmOpts } = {}) {
  const port = await freePort();
  const logFile = path.join(workDir, `exporter-${names.length}-${tag}.log`);
  const args = [
    ...jvmOpts,
    '-jar', opts.jar,
    `--server.port=${port}`,
    `--server.address=${HOST}`,
    `--spring.data.redis.host=${HOST}`,
    `--spring.data.redis.port=${redisPort}`,
    `--bullmq.metrics.cache-ttl=${cacheTtl}`,
    '--bullmq.metrics.timeout=30s',
    ...exporterQueueArgs(names, workDir, opts.exporterQueues),
    ...extraArgs,
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

// R_script and R_all: the bare reads of everything the counts script reads, for the same numbers,
// with the script's own rule of reading a structure's head only when it is not empty, so that Redis
// does no more than the script. R_script reads what the script reads for A_c, latency off: the counts,
// schedulers, rate limit and global concurrency. Round 1 the lengths, meta's four fields, the metrics
// counts, ZCARD repeat and PTTL limiter; round 2 the tails of the non-empty lists (for legacy markers),
// GET limiter under a global rate limit and EXISTS for a queue that looks empty. Two round trips.
// R_all reads what the script reads for A, latency on, and what A sends besides: round 1 also has one
// TIME (the script sends one per call) and one CLIENT LIST (workers on); round 2 also the heads of the
// non-empty prioritized and delayed sets; round 3 the hashes of the next jobs and, for a delayed job
// that is due, ZCOUNT. Three round trips. Neither runs a script.
const MARKER = /^0(:|$)/;

// The least atomic read of what A reads in round i: the cheaper of R_lua_all and R_multi_all (NaN in
// the JSON of a run from before they were measured).
function atomicAll(samples, i) {
  return Math.min(samples.rLuaAll?.[i]?.cpuMs ?? NaN, samples.rMultiAll?.[i]?.cpuMs ?? NaN);
}

async function bareReadsOfEverything(client, names, { clientList, latency }) {
  const key = (name, suffix) => `bull:${name}:${suffix}`;
  const exec = async (pipeline) => {
    const replies = await pipeline.exec();
    const failed = replies.find(([err]) => err);
    if (failed) throw new Error(`A bare read failed: ${failed[0].message}`);
    return replies.map(([, value]) => value);
  };
  const first = client.pipeline();
  if (latency) first.time();
  for (const name of names) {
    first.llen(key(name, 'wait'));
    first.llen(key(name, 'paused'));
    first.llen(key(name, 'active'));
    for (const set of ['prioritized', 'delayed', 'completed', 'failed', 'waiting-children', 'repeat']) first.zcard(key(name, set));
    first.hmget(key(name, 'meta'), 'paused', 'version', 'max', 'concurrency');
    first.hget(key(name, 'metrics:completed'), 'count');
    first.hget(key(name, 'metrics:failed'), 'count');
    first.pttl(key(name, 'limiter'));
  }
  if (clientList) first.client('LIST');
  const r1 = await exec(first);
  const [seconds, micros] = latency ? r1[0].map(Number) : [NaN, NaN];
  const now = seconds * 1000 + Math.floor(micros / 1000);
  const PER_QUEUE = 13;
  const offset = latency ? 1 : 0;
  const rows = names.map((name, i) => {
    const [wait, paused, active, prioritized, delayed, completed, failed, waitingChildren, repeat, meta, c, f] = r1.slice(offset + i * PER_QUEUE, offset + (i + 1) * PER_QUEUE);
    return { name, wait, paused, active, prioritized, delayed, completed, failed, waitingChildren, repeat, meta, c, f };
  });
  let sent = r1.length;

  const second = client.pipeline();
  const plan2 = [];
  for (const row of rows) {
    const empty = !row.meta.some((v) => v !== null) && row.c === null && row.f === null
      && [row.wait, row.paused, row.active, row.prioritized, row.delayed, row.completed, row.failed, row.waitingChildren].every((n) => n === 0);
    if (row.wait > 0) plan2.push([row, 'waitTail', second.lindex(key(row.name, 'wait'), -1)]);
    if (row.paused > 0) plan2.push([row, 'pausedTail', second.lindex(key(row.name, 'paused'), -1)]);
    if (latency && row.prioritized > 0) plan2.push([row, 'prioritizedHead', second.zrange(key(row.name, 'prioritized'), 0, 0)]);
    if (latency && row.delayed > 0) plan2.push([row, 'delayedHead', second.zrange(key(row.name, 'delayed'), 0, 0, 'WITHSCORES')]);
    if (row.meta[2] !== null) plan2.push([row, 'limiter', second.get(key(row.name, 'limiter'))]);
    if (empty) plan2.push([row, 'exists', second.exists(key(row.name, 'meta'), key(row.name, 'id'), key(row.name, 'events'))]);
  }
  const r2 = plan2.length ? await exec(second) : [];
  sent += r2.length;
  plan2.forEach(([row, field], i) => {
    row[field] = r2[i];
  });

  const third = client.pipeline();
  let thirdSent = 0;
  for (const row of latency ? rows : []) {
    // The entry behind a legacy marker (BullMQ before 5) is not read here: BullMQ 6 writes none.
    for (const id of [row.waitTail, row.pausedTail, row.prioritizedHead?.[0]]) {
      if (id && !MARKER.test(id)) {
        third.hmget(key(row.name, id), 'timestamp', 'delay', 'processedOn', 'opts');
        thirdSent++;
      }
    }
    if (row.delayedHead?.length === 2 && Math.floor(Number(row.delayedHead[1]) / 4096) <= now) {
      third.zcount(key(row.name, 'delayed'), '-inf', String(now * 4096 - 1));
      thirdSent++;
    }
  }
  const r3 = thirdSent ? await exec(third) : [];
  sent += r3.length;
  // Proof that it read the seeded keys: the counts as seeded, and every next job's hash has a timestamp.
  for (const row of rows) {
    if (row.completed !== JOBS.completed) throw new Error(`bare read of ${row.name}: ZCARD completed ${row.completed}, seeded ${JOBS.completed}`);
  }
  const hashes = r3.filter(Array.isArray);
  if (hashes.some((job) => job[0] === null)) throw new Error('bare read: the hash of a next job has no timestamp');
  if (latency && hashes.length < names.length) throw new Error(`bare read: ${hashes.length} next jobs for ${names.length} queues, each seeded with waiting jobs`);
  return sent;
}

// M: Micrometer's own PrometheusMeterRegistry.scrape() of exactly the bullmq series that a scrape
// of the exporter rendered (constant values, nothing else registered, no HTTP, no Redis), run by
// MicrometerFloor.java with the exporter jar's own Micrometer and Prometheus client.
async function micrometerFloor(opts, body, label, jvmOpts = opts.jvmOpts) {
  const seriesFile = path.join(workDir, `series-${label}.txt`);
  fs.writeFileSync(seriesFile, body);
  const logFile = path.join(workDir, `micrometer-floor-${label}.log`);
  const child = startProcess('micrometer-floor', opts.java, [
    ...jvmOpts, '-cp', path.join(libDir(opts), '*'), path.join(HERE, 'MicrometerFloor.java'),
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

// The two Lua scripts the exporter sends, from the jar under test (not from this checkout): SLOWLOG
// entries are told apart by their start, and the batch-size timing runs the counts script itself.
let exporterScriptSources;
function exporterScripts(opts) {
  if (!exporterScriptSources) {
    const lib = libDir(opts);
    const autoconfigure = fs.readdirSync(lib).find((f) => /^bullmq-metrics-autoconfigure-.*\.jar$/.test(f));
    if (!autoconfigure) throw new Error(`No bullmq-metrics-autoconfigure jar in ${lib}`);
    const dir = path.join(workDir, 'scripts');
    fs.mkdirSync(dir, { recursive: true });
    const jarTool = path.join(path.dirname(fs.realpathSync(commandPath(opts.java))), 'jar');
    const res = spawnSync(jarTool, ['xf', path.join(lib, autoconfigure), 'io/github/bullmqmetrics/reader/'], { cwd: dir, encoding: 'utf8' });
    if (res.status !== 0) throw new Error(`${jarTool} xf ${autoconfigure} failed: ${res.stderr ?? res.error}`);
    const read = (name) => {
      const file = path.join(dir, 'io/github/bullmqmetrics/reader', name);
      return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
    };
    exporterScriptSources = { counts: read('queue-counts.lua'), durations: read('finished-jobs.lua') };
    if (!exporterScriptSources.counts) throw new Error(`No queue-counts.lua in ${autoconfigure}`);
  }
  return exporterScriptSources;
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

// Between two timings, collect Node's garbage (run.sh passes --expose-gc): after a B with history,
// Node's collector would otherwise work through gigabytes on the second core while the next timing
// runs, and charge B's cost to whatever comes next.
// The exporters' JVMs, while a scrape phase runs: settle() waits for them to go quiet.
let quietPids = [];
// How long settle() waited for them in all, in ms, and how often it gave up.
const settleStats = { waitedMs: 0, gaveUp: 0 };

// The threads of a process, none once it has ended.
function threadIds(pid) {
  try {
    return fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
}

// CPU time of every thread of the given processes, in ns (/proc/<pid>/task/<tid>/schedstat).
function threadsRunNs(pids) {
  let ns = 0;
  for (const pid of pids) {
    for (const tid of threadIds(pid)) {
      try {
        ns += Number(fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // the thread ended
      }
    }
  }
  return ns;
}

async function settle() {
  globalThis.gc?.();
  await sleep(20);
  // A JVM that has just rendered tens of thousands of series goes on collecting its garbage (and
  // compiling) on the other core for a while, and would slow down whatever is timed next on a
  // 2-core machine: wait, at most 2 s, until the exporters together use under 10% of a core.
  const started = performance.now();
  while (quietPids.length) {
    const before = threadsRunNs(quietPids);
    await sleep(20);
    if (threadsRunNs(quietPids) - before < 2e6) break;
    if (performance.now() - started > 2000) {
      settleStats.gaveUp++;
      break;
    }
  }
  settleStats.waitedMs += performance.now() - started;
}

// One timed window: Redis INFO before and after. The A_all exporter reads job durations in the
// background (every 15 s by default), and such a read can land inside any window. Only the exporter
// sends EVAL_RO, so a window with more EVAL_RO calls than its own read sends is taken again. A window
// that sends no EVAL_RO itself (B, W, R) and lasts over 5 s (B with history) rarely comes out clean:
// it is kept, with the time of those EVAL_RO calls taken out of its Redis CPU (exact, since they are
// all the durations read's), and counted as an overlap. A cold scrape is taken again up to 6 times
// whatever its length; one that still overlaps is kept as it is (its own EVAL_RO calls cannot be told
// from the durations read's) and counted as an overlap too.
async function timedWindow(ctx, fn, expectedEvalRo) {
  for (let attempt = 0; ; attempt++) {
    const before = await redisCounters(ctx.probe);
    const result = await fn();
    const delta = redisDelta(before, await redisCounters(ctx.probe), ctx.infoOverhead);
    const extra = delta.evalRo.calls - expectedEvalRo;
    if (extra <= 0) return { result, delta };
    const long = result.ms > 5000;
    if (expectedEvalRo === 0 ? attempt < 3 && !long : attempt < 6) {
      ctx.retakes++;
      await settle();
      continue;
    }
    ctx.overlaps++;
    delta.durationsOverlap = true;
    if (expectedEvalRo === 0) {
      delta.cpuMs -= delta.evalRo.usec / 1000;
      delta.commands -= extra;
    }
    return { result, delta };
  }
}

async function measure({ opts, n, names, history, exporters, queues, probe, infoOverhead, pids }) {
  const rounds = roundsFor(opts, n);
  const idleWaitSec = await waitForIdle(opts, pids);
  const ctx = { probe, infoOverhead, retakes: 0, overlaps: 0 };
  const cold = ['a', 'counts', 'all'].filter((key) => exporters[key]);
  const cached = ['w', 'wAll'].filter((key) => exporters[key]);
  // How many EVAL_RO calls a cold scrape sends by itself: the fewest seen in the warm-up, where a
  // background read of durations may add some.
  const ownEvalRo = {};
  const last = {};
  let lastB;
  const warmupStarted = performance.now();
  let warmups = 0;
  while (warmups < opts.warmup || performance.now() - warmupStarted < opts.warmupSeconds * 1000) {
    for (const key of [...cold, ...cached]) {
      const before = await redisCounters(probe);
      last[key] = await scrape(exporters[key]);
      const calls = redisDelta(before, await redisCounters(probe), infoOverhead).evalRo.calls;
      if (!cached.includes(key)) ownEvalRo[key] = Math.min(ownEvalRo[key] ?? Infinity, calls);
    }
    // One export that runs for seconds has run BullMQ's code thousands of times: it is warm.
    if (!lastB || lastB.ms < 5000) lastB = await bullmqExport(queues);
    warmups++;
  }
  log(`  warm-up: ${warmups} scrapes and exports in ${((performance.now() - warmupStarted) / 1000).toFixed(1)} s; EVAL_RO calls per cold scrape: ${cold.map((k) => `${EXPORTERS[k].label} ${ownEvalRo[k]}`).join(', ')}`);
  let checked;
  for (const key of [...cold, ...cached]) {
    const check = crossCheck(last[key].body, lastB.body, names);
    if (check.problems.length > 0) {
      throw new Error(`${EXPORTERS[key].label} and B disagree (${check.problems.length} problems):\n  ${check.problems.slice(0, 20).join('\n  ')}`);
    }
    checked = check;
  }
  log(`  cross-check: ${[...cold, ...cached].map((k) => EXPORTERS[k].label).join(', ')} and B agree on all ${checked.series} series, and every queue has every state non-zero`);
  // W_all reads durations once, at start: only if that read reached its meters does it render what A_all renders.
  if (last.wAll && countBullmqSeries(last.wAll.body) !== countBullmqSeries(last.all.body)) {
    throw new Error(`W_all renders ${countBullmqSeries(last.wAll.body)} bullmq series and A_all ${countBullmqSeries(last.all.body)}: W_all is no floor under A_all (did its one read of durations, at start, reach the meters?)`);
  }
  const bodies = Object.fromEntries(Object.entries(last).map(([key, res]) => [key, res.body]));
  const bBytes = Buffer.byteLength(lastB.body);
  const previousRefresh = Object.fromEntries(cold.map((key) => [key, { sum: last[key].refreshSum, count: last[key].refreshCount }]));
  lastB = undefined;
  for (const key of Object.keys(last)) delete last[key];

  const samples = { b: [], rCounts: [], rLua: [], rLuaScript: [], rMulti: [], rMultiTails: [], rScript: [], rAll: [], rLuaAll: [], rMultiAll: [] };
  const nextJobs = await planNextJobs(probe, names);
  for (const key of [...cold, ...cached]) samples[key] = [];
  const runCold = async (key) => {
    const { result, delta } = await timedWindow(ctx, () => scrape(exporters[key]), ownEvalRo[key]);
    // The exporter's own timer: how long this scrape's read of Redis took, inside the JVM.
    const prior = previousRefresh[key];
    const refreshMs = result.refreshCount === prior.count + 1 ? (result.refreshSum - prior.sum) * 1000 : NaN;
    previousRefresh[key] = { sum: result.refreshSum, count: result.refreshCount };
    if (delta.scriptCalls === 0) throw new Error(`A scrape of ${EXPORTERS[key].label} did not read Redis: is bullmq.metrics.cache-ttl really 0s?`);
    samples[key].push({ ms: result.ms, refreshMs, ...delta });
  };
  const runCached = async (key) => {
    const { result, delta } = await timedWindow(ctx, () => scrape(exporters[key]), 0);
    if (delta.commands !== 0) throw new Error(`A cached scrape of ${EXPORTERS[key].label} sent ${delta.commands} commands to Redis: is its cache-ttl long enough?`);
    samples[key].push({ ms: result.ms });
  };
  const runB = async () => {
    const { result, delta } = await timedWindow(ctx, () => bullmqExport(queues), 0);
    samples.b.push({ ms: result.ms, ...delta });
  };
  const runR = async (key, read) => {
    const { result, delta } = await timedWindow(ctx, read, 0);
    samples[key].push({ sent: result, ...delta });
  };
  const cpuBefore = cpuSnapshot(pids);
  const loadBefore = os.loadavg()[0];
  quietPids = Object.values(exporters).map((exporter) => exporter.child.pid);
  const settledBefore = { ...settleStats };
  for (let round = 0; round < rounds; round++) {
    // Alternate the order, so that neither side always runs right after the other.
    const order = round % 2 === 0 ? [...cold, 'b'] : ['b', ...[...cold].reverse()];
    for (const key of order) {
      await (key === 'b' ? runB() : runCold(key));
      await settle();
    }
    for (const key of cached) {
      await runCached(key);
      await settle();
    }
    await runR('rCounts', () => bareReads(probe, names));
    await settle();
    await runR('rLua', () => luaReads(probe, names, QUEUES_PER_CALL, JOBS.completed));
    await settle();
    await runR('rLuaScript', () => luaReads(probe, names, QUEUES_PER_CALL, JOBS.completed, 'script'));
    await settle();
    await runR('rMulti', () => multiReads(probe, names, QUEUES_PER_CALL, JOBS.completed));
    await settle();
    await runR('rMultiTails', () => multiReads(probe, names, QUEUES_PER_CALL, JOBS.completed, [...COUNTS_READS, ...TAIL_READS]));
    await settle();
    if (exporters.counts) {
      await runR('rScript', () => bareReadsOfEverything(probe, names, { clientList: false, latency: false }));
      await settle();
    }
    await runR('rAll', () => bareReadsOfEverything(probe, names, { clientList: true, latency: true }));
    await settle();
    await runR('rLuaAll', () => luaReads(probe, names, QUEUES_PER_CALL, JOBS.completed, 'all'));
    await settle();
    await runR('rMultiAll', () => multiAllReads(probe, nextJobs, QUEUES_PER_CALL, JOBS.completed));
    await settle();
    const at = (key) => samples[key].at(-1);
    log(`  round ${round + 1}/${rounds}: ${cold.map((k) => `${EXPORTERS[k].label} ${at(k).ms.toFixed(1)} ms`).join(', ')}, B ${at('b').ms.toFixed(1)} ms, ${cached.map((k) => `${EXPORTERS[k].label} ${at(k).ms.toFixed(1)} ms`).join(', ')}; Redis CPU R_counts ${at('rCounts').cpuMs.toFixed(1)} ms, R_all ${at('rAll').cpuMs.toFixed(1)} ms, R_lua_all ${at('rLuaAll').cpuMs.toFixed(1)} ms, R_multi_all ${at('rMultiAll').cpuMs.toFixed(1)} ms`);
  }
  const others = otherCores(cpuBefore, cpuSnapshot(pids));
  quietPids = [];
  log(`  settling between timings: ${(settleStats.waitedMs - settledBefore.waitedMs).toFixed(0)} ms in all waiting for the exporters' JVMs to go quiet, ${settleStats.gaveUp - settledBefore.gaveUp} times given up after 2 s`);
  const load = [loadBefore, os.loadavg()[0]];
  if (ctx.retakes || ctx.overlaps) log(`  background reads of job durations: ${ctx.retakes} windows taken again, ${ctx.overlaps} kept with their EVAL_RO time taken out`);
  // Alone, after the rounds: each takes a core for a JVM of its own.
  const m = await micrometerFloor(opts, bodies.a, `${n}-${history}`);
  log(`  M: Micrometer scrapes the same ${m.series} series in ${fmtMs(m.medianMs)} ms (median of ${m.scrapes}, min ${fmtMs(m.minMs)} ms)`);
  let mAll;
  if (bodies.all) {
    mAll = await micrometerFloor(opts, bodies.all, `${n}-${history}-all`, opts.jvmOptsAll);
    log(`  M_all: Micrometer scrapes A_all's ${mAll.series} series in ${fmtMs(mAll.medianMs)} ms (median of ${mAll.scrapes}, min ${fmtMs(mAll.minMs)} ms)`);
  }
  const ratios = (key, field = 'ms') => (samples[key] ?? []).map((x, i) => x[field] / samples.b[i][field]);
  return {
    n, history, rounds, samples, m, mAll, ownEvalRo,
    // The first three keep their names from earlier runs' JSON.
    a: samples.a, b: samples.b, w: samples.w, r: samples.rCounts,
    ratios: ratios('a'),
    warmRatios: ratios('w'),
    floorRatios: samples.rCounts.map((x, i) => (x.cpuMs + m.medianMs) / samples.b[i].ms),
    // The floor under what A itself reads (latency and workers too): R_all, not R_counts.
    floorARatios: samples.rAll.map((x, i) => (x.cpuMs + m.medianMs) / samples.b[i].ms),
    variantRatios: { counts: ratios('counts'), all: ratios('all'), wAll: ratios('wAll') },
    cpuRatios: { a: ratios('a', 'cpuMs'), counts: ratios('counts', 'cpuMs'), all: ratios('all', 'cpuMs') },
    // Per round: a variant's Redis CPU against the bare reads of what it reads.
    rRatios: {
      countsToRCounts: (samples.counts ?? []).map((x, i) => x.cpuMs / samples.rCounts[i].cpuMs),
      countsToRScript: (samples.counts ?? []).map((x, i) => x.cpuMs / samples.rScript[i]?.cpuMs),
      // The exporter's script against the least Lua that makes the same reads.
      countsToRLuaScript: (samples.counts ?? []).map((x, i) => x.cpuMs / samples.rLuaScript[i]?.cpuMs),
      // The price of atomicity: the same reads as R_counts in one script per batch, or in MULTI/EXEC.
      luaToRCounts: samples.rLua.map((x, i) => x.cpuMs / samples.rCounts[i].cpuMs),
      multiToRCounts: samples.rMulti.map((x, i) => x.cpuMs / samples.rCounts[i].cpuMs),
      multiTailsToRCounts: samples.rMultiTails.map((x, i) => x.cpuMs / samples.rCounts[i].cpuMs),
      aToRAll: samples.a.map((x, i) => x.cpuMs / samples.rAll[i].cpuMs),
    },
    floorAllRatios: mAll ? samples.rAll.map((x, i) => (x.cpuMs + mAll.medianMs) / samples.b[i].ms) : [],
    // The same floors for an atomic read: the cheaper, in each round, of the least Lua (R_lua_all) and
    // the least transaction (R_multi_all) that read what A reads.
    floorAtomicARatios: samples.rAll.map((x, i) => (atomicAll(samples, i) + m.medianMs) / samples.b[i].ms),
    floorAtomicAllRatios: mAll ? samples.rAll.map((x, i) => (atomicAll(samples, i) + mAll.medianMs) / samples.b[i].ms) : [],
    // Redis CPU of the bare and the atomic reads of what A reads, against B's, per round.
    rAllToBCpu: samples.rAll.map((x, i) => x.cpuMs / samples.b[i].cpuMs),
    atomicAllToBCpu: samples.rAll.map((x, i) => atomicAll(samples, i) / samples.b[i].cpuMs),
    aBytes: Buffer.byteLength(bodies.a), aAllBytes: bodies.all ? Buffer.byteLength(bodies.all) : NaN, bBytes,
    seriesAll: bodies.all ? countBullmqSeries(bodies.all) : NaN,
    seriesA: countBullmqSeries(bodies.a),
    series: checked.series, others, load, idleWaitSec, retakes: ctx.retakes, overlaps: ctx.overlaps,
  };
}

// ---------------------------------------------------------------------------------------------
// Job durations: the background reads of the exporter with every meter on, timed alone
// ---------------------------------------------------------------------------------------------

const evalRoCalls = (counters) => counters.commandStats.eval_ro?.calls ?? 0;

// Waits for `count` background reads of job durations (nothing else may send EVAL_RO meanwhile) and
// times each in Redis. A read is found by polling INFO every 10 ms: it starts at the last poll before
// EVAL_RO calls grow, and ends at the first poll after they stopped growing for 3 polls. Its Redis CPU is
// the CPU between those two polls less what the polls in between cost by themselves, measured on the
// quiet polls while waiting (which also holds Redis' own background work).
async function durationsReads(probe, count, timeoutMs = 45_000) {
  const reads = [];
  let quietCpuMs = 0;
  let quietPolls = 0;
  for (let i = 0; i < count; i++) {
    let previous = await redisCounters(probe);
    const deadline = Date.now() + timeoutMs;
    let current;
    for (;;) {
      await sleep(10);
      current = await redisCounters(probe);
      if (evalRoCalls(current) > evalRoCalls(previous)) break;
      quietCpuMs += current.cpuMs - previous.cpuMs;
      quietPolls++;
      previous = current;
      if (Date.now() > deadline) throw new Error(`No background read of job durations within ${timeoutMs / 1000} s: is the exporter with every meter on running, with durations on?`);
    }
    const start = previous;
    const startedAt = Date.now();
    let polls = 1;
    let stable = 0;
    let end;
    while (stable < 3) {
      await sleep(10);
      const next = await redisCounters(probe);
      polls++;
      if (evalRoCalls(next) === evalRoCalls(current)) {
        if (stable === 0) end = { counters: next, polls };
        stable++;
      } else {
        stable = 0;
      }
      current = next;
    }
    const perPoll = quietPolls > 0 ? quietCpuMs / quietPolls : 0;
    const delta = redisDelta(start, end.counters, 0);
    reads.push({
      at: startedAt,
      calls: delta.evalRo.calls,
      scriptMs: delta.evalRo.usec / 1000,
      // a script's inner calls (ZCOUNT, HGET, ...) included, INFO left out
      commandsInclScripts: delta.callsInclScripts,
      cpuMs: Math.max(0, delta.cpuMs - perPoll * end.polls),
      pollCpuMs: perPoll * end.polls,
    });
    log(`  background read of job durations: ${delta.evalRo.calls} EVAL_RO calls, ${fmtMs(delta.evalRo.usec / 1000)} ms inside them, ${fmtMs(reads.at(-1).cpuMs)} ms of Redis CPU (after ${fmtMs(reads.at(-1).pollCpuMs)} ms for the polls)`);
  }
  return reads;
}

// ---------------------------------------------------------------------------------------------
// SLOWLOG: the longest single exporter calls inside Redis
// ---------------------------------------------------------------------------------------------

// With SLOWLOG at 0 us, every call is logged with the time Redis spent inside it. Each cold variant is
// scraped --slowlog-scrapes times, the exporter with every meter on is given one background read of job
// durations, and then the counts script is sent directly (EVAL_RO, the exporter's own script from the
// jar) with 10, 25, 50 and 100 queues of the seeded data per call, to show which batch size
// (LettuceBullMqReader.QUEUES_PER_CALL) keeps every call under a bound. Only this phase pays for logging
// every call: the timed windows of the scrape phase run with SLOWLOG as Redis sets it by default.
async function slowlogPhase({ opts, names, exporters, probe, redis }) {
  const scripts = exporterScripts(opts);
  const cold = ['a', 'counts', 'all'].filter((key) => exporters[key]);
  const pin = pinRedis(opts, redis.child.pid, [process.pid, ...Object.values(exporters).map((e) => e.child.pid)]);
  const schedBefore = schedstat(redis.child.pid);
  const stealBefore = stealMs(pin.cpu);
  const restore = await slowlogOn(probe, 0, 1_000_000);
  try {
    // SLOWLOG counts a wait for a CPU inside the call that was running: a scrape (or a read of
    // durations) during which Redis' main thread waited more than PREEMPTED_USEC in all is taken
    // again, at most `retakes` times, so that the longest call is the call's own work. So is one
    // during which the host took Redis' CPU (steal), as far as /proc/stat's 10 ms resolution shows it.
    const entries = [];
    let retaken = 0;
    let retakenForSteal = 0;
    let keptWaitUsec = 0;
    let keptStealMs = 0;
    const take = async (work, retakes) => {
      for (let attempt = 0; ; attempt++) {
        await probe.slowlog('RESET');
        const before = schedstat(redis.child.pid);
        const stolenBefore = stealMs(pin.cpu);
        await work();
        const after = schedstat(redis.child.pid);
        const stolenMs = stealMs(pin.cpu) - stolenBefore || 0;
        const waitedUsec = before && after ? (after.waitNs - before.waitNs) / 1000 : 0;
        if ((waitedUsec <= PREEMPTED_USEC && stolenMs === 0) || attempt >= retakes) {
          entries.push(...(await slowlogEntries(probe)));
          keptWaitUsec = Math.max(keptWaitUsec, waitedUsec);
          keptStealMs = Math.max(keptStealMs, stolenMs);
          return;
        }
        retaken++;
        if (waitedUsec <= PREEMPTED_USEC) retakenForSteal++;
      }
    };
    for (let i = 0; i < opts.slowlogScrapes; i++) {
      for (const key of cold) await take(() => scrape(exporters[key]), 5);
    }
    if (exporters.all) await take(() => durationsReads(probe, 1), 2);
    const byKind = { counts: [], clientList: [], durations: [], otherEvalRo: [] };
    for (const entry of entries) {
      const kind = exporterCall(entry, scripts);
      if (kind) byKind[kind].push(entry);
    }
    const longest = (list) => list.reduce((best, e) => (!best || e.usec > best.usec ? e : best), undefined);
    const result = {
      entries: entries.length,
      counts: { ...usecStats(byKind.counts), queuesPerCall: queuesInCall(longest(byKind.counts), scripts), overOneMs: byKind.counts.filter((e) => e.usec > ONE_MS).length },
      clientList: usecStats(byKind.clientList),
      durations: { ...usecStats(byKind.durations), overOneMs: byKind.durations.filter((e) => e.usec > ONE_MS).length },
      otherEvalRo: byKind.otherEvalRo.length,
      pinning: pin.description,
      retaken,
      retakenForSteal,
      keptWaitUsec,
      keptStealMs,
    };
    log(`  SLOWLOG: longest counts script ${fmtUsec(result.counts.maxUsec)} (${result.counts.calls} calls, mean ${fmtUsec(result.counts.meanUsec)}), CLIENT LIST ${fmtUsec(result.clientList.maxUsec)} (${result.clientList.calls}), durations script ${fmtUsec(result.durations.maxUsec)} (${result.durations.calls})`);

    result.batches = [];
    for (const size of opts.batchSizes.filter((b) => b <= names.length)) {
      await probe.slowlog('RESET');
      const before = await redisCounters(probe);
      for (let call = 0; call < opts.batchCalls; call++) {
        const first = (call * size) % names.length;
        const batch = Array.from({ length: size }, (_, i) => names[(first + i) % names.length]);
        const keys = batch.flatMap((name) => COUNTS_SCRIPT_SUFFIXES.map((suffix) => `bull:${name}:${suffix}`));
        const rows = await probe.call('EVAL_RO', scripts.counts, String(keys.length), ...keys);
        if (!Array.isArray(rows) || rows.length !== size || rows.some((row) => row[0] !== 1)) {
          throw new Error(`The counts script, sent directly for ${size} queues, answered ${JSON.stringify(rows).slice(0, 300)}`);
        }
      }
      const delta = redisDelta(before, await redisCounters(probe), 0);
      const own = (await slowlogEntries(probe)).filter((e) => exporterCall(e, scripts) === 'counts' && Number(e.args[2]) === size * COUNTS_SCRIPT_SUFFIXES.length);
      const stats = usecStats(own);
      result.batches.push({ size, ...stats, commandstatsMeanUsec: delta.evalRo.calls ? delta.evalRo.usec / delta.evalRo.calls : NaN });
      log(`  counts script, ${size} queues per call: longest ${fmtUsec(stats.maxUsec)}, median ${fmtUsec(stats.medianUsec)} over ${stats.calls} calls`);
    }
    const schedAfter = schedstat(redis.child.pid);
    result.redisWaitedMs = schedBefore && schedAfter ? (schedAfter.waitNs - schedBefore.waitNs) / 1e6 : NaN;
    result.stolenMs = stealMs(pin.cpu) - stealBefore;
    log(`  ${pin.description}; Redis' main thread waited ${fmtMs(result.redisWaitedMs)} ms for a CPU during the phase, and the host took ${fmtMs(result.stolenMs)} ms of its CPU (steal); ${retaken} scrapes or reads taken again (${retakenForSteal} for steal alone), at most ${fmtUsec(keptWaitUsec)} of waiting and ${fmtMs(keptStealMs)} ms of steal in one kept`);
    return result;
  } finally {
    pin.unpin();
    await restore();
  }
}

// The keys of one queue, in the order queue-counts.lua takes them (QueueCountsScript.SUFFIXES).
const COUNTS_SCRIPT_SUFFIXES = ['wait', 'paused', 'active', 'prioritized', 'delayed', 'completed', 'failed', 'waiting-children',
  'meta', 'metrics:completed', 'metrics:failed', 'id', 'events', 'repeat', 'limiter'];

function queuesInCall(entry) {
  if (!entry) return NaN;
  return Number(entry.args[2]) / COUNTS_SCRIPT_SUFFIXES.length;
}

function fmtUsec(usec) {
  if (!Number.isFinite(usec)) return 'n/a';
  return usec >= 1000 ? `${(usec / 1000).toFixed(2)} ms` : `${Math.round(usec)} µs`;
}

// ---------------------------------------------------------------------------------------------
// Durations under load: a real Worker pool finishing jobs while the exporter reads their durations
// ---------------------------------------------------------------------------------------------

// The sum of one family's series over some queues, from a scrape.
function seriesSum(body, family, queues) {
  const wanted = new Set(queues);
  let total = 0;
  for (const line of body.split('\n')) {
    if (!line.startsWith(`${family}{`)) continue;
    const m = /^[^{]+\{([^}]*)\} (\S+)$/.exec(line);
    const queue = m && /(?:^|,)queue="([^"]*)"/.exec(m[1])?.[1];
    if (queue !== undefined && wanted.has(queue)) total += Number(m[2]);
  }
  return total;
}

// JSON lines from the load process, one promise per awaited event.
function eventsOf(child, logFile) {
  const seen = [];
  const waiting = [];
  readline.createInterface({ input: child.stdout }).on('line', (line) => {
    let message;
    try {
      message = JSON.parse(line);
    } catch {
      return;
    }
    seen.push(message);
    for (const w of [...waiting]) {
      if (w.event === message.event || message.event === 'error') {
        waiting.splice(waiting.indexOf(w), 1);
        if (message.event === 'error') w.reject(new Error(`The load process failed: ${message.message}\n${tail(logFile)}`));
        else w.resolve(message);
      }
    }
  });
  return (event, timeoutMs) => {
    const already = seen.find((m) => m.event === event);
    if (already) return Promise.resolve(already);
    return new Promise((resolve, reject) => {
      const entry = { event, resolve, reject };
      waiting.push(entry);
      const timer = setTimeout(() => reject(new Error(`The load process did not report "${event}" within ${timeoutMs / 1000} s:\n${tail(logFile)}`)), timeoutMs);
      child.exited.then(({ code, signal }) => reject(new Error(`The load process exited (${code ?? signal}) before "${event}":\n${tail(logFile)}`)));
      const done = (fn) => (value) => {
        clearTimeout(timer);
        fn(value);
      };
      entry.resolve = done(resolve);
      entry.reject = done(reject);
    });
  };
}

// The load phase, once per run, on queues of its own (load-1, load-2, ...). An exporter with every default
// meter on (durations read every 15 s, the default) lists those queues and is not scraped while the load
// runs, so every EVAL_RO in the window is a background read of job durations. A separate Node process
// (load.mjs) runs --load-workers real BullMQ Workers per queue and adds --load-rate jobs per second for
// --load-seconds. Measured:
// - the workload's Redis CPU: used_cpu from the first job added to the last job finished, less the
//   EVAL_RO time and the INFO probes in that span;
// - the durations reads' Redis time: INFO commandstats usec of EVAL_RO (which includes every call the
//   script makes), from the first job added until the end of the first read that started more than
//   LettuceFinishedJobsReader.SETTLE_TIME (2 s) after the last job finished, so that it reads them all;
// - the jobs the exporter observed (bullmq_job_durations_observed_total) against the jobs finished (the
//   Workers' own tally, and BullMQ's metrics counts);
// - the longest durations call, from SLOWLOG at --load-slowlog-usec (logging every workload command
//   would cost the workload memory and time).
// Two control calls, each sent every CONTROL_INTERVAL_MS during the load beside the exporter's reads of
// durations, to tell the tail of those reads from what any script meets under this workload:
// - noop, a Lua call that does nothing: what the machine and Redis add to any script call;
// - page, the least Lua that reads what one durations call reads: a page of jobs of a queue's
//   completed set, from a random rank among the jobs of the last durations interval (as the
//   exporter's pages read jobs that finished up to 15 s before, whose hashes are no longer in the
//   CPU's caches, not the newest), and five fields of each: what Lua adds to any script that reads
//   (and so allocates) as much. Lua's garbage collector runs in steps inside whichever script is
//   allocating at the time, and under load BullMQ's scripts make most of the garbage.
// EVAL, not EVAL_RO, so that INFO commandstats keeps them apart from the exporter's calls; their Redis
// time is taken out of the workload's.
const CONTROL_SCRIPTS = {
  noop: '-- bullmq-metrics benchmark: a control call that does nothing\nreturn 1',
  page: [
    '-- bullmq-metrics benchmark: a control call, the least Lua that reads a page of finished jobs',
    `local ids = redis.call('ZREVRANGE', KEYS[1], ARGV[2], ARGV[2] + ${JOBS_PER_CALL - 1}, 'WITHSCORES')`,
    'local r = {}',
    'for i = 1, #ids, 2 do',
    "  r[#r + 1] = redis.call('HMGET', ARGV[1] .. ids[i], 'timestamp', 'processedOn', 'finishedOn', 'ats', 'opts')",
    'end',
    'return r',
  ].join('\n'),
};
const CONTROL_INTERVAL_MS = 100;

async function loadPhase({ opts, redis, probe }) {
  const cfg = opts.load;
  const names = Array.from({ length: cfg.queues }, (_, i) => `load-${i + 1}`);
  const scripts = exporterScripts(opts);
  // cache-ttl 0s: the scrape before the load must see the Workers, not a read from before they connected.
  const exporter = await startExporter(opts, redis.port, names, workDir, '0s', { tag: 'load' });
  log(`  exporter with every default meter on, on ${HOST}:${exporter.port} (pid ${exporter.child.pid}), log ${exporter.logFile}`);
  const logFile = path.join(workDir, 'load.log');
  const config = { port: redis.port, queues: names, workers: cfg.workers, concurrency: cfg.concurrency, rate: cfg.rate, seconds: cfg.seconds, jobMs: cfg.jobMs, fail: cfg.fail };
  const child = startProcess('load', process.execPath, [path.join(HERE, 'load.mjs'), JSON.stringify(config)], logFile, { interactive: true });
  const next = eventsOf(child, logFile);
  const restore = await slowlogOn(probe, cfg.slowlogUsec, 100_000);
  let pin = { unpin: () => {}, description: 'not pinned' };
  try {
    const ready = await next('ready', 60_000);
    log(`  ${ready.workers} Workers on ${names.length} queues (concurrency ${cfg.concurrency} each), log ${logFile}`);
    const first = await scrape(exporter);
    const observedBefore = seriesSum(first.body, 'bullmq_job_durations_observed_total', names);
    const missedBefore = seriesSum(first.body, 'bullmq_job_durations_missed_total', names);
    const workersSeen = seriesSum(first.body, 'bullmq_queue_workers', names);
    const pids = [redis.child.pid, exporter.child.pid, child.pid];
    await waitForIdle(opts, pids);
    pin = pinRedis(opts, redis.child.pid, [process.pid, exporter.child.pid, child.pid]);
    log(`  ${pin.description}`);
    const cpuBefore = cpuSnapshot(pids);
    const schedBefore = schedstat(redis.child.pid);
    const stealBefore = stealMs(pin.cpu);
    const tasksBefore = tasksSnapshot();
    const before = await redisCounters(probe);
    child.stdin.write('start\n');
    const started = await next('started', 10_000);
    log(`  adding ${cfg.rate} jobs/s for ${cfg.seconds} s`);
    let controlCalls = 0;
    const control = setInterval(() => {
      const name = names[controlCalls++ % names.length];
      probe.eval(CONTROL_SCRIPTS.noop, 0).catch(() => {});
      // A random rank among the jobs that finished in the last 15 s (the exporter's interval).
      const rank = Math.floor(Math.random() * Math.max(1, (cfg.rate * 15) / names.length - JOBS_PER_CALL));
      probe.eval(CONTROL_SCRIPTS.page, 1, `bull:${name}:completed`, `bull:${name}:`, String(rank)).catch(() => {});
    }, CONTROL_INTERVAL_MS);
    const finished = await next('finished', (cfg.seconds + 180) * 1000).finally(() => clearInterval(control));
    const atFinish = await redisCounters(probe);
    const others = otherCores(cpuBefore, cpuSnapshot(pids));
    const schedAfter = schedstat(redis.child.pid);
    const stolenMs = stealMs(pin.cpu) - stealBefore;
    const redisCpu = os.cpus().length - 1;
    const sharedRedisCpu = pin.description.startsWith('Redis pinned') ? othersOnCpu(tasksBefore, tasksSnapshot(), redisCpu, redis.child.pid) : [];
    const seconds = (finished.lastFinishedAt - started.at) / 1000;
    log(`  ${finished.completed} completed and ${finished.failed} failed of ${finished.added} added, in ${seconds.toFixed(1)} s: ${((finished.completed + finished.failed) / seconds).toFixed(0)} jobs/s`);
    // Wait for the read that takes in the last job: one that starts more than the settle time after it.
    const readAfter = finished.lastFinishedAt + 2000 + 300;
    let previous = { counters: atFinish, at: Date.now() };
    let current;
    const deadline = Date.now() + 60_000;
    for (;;) {
      await sleep(200);
      current = { counters: await redisCounters(probe), at: Date.now() };
      if (evalRoCalls(current.counters) > evalRoCalls(previous.counters) && previous.at > readAfter) break;
      previous = current;
      if (Date.now() > deadline) throw new Error('The exporter did not read job durations within 60 s after the load ended');
    }
    for (let stable = 0; stable < 2; ) {
      await sleep(200);
      const polled = await redisCounters(probe);
      stable = evalRoCalls(polled) === evalRoCalls(current.counters) ? stable + 1 : 0;
      current = { counters: polled, at: Date.now() };
    }
    const after = current.counters;
    await sleep(300);
    const last = await scrape(exporter);
    const metricsCounts = await Promise.all(names.flatMap((name) => ['completed', 'failed'].map((t) => probe.hget(`bull:${name}:metrics:${t}`, 'count'))));
    const entries = await slowlogEntries(probe);
    child.stdin.write('stop\n');
    await Promise.race([child.exited, sleep(15_000)]);

    const window = redisDelta(before, atFinish, 0);
    const reads = redisDelta(before, after, 0).evalRo;
    const workloadCpuMs = window.cpuMs - window.evalRo.usec / 1000 - window.infoUsec / 1000 - commandDelta(before, atFinish, 'eval').usec / 1000;
    const durationsMs = reads.usec / 1000;
    const durationsCalls = entries.filter((e) => exporterCall(e, scripts) === 'durations');
    const finishedJobs = finished.completed + finished.failed;
    const result = {
      queues: names.length,
      workers: ready.workers,
      workersSeen,
      concurrency: cfg.concurrency,
      rate: cfg.rate,
      seconds: cfg.seconds,
      jobMs: cfg.jobMs,
      fail: cfg.fail,
      added: finished.added,
      completed: finished.completed,
      failed: finished.failed,
      drained: finished.drained,
      windowSeconds: seconds,
      jobsPerSecond: finishedJobs / seconds,
      workloadCpuMs,
      workloadCommands: window.commands,
      durationsMs,
      durationsCalls: reads.calls,
      // From this checkout's source: the jar under test is expected to be built from it.
      jobsPerCall: JOBS_PER_CALL,
      durationsShare: durationsMs / workloadCpuMs,
      observed: seriesSum(last.body, 'bullmq_job_durations_observed_total', names) - observedBefore,
      missed: seriesSum(last.body, 'bullmq_job_durations_missed_total', names) - missedBefore,
      metricsCount: sum(metricsCounts.map((c) => Number(c ?? 0))),
      slowlogUsec: cfg.slowlogUsec,
      longestDurations: usecStats(durationsCalls),
      // The control: how many were sent, and those SLOWLOG logged (at or over slowlogUsec).
      control: Object.fromEntries(Object.entries(CONTROL_SCRIPTS)
        .map(([kind, script]) => [kind, { sent: controlCalls, ...usecStats(entries.filter((e) => e.args[1] === script)) }])),
      others,
      redisWaitedMs: schedBefore && schedAfter ? (schedAfter.waitNs - schedBefore.waitNs) / 1e6 : NaN,
      stolenMs,
      pinning: pin.description,
      sharedRedisCpu,
    };
    // What one job read costs inside Redis, with the fixed part of each call spread over its jobs.
    result.usecPerJob = (1000 * durationsMs) / Math.max(1, result.observed);
    log(`  durations reads: ${reads.calls} EVAL_RO calls, ${fmtMs(durationsMs)} ms inside Redis; the workload used ${fmtMs(workloadCpuMs)} ms of Redis CPU: ${(100 * result.durationsShare).toFixed(2)}%`);
    log(`  jobs observed ${result.observed} (missed ${result.missed}) of ${finishedJobs} finished (BullMQ's metrics counts: ${result.metricsCount})`);
    return result;
  } finally {
    pin.unpin();
    await restore();
    await stopProcess(child, 15_000);
    await stopProcess(exporter.child);
  }
}

function countBullmqSeries(body) {
  let count = 0;
  for (const line of body.split('\n')) if (line.startsWith('bullmq_') && !line.startsWith('bullmq_exporter_')) count++;
  return count;
}

function summarize(result) {
  const pick = (list, key) => (list ?? []).map((x) => x[key]);
  const s = result.samples;
  // The mean time of one call inside Redis (INFO commandstats usec / calls) over every timed window.
  const perCall = (list, field) => sum(pick(list, field).map((d) => d.usec)) / sum(pick(list, field).map((d) => d.calls));
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
    floorARatio: median(result.floorARatios),
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
    // The variants, the extended floors and their ratios (medians of the per-round ratios)
    variants: Object.keys(EXPORTERS).filter((k) => s[k]?.length).map((k) => EXPORTERS[k].label),
    aCMs: median(pick(s.counts, 'ms')),
    aAllMs: median(pick(s.all, 'ms')),
    ratioC: median(result.variantRatios.counts),
    ratioAll: median(result.variantRatios.all),
    wAllMs: median(pick(s.wAll, 'ms')),
    wAllRatio: median(result.variantRatios.wAll),
    mAllMs: result.mAll?.medianMs ?? NaN,
    mAllMinMs: result.mAll?.minMs ?? NaN,
    floorAllRatio: median(result.floorAllRatios),
    seriesA: result.seriesA,
    seriesAll: result.seriesAll,
    aAllBytes: result.aAllBytes,
    rScriptCpuMs: median(pick(s.rScript, 'cpuMs')),
    rLuaCpuMs: median(pick(s.rLua, 'cpuMs')),
    rMultiCpuMs: median(pick(s.rMulti, 'cpuMs')),
    rMultiTailsCpuMs: median(pick(s.rMultiTails ?? [], 'cpuMs')),
    rLuaScriptCpuMs: median(pick(s.rLuaScript ?? [], 'cpuMs')),
    luaToRCounts: median(result.rRatios.luaToRCounts),
    multiToRCounts: median(result.rRatios.multiToRCounts),
    multiTailsToRCounts: median(result.rRatios.multiTailsToRCounts ?? []),
    countsToRLuaScript: median(result.rRatios.countsToRLuaScript ?? []),
    rAllCpuMs: median(pick(s.rAll, 'cpuMs')),
    rLuaAllCpuMs: median(pick(s.rLuaAll, 'cpuMs')),
    rMultiAllCpuMs: median(pick(s.rMultiAll, 'cpuMs')),
    rAtomicAllCpuMs: median((s.rAll ?? []).map((x, i) => atomicAll(s, i))),
    floorAtomicARatio: median(result.floorAtomicARatios ?? []),
    floorAtomicAllRatio: median(result.floorAtomicAllRatios ?? []),
    rAllToBCpu: median(result.rAllToBCpu ?? []),
    atomicAllToBCpu: median(result.atomicAllToBCpu ?? []),
    // Per-round ranges of the floors, for the report's table of floors.
    floorSpreads: Object.fromEntries(['floorARatios', 'floorAtomicARatios', 'floorAllRatios', 'floorAtomicAllRatios', 'rAllToBCpu', 'atomicAllToBCpu']
      .map((key) => [key, { min: min(result[key] ?? []), max: max(result[key] ?? []) }])),
    rScriptCommands: median(pick(s.rScript, 'commands')),
    rAllCommands: median(pick(s.rAll, 'commands')),
    aCCpuMs: median(pick(s.counts, 'cpuMs')),
    aAllCpuMs: median(pick(s.all, 'cpuMs')),
    aCCommands: median(pick(s.counts, 'commands')),
    aAllCommands: median(pick(s.all, 'commands')),
    cpuRatioA: median(result.cpuRatios.a),
    cpuRatioAll: median(result.cpuRatios.all),
    countsToRCounts: median(result.rRatios.countsToRCounts),
    countsToRScript: median(result.rRatios.countsToRScript),
    aToRAll: median(result.rRatios.aToRAll),
    countsScriptMeanUsec: perCall([...(s.a ?? []), ...(s.counts ?? []), ...(s.all ?? [])], 'evalRo'),
    clientListMeanUsec: perCall([...(s.a ?? []), ...(s.all ?? [])], 'clientList'),
    retakes: result.retakes,
    overlaps: result.overlaps,
  };
}

function summarizeDurations(reads) {
  if (!reads?.length) return undefined;
  const gaps = reads.slice(1).map((r, i) => (r.at - reads[i].at) / 1000);
  return {
    reads: reads.length,
    calls: median(reads.map((r) => r.calls)),
    cpuMs: median(reads.map((r) => r.cpuMs)),
    cpuMaxMs: max(reads.map((r) => r.cpuMs)),
    scriptMs: median(reads.map((r) => r.scriptMs)),
    meanCallUsec: (1000 * sum(reads.map((r) => r.scriptMs))) / sum(reads.map((r) => r.calls)),
    commandsInclScripts: median(reads.map((r) => r.commandsInclScripts)),
    intervalSec: gaps.length ? median(gaps) : NaN,
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

// What the atomic floors say of the target Redis CPU <= 1.2 x R_counts for the counts alone. Within
// 0.05 of 1.2, a median says nothing either way: rounds of one run spread wider than that.
function atomicVerdict(r) {
  const lua = r.luaToRCounts > 1.2;
  if (!lua) return '';
  if (r.multiTailsToRCounts > 1.25) return '; so no atomic read of right counts can meet 1.2 here: not by a Lua script, whose R_counts reads alone cost more, nor by a transaction, whose reads of right counts cost more';
  if (r.multiTailsToRCounts >= 1.15) return '; so no Lua script can meet 1.2 here, and a transaction that reads right counts and nothing else sits at 1.2 itself: it would meet or miss it by the noise of the run, with no room for any other read (schedulers, rate limit)';
  return '; so no read of the counts by a Lua script can meet 1.2 here: only a transaction (MULTI/EXEC, on a connection of its own) could';
}

function fmtRatio(r) {
  if (!Number.isFinite(r)) return 'n/a';
  return r >= 0.1 ? r.toFixed(2) : r.toPrecision(2);
}

function fmtPercent(r) {
  return Number.isFinite(r) ? `${(100 * r).toFixed(r < 0.01 ? 2 : 1)}%` : 'n/a';
}

const ONE_MS = 1000; // µs

// The control calls of the load phase, for the lines on the longest durations call.
function controlDetail(load) {
  const c = load?.control;
  if (!c?.noop || !c?.page) return '';
  const calls = (x) => `${fmtInt(x.sent)} sent, ${fmtInt(x.calls)} logged at >= ${load.slowlogUsec} µs${x.calls ? `, longest ${fmtUsec(x.maxUsec)}, ${fmtInt(x.overOneMs)} over 1 ms` : ''}`;
  return `; beside them, two control scripts (EVAL, each every ${CONTROL_INTERVAL_MS} ms): one that does nothing, ${calls(c.noop)}; the least Lua that reads a page of ${load.jobsPerCall ?? JOBS_PER_CALL} finished jobs from a random rank of the last 15 s, ${calls(c.page)}`;
}
// A scrape in which Redis' main thread waited longer than this for a CPU is timed again (SLOWLOG phase).
const PREEMPTED_USEC = 500;

function targets(rows, load, opts) {
  const row = (n, history) => rows.find((r) => r.n === n && r.history === history);
  const list = [];
  // value(r) gives the measured figure; the line says PASS when it is at most the limit.
  const add = (label, r, limit, value, detail = () => '') => {
    const v = r === undefined ? NaN : value(r);
    const verdict = r === undefined ? 'NOT RUN' : !Number.isFinite(v) ? 'NOT MEASURED' : v <= limit ? 'PASS' : 'MISS';
    list.push(r === undefined ? `- ${verdict}: ${label}` : `- ${verdict}: ${label} (${detail(r)})`);
  };
  // atomicFloor, where given, is the same floor for an atomic read (R_atomic_all in place of R_all).
  const abDetail = (ratio, wRatio, floorRatio, limit, names = ['A/B', 'W/B', '(R+M)/B'], atomicFloor) => (r) => {
    const atomic = atomicFloor && Number.isFinite(atomicFloor(r))
      ? `; for an atomic read of the same, ${names[3]} = ${fmtRatio(atomicFloor(r))} (R_atomic_all = ${fmtMs(r.rAtomicAllCpuMs)} ms, the cheaper in each round of the least Lua, R_lua_all = ${fmtMs(r.rLuaAllCpuMs)} ms, and the least transaction, R_multi_all = ${fmtMs(r.rMultiAllCpuMs)} ms)`
      : '';
    const reach = floorRatio(r) > limit
      ? `; out of reach here: the floor is above ${limit}, so no exporter that reads these keys and renders through Micrometer can meet it on this machine`
      : atomic && atomicFloor(r) > limit
        ? `; out of reach here for an atomic read: that floor is above ${limit}, so no exporter that reads these keys atomically and renders through Micrometer can meet it on this machine`
        : '';
    return `${names[0]} = ${fmtRatio(ratio(r))}; ${names[1]} = ${fmtRatio(wRatio(r))}; floor ${names[2]} = ${fmtRatio(floorRatio(r))}${atomic}${reach}`;
  };
  const scraped = (n, history) => {
    const r = row(n, history);
    return r && Number.isFinite(r.aMs) ? r : undefined;
  };
  add('A/B <= 0.25 at N=1000, no history', scraped(1000, 'none'), 0.25, (r) => r.ratio, abDetail((r) => r.ratio, (r) => r.wRatio, (r) => r.floorRatio, 0.25));
  add('A/B <= 0.01 at N=1000, a week of history', scraped(1000, 'week'), 0.01, (r) => r.ratio, abDetail((r) => r.ratio, (r) => r.wRatio, (r) => r.floorRatio, 0.01));
  add('A/B <= 0.01 at N=10000, a week of history', scraped(10000, 'week'), 0.01, (r) => r.ratio, abDetail((r) => r.ratio, (r) => r.wRatio, (r) => r.floorRatio, 0.01));
  add('A < 1000 ms at N=10000, no history', scraped(10000, 'none'), 1000, (r) => r.aMs, (r) => `A = ${fmtMs(r.aMs)} ms`);
  add('A < 1000 ms at N=10000, a week of history', scraped(10000, 'week'), 1000, (r) => r.aMs, (r) => `A = ${fmtMs(r.aMs)} ms`);

  const n = opts.targetSize;
  const t = scraped(n, 'none');
  // 1. Durations off
  add(`A/B <= 0.6 at N=${n}, no history, durations off (A)`, t, 0.6, (r) => r.ratio, (r) => `${abDetail((r) => r.ratio, (r) => r.wRatio, (r) => r.floorARatio, 0.6, ['A/B', 'W/B', '(R_all+M)/B, R_all being the bare reads of what A reads (latency and workers too),', '(R_atomic_all+M)/B'], (r) => r.floorAtomicARatio)(r)}; for the counts alone, (R_counts+M)/B = ${fmtRatio(r.floorRatio)}`);
  add(`Redis CPU per refresh <= 1.2 x R_counts at N=${n}, no history, counts alone`, t, 1.2, (r) => r.countsToRCounts,
    (r) => `A_c/R_counts = ${fmtRatio(r.countsToRCounts)}, A_c = ${fmtMs(r.aCCpuMs)} ms, R_counts = ${fmtMs(r.rCpuMs)} ms. A_c has durations, workers and latency off; what it still reads besides the counts is schedulers, rate limit and global concurrency (ZCARD repeat and PTTL limiter, 2 cheap calls per queue): against the bare reads of exactly what A_c reads, A_c/R_script = ${fmtRatio(r.countsToRScript)} (R_script = ${fmtMs(r.rScriptCpuMs)} ms). The price of atomicity alone, for R_counts' own reads in batches of ${QUEUES_PER_CALL} queues: in one Lua script per batch R_lua/R_counts = ${fmtRatio(r.luaToRCounts)} (R_lua = ${fmtMs(r.rLuaCpuMs)} ms), a floor under any script-based read; in MULTI/EXEC R_multi/R_counts = ${fmtRatio(r.multiToRCounts)} (R_multi = ${fmtMs(r.rMultiCpuMs)} ms), but a transaction cannot read a tail only where a list has one, and right counts need the tails of wait and paused (a legacy marker there is no job): with them R_multi_tails/R_counts = ${fmtRatio(r.multiTailsToRCounts)} (R_multi_tails = ${fmtMs(r.rMultiTailsCpuMs)} ms)${atomicVerdict(r)}`);
  add(`Redis CPU per refresh <= 1.2 x R for the same reads at N=${n}, no history, durations, workers and latency off (A_c/R_script)`, t, 1.2, (r) => r.countsToRScript,
    (r) => `A_c/R_script = ${fmtRatio(r.countsToRScript)}; with workers on, A/R_all = ${fmtRatio(r.aToRAll)} (A = ${fmtMs(r.aCpuMs)} ms, R_all = ${fmtMs(r.rAllCpuMs)} ms). Against the least Lua that makes A_c's reads (R_lua_script = ${fmtMs(r.rLuaScriptCpuMs)} ms: the same commands, batches of ${QUEUES_PER_CALL}, no error handling, flat rows), A_c/R_lua_script = ${fmtRatio(r.countsToRLuaScript)}, what the exporter's script and client add to the least Lua, while R_lua_script/R_script = ${fmtRatio(r.rLuaScriptCpuMs / r.rScriptCpuMs)} is the price of making those reads inside Lua at all`);
  // 2. Every default meter on
  add(`A_all/B <= 1.0 at N=${n}, no history, every default meter on`, t, 1.0, (r) => r.ratioAll,
    abDetail((r) => r.ratioAll, (r) => r.wAllRatio, (r) => r.floorAllRatio, 1.0, ['A_all/B', 'W_all/B', '(R_all+M_all)/B', '(R_atomic_all+M_all)/B'], (r) => r.floorAtomicAllRatio));
  add(`A_all's Redis CPU per refresh <= 0.5 x B's at N=${n}, no history, every default meter on`, t, 0.5, (r) => r.cpuRatioAll, (r) => {
    const d = r.durations;
    const durations = d
      ? `; plus, in the background, one read of job durations per ${Number.isFinite(d.intervalSec) ? `${d.intervalSec.toFixed(0)} s` : 'interval'}: ${fmtMs(d.cpuMs)} ms of Redis CPU (${fmtInt(d.calls)} EVAL_RO calls, no finished job to read); with one scrape per read, (A_all + durations)/B = ${fmtRatio((r.aAllCpuMs + d.cpuMs) / r.bCpuMs)}`
      : '; the durations phase did not run';
    const floors = Number.isFinite(r.atomicAllToBCpu)
      ? `; floors: R_all/B = ${fmtRatio(r.rAllToBCpu)} for the bare reads of what A_all reads at a scrape, not atomic, and R_atomic_all/B = ${fmtRatio(r.atomicAllToBCpu)} for the least atomic read of the same${r.atomicAllToBCpu > 0.5 ? ', so no exporter that reads these numbers atomically can meet 0.5 on this machine' : ''}`
      : '';
    return `A_all/B = ${fmtRatio(r.cpuRatioAll)}: ${fmtMs(r.aAllCpuMs)} ms against ${fmtMs(r.bCpuMs)} ms${durations}${floors}`;
  });
  // 3. Longest exporter call inside Redis
  const sl = row(n, 'none')?.slowlog ? row(n, 'none') : undefined;
  add(`longest counts script call (EVAL_RO) inside Redis <= 1 ms at N=${n}`, sl, ONE_MS, (r) => r.slowlog.counts.maxUsec, (r) => {
    const c = r.slowlog.counts;
    const meeting = r.slowlog.batches.filter((b) => b.maxUsec <= ONE_MS).map((b) => b.size);
    const batch = c.maxUsec > ONE_MS
      ? `; measured directly, the largest batch whose longest call is <= 1 ms: ${meeting.length ? `${max(meeting)} queues per call (LettuceBullMqReader.QUEUES_PER_CALL)` : `none of ${r.slowlog.batches.map((b) => b.size).join(', ')}`}`
      : '';
    const mean = Number.isFinite(r.countsScriptMeanUsec) ? `${fmtUsec(r.countsScriptMeanUsec)} (INFO commandstats, timed windows)` : `${fmtUsec(c.meanUsec)} (SLOWLOG)`;
    return `longest ${fmtUsec(c.maxUsec)} of ${c.calls} calls with ${fmtInt(c.queuesPerCall)} queues, ${fmtInt(c.overOneMs)} over 1 ms; mean ${mean}${batch}; ${r.slowlog.pinning}, and Redis' main thread waited ${fmtMs(r.slowlog.redisWaitedMs)} ms for a CPU during the phase${Number.isFinite(r.slowlog.stolenMs) ? `, and the host took ${fmtMs(r.slowlog.stolenMs)} ms of that CPU (steal, /proc/stat, 10 ms resolution)` : ''}: ${fmtInt(r.slowlog.retaken)} scrapes taken again because Redis waited more than ${fmtUsec(PREEMPTED_USEC)} for a CPU during them${Number.isFinite(r.slowlog.stolenMs) ? ` or the host took its CPU (${fmtInt(r.slowlog.retakenForSteal)} for that alone)` : ''}, at most ${fmtUsec(r.slowlog.keptWaitUsec)} of waiting${Number.isFinite(r.slowlog.keptStealMs) ? ` and ${fmtMs(r.slowlog.keptStealMs)} ms of steal` : ''} in one kept`;
  });
  add(`longest CLIENT LIST inside Redis <= 1 ms at N=${n}`, sl, ONE_MS, (r) => r.slowlog.clientList.maxUsec,
    (r) => `longest ${fmtUsec(r.slowlog.clientList.maxUsec)} of ${r.slowlog.clientList.calls}; mean ${Number.isFinite(r.clientListMeanUsec) ? `${fmtUsec(r.clientListMeanUsec)} (INFO commandstats)` : `${fmtUsec(r.slowlog.clientList.meanUsec)} (SLOWLOG)`}; a CLIENT LIST costs more with more connections, and this Redis has only the benchmark's`);
  const longestDurations = (r) => max([r.slowlog.durations.maxUsec, load?.longestDurations.maxUsec].filter(Number.isFinite));
  add(`longest durations script call (EVAL_RO) inside Redis <= 1 ms`, sl ?? (load ? {} : undefined), ONE_MS,
    (r) => (r.slowlog ? longestDurations(r) : load.longestDurations.maxUsec),
    (r) => {
      const idle = r.slowlog ? `idle at N=${n}: longest ${fmtUsec(r.slowlog.durations.maxUsec)} of ${r.slowlog.durations.calls}, ${fmtInt(r.slowlog.durations.overOneMs)} over 1 ms, mean ${fmtUsec(r.durations?.meanCallUsec)}` : 'idle: not run';
      // A read goes in pages: each call reads at most LettuceFinishedJobsReader.JOBS_PER_CALL
      // jobs, several queues or further pages of one queue taking further calls.
      const fits = load ? Math.floor(ONE_MS / load.usecPerJob) : NaN;
      const busy = load
        ? `under load (${load.pinning ?? 'not pinned'}; Redis waited ${fmtMs(load.redisWaitedMs)} ms for a CPU${Number.isFinite(load.stolenMs) ? `, and the host took ${fmtMs(load.stolenMs)} ms of that CPU (steal, /proc/stat, 10 ms resolution)` : ''}): longest ${fmtUsec(load.longestDurations.maxUsec)} of ${load.longestDurations.calls} calls logged at >= ${load.slowlogUsec} µs, ${fmtInt(load.longestDurations.overOneMs)} over 1 ms, mean ${fmtUsec((1000 * load.durationsMs) / load.durationsCalls)} over ${load.durationsCalls} calls; about ${fmtUsec(load.usecPerJob)} per job read, so 1 ms holds about ${fmtInt(fits)} jobs per call, against the page of ${load.jobsPerCall ?? JOBS_PER_CALL} jobs a call (LettuceFinishedJobsReader.JOBS_PER_CALL) that a read is split into${controlDetail(load)}`
        : 'under load: not run';
      return `${idle}; ${busy}`;
    });
  // 4. Durations under load
  if (!load) {
    list.push('- NOT RUN: durations under load: their Redis CPU <= 5% of the workload\'s');
  } else {
    const problems = [
      load.jobsPerSecond < 200 ? `it finished ${load.jobsPerSecond.toFixed(1)} jobs/s, not at least 200` : '',
      load.seconds < 60 ? `it ran for ${load.seconds} s, not a minute` : '',
      load.drained ? '' : 'not every job it added finished',
    ].filter(Boolean);
    const verdict = problems.length ? 'INVALID' : load.durationsShare <= 0.05 ? 'PASS' : 'MISS';
    const why = problems.length ? ` (not the target's workload: ${problems.join('; ')})` : '';
    list.push(`- ${verdict}: durations under load: their Redis CPU <= 5% of the workload's${why} (${fmtPercent(load.durationsShare)}: ${fmtMs(load.durationsMs)} ms inside the exporter's ${fmtInt(load.durationsCalls)} EVAL_RO calls, about ${fmtUsec((1000 * load.durationsMs) / load.durationsCalls)} per call, against ${fmtMs(load.workloadCpuMs)} ms of Redis CPU for ${fmtInt(load.completed + load.failed)} jobs in ${load.windowSeconds.toFixed(1)} s, ${load.jobsPerSecond.toFixed(1)} jobs/s)`);
    const finished = load.completed + load.failed;
    list.push(`- ${load.observed === finished ? 'ALL' : 'SOME'}: jobs whose durations the exporter observed, against the jobs finished, no target (${fmtInt(load.observed)} of ${fmtInt(finished)} = ${fmtRatio(load.observed / finished)}; ${fmtInt(load.missed)} counted as missed; BullMQ's metrics counts say ${fmtInt(load.metricsCount)})`);
  }
  return list;
}

function report(env, rows, load, timings, opts) {
  const scrapes = rows.filter((r) => Number.isFinite(r.aMs));
  const lines = [];
  lines.push(`# bullmq-metrics benchmark, ${env.date}`);
  lines.push('');
  lines.push(`- Machine: ${env.nproc} CPUs (nproc), ${env.cpuModel}, ${env.memGiB} GiB RAM, ${env.os}`);
  lines.push(`- Redis ${env.redisVersion} (own redis-server, ${HOST}, --save "" --appendonly no), Node ${env.node}, ${env.java}`);
  lines.push(`- Phases: ${opts.phases.join(', ')}; variants: A${opts.variants.map((v) => `, ${v === 'counts' ? 'A_c' : 'A_all'}`).join('')}`);
  lines.push(`- A: one GET of /actuator/prometheus from ${env.jar} (${env.jarInfo}; cache-ttl 0s, timeout 30s, JVM ${env.jvmOpts}), with job durations off (bullmq.metrics.durations.enabled=false) and every other default meter on (latency, workers and the rest)`);
  lines.push(`- A_c: the same with workers and latency off too (bullmq.metrics.workers.enabled=false, bullmq.metrics.latency.enabled=false): the closest to counts alone; what it reads besides the counts is schedulers, rate limit and global concurrency, 2 cheap calls per queue (ZCARD repeat, PTTL limiter), which have no switch`);
  lines.push(`- A_all: the same GET with every default meter on, job durations included (read in the background every 15 s, never by a scrape; JVM ${env.jvmOptsAll})`);
  lines.push(`- W: the same GET as A from an instance with cache-ttl 1h, so it renders its cached snapshot and sends Redis nothing: HTTP and rendering only, the floor under A; W_all: the same for A_all (durations read once, at start)`);
  lines.push(`- R_counts: Redis CPU of the bare reads of the counts, one plain command per number (LLEN, ZCARD, HGET), pipelined, no script: about the least Redis can do for these numbers (R in earlier runs; R_multi below costs as much, within a run's noise). R_script: the bare reads of every number the counts script reads for A_c, latency off (R_counts' reads plus the tails of non-empty lists, HMGET meta, ZCARD repeat, PTTL limiter), two pipelined round trips. R_all: what it reads for A, latency on (also TIME, ZRANGE ... 0 0, the next jobs' hashes, ZCOUNT when due), plus one CLIENT LIST, three round trips. R_lua: R_counts' reads, made atomic by one Lua script per batch of ${QUEUES_PER_CALL} queues (the exporter's batch, EVALSHA_RO, nothing else in the script): a floor under any script-based read of the counts. R_multi: the same reads between MULTI and EXEC, one transaction per batch of ${QUEUES_PER_CALL} (atomic too, but on a connection of its own, and the ACL user needs +multi +exec). R_multi_tails: R_multi plus LINDEX wait -1 and LINDEX paused -1 for every queue, the least a transaction must read for right counts, since it cannot see a length before it asks for a tail. R_lua_script: R_script's reads in the least Lua that makes them, one script per batch of ${QUEUES_PER_CALL} (atomic-floors.mjs)`);
  lines.push(`- M: Micrometer's own PrometheusMeterRegistry.scrape() of the same bullmq series as A, constant values, nothing else registered, no HTTP (MicrometerFloor.java, the jar's own Micrometer): a floor under any exporter that renders through Micrometer; M_all: the same for A_all's series, with the duration timers as Timers`);
  lines.push(`- B: BullMQ ${BULLMQ_VERSION} Queue.exportPrometheusMetrics() for all N queues, Promise.all, one shared ioredis ${env.ioredis} connection`);
  lines.push(`- Each queue: real BullMQ jobs, ${Object.entries(EXPECTED_COUNTS).map(([s, c]) => `${c} ${s}`).join(', ')}; history "week" adds ${WEEK.toLocaleString('en-US')} points to each of metrics:completed:data and metrics:failed:data`);
  lines.push(`- Repository: ${env.git}`);
  lines.push('');
  if (scrapes.length) {
    lines.push('| N | history | A median ms | B median ms | A/B (median of pairs) | W median ms | W/B | floor (R+M)/B | Redis commands per refresh A / B | Redis CPU ms per refresh A / B |');
    lines.push('|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const r of scrapes) {
      lines.push(`| ${fmtInt(r.n)} | ${r.history} | ${fmtMs(r.aMs)} | ${fmtMs(r.bMs)} | ${fmtRatio(r.ratio)} | ${fmtMs(r.wMs)} | ${fmtRatio(r.wRatio)} | ${fmtRatio(r.floorRatio)} | ${fmtInt(r.aCommands)} / ${fmtInt(r.bCommands)} | ${fmtMs(r.aCpuMs)} / ${fmtMs(r.bCpuMs)} |`);
    }
    lines.push('');
  }
  lines.push('Targets (reported, never enforced):');
  lines.push('');
  lines.push(...targets(rows, load, opts));
  lines.push('');
  if (scrapes.length) {
    lines.push('The variants of A, against B in the same rounds (medians; ratios are medians of the per-round ratios):');
    lines.push('');
    lines.push('| N | history | A_c ms | A ms | A_all ms | B ms | A_c/B | A/B | A_all/B | W_all ms | W_all/B | M_all median (min) ms | floor (R_all+M_all)/B | bullmq series A / A_all |');
    lines.push('|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const r of scrapes) {
      lines.push(`| ${fmtInt(r.n)} | ${r.history} | ${fmtMs(r.aCMs)} | ${fmtMs(r.aMs)} | ${fmtMs(r.aAllMs)} | ${fmtMs(r.bMs)} | ${fmtRatio(r.ratioC)} | ${fmtRatio(r.ratio)} | ${fmtRatio(r.ratioAll)} | ${fmtMs(r.wAllMs)} | ${fmtRatio(r.wAllRatio)} | ${fmtMs(r.mAllMs)} (${fmtMs(r.mAllMinMs)}) | ${fmtRatio(r.floorAllRatio)} | ${fmtInt(r.seriesA)} / ${fmtInt(r.seriesAll)} |`);
    }
    lines.push('');
    if (scrapes.some((r) => Number.isFinite(r.rAtomicAllCpuMs))) {
      lines.push('The floors under A and A_all: median, and in brackets the lowest and highest of the rounds (each round\'s floor against that round\'s B). R_atomic_all is the cheaper, in each round, of R_lua_all (the least Lua that reads what A reads) and R_multi_all (the least transaction that does):');
      lines.push('');
      lines.push('| N | history | R_all CPU ms | R_lua_all CPU ms | R_multi_all CPU ms | R_atomic_all CPU ms | M ms | M_all ms | (R_all+M)/B | (R_atomic_all+M)/B | (R_all+M_all)/B | (R_atomic_all+M_all)/B | Redis CPU R_all/B | Redis CPU R_atomic_all/B |');
      lines.push('|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
      const spread = (r, value, key) => `${fmtRatio(value)} (${fmtRatio(r.floorSpreads?.[key]?.min)}–${fmtRatio(r.floorSpreads?.[key]?.max)})`;
      for (const r of scrapes) {
        lines.push(`| ${fmtInt(r.n)} | ${r.history} | ${fmtMs(r.rAllCpuMs)} | ${fmtMs(r.rLuaAllCpuMs)} | ${fmtMs(r.rMultiAllCpuMs)} | ${fmtMs(r.rAtomicAllCpuMs)} | ${fmtMs(r.mMs)} | ${fmtMs(r.mAllMs)} | ${spread(r, r.floorARatio, 'floorARatios')} | ${spread(r, r.floorAtomicARatio, 'floorAtomicARatios')} | ${spread(r, r.floorAllRatio, 'floorAllRatios')} | ${spread(r, r.floorAtomicAllRatio, 'floorAtomicAllRatios')} | ${spread(r, r.rAllToBCpu, 'rAllToBCpu')} | ${spread(r, r.atomicAllToBCpu, 'atomicAllToBCpu')} |`);
      }
      lines.push('');
    }
    lines.push('Redis per refresh, and the bare-read floors (medians, CPU in ms; commands as `total_commands_processed`):');
    lines.push('');
    lines.push('| N | history | R_counts CPU, commands | R_lua CPU, R_lua/R_counts | R_multi CPU, R_multi/R_counts | R_multi_tails CPU, R_multi_tails/R_counts | R_lua_script CPU, A_c/R_lua_script | R_script CPU, commands | R_all CPU, commands | A_c CPU, commands | A CPU, commands | A_all CPU, commands | B CPU, commands | A_c/R_counts | A_c/R_script | A/R_all | A/B CPU | A_all/B CPU | durations read (background): EVAL_RO calls, Redis CPU ms, script ms, interval s |');
    lines.push('|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    const cell = (cpu, commands) => (Number.isFinite(cpu) ? `${fmtMs(cpu)}, ${fmtInt(commands)}` : 'n/a');
    for (const r of scrapes) {
      const d = r.durations;
      const durations = d ? `${fmtInt(d.calls)}, ${fmtMs(d.cpuMs)}, ${fmtMs(d.scriptMs)}, ${Number.isFinite(d.intervalSec) ? d.intervalSec.toFixed(1) : 'n/a'}` : 'not run';
      lines.push(`| ${fmtInt(r.n)} | ${r.history} | ${cell(r.rCpuMs, r.rCommands)} | ${fmtMs(r.rLuaCpuMs)}, ${fmtRatio(r.luaToRCounts)} | ${fmtMs(r.rMultiCpuMs)}, ${fmtRatio(r.multiToRCounts)} | ${fmtMs(r.rMultiTailsCpuMs)}, ${fmtRatio(r.multiTailsToRCounts)} | ${fmtMs(r.rLuaScriptCpuMs)}, ${fmtRatio(r.countsToRLuaScript)} | ${cell(r.rScriptCpuMs, r.rScriptCommands)} | ${cell(r.rAllCpuMs, r.rAllCommands)} | ${cell(r.aCCpuMs, r.aCCommands)} | ${cell(r.aCpuMs, r.aCommands)} | ${cell(r.aAllCpuMs, r.aAllCommands)} | ${cell(r.bCpuMs, r.bCommands)} | ${fmtRatio(r.countsToRCounts)} | ${fmtRatio(r.countsToRScript)} | ${fmtRatio(r.aToRAll)} | ${fmtRatio(r.cpuRatioA)} | ${fmtRatio(r.cpuRatioAll)} | ${durations} |`);
    }
    lines.push('');
  }
  const slow = rows.filter((r) => r.slowlog);
  if (slow.length) {
    lines.push('The longest single exporter calls inside Redis (SLOWLOG at 0 µs, every call logged; means from INFO commandstats over the timed windows):');
    lines.push('');
    lines.push('| N | history | counts script: calls, queues per call, longest, median, mean | CLIENT LIST: calls, longest, mean | durations script (idle): calls, longest, mean | counts script sent directly, per batch size: longest (median) |');
    lines.push('|---:|---|---:|---:|---:|---|');
    for (const r of slow) {
      const { counts, clientList, durations, batches } = r.slowlog;
      const orSlowlog = (v, fallback) => (Number.isFinite(v) ? v : fallback);
      lines.push(`| ${fmtInt(r.n)} | ${r.history} | ${fmtInt(counts.calls)}, ${fmtInt(counts.queuesPerCall)}, ${fmtUsec(counts.maxUsec)}, ${fmtUsec(counts.medianUsec)}, ${fmtUsec(orSlowlog(r.countsScriptMeanUsec, counts.meanUsec))} | ${fmtInt(clientList.calls)}, ${fmtUsec(clientList.maxUsec)}, ${fmtUsec(orSlowlog(r.clientListMeanUsec, clientList.meanUsec))} | ${fmtInt(durations.calls)}, ${fmtUsec(durations.maxUsec)}, ${fmtUsec(orSlowlog(r.durations?.meanCallUsec, durations.meanUsec))} | ${batches.map((b) => `${b.size}: ${fmtUsec(b.maxUsec)} (${fmtUsec(b.medianUsec)})`).join('; ') || 'n/a'} |`);
    }
    lines.push('');
  }
  if (load) {
    const finished = load.completed + load.failed;
    lines.push('Durations under load (one exporter with every default meter on, not scraped during the load):');
    lines.push('');
    lines.push(`- Workload: ${load.workers} BullMQ ${BULLMQ_VERSION} Workers in a separate Node process (${load.workers / load.queues} per queue, concurrency ${load.concurrency}, ${load.jobMs} ms per job, ${fmtPercent(load.fail)} failing) on ${load.queues} queues; ${fmtInt(load.added)} jobs added at ${load.rate}/s for ${load.seconds} s; ${fmtInt(load.completed)} completed and ${fmtInt(load.failed)} failed in ${load.windowSeconds.toFixed(1)} s: ${load.jobsPerSecond.toFixed(0)} jobs/s. The exporter saw ${fmtInt(load.workersSeen)} workers on these queues before the load`);
    lines.push(`- Workload's Redis CPU: ${fmtMs(load.workloadCpuMs)} ms (used_cpu from the first job added to the last finished, less the exporter's EVAL_RO time and the INFO probes); ${fmtInt(load.workloadCommands)} commands`);
    lines.push(`- Durations reads: ${fmtInt(load.durationsCalls)} EVAL_RO calls (reads of ${load.queues} queues, in pages of at most ${load.jobsPerCall ?? JOBS_PER_CALL} jobs a call), ${fmtMs(load.durationsMs)} ms inside Redis, ${fmtUsec(load.usecPerJob)} per job read (INFO commandstats usec, which includes every call the script makes), up to the first read that started more than 2 s after the last job finished: ${fmtPercent(load.durationsShare)} of the workload's Redis CPU. Not included: reading each call's request and writing its reply, a few µs per call`);
    lines.push(`- Longest durations call: ${fmtUsec(load.longestDurations.maxUsec)} (SLOWLOG at ${load.slowlogUsec} µs: ${load.longestDurations.calls} calls at or above it, ${fmtInt(load.longestDurations.overOneMs)} over 1 ms)${controlDetail(load)}`);
    const shared = load.sharedRedisCpu?.length
      ? `; other tasks last seen on Redis' CPU, with their CPU time during the load: ${load.sharedRedisCpu.slice(0, 8).map(([name, ms]) => `${name} ${fmtMs(ms)} ms`).join(', ')}`
      : '';
    lines.push(`- Pinning during the load: ${load.pinning ?? 'not pinned'}${shared}`);
    lines.push(`- The machine during the load: other processes used ${Number.isFinite(load.others) ? load.others.toFixed(2) : 'n/a'} CPUs, and Redis' main thread waited ${fmtMs(load.redisWaitedMs)} ms for a CPU (/proc schedstat)${Number.isFinite(load.stolenMs) ? `, and the host took ${fmtMs(load.stolenMs)} ms of that CPU (steal, /proc/stat, 10 ms resolution)` : ''}. SLOWLOG and INFO commandstats count such waits inside the command that was running, so on a busy machine the durations' share and longest call come out too high; rerun with --wait-idle`);
    lines.push(`- Jobs observed (bullmq_job_durations_observed_total): ${fmtInt(load.observed)} of ${fmtInt(finished)} finished (${fmtRatio(load.observed / finished)}); missed (bullmq_job_durations_missed_total): ${fmtInt(load.missed)}; BullMQ's own metrics counts: ${fmtInt(load.metricsCount)}`);
    lines.push('');
  }
  if (scrapes.length) {
    lines.push('Details (medians unless a range is given):');
    lines.push('');
    lines.push('| N | history | pairs | A min–max ms | B min–max ms | A: exporter read of Redis ms | A: rest (HTTP, render) ms | script calls sent A / B | script time in Redis ms A / B | R: commands, Redis CPU ms | M median (min) ms | body KB A / A_all / B | windows taken again / kept with a durations read | CPUs used by other processes |');
    lines.push('|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const r of scrapes) {
      lines.push(`| ${fmtInt(r.n)} | ${r.history} | ${r.rounds} | ${fmtMs(r.aMin)}–${fmtMs(r.aMax)} | ${fmtMs(r.bMin)}–${fmtMs(r.bMax)} | ${fmtMs(r.aRefreshMs)} | ${fmtMs(r.aMs - r.aRefreshMs)} | ${fmtInt(r.aScripts)} / ${fmtInt(r.bScripts)} | ${fmtMs(r.aScriptMs)} / ${fmtMs(r.bScriptMs)} | ${fmtInt(r.rCommands)}, ${fmtMs(r.rCpuMs)} | ${fmtMs(r.mMs)} (${fmtMs(r.mMinMs)}) | ${fmtInt(r.aBytes / 1024)} / ${fmtInt(r.aAllBytes / 1024)} / ${fmtInt(r.bBytes / 1024)} | ${r.retakes} / ${r.overlaps} | ${Number.isFinite(r.others) ? r.others.toFixed(2) : 'n/a'} |`);
    }
    lines.push('');
  }
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
    jvmOptsAll: opts.jvmOptsAll.join(' ') || '(defaults)',
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
  const has = (name) => opts.phases.includes(name);
  const perSize = has('scrape') || has('durations') || has('slowlog');
  for (const n of perSize ? opts.sizes : []) {
    const names = queueNames(n);
    log(`N=${n}: seeding ${n} queues with real BullMQ ${BULLMQ_VERSION} jobs`);
    await probe.flushall();
    await phase(`N=${n}: seed ${n} queues`, () => seed(redis.port, names, opts.seedConcurrency));
    // The cached exporters (W, W_all) serve the scrape phase only.
    const keys = ['a', ...opts.variants, ...(has('scrape') ? ['w', ...(opts.variants.includes('all') ? ['wAll'] : [])] : [])];
    const exporters = {};
    let connection;
    let queues = [];
    try {
      for (const key of keys) {
        const spec = EXPORTERS[key];
        const jvmOpts = spec.everyMeter ? opts.jvmOptsAll : opts.jvmOpts;
        exporters[key] = await phase(`N=${n}: start ${spec.label}`, () => startExporter(opts, redis.port, names, workDir, spec.cacheTtl, { tag: key, extraArgs: spec.args, jvmOpts }));
        log(`  ${spec.label} (cache-ttl ${spec.cacheTtl}${spec.args.length ? `, ${spec.args.join(' ')}` : ''}) on ${HOST}:${exporters[key].port} (pid ${exporters[key].child.pid}), log ${exporters[key].logFile}`);
      }
      if (has('scrape')) {
        connection = new Redis({ host: HOST, port: redis.port });
        connection.setMaxListeners(0);
        // B's Queue objects: created once, outside the timing, all on ONE ioredis connection.
        queues = names.map((name) => new Queue(name, { connection }));
        await Promise.all(queues.map((queue) => queue.waitUntilReady()));
      }
      const pids = [redis.child.pid, ...Object.values(exporters).map((e) => e.child.pid)];
      for (const history of opts.histories) {
        if (history === 'week') {
          await phase(`N=${n}: write a week of history to ${2 * n} lists`, () => writeWeekOfHistory(redis.port, names));
        }
        let row = { n, history };
        if (has('scrape')) {
          log(`N=${n}, history ${history}: measuring ${roundsFor(opts, n)} rounds`);
          const result = await phase(`N=${n}, history ${history}: warm-up and ${roundsFor(opts, n)} rounds`, () =>
            measure({ opts, n, names, history, exporters, queues, probe, infoOverhead, pids }));
          raw.push(result);
          if (result.idleWaitSec > 0) timings[timings.length - 1] += ` (of which ${result.idleWaitSec.toFixed(0)} s waiting for other processes to go quiet)`;
          row = summarize(result);
          log(`  median A ${fmtMs(row.aMs)} ms, B ${fmtMs(row.bMs)} ms, A/B ${fmtRatio(row.ratio)}, W ${fmtMs(row.wMs)} ms, W/B ${fmtRatio(row.wRatio)}, floor (R+M)/B ${fmtRatio(row.floorRatio)}`);
          if (opts.variants.length) log(`  median A_c/B ${fmtRatio(row.ratioC)}, A_all/B ${fmtRatio(row.ratioAll)}, W_all/B ${fmtRatio(row.wAllRatio)}; Redis CPU A_c/R_counts ${fmtRatio(row.countsToRCounts)}, A_c/R_script ${fmtRatio(row.countsToRScript)}, A/R_all ${fmtRatio(row.aToRAll)}, A_all/B ${fmtRatio(row.cpuRatioAll)}`);
        }
        if (has('durations')) {
          await waitForIdle(opts, pids);
          const reads = await phase(`N=${n}, history ${history}: ${opts.durationsReads} background reads of job durations`, () => durationsReads(probe, opts.durationsReads));
          row.durations = summarizeDurations(reads);
          row.durationsReads = reads;
        }
        if (has('slowlog')) {
          row.slowlog = await phase(`N=${n}, history ${history}: SLOWLOG`, () => slowlogPhase({ opts, names, exporters, probe, redis }));
        }
        rows.push(row);
      }
    } finally {
      await Promise.all(queues.map((queue) => queue.close()));
      connection?.disconnect();
      await Promise.all(Object.values(exporters).map((e) => stopProcess(e.child)));
    }
  }

  let load;
  if (has('load')) {
    // Its own queues, on an emptied Redis: the seeded queues (and gigabytes of history) would only
    // make Redis' own housekeeping differ from one run to the next.
    await probe.flushall();
    load = await phase(`load: ${opts.load.rate} jobs/s for ${opts.load.seconds} s on ${opts.load.queues} queues`, () => loadPhase({ opts, redis, probe }));
  }

  const total = (performance.now() - startedAt) / 1000;
  timings.push(`whole run: ${total.toFixed(1)} s (${(total / 60).toFixed(1)} min)`);
  const markdown = report(env, rows, load, timings, opts);
  process.stdout.write('\n' + markdown);
  fs.mkdirSync(opts.results, { recursive: true });
  const stamp = env.date.replace(/:/g, '').replace(/-/g, '').replace('T', '-').replace('Z', 'Z');
  const dated = path.join(opts.results, `${stamp}.md`);
  fs.writeFileSync(dated, markdown);
  fs.writeFileSync(path.join(opts.results, 'latest.md'), markdown);
  fs.writeFileSync(path.join(opts.results, `${stamp}.json`), JSON.stringify({ env, options: { ...opts, pidFile: undefined }, rows, raw, load, timings }, null, 1) + '\n');
  log(`wrote ${path.relative(process.cwd(), dated)}, results/latest.md and ${stamp}.json`);

  probe.disconnect();
  await stopProcess(redis.child);
  fs.rmSync(workDir, { recursive: true, force: true });
}

main().then(
  () => process.exit(0),
  (err) => {
    // Stopping Redis on a signal fails whatever was talking to it: the signal handler exits.
    if (stoppingOnSignal) return;
    log(`FAILED: ${err && err.stack ? err.stack : err}`);
    if (workDir) log(`logs kept in ${workDir}`);
    process.exit(1);
  },
);
