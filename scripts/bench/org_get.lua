-- Authenticated, RLS-scoped read of one organization by id.
dofile(os.getenv("BENCH_DIR") .. "/pairs.lua")
request = function()
  local p = pick()
  return wrk.format("GET", "/api/v1/orgs/" .. p.org, auth(p))
end
