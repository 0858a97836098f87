//! `spawn_app()`: a running server for one test.

use backend_e2e::testenv::{self, TestDatabase};
use backend_server::settings::{Settings, Source};
use backend_server::startup::{Application, Overrides};
use backend_server::telemetry::{self, LogLevel};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub struct TestApp {
    pub address: String,
    pub db: TestDatabase,
    /// Unauthenticated client.
    pub client: backend_client::Client,
    /// Raw HTTP for requests the typed client cannot make (malformed bodies).
    pub http: reqwest::Client,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// The text of `GET /metrics`.
    pub async fn metrics(&self) -> String {
        self.http
            .get(self.url("/metrics"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    pub fn client_with(&self, token: &str) -> backend_client::Client {
        backend_client::with_token(&self.address, token).expect("valid token header")
    }

    /// Signs in a new guest; returns its token and client.
    pub async fn guest(&self) -> (String, backend_client::types::User, backend_client::Client) {
        let resp = self
            .client
            .auth_guest()
            .await
            .expect("guest sign-in")
            .into_inner();
        let client = self.client_with(&resp.access_token);
        (resp.access_token, resp.user, client)
    }

    /// A superuser connection to this test's database (bypasses RLS).
    pub async fn admin(&self) -> sqlx::PgConnection {
        use sqlx::Connection;
        sqlx::PgConnection::connect(&self.db.admin_url)
            .await
            .expect("admin connection")
    }
}

/// A row locked `FOR UPDATE` by an open superuser transaction: a request that
/// writes it, or inserts a row referencing it, waits until [`RowHold::release`].
pub struct RowHold(sqlx::PgConnection);

impl TestApp {
    pub async fn hold_row(&self, table: &str, id: uuid::Uuid) -> RowHold {
        let mut conn = self.admin().await;
        sqlx::query("BEGIN").execute(&mut conn).await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT 1 FROM {table} WHERE id = $1 FOR UPDATE"
        )))
        .bind(id)
        .execute(&mut conn)
        .await
        .unwrap();
        RowHold(conn)
    }
}

impl RowHold {
    pub async fn release(mut self) {
        sqlx::query("COMMIT").execute(&mut self.0).await.unwrap();
    }
}

/// Creates an organization named `name` (slug derived from it) as the
/// client's user.
pub async fn create_org(client: &backend_client::Client, name: &str) -> backend_client::types::Org {
    client
        .org_create(
            None,
            &backend_client::types::OrgInput {
                name: name.parse().unwrap(),
                slug: None,
            },
        )
        .await
        .unwrap()
        .into_inner()
}

pub async fn migrate(url: String) -> Result<(), String> {
    backend_server::db::migrate::run(&url.into(), None)
        .await
        .map(drop)
        .map_err(|e| e.to_string())
}

/// Settings for a test server; `extra` overrides (e.g. a broken REDIS_URL).
pub fn settings(db: &TestDatabase, redis_url: &str, extra: &[(&str, &str)]) -> Settings {
    let mut vars: HashMap<String, String> = HashMap::from([
        ("ENVIRONMENT".into(), "staging".into()),
        ("BIND_ADDRESS".into(), "127.0.0.1:0".into()),
        ("DATABASE_URL".into(), db.app_url.clone()),
        ("REDIS_URL".into(), redis_url.to_owned()),
        (
            "JWT_SECRET".into(),
            "test-secret-0123456789abcdef0123456789abcdef".into(),
        ),
        ("GUEST_SIGNIN_RATE_LIMIT_PER_MINUTE".into(), "100000".into()),
        ("SHUTDOWN_GRACE_SECONDS".into(), "2".into()),
    ]);
    for (k, v) in extra {
        vars.insert((*k).into(), (*v).into());
    }
    Settings::from_source(&Source(|k| vars.get(k).cloned())).expect("test settings are valid")
}

