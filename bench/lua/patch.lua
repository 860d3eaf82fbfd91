-- PATCH /api/users/{id}: a fresh fullName for a random real user, without If-Match. The new name keeps one of the
-- seed's last names, so searches still find ~2% of the users per name.   wrk ... -s patch.lua URL -- ids.txt terms.txt
package.path = (debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "?.lua;" .. package.path
local bench = require("common")
local ids, terms
local counter = 0
local headers = {}

setup = bench.setup
done = bench.done

function init(args)
  bench.seed()
  ids = bench.lines(args[1])
  terms = bench.lines(args[2])
  for k, v in pairs(bench.headers) do headers[k] = v end
  headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  local last = bench.pick(terms)
  local body = string.format('{"fullName":"Patched %d-%d %s%s"}', thread_id, counter, last:sub(1, 1):upper(), last:sub(2))
  return wrk.format("PATCH", "/api/users/" .. bench.pick(ids), headers, body)
end
