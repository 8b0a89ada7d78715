// Where the tail of a short Lua call comes from when other scripts run beside it.
//
// Redis steps Lua's garbage collector after every 50th script call, and Lua collects on its own as
// scripts allocate: either way the work lands in whichever script runs at that moment, and SLOWLOG
// charges it to that call. This starts its own redis-server on a free loopback port, then times
// 1,500 calls of a small read (HMGET of 24 job hashes, as a durations page of 24 jobs does), once
// alone and once while a second connection runs a script that makes much garbage (as BullMQ's own
// scripts do under load), and prints the median, p99 and longest of each from SLOWLOG.
//
// Usage: node benchmarks/lua-gc-tail.mjs [--redis-server PATH] (about 30 s)
import { spawn, spawnSync } from 'node:child_process';
import net from 'node:net';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import Redis from 'ioredis';

const serverPath = process.argv.includes('--redis-server') ? process.argv[process.argv.indexOf('--redis-server') + 1] : 'redis-server';
const port = await new Promise((resolve) => {
  const probe = net.createServer().listen(0, '127.0.0.1', () => {
    const { port: free } = probe.address();
    probe.close(() => resolve(free));
  });
});
const server = spawn(serverPath, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
// As the benchmark does while it times single calls: Redis on the last CPU, its main thread on
// SCHED_FIFO where the kernel allows it, this process on the others (nothing happens where taskset
// or chrt is missing).
const cpus = os.cpus().length;
if (cpus > 1) {
  spawnSync('taskset', ['-a', '-p', '-c', String(cpus - 1), String(server.pid)], { stdio: 'ignore' });
  spawnSync('chrt', ['-f', '-p', '1', String(server.pid)], { stdio: 'ignore' });
  spawnSync('taskset', ['-a', '-p', '-c', cpus === 2 ? '0' : `0-${cpus - 2}`, String(process.pid)], { stdio: 'ignore' });
}
try {
  const options = { host: '127.0.0.1', port, retryStrategy: (times) => (times < 50 ? 100 : null) };
  const reader = new Redis(options);
  const other = new Redis(options);
  await reader.ping();
  const opts = JSON.stringify({ attempts: 3, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: 1000 });
  const keys = Array.from({ length: 24 }, (_, i) => `job:${i}`);
  for (const key of keys) await reader.hset(key, { timestamp: '1700000000000', processedOn: '1700000000100', finishedOn: '1700000000300', ats: '1', opts });
  const read = await reader.script('LOAD', "local out = {} for i = 1, #KEYS do local j = redis.call('HMGET', KEYS[i], 'timestamp', 'processedOn', 'finishedOn', 'ats', 'opts') out[i] = {KEYS[i], j[1], j[2], j[3], j[4]} end return out");
  const garbage = await other.script('LOAD', "local t = {} for i = 1, 300 do t[i] = {i, tostring(i) .. 'x', {i}} end return #t");
  const quantile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
  for (const withGarbage of [false, true, false, true]) {
    await reader.config('SET', 'slowlog-log-slower-than', '0');
    await reader.config('SET', 'slowlog-max-len', '100000');
    await reader.slowlog('RESET');
    let stop = false;
    let others = 0;
    const background = (async () => {
      while (withGarbage && !stop) {
        const pipeline = other.pipeline();
        for (let i = 0; i < 20; i++) pipeline.evalsha(garbage, 0);
        await pipeline.exec();
        others += 20;
      }
    })();
    for (let i = 0; i < 1500; i++) await reader.evalsha(read, keys.length, ...keys);
    stop = true;
    await background;
    const log = await reader.slowlog('GET', 100000);
    const usec = (sha) => log.filter((entry) => String(entry[3][1]) === sha).map((entry) => Number(entry[2])).sort((a, b) => a - b);
    const mine = usec(read);
    const theirs = usec(garbage);
    const median = quantile(mine, 0.5);
    console.log(`${withGarbage ? 'beside a garbage-heavy script' : 'alone                        '}: ${mine.length} reads, median ${median} µs, p99 ${quantile(mine, 0.99)} µs, longest ${mine.at(-1)} µs, ${mine.filter((x) => x > 2 * median).length} over twice the median${withGarbage ? `; the other script: ${others} calls, median ${quantile(theirs, 0.5)} µs, longest ${theirs.at(-1)} µs` : ''}`);
  }
  await reader.quit();
  await other.quit();
}
finally {
  server.kill();
  await sleep(100);
}
