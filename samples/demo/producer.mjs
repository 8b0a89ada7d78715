// Fills a Redis with a few real BullMQ demo queues that hold jobs in every state.
//
//   node producer.mjs [redis://127.0.0.1:6379]           fill the demo queues, then exit
//   node producer.mjs [redis://127.0.0.1:6379] --work    keep real workers and a flow of jobs running
//
// Safe to run again: it first obliterates its own demo queues (and only those).
// Progress goes to stderr; the queue names go to stdout, one per line, for demo.sh.
//
// --work does not fill: it adds new jobs to 'emails' and 'image resize' every fraction of a
// second and runs real Workers on them (some jobs fail, some are delayed), so that workers,
// latency, throughput and durations show real values. 'reports' stays paused, without workers.
// SIGUSR2 stops the workers, or starts them again; jobs keep coming meanwhile, so the
// no-workers alert goes pending. SIGINT or SIGTERM stops everything.
import { FlowProducer, MetricsTime, Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';

// How many jobs each demo queue gets in each state. 'reports' is also paused.
const DEMO_QUEUES = [
  { name: 'emails', completed: 40, failed: 3, active: 2, waiting: 12, delayed: 5, prioritized: 4, flows: 1 },
  { name: 'reports', completed: 8, failed: 1, active: 1, waiting: 6, delayed: 2, prioritized: 3, flows: 2, paused: true },
  { name: 'image resize', completed: 25, failed: 5, active: 3, waiting: 20, delayed: 1, prioritized: 6, flows: 1 },
];

// What --work runs: a job every 'every' ms per queue, each taking 'sleep' ms, a share of them
// failing for good (both attempts) and a share delayed a few seconds. Only the workers of
// 'emails' keep BullMQ's metrics, so the other queue shows the exporter's durations alone.
const WORK = [
  { name: 'emails', every: 250, concurrency: 4, sleep: [20, 250], failing: 0.01, delayed: 0.05, metrics: true },
  { name: 'image resize', every: 600, concurrency: 2, sleep: [150, 1200], failing: 0.03, delayed: 0.2, metrics: false },
];

const args = process.argv.slice(2);
const url = args.find((arg) => !arg.startsWith('--')) ?? 'redis://127.0.0.1:6379';
const log = (message) => console.error(`[producer] ${message}`);
console.log = console.error; // nothing but the queue names may reach stdout

const jobs = (count, name, opts = {}) => Array.from({ length: count }, (_, i) => ({ name, data: { i }, opts }));

async function until(description, condition) {
  for (const deadline = Date.now() + 30_000; !(await condition());) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${description}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function fill(connection, spec) {
  // A clean slate, so running twice is fine. Obliterate also deletes the queue's meta
  // hash, which records the BullMQ version, so the queue is opened again afterwards.
  const old = new Queue(spec.name, { connection });
  await old.obliterate({ force: true });
  await old.close();
  const queue = new Queue(spec.name, { connection });
  await queue.waitUntilReady();

  // completed and failed: a worker that throws for jobs marked 'fail', then closes.
  await queue.addBulk([...jobs(spec.completed, 'ok'), ...jobs(spec.failed, 'fail', { attempts: 1 })]);
  const worker = new Worker(spec.name, async (job) => {
    if (job.name === 'fail') throw new Error(`demo failure #${job.data.i}`);
    return { done: job.data.i };
  }, { connection, concurrency: 10, metrics: { maxDataPoints: MetricsTime.ONE_WEEK } });
  await until(`finished jobs in '${spec.name}'`, async () =>
    (await queue.getCompletedCount()) >= spec.completed && (await queue.getFailedCount()) >= spec.failed);
  await worker.close();

  // active: a worker whose processor never resolves, closed without waiting,
  // so its jobs stay in the active list (no worker is left to notice they stalled).
  await queue.addBulk(jobs(spec.active, 'stuck'));
  const stuck = new Worker(spec.name, () => new Promise(() => {}), { connection, concurrency: spec.active });
  await until(`active jobs in '${spec.name}'`, async () => (await queue.getActiveCount()) >= spec.active);
  await stuck.close(true);

  // waiting, delayed by an hour, and prioritized (1 is the highest priority).
  await queue.addBulk([
    ...jobs(spec.waiting, 'waiting'),
    ...jobs(spec.delayed, 'later', { delay: 60 * 60 * 1000 }),
    ...jobs(spec.prioritized, 'urgent').map((job, i) => ({ ...job, opts: { priority: i + 1 } })),
  ]);

  // waiting-children: a flow parent that waits for its child (the child is waiting).
  const flows = new FlowProducer({ connection });
  for (let i = 0; i < spec.flows; i++) {
    await flows.add({ name: 'parent', queueName: spec.name, data: { i }, children: [{ name: 'child', queueName: spec.name, data: { i } }] });
  }
  await flows.close();

  if (spec.paused) await queue.pause();
  const counts = await queue.getJobCounts();
  log(`${JSON.stringify(spec.name)}${spec.paused ? ' (paused)' : ''}: ${JSON.stringify(counts)}`);
  await queue.close();
}

async function main() {
  log(`connecting to ${url.replace(/\/\/[^@/]*@/, '//***@')}`);
  const connection = new Redis(url, { maxRetriesPerRequest: null, retryStrategy: (times) => (times > 20 ? null : 250) });
  connection.on('error', () => {}); // retried above; the ping below reports the outcome
  await connection.ping();
  for (const spec of DEMO_QUEUES) {
    await fill(connection, spec);
  }
  connection.disconnect();
  log(`done: ${DEMO_QUEUES.length} demo queues`);
  process.stdout.write(DEMO_QUEUES.map((spec) => spec.name).join('\n') + '\n', () => process.exit(0));
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const between = ([min, max]) => min + Math.floor(Math.random() * (max - min));

async function work() {
  log(`working on ${WORK.map((spec) => JSON.stringify(spec.name)).join(' and ')} at ${url.replace(/\/\/[^@/]*@/, '//***@')}`);
  const connection = new Redis(url, { maxRetriesPerRequest: null });
  connection.on('error', (err) => log(`redis: ${err.message}`));
  const queues = WORK.map((spec) => new Queue(spec.name, { connection }));
  let workers = [];
  const startWorkers = () => {
    workers = WORK.map((spec) => {
      const worker = new Worker(spec.name, async (job) => {
        await sleep(between(spec.sleep));
        if (job.data.fails) throw new Error('demo failure');
        return { done: true };
      }, {
        connection,
        concurrency: spec.concurrency,
        ...(spec.metrics ? { metrics: { maxDataPoints: MetricsTime.ONE_WEEK } } : {}),
      });
      worker.on('error', (err) => log(`worker: ${err.message}`));
      return worker;
    });
    log(`workers started (${workers.length}); send SIGUSR2 to stop them`);
  };
  const stopWorkers = async () => {
    const stopping = workers;
    workers = [];
    await Promise.all(stopping.map((worker) => worker.close()));
    log('workers stopped: jobs keep coming, BullMQNoWorkers goes pending; send SIGUSR2 to start them again');
  };
  let toggling = Promise.resolve();
  process.on('SIGUSR2', () => {
    toggling = toggling.then(() => (workers.length > 0 ? stopWorkers() : startWorkers()));
  });

  const timers = WORK.map((spec, i) => setInterval(() => {
    const opts = {
      attempts: 2,
      backoff: { type: 'fixed', delay: 1000 },
      removeOnComplete: 1000,
      removeOnFail: 1000,
      ...(Math.random() < spec.delayed ? { delay: between([1000, 10000]) } : {}),
    };
    queues[i].add('demo', { fails: Math.random() < spec.failing }, opts).catch((err) => log(`add: ${err.message}`));
  }, spec.every));
  startWorkers();

  const stop = async () => {
    timers.forEach(clearInterval);
    await toggling;
    await Promise.all(workers.map((worker) => worker.close()));
    await Promise.all(queues.map((queue) => queue.close()));
    connection.disconnect();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

(args.includes('--work') ? work() : main()).catch((err) => {
  log(`failed: ${err?.stack ?? err}`);
  process.exit(1);
});
