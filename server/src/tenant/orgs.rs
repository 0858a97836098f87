//! What the caller sees of organizations: one by its key, in a tenant
//! transaction or in one statement of its own, and the list of them. Each
//! read is the organization's columns plus the caller's role; the policies
//! let only the caller's organizations through, so none of them filters by
//! tenant itself.

use super::access::{AccessError, role_column};
use super::{OrgKey, TenantTx};
use crate::db::read_lane::{ReadLane, same_lengths};
use backend_api::types::Org;
use chrono::{DateTime, Utc};
use uuid::Uuid;

#[derive(sqlx::FromRow)]
struct OrgRow {
    id: Uuid,
    name: String,
    slug: String,
    role: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    version: i64,
}

impl OrgRow {
    fn into_api(self) -> Result<Org, sqlx::Error> {
        Ok(Org {
            id: self.id,
            name: self.name,
            slug: self.slug,
            role: role_column(&self.role)?,
            created_at: self.created_at,
            updated_at: self.updated_at,
            version: self.version,
        })
    }
}

/// The caller's view: organization columns plus the caller's role.
macro_rules! org_select {
    () => {
        "SELECT o.id, o.name, o.slug, m.role, o.created_at, o.updated_at, o.version \
     FROM organizations o JOIN memberships m ON m.org_id = o.id AND m.user_id = app_user_id()"
    };
}

#[derive(sqlx::FromRow)]
struct ReadRow {
    user_exists: bool,
    id: Option<Uuid>,
    name: Option<String>,
    slug: Option<String>,
    role: Option<String>,
    created_at: Option<DateTime<Utc>>,
    updated_at: Option<DateTime<Utc>>,
    version: Option<i64>,
}

/// The caller's view of one organization in a single round trip (the SQL
/// function `app_org_read` opens the identity through `app_begin` and reads
/// under RLS). Returns whether the user exists, and the organization if the
/// caller is a member.
pub async fn read_as(
    reads: &ReadLane,
    user: Uuid,
    key: &OrgKey<'_>,
) -> Result<(bool, Option<Org>), sqlx::Error> {
    let (id, slug) = key.as_params();
    let row = reads
        .fetch_one(|| {
            sqlx::query_as::<_, ReadRow>("SELECT * FROM app_org_read($1, $2, $3)")
                .bind(user)
                .bind(id)
                .bind(slug)
        })
        .await?;
    let org = match (
        row.id,
        row.name,
        row.slug,
        row.role,
        row.created_at,
        row.updated_at,
        row.version,
    ) {
        (
            Some(id),
            Some(name),
            Some(slug),
            Some(role),
            Some(created_at),
            Some(updated_at),
            Some(version),
        ) => Some(Org {
            id,
            name,
            slug,
            role: role_column(&role)?,
            created_at,
            updated_at,
            version,
        }),
        _ => None,
    };
    Ok((row.user_exists, org))
}

/// The organization `org` names if the caller is a member;
/// [`AccessError::OrgNotFound`] otherwise.
pub async fn visible(tx: &mut TenantTx, org: &str) -> Result<Org, AccessError> {
    let key = OrgKey::possible(org).ok_or_else(|| AccessError::OrgNotFound(org.to_owned()))?;
    find(tx, &key)
        .await?
        .ok_or_else(|| AccessError::OrgNotFound(org.to_owned()))
}

pub async fn find(tx: &mut TenantTx, key: &OrgKey<'_>) -> Result<Option<Org>, sqlx::Error> {
    let row = match key {
        OrgKey::Id(id) => {
            sqlx::query_as::<_, OrgRow>(concat!(org_select!(), " WHERE o.id = $1"))
                .bind(id)
                .fetch_optional(tx.conn())
                .await?
        }
        OrgKey::Slug(slug) => {
            sqlx::query_as::<_, OrgRow>(concat!(org_select!(), " WHERE o.slug = $1"))
                .bind(slug)
                .fetch_optional(tx.conn())
                .await?
        }
    };
    row.map(OrgRow::into_api).transpose()
}

/// A page of the caller's organizations, newest first, and their total. No
/// tenant filter here: RLS only lets the caller's organizations through.
pub async fn list(
    tx: &mut TenantTx,
    limit: u32,
    offset: u32,
) -> Result<(Vec<Org>, i64), sqlx::Error> {
    let total: i64 = sqlx::query_scalar("SELECT count(*) FROM organizations")
        .fetch_one(tx.conn())
        .await?;
    let rows = sqlx::query_as::<_, OrgRow>(concat!(
        org_select!(),
        " ORDER BY o.created_at DESC, o.id DESC LIMIT $1 OFFSET $2"
    ))
    .bind(i64::from(limit))
    .bind(i64::from(offset))
    .fetch_all(tx.conn())
    .await?;
    Ok((
        rows.into_iter()
            .map(OrgRow::into_api)
            .collect::<Result<_, _>>()?,
        total,
    ))
}

/// The one row of `app_org_page_after`: a page as one array per column.
#[derive(sqlx::FromRow)]
struct PageRow {
    user_exists: bool,
    ids: Vec<Uuid>,
    names: Vec<String>,
    slugs: Vec<String>,
    roles: Vec<String>,
    created_ats: Vec<DateTime<Utc>>,
    updated_ats: Vec<DateTime<Utc>>,
    versions: Vec<i64>,
}

/// Up to `limit` of the caller's organizations after `after` (the sort time
/// and id of the previous page's last row), newest first: a keyset page, in
/// one statement of its own (`app_org_page_after` sets the identity and reads
/// under RLS). Returns whether the user exists, and the page.
pub async fn page_after_as(
    reads: &ReadLane,
    user: Uuid,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<(bool, Vec<Org>), sqlx::Error> {
    let (at, id) = after.unzip();
    let row = reads
        .fetch_one(|| {
            sqlx::query_as::<_, PageRow>("SELECT * FROM app_org_page_after($1, $2, $3, $4)")
                .bind(user)
                .bind(at)
                .bind(id)
                .bind(limit)
        })
        .await?;
    let lengths = [
        row.ids.len(),
        row.names.len(),
        row.slugs.len(),
        row.roles.len(),
        row.created_ats.len(),
        row.updated_ats.len(),
        row.versions.len(),
    ];
    same_lengths("app_org_page_after", &lengths)?;
    let columns = row
        .ids
        .into_iter()
        .zip(row.names)
        .zip(row.slugs)
        .zip(row.roles)
        .zip(
            row.created_ats
                .into_iter()
                .zip(row.updated_ats)
                .zip(row.versions),
        );
    let orgs = columns
        .map(
            |((((id, name), slug), role), ((created_at, updated_at), version))| {
                OrgRow {
                    id,
                    name,
                    slug,
                    role,
                    created_at,
                    updated_at,
                    version,
                }
                .into_api()
            },
        )
        .collect::<Result<_, _>>()?;
    Ok((row.user_exists, orgs))
}
