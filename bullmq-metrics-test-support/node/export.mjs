// Prints what real BullMQ's Queue.exportPrometheusMetrics() returns for each queue.
import { connect, loadBullMq, main } from './lib.mjs';

main(async (input) => {
  const { Queue } = await loadBullMq(input.bullmq);
  const prefix = input.prefix ?? 'bull';
  const connection = await connect(input.redis);
  const answer = {};
  try {
    for (const name of input.queues ?? []) {
      // skipMetasUpdate: exporting must not create the queue's meta hash.
      const queue = new Queue(name, { connection, prefix, skipMetasUpdate: true });
      try {
        answer[name] = await queue.exportPrometheusMetrics(input.globalVariables ?? undefined);
      }
      finally {
        await queue.close();
      }
    }
  }
  finally {
    connection.disconnect();
  }
  return answer;
});
