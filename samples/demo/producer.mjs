// Fills a Redis with a few real BullMQ demo queues that hold jobs in every state.
//
//   node producer.mjs [redis://127.0.0.1:6379]
//
// Safe to run again: it first obliterates its own demo queues (and only those).
// Progress goes to stderr; the queue names go to stdout, one per line, for demo.sh.
import { FlowProducer, MetricsTime, Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';

// How many jobs each demo queue gets in each state. 'reports' is also paused.
const DEMO_QUEUES = [
  { name: 'emails', completed: 40, failed: 3, active: 2, waiting: 12, delayed: 5, prioritized: 4, flows: 1 },
  { name: 'reports', completed: 8, failed: 1, active: 1, waiting: 6, delayed: 2, prioritized: 3, flows: 2, paused: true },
  { name: 'image resize', completed: 25, failed: 5, active: 3, waiting: 20, delayed: 1, prioritized: 6, flows: 1 },
];

const url = process.argv[2] ?? 'redis://127.0.0.1:6379';
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

main().catch((err) => {
  log(`failed: ${err?.stack ?? err}`);
  process.exit(1);
});
