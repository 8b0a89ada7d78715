// Fills queues with real BullMQ data in every state, then prints their getJobCounts().
import { connect, loadBullMq, main, waitFor } from './lib.mjs';

main(async (input) => {
  const bullmq = await loadBullMq(input.bullmq);
  const prefix = input.prefix ?? 'bull';
  const connection = await connect(input.redis);
  const queues = {};
  try {
    for (const spec of input.queues ?? []) {
      queues[spec.name] = await seed(bullmq, connection, prefix, spec);
    }
  }
  finally {
    connection.disconnect();
  }
  return {
    queues,
    notes: [
      'each waitingChildren flow adds its parent to waiting-children and its one child to waiting (paused in v5 when paused)',
      'active jobs stay in the active list: their worker was force-closed and no worker is left',
    ],
  };
});

async function seed({ Queue, Worker, FlowProducer, MetricsTime }, connection, prefix, spec) {
  const count = (field) => Number(spec[field] ?? 0);
  const name = spec.name;
  const queue = new Queue(name, { connection, prefix });
  try {
    await queue.waitUntilReady();

    const completed = count('completed');
    const failed = count('failed');
    if (completed + failed > 0) {
      const jobs = [];
      for (let i = 0; i < completed; i++) jobs.push({ name: 'completes', data: { i, fail: false } });
      for (let i = 0; i < failed; i++) jobs.push({ name: 'fails', data: { i, fail: true } });
      await queue.addBulk(jobs.map((job) => ({ ...job, opts: { attempts: 1 } })));
      const worker = new Worker(
        name,
        async (job) => {
          if (job.data.fail) {
            throw new Error(`seeded failure ${job.data.i}`);
          }
          return { ok: job.data.i };
        },
        { connection, prefix, concurrency: 10, metrics: { maxDataPoints: MetricsTime.ONE_WEEK } },
      );
      worker.on('error', () => {});
      await waitFor(
        `${completed} completed and ${failed} failed jobs in ${JSON.stringify(name)}`,
        async () => (await queue.getCompletedCount()) >= completed && (await queue.getFailedCount()) >= failed,
      );
      await worker.close();
    }

    const active = count('active');
    if (active > 0) {
      await queue.addBulk(Array.from({ length: active }, (_, i) => ({ name: 'stays-active', data: { i } })));
      const worker = new Worker(name, () => new Promise(() => {}), { connection, prefix, concurrency: active });
      worker.on('error', () => {});
      await waitFor(`${active} active jobs in ${JSON.stringify(name)}`, async () => (await queue.getActiveCount()) >= active);
      // Forced: the processors never finish, and the jobs must stay in the active list.
      await worker.close(true);
    }

    const waiting = count('waiting');
    if (waiting > 0) {
      await queue.addBulk(Array.from({ length: waiting }, (_, i) => ({ name: 'waits', data: { i } })));
    }
    const delayed = count('delayed');
    if (delayed > 0) {
      await queue.addBulk(
        Array.from({ length: delayed }, (_, i) => ({ name: 'delayed', data: { i }, opts: { delay: 3_600_000 } })),
      );
    }
    const prioritized = count('prioritized');
    if (prioritized > 0) {
      await queue.addBulk(
        Array.from({ length: prioritized }, (_, i) => ({ name: 'prioritized', data: { i }, opts: { priority: i + 1 } })),
      );
    }
    const waitingChildren = count('waitingChildren');
    if (waitingChildren > 0) {
      const flows = new FlowProducer({ connection, prefix });
      for (let i = 0; i < waitingChildren; i++) {
        await flows.add({
          name: 'parent',
          queueName: name,
          data: { i },
          children: [{ name: 'child', queueName: name, data: { i } }],
        });
      }
      await flows.close();
    }
    if (spec.paused) {
      await queue.pause();
    }
    return await queue.getJobCounts();
  }
  finally {
    await queue.close();
  }
}
