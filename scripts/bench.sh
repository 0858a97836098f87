#!/usr/bin/env bash
# The benchmark suite (not a test): see docs/performance.md for the method.
# One machine, one run: builds release, seeds a dataset, drives the server
# with wrk, runs the pgbench reference, measures config propagation across
# three replicas, and rewrites the results section of docs/performance.md.
#
#   scripts/bench.sh            # full run (~10 minutes of measurement)
#   BENCH_SECONDS=5 BENCH_REPS=1 scripts/bench.sh   # a quick look
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
LOG_PREFIX="bench: "
# shellcheck source=lib/common.sh source-path=SCRIPTDIR
source scripts/lib/common.sh
# shellcheck source=lib/services.sh source-path=SCRIPTDIR
source scripts/lib/services.sh
ensure_services
ensure_roles

secs="${BENCH_SECONDS:-15}"
reps="${BENCH_REPS:-3}"
conns="${BENCH_CONNECTIONS:-32}"
updates="${BENCH_UPDATES:-1000}"
admin_url="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
db=backend_bench
work=$(mktemp -d)
export BENCH_DIR="$root/scripts/bench" BENCH_PAIRS="$work/pairs.txt"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }

log "building release binaries"
cargo build --release --locked -q -p backend-server -p backend-e2e --bin backend --bin bench-tool
bin="$CARGO_TARGET_DIR/release/backend"
tool="$CARGO_TARGET_DIR/release/bench-tool"

# shellcheck source=lib/bench.sh source-path=SCRIPTDIR
source scripts/lib/bench.sh
fresh_database "$bin" "$db"

port=$(free_port)
start_server "$bin" "$port" "$db"
base="http://127.0.0.1:$port"
main_pid=$server_pid
idle_rss_kb=$(kb "$server_pid" VmRSS)
startup_ms=$ready_ms
log "server ready in ${startup_ms} ms, idle RSS ${idle_rss_kb} kB; seeding 1000 orgs x 10 projects"
"$tool" seed "$base" 1000 10 "$BENCH_PAIRS"

results="$work/results.tsv"
printf 'scenario\trep\treq_s\tp50_ms\tp99_ms\tnon2xx\tcpu_s\n' >"$results"
run_wrk() { # run_wrk NAME REP PID [wrk args...]
    local name=$1 rep=$2 pid=$3; shift 3
    local before after out
    before=$(cpu_ticks "$pid")
    out=$(wrk -t2 -c"$conns" -d"${secs}s" --latency "$@")
    after=$(cpu_ticks "$pid")
    echo "$out" >"$work/wrk-$name-$rep.txt"
    local rps p50 p99 non2xx
    read -r rps p50 p99 non2xx _ < <(wrk_stats "$out")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$rep" "$rps" "$p50" "$p99" "$non2xx" \
        "$(python3 -c "print(round(($after - $before) / $(getconf CLK_TCK), 2))")" >>"$results"
}

