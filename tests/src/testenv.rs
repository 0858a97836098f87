//! Databases and Redis for tests.
//!
//! `DATABASE_URL` here is an *administrative* URL (a superuser, e.g.
//! `postgres://postgres@127.0.0.1:5432/test`): the harness uses it to create
//! the roles `backend_owner` (owns the schema) and `backend_app` (what the
//! server connects as, so RLS applies), one template database per migration
//! set, and one database per test cloned from it.

use sha2::{Digest, Sha256};
use sqlx::{Connection, Executor, PgConnection};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use testcontainers_modules::testcontainers::runners::AsyncRunner;
use url::Url;

/// Roles the harness creates; the same names the deployment uses.
pub const OWNER_ROLE: &str = "backend_owner";
pub const APP_ROLE: &str = "backend_app";

/// Prefix of every database the harness creates (`.ci/run` drops leftovers).
pub const TEST_DB_PREFIX: &str = "backend_test_";

const HOW_TO: &str = "set DATABASE_URL to a PostgreSQL superuser URL (e.g. \
    postgres://postgres@127.0.0.1:5432/test) and REDIS_URL (e.g. redis://127.0.0.1:6379), \
    or run a Docker engine so testcontainers can start them";

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

static CONTAINERS: OnceLock<std::sync::Mutex<Vec<Box<dyn std::any::Any + Send>>>> = OnceLock::new();

fn keep_alive<T: Send + 'static>(container: T) {
    CONTAINERS
        .get_or_init(Default::default)
        .lock()
        .expect("container list lock")
        .push(Box::new(container));
}

/// The administrative PostgreSQL URL.
pub async fn admin_url() -> Url {
    if let Some(url) = env("DATABASE_URL") {
        return Url::parse(&url).expect("DATABASE_URL is a URL");
    }
    let container = testcontainers_modules::postgres::Postgres::default()
        .with_host_auth()
        .start()
        .await
        .unwrap_or_else(|e| panic!("no PostgreSQL for tests ({e}): {HOW_TO}"));
    let port = container
        .get_host_port_ipv4(5432)
        .await
        .expect("mapped port");
    keep_alive(container);
    Url::parse(&format!(
        "postgres://postgres:postgres@127.0.0.1:{port}/postgres"
    ))
    .expect("URL")
}

/// The Redis URL.
pub async fn redis_url() -> String {
    if let Some(url) = env("REDIS_URL") {
        return url;
    }
    let container = testcontainers_modules::redis::Redis::default()
        .start()
        .await
        .unwrap_or_else(|e| panic!("no Redis for tests ({e}): {HOW_TO}"));
    let port = container
        .get_host_port_ipv4(6379)
        .await
        .expect("mapped port");
    keep_alive(container);
    format!("redis://127.0.0.1:{port}")
}

/// `base` with another user and database (no password: the harness relies on
/// trust authentication, or on the container's superuser for admin only).
pub fn url_for(base: &Url, user: &str, database: &str) -> String {
    let mut url = base.clone();
    url.set_username(user).expect("URL accepts a username");
    url.set_password(None).expect("URL accepts no password");
    url.set_path(&format!("/{database}"));
    url.to_string()
}

/// One test's database.
#[derive(Clone, Debug)]
pub struct TestDatabase {
    pub name: String,
    /// Superuser access, for tests that set up or inspect from outside RLS.
    pub admin_url: String,
    /// The owner role (what `backend migrate` uses).
    pub owner_url: String,
    /// The application role (what `backend serve` uses).
    pub app_url: String,
}

