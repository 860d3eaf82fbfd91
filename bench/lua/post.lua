-- POST /api/users: a sign-up with a never-used email (BENCH_RUN_ID keeps runs apart).   wrk ... -s post.lua URL
package.path = (debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "?.lua;" .. package.path
local bench = require("common")
local run = os.getenv("BENCH_RUN_ID") or tostring(os.time())
local counter = 0
local headers = {}

setup = bench.setup
done = bench.done

function init(args)
  bench.seed()
  for k, v in pairs(bench.headers) do headers[k] = v end
  headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"email":"signup-%s-%d-%d@post.bench","password":"correct horse battery staple","fullName":"Signed Up %d"}',
    run, thread_id, counter, counter)
  return wrk.format("POST", "/api/users", headers, body)
end
