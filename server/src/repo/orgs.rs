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
}

#[derive(sqlx::FromRow)]
struct OrgRow {
    id: Uuid,
    name: String,
    slug: String,
    role: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
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
        })
    }
}

/// The caller's view: organization columns plus the caller's role.
macro_rules! org_select {
    () => {
        "SELECT o.id, o.name, o.slug, m.role, o.created_at, o.updated_at \
     FROM organizations o JOIN memberships m ON m.org_id = o.id AND m.user_id = app_user_id()"
    };
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

pub async fn update(
    conn: &mut PgConnection,
    id: Uuid,
    name: &str,
    slug: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE organizations SET name = $2, slug = $3 WHERE id = $1")
        .bind(id)
        .bind(name)
        .bind(slug)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn delete(conn: &mut PgConnection, id: Uuid) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM organizations WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}
