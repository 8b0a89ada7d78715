--[[
  bullmq-metrics: reads the jobs that finished in a time range, for their wait and
  processing times, in one atomic, read-only call. Run with EVAL_RO.

  KEYS: per queue, 4 keys in this order:
    completed, failed, metrics:completed, metrics:failed
  ARGV: [1] the newest finishedOn to read (ms, inclusive), [2] the most jobs to read per
    queue and outcome, [3] the most bytes of opts JSON to read per queue and outcome (a
    job that would exceed it is left unread, unless it is the first), then per queue 3
    values: the prefix of its job keys ('<prefix>:<queue>:'), and the finishedOn already
    read up to (ms, exclusive) for completed and for failed.

  Returns one array per queue: {1, completed, failed}, where each of completed and failed
  is, in the order of FinishedJobsScript.Range:
    {ZCOUNT of the range, HGET metrics:<outcome> count, ZCOUNT above the range,
     job, job, ...}
  with at most ARGV[2] jobs (fewer when their opts exceed ARGV[3]), the newest first, each,
  in the order of
  FinishedJobsScript.JobField:
    {id, timestamp, processedOn, finishedOn, ats, delay from opts, parent}
  (a field the hash lacks is false; the delay is false when opts cannot be read; parent is
  the number of the job's :processed, :failed, :unsuccessful and :dependencies keys, which
  only a flow's parent has, looked up only for a first attempt);
  or {0, error message} when one of that queue's keys cannot be read (wrong type).
]]
local call = redis.call
local to = ARGV[1]
local limit = tonumber(ARGV[2])
local optsBudget = tonumber(ARGV[3])

-- The delay the job was added with. Most jobs have no "delay" anywhere in their options,
-- so only those that do pay for decoding (a retried job's backoff has a "delay" too).
local function originalDelay(opts)
  if not opts then
    return false
  end
  if not string.find(opts, '"delay"', 1, true) then
    return 0
  end
  local ok, decoded = pcall(cjson.decode, opts)
  if not ok or type(decoded) ~= 'table' then
    return false
  end
  local delay = decoded['delay']
  if delay == nil then
    return 0
  end
  if type(delay) ~= 'number' then
    return false
  end
  return delay
end

local function range(zset, metrics, jobPrefix, from)
  local lower = '(' .. from
  local inRange = call('ZCOUNT', zset, lower, to)
  local result = {inRange, call('HGET', metrics, 'count'), call('ZCOUNT', zset, '(' .. to, '+inf')}
  if inRange > 0 then
    local ids = call('ZREVRANGEBYSCORE', zset, to, lower, 'LIMIT', 0, limit)
    -- Copying and scanning opts is most of a job's cost: huge options (telemetry metadata,
    -- say) end the range early rather than hold Redis up.
    local optsBytes = 0
    for _, id in ipairs(ids) do
      local key = jobPrefix .. id
      local job = call('HMGET', key, 'timestamp', 'processedOn', 'finishedOn', 'ats', 'opts')
      optsBytes = optsBytes + (job[5] and #job[5] or 0)
      if optsBytes > optsBudget and #result > 3 then
        break
      end
      local parent = 0
      local delay = false
      if job[4] == '1' then
        parent = call('EXISTS', key .. ':processed', key .. ':failed', key .. ':unsuccessful',
          key .. ':dependencies')
        delay = originalDelay(job[5])
      end
      result[#result + 1] = {id, job[1], job[2], job[3], job[4], delay, parent}
    end
  end
  return result
end

local function read(k, a)
  return {
    1,
    range(KEYS[k + 1], KEYS[k + 3], ARGV[a], ARGV[a + 1]),
    range(KEYS[k + 2], KEYS[k + 4], ARGV[a], ARGV[a + 2])
  }
end

local result = {}
for q = 0, #KEYS / 4 - 1 do
  local ok, row = pcall(read, q * 4, 4 + q * 3)
  if not ok then
    row = {0, type(row) == 'table' and row.err or tostring(row)}
  end
  result[#result + 1] = row
end
return result
