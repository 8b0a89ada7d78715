// Starts real Workers (named and unnamed) and QueueEvents, prints what BullMQ's own
// queue.getWorkersCount() says per queue, and keeps them running until stdin closes.
//
// Input: the first line on stdin, one JSON document:
//   { redis, bullmq, prefix, queues: [name, ...],
//     workers: [{ queue, name? }, ...], queueEvents: [queue, ...] }
// Then one command per line:
//   {"close": [i, ...]}  closes the workers at these indices of "workers", then reports
//   {"report": true}     reports again
// Every report is one line: {"workers": {queue: n}, "queueEvents": {queue: n}, "clientList": bool}
// from BullMQ's getWorkersCount() and getQueueEvents() for each queue of "queues" and of the
// workers and QueueEvents. Before it reports, it waits until BullMQ sees exactly the workers
// and QueueEvents it started on their queues (unless Redis refuses CLIENT LIST, when
// "clientList" is false); on other queues it reports whatever BullMQ sees. The end of stdin
// closes everything and ends the process.
import { createInterface } from 'node:readline';

import { connect, loadBullMq, waitFor, writeLine } from './lib.mjs';

const fail = (err) => {
  process.stderr.write(`${process.argv[1]}: ${err && err.stack ? err.stack : err}\n`, () => process.exit(1));
};
process.on('unhandledRejection', fail);

run().then(() => process.exit(0), fail);

async function run() {
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity })[Symbol.asyncIterator]();
  const first = await lines.next();
  if (first.done) {
    throw new Error('expected the input document on the first line of stdin');
  }
  const input = JSON.parse(first.value);
  const { Queue, Worker, QueueEvents } = await loadBullMq(input.bullmq);
  const prefix = input.prefix ?? 'bull';
  const connection = await connect(input.redis);
  const specs = input.workers ?? [];
  const names = [...new Set([...(input.queues ?? []), ...specs.map((spec) => spec.queue), ...(input.queueEvents ?? [])])];
  const queues = new Map(names.map((name) => [name, new Queue(name, { connection, prefix, skipMetasUpdate: true })]));
  const workers = specs.map(
    (spec) =>
      new Worker(spec.queue, async () => {}, {
        connection,
        prefix,
        ...(spec.name ? { name: spec.name } : {}),
      }),
  );
  workers.forEach((worker) => worker.on('error', (err) => process.stderr.write(`worker error: ${err}\n`)));
  const queueEvents = (input.queueEvents ?? []).map((name) => new QueueEvents(name, { connection, prefix }));
  queueEvents.forEach((events) => events.on('error', (err) => process.stderr.write(`queue events error: ${err}\n`)));
  const open = new Set(workers.keys());
  const started = new Set([...specs.map((spec) => spec.queue), ...(input.queueEvents ?? [])]);
  await Promise.all([...workers, ...queueEvents].map((client) => client.waitUntilReady()));

  const clientList = await connection
    .client('LIST')
    .then(() => true)
    .catch(() => false);
  // What each node holds, for the message of a timeout: the names of its connections.
  const namesByNode = async () => {
    const nodes = typeof connection.nodes === 'function' ? connection.nodes('all') : [connection];
    const lists = await Promise.all(
      nodes.map(async (node) => {
        const names = (await node.client('LIST'))
          .split('\n')
          .map((line) => /(?:^| )name=(\S*)/.exec(line)?.[1])
          .filter((name) => name);
        return `${node.options.port}=[${names.join(',')}]`;
      }),
    );
    return lists.join(' ');
  };
  const report = async () => {
    const expected = (name) => [...open].filter((i) => specs[i].queue === name).length;
    const expectedEvents = (name) => (input.queueEvents ?? []).filter((queue) => queue === name).length;
    if (clientList) {
      let seen = '';
      await waitFor('BullMQ to see the running workers and QueueEvents', async () => {
        for (const name of started) {
          const queue = queues.get(name);
          const workersSeen = await queue.getWorkersCount();
          const eventsSeen = (await queue.getQueueEvents()).length;
          seen = `${JSON.stringify(name)}: ${workersSeen} workers (expected ${expected(name)}), ${eventsSeen} QueueEvents (expected ${expectedEvents(name)})`;
          if (workersSeen !== expected(name) || eventsSeen !== expectedEvents(name)) return false;
        }
        return true;
      }).catch(async (err) => {
        throw new Error(`${err.message}; last seen ${seen}; connection names by node: ${await namesByNode()}`);
      });
    }
    const answer = { workers: {}, queueEvents: {}, clientList };
    for (const [name, queue] of queues) {
      answer.workers[name] = await queue.getWorkersCount();
      answer.queueEvents[name] = (await queue.getQueueEvents()).length;
    }
    await writeLine(answer);
  };

  await report();
  for (let line = await lines.next(); !line.done; line = await lines.next()) {
    if (line.value.trim() === '') continue;
    const command = JSON.parse(line.value);
    if (Array.isArray(command.close)) {
      for (const i of command.close) {
        if (!open.delete(i)) {
          throw new Error(`no open worker at index ${i}`);
        }
        await workers[i].close();
      }
    }
    await report();
  }

  await Promise.all([...open].map((i) => workers[i].close()));
  await Promise.all(queueEvents.map((events) => events.close()));
  await Promise.all([...queues.values()].map((queue) => queue.close()));
  connection.disconnect();
}
