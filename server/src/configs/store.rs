//! SQL for `service_configs` and `config_history`. Not tenant data (no RLS):
//! these functions use the pool directly.

use crate::db::traced::{self, Traced};
use backend_api::types::{ConfigChange, ConfigEntry};
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    service_name: String,
    config_key: String,
    config_value: String,
    version: i64,
    updated_at: DateTime<Utc>,
}

impl From<Row> for ConfigEntry {
    fn from(r: Row) -> ConfigEntry {
        ConfigEntry {
            service: r.service_name,
            key: r.config_key,
            value: r.config_value,
            version: r.version,
            updated_at: r.updated_at,
        }
    }
}

macro_rules! columns {
    () => {
        "id, service_name, config_key, config_value, version, updated_at"
    };
}

pub async fn all(pool: &PgPool) -> Result<Vec<ConfigEntry>, sqlx::Error> {
    let rows = sqlx::query_as::<_, Row>(concat!("SELECT ", columns!(), " FROM service_configs"))
        .fetch_all(Traced(pool))
        .await?;
    Ok(rows.into_iter().map(ConfigEntry::from).collect())
}

pub async fn get(
    pool: &PgPool,
    service: &str,
    key: &str,
) -> Result<Option<ConfigEntry>, sqlx::Error> {
    sqlx::query_as::<_, Row>(concat!(
        "SELECT ",
        columns!(),
        " FROM service_configs WHERE service_name = $1 AND config_key = $2"
    ))
    .bind(service)
    .bind(key)
    .fetch_optional(Traced(pool))
    .await
    .map(|r| r.map(ConfigEntry::from))
}

pub async fn list(
    pool: &PgPool,
    service: &str,
    limit: u32,
    offset: u32,
) -> Result<(Vec<ConfigEntry>, i64), sqlx::Error> {
    let total: i64 =
        sqlx::query_scalar("SELECT count(*) FROM service_configs WHERE service_name = $1")
            .bind(service)
            .fetch_one(Traced(pool))
            .await?;
    let rows = sqlx::query_as::<_, Row>(concat!(
        "SELECT ",
        columns!(),
        " FROM service_configs WHERE service_name = $1 ORDER BY config_key LIMIT $2 OFFSET $3"
    ))
    .bind(service)
    .bind(i64::from(limit))
    .bind(i64::from(offset))
    .fetch_all(Traced(pool))
    .await?;
    Ok((rows.into_iter().map(ConfigEntry::from).collect(), total))
}

/// One cursor page of a service's entries in key order, after the key
/// `after` (exclusive). Keys are never deleted, and one created meanwhile
/// either sorts after the page (and comes later) or before it (and is not
/// part of the walk); no key shifts another.
pub async fn page_after(
    pool: &PgPool,
    service: &str,
    after: Option<&str>,
    fetch: i64,
) -> Result<Vec<ConfigEntry>, sqlx::Error> {
    let rows = sqlx::query_as::<_, Row>(concat!(
        "SELECT ",
        columns!(),
        " FROM service_configs WHERE service_name = $1 AND ($2::text IS NULL OR config_key > $2) \
         ORDER BY config_key LIMIT $3"
    ))
    .bind(service)
    .bind(after)
    .bind(fetch)
    .fetch_all(Traced(pool))
    .await?;
    Ok(rows.into_iter().map(ConfigEntry::from).collect())
}

#[derive(sqlx::FromRow)]
struct ChangeRow {
    version: i64,
    old_value: Option<String>,
    new_value: String,
    changed_by: String,
    changed_at: DateTime<Utc>,
    reason: Option<String>,
}

impl From<ChangeRow> for ConfigChange {
    fn from(r: ChangeRow) -> ConfigChange {
        ConfigChange {
            version: r.version,
            old_value: r.old_value,
            new_value: r.new_value,
            changed_by: r.changed_by,
            changed_at: r.changed_at,
            reason: r.reason,
        }
    }
}

async fn config_id(pool: &PgPool, service: &str, key: &str) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM service_configs WHERE service_name = $1 AND config_key = $2")
        .bind(service)
        .bind(key)
        .fetch_optional(Traced(pool))
        .await
}

/// The columns of a [`ChangeRow`].
macro_rules! history_select {
    () => {
        "SELECT version, old_value, new_value, changed_by, changed_at, reason FROM config_history"
    };
}

