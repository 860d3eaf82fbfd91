-- PATCH /api/users/{id}: a fresh fullName for a random real user, without If-Match.   wrk ... -s patch.lua URL -- ids.txt
package.path = (debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "?.lua;" .. package.path
local bench = require("common")
local ids
local counter = 0
local headers = {}

setup = bench.setup
done = bench.done

function init(args)
  bench.seed()
  ids = bench.lines(args[1])
  for k, v in pairs(bench.headers) do headers[k] = v end
  headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  local body = string.format('{"fullName":"Patched %d-%d"}', thread_id, counter)
  return wrk.format("PATCH", "/api/users/" .. bench.pick(ids), headers, body)
end
