// Adds jobs with known sleep times, failures, delays and retries, lets one real Worker finish them
// all, and prints each job's fields as BullMQ wrote them: the oracle of the duration tests.
import { connect, loadBullMq, main, waitFor } from './lib.mjs';

const FIELDS = ['timestamp', 'processedOn', 'finishedOn', 'ats', 'atm', 'delay', 'opts'];

main(async (input) => {
  const { Queue, Worker, FlowProducer, MetricsTime } = await loadBullMq(input.bullmq);
  const prefix = input.prefix ?? 'bull';
  const name = input.queue;
  const connection = await connect(input.redis);
  const queue = new Queue(name, { connection, prefix });
  const flows = new FlowProducer({ connection, prefix });
  try {
    await queue.waitUntilReady();
    const added = [];
    for (const spec of input.jobs ?? []) {
      added.push(...(await add(queue, flows, name, spec)));
    }
    const expected = new Set(added.map((job) => job.id));
    // The Job as the worker saw it when it finished: the only record of a job removed at once.
    const finished = new Map();
    const worker = new Worker(
      name,
      async (job) => {
        await new Promise((resolve) => setTimeout(resolve, Number(job.data.sleep ?? 0)));
        if (job.data.failTimes && job.attemptsMade < job.data.failTimes) {
          throw new Error(`planned failure ${job.attemptsMade + 1} of ${job.name}`);
        }
        return 'ok';
      },
      {
        connection,
        prefix,
        concurrency: Math.max(1, Number(input.concurrency ?? 1)),
        ...(input.metrics ? { metrics: { maxDataPoints: MetricsTime.ONE_WEEK } } : {}),
      },
    );
    worker.on('error', (err) => process.stderr.write(`worker error: ${err}\n`));
    worker.on('completed', (job) => finished.set(job.id, { state: 'completed', job }));
    worker.on('failed', (job) => {
      if (job && job.attemptsMade >= Math.max(1, Number(job.opts.attempts ?? 1))) {
        finished.set(job.id, { state: 'failed', job });
      }
    });
    await waitFor(
      `${expected.size} finished jobs in ${JSON.stringify(name)}`,
      async () => [...expected].every((id) => finished.has(id)),
      120_000,
    );
    await worker.close();
    for (const job of added.filter((job) => job.remove)) {
      await queue.remove(job.id);
    }
    const jobs = [];
    for (const { id, name: jobName, remove, parent } of added) {
      const { state, job } = finished.get(id);
      const values = await connection.hmget(`${prefix}:${name}:${id}`, ...FIELDS);
      const stored = Object.fromEntries(FIELDS.map((field, i) => [field, values[i]]));
      const kept = stored.finishedOn !== null;
      jobs.push({
        id,
        name: jobName,
        state,
        kept,
        removed: Boolean(remove),
        parent,
        // Read back from the hash when it is kept, else as the worker's Job had them.
        timestamp: Number(kept ? stored.timestamp : job.timestamp),
        processedOn: Number(kept ? stored.processedOn : job.processedOn),
        finishedOn: Number(kept ? stored.finishedOn : job.finishedOn),
        attemptsStarted: kept ? Number(stored.ats) : null,
        attemptsMade: kept ? Number(stored.atm) : job.attemptsMade,
        delay: kept ? Number(stored.delay) : null,
        opts: kept ? stored.opts : JSON.stringify(job.opts),
      });
    }
    return {
      jobs,
      metrics: {
        completed: count(await connection.hget(`${prefix}:${name}:metrics:completed`, 'count')),
        failed: count(await connection.hget(`${prefix}:${name}:metrics:failed`, 'count')),
      },
    };
  }
  finally {
    await flows.close();
    await queue.close();
    connection.disconnect();
  }
});

function count(value) {
  return value === null ? null : Number(value);
}

// Adds one job, or one flow (a parent whose children must finish first), and returns what was added.
async function add(queue, flows, name, spec) {
  const opts = {};
  for (const option of ['attempts', 'backoff', 'delay', 'removeOnComplete', 'removeOnFail']) {
    if (spec[option] !== undefined && spec[option] !== null) {
      opts[option] = spec[option];
    }
  }
  const data = { sleep: spec.sleep ?? 0, failTimes: spec.failTimes ?? 0 };
  if (spec.children && spec.children.length > 0) {
    const tree = await flows.add({
      name: spec.name,
      queueName: name,
      data,
      opts,
      children: spec.children.map((child) => ({
        name: child.name,
        queueName: name,
        data: { sleep: child.sleep ?? 0, failTimes: 0 },
      })),
    });
    return [
      { id: tree.job.id, name: spec.name, remove: spec.remove, parent: true },
      ...tree.children.map((child) => ({ id: child.job.id, name: child.job.name, remove: false, parent: false })),
    ];
  }
  const job = await queue.add(spec.name, data, opts);
  return [{ id: job.id, name: spec.name, remove: spec.remove, parent: false }];
}
