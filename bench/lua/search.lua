-- GET /api/users?q=…: the first page of a search for a random last name (each matches ~2% of the seed).
--   wrk ... -s search.lua URL -- terms.txt
package.path = (debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "?.lua;" .. package.path
local bench = require("common")
local terms

setup = bench.setup
done = bench.done

function init(args)
  bench.seed()
  terms = bench.lines(args[1])
end

function request()
  return wrk.format("GET", "/api/users?limit=50&q=" .. bench.pick(terms), bench.headers)
end
