# shellcheck shell=bash
# Starts this machine's PostgreSQL and Redis when they do not answer.
# Sourced by scripts/dev.sh, scripts/test.sh and .ci/run.

ensure_services() {
    if ! pg_isready -q -h 127.0.0.1 -p 5432; then
        echo "PostgreSQL is not answering on 127.0.0.1:5432; starting it" >&2
        pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start
        for _ in $(seq 1 50); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.2; done
    fi
    if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
        echo "Redis is not answering on 127.0.0.1:6379; starting it" >&2
        mkdir -p /var/lib/redis /var/log/redis
        redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
            --dir /var/lib/redis --logfile /var/log/redis/ci.log
        for _ in $(seq 1 50); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.2; done
    fi
    pg_isready -q -h 127.0.0.1 -p 5432 || { echo "PostgreSQL did not start" >&2; return 1; }
    redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null || { echo "Redis did not start" >&2; return 1; }
}

# The superuser connection used to create roles and databases.
export PG_ADMIN_URL="${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}"

# Creates the two roles if missing: backend_owner owns the schema and runs
# migrations, backend_app is what the server connects as (RLS applies to it).
ensure_roles() {
    psql "$PG_ADMIN_URL" -v ON_ERROR_STOP=1 -qAt <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'backend_owner') THEN
    CREATE ROLE backend_owner LOGIN NOSUPERUSER NOBYPASSRLS;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'backend_app') THEN
    CREATE ROLE backend_app LOGIN NOSUPERUSER NOBYPASSRLS;
  END IF;
END $$;
SQL
}

# Cargo's build output lives outside the clone so that a fresh clone reuses it.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/backend-target}"
