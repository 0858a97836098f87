#!/usr/bin/env bash
# Conformance fuzzing of the backend with schemathesis: every operation of the live
# OpenAPI document (BASE_URL/openapi.json), all checks (no 5xx, response schema, documented
# status codes, content types, headers, auth, negative/positive data, use-after-free,
# resource availability, object-level authorization), the coverage, fuzzing and stateful
# phases (links inferred from the document and the Location headers).
#
#   scripts/conformance.sh             start the built server and fuzz it (scripts/test.sh runs this)
#   scripts/conformance.sh BASE_URL    fuzz a running server, e.g. http://127.0.0.1:18080
#
# Without BASE_URL, scripts/lib/spawn-backend.sh starts the built `backend` (BACKEND_BIN, else
# ${CARGO_TARGET_DIR:-$HOME/.cache/backend-target}/debug/backend; never built here) on a fresh
# database and a free port with a random JWT secret, and an admin token minted with that secret is
# CONFORMANCE_ADMIN_TOKEN. DATABASE_URL (a superuser URL) and REDIS_URL default to this machine's;
# PostgreSQL and Redis are started and the roles made when missing (scripts/lib/services.sh).
#
# A server given by BASE_URL must allow many guest sign-ins from 127.0.0.1: start it with a high
# GUEST_SIGNIN_RATE_LIMIT_PER_MINUTE (e.g. 100000).
#
# Authentication: two guests are signed in with `curl -sf -X POST BASE_URL/api/v1/auth/guest`;
# their bearer tokens go to schemathesis in a Web Fuzzing Commons auth document. Requests go
# out as the first guest; the second is the peer for the object-level authorization check.
# conformance/hooks.py keeps refresh/logout from revoking those tokens mid-run, and sends the
# admin-only operations (configuration, runtime config) with CONFORMANCE_ADMIN_TOKEN when set,
# e.g. `CONFORMANCE_ADMIN_TOKEN=$(backend token --admin --ttl 1h)` with the server's JWT_SECRET;
# without it they are exercised as a guest and can only answer 403.
#
# schemathesis is installed once into ${BACKEND_TOOLS_DIR:-$HOME/.cache/backend-tools}/conformance-venv
# from the pins in conformance/requirements.txt, and reused while the pins and Python match.
#
# Settings (environment):
#   CONFORMANCE_MAX_EXAMPLES  test cases per operation and phase (default 150)
#   CONFORMANCE_SEED          hypothesis seed (default 20251126)
#   CONFORMANCE_REPORT_DIR    keep the JSON and JUnit reports there (default: discarded)
#   CONFORMANCE_ADMIN_TOKEN   admin bearer token for the admin-only operations (optional; minted
#                             for the spawned server without BASE_URL)
#
# Output: schemathesis's report, then `generated cases: N` on a line of its own and a
# one-line verdict. Exit status 0 only when every operation was tested with no failure
# and no error; 1 on findings; 2 when the run could not start.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
HELPER_DIR="$SCRIPT_DIR/conformance"
ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"
MAX_EXAMPLES="${CONFORMANCE_MAX_EXAMPLES:-150}"
SEED="${CONFORMANCE_SEED:-20251126}"

LOG_PREFIX="conformance: "
# shellcheck source=lib/common.sh source-path=SCRIPTDIR
source "$SCRIPT_DIR/lib/common.sh"
# shellcheck source=lib/services.sh source-path=SCRIPTDIR
source "$SCRIPT_DIR/lib/services.sh"
# shellcheck source=lib/spawn-backend.sh source-path=SCRIPTDIR
source "$SCRIPT_DIR/lib/spawn-backend.sh"
VENV="$TOOLS_DIR/conformance-venv"

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2
  exit 2
}

# Installs the pinned schemathesis unless the venv already holds exactly these pins.
ensure_venv() {
  local pinned stamp
  pinned="$(sed -n 's/^schemathesis==//p' "$HELPER_DIR/requirements.txt")"
  [ -n "$pinned" ] || die "no schemathesis pin in $HELPER_DIR/requirements.txt"
  stamp="$(sha_of "$HELPER_DIR/requirements.txt") $(python3 -c 'import sys; print(sys.version.split()[0])')"
  if [ -f "$VENV/.stamp" ] && [ "$(cat "$VENV/.stamp")" = "$stamp" ] \
    && [ "$("$VENV/bin/schemathesis" --version 2>/dev/null)" = "schemathesis, version $pinned" ]; then
    return 0
  fi
  log "installing schemathesis $pinned into $VENV"
  rm -rf "$VENV"
  mkdir -p "$TOOLS_DIR"
  python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps \
    -r "$HELPER_DIR/requirements.txt" >&2
  "$VENV/bin/python" -m pip check --disable-pip-version-check >&2 \
    || die "the pins in $HELPER_DIR/requirements.txt are inconsistent"
  printf '%s' "$stamp" >"$VENV/.stamp"
}

# Signs in a new guest and prints its bearer token.
guest_token() {
  local token
  if ! token="$(curl -sf -X POST "$BASE_URL/api/v1/auth/guest" | jq -er .access_token)"; then
    local status
    status="$(curl -s -o /dev/null -w '%{http_code}' -X POST "$BASE_URL/api/v1/auth/guest" || true)"
    die "guest sign-in at $BASE_URL failed (HTTP $status); is the server up, and started with a high GUEST_SIGNIN_RATE_LIMIT_PER_MINUTE?"
  fi
  printf '%s' "$token"
}

