//! Refinery migrations embedded from `migrations/`.
//!
//! Refinery speaks tokio-postgres, not sqlx, so migrations use their own short
//! connection, made with the owner role's URL (`MIGRATION_DATABASE_URL`).

use secrecy::{ExposeSecret, SecretString};
use std::str::FromStr;

refinery::embed_migrations!("../migrations");

/// The newest migration version compiled into this binary.
pub fn latest_version() -> i64 {
    migrations::runner()
        .get_migrations()
        .iter()
        .map(|m| i64::from(m.version()))
        .max()
        .unwrap_or(0)
}

#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error("invalid migration database URL: {0}")]
    Url(tokio_postgres::Error),
    #[error("cannot connect to the migration database: {0}")]
    Connect(tokio_postgres::Error),
    #[error("migration failed: {0}")]
    Run(#[from] refinery::Error),
}

/// The session advisory lock `run` holds (an arbitrary constant: "backend"
/// in ASCII).
const MIGRATION_LOCK: i64 = 0x0062_6163_6b65_6e64;

/// Applies pending migrations; returns the versions applied now. Concurrent
/// runs are serialised by an advisory lock.
pub async fn run(
    url: &SecretString,
    password: Option<&SecretString>,
) -> Result<Vec<i64>, MigrateError> {
    let mut config =
        tokio_postgres::Config::from_str(url.expose_secret()).map_err(MigrateError::Url)?;
    if let Some(password) = password {
        config.password(password.expose_secret());
    }
    config.application_name("backend-migrate");
    let (mut client, connection) = config
        .connect(tokio_postgres::NoTls)
        .await
        .map_err(MigrateError::Connect)?;
    let driver = tokio::spawn(connection);
    // Two `backend migrate` at once (a Job retried while the first still
    // runs, two releases racing) would both try to apply the same versions:
    // the second waits here for the first and then finds nothing to do.
    client
        .execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])
        .await
        .map_err(MigrateError::Connect)?;
    let report = migrations::runner().run_async(&mut client).await;
    let _ = client
        .execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK])
        .await;
    drop(client);
    let _ = driver.await;
    Ok(report?
        .applied_migrations()
        .iter()
        .map(|m| i64::from(m.version()))
        .collect())
}
