//! PostgreSQL access: the pool, migrations, the role guard and the tenant
//! transaction entry point.

pub mod failure;
pub mod fairness;
pub mod migrate;
pub mod read_lane;
pub mod role_guard;
pub mod traced;

use crate::settings::DatabaseTimeouts;
use secrecy::{ExposeSecret, SecretString};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, PgPool};
use std::str::FromStr;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

/// Connection options from a URL and an optional separate password, with the
/// session bounds every connection of the server carries: PostgreSQL cancels
/// a statement after `statement`, gives up a lock wait (advisory locks
/// included) after `lock`, and ends a session left idle inside a transaction
/// after `idle_in_transaction`; its TCP keepalives find a client that went
/// away. (sqlx cannot set client-side keepalives; the request timeout bounds a
/// network that stops answering, see `http::run`.)
pub fn connect_options(
    url: &SecretString,
    password: Option<&SecretString>,
    timeouts: &DatabaseTimeouts,
) -> Result<PgConnectOptions, sqlx::Error> {
    let ms = |d: std::time::Duration| d.as_millis().to_string();
    let mut options = PgConnectOptions::from_str(url.expose_secret())?
        .application_name("backend")
        .options([
            ("statement_timeout", ms(timeouts.statement)),
            ("lock_timeout", ms(timeouts.lock)),
            (
                "idle_in_transaction_session_timeout",
                ms(timeouts.idle_in_transaction),
            ),
            ("tcp_keepalives_idle", "30".to_owned()),
            ("tcp_keepalives_interval", "10".to_owned()),
            ("tcp_keepalives_count", "3".to_owned()),
        ]);
    if let Some(password) = password {
        options = options.password(password.expose_secret());
    }
    Ok(options)
}

/// Requests waiting for a connection of the shared pool right now (sqlx
/// does not count them): the `db_pool_waiters` metric.
static WAITERS: AtomicI64 = AtomicI64::new(0);

pub fn pool_waiters() -> i64 {
    WAITERS.load(Ordering::Relaxed)
}

/// Counts one waiter for as long as it lives.
pub(crate) struct Waiting;

impl Waiting {
    pub(crate) fn new() -> Waiting {
        WAITERS.fetch_add(1, Ordering::Relaxed);
        Waiting
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        WAITERS.fetch_sub(1, Ordering::Relaxed);
    }
}

/// A pooled connection idle for longer than this is pinged before use.
pub(crate) const PING_AFTER_IDLE: Duration = Duration::from_secs(30);

/// A lazily connecting pool (no connection is opened until one is needed;
/// `serve` itself needs PostgreSQL at start, for the role check and the
/// warm-load, and exits if it is down). Acquiring waits at most
/// `acquire_timeout`, so a request never hangs on an exhausted pool: it gets
/// a 503 instead.
///
/// sqlx pings every connection it hands out by default: one extra round trip
/// per request, as many as the whole hot read needs. Here only a connection
/// that sat idle for [`PING_AFTER_IDLE`] (when a dropped connection is likely:
/// a restarted server, a NAT timeout) is pinged. A connection that broke more
/// recently fails its first statement, which answers 503 with `Retry-After`,
/// and sqlx then discards it.
pub fn pool(options: PgConnectOptions, max_connections: u32) -> PgPool {
    PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(3))
        .idle_timeout(Duration::from_secs(300))
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for >= PING_AFTER_IDLE {
                    conn.ping().await?;
                }
                Ok(true)
            })
        })
        .connect_lazy_with(options)
}
