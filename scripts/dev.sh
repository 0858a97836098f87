#!/usr/bin/env bash
# Runs the backend locally: makes sure PostgreSQL and Redis answer, creates
# the roles (backend_owner owns the schema, backend_app is what the server
# connects as) and the database `backend_dev` if missing, then starts
# `backend serve` in dev mode, which migrates first. Listens on :8000 and
# writes JSON log lines to stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib/services.sh source-path=SCRIPTDIR
source scripts/lib/services.sh
ensure_services

db="${BACKEND_DEV_DATABASE:-backend_dev}"
ensure_roles
psql "$PG_ADMIN_URL" -v ON_ERROR_STOP=1 -qAt -v db="$db" <<'SQL'
SELECT format('CREATE DATABASE %I OWNER backend_owner', :'db')
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') \gexec
SQL

export ENVIRONMENT=dev
export DATABASE_URL="postgres://backend_app@127.0.0.1:5432/$db"
export MIGRATION_DATABASE_URL="postgres://backend_owner@127.0.0.1:5432/$db"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
export LOG_LEVEL="${LOG_LEVEL:-info}"
export BIND_ADDRESS="${BIND_ADDRESS:-0.0.0.0:8000}"
echo "backend: serving on $BIND_ADDRESS (database $db); JSON logs follow on stdout" >&2
exec cargo run --locked -q -p backend-server --bin backend -- serve
