--[[
  bullmq-metrics: reads the state of BullMQ queues (job counts, latency, overdue jobs,
  schedulers, rate limit and global concurrency) in one atomic, read-only call.
  Run with EVAL_RO (Redis refuses any write from it). It never changes a key, unlike
  BullMQ's own getCounts script, which pops legacy markers.

  KEYS: per queue, 15 keys in this order:
    wait, paused, active, prioritized, delayed, completed, failed, waiting-children,
    meta, metrics:completed, metrics:failed, id, events, repeat, limiter
  The hashes of the jobs at the front of the queue, <prefix>:<queue>:<id>, are read too
  (for latency only); they share the queue's hash slot, since BullMQ needs a hash tag on a
  cluster.
  ARGV[1]: '0' to skip latency and overdue (no TIME, no job hash, no ZRANGE or ZCOUNT),
  anything else to read them.

  Returns one array per queue, in the order of QueueCountsScript.Field:
    {1, LLEN wait, LINDEX wait -1, LLEN paused, LINDEX paused -1, LLEN active,
     ZCARD prioritized, ZCARD delayed, ZCARD completed, ZCARD failed,
     ZCARD waiting-children, 1 if meta has paused else 0, HGET meta version,
     HGET metrics:completed count, HGET metrics:failed count, present,
     latency ms, overdue, ZCARD repeat, rate limit ms, HGET meta concurrency}
  (a LINDEX of an empty list is not sent: it is false, as Redis would answer)
  where present is 1 when the queue has any job or metrics count, else the number of
  its meta, id and events keys that exist (0: the queue has no data at all); latency
  and overdue are false when they are skipped, or when TIME is refused (an ACL without
  +time);
  or {0, error message} when one of that queue's keys cannot be read (wrong type).
]]
local call = redis.call

-- Latency and overdue cost most of a queue's reads: they can be switched off.
local withLatency = ARGV[1] ~= '0'

-- Redis' clock, in ms. TIME is not in the ACL category @read: where it is refused, only
-- latency and overdue are unknown. Without latency, TIME is not even asked for.
local now = false
if withLatency then
  local time = redis.pcall('TIME')
  if type(time) == 'table' and not time.err then
    now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
  end
end

-- A tail is looked up only in a list that has one, and meta's fields come from one
-- HMGET: about a dozen calls for a typical queue. The tail is needed for the counts
-- too, latency or not: a legacy marker there is not a job.
local function tail(key, length)
  if length > 0 then
    return call('LINDEX', key, -1)
  end
  return false
end

-- A legacy marker (0 from BullMQ 2, 0:<delay> from 3.1 to 4) is not a job.
local function isMarker(id)
  return id == '0' or string.sub(id, 1, 2) == '0:'
end

-- The next job of a list: its tail, or the entry before a legacy marker there.
local function nextInList(key, length, last)
  if not last then
    return false
  end
  if isMarker(last) then
    if length < 2 then
      return false
    end
    return call('LINDEX', key, -2)
  end
  return last
end

-- The delay the job was added with. The hash's own 'delay' is reset to 0 when a delayed
-- job is promoted, and becomes the backoff on a retry; 'opts' keeps the original.
local function originalDelay(opts)
  -- Most jobs are added without a delay, and BullMQ writes no 'delay' into their opts: such
  -- opts are not decoded at all (JSON.stringify never escapes the letters of a key).
  if not opts or not string.find(opts, '"delay"', 1, true) then
    return 0
  end
  local ok, decoded = pcall(cjson.decode, opts)
  if ok and type(decoded) == 'table' and tonumber(decoded.delay) then
    return tonumber(decoded.delay)
  end
  return 0
end

-- When a job became ready to run, by the rule the README gives: created plus the
-- delay it was added with; for a job started before (a retry, a stalled job), no
-- earlier than its last start plus its backoff; and when that is still ahead (an early
-- promote(), a shortened changeDelay), its creation time.
local function readySince(jobKeyPrefix, id)
  if not id then
    return false
  end
  local job = call('HMGET', jobKeyPrefix .. id, 'timestamp', 'delay', 'processedOn', 'opts')
  local created = tonumber(job[1])
  if not created then
    return false
  end
  local ready = created + originalDelay(job[4])
  local started = tonumber(job[3])
  if started then
    ready = math.max(ready, started + (tonumber(job[2]) or 0))
  end
  if ready > now then
    ready = created
  end
  return ready
