//! PostgreSQL access: the pool, migrations, the role guard and the tenant
//! transaction entry point.

pub mod migrate;
pub mod role_guard;
pub mod tenant;

use secrecy::{ExposeSecret, SecretString};
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use std::str::FromStr;
use std::time::Duration;

/// Connection options from a URL and an optional separate password.
pub fn connect_options(
    url: &SecretString,
    password: Option<&SecretString>,
) -> Result<PgConnectOptions, sqlx::Error> {
    let mut options = PgConnectOptions::from_str(url.expose_secret())?.application_name("backend");
    if let Some(password) = password {
        options = options.password(password.expose_secret());
    }
    Ok(options)
}

/// A lazily connecting pool: the server starts even while PostgreSQL is down
/// and `/ready` reports it. Acquiring waits at most `acquire_timeout`, so a
/// request never hangs on an exhausted pool: it gets a 503 instead.
pub fn pool(options: PgConnectOptions, max_connections: u32) -> PgPool {
    PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(3))
        .idle_timeout(Duration::from_secs(300))
        .connect_lazy_with(options)
}