/// A key's history, newest first; `None` if the key does not exist.
pub async fn history(
    pool: &PgPool,
    service: &str,
    key: &str,
    limit: u32,
    offset: u32,
) -> Result<Option<(Vec<ConfigChange>, i64)>, sqlx::Error> {
    let Some(id) = config_id(pool, service, key).await? else {
        return Ok(None);
    };
    let total: i64 = sqlx::query_scalar("SELECT count(*) FROM config_history WHERE config_id = $1")
        .bind(id)
        .fetch_one(Traced(pool))
        .await?;
    let rows = sqlx::query_as::<_, ChangeRow>(concat!(
        history_select!(),
        " WHERE config_id = $1 ORDER BY version DESC LIMIT $2 OFFSET $3"
    ))
    .bind(id)
    .bind(i64::from(limit))
    .bind(i64::from(offset))
    .fetch_all(Traced(pool))
    .await?;
    Ok(Some((
        rows.into_iter().map(ConfigChange::from).collect(),
        total,
    )))
}

/// One cursor page of a key's history, newest first, before the version
/// `before` (exclusive); `None` if the key does not exist. Writes during a
/// walk add newer versions only, which sort before its first page.
pub async fn history_before(
    pool: &PgPool,
    service: &str,
    key: &str,
    before: Option<i64>,
    fetch: i64,
) -> Result<Option<Vec<ConfigChange>>, sqlx::Error> {
    let Some(id) = config_id(pool, service, key).await? else {
        return Ok(None);
    };
    let rows = sqlx::query_as::<_, ChangeRow>(concat!(
        history_select!(),
        " WHERE config_id = $1 AND ($2::bigint IS NULL OR version < $2)",
        " ORDER BY version DESC LIMIT $3"
    ))
    .bind(id)
    .bind(before)
    .bind(fetch)
    .fetch_all(Traced(pool))
    .await?;
    Ok(Some(rows.into_iter().map(ConfigChange::from).collect()))
}

/// A write request.
pub struct Put<'a> {
    pub service: &'a str,
    pub key: &'a str,
    pub value: &'a str,
    pub reason: Option<&'a str>,
    pub changed_by: &'a str,
    /// `If-Match`: write only if the stored version is this one.
    pub expected_version: Option<i64>,
}

pub enum PutOutcome {
    Written(ConfigEntry),
    /// The stored version (`None`: the key does not exist) is not the expected one.
    VersionConflict(Option<i64>),
}

async fn locked(
    conn: &mut PgConnection,
    service: &str,
    key: &str,
) -> Result<Option<Row>, sqlx::Error> {
    sqlx::query_as::<_, Row>(concat!(
        "SELECT ",
        columns!(),
        " FROM service_configs WHERE service_name = $1 AND config_key = $2 FOR UPDATE"
    ))
    .bind(service)
    .bind(key)
    .fetch_optional(Traced(conn))
    .await
}

async fn record(
    conn: &mut PgConnection,
    row: &Row,
    old: Option<&str>,
    put: &Put<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO config_history (config_id, old_value, new_value, version, changed_by, reason) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(row.id)
    .bind(old)
    .bind(&row.config_value)
    .bind(row.version)
    .bind(put.changed_by)
    .bind(put.reason)
    .execute(Traced(conn))
    .await
    .map(drop)
}

/// Creates or bumps the entry and appends the history row, in one
/// transaction. Concurrent writes to one key queue on the row lock, so
/// versions are consecutive and no update is lost.
pub async fn put(pool: &PgPool, put: Put<'_>) -> Result<PutOutcome, sqlx::Error> {
    let mut tx = traced::begin(pool).await?;
    let mut current = locked(&mut tx, put.service, put.key).await?;
    if current.is_none() {
        if put.expected_version.is_some() {
            return Ok(PutOutcome::VersionConflict(None));
        }
        let inserted = sqlx::query_as::<_, Row>(concat!(
            "INSERT INTO service_configs (service_name, config_key, config_value) VALUES ($1, $2, $3) \
             ON CONFLICT (service_name, config_key) DO NOTHING RETURNING ",
            columns!()
        ))
        .bind(put.service)
        .bind(put.key)
        .bind(put.value)
        .fetch_optional(Traced(&mut *tx))
        .await?;
        if let Some(row) = inserted {
            record(&mut tx, &row, None, &put).await?;
            traced::commit(tx).await?;
            return Ok(PutOutcome::Written(row.into()));
        }
        // Another writer created it first; queue behind it.
        current = locked(&mut tx, put.service, put.key).await?;
    }
    let current = current.ok_or(sqlx::Error::RowNotFound)?;
    if put.expected_version.is_some_and(|v| v != current.version) {
        return Ok(PutOutcome::VersionConflict(Some(current.version)));
    }
    let row = sqlx::query_as::<_, Row>(concat!(
        "UPDATE service_configs SET config_value = $2, version = version + 1, updated_at = now() \
         WHERE id = $1 RETURNING ",
        columns!()
    ))
    .bind(current.id)
    .bind(put.value)
    .fetch_one(Traced(&mut *tx))
    .await?;
    record(&mut tx, &row, Some(&current.config_value), &put).await?;
    traced::commit(tx).await?;
    Ok(PutOutcome::Written(row.into()))
}
