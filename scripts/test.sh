#!/usr/bin/env bash
# Runs the whole test suite: Rust unit, integration and end-to-end tests
# against the real PostgreSQL and Redis (under coverage, with a floor), then the
# contract, conformance, Postman and offline deployment checks.
#
# DATABASE_URL must be a superuser URL (the harness creates roles and one
# database per test); REDIS_URL any Redis. Both default to this machine's.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib/services.sh source-path=SCRIPTDIR
source scripts/lib/services.sh
ensure_services

# The /docs test drives Debian's headless Chromium.
if ! command -v chromium >/dev/null 2>&1; then
    echo "installing Debian's chromium for the API reference UI test" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

# Each step says when it starts, so a slow CI run shows where the time went.
started=$(date +%s)
step() { echo "== $1 (at $(( $(date +%s) - started )) s)"; }

export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"

# Databases left behind by earlier runs (each test makes its own).
psql "$DATABASE_URL" -qAt -c "SELECT format('DROP DATABASE %I WITH (FORCE);', datname) \
    FROM pg_database WHERE datname LIKE 'backend\_test\_%'" | psql "$DATABASE_URL" -q >/dev/null

step "Rust tests under coverage (cargo-tarpaulin; report in target/coverage/)"
bash scripts/coverage.sh

# Every later step drives the same instrumented build, so CI compiles the
# workspace once. Its processes write their profiles to a scratch folder
# instead of the working directory.
# shellcheck source=lib/coverage.sh source-path=SCRIPTDIR
source scripts/lib/coverage.sh
ensure_tarpaulin
export BACKEND_BIN="$COVERAGE_TARGET_DIR/debug/backend"
profiles=$(mktemp -d)
trap 'rm -rf "$profiles"' EXIT
export LLVM_PROFILE_FILE="$profiles/%p-%m.profraw"

step "Documentation examples (cargo test --doc)"
coverage_cargo test --workspace --locked --doc --quiet
step "OpenAPI document (openapi-spec-validator)"
bash scripts/lint-openapi.sh
step "Conformance fuzzing (schemathesis against a spawned server)"
bash scripts/conformance.sh
step "Conformance fuzzing through the HTTP front (HTTP_FRONT=on, fewer examples)"
HTTP_FRONT=on CONFORMANCE_MAX_EXAMPLES=50 bash scripts/conformance.sh
step "Postman: generated collection drift, newman flow against a spawned server"
bash scripts/postman/check.sh
step "Deployment artifacts (offline validation)"
bash scripts/validate-deploy.sh
step "Deployment checks fail on broken input"
bash scripts/validate_deploy/test_negative.sh
step "Monitoring: promtool rule tests, dashboard queries against a real Prometheus"
bash scripts/monitoring/check.sh
step "Delivery workflows and Renovate config (actionlint, renovate-config-validator)"
bash scripts/validate-workflows.sh
bash scripts/validate_workflows/test_negative.sh
step "Phase 2 report: every command in docs/roadmap/Phase-2.md works"
RUSTFLAGS="$(tarpaulin_rustflags)" CARGO_TARGET_DIR="$COVERAGE_TARGET_DIR" python3 scripts/roadmap/phase2.py --check
