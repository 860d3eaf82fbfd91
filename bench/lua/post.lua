-- POST /api/users: sign-ups, each with a never-used email.   wrk ... -s post.lua URL
--   BENCH_RUN_ID     unique per wrk invocation (run.sh: run id, its pid, label, scenario, conns, round, a sequence
--                    number), so that emails never repeat across runs, rounds, warm-ups and the storm
--   BENCH_ONE_CONN   1: wrk runs one connection per thread (-tN -cN). Then each answer is timed by status (wrk's own
--                    histogram mixes 201s and 503s) and a refused sign-up (503 or 429) waits before the connection's
--                    next one, as a client told Retry-After would; otherwise statuses are only counted
--   BENCH_RETRY_MS   [1000] that wait: min(Retry-After, this) ms; 0: retry at once (a client that ignores it)
--   BENCH_SLOW_MS    [3000] a sign-up answered after this long, or still unanswered this long at the end, counts as
--                    timed out (wrk's own --timeout is set far away and not used)
-- done() prints the common RESULT line and a SIGNUP line (statuses, per-status latency) that bench/run.sh parses.
package.path = (debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "?.lua;" .. package.path
local bench = require("common")
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clock, bench_timespec *ts);
]]
local ts = ffi.new("bench_timespec")
local function now_us() -- CLOCK_MONOTONIC, the same in every thread's Lua state
  ffi.C.clock_gettime(1, ts)
  return tonumber(ts.tv_sec) * 1e6 + tonumber(ts.tv_nsec) / 1e3
end

local run = os.getenv("BENCH_RUN_ID") or tostring(os.time())
local one_conn = os.getenv("BENCH_ONE_CONN") == "1"
local retry_cap_ms = tonumber(os.getenv("BENCH_RETRY_MS") or "1000")
local slow_us = tonumber(os.getenv("BENCH_SLOW_MS") or "3000") * 1000
local counter = 0
local headers = {}

-- Per thread, read by done() through thread:get (wrk copies globals, tables included).
statuses = {}        -- status -> answers
hist = {}            -- "status:bucket" -> answers; bucket = floor(50 * ln(latency in us)), ~2% wide
no_retry_after = 0   -- 503/429 answers without a Retry-After header
slow = 0             -- answered after more than BENCH_SLOW_MS
sent_at = 0          -- when the request in flight was made (0: none in flight)
local pause_ms = 0

local threads = {}
function setup(thread)
  bench.setup(thread)
  threads[#threads + 1] = thread
end

function init(args)
  bench.seed()
  for k, v in pairs(bench.headers) do headers[k] = v end
  headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  if one_conn then sent_at = now_us() end
  local body = string.format(
    '{"email":"s%s-%d-%d@post.bench","password":"correct horse battery staple","fullName":"Signed Up %d"}',
    run, thread_id, counter, counter)
  return wrk.format("POST", "/api/users", headers, body)
end

local function header(h, name)
  for k, v in pairs(h) do
    if k:lower() == name then return v end
  end
end

function response(status, h, body)
  statuses[status] = (statuses[status] or 0) + 1
  local refused = status == 503 or status == 429
  local retry_after = refused and tonumber(header(h, "retry-after") or "")
  if refused and not retry_after then no_retry_after = no_retry_after + 1 end
  if not one_conn then return end
  local latency = now_us() - sent_at
  sent_at = 0
  if latency > slow_us then slow = slow + 1 end
  local key = status .. ":" .. math.floor(50 * math.log(math.max(latency, 1)))
  hist[key] = (hist[key] or 0) + 1
  if refused and retry_cap_ms > 0 then pause_ms = math.min((retry_after or 0) * 1000, retry_cap_ms) end
end

if os.getenv("BENCH_ONE_CONN") == "1" then
  function delay()
    local p = pause_ms
    pause_ms = 0
    return p
  end
end

-- Percentile (0-100) of the latencies of the given statuses (a set), from the merged buckets; 0 when none.
local function percentile(merged, wanted, p)
  local buckets, total = {}, 0
  for key, n in pairs(merged) do
    local status, bucket = key:match("^(%d+):(-?%d+)$")
    if wanted[tonumber(status)] then
      buckets[#buckets + 1] = { tonumber(bucket), n }
      total = total + n
    end
  end
  if total == 0 then return 0 end
  table.sort(buckets, function(a, b) return a[1] < b[1] end)
  local need, seen = total * p / 100, 0
  for _, b in ipairs(buckets) do
    seen = seen + b[2]
    if seen >= need then return math.floor(math.exp((b[1] + 0.5) / 50)) end
  end
  return math.floor(math.exp((buckets[#buckets][1] + 0.5) / 50))
end

function done(summary, latency, requests)
  bench.done(summary, latency, requests)
  local all, merged, nra, nslow, unanswered, max503 = {}, {}, 0, 0, 0, 0
  local t = now_us()
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do all[status] = (all[status] or 0) + n end
    for key, n in pairs(thread:get("hist")) do merged[key] = (merged[key] or 0) + n end
    nra = nra + thread:get("no_retry_after")
    nslow = nslow + thread:get("slow")
    local sent = thread:get("sent_at")
    if one_conn and sent > 0 then
      unanswered = unanswered + 1
      if t - sent > slow_us then nslow = nslow + 1 end
    end
  end
  local other, list = 0, {}
  for status, n in pairs(all) do
    if status ~= 201 and status ~= 503 then other = other + n end
    list[#list + 1] = status .. ":" .. n
  end
  table.sort(list)
  for key, _ in pairs(merged) do
    local status, bucket = key:match("^(%d+):(-?%d+)$")
    if status == "503" then max503 = math.max(max503, math.floor(math.exp((tonumber(bucket) + 1) / 50))) end
  end
  local s201, s503 = { [201] = true }, { [503] = true }
  io.write(string.format(
    "SIGNUP timed=%d s201=%d s503=%d other=%d no_retry_after=%d slow=%d unanswered=%d " ..
    "p50_201_us=%d p99_201_us=%d p50_503_us=%d p99_503_us=%d max_503_us=%d statuses=%s\n",
    one_conn and 1 or 0, all[201] or 0, all[503] or 0, other, nra, nslow, unanswered,
    percentile(merged, s201, 50), percentile(merged, s201, 99), percentile(merged, s503, 50),
    percentile(merged, s503, 99), max503, #list > 0 and table.concat(list, ",") or "-"))
end