# Warns when the server's document is not the committed one (an older or newer binary).
compare_documents() {
  "$VENV/bin/python" - "$1" "$ROOT/openapi/backend.yaml" <<'PY' || log "warning: the live document differs from openapi/backend.yaml; testing the live one"
import json, sys, yaml
live = json.load(open(sys.argv[1], encoding="utf-8"))
committed = yaml.safe_load(open(sys.argv[2], encoding="utf-8"))
sys.exit(0 if live == committed else 1)
PY
}

[ $# -le 1 ] || usage
case "${1:-}" in -h|--help) usage ;; esac
case "$MAX_EXAMPLES" in ''|*[!0-9]*|0) die "CONFORMANCE_MAX_EXAMPLES must be a positive integer" ;; esac
case "$SEED" in ''|*[!0-9]*) die "CONFORMANCE_SEED must be a non-negative integer" ;; esac
need curl jq python3 sha256sum

ensure_venv

work="$(mktemp -d)"
trap 'stop_backend; rm -rf "$work"' EXIT
if [ $# -eq 0 ]; then
  cd "$ROOT"
  export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
  export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
  ensure_services
  ensure_roles
  spawn_backend conformance
  CONFORMANCE_ADMIN_TOKEN="$(spawned_admin_token conformance)"
  BASE_URL="$SPAWNED_URL"
  log "spawned $SPAWN_BIN at $BASE_URL"
else
  BASE_URL="${1%/}"
fi
report_dir="${CONFORMANCE_REPORT_DIR:-$work/reports}"
mkdir -p "$report_dir"

curl -sf "$BASE_URL/openapi.json" -o "$work/openapi.json" \
  || die "no OpenAPI document at $BASE_URL/openapi.json"
compare_documents "$work/openapi.json"

alice="$(guest_token)"
bob="$(guest_token)"
curl -sf -H "Authorization: Bearer $alice" "$BASE_URL/api/v1/auth/me" >/dev/null \
  || die "the guest token is not accepted by GET $BASE_URL/api/v1/auth/me"
if [ -n "${CONFORMANCE_ADMIN_TOKEN:-}" ]; then
  curl -sf -H "Authorization: Bearer $CONFORMANCE_ADMIN_TOKEN" "$BASE_URL/api/v1/runtime/config" >/dev/null \
    || die "CONFORMANCE_ADMIN_TOKEN is not accepted by GET $BASE_URL/api/v1/runtime/config"
else
  log "no CONFORMANCE_ADMIN_TOKEN: the admin-only operations are exercised as a guest (403)"
fi
jq -n --arg alice "Bearer $alice" --arg bob "Bearer $bob" '{
  schemaVersion: "0.2.0",
  auth: [
    {name: "alice", fixedHeaders: [{name: "Authorization", value: $alice}]},
    {name: "bob", fixedHeaders: [{name: "Authorization", value: $bob}]}
  ]
}' >"$work/wfc-auth.json"

log "schemathesis $("$VENV/bin/schemathesis" --version | sed 's/.* //') against $BASE_URL (seed $SEED, $MAX_EXAMPLES examples per operation and phase)"
json_report="$report_dir/schemathesis.json"
rm -f "$json_report"
status=0
# One worker: concurrent workers trip a CPython 3.11 bug in concurrent ast.parse calls
# ("AST constructor recursion depth mismatch", reached through hypothesis), and the server
# under test shares the machine's cores.
(
  cd "$work"
  CONFORMANCE_BASE_URL="$BASE_URL" \
  CONFORMANCE_TOKENS="$alice $bob" \
  CONFORMANCE_ADMIN_TOKEN="${CONFORMANCE_ADMIN_TOKEN:-}" \
  CONFORMANCE_WFC="$work/wfc-auth.json" \
  CONFORMANCE_HOOKS="$HELPER_DIR/hooks.py" \
    "$VENV/bin/schemathesis" --config-file "$HELPER_DIR/schemathesis.toml" run "$BASE_URL/openapi.json" \
    --checks all \
    --phases examples,coverage,fuzzing,stateful \
    --seed "$SEED" \
    --max-examples "$MAX_EXAMPLES" \
    --workers 1 \
    --continue-on-failure \
    --generation-database none \
    --no-color \
    --report json,junit \
    --report-dir "$report_dir" \
    --report-json-path "$json_report" \
    --report-junit-path "$report_dir/junit.xml"
) || status=$?

[ -f "$json_report" ] || die "schemathesis wrote no report (exit $status)"
generated="$(jq -r '.test_cases.generated' "$json_report")"
printf 'generated cases: %s\n' "$generated"
read -r total tested failures errors < <(jq -r '[
  .operations.total, .operations.tested,
  ([.failures[].count] | add // 0), (.errors | length)
] | @tsv' "$json_report")
verdict="$tested/$total operations tested, $failures failures, $errors errors"
if [ "$status" -ne 0 ] || [ "$failures" -ne 0 ] || [ "$errors" -ne 0 ] || [ "$tested" -ne "$total" ]; then
  printf 'conformance: FAIL (%s; schemathesis exit %s)\n' "$verdict" "$status"
  exit 1
fi
printf 'conformance: PASS (%s)\n' "$verdict"
