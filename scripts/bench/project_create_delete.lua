-- Creates a project, then deletes it. Every create picks a random guest, as
-- the reads do: one guest per wrk thread would have 16 requests in flight and
-- meet the server's per-user concurrency limit (429). The created ids wait in
-- a queue with the guest that owns them (found by the answer's org_id), so a
-- DELETE always carries that guest's token.
-- BENCH_IDEMPOTENCY_KEYS=1: every create carries a new Idempotency-Key, which
-- the server stores with the answer in the create's transaction.
dofile(os.getenv("BENCH_DIR") .. "/pairs.lua")
local keyed = os.getenv("BENCH_IDEMPOTENCY_KEYS") == "1"
local run = math.random(1e9)
local queue = {}
local n = 0
request = function()
  if #queue > 0 then
    local created = table.remove(queue, 1)
    return wrk.format("DELETE", "/api/v1/projects/" .. created.id, auth(created.owner))
  end
  local p = pick()
  n = n + 1
  local headers = auth(p)
  headers["Content-Type"] = "application/json"
  if keyed then headers["Idempotency-Key"] = string.format("bench-%d-%d", run, n) end
  local body = string.format('{"name":"tmp","slug":"tmp-%d-%d"}', run, n)
  return wrk.format("POST", "/api/v1/orgs/" .. p.org .. "/projects", headers, body)
end
response = function(status, headers, body)
  if status == 201 then
    local id = body:match('"id":"([0-9a-f%-]+)"')
    local owner = pair_of(body:match('"org_id":"([0-9a-f%-]+)"'))
    queue[#queue + 1] = { id = id, owner = owner }
  end
end
