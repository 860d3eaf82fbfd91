-- GET /api/users/{id} with a random real id.   wrk ... -s get.lua URL -- ids.txt
package.path = (debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "?.lua;" .. package.path
local bench = require("common")
local ids

setup = bench.setup
done = bench.done

function init(args)
  bench.seed()
  ids = bench.lines(args[1])
end

function request()
  return wrk.format("GET", bench.prefix .. "/api/users/" .. bench.pick(ids), bench.headers)
end
