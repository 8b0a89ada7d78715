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

// R_lua_script: the reads of R_script (every number the exporter's counts script reads with latency
// off: R_counts' reads, HMGET meta instead of HGET, ZCARD repeat, PTTL limiter, the tail of a
// non-empty wait or paused list, GET limiter under a global rate limit, EXISTS of an empty-looking
// queue) in the least Lua that makes them: no error handling, no decoding, a flat row per queue.
// The exporter's script against it is the cost of the script's own logic, not of Lua's calls.
const SCRIPT_SUFFIXES = ['wait', 'paused', 'active', 'prioritized', 'delayed', 'completed', 'failed',
  'waiting-children', 'meta', 'metrics:completed', 'metrics:failed', 'id', 'events', 'repeat', 'limiter'];
const SCRIPT_READS_SCRIPT = [
  'local c = redis.call',
  'local r = {}',
  `for b = 0, #KEYS - 1, ${SCRIPT_SUFFIXES.length} do`,
  '  local w, p = c("LLEN", KEYS[b + 1]), c("LLEN", KEYS[b + 2])',
  '  local meta = c("HMGET", KEYS[b + 9], "paused", "version", "max", "concurrency")',
  '  local row = {w, w > 0 and c("LINDEX", KEYS[b + 1], -1) or false, p, p > 0 and c("LINDEX", KEYS[b + 2], -1) or false,',
  '    c("LLEN", KEYS[b + 3]), c("ZCARD", KEYS[b + 4]), c("ZCARD", KEYS[b + 5]), c("ZCARD", KEYS[b + 6]),',
  '    c("ZCARD", KEYS[b + 7]), c("ZCARD", KEYS[b + 8]), meta[1] or false, meta[2] or false, meta[4] or false,',
  '    c("HGET", KEYS[b + 10], "count"), c("HGET", KEYS[b + 11], "count"), c("ZCARD", KEYS[b + 14]),',
  '    meta[3] and c("GET", KEYS[b + 15]) or false, c("PTTL", KEYS[b + 15])}',
  '  if not (meta[1] or meta[2] or row[14] or row[15]) and w + p + row[5] + row[6] + row[7] + row[8] + row[9] + row[10] == 0 then',
  '    row[#row + 1] = c("EXISTS", KEYS[b + 9], KEYS[b + 12], KEYS[b + 13])',
  '  end',
  '  r[#r + 1] = row',
  'end',
  'return r',
].join('\n');
// Where R_lua_script's row has ZCARD completed.
const SCRIPT_COMPLETED = 7;

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

// R_lua (scriptReads false) and R_lua_script (true): returns the number of script calls sent.
// `expectedCompleted` proves it read the seeded keys.
export async function luaReads(client, names, perCall, expectedCompleted, scriptReads = false) {
  const sha = await client.script('LOAD', scriptReads ? SCRIPT_READS_SCRIPT : COUNTS_SCRIPT);
  const keysOfQueue = scriptReads ? (name) => SCRIPT_SUFFIXES.map((suffix) => `bull:${name}:${suffix}`) : keysOf;
  const completedAt = scriptReads ? SCRIPT_COMPLETED : COMPLETED;
  const label = scriptReads ? 'R_lua_script' : 'R_lua';
  const pipeline = client.pipeline();
  const plan = batches(names, perCall);
  for (const batch of plan) {
    const keys = batch.flatMap(keysOfQueue);
    pipeline.call('EVALSHA_RO', sha, keys.length, ...keys);
  }
  const replies = await pipeline.exec();
  checkFailed(replies);
  replies.forEach(([, rows], i) => rows.forEach((row, j) => {
    if (row[completedAt] !== expectedCompleted) {
      throw new Error(`${label} read of ${plan[i][j]}: ZCARD completed ${row[completedAt]}, seeded ${expectedCompleted}`);
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
