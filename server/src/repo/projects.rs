use crate::db::read_lane::{ReadLane, same_lengths};
use crate::tenant::OrgKey;
use crate::tenant::TenantTx;
use crate::tenant::access::role_column;
use backend_api::types::{Project, Role};
use chrono::{DateTime, Utc};
use uuid::Uuid;

#[derive(sqlx::FromRow)]
struct ProjectRow {
    id: Uuid,
    org_id: Uuid,
    name: String,
    slug: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    version: i64,
}

impl From<ProjectRow> for Project {
    fn from(r: ProjectRow) -> Project {
        Project {
            id: r.id,
            org_id: r.org_id,
            name: r.name,
            slug: r.slug,
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
        }
    }
}

macro_rules! project_columns {
    () => {
        "id, org_id, name, slug, created_at, updated_at, version"
    };
}

pub async fn insert(
    tx: &mut TenantTx,
    org: Uuid,
    name: &str,
    slug: &str,
) -> Result<Project, sqlx::Error> {
    sqlx::query_as::<_, ProjectRow>(concat!(
        "INSERT INTO projects (id, org_id, name, slug) VALUES ($1, $2, $3, $4) RETURNING ",
        project_columns!()
    ))
    .bind(Uuid::new_v4())
    .bind(org)
    .bind(name)
    .bind(slug)
    .fetch_one(tx.conn())
    .await
    .map(Project::from)
}