/// Hash of the migration files, so a changed migration gets a new template.
fn migrations_fingerprint(dir: &Path) -> String {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("migrations directory")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .collect();
    files.sort();
    let mut hasher = Sha256::new();
    for f in files {
        hasher.update(f.file_name().unwrap().to_string_lossy().as_bytes());
        hasher.update(std::fs::read(&f).expect("read migration"));
    }
    hasher
        .finalize()
        .iter()
        .take(6)
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub fn migrations_dir() -> PathBuf {
    crate::repo_root().join("migrations")
}

/// Creates the roles if missing. Callers hold the harness lock.
async fn ensure_roles(admin: &mut PgConnection) {
    admin
        .execute(
            "DO $$ BEGIN \
               IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'backend_owner') THEN \
                 CREATE ROLE backend_owner LOGIN NOSUPERUSER NOBYPASSRLS; END IF; \
               IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'backend_app') THEN \
                 CREATE ROLE backend_app LOGIN NOSUPERUSER NOBYPASSRLS; END IF; \
             END $$",
        )
        .await
        .expect("create test roles");
}

/// A fresh database for one test, cloned from a template migrated by
/// `migrate(owner_url)`. Safe to call from many test processes at once.
pub async fn fresh_database<F, Fut>(migrate: F) -> TestDatabase
where
    F: FnOnce(String) -> Fut,
    Fut: std::future::Future<Output = Result<(), String>>,
{
    let admin = admin_url().await;
    let mut conn = PgConnection::connect(admin.as_str())
        .await
        .unwrap_or_else(|e| panic!("cannot connect to DATABASE_URL ({e}): {HOW_TO}"));
    let template = format!("backend_tmpl_{}", migrations_fingerprint(&migrations_dir()));
    // One process at a time sets up roles and the template.
    conn.execute("SELECT pg_advisory_lock(727274)")
        .await
        .expect("lock");
    ensure_roles(&mut conn).await;
    let ready: Option<bool> =
        sqlx::query_scalar("SELECT datistemplate FROM pg_database WHERE datname = $1")
            .bind(&template)
            .fetch_optional(&mut conn)
            .await
            .expect("look up template");
    if ready != Some(true) {
        if ready.is_some() {
            conn.execute(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE \"{template}\" WITH (FORCE)"
            )))
            .await
            .expect("drop half-made template");
        }
        conn.execute(sqlx::AssertSqlSafe(format!(
            "CREATE DATABASE \"{template}\" OWNER {OWNER_ROLE}"
        )))
        .await
        .expect("create template");
        if let Err(e) = migrate(url_for(&admin, OWNER_ROLE, &template)).await {
            let _ = conn.execute("SELECT pg_advisory_unlock(727274)").await;
            panic!("migrating the test template failed: {e}");
        }
        conn.execute(sqlx::AssertSqlSafe(format!(
            "ALTER DATABASE \"{template}\" IS_TEMPLATE true"
        )))
        .await
        .expect("mark template");
    }
    conn.execute("SELECT pg_advisory_unlock(727274)")
        .await
        .expect("unlock");
    let name = format!("{TEST_DB_PREFIX}{}", uuid::Uuid::new_v4().simple());
    conn.execute(sqlx::AssertSqlSafe(format!(
        "CREATE DATABASE \"{name}\" TEMPLATE \"{template}\" OWNER {OWNER_ROLE}"
    )))
    .await
    .expect("clone template");
    TestDatabase {
        admin_url: url_for(&admin, admin.username(), &name),
        owner_url: url_for(&admin, OWNER_ROLE, &name),
        app_url: url_for(&admin, APP_ROLE, &name),
        name,
    }
}

/// An empty database owned by the owner role (for migration tests).
pub async fn empty_database() -> TestDatabase {
    let admin = admin_url().await;
    let mut conn = PgConnection::connect(admin.as_str()).await.expect(HOW_TO);
    conn.execute("SELECT pg_advisory_lock(727274)")
        .await
        .expect("lock");
    ensure_roles(&mut conn).await;
    conn.execute("SELECT pg_advisory_unlock(727274)")
        .await
        .expect("unlock");
    let name = format!("{TEST_DB_PREFIX}{}", uuid::Uuid::new_v4().simple());
    conn.execute(sqlx::AssertSqlSafe(format!(
        "CREATE DATABASE \"{name}\" OWNER {OWNER_ROLE}"
    )))
    .await
    .expect("create database");
    TestDatabase {
        admin_url: url_for(&admin, admin.username(), &name),
        owner_url: url_for(&admin, OWNER_ROLE, &name),
        app_url: url_for(&admin, APP_ROLE, &name),
        name,
    }
}
