-- First page (20) of an organization's projects.
dofile(os.getenv("BENCH_DIR") .. "/pairs.lua")
request = function()
  local p = pick()
  return wrk.format("GET", "/api/v1/orgs/" .. p.org .. "/projects", auth(p))
end
