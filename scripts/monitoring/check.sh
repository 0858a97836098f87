#!/usr/bin/env bash
# Monitoring checks: the chart's alert rules under promtool, then the dashboard and the alerts
# against a real Prometheus scraping the real server (live.sh). scripts/test.sh runs it.
#
#   scripts/monitoring/check.sh                 everything
#   scripts/monitoring/check.sh --rules-only    promtool only (no server, no database)
#   scripts/monitoring/check.sh --live-only     the real-Prometheus check only
#   scripts/monitoring/check.sh --print-rules   print the alerts as a plain Prometheus rules file
#
# The rules and the dashboard are rendered from the chart (helm template with
# ci/monitoring-values.yaml, release `backend` in namespace `backend`) by render.py: the chart's
# templates are their one source. helm and the Python tools come from scripts/validate-deploy.sh's
# pinned cache; prometheus and promtool from Debian's `prometheus` package, installed when missing.
# BACKEND_BIN selects the server binary (default ${CARGO_TARGET_DIR:-target}/debug/backend).
set -euo pipefail
cd "$(dirname "$0")/../.."
HERE="scripts/monitoring"
CHART="helm-charts/application/backend"
mode="${1:-all}"
case "$mode" in
    all|--rules-only|--live-only|--print-rules) ;;
    *) sed -n '2,15p' "$0" >&2; exit 2 ;;
esac
LOG_PREFIX="monitoring: "
# shellcheck source=../lib/common.sh source-path=SCRIPTDIR
source scripts/lib/common.sh
started=$SECONDS

if ! command -v promtool >/dev/null 2>&1 || ! command -v prometheus >/dev/null 2>&1; then
    log "installing Debian's prometheus (prometheus and promtool)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
fi
helm="$(bash scripts/validate-deploy.sh --print-helm)"
python="$TOOLS_DIR/venv/bin/python"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

"$helm" template backend "$CHART" --namespace backend --kube-version 1.32.0 \
    --set secret.existingSecret=backend-secrets -f "$CHART/ci/monitoring-values.yaml" >"$work/render.yaml"
"$python" "$HERE/render.py" "$work/render.yaml" "$work"
if [ "$mode" = --print-rules ]; then
    cat "$work/rules.yaml"
    exit 0
fi

if [ "$mode" != --live-only ]; then
    log "$(promtool --version 2>&1 | head -n 1)"
    promtool check rules "$work/rules.yaml"
    cp "$HERE/alerts_test.yaml" "$work/"
    promtool test rules "$work/alerts_test.yaml"
    "$python" "$HERE/alerts_covered.py" "$work/rules.yaml" "$work/alerts_test.yaml"
    log "rules: checked and unit-tested ($((SECONDS - started))s)"
fi
if [ "$mode" != --rules-only ]; then
    PYTHON="$python" bash "$HERE/live.sh" "$work"
fi
log "OK ($((SECONDS - started))s)"
