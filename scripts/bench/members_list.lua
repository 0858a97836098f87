-- First page (20) of an organization's members: the /api/v1/ offset page,
-- or with BENCH_LIST_API=v2 the /api/v2/ cursor page it is replaced by.
dofile(os.getenv("BENCH_DIR") .. "/pairs.lua")
local api = os.getenv("BENCH_LIST_API") or "v1"
assert(api == "v1" or api == "v2", "BENCH_LIST_API is v1 or v2")
request = function()
  local p = pick()
  return wrk.format("GET", "/api/" .. api .. "/orgs/" .. p.org .. "/members", auth(p))
end