end

local function latency(b, row)
  local jobKeyPrefix = string.sub(KEYS[b + 1], 1, -5)
  local oldest = false
  local function consider(ready)
    if ready and (not oldest or ready < oldest) then
      oldest = ready
    end
  end
  consider(readySince(jobKeyPrefix, nextInList(KEYS[b + 1], row[2], row[3])))
  consider(readySince(jobKeyPrefix, nextInList(KEYS[b + 2], row[4], row[5])))
  if row[7] > 0 then
    consider(readySince(jobKeyPrefix, call('ZRANGE', KEYS[b + 4], 0, 0)[1]))
  end
  local overdue = 0
  if row[8] > 0 then
    -- Due at floor(score / 4096); due and not yet promoted means waiting too.
    local first = call('ZRANGE', KEYS[b + 5], 0, 0, 'WITHSCORES')
    local due = math.floor(tonumber(first[2]) / 4096)
    if due <= now then
      consider(due)
      -- As BullMQ 6.7's getDelayedCount(now): due strictly before now.
      overdue = call('ZCOUNT', KEYS[b + 5], '-inf', now * 4096 - 1)
    end
  end
  if not oldest then
    return 0, overdue
  end
  return math.max(0, now - oldest), overdue
end

-- As BullMQ's getRateLimitTtl(): with a global 'max' in meta, the limiter's PTTL while
-- it has reached it, else 0; without one, the limiter's raw PTTL (-2: no key).
local function rateLimitTtl(b, max)
  local limit = tonumber(max)
  if limit then
    if limit <= (tonumber(call('GET', KEYS[b + 15])) or 0) then
      local pttl = call('PTTL', KEYS[b + 15])
      if pttl > 0 then
        return pttl
      end
    end
    return 0
  end
  return call('PTTL', KEYS[b + 15])
end

local function read(b)
  local waiting = call('LLEN', KEYS[b + 1])
  local paused = call('LLEN', KEYS[b + 2])
  local meta = call('HMGET', KEYS[b + 9], 'paused', 'version', 'max', 'concurrency')
  local waitTail, pausedTail = tail(KEYS[b + 1], waiting), tail(KEYS[b + 2], paused)
  local active = call('LLEN', KEYS[b + 3])
  local prioritized, delayed = call('ZCARD', KEYS[b + 4]), call('ZCARD', KEYS[b + 5])
  local completed, failed = call('ZCARD', KEYS[b + 6]), call('ZCARD', KEYS[b + 7])
  local waitingChildren = call('ZCARD', KEYS[b + 8])
  local completedTotal, failedTotal = call('HGET', KEYS[b + 10], 'count'), call('HGET', KEYS[b + 11], 'count')
  -- Only a queue that looks empty pays for the check that it exists at all.
  local present = 1
  if not (meta[1] or meta[2] or completedTotal or failedTotal) and waiting + paused + active + prioritized
      + delayed + completed + failed + waitingChildren == 0 then
    present = call('EXISTS', KEYS[b + 9], KEYS[b + 12], KEYS[b + 13])
  end
  local row = {
    1, waiting, waitTail, paused, pausedTail, active, prioritized, delayed, completed, failed,
    waitingChildren, meta[1] and 1 or 0, meta[2], completedTotal, failedTotal, present,
    false, false, call('ZCARD', KEYS[b + 14]), rateLimitTtl(b, meta[3]), meta[4]
  }
  if now then
    row[17], row[18] = latency(b, row)
  end
  return row
end

local result = {}
-- One protected call for the whole batch; only when a key cannot be read (a wrong type)
-- is each queue read again on its own, so that one broken queue does not hide the others.
local ok = pcall(function()
  for b = 0, #KEYS - 1, 15 do
    result[#result + 1] = read(b)
  end
end)
if not ok then
  result = {}
  for b = 0, #KEYS - 1, 15 do
    local fine, row = pcall(read, b)
    if not fine then
      row = {0, type(row) == 'table' and row.err or tostring(row)}
    end
    result[#result + 1] = row
  end
end
return result
