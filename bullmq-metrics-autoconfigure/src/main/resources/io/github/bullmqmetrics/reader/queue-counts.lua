--[[
  bullmq-metrics: reads the job counts of BullMQ queues in one atomic, read-only call.
  Run with EVAL_RO (Redis refuses any write from it). It never changes a key, unlike
  BullMQ's own getCounts script, which pops legacy markers.

  KEYS: per queue, 13 keys in this order:
    wait, paused, active, prioritized, delayed, completed, failed, waiting-children,
    meta, metrics:completed, metrics:failed, id, events

  Returns one array per queue, in the order of QueueCountsScript.Field:
    {1, LLEN wait, LINDEX wait -1, LLEN paused, LINDEX paused -1, LLEN active,
     ZCARD prioritized, ZCARD delayed, ZCARD completed, ZCARD failed,
     ZCARD waiting-children, 1 if meta has paused else 0, HGET meta version,
     HGET metrics:completed count, HGET metrics:failed count, present}
  (a LINDEX of an empty list is not sent: it is false, as Redis would answer)
  where present is 1 when the queue has any job or metrics count, else the number of
  its meta, id and events keys that exist (0: the queue has no data at all);
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

-- The positions of the lengths and cardinalities in a row.
local COUNTED = {2, 4, 6, 7, 8, 9, 10, 11}

local function read(b)
  local waiting = call('LLEN', KEYS[b + 1])
  local paused = call('LLEN', KEYS[b + 2])
  local meta = call('HMGET', KEYS[b + 9], 'paused', 'version')
  local row = {
    1,
    waiting, tail(KEYS[b + 1], waiting),
    paused, tail(KEYS[b + 2], paused),
    call('LLEN', KEYS[b + 3]),
    call('ZCARD', KEYS[b + 4]), call('ZCARD', KEYS[b + 5]), call('ZCARD', KEYS[b + 6]),
    call('ZCARD', KEYS[b + 7]), call('ZCARD', KEYS[b + 8]),
    meta[1] and 1 or 0, meta[2],
    call('HGET', KEYS[b + 10], 'count'), call('HGET', KEYS[b + 11], 'count')
  }
  -- Only a queue that looks empty pays for the check that it exists at all.
  local present = (meta[1] or meta[2] or row[14] or row[15]) and 1 or 0
  for _, i in ipairs(COUNTED) do
    if row[i] ~= 0 then present = 1 end
  end
  if present == 0 then
    present = call('EXISTS', KEYS[b + 9], KEYS[b + 12], KEYS[b + 13])
  end
  row[16] = present
  return row
end

local result = {}
for b = 0, #KEYS - 1, 13 do
  local ok, row = pcall(read, b)
  if not ok then
    row = {0, type(row) == 'table' and row.err or tostring(row)}
  end
  result[#result + 1] = row
end
return result
