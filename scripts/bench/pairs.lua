-- Shared by the wrk scripts: the (token, org id, org slug, user id) lines that
-- `bench-tool seed` wrote to $BENCH_PAIRS, one random pair per request.
local pairs = {}
local by_org = {}
for line in io.lines(os.getenv("BENCH_PAIRS")) do
  local token, org, slug = line:match("^(%S+) (%S+) (%S+)")
  if token then
    pairs[#pairs + 1] = { token = token, org = org, slug = slug }
    by_org[org] = pairs[#pairs]
  end
end
math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)"), 16) % 1000)
function pick() return pairs[math.random(#pairs)] end
-- The pair whose guest owns the organization `org` (its id).
function pair_of(org) return by_org[org] end
function auth(p) return { ["Authorization"] = "Bearer " .. p.token } end
