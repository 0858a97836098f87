# shellcheck shell=bash
# Starts the built `backend serve` on a fresh database and a free port, with a random JWT
# secret, for the checks that drive a real server from outside (scripts/conformance.sh,
# scripts/postman/check.sh). Source it from the repository root; it needs DATABASE_URL (a
# superuser URL), REDIS_URL and the roles backend_owner/backend_app (ensure_roles in
# scripts/lib/services.sh).
#
#   spawn_backend NAME           start it on the database backend_test_NAME_<pid> (scripts/test.sh
#                                drops leftovers of that pattern) and wait for GET /ready; sets
#                                SPAWNED_URL (http://127.0.0.1:PORT) and SPAWNED_LOG
#   spawned_admin_token SUBJECT  print an admin token (1 h) minted with the server's JWT secret
#   stop_backend                 stop the server and drop its database; call it from an EXIT trap
#
# The binary is BACKEND_BIN, else ${CARGO_TARGET_DIR:-target}/debug/backend (LLVM_PROFILE_FILE, when
# set for an instrumented build, is passed on). The server runs
# with ENVIRONMENT=dev (it migrates at start), LOG_LEVEL=warn, a guest sign-in limit high
# enough for fuzzing and the caller's HTTP_FRONT (default off); its output goes to SPAWNED_LOG and is printed if it dies before ready.

# shellcheck source=common.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

SPAWN_BIN="${BACKEND_BIN:-${CARGO_TARGET_DIR:-target}/debug/backend}"

spawn_backend() {
    [ -x "$SPAWN_BIN" ] || { echo "spawn-backend: $SPAWN_BIN not found; build it first" >&2; exit 2; }
    : "${DATABASE_URL:?set DATABASE_URL to a PostgreSQL superuser URL}"
    : "${REDIS_URL:?set REDIS_URL}"
    SPAWN_DB="backend_test_${1}_$$"
    local port status=0
    port=$(free_port)
    SPAWN_SECRET=$(random_secret)
    SPAWNED_LOG=$(mktemp)
    psql "$DATABASE_URL" -qc "CREATE DATABASE $SPAWN_DB OWNER backend_owner" >/dev/null
    env -i PATH="$PATH" ${LLVM_PROFILE_FILE:+"LLVM_PROFILE_FILE=$LLVM_PROFILE_FILE"} ENVIRONMENT=dev BIND_ADDRESS="127.0.0.1:$port" \
        DATABASE_URL="$(url_for "$DATABASE_URL" backend_app "$SPAWN_DB")" MIGRATION_DATABASE_URL="$(url_for "$DATABASE_URL" backend_owner "$SPAWN_DB")" \
        REDIS_URL="$REDIS_URL" JWT_SECRET="$SPAWN_SECRET" GUEST_SIGNIN_RATE_LIMIT_PER_MINUTE=1000000 \
        HTTP_FRONT="${HTTP_FRONT:-off}" LOG_LEVEL=warn "$SPAWN_BIN" serve >"$SPAWNED_LOG" 2>&1 &
    SPAWN_PID=$!
    SPAWNED_URL="http://127.0.0.1:$port"
    wait_ready "$SPAWNED_URL" 30 "$SPAWN_PID" || status=$?
    case "$status" in
        0) return 0 ;;
        1) cat "$SPAWNED_LOG" >&2 ;;
        *) echo "spawn-backend: $SPAWNED_URL/ready did not answer within 30 s" >&2
           cat "$SPAWNED_LOG" >&2 ;;
    esac
    exit 2
}

spawned_admin_token() {
    env -i ${LLVM_PROFILE_FILE:+"LLVM_PROFILE_FILE=$LLVM_PROFILE_FILE"} JWT_SECRET="$SPAWN_SECRET" "$SPAWN_BIN" token --admin --ttl 1h --subject "$1"
}

stop_backend() {
    [ -n "${SPAWN_PID:-}" ] && kill "$SPAWN_PID" 2>/dev/null && wait "$SPAWN_PID" 2>/dev/null || true
    [ -n "${SPAWN_DB:-}" ] && psql "$DATABASE_URL" -qc "DROP DATABASE IF EXISTS $SPAWN_DB WITH (FORCE)" >/dev/null || true
    [ -n "${SPAWNED_LOG:-}" ] && rm -f "$SPAWNED_LOG"
    SPAWN_PID="" SPAWN_DB="" SPAWNED_LOG=""
}
