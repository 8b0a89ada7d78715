// Builds queues in the situations that queue latency, overdue jobs, schedulers, rate limits and
// global concurrency must be read from, with real BullMQ, and prints for each queue what BullMQ's
// own API says and when its front job became ready to run (ms, on Redis' clock).
//
// Input: { redis, bullmq, prefix, scenarios: [name, ...] }, with one queue per scenario, named
// after it. Output: { queues: { <name>: { readySince, delayedCount, schedulers, rateLimitTtl,
// globalConcurrency, notes } } }, where readySince is null when no job is ready, and
// delayedCount is getDelayedCount(now) where BullMQ has it (6.7), else null.
import { connect, loadBullMq, main, waitFor } from './lib.mjs';

const MINUTE = 60_000;

main(async (input) => {
  const bullmq = await loadBullMq(input.bullmq);
  const prefix = input.prefix ?? 'bull';
  const connection = await connect(input.redis);
  const queues = {};
  try {
    for (const scenario of input.scenarios ?? []) {
      const build = SCENARIOS[scenario];
      if (!build) {
        throw new Error(`unknown scenario ${JSON.stringify(scenario)}`);
      }
      const queue = new bullmq.Queue(scenario, { connection, prefix });
      await queue.waitUntilReady();
      try {
        const now = await redisNow(connection);
        const context = { bullmq, connection, prefix, queue, name: scenario, now };
        const readySince = await build(context);
        queues[scenario] = { readySince: readySince ?? null, ...(await oracle(input.bullmq, queue, connection)) };
      }
      finally {
        await queue.close();
      }
    }
  }
  finally {
    connection.disconnect();
  }
  return { queues };
});

async function redisNow(connection) {
  const [seconds, micros] = await connection.time();
  return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
}

async function oracle(version, queue, connection) {
  // Only BullMQ 6.7 counts the delayed jobs due before a time.
  const delayedCount = version === 6 ? await queue.getDelayedCount(await redisNow(connection)) : null;
  return {
    delayedCount,
    schedulers: await queue.getJobSchedulersCount(),
    rateLimitTtl: await queue.getRateLimitTtl(),
    globalConcurrency: (await queue.getGlobalConcurrency()) ?? null,
  };
}

// A worker that promotes due delayed jobs but never takes one: the queue is paused first (a
// worker promotes before it checks for pause), and the worker stops once the job is in wait.
async function promoteWithoutProcessing({ bullmq, connection, prefix, queue, name }, jobId) {
  await queue.pause();
  const worker = new bullmq.Worker(name, async () => {
    throw new Error('a paused queue must not run jobs');
  }, { connection, prefix });
  worker.on('error', () => {});
  await waitFor(`job ${jobId} promoted`, async () => ['waiting', 'paused'].includes(await queue.getJobState(jobId)));
  await worker.close();
}

const SCENARIOS = {
  // Nothing at all: latency 0.
  'empty': async () => null,

  // The next job of wait, created a minute ago.
  'waiting': async ({ queue, now }) => {
    await queue.add('old', {}, { timestamp: now - MINUTE });
    await queue.add('new', {}, { timestamp: now - 1_000 });
    return now - MINUTE;
  },

  // The head of prioritized is the next to run, not the oldest: priority 1, 10 s old, runs
  // before priority 5, 100 s old, so the latency is 10 s.
  'prioritized': async ({ queue, now }) => {
    await queue.add('later', {}, { priority: 5, timestamp: now - 100_000 });
    await queue.add('next', {}, { priority: 1, timestamp: now - 10_000 });
    return now - 10_000;
  },

  // BullMQ 5 moves a paused queue's jobs to the paused list; they wait all the same.
  'paused': async ({ queue, now }) => {
    await queue.add('held', {}, { timestamp: now - 30_000 });
    await queue.pause();
    return now - 30_000;
  },

  // Due 4 s ago and no worker to promote it: still delayed, and overdue.
  'overdue': async ({ queue, now }) => {
    await queue.add('due', {}, { delay: 1_000, timestamp: now - 5_000 });
    await queue.add('not yet', {}, { delay: 10 * MINUTE, timestamp: now });
    return now - 4_000;
  },

  // Added with a delay of 1 s and promoted by a worker: the hash's delay is now 0, and the job
  // has been ready since it was due.
  'promoted': async (context) => {
    const job = await context.queue.add('promoted', {}, { delay: 1_000, timestamp: context.now - 20_000 });
    await promoteWithoutProcessing(context, job.id);
    return context.now - 19_000;
  },

  // Failed once, retried after a fixed backoff of 1 s, and promoted back to wait: ready since it
  // failed plus the backoff. Promotion resets the hash's delay to 0, so the rule can only bound it
  // by the last start: it over-reports by the failed attempt's time plus the backoff.
  'retried': async ({ bullmq, connection, prefix, queue, name }) => {
    const job = await queue.add('flaky', {}, { attempts: 2, backoff: { type: 'fixed', delay: 1_000 } });
    let failedAt = null;
    const worker = new bullmq.Worker(name, async () => {
      throw new Error('first attempt fails');
    }, { connection, prefix });
    worker.on('error', () => {});
    worker.on('failed', () => {
      failedAt ??= Date.now();
    });
    await waitFor('the first attempt to fail', async () => (await queue.getDelayedCount()) === 1);
    await worker.close();
    await promoteWithoutProcessing({ bullmq, connection, prefix, queue, name }, job.id);
    return failedAt + 1_000;
  },

  // A job scheduler, a global rate limit that is reached, and a global concurrency. The
  // schedulers' first jobs are due at once, so the latency is not checked here.
  'limited': async ({ connection, prefix, queue, name }) => {
    await queue.upsertJobScheduler('every-hour', { every: 60 * MINUTE }, { name: 'tick' });
    await queue.upsertJobScheduler('every-day', { every: 24 * 60 * MINUTE }, { name: 'tock' });
    await queue.setGlobalConcurrency(3);
    await queue.setGlobalRateLimit(1, 60_000);
    // The limiter key as workers leave it once the limit is reached.
    await connection.set(`${prefix}:${name}:limiter`, 1, 'PX', 45_000);
    return 'unchecked';
  },

  // A limiter key without a global limit in meta: BullMQ returns its raw PTTL.
  'worker-limited': async ({ connection, prefix, name }) => {
    await connection.set(`${prefix}:${name}:limiter`, 5, 'PX', 30_000);
    return undefined;
  },
};
