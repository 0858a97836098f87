#!/usr/bin/env bash
# The Postman checks of scripts/test.sh, each shown to fail on broken input:
#   drift          openapi/backend.postman_collection.json is what generate.sh makes of the spec
#   json-format    the hand-written files in tests/postman/ are pretty-printed with a final newline
#   generated      every request of the generated collection, sent as generated to a fresh server,
#                  answers a status its operation documents (errors in the ApiError envelope)
#   flow:local     the smoke flow with the local environment (baseUrl from BACKEND_URL)
#   smoke:kind     the deployment smoke command of docs/deploy.md, verbatim but for the URL:
#                  BACKEND_URL=https://api-dev.localhost:PORT ... run.sh --env kind, through a TLS
#                  proxy with a self-signed certificate standing in for the kind ingress
#   and a negative case for each: a stale collection, a mangled generated request, a wrong
#   expectation in the flow, a certificate check against the self-signed proxy, no admin token.
#
#   bash scripts/postman/check.sh     (POSTMAN_VERBOSE=1 prints every newman run in full)
#
# The server is started like scripts/conformance.sh does (scripts/lib/spawn-backend.sh):
# the built binary (BACKEND_BIN or ${CARGO_TARGET_DIR}/debug/backend), a fresh database, a free
# port, a random JWT secret and an admin token minted with it. DATABASE_URL (superuser) and
# REDIS_URL default to this machine's. Ends with `postman: N passed, M failed`; exit 1 on a failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=../lib/services.sh source-path=SCRIPTDIR
source scripts/lib/services.sh
# shellcheck source=../lib/spawn-backend.sh source-path=SCRIPTDIR
source scripts/lib/spawn-backend.sh
# shellcheck source=lib.sh source-path=SCRIPTDIR
source scripts/postman/lib.sh

export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
started=$SECONDS
work="$(mktemp -d)"
proxy_pid=""
cleanup() {
    if [ -n "$proxy_pid" ]; then kill "$proxy_pid" 2>/dev/null || true; fi
    stop_backend
    rm -rf "$work"
}
trap cleanup EXIT

passed=0
failed=0
# check NAME CMD...: CMD must succeed. Its output is shown in full on failure (or with
# POSTMAN_VERBOSE=1), else only its last line.
check() {
    local name="$1" t0=$SECONDS status=0
    shift
    "$@" >"$work/out" 2>&1 || status=$?
    if [ "$status" -eq 0 ]; then
        passed=$((passed + 1))
        printf 'PASS [%s] %ss: %s\n' "$name" "$((SECONDS - t0))" "$(tail -n 1 "$work/out")"
        if [ -n "${POSTMAN_VERBOSE:-}" ]; then sed 's/^/    /' "$work/out"; fi
    else
        failed=$((failed + 1))
        printf 'FAIL [%s] exit %s\n' "$name" "$status"
        sed 's/^/    /' "$work/out"
    fi
}
# refuses NAME PATTERN... -- CMD...: CMD must fail, and its output must match every extended
# regex PATTERN.
refuses() {
    local name="$1" t0=$SECONDS status=0 patterns=() pattern missing=""
    shift
    while [ "$1" != "--" ]; do patterns+=("$1"); shift; done
    shift
    "$@" >"$work/out" 2>&1 || status=$?
    for pattern in "${patterns[@]}"; do
        grep -Eq -- "$pattern" "$work/out" || missing+=" /$pattern/"
    done
    if [ "$status" -ne 0 ] && [ -z "$missing" ]; then
        passed=$((passed + 1))
        printf 'PASS [%s] %ss: fails (exit %s) with' "$name" "$((SECONDS - t0))" "$status"
        printf ' /%s/' "${patterns[@]}"
        printf '\n'
        if [ -n "${POSTMAN_VERBOSE:-}" ]; then sed 's/^/    /' "$work/out"; fi
    else
        failed=$((failed + 1))
        printf 'FAIL [%s] expected a failure with%s; got exit %s:\n' "$name" "${missing:- the patterns}" "$status"
        sed 's/^/    /' "$work/out"
    fi
}

ensure_services
ensure_roles
ensure_postman_tools

# Offline: the generated collection and the JSON files.
check drift bash scripts/postman/generate.sh --check
sed '0,/"name": "Liveness probe"/s//"name": "Liveness probe (edited by hand)"/' \
    openapi/backend.postman_collection.json >"$work/stale.json"
refuses drift-negative 'differs from what openapi/backend.yaml generates' 'regenerate it with: bash scripts/postman/generate.sh' \
    -- env COLLECTION="$work/stale.json" bash scripts/postman/generate.sh --check
