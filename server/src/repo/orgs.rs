//! Changes to organizations. (Reading them is the access rule itself: see
//! [`crate::tenant::orgs`].)

use crate::tenant::TenantTx;
use uuid::Uuid;

/// Inserts without RETURNING: the new row is not visible to its creator until
/// the owner membership exists.
pub async fn insert(
    tx: &mut TenantTx,
    id: Uuid,
    name: &str,
    slug: &str,
    created_by: Uuid,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO organizations (id, name, slug, created_by) VALUES ($1, $2, $3, $4)")
        .bind(id)
        .bind(name)
        .bind(slug)
        .bind(created_by)
        .execute(tx.conn())
        .await
        .map(drop)
}

/// Renames; with `expected`, only that version (a concurrent change that
/// commits first makes the guard fail: PostgreSQL re-checks it on the new row).
pub async fn update(
    tx: &mut TenantTx,
    id: Uuid,
    name: &str,
    slug: &str,
    expected: Option<i64>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE organizations SET name = $2, slug = $3 \
         WHERE id = $1 AND ($4::bigint IS NULL OR version = $4)",
    )
    .bind(id)
    .bind(name)
    .bind(slug)
    .bind(expected)
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn delete(
    tx: &mut TenantTx,
    id: Uuid,
    expected: Option<i64>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "DELETE FROM organizations WHERE id = $1 AND ($2::bigint IS NULL OR version = $2)",
    )
    .bind(id)
    .bind(expected)
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The version the caller can see now (a new snapshot in READ COMMITTED).
pub async fn version(tx: &mut TenantTx, id: Uuid) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT version FROM organizations WHERE id = $1")
        .bind(id)
        .fetch_optional(tx.conn())
        .await
}
