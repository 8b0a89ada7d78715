// The floors of an atomic read of the counts: the bare reads of R_counts (one plain command per
// number: LLEN, ZCARD, HGET), but made atomic per batch of queues the two ways Redis offers, so that
// the report can say how much of the exporter's Redis CPU is the price of atomicity itself:
//
// - R_lua: a Lua script that sends exactly those commands (redis.call) and nothing else, one
//   EVALSHA_RO per batch of queues, every batch sent before any reply is awaited. Its Redis CPU is a
//   floor under any script-based read of these numbers, the exporter's included.
// - R_multi: the same commands between MULTI and EXEC, one transaction per batch, all pipelined.
//   A transaction is atomic too, but needs a connection of its own (MULTI changes the state of the
//   connection it is sent on) and the ACL user needs +multi +exec.
//
// Both read the same numbers as R_counts for the same queues, so R_lua/R_counts and R_multi/R_counts
// are the overheads of the two mechanisms on this machine, measured in the same run.
//
// - R_multi_tails: R_multi plus the two reads that right counts need besides the numbers, the tails
//   of wait and paused (LINDEX ... -1). A legacy marker (BullMQ 2 to 4 data) sits at the tail of
//   those lists and is no job, so the count of a list is its length less 1 when its tail is one. A
//   script reads a tail only where the list has one; a transaction cannot choose, since no reply is
//   seen before EXEC, so it reads both tails for every queue. It is a floor under any atomic
//   transaction-based read of right counts (anything else it could do to avoid the tails, such as
//   a second transaction for the lists found non-empty, sends more).

export const COUNTS_READS = [
  ['llen', 'wait'], ['llen', 'paused'], ['llen', 'active'],
  ['zcard', 'prioritized'], ['zcard', 'delayed'], ['zcard', 'completed'], ['zcard', 'failed'], ['zcard', 'waiting-children'],
  ['hget', 'meta', 'paused'], ['hget', 'metrics:completed', 'count'], ['hget', 'metrics:failed', 'count'],
];

export const TAIL_READS = [['lindex', 'wait', -1], ['lindex', 'paused', -1]];

const COUNTS_SCRIPT = [
  'local c = redis.call',
  'local r = {}',
  `for b = 0, #KEYS - 1, ${COUNTS_READS.length} do`,
  '  r[#r + 1] = {',
  ...COUNTS_READS.map(([command, , ...args], i) =>
    `    c('${command.toUpperCase()}', KEYS[b + ${i + 1}]${args.map((arg) => `, '${arg}'`).join('')}),`),
  '  }',
  'end',
  'return r',
].join('\n');

const batches = (names, perCall) => {
  const result = [];
  for (let i = 0; i < names.length; i += perCall) result.push(names.slice(i, i + perCall));
  return result;
};

const keysOf = (name) => COUNTS_READS.map(([, suffix]) => `bull:${name}:${suffix}`);

const COMPLETED = COUNTS_READS.findIndex(([, suffix]) => suffix === 'completed');

function checkFailed(replies) {
  const failed = replies.find(([err]) => err);
  if (failed) throw new Error(`An atomic floor read failed: ${failed[0].message}`);
}

// R_lua: returns the number of script calls sent. `expectedCompleted` proves it read the seeded keys.
export async function luaReads(client, names, perCall, expectedCompleted) {
  const sha = await client.script('LOAD', COUNTS_SCRIPT);
  const pipeline = client.pipeline();
  const plan = batches(names, perCall);
  for (const batch of plan) {
    const keys = batch.flatMap(keysOf);
    pipeline.call('EVALSHA_RO', sha, keys.length, ...keys);
  }
  const replies = await pipeline.exec();
  checkFailed(replies);
  replies.forEach(([, rows], i) => rows.forEach((row, j) => {
    if (row[COMPLETED] !== expectedCompleted) {
      throw new Error(`R_lua read of ${plan[i][j]}: ZCARD completed ${row[COMPLETED]}, seeded ${expectedCompleted}`);
    }
  }));
  return plan.length;
}

// R_multi (reads = COUNTS_READS) and R_multi_tails (reads = [...COUNTS_READS, ...TAIL_READS]):
// returns the number of transactions sent. The client must be a connection of its own. The reads
// must start with COUNTS_READS, so that the completed count is where the check looks for it.
export async function multiReads(client, names, perCall, expectedCompleted, reads = COUNTS_READS) {
  const pipeline = client.pipeline();
  const plan = batches(names, perCall);
  for (const batch of plan) {
    // As plain commands: ioredis gives multi() and exec() of a pipeline meanings of their own.
    pipeline.call('MULTI');
    for (const name of batch) {
      for (const [command, suffix, ...args] of reads) pipeline[command](`bull:${name}:${suffix}`, ...args);
    }
    pipeline.call('EXEC');
  }
  const replies = await pipeline.exec();
  checkFailed(replies);
  // Each transaction answers OK to MULTI, QUEUED to each command, then the array of results to EXEC.
  const execs = replies.filter(([, value]) => Array.isArray(value));
  if (execs.length !== plan.length) throw new Error(`R_multi: ${execs.length} EXEC replies for ${plan.length} transactions`);
  execs.forEach(([, results], i) => plan[i].forEach((name, j) => {
    const got = results[j * reads.length + COMPLETED];
    if (got !== expectedCompleted) throw new Error(`R_multi read of ${name}: ZCARD completed ${got}, seeded ${expectedCompleted}`);
  }));
  return plan.length;
}
