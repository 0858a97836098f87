use backend_api::types::{Project, Role};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

#[derive(sqlx::FromRow)]
struct ProjectRow {
    id: Uuid,
    org_id: Uuid,
    name: String,
    slug: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
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
        }
    }
}

macro_rules! project_columns {
    () => {
        "id, org_id, name, slug, created_at, updated_at"
    };
}

pub async fn insert(
    conn: &mut PgConnection,
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
    .fetch_one(conn)
    .await
    .map(Project::from)
}

/// A visible project and the caller's role in its organization.
pub async fn get(
    conn: &mut PgConnection,
    id: Uuid,
) -> Result<Option<(Project, Role)>, sqlx::Error> {
    let found = sqlx::query_as::<_, ProjectRow>(concat!(
        "SELECT ",
        project_columns!(),
        " FROM projects WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(project) = found else {
        return Ok(None);
    };
    let role: Option<String> = sqlx::query_scalar("SELECT app_role_in($1)")
        .bind(project.org_id)
        .fetch_one(conn)
        .await?;
    match role {
        Some(r) => Ok(Some((project.into(), super::role(&r)?))),
        None => Ok(None),
    }
}

pub async fn list(
    conn: &mut PgConnection,
    org: Uuid,
    limit: u32,
    offset: u32,
) -> Result<(Vec<Project>, i64), sqlx::Error> {
    let total: i64 = sqlx::query_scalar("SELECT count(*) FROM projects WHERE org_id = $1")
        .bind(org)
        .fetch_one(&mut *conn)
        .await?;
    let rows = sqlx::query_as::<_, ProjectRow>(concat!(
        "SELECT ",
        project_columns!(),
        " FROM projects WHERE org_id = $1 \
         ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3"
    ))
    .bind(org)
    .bind(i64::from(limit))
    .bind(i64::from(offset))
    .fetch_all(conn)
    .await?;
    Ok((rows.into_iter().map(Project::from).collect(), total))
}

pub async fn update(
    conn: &mut PgConnection,
    id: Uuid,
    name: &str,
    slug: &str,
) -> Result<Option<Project>, sqlx::Error> {
    sqlx::query_as::<_, ProjectRow>(concat!(
        "UPDATE projects SET name = $2, slug = $3 WHERE id = $1 RETURNING ",
        project_columns!()
    ))
    .bind(id)
    .bind(name)
    .bind(slug)
    .fetch_optional(conn)
    .await
    .map(|r| r.map(Project::from))
}

pub async fn delete(conn: &mut PgConnection, id: Uuid) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM projects WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}
