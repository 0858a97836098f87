use crate::tenant::TenantTx;
use crate::tenant::access::role_column;
use backend_api::types::{Member, Role};
use chrono::{DateTime, Utc};
use uuid::Uuid;

#[derive(sqlx::FromRow)]
struct MemberRow {
    user_id: Uuid,
    username: String,
    role: String,
    created_at: DateTime<Utc>,
    version: i64,
}

impl MemberRow {
    fn into_api(self) -> Result<Member, sqlx::Error> {
        Ok(Member {
            user_id: self.user_id,
            username: self.username,
            role: role_column(&self.role)?,
            created_at: self.created_at,
            version: self.version,
        })
    }
}

macro_rules! member_select {
    () => {
        "SELECT m.user_id, u.username, m.role, m.created_at, m.version \
     FROM memberships m JOIN users u ON u.id = m.user_id"
    };
}

/// Serialises membership changes of one organization, so that two concurrent
/// demotions cannot both see "another owner remains".
pub async fn lock_org(tx: &mut TenantTx, org: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1::text, 0))")
        .bind(org)
        .execute(tx.conn())
        .await
        .map(drop)
}

/// The caller's role in `org` now (under the lock: a role read before it may
/// have changed while waiting).
pub async fn caller_role(tx: &mut TenantTx, org: Uuid) -> Result<Option<Role>, sqlx::Error> {
    let role: Option<String> = sqlx::query_scalar("SELECT app_role_in($1)")
        .bind(org)
        .fetch_one(tx.conn())
        .await?;
    role.map(|r| role_column(&r)).transpose()
}

pub async fn insert(
    tx: &mut TenantTx,
    org: Uuid,
    user: Uuid,
    role: Role,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO memberships (org_id, user_id, role) VALUES ($1, $2, $3)")
        .bind(org)
        .bind(user)
        .bind(role.as_str())
        .execute(tx.conn())
        .await
        .map(drop)
}

pub async fn get(tx: &mut TenantTx, org: Uuid, user: Uuid) -> Result<Option<Member>, sqlx::Error> {
    sqlx::query_as::<_, MemberRow>(concat!(
        member_select!(),
        " WHERE m.org_id = $1 AND m.user_id = $2"
    ))
    .bind(org)
    .bind(user)
    .fetch_optional(tx.conn())
    .await?
    .map(MemberRow::into_api)
    .transpose()
}

pub async fn set_role(
    tx: &mut TenantTx,
    org: Uuid,
    user: Uuid,
    role: Role,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE memberships SET role = $3 WHERE org_id = $1 AND user_id = $2")
        .bind(org)
        .bind(user)
        .bind(role.as_str())
        .execute(tx.conn())
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn delete(tx: &mut TenantTx, org: Uuid, user: Uuid) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM memberships WHERE org_id = $1 AND user_id = $2")
        .bind(org)
        .bind(user)
        .execute(tx.conn())
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn count_owners(tx: &mut TenantTx, org: Uuid) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT count(*) FROM memberships WHERE org_id = $1 AND role = 'owner'")
        .bind(org)
        .fetch_one(tx.conn())
        .await
}

/// Up to `limit` members of `org` after `after` (the membership time and user
/// id of the previous page's last row), oldest first: a keyset page.
pub async fn page_after(
    tx: &mut TenantTx,
    org: Uuid,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<Vec<Member>, sqlx::Error> {
    let (at, id) = after.unzip();
    sqlx::query_as::<_, MemberRow>(concat!(
        member_select!(),
        " WHERE m.org_id = $1 AND ($2::timestamptz IS NULL OR (m.created_at, m.user_id) > ($2, $3))",
        " ORDER BY m.created_at, m.user_id LIMIT $4"
    ))
    .bind(org)
    .bind(at)
    .bind(id)
    .bind(limit)
    .fetch_all(tx.conn())
    .await?
    .into_iter()
    .map(MemberRow::into_api)
    .collect()
}

pub async fn list(
    tx: &mut TenantTx,
    org: Uuid,
    limit: u32,
    offset: u32,
) -> Result<(Vec<Member>, i64), sqlx::Error> {
    let total: i64 = sqlx::query_scalar("SELECT count(*) FROM memberships WHERE org_id = $1")
        .bind(org)
        .fetch_one(tx.conn())
        .await?;
    let rows = sqlx::query_as::<_, MemberRow>(concat!(
        member_select!(),
        " WHERE m.org_id = $1 ORDER BY m.created_at, m.user_id LIMIT $2 OFFSET $3"
    ))
    .bind(org)
    .bind(i64::from(limit))
    .bind(i64::from(offset))
    .fetch_all(tx.conn())
    .await?;
    Ok((
        rows.into_iter()
            .map(MemberRow::into_api)
            .collect::<Result<_, _>>()?,
        total,
    ))
}