fn logger() -> (slog::Logger, LogLevel) {
    let level = LogLevel::new(if std::env::var("TEST_LOG").is_ok() {
        "debug"
    } else {
        "error"
    });
    let log = if std::env::var("TEST_LOG").is_ok() {
        telemetry::logger(std::io::stdout(), &level)
    } else {
        telemetry::logger(std::io::sink(), &level)
    };
    (log, level)
}

/// Builds (but does not spawn) a server; for tests that expect start-up to fail.
pub async fn build(settings: Settings) -> anyhow::Result<Application> {
    let (log, level) = logger();
    build_logging_to(settings, log, level).await
}

/// [`build`] with the test's own logger (to read what the server logs).
pub async fn build_logging_to(
    settings: Settings,
    log: slog::Logger,
    level: LogLevel,
) -> anyhow::Result<Application> {
    let prefix = format!("test:{}:", uuid::Uuid::new_v4().simple());
    Application::build(
        settings,
        log,
        level,
        Overrides {
            redis_prefix: prefix,
        },
    )
    .await
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

pub async fn spawn_app_with(extra: &[(&str, &str)]) -> TestApp {
    let db = testenv::fresh_database(migrate).await;
    let redis_url = testenv::redis_url().await;
    spawn_on(db, redis_url, extra).await
}

/// A server whose PostgreSQL connections go through a proxy the test can
/// cut (the shared PostgreSQL itself is never touched).
pub async fn spawn_app_behind_db_proxy() -> (TestApp, backend_e2e::proxy::Proxy) {
    spawn_app_behind_db_proxy_with(&[]).await
}

/// [`spawn_app_behind_db_proxy`] with extra settings.
pub async fn spawn_app_behind_db_proxy_with(
    extra: &[(&str, &str)],
) -> (TestApp, backend_e2e::proxy::Proxy) {
    use backend_e2e::proxy::{Proxy, upstream_of};
    let mut db = testenv::fresh_database(migrate).await;
    let proxy = Proxy::start(upstream_of(&db.app_url, 5432)).await;
    db.app_url = proxy.url_through(&db.app_url);
    let redis_url = testenv::redis_url().await;
    (spawn_on(db, redis_url, extra).await, proxy)
}

pub async fn spawn_on(db: TestDatabase, redis_url: String, extra: &[(&str, &str)]) -> TestApp {
    let app = build(settings(&db, &redis_url, extra))
        .await
        .expect("server starts");
    serve(app, db)
}

/// [`spawn_app_with`], the server logging into `captured` at `level`.
pub async fn spawn_app_logging_to(
    extra: &[(&str, &str)],
    captured: &Captured,
    level: &str,
) -> TestApp {
    let db = testenv::fresh_database(migrate).await;
    let redis_url = testenv::redis_url().await;
    let level = LogLevel::new(level);
    let log = telemetry::logger(captured.clone(), &level);
    let app = build_logging_to(settings(&db, &redis_url, extra), log, level)
        .await
        .expect("server starts");
    serve(app, db)
}

/// Runs `app` in the background until the test ends.
fn serve(app: Application, db: TestDatabase) -> TestApp {
    let address = format!("http://{}", app.local_addr());
    tokio::spawn(app.run_until(std::future::pending()));
    TestApp {
        client: backend_client::Client::new(&address),
        http: reqwest::Client::new(),
        address,
        db,
    }
}

/// Log lines written by a server, for the test to read.
#[derive(Clone, Default)]
pub struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// Waits for the next minute when fewer than `60 - latest` seconds of this
/// one are left, so that a test's hits on a per-minute rate limit fall in
/// one fixed window.
pub async fn within_one_rate_window(latest: i64) {
    let second_of_minute = chrono::Utc::now().timestamp() % 60;
    if second_of_minute > latest {
        tokio::time::sleep(std::time::Duration::from_secs(
            (61 - second_of_minute) as u64,
        ))
        .await;
    }
}
