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

// R_lua_all: R_lua_script's reads plus latency's, what the exporter's script reads for A (latency on):
// one TIME per call, the heads of the non-empty prioritized and delayed sets, the hashes of the next
// jobs (the tail of wait and of paused, the head of prioritized; a legacy marker is skipped, not
// looked behind), and ZCOUNT where the first delayed job is due. The hashes go back raw, four fields
// each: a client could work out the ready times from them, so no decoding is done in Lua at all.
const ALL_READS_SCRIPT = SCRIPT_READS_SCRIPT
  .replace('local r = {}', [
    'local r = {}',
    'local t = c("TIME")',
    'local now = t[1] * 1000 + math.floor(t[2] / 1000)',
  ].join('\n'))
  .replace('  r[#r + 1] = row', [
    '  local prefix = string.sub(KEYS[b + 1], 1, -5)',
    '  local function job(id)',
    '    if id and id ~= "0" and string.sub(id, 1, 2) ~= "0:" then',
    '      row[#row + 1] = c("HMGET", prefix .. id, "timestamp", "delay", "processedOn", "opts")',
    '    end',
    '  end',
    '  job(row[2])',
    '  job(row[4])',
    '  if row[6] > 0 then job(c("ZRANGE", KEYS[b + 4], 0, 0)[1]) end',
    '  if row[7] > 0 then',
    '    local first = c("ZRANGE", KEYS[b + 5], 0, 0, "WITHSCORES")',
    '    row[#row + 1] = first',
    '    if math.floor(tonumber(first[2]) / 4096) <= now then',
    '      row[#row + 1] = c("ZCOUNT", KEYS[b + 5], "-inf", now * 4096 - 1)',
    '    end',
    '  end',
    '  r[#r + 1] = row',
  ].join('\n'));
if (ALL_READS_SCRIPT === SCRIPT_READS_SCRIPT) throw new Error('R_lua_all: the script was not extended');

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

const scriptKeysOf = (name) => SCRIPT_SUFFIXES.map((suffix) => `bull:${name}:${suffix}`);

const LUA_FLOORS = {
  counts: { label: 'R_lua', script: COUNTS_SCRIPT, keysOfQueue: keysOf, completedAt: COMPLETED },
  script: { label: 'R_lua_script', script: SCRIPT_READS_SCRIPT, keysOfQueue: scriptKeysOf, completedAt: SCRIPT_COMPLETED },
  all: { label: 'R_lua_all', script: ALL_READS_SCRIPT, keysOfQueue: scriptKeysOf, completedAt: SCRIPT_COMPLETED },
};

