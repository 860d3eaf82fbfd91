-- Shared by the scenario scripts (wrk runs each script once per thread and once more for setup/done).
--   BENCH_TOKEN        optional bearer token: sent as "Authorization: Bearer <token>" on every request
--   BENCH_PATH_PREFIX  optional prefix of every path (the FastAPI peer's unauthenticated routes: /anon)
-- done() prints one machine-readable line that bench/run.sh parses.
local M = {}

M.headers = {}
M.prefix = os.getenv("BENCH_PATH_PREFIX") or ""
local token = os.getenv("BENCH_TOKEN")
if token and token ~= "" then
  M.headers["Authorization"] = "Bearer " .. token
end

-- Numbers the threads, so that writes can make values unique per thread.
local next_thread = 1
function M.setup(thread)
  thread:set("thread_id", next_thread)
  next_thread = next_thread + 1
end

function M.seed()
  math.randomseed(os.time() * 1000 + (thread_id or 0))
end

function M.lines(path)
  local list = {}
  local file = assert(io.open(path, "r"), "cannot open " .. tostring(path))
  for line in file:lines() do
    if line ~= "" then list[#list + 1] = line end
  end
  file:close()
  assert(#list > 0, path .. " is empty")
  return list
end

function M.pick(list)
  return list[math.random(#list)]
end

function M.done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d rps=%.1f p50_us=%d p99_us=%d max_us=%d non2xx=%d connect=%d read=%d write=%d timeout=%d\n",
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(99), latency.max,
    e.status, e.connect, e.read, e.write, e.timeout))
end

return M