json_format() {
    # shellcheck disable=SC2016 # JavaScript template literals, not shell
    node -e '
const fs = require("fs");
let bad = 0;
for (const file of process.argv.slice(1)) {
  const text = fs.readFileSync(file, "utf8");
  if (`${JSON.stringify(JSON.parse(text), null, 2)}\n` !== text) { console.log(`${file}: not 2-space pretty-printed JSON with a final newline`); bad++; }
}
console.log(`${process.argv.length - 1 - bad} of ${process.argv.length - 1} files pretty-printed`);
process.exit(bad ? 1 : 0);
' "$@"
}
check json-format json_format tests/postman/*.json
printf '{"info": {}}' >"$work/compact.json"
refuses json-format-negative 'not 2-space pretty-printed' -- json_format "$work/compact.json"

# Against a fresh server.
spawn_backend postman
admin="$(spawned_admin_token postman)"
node scripts/postman/contract.mjs openapi/backend.postman_collection.json "$work/contract.json" >/dev/null
check generated env POSTMAN_COLLECTION="$work/contract.json" BACKEND_URL="$SPAWNED_URL" BACKEND_ADMIN_TOKEN="$admin" \
    bash scripts/postman/run.sh --env local
sed 's/"health"/"healthz"/' openapi/backend.postman_collection.json >"$work/mangled.json"
node scripts/postman/contract.mjs "$work/mangled.json" "$work/contract-mangled.json" >/dev/null
refuses generated-negative 'AssertionError +answers a documented status' 'healthz' \
    -- env POSTMAN_COLLECTION="$work/contract-mangled.json" BACKEND_URL="$SPAWNED_URL" BACKEND_ADMIN_TOKEN="$admin" \
    bash scripts/postman/run.sh --env local

check flow:local env BACKEND_URL="$SPAWNED_URL" BACKEND_ADMIN_TOKEN="$admin" bash scripts/postman/run.sh --env local
# A wrong expectation added to a copy of the flow: exactly that assertion fails, the run fails.
node -e '
const fs = require("fs");
const c = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
c.item[0].event.push({ listen: "test", script: { type: "text/javascript", exec: [
  "pm.test(\"negative check: a status the server never reports\", function () {",
  "    pm.expect(pm.response.json().status).to.eql(\"broken\");",
  "});",
] } });
fs.writeFileSync(process.argv[2], JSON.stringify(c));
' tests/postman/backend-smoke.postman_collection.json "$work/wrong.json"
refuses flow-negative 'AssertionError +negative check: a status the server never reports' 'assertions passed, 1 failed$' \
    -- env POSTMAN_COLLECTION="$work/wrong.json" BACKEND_URL="$SPAWNED_URL" BACKEND_ADMIN_TOKEN="$admin" \
    bash scripts/postman/run.sh --env local
refuses admin-token-negative 'set BACKEND_ADMIN_TOKEN' \
    -- env -u BACKEND_ADMIN_TOKEN BACKEND_URL="$SPAWNED_URL" bash scripts/postman/run.sh --env local

# The deployment smoke, through a self-signed TLS proxy named like the kind ingress.
if command -v openssl >/dev/null 2>&1; then
    openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=api-dev.localhost \
        -addext subjectAltName=DNS:api-dev.localhost -keyout "$work/tls.key" -out "$work/tls.crt" 2>/dev/null
    node scripts/postman/tls-proxy.mjs "$work/tls.crt" "$work/tls.key" "$SPAWNED_URL" "$work/tls.port" &
    proxy_pid=$!
    for _ in $(seq 1 50); do [ -s "$work/tls.port" ] && break; sleep 0.1; done
    ingress="https://api-dev.localhost:$(cat "$work/tls.port")"
    check smoke:kind env BACKEND_URL="$ingress" BACKEND_ADMIN_TOKEN="$admin" bash scripts/postman/run.sh --env kind
    refuses smoke:kind-negative 'self[- ]signed certificate' \
        -- env BACKEND_INSECURE=0 BACKEND_URL="$ingress" BACKEND_ADMIN_TOKEN="$admin" bash scripts/postman/run.sh --env kind
else
    echo "SKIP [smoke:kind] no openssl to make a self-signed certificate; running it over plain http"
    check smoke:kind env BACKEND_URL="${SPAWNED_URL/127.0.0.1/api-dev.localhost}" BACKEND_ADMIN_TOKEN="$admin" \
        bash scripts/postman/run.sh --env kind
fi

echo "postman: $passed passed, $failed failed ($((SECONDS - started))s)"
[ "$failed" -eq 0 ]