// R_lua (reads 'counts'), R_lua_script ('script') and R_lua_all ('all', with one CLIENT LIST in the
// same pipeline, as workers need): returns the number of script calls sent. `expectedCompleted`
// proves it read the seeded keys.
export async function luaReads(client, names, perCall, expectedCompleted, reads = 'counts') {
  const { label, script, keysOfQueue, completedAt } = LUA_FLOORS[reads];
  const sha = await client.script('LOAD', script);
  const pipeline = client.pipeline();
  const plan = batches(names, perCall);
  for (const batch of plan) {
    const keys = batch.flatMap(keysOfQueue);
    pipeline.call('EVALSHA_RO', sha, keys.length, ...keys);
  }
  if (reads === 'all') pipeline.client('LIST');
  const replies = await pipeline.exec();
  checkFailed(replies);
  if (reads === 'all') replies.pop();
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

// What a transaction must read per queue for A besides COUNTS_READS and TAIL_READS, whatever the
// queue holds: it sees no reply before EXEC, so it cannot skip a read where a structure is empty.
const ALL_EXTRA_READS = [
  ['zcard', 'repeat'], ['hmget', 'meta', 'paused', 'version', 'max', 'concurrency'], ['pttl', 'limiter'],
  ['zrange', 'prioritized', 0, 0], ['zrange', 'delayed', 0, 0, 'WITHSCORES'],
];

// What R_multi_all is given before it is timed: per queue, the ids of its next jobs (wait's and
// paused' tails, prioritized's head) and whether its first delayed job is due. A transaction cannot
// read the hash of a job whose id it learns in the same transaction; an exporter built on them would
// remember the ids from its last read, send the hashes of those, and check in the reply that the
// tails and heads are still the same (reading again where they are not). Planned here, untimed, for
// a read in which none has changed: the cheapest case for a transaction.
export async function planNextJobs(client, names) {
  const pipeline = client.pipeline();
  pipeline.time();
  for (const name of names) {
    pipeline.lindex(`bull:${name}:wait`, -1);
    pipeline.lindex(`bull:${name}:paused`, -1);
    pipeline.zrange(`bull:${name}:prioritized`, 0, 0);
    pipeline.zrange(`bull:${name}:delayed`, 0, 0, 'WITHSCORES');
  }
  const replies = await pipeline.exec();
  checkFailed(replies);
  const [seconds, micros] = replies[0][1].map(Number);
  const now = seconds * 1000 + Math.floor(micros / 1000);
  return names.map((name, i) => {
    const [wait, paused, prioritized, delayed] = replies.slice(1 + 4 * i, 5 + 4 * i).map(([, value]) => value);
    const ids = [wait, paused, prioritized[0]].filter((id) => id && !/^0(:|$)/.test(id));
    const due = delayed.length === 2 && Math.floor(Number(delayed[1]) / 4096) <= now;
    return { name, ids, due, waitTail: wait };
  });
}

// R_multi_all: the least transaction that reads what A reads (the counts script with latency on, and
// one CLIENT LIST): per batch, MULTI, one TIME, then per queue COUNTS_READS, TAIL_READS,
// ALL_EXTRA_READS, the planned next jobs' hashes and, where the first delayed job is due, ZCOUNT;
// EXEC. Left out, in its favour: GET limiter (needed only under a global rate limit, which the seeded
// queues do not have) and EXISTS (only for a queue that looks empty): a transaction would have to
// send both for every queue. Returns the number of transactions sent.
export async function multiAllReads(client, plan, perCall, expectedCompleted) {
  const reads = [...COUNTS_READS, ...TAIL_READS, ...ALL_EXTRA_READS];
  const waitTailAt = COUNTS_READS.length;
  const pipeline = client.pipeline();
  const transactions = batches(plan, perCall);
  for (const batch of transactions) {
    pipeline.call('MULTI');
    pipeline.time();
    for (const { name, ids, due } of batch) {
      for (const [command, suffix, ...args] of reads) pipeline[command](`bull:${name}:${suffix}`, ...args);
      for (const id of ids) pipeline.hmget(`bull:${name}:${id}`, 'timestamp', 'delay', 'processedOn', 'opts');
      // The bound comes from the client's last TIME: a transaction cannot compute it from its own.
      if (due) pipeline.zcount(`bull:${name}:delayed`, '-inf', String(Date.now() * 4096 - 1));
    }
    pipeline.call('EXEC');
  }
  pipeline.client('LIST');
  const replies = await pipeline.exec();
  checkFailed(replies);
  const execs = replies.filter(([, value]) => Array.isArray(value));
  if (execs.length !== transactions.length) throw new Error(`R_multi_all: ${execs.length} EXEC replies for ${transactions.length} transactions`);
  execs.forEach(([, results], i) => {
    let at = 1; // after TIME
    for (const { name, ids, due, waitTail } of transactions[i]) {
      const got = results[at + COMPLETED];
      if (got !== expectedCompleted) throw new Error(`R_multi_all read of ${name}: ZCARD completed ${got}, seeded ${expectedCompleted}`);
      if (results[at + waitTailAt] !== waitTail) throw new Error(`R_multi_all read of ${name}: the tail of wait changed since it was planned`);
      const hashes = results.slice(at + reads.length, at + reads.length + ids.length);
      if (hashes.some((job) => job[0] === null)) throw new Error(`R_multi_all read of ${name}: a next job's hash has no timestamp`);
      at += reads.length + ids.length + (due ? 1 : 0);
    }
  });
  return transactions.length;
}
