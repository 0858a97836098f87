#!/usr/bin/env bash
# Starts the built `backend` on a fresh database and a free port, mints an
# admin token with the same secret, and runs scripts/conformance.sh against
# it. Used by scripts/test.sh; needs DATABASE_URL (a superuser URL) and
# REDIS_URL, like the Rust tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${BACKEND_BIN:-${CARGO_TARGET_DIR:-target}/debug/backend}"
[ -x "$bin" ] || { echo "run-conformance: $bin not found; build it first" >&2; exit 2; }
: "${DATABASE_URL:?set DATABASE_URL to a PostgreSQL superuser URL}"
: "${REDIS_URL:?set REDIS_URL}"

db="backend_test_conformance_$$"
url_as() { # url_as ROLE -> DATABASE_URL with that user and the fresh database
    python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); host = p.hostname + (f":{p.port}" if p.port else ""); print(u.urlunsplit((p.scheme, f"{sys.argv[2]}@{host}", "/" + sys.argv[3], p.query, "")))' "$DATABASE_URL" "$1" "$db"
}
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
secret=$(head -c 48 /dev/urandom | base64 | tr -d '\n')
log=$(mktemp)

cleanup() {
    [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
    psql "$DATABASE_URL" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null || true
    rm -f "$log"
}
trap cleanup EXIT

psql "$DATABASE_URL" -qc "CREATE DATABASE $db OWNER backend_owner" >/dev/null
env -i PATH="$PATH" ENVIRONMENT=dev BIND_ADDRESS="127.0.0.1:$port" \
    DATABASE_URL="$(url_as backend_app)" MIGRATION_DATABASE_URL="$(url_as backend_owner)" \
    REDIS_URL="$REDIS_URL" JWT_SECRET="$secret" GUEST_SIGNIN_RATE_LIMIT_PER_MINUTE=1000000 \
    LOG_LEVEL=warn "$bin" serve >"$log" 2>&1 &
pid=$!
for _ in $(seq 1 150); do
    curl -sf "http://127.0.0.1:$port/ready" >/dev/null && break
    kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; exit 2; }
    sleep 0.2
done
CONFORMANCE_ADMIN_TOKEN=$(env -i JWT_SECRET="$secret" "$bin" token --admin --ttl 1h --subject conformance) \
    bash scripts/conformance.sh "http://127.0.0.1:$port"
