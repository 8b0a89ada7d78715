--[[
  bullmq-metrics: reads the job counts of BullMQ queues in one atomic, read-only call.
  Run with EVAL_RO (Redis refuses any write from it). It never changes a key, unlike
  BullMQ's own getCounts script, which pops legacy markers.

  KEYS: per queue, 11 keys in this order:
    wait, paused, active, prioritized, delayed, completed, failed, waiting-children,
    meta, metrics:completed, metrics:failed

  Returns one array per queue:
    {1, LLEN wait, LINDEX wait -1, LLEN paused, LINDEX paused -1, LLEN active,
     ZCARD prioritized, ZCARD delayed, ZCARD completed, ZCARD failed,
     ZCARD waiting-children, 1 if meta has paused else 0, HGET meta version,
     HGET metrics:completed count, HGET metrics:failed count}
  (a LINDEX of an empty list is not sent: it is false, as Redis would answer)
  or {0, error message} when one of that queue's keys cannot be read (wrong type).
]]
local call = redis.call

-- A tail is looked up only in a list that has one, and meta's two fields come from one
-- HMGET: 11 or 12 calls for a typical queue.
local function tail(key, length)
  if length > 0 then
    return call('LINDEX', key, -1)
  end
  return false
end

local function read(b)
  local waiting = call('LLEN', KEYS[b + 1])
  local paused = call('LLEN', KEYS[b + 2])
  local meta = call('HMGET', KEYS[b + 9], 'paused', 'version')
  return {
    1,
    waiting, tail(KEYS[b + 1], waiting),
    paused, tail(KEYS[b + 2], paused),
    call('LLEN', KEYS[b + 3]),
    call('ZCARD', KEYS[b + 4]), call('ZCARD', KEYS[b + 5]), call('ZCARD', KEYS[b + 6]),
    call('ZCARD', KEYS[b + 7]), call('ZCARD', KEYS[b + 8]),
    meta[1] and 1 or 0, meta[2],
    call('HGET', KEYS[b + 10], 'count'), call('HGET', KEYS[b + 11], 'count')
  }
end

local result = {}
for b = 0, #KEYS - 1, 11 do
  local ok, row = pcall(read, b)
  if not ok then
    row = {0, type(row) == 'table' and row.err or tostring(row)}
  end
  result[#result + 1] = row
end
return result