/// A visible project and the caller's role in its organization.
pub async fn get(tx: &mut TenantTx, id: Uuid) -> Result<Option<(Project, Role)>, sqlx::Error> {
    let found = sqlx::query_as::<_, ProjectRow>(concat!(
        "SELECT ",
        project_columns!(),
        " FROM projects WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(tx.conn())
    .await?;
    let Some(project) = found else {
        return Ok(None);
    };
    let role: Option<String> = sqlx::query_scalar("SELECT app_role_in($1)")
        .bind(project.org_id)
        .fetch_one(tx.conn())
        .await?;
    match role {
        Some(r) => Ok(Some((project.into(), role_column(&r)?))),
        None => Ok(None),
    }
}

/// The one row of `app_project_page` and `app_project_page_after`: a page as
/// one array per column. `total` is the offset page's only (a cursor page
/// does not count).
#[derive(sqlx::FromRow)]
struct PageRow {
    user_exists: bool,
    org_id: Option<Uuid>,
    #[sqlx(default)]
    total: Option<i64>,
    ids: Option<Vec<Uuid>>,
    names: Option<Vec<String>>,
    slugs: Option<Vec<String>>,
    created_ats: Option<Vec<DateTime<Utc>>>,
    updated_ats: Option<Vec<DateTime<Utc>>>,
    versions: Option<Vec<i64>>,
}

/// A visible organization's page: its id, its projects and (offset pages
/// only) how many it has.
struct Found {
    org_id: Uuid,
    projects: Vec<Project>,
    total: Option<i64>,
}

impl PageRow {
    /// Whether the user exists, and the page if the organization is visible.
    fn found(self, function: &str) -> Result<(bool, Option<Found>), sqlx::Error> {
        let PageRow {
            user_exists,
            org_id: Some(org_id),
            total,
            ids: Some(ids),
            names: Some(names),
            slugs: Some(slugs),
            created_ats: Some(created_ats),
            updated_ats: Some(updated_ats),
            versions: Some(versions),
        } = self
        else {
            return Ok((self.user_exists, None));
        };
        let lengths = [
            ids.len(),
            names.len(),
            slugs.len(),
            created_ats.len(),
            updated_ats.len(),
            versions.len(),
        ];
        same_lengths(function, &lengths)?;
        let projects = ids
            .into_iter()
            .zip(names)
            .zip(slugs)
            .zip(created_ats.into_iter().zip(updated_ats).zip(versions))
            .map(
                |(((id, name), slug), ((created_at, updated_at), version))| Project {
                    id,
                    org_id,
                    name,
                    slug,
                    created_at,
                    updated_at,
                    version,
                },
            )
            .collect();
        let found = Found {
            org_id,
            projects,
            total,
        };
        Ok((user_exists, Some(found)))
    }
}

/// One page of an organization's projects, newest first, and how many it has,
/// in a single round trip (the SQL function `app_project_page` sets the
/// identity and reads under RLS, like `app_org_read`). Returns whether the
/// user exists, and the page if the organization is visible to the caller.
pub async fn page_as(
    reads: &ReadLane,
    user: Uuid,
    org: &OrgKey<'_>,
    limit: u32,
    offset: u32,
) -> Result<(bool, Option<(Vec<Project>, i64)>), sqlx::Error> {
    let (org_id, org_slug) = org.as_params();
    let row = reads
        .fetch_one(|| {
            sqlx::query_as::<_, PageRow>("SELECT * FROM app_project_page($1, $2, $3, $4, $5)")
                .bind(user)
                .bind(org_id)
                .bind(org_slug)
                .bind(i64::from(limit))
                .bind(i64::from(offset))
        })
        .await?;
    let (user_exists, found) = row.found("app_project_page")?;
    Ok((
        user_exists,
        found.and_then(|f| Some((f.projects, f.total?))),
    ))
}

/// Up to `limit` projects after `after` (the sort time and id of the
/// previous page's last row), newest first, of the organization `org` names,
/// in a single round trip (`app_project_page_after`, the keyset twin of
/// `app_project_page`). Returns whether the user exists, and the
/// organization's id with the rows if it is visible to the caller.
pub async fn page_after_as(
    reads: &ReadLane,
    user: Uuid,
    org: &OrgKey<'_>,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<(bool, Option<(Uuid, Vec<Project>)>), sqlx::Error> {
    let (org_id, org_slug) = org.as_params();
    let (at, id) = after.unzip();
    let row = reads
        .fetch_one(|| {
            sqlx::query_as::<_, PageRow>(
                "SELECT * FROM app_project_page_after($1, $2, $3, $4, $5, $6)",
            )
            .bind(user)
            .bind(org_id)
            .bind(org_slug)
            .bind(at)
            .bind(id)
            .bind(limit)
        })
        .await?;
    let (user_exists, found) = row.found("app_project_page_after")?;
    Ok((user_exists, found.map(|f| (f.org_id, f.projects))))
}

/// Renames; with `expected`, only that version (a concurrent change that
/// commits first makes the guard fail: PostgreSQL re-checks it on the new row).
pub async fn update(
    tx: &mut TenantTx,
    id: Uuid,
    name: &str,
    slug: &str,
    expected: Option<i64>,
) -> Result<Option<Project>, sqlx::Error> {
    sqlx::query_as::<_, ProjectRow>(concat!(
        "UPDATE projects SET name = $2, slug = $3 \
         WHERE id = $1 AND ($4::bigint IS NULL OR version = $4) RETURNING ",
        project_columns!()
    ))
    .bind(id)
    .bind(name)
    .bind(slug)
    .bind(expected)
    .fetch_optional(tx.conn())
    .await
    .map(|r| r.map(Project::from))
}

pub async fn delete(
    tx: &mut TenantTx,
    id: Uuid,
    expected: Option<i64>,
) -> Result<bool, sqlx::Error> {
    let done =
        sqlx::query("DELETE FROM projects WHERE id = $1 AND ($2::bigint IS NULL OR version = $2)")
            .bind(id)
            .bind(expected)
            .execute(tx.conn())
            .await?;
    Ok(done.rows_affected() == 1)
}

/// The version the caller can see now (a new snapshot in READ COMMITTED).
pub async fn version(tx: &mut TenantTx, id: Uuid) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT version FROM projects WHERE id = $1")
        .bind(id)
        .fetch_optional(tx.conn())
        .await
}
