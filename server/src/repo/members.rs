use crate::db::read_lane::{ReadLane, same_lengths};
use crate::tenant::access::role_column;
use crate::tenant::{OrgKey, TenantTx};
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

/// The one row of `app_member_page_after`: a page as one array per column.
#[derive(sqlx::FromRow)]
struct PageRow {
    user_exists: bool,
    org_id: Option<Uuid>,
    user_ids: Option<Vec<Uuid>>,
    usernames: Option<Vec<String>>,
    roles: Option<Vec<String>>,
    created_ats: Option<Vec<DateTime<Utc>>>,
    versions: Option<Vec<i64>>,
}

/// Up to `limit` members after `after` (the membership time and user id of
/// the previous page's last row), oldest first, of the organization `org`
/// names: a keyset page in one statement of its own
/// (`app_member_page_after` sets the identity and reads under RLS). Returns
/// whether the user exists, and the organization's id with the rows if it is
/// visible to the caller.
pub async fn page_after_as(
    reads: &ReadLane,
    user: Uuid,
    org: &OrgKey<'_>,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<(bool, Option<(Uuid, Vec<Member>)>), sqlx::Error> {
    let (org_id, org_slug) = org.as_params();
    let (at, id) = after.unzip();
    let row = reads
        .fetch_one(|| {
            sqlx::query_as::<_, PageRow>(
                "SELECT * FROM app_member_page_after($1, $2, $3, $4, $5, $6)",
            )
            .bind(user)
            .bind(org_id)
            .bind(org_slug)
            .bind(at)
            .bind(id)
            .bind(limit)
        })
        .await?;
    let PageRow {
        user_exists,
        org_id: Some(org_id),
        user_ids: Some(user_ids),
        usernames: Some(usernames),
        roles: Some(roles),
        created_ats: Some(created_ats),
        versions: Some(versions),
    } = row
    else {
        return Ok((row.user_exists, None));
    };
    let lengths = [
        user_ids.len(),
        usernames.len(),
        roles.len(),
        created_ats.len(),
        versions.len(),
    ];
    same_lengths("app_member_page_after", &lengths)?;
    let members = user_ids
        .into_iter()
        .zip(usernames)
        .zip(roles)
        .zip(created_ats.into_iter().zip(versions))
        .map(|(((user_id, username), role), (created_at, version))| {
            MemberRow {
                user_id,
                username,
                role,
                created_at,
                version,
            }
            .into_api()
        })
        .collect::<Result<_, _>>()?;
    Ok((user_exists, Some((org_id, members))))
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
