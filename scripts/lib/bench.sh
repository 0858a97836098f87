# shellcheck shell=bash
# Shared by scripts/bench.sh and scripts/bench-ab.sh: wrk's figures, a seeded database
# and a release server started with production-like settings (ports and URLs: common.sh).
# Expects `admin_url` (a superuser URL) and `work` (a scratch directory).

# shellcheck source=common.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
: "${admin_url:?scripts/lib/bench.sh needs admin_url}"

# One JWT secret for every server a run starts, so tokens work on all of them.
secret=$(random_secret)

# to_ms 1.23ms|456.00us|1.02s: a wrk latency in milliseconds
to_ms() { python3 -c 'import sys, re; v, u = re.match(r"([\d.]+)(\w+)", sys.argv[1]).groups(); print(round(float(v) * {"us": 0.001, "ms": 1, "s": 1000}[u], 3))' "$1"; }
# wrk_stats OUTPUT: "req/s p50_ms p99_ms non2xx requests" from `wrk --latency` output
wrk_stats() {
    local rps p50 p99 non2xx n
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$1")
    p50=$(to_ms "$(awk '$1 == "50%" {print $2}' <<<"$1")")
    p99=$(to_ms "$(awk '$1 == "99%" {print $2}' <<<"$1")")
    non2xx=$(awk '/Non-2xx/ {print $5}' <<<"$1")
    n=$(awk '/requests in/ {print $1}' <<<"$1")
    echo "$rps $p50 $p99 ${non2xx:-0} $n"
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
kb() { awk -v k="$2" '$1 == k":" {print $2}' "/proc/$1/status"; }

# fresh_database BIN DB: drops and recreates DB owned by backend_owner and
# migrates it with BIN.
fresh_database() {
    psql "$admin_url" -qc "DROP DATABASE IF EXISTS $2 WITH (FORCE)" -c "CREATE DATABASE $2 OWNER backend_owner" >/dev/null
    env -i PATH="$PATH" ENVIRONMENT=prod MIGRATION_DATABASE_URL="$(url_for "$admin_url" backend_owner "$2" "")" LOG_LEVEL=warn "$1" migrate
}

# start_server BIN PORT DB [taskset-cpus] [NAME=VALUE...]: `BIN serve` with
# production settings; sets server_pid and ready_ms (spawn to first 200 from
# /ready). Callers kill the pids in the `pids` array on exit.
start_server() {
    local bin=$1 port=$2 db=$3 cpus=${4:-}
    shift $(( $# < 4 ? $# : 4 ))
    local -a cmd=("$bin" serve)
    [ -n "$cpus" ] && cmd=(taskset -c "$cpus" "$bin" serve)
    # BENCH_POOL=default leaves DATABASE_MAX_CONNECTIONS (and the read lane) at the binary's defaults.
    local -a pool=("DATABASE_MAX_CONNECTIONS=${BENCH_POOL:-16}")
    [ "${BENCH_POOL:-}" = default ] && pool=()
    env -i PATH="$PATH" ENVIRONMENT=prod BIND_ADDRESS="127.0.0.1:$port" LOG_LEVEL=warn \
        DATABASE_URL="$(url_for "$admin_url" backend_app "$db" "")?sslmode=disable" "${pool[@]}" \
        REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}" JWT_SECRET="$secret" \
        GUEST_SIGNIN_RATE_LIMIT_PER_MINUTE=100000000 "$@" "${cmd[@]}" >>"${work:?}/server-$port.log" 2>&1 &
    pids+=("$!")
    server_pid=$!
    local started; started=$(date +%s%N)
    # No time limit: only the server's death ends the wait early.
    wait_ready "http://127.0.0.1:$port" 0 "$server_pid" 0.005 || { cat "$work/server-$port.log" >&2; exit 1; }
    # shellcheck disable=SC2034 # read by the callers
    ready_ms=$(( ($(date +%s%N) - started) / 1000000 ))
}

# stop_server PID
stop_server() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }
