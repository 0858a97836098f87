//! Stored answers to creates sent with an `Idempotency-Key` (V012). Row-level
//! security scopes every statement to the caller's own keys.

use crate::tenant::TenantTx;

/// A stored first answer.
#[derive(sqlx::FromRow)]
pub struct Stored {
    pub operation: String,
    pub request_hash: Vec<u8>,
    pub status: i16,
    pub response: serde_json::Value,
    pub location: Option<String>,
}

/// Takes the (caller, key) lock for this transaction without waiting: `false`
/// when another request with the same key holds it. Seed 1 keeps these locks
/// apart from the membership locks (seed 0) of `members::lock_org`.
pub async fn try_lock(tx: &mut TenantTx, key: &str) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT pg_try_advisory_xact_lock(hashtextextended(app_user_id()::text || ' ' || $1, 1))",
    )
    .bind(key)
    .fetch_one(tx.conn())
    .await
}

/// The caller's live entry for `key`, in one statement. An expired one that
/// the pruner has not reached yet is deleted by it (the delete policy allows
/// only expired rows), so the key can be used afresh; the read sees the rows
/// as they were before that delete, hence its own `expires_at` filter.
pub async fn find(tx: &mut TenantTx, key: &str) -> Result<Option<Stored>, sqlx::Error> {
    sqlx::query_as::<_, Stored>(
        "WITH expired AS (DELETE FROM idempotency_keys \
             WHERE user_id = app_user_id() AND key = $1 AND expires_at < now()) \
         SELECT operation, request_hash, status, response, location FROM idempotency_keys \
         WHERE user_id = app_user_id() AND key = $1 AND expires_at >= now()",
    )
    .bind(key)
    .fetch_optional(tx.conn())
    .await
}

pub struct NewEntry<'a> {
    pub key: &'a str,
    pub operation: &'a str,
    pub request_hash: &'a [u8],
    pub status: i16,
    pub response: serde_json::Value,
    pub location: Option<&'a str>,
    pub ttl_seconds: i64,
}

/// Stores the answer in the transaction that made it.
pub async fn insert(tx: &mut TenantTx, entry: NewEntry<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO idempotency_keys \
           (user_id, key, operation, request_hash, status, response, location, expires_at) \
         VALUES (app_user_id(), $1, $2, $3, $4, $5, $6, now() + make_interval(secs => $7))",
    )
    .bind(entry.key)
    .bind(entry.operation)
    .bind(entry.request_hash)
    .bind(entry.status)
    .bind(entry.response)
    .bind(entry.location)
    .bind(entry.ttl_seconds as f64)
    .execute(tx.conn())
    .await
    .map(drop)
}

/// Deletes up to `batch` expired keys of any user (SQL function
/// `app_prune_idempotency_keys`); returns how many.
pub async fn prune(pool: &sqlx::PgPool, batch: i32) -> Result<i32, sqlx::Error> {
    sqlx::query_scalar("SELECT app_prune_idempotency_keys($1)")
        .bind(batch)
        .fetch_one(pool)
        .await
}
