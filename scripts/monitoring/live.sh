#!/usr/bin/env bash
# The dashboard and the alerts against a real Prometheus and the real server (scripts/monitoring/check.sh
# runs it with the rules and dashboard it rendered from the chart).
#
#   scripts/monitoring/live.sh DIR    DIR holds rules.yaml and dashboard.json (check.sh --live-only makes them)
#
# Starts two replicas of `${BACKEND_BIN:-${CARGO_TARGET_DIR:-target}/debug/backend}` on one fresh
# database and free ports (two, so that one replica receives the other's change events), and
# Debian's `prometheus` on a free port scraping both every second, with its own storage in a temp
# dir and the same rules file loaded. Sends a little load (guest sign-in, create and read an
# organization, list its projects, a config write with an admin token, a logout), waits a few
# scrapes, then scripts/monitoring/live_queries.py queries every panel and alert. Both servers and
# Prometheus are stopped and the database dropped on exit.
#
# DATABASE_URL (a superuser URL) and REDIS_URL default to this machine's. The scrape job is named
# and labelled like the chart's release (job=$RELEASE, namespace=$NAMESPACE; both `backend`), so the
# rendered selectors match. PYTHON must have PyYAML (check.sh passes validate-deploy's venv).
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=../lib/services.sh source-path=SCRIPTDIR
source scripts/lib/services.sh
# shellcheck source=../lib/common.sh source-path=SCRIPTDIR
source scripts/lib/common.sh

dir="$(cd "${1:?usage: live.sh DIR (with rules.yaml and dashboard.json)}" && pwd)"
bin="${BACKEND_BIN:-${CARGO_TARGET_DIR:-target}/debug/backend}"
[ -x "$bin" ] || { echo "live: $bin not found; build it or set BACKEND_BIN" >&2; exit 2; }
command -v prometheus >/dev/null || { echo "live: prometheus not found (apt-get install prometheus)" >&2; exit 2; }
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
RELEASE="${RELEASE:-backend}"
NAMESPACE="${NAMESPACE:-backend}"
PYTHON="${PYTHON:-python3}"

db="backend_test_monitoring_$$"
work="$(mktemp -d)"
pids=()
cleanup() {
    local pid
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    psql "$DATABASE_URL" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

ensure_services
ensure_roles
psql "$DATABASE_URL" -qc "CREATE DATABASE $db OWNER backend_owner" >/dev/null
secret=$(random_secret)
ports=()
for replica in a b; do
    port=$(free_port)
    ports+=("$port")
    # Replica a migrates the fresh database (dev); b starts once a is ready.
    env -i PATH="$PATH" ${LLVM_PROFILE_FILE:+"LLVM_PROFILE_FILE=$LLVM_PROFILE_FILE"} ENVIRONMENT=dev BIND_ADDRESS="127.0.0.1:$port" \
        DATABASE_URL="$(url_for "$DATABASE_URL" backend_app "$db")" MIGRATION_DATABASE_URL="$(url_for "$DATABASE_URL" backend_owner "$db")" \
        REDIS_URL="$REDIS_URL" JWT_SECRET="$secret" GUEST_SIGNIN_RATE_LIMIT_PER_MINUTE=1000000 \
        CONFIG_RECONCILE_INTERVAL=2 LOG_LEVEL=warn "$bin" serve >"$work/server-$replica.log" 2>&1 &
    pids+=("$!")
    status=0
    wait_ready "http://127.0.0.1:$port" 30 "${pids[-1]}" || status=$?
    case "$status" in
        0) ;;
        1) cat "$work/server-$replica.log" >&2; exit 2 ;;
        *) echo "live: replica $replica never got ready" >&2; exit 2 ;;
    esac
done

prom_port=$(free_port)
cat >"$work/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files:
  - $dir/rules.yaml
scrape_configs:
  - job_name: $RELEASE
    metrics_path: /metrics
    static_configs:
      - targets: ["127.0.0.1:${ports[0]}", "127.0.0.1:${ports[1]}"]
        labels:
          namespace: $NAMESPACE
YAML
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/data" \
    --web.listen-address="127.0.0.1:$prom_port" --log.level=warn >"$work/prometheus.log" 2>&1 &
pids+=("$!")
prom="http://127.0.0.1:$prom_port"
up=0
for _ in $(seq 1 100); do
    up=$(curl -sf "$prom/api/v1/query" --data-urlencode "query=sum(up{job=\"$RELEASE\"})" 2>/dev/null \
        | python3 -c 'import json, sys; r = json.load(sys.stdin)["data"]["result"]; print(int(float(r[0]["value"][1])) if r else 0)' 2>/dev/null || echo 0)
    [ "$up" = 2 ] && break
    kill -0 "${pids[-1]}" 2>/dev/null || { cat "$work/prometheus.log" >&2; exit 2; }
    sleep 0.2
done
[ "$up" = 2 ] || { echo "live: Prometheus does not scrape both replicas (up=$up)" >&2; cat "$work/prometheus.log" >&2; exit 2; }
echo "live: $("$bin" --version 2>/dev/null || echo backend) ($bin) on :${ports[0]} and :${ports[1]};" \
    "$(prometheus --version 2>&1 | head -n 1) on :$prom_port, scrape_interval 1s"

# A little load, bounded: 3 rounds over both replicas, one config write, one logout.
admin=$(env -i ${LLVM_PROFILE_FILE:+"LLVM_PROFILE_FILE=$LLVM_PROFILE_FILE"} JWT_SECRET="$secret" "$bin" token --admin --ttl 15m --subject monitoring-check)
json='Content-Type: application/json'
for round in 1 2 3; do
    for port in "${ports[@]}"; do
        base="http://127.0.0.1:$port"
        token=$(curl -sf -X POST "$base/api/v1/auth/guest" | python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')
        auth="Authorization: Bearer $token"
        org=$(curl -sf -H "$auth" -H "$json" -d "{\"name\": \"Monitoring $round $port\"}" "$base/api/v1/orgs" \
            | python3 -c 'import json, sys; print(json.load(sys.stdin)["slug"])')
        curl -sf -H "$auth" "$base/api/v1/orgs/$org" >/dev/null
        curl -sf -H "$auth" "$base/api/v1/orgs/$org/projects" >/dev/null
        curl -s -o /dev/null -H "$auth" "$base/api/v1/orgs/no-such-org-$round"   # a 404
    done
done
curl -sf -X PUT -H "Authorization: Bearer $admin" -H "$json" \
    -d '{"value": "warn", "reason": "scripts/monitoring/live.sh"}' "http://127.0.0.1:${ports[0]}/api/v1/configs/LOG_LEVEL" >/dev/null
curl -sf -X POST -H "Authorization: Bearer $token" "http://127.0.0.1:${ports[1]}/api/v1/auth/logout" >/dev/null
echo "live: load sent (12 sign-ins, 6 orgs created and read, 6 project lists, 6 404s, 1 config write, 1 logout); waiting 6 scrapes"
sleep 6

"$PYTHON" scripts/monitoring/live_queries.py --prometheus "$prom" --dashboard "$dir/dashboard.json" \
    --rules "$dir/rules.yaml" --var "namespace=$NAMESPACE" --var "job=$RELEASE"
