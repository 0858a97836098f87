#!/usr/bin/env bash
# An A/B of two server binaries on one scenario (not a test): the
# authenticated org read, or BENCH_AB_SCENARIO=projects_list (any
# scripts/bench/<name>.lua, project_create_delete included).
# Whole benchmark runs on a shared 2-core VM move by about ±15 %, so a change
# is credited with a gain only when it beats its baseline here: same seeded
# database, same minutes, runs interleaved A B B A A B ... so that drift hits
# both sides alike. docs/performance.md says which changes were measured so.
#
#   scripts/bench-ab.sh A_BIN B_BIN [REPS=5] [SECS=10]
#   BENCH_A_ENV="MIMALLOC_ARENA_EAGER_COMMIT=2" scripts/bench-ab.sh bin bin   # one binary, two settings
#   BENCH_AB_SCENARIO=project_create_delete BENCH_B_WRK_ENV="BENCH_IDEMPOTENCY_KEYS=1" \
#       scripts/bench-ab.sh bin bin   # one binary, two kinds of load (wrk's environment)
#   BENCH_AB_OWN_SCHEMA=1 scripts/bench-ab.sh old new   # a migration: each side on its own schema
#   BENCH_AB_SCENARIO=orgs_list BENCH_B_WRK_ENV="BENCH_LIST_API=v2" scripts/bench-ab.sh bin bin   # a v2 list against its v1
#
# B (the candidate) migrates the database. Prints every run, then per side the
# median req/s, p99, server CPU per request and idle RSS, and B/A per pair.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
[ $# -ge 2 ] || { sed -n '2,17p' "$0" >&2; exit 2; }
a_bin=$(realpath "$1") b_bin=$(realpath "$2") reps=${3:-5} secs=${4:-10}
# Two builds of one target directory can come out byte-identical when cargo
# takes a worktree's sources for fresh (it did once: the A/B compared a binary
# with itself). The same binary is only an A/B with settings or loads that differ.
if cmp -s "$a_bin" "$b_bin" && [ "${BENCH_A_ENV:-}" = "${BENCH_B_ENV:-}" ] \
    && [ "${BENCH_A_WRK_ENV:-}" = "${BENCH_B_WRK_ENV:-}" ]; then
    echo "bench-ab: $1 and $2 are the same binary, run the same way; nothing to compare" >&2
    exit 2
fi
# shellcheck source=lib/services.sh source-path=SCRIPTDIR
source scripts/lib/services.sh
ensure_services
ensure_roles
admin_url="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
db=backend_bench_ab
scenario_script="scripts/bench/${BENCH_AB_SCENARIO:-org_get}.lua"
[ -f "$scenario_script" ] || { echo "bench-ab: no $scenario_script" >&2; exit 2; }
work=$(mktemp -d)
export BENCH_DIR="$root/scripts/bench" BENCH_PAIRS="$work/pairs.txt"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
cargo build --release --locked -q -p backend-e2e --bin bench-tool
# shellcheck source=lib/bench.sh source-path=SCRIPTDIR
source scripts/lib/bench.sh

# seed BIN DB PAIRS: a database migrated by BIN, seeded through BIN's API.
seed() {
    fresh_database "$1" "$2"
    port=$(free_port)
    start_server "$1" "$port" "$2"
    "$CARGO_TARGET_DIR/release/bench-tool" seed "http://127.0.0.1:$port" 1000 10 "$3"
    stop_server "$server_pid"
}
seed "$b_bin" "$db" "$BENCH_PAIRS"
# BENCH_AB_OWN_SCHEMA=1: A runs on a database A migrated (and seeded alike),
# for a change that is a migration: otherwise both sides would run B's schema.
a_db=$db a_pairs=$BENCH_PAIRS
if [ "${BENCH_AB_OWN_SCHEMA:-}" = 1 ]; then
    a_db=${db}_a a_pairs="$work/pairs-a.txt"
    seed "$a_bin" "$a_db" "$a_pairs"
fi

runs="$work/runs.tsv"
one_run() { # one_run SIDE REP
    local side=$1 rep=$2 bin extra load side_db pairs
    if [ "$side" = A ]; then bin=$a_bin extra=${BENCH_A_ENV:-} load=${BENCH_A_WRK_ENV:-} side_db=$a_db pairs=$a_pairs
    else bin=$b_bin extra=${BENCH_B_ENV:-} load=${BENCH_B_WRK_ENV:-} side_db=$db pairs=$BENCH_PAIRS; fi
    port=$(free_port)
    # shellcheck disable=SC2086 # extra holds NAME=VALUE words
    start_server "$bin" "$port" "$side_db" "" $extra
    sleep 0.5
    local rss before after out
    rss=$(kb "$server_pid" VmRSS)
    before=$(cpu_ticks "$server_pid")
    # shellcheck disable=SC2086 # load holds NAME=VALUE words
    out=$(env BENCH_PAIRS="$pairs" $load wrk -t2 -c32 -d"${secs}s" --latency -s "$scenario_script" "http://127.0.0.1:$port")
    after=$(cpu_ticks "$server_pid")
    stop_server "$server_pid"
    local rps p99 non2xx n
    read -r rps _ p99 non2xx n < <(wrk_stats "$out")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$side" "$rep" "$rps" "$p99" \
        "$(python3 -c "print(round(($after - $before) / $(getconf CLK_TCK) / $n * 1e6, 1))")" "$rss" "$non2xx" | tee -a "$runs"
}
printf 'side\trep\treq_s\tp99_ms\tserver_us_per_req\tidle_rss_kb\tnon2xx\n'
for rep in $(seq 1 "$reps"); do
    if [ $((rep % 2)) = 1 ]; then one_run A "$rep"; one_run B "$rep"; else one_run B "$rep"; one_run A "$rep"; fi
done
python3 - "$runs" <<'PY'
import csv, statistics, sys
rows = list(csv.reader(open(sys.argv[1]), delimiter="\t"))
side = {s: [r for r in rows if r[0] == s] for s in "AB"}
med = lambda s, i: statistics.median(float(r[i]) for r in side[s])
for s in "AB":
    print(f"{s}: median {med(s, 2):,.0f} req/s, p99 {med(s, 3):.2f} ms, server {med(s, 4):.1f} us/req, idle RSS {med(s, 5) / 1024:.1f} MiB, non-2xx {sum(int(r[6]) for r in side[s])}")
pairs = [float(b[2]) / float(a[2]) for a, b in zip(side["A"], side["B"])]
print("B/A per pair: " + " ".join(f"{p:.2f}" for p in pairs) + f"; median {statistics.median(pairs):.2f}")
PY
