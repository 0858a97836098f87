-- Creates a project, then deletes it. Each wrk thread acts as one guest (its
-- connections share this Lua state), so a DELETE always carries the token of
-- the guest that created the project; created ids wait in a queue.
dofile(os.getenv("BENCH_DIR") .. "/pairs.lua")
local p = nil
local queue = {}
local n = 0
request = function()
  p = p or pick()
  if #queue > 0 then
    return wrk.format("DELETE", "/api/v1/projects/" .. table.remove(queue, 1), auth(p))
  end
  n = n + 1
  local headers = auth(p)
  headers["Content-Type"] = "application/json"
  local body = string.format('{"name":"tmp","slug":"tmp-%d-%d"}', math.random(1e9), n)
  return wrk.format("POST", "/api/v1/orgs/" .. p.org .. "/projects", headers, body)
end
response = function(status, headers, body)
  if status == 201 then
    queue[#queue + 1] = body:match('"id":"([0-9a-f%-]+)"')
  end
end
