--[[
  bullmq-metrics: reads one page of the jobs that finished in a time range, for their wait
  and processing times, in one atomic, read-only call. Run with EVAL_RO.

  Pages. A read of one queue and outcome may take several pages, each in a later call, so
  that no call reads more than a page of jobs. Jobs are read newest first, in the order of
  ZREVRANGE: by finishedOn, and by id (descending) among jobs that share one finishedOn. A
  page ends at a job, its anchor (score and id), which the next page is given: that page
  starts right after the anchor, at ZREVRANK(anchor) + 1, and so reads only jobs below
  the anchor in that order, which no earlier page read, even when jobs sharing the
  anchor's finishedOn were added or removed meanwhile. Should the anchor itself have gone
  (removed between two pages), the page starts below the anchor's finishedOn: the
  unread jobs of that very millisecond are passed over, counted as removed, never read
  twice.

  KEYS: per queue, 4 keys in this order:
    completed, failed, metrics:completed, metrics:failed
  ARGV: [1] the newest finishedOn to read (ms, inclusive), then per queue 13 values: the
    prefix of its job keys ('<prefix>:<queue>:'), then for completed and for failed 6
    values: the finishedOn already read up to (ms, exclusive); the score and the id of
    the anchor ('' and '' for the first page); the most jobs to read (0: none, and
    nothing of that outcome is looked at); the most bytes of opts JSON to read (a job
    that would exceed it is left unread); and '1' when the page's first job is read even
    so, else '0'.

  Returns one array per queue: {1, completed, failed}, where each of completed and failed
  is {} when no job was asked for, else, in the order of FinishedJobsScript.PageField:
    {ZCOUNT of the range, HGET metrics:<outcome> count, ZCOUNT above the range
       (these three on the first page only, else false),
     jobs of the range left below this page, score of the page's last job, its id
       (false, false when the page read none), bytes of opts read, 1 when the opts budget
       ended the page else 0,
     job, job, ...}
  with at most the jobs asked for, the newest first, each, in the order of
  FinishedJobsScript.JobField:
    {id, timestamp, processedOn, finishedOn, ats, delay from opts, parent}
  (a field the hash lacks is false; the delay is false when opts cannot be read; parent is
  the number of the job's :processed, :failed, :unsuccessful and :dependencies keys, which
  only a flow's parent has, looked up only for a first attempt, and 0 without a lookup of
  its own when one EXISTS of those keys of every first attempt of the page finds none);
  or {0, error message} when one of that queue's keys cannot be read (wrong type).
]]
local call = redis.call
local to = ARGV[1]

-- The keys that only a flow's parent has: its children's results and dependencies.
local PARENT_KEYS = {':processed', ':failed', ':unsuccessful', ':dependencies'}

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

local function page(zset, metrics, jobPrefix, a)
  local most = tonumber(ARGV[a + 3])
  if most < 1 then
    return {}
  end
  local anchorScore, anchorId, optsBudget = ARGV[a + 1], ARGV[a + 2], tonumber(ARGV[a + 4])
  local firstFree = ARGV[a + 5] == '1'
  -- Ranks count from the newest job: the range is ranks [later, newer).
  local newer = call('ZCOUNT', zset, '(' .. ARGV[a], '+inf')
  local result, start
  if anchorId == '' then
    local later = call('ZCOUNT', zset, '(' .. to, '+inf')
    result = {newer - later, call('HGET', metrics, 'count'), later}
    start = later
  else
    result = {false, false, false}
    local rank = call('ZREVRANK', zset, anchorId)
    if rank and call('ZSCORE', zset, anchorId) == anchorScore then
      start = rank + 1
    else
      start = call('ZCOUNT', zset, anchorScore, '+inf')
    end
  end
  local ids = {}
  if newer > start then
    ids = call('ZREVRANGE', zset, start, start + math.min(most, newer - start) - 1, 'WITHSCORES')
  end
  -- Copying and scanning opts is most of a job's cost: huge options (telemetry metadata,
  -- say) end the page early rather than hold Redis up.
  local jobs, optsBytes, cut, lastScore, lastId = {}, 0, 0, false, false
  -- The parent keys of every first attempt, #PARENT_KEYS a job, and where those jobs are.
  local parentKeys, firstAttempts = {}, {}
  for i = 1, #ids, 2 do
    local id = ids[i]
    local key = jobPrefix .. id
    local job = call('HMGET', key, 'timestamp', 'processedOn', 'finishedOn', 'ats', 'opts')
    local size = job[5] and #job[5] or 0
    if optsBytes + size > optsBudget and (#jobs > 0 or not firstFree) then
      cut = 1
      break
    end
    optsBytes = optsBytes + size
    local delay = false
    if job[4] == '1' then
      delay = originalDelay(job[5])
      firstAttempts[#firstAttempts + 1] = #jobs + 1
      for _, suffix in ipairs(PARENT_KEYS) do
        parentKeys[#parentKeys + 1] = key .. suffix
      end
    end
    jobs[#jobs + 1] = {id, job[1], job[2], job[3], job[4], delay, 0}
    lastId, lastScore = id, ids[i + 1]
  end
  -- Flow parents are rare: one EXISTS for the keys of every first attempt of the page
  -- usually says there is none. Only when it finds one is each job asked on its own.
  if #parentKeys > 0 and call('EXISTS', unpack(parentKeys)) > 0 then
    for n, j in ipairs(firstAttempts) do
      local from = (n - 1) * #PARENT_KEYS + 1
      jobs[j][7] = call('EXISTS', unpack(parentKeys, from, from + #PARENT_KEYS - 1))
    end
  end
  result[4] = newer - start - #jobs
  result[5] = lastScore
  result[6] = lastId
  result[7] = optsBytes
  result[8] = cut
  for _, job in ipairs(jobs) do
    result[#result + 1] = job
  end
  return result
end

local function read(k, a)
  local prefix = ARGV[a]
  return {
    1,
    page(KEYS[k + 1], KEYS[k + 3], prefix, a + 1),
    page(KEYS[k + 2], KEYS[k + 4], prefix, a + 7)
  }
end

local result = {}
for q = 0, #KEYS / 4 - 1 do
  local ok, row = pcall(read, q * 4, 2 + q * 13)
  if not ok then
    row = {0, type(row) == 'table' and row.err or tostring(row)}
  end
  result[#result + 1] = row
end
return result
