-- GET /api/users: one page of 50, starting at a random cursor (or at the start).   wrk ... -s list.lua URL -- cursors.txt
package.path = (debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "?.lua;" .. package.path
local bench = require("common")
local cursors

setup = bench.setup
done = bench.done

function init(args)
  bench.seed()
  cursors = bench.lines(args[1])
end

function request()
  local cursor = bench.pick(cursors)
  local path = cursor == "-" and "/api/users?limit=50" or "/api/users?limit=50&cursor=" .. cursor
  return wrk.format("GET", path, bench.headers)
end
