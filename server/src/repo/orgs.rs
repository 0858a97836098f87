use crate::db::read_lane::ReadLane;
use backend_api::types::Org;
use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

/// How a path names an organization.
pub enum OrgKey<'a> {
    Id(Uuid),
    Slug(&'a str),
}

impl<'a> OrgKey<'a> {
    pub fn parse(s: &'a str) -> OrgKey<'a> {
        match Uuid::parse_str(s) {
            Ok(id) => OrgKey::Id(id),
            Err(_) => OrgKey::Slug(s),
        }
    }

    /// The `(id, slug)` pair the one-statement SQL functions take: exactly
    /// one of them is set.
    pub fn as_params(&self) -> (Option<Uuid>, Option<&'a str>) {
        match *self {
            OrgKey::Id(id) => (Some(id), None),
            OrgKey::Slug(s) => (None, Some(s)),
        }
    }
}

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
            role: super::role(&self.role)?,
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
            role: super::role(&role)?,
            created_at,
            updated_at,
            version,
        }),
        _ => None,
    };
    Ok((row.user_exists, org))
}

/// Inserts without RETURNING: the new row is not visible to its creator until
/// the owner membership exists.
pub async fn insert(
    conn: &mut PgConnection,
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
        .execute(conn)
        .await
        .map(drop)
}

pub async fn find(conn: &mut PgConnection, key: &OrgKey<'_>) -> Result<Option<Org>, sqlx::Error> {
    let row = match key {
        OrgKey::Id(id) => {
            sqlx::query_as::<_, OrgRow>(concat!(org_select!(), " WHERE o.id = $1"))
                .bind(id)
                .fetch_optional(conn)
                .await?
        }
        OrgKey::Slug(slug) => {
            sqlx::query_as::<_, OrgRow>(concat!(org_select!(), " WHERE o.slug = $1"))
                .bind(slug)
                .fetch_optional(conn)
                .await?
        }
    };
    row.map(OrgRow::into_api).transpose()
}

/// A page of the caller's organizations, newest first, and their total. No
/// tenant filter here: RLS only lets the caller's organizations through.
pub async fn list(
    conn: &mut PgConnection,
    limit: u32,
    offset: u32,
) -> Result<(Vec<Org>, i64), sqlx::Error> {
    let total: i64 = sqlx::query_scalar("SELECT count(*) FROM organizations")
        .fetch_one(&mut *conn)
        .await?;
    let rows = sqlx::query_as::<_, OrgRow>(concat!(
        org_select!(),
        " ORDER BY o.created_at DESC, o.id DESC LIMIT $1 OFFSET $2"
    ))
    .bind(i64::from(limit))
    .bind(i64::from(offset))
    .fetch_all(conn)
    .await?;
    Ok((
        rows.into_iter()
            .map(OrgRow::into_api)
            .collect::<Result<_, _>>()?,
        total,
    ))
}

/// Up to `limit` of the caller's organizations after `after` (the sort time
/// and id of the previous page's last row), newest first: a keyset page.
pub async fn page_after(
    conn: &mut PgConnection,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<Vec<Org>, sqlx::Error> {
    let (at, id) = after.unzip();
    sqlx::query_as::<_, OrgRow>(concat!(
        org_select!(),
        " WHERE ($1::timestamptz IS NULL OR (o.created_at, o.id) < ($1, $2))",
        " ORDER BY o.created_at DESC, o.id DESC LIMIT $3"
    ))
    .bind(at)
    .bind(id)
    .bind(limit)
    .fetch_all(conn)
    .await?
    .into_iter()
    .map(OrgRow::into_api)
    .collect()
}

/// Renames; with `expected`, only that version (a concurrent change that
/// commits first makes the guard fail: PostgreSQL re-checks it on the new row).
pub async fn update(
    conn: &mut PgConnection,
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
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn delete(
    conn: &mut PgConnection,
    id: Uuid,
    expected: Option<i64>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "DELETE FROM organizations WHERE id = $1 AND ($2::bigint IS NULL OR version = $2)",
    )
    .bind(id)
    .bind(expected)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The version the caller can see now (a new snapshot in READ COMMITTED).
pub async fn version(conn: &mut PgConnection, id: Uuid) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT version FROM organizations WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await
}
