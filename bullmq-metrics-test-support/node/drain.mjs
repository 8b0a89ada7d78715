// Adds jobs in bulk, prints {"added": n}, then drains them with a real Worker and prints {"done": true, ...}.
import { connect, loadBullMq, main, waitFor, writeLine } from './lib.mjs';

const CHUNK = 1000;

main(async (input) => {
  const { Queue, Worker, MetricsTime } = await loadBullMq(input.bullmq);
  const prefix = input.prefix ?? 'bull';
  const name = input.queue;
  const jobs = Number(input.jobs ?? 0);
  const concurrency = Math.max(1, Number(input.concurrency ?? 1));
  const connection = await connect(input.redis);
  const queue = new Queue(name, { connection, prefix });
  const completedBefore = await queue.getCompletedCount();
  for (let start = 0; start < jobs; start += CHUNK) {
    const size = Math.min(CHUNK, jobs - start);
    await queue.addBulk(Array.from({ length: size }, (_, i) => ({ name: 'drain', data: { i: start + i } })));
  }
  await writeLine({ added: jobs });
  const worker = new Worker(name, () => new Promise((resolve) => setImmediate(resolve)), {
    connection,
    prefix,
    concurrency,
    metrics: { maxDataPoints: MetricsTime.ONE_WEEK },
  });
  worker.on('error', (err) => process.stderr.write(`worker error: ${err}\n`));
  let completed = completedBefore;
  await waitFor(
    `${jobs} completed jobs in ${JSON.stringify(name)}`,
    async () => (completed = await queue.getCompletedCount()) - completedBefore >= jobs,
    24 * 3_600_000,
  );
  await worker.close();
  await queue.close();
  connection.disconnect();
  return { done: true, completed };
});