# CPU time by process name (utime + stime, in ticks), all processes at once;
# the wall clock in ns goes to the file named by $1.
cpu_by_name() {
    { cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk '{n = $2; gsub(/[()]/, "", n); t[n] += $14 + $15}
        END {for (k in t) print k, t[k]}' | sort
    date +%s%N >"$1"
}
# Who spends the cores during the org read: sampled inside its first run
# (wrk exits at the end of a run, taking its counters with it).
sample_cpu_shares() {
    sleep 1
    cpu_by_name "$work/cpu0.ns" >"$work/cpu0"
    sleep $(( secs > 4 ? secs - 3 : 1 ))
    cpu_by_name "$work/cpu1.ns" >"$work/cpu1"
    local elapsed_ns; elapsed_ns=$(( $(cat "$work/cpu1.ns") - $(cat "$work/cpu0.ns") ))
    join "$work/cpu0" "$work/cpu1" | awk -v ns="$elapsed_ns" -v hz="$(getconf CLK_TCK)" \
        '$1 ~ /^(postgres|backend|wrk|redis-server)$/ {printf "%s\t%.3f\n", $1, ($3 - $2) / hz / (ns / 1e9)}' >"$work/cpu_shares.tsv"
}

for rep in $(seq 1 "$reps"); do
    log "repetition $rep/$reps"
    [ "$rep" = 1 ] && { sample_cpu_shares & sampler=$!; }
    run_wrk org_get "$rep" "$server_pid" -s scripts/bench/org_get.lua "$base"
    [ "$rep" = 1 ] && wait "$sampler"
    run_wrk projects_list "$rep" "$server_pid" -s scripts/bench/projects_list.lua "$base"
    run_wrk project_create_delete "$rep" "$server_pid" -s scripts/bench/project_create_delete.lua "$base"
    run_wrk health "$rep" "$server_pid" "$base/health"
    run_wrk guest_signin "$rep" "$server_pid" -s scripts/bench/guest.lua "$base/api/v1/auth/guest"
done
peak_rss_kb=$(kb "$server_pid" VmHWM)

log "the org read with the default connection settings (DATABASE_MAX_CONNECTIONS=10, lane 3)"
default_port=$(free_port)
BENCH_POOL=default start_server "$bin" "$default_port" "$db"
default_pid=$server_pid
run_wrk org_get_defaults 1 "$default_pid" -s scripts/bench/org_get.lua "http://127.0.0.1:$default_port"
stop_server "$default_pid"
server_pid=$main_pid

log "256 connections against the org read"
conns=256 run_wrk org_get_256conns 1 "$server_pid" -s scripts/bench/org_get.lua "$base"

log "pgbench reference"
# Loopback on both sides: no TLS for the server's pool nor for pgbench.
export PGSSLMODE=disable
read -r _ oid _ uid < <(head -n 1 "$BENCH_PAIRS")
pg_results="$work/pgbench.tsv"
printf 'scenario\trep\ttps\n' >"$pg_results"
psql "$admin_url" -qc "DROP DATABASE IF EXISTS backend_bench_pgbench WITH (FORCE)" -c "CREATE DATABASE backend_bench_pgbench" >/dev/null
pgbench -q -i -s 10 "$(url_for "$admin_url" "" backend_bench_pgbench "")" >/dev/null 2>&1
for rep in $(seq 1 "$reps"); do
    tps=$(pgbench -n -M prepared -c 16 -j 2 -T "$secs" -D uid="$uid" -D oid="$oid" -f scripts/bench/naive_read.sql \
        "$(url_for "$admin_url" backend_app $db "")" 2>/dev/null | awk '/^tps/ {print $3}')
    printf 'naive_rls_read\t%s\t%s\n' "$rep" "$tps" >>"$pg_results"
    tps=$(pgbench -n -M prepared -c 16 -j 2 -T "$secs" -D uid="$uid" -D oid="$oid" -f scripts/bench/org_read_statement.sql \
        "$(url_for "$admin_url" backend_app $db "")" 2>/dev/null | awk '/^tps/ {print $3}')
    printf 'org_read_statement\t%s\t%s\n' "$rep" "$tps" >>"$pg_results"
    tps=$(pgbench -n -S -M prepared -c 16 -j 2 -T "$secs" \
        "$(url_for "$admin_url" "" backend_bench_pgbench "")" 2>/dev/null | awk '/^tps/ {print $3}')
    printf 'pgbench_S\t%s\t%s\n' "$rep" "$tps" >>"$pg_results"
done

log "server pinned to one core (taskset -c 0), wrk on the other"
pinned_port=$(free_port)
start_server "$bin" "$pinned_port" "$db" 0
taskset -c 1 true 2>/dev/null && pin_wrk=(taskset -c 1) || pin_wrk=()
pinned_out=$("${pin_wrk[@]}" wrk -t1 -c"$conns" -d"${secs}s" --latency -s scripts/bench/org_get.lua "http://127.0.0.1:$pinned_port")
echo "$pinned_out" >"$work/wrk-pinned.txt"
read -r pinned_rps _ pinned_p99 _ < <(wrk_stats "$pinned_out")

log "config propagation: $updates updates through replica 1 to replicas 2 and 3"
p2=$(free_port); start_server "$bin" "$p2" "$db"; r2="http://127.0.0.1:$p2"
p3=$(free_port); start_server "$bin" "$p3" "$db"; r3="http://127.0.0.1:$p3"
admin_token=$(env -i JWT_SECRET="$secret" "$bin" token --admin --ttl 1h --subject bench)
"$tool" propagation "$admin_token" "$updates" "$base" "$r2" "$r3" | tee "$work/propagation.txt" >&2

log "revocation propagation: $updates logouts through replica 1, denied by replicas 2 and 3"
"$tool" revocations "$admin_token" "$updates" "$base" "$r2" "$r3" | tee -a "$work/propagation.txt" >&2

python3 scripts/bench/report.py "$results" "$pg_results" "$work/propagation.txt" "$work/cpu_shares.tsv" \
    "$startup_ms" "$idle_rss_kb" "$peak_rss_kb" "$pinned_rps" "$pinned_p99" "$secs" "$reps" "$conns" \
    docs/performance.md
log "raw output kept in $work; results written to docs/performance.md"
