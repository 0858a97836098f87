#!/usr/bin/env bash
# Starts the built `backend` on a fresh database and a free port, mints an
# admin token with the same secret, and runs scripts/conformance.sh against
# it. Used by scripts/test.sh; needs DATABASE_URL (a superuser URL) and
# REDIS_URL, like the Rust tests. The server is started by
# scripts/lib/spawn-backend.sh (BACKEND_BIN or target/debug/backend).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib/spawn-backend.sh source-path=SCRIPTDIR
source scripts/lib/spawn-backend.sh
trap stop_backend EXIT

spawn_backend conformance
CONFORMANCE_ADMIN_TOKEN=$(spawned_admin_token conformance) \
    bash scripts/conformance.sh "$SPAWNED_URL"
