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

/// Applies pending migrations; returns the versions applied now.
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
    let report = migrations::runner().run_async(&mut client).await;
    drop(client);
    let _ = driver.await;
    Ok(report?
        .applied_migrations()
        .iter()
        .map(|m| i64::from(m.version()))
        .collect())
}
