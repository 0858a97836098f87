#!/usr/bin/env bash
# Regenerates migrations/schema.sql, the live schema: pg_dump --schema-only of a
# database migrated from empty, normalised by the test that checks the file
# (server/tests/api/schema.rs), which writes it instead when SCHEMA_SQL_WRITE
# is set. Run after adding a migration.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib/services.sh source-path=SCRIPTDIR
source scripts/lib/services.sh
ensure_services
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
SCHEMA_SQL_WRITE=1 cargo test -q --locked -p backend-server --test api \
    schema::the_committed_schema_is_what_the_migrations_build
echo "wrote migrations/schema.sql"
