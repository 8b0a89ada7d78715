#!/usr/bin/env node
// The benchmark's load: a pool of real BullMQ Workers and a producer, in a process of their own, so
// that their Node work is not mixed with the benchmark's. Started by bench.mjs (phase "load"); it talks
// JSON lines: it prints {"event":"ready"} once every Worker is connected, starts adding jobs when it
// reads "start", prints {"event":"finished",...} once every job it added has finished, and closes its
// Workers and exits when it reads "stop" or its stdin closes. Progress goes to stderr.
//
//   node load.mjs '{"port":6379,"queues":["load-1"],"workers":2,"concurrency":20,"rate":250,
//                   "seconds":60,"jobMs":10,"fail":0.05}'
import { performance } from 'node:perf_hooks';
import readline from 'node:readline';

import { MetricsTime, Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';

const config = JSON.parse(process.argv[2]);
const HOST = '127.0.0.1';
const connection = { host: HOST, port: config.port, maxRetriesPerRequest: null };

function send(message) {
  process.stdout.write(JSON.stringify(message) + '\n');
}

function log(message) {
  process.stderr.write(`[load ${new Date().toISOString()}] ${message}\n`);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const tally = { completed: 0, failed: 0, firstFinishedAt: undefined, lastFinishedAt: undefined };
const finishedOne = (outcome) => {
  tally[outcome]++;
  const now = Date.now();
  tally.firstFinishedAt ??= now;
  tally.lastFinishedAt = now;
};

// Each Worker gets its own connections (BullMQ opens a blocking one per Worker): a pool as an
// application would run it. metrics keeps BullMQ's own per-queue counts of finished jobs.
const workers = [];
for (const name of config.queues) {
  for (let i = 0; i < config.workers; i++) {
    const worker = new Worker(name, async (job) => {
      if (config.jobMs > 0) await sleep(config.jobMs);
      if (job.data.fail) throw new Error('a failure of the benchmark load');
      return { ok: true };
    }, { connection, concurrency: config.concurrency, metrics: { maxDataPoints: MetricsTime.ONE_WEEK } });
    worker.on('completed', () => finishedOne('completed'));
    worker.on('failed', () => finishedOne('failed'));
    worker.on('error', (err) => log(`worker error on ${name}: ${err.message}`));
    workers.push(worker);
  }
}
const producerConnection = new Redis(connection);
const queues = config.queues.map((name) => new Queue(name, { connection: producerConnection }));

let added = 0;
let stopping = false;

async function produce() {
  const startedAt = Date.now();
  send({ event: 'started', at: startedAt });
  const tickMs = 50;
  const endAt = startedAt + config.seconds * 1000;
  let due = 0;
  let next = 0;
  let lastReport = performance.now();
  for (let tick = 1; !stopping; tick++) {
    const at = startedAt + tick * tickMs;
    if (at > endAt) break;
    await sleep(Math.max(0, at - Date.now()));
    // Spread the jobs evenly over time and over the queues.
    due += (config.rate * tickMs) / 1000;
    const now = Math.floor(due) - added;
    const batches = new Map();
    for (let i = 0; i < now; i++) {
      const q = next++ % queues.length;
      if (!batches.has(q)) batches.set(q, []);
      batches.get(q).push({ name: 'load', data: { n: added + i, fail: Math.random() < config.fail }, opts: { attempts: 1 } });
    }
    added += now;
    await Promise.all([...batches].map(([q, jobs]) => queues[q].addBulk(jobs)));
    if (performance.now() - lastReport >= 5000) {
      lastReport = performance.now();
      log(`added ${added}, completed ${tally.completed}, failed ${tally.failed}`);
    }
  }
  const producedAt = Date.now();
  send({ event: 'produced', at: producedAt, added });
  const deadline = Date.now() + 120_000;
  while (tally.completed + tally.failed < added && Date.now() < deadline && !stopping) await sleep(50);
  send({
    event: 'finished',
    at: Date.now(),
    startedAt,
    producedAt,
    added,
    completed: tally.completed,
    failed: tally.failed,
    firstFinishedAt: tally.firstFinishedAt,
    lastFinishedAt: tally.lastFinishedAt,
    drained: tally.completed + tally.failed >= added,
  });
}

async function close(code) {
  stopping = true;
  await Promise.race([
    Promise.all([...workers.map((w) => w.close(true)), ...queues.map((q) => q.close())]).then(() => producerConnection.disconnect()),
    sleep(10_000),
  ]);
  send({ event: 'closed' });
  process.exit(code);
}

process.on('SIGTERM', () => close(143));
process.on('SIGINT', () => close(130));

// A Worker is ready once both its connections are (the blocking one carries its client name).
await Promise.all([...workers.map((w) => w.waitUntilReady()), ...queues.map((q) => q.waitUntilReady())]);
await sleep(500);
send({ event: 'ready', workers: workers.length });

const input = readline.createInterface({ input: process.stdin });
input.on('line', (line) => {
  const command = line.trim();
  if (command === 'start') {
    produce().catch((err) => {
      log(`producer failed: ${err.stack ?? err}`);
      send({ event: 'error', message: String(err.message ?? err) });
    });
  } else if (command === 'stop') {
    close(0);
  }
});
input.on('close', () => close(0));
