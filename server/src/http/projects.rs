//! Projects of an organization.

use super::cursor;
use super::error_map::invalid_slug;
use super::idempotency::Idempotency;
use super::precondition::{self, conditional, tagged};
use super::{db_error, page, session};
use crate::context::AppState;
use crate::domain::{names, slug};
use crate::repo;
use crate::tenant::{self, TenantTx, orgs::visible};
use backend_api::types::*;
use backend_api::{ApiError, Conditional, Created, ErrorCode, Tagged};
use dropshot::{
    HttpResponseCreated, HttpResponseDeleted, HttpResponseHeaders, HttpResponseOk, RequestContext,
    ResultsPage,
};
use uuid::Uuid;

fn not_found(id: Uuid) -> ApiError {
    ApiError::new(
        ErrorCode::ProjectNotFound,
        format!("Project {id} not found"),
    )
}

async fn visible_project(tx: &mut TenantTx, id: Uuid) -> Result<(Project, Role), ApiError> {
    repo::projects::get(tx, id)
        .await
        .map_err(db_error)?
        .ok_or_else(|| not_found(id))
}

pub async fn create(
    rqctx: &RequestContext<AppState>,
    path: OrgPath,
    key: IdempotencyKeyHeader,
    input: ProjectInput,
) -> Result<Created<Project>, ApiError> {
    let (_, mut tx) = session::begin(rqctx).await?;
    let name = names::display_name(&input.name)?;
    let slug = slug::given_or_derived(input.slug.as_deref(), &name)
        .map_err(invalid_slug(ErrorCode::InvalidProjectSlug))?;
    let org = visible(&mut tx, &path.org).await?;
    tenant::require_manager(org.role)?;
    // The organization by id, so that its slug and its id are one request.
    let idempotency = Idempotency::parse(
        key.idempotency_key.as_deref(),
        "project_create",
        &org.id.to_string(),
        &input,
    )?;
    if let Some(idempotency) = &idempotency
        && let Some(replay) = idempotency.replay(&mut tx).await?
    {
        tx.commit().await.map_err(db_error)?;
        return Ok(replay);
    }
    let project = repo::projects::insert(&mut tx, org.id, &name, &slug)
        .await
        .map_err(db_error)?;
    let location = format!("/api/v1/projects/{}", project.id);
    if let Some(idempotency) = &idempotency {
        idempotency.remember(&mut tx, &project, &location).await?;
    }
    tx.commit().await.map_err(db_error)?;
    Ok(HttpResponseHeaders::new(
        HttpResponseCreated(project),
        LocationHeader::new(location),
    ))
}

/// One PostgreSQL round trip (see `repo::projects::page_as`) next to the
/// denylist check, through [`session::org_read`], as for the organization.
pub async fn list(
    rqctx: &RequestContext<AppState>,
    path: OrgPath,
    params: PageParams,
) -> Result<HttpResponseOk<Page<Project>>, ApiError> {
    session::org_read(
        rqctx,
        &path.org,
        || page::params(params),
        |state, user, key, (limit, offset)| async move {
            let (user_exists, found) =
                repo::projects::page_as(&state.reads, user, &key, limit, offset).await?;
            let page = found.map(|(data, total)| page::page(data, limit, offset, total));
            Ok((user_exists, page))
        },
    )
    .await
    .map(HttpResponseOk)
}

/// `GET /api/v2/orgs/{org}/projects`: a keyset page of one organization's
/// projects, in one statement on the read lane (`app_project_page_after`).
/// The cursor names the organization by id, so its slug and id walk the same
/// list; the id is known only once the read has resolved the path's key, so
/// the cursor's list and caller are confirmed after it, before any row is
/// shown (an organization the caller cannot see is 404 first).
pub async fn list_v2(
    rqctx: &RequestContext<AppState>,
    path: OrgPath,
    params: Result<CursorParams, ApiError>,
) -> Result<HttpResponseOk<ResultsPage<Project>>, ApiError> {
    cursor::org_page(
        rqctx,
        &path.org,
        params,
        "projects",
        |state, user, key, after, fetch| async move {
            repo::projects::page_after_as(&state.reads, user, &key, after, fetch).await
        },
        |p| (p.created_at, p.id),
    )
    .await
    .map(HttpResponseOk)
}

pub async fn get(
    rqctx: &RequestContext<AppState>,
    path: ProjectPath,
    condition: IfNoneMatchETag,
) -> Result<Conditional<Tagged<HttpResponseOk<Project>>>, ApiError> {
    let (_, mut tx) = session::begin(rqctx).await?;
    let (project, _) = visible_project(&mut tx, path.id).await?;
    tx.commit().await.map_err(db_error)?;
    Ok(conditional(
        condition.if_none_match.as_deref(),
        project.version,
        project,
    ))
}

pub async fn update(
    rqctx: &RequestContext<AppState>,
    path: ProjectPath,
    condition: IfMatchETag,
    input: ProjectInput,
) -> Result<Tagged<HttpResponseOk<Project>>, ApiError> {
    let (_, mut tx) = session::begin(rqctx).await?;
    let name = names::display_name(&input.name)?;
    let (project, role) = visible_project(&mut tx, path.id).await?;
    tenant::require_project_manager(role)?;
    let slug = match input.slug.as_deref() {
        None => project.slug.clone(),
        given => slug::given_or_derived(given, &name)
            .map_err(invalid_slug(ErrorCode::InvalidProjectSlug))?,
    };
    // After every check of the input: a bad request is 400 whatever its ETag.
    let expected = precondition::guard(condition.if_match.as_deref(), project.version)?;
    let Some(updated) = repo::projects::update(&mut tx, project.id, &name, &slug, expected)
        .await
        .map_err(db_error)?
    else {
        let current = repo::projects::version(&mut tx, project.id);
        return Err(precondition::moved_or(expected, current, not_found(project.id)).await);
    };
    tx.commit().await.map_err(db_error)?;
    Ok(tagged(updated.version, updated))
}

pub async fn delete(
    rqctx: &RequestContext<AppState>,
    path: ProjectPath,
    condition: IfMatchETag,
) -> Result<HttpResponseDeleted, ApiError> {
    let (_, mut tx) = session::begin(rqctx).await?;
    let (project, role) = visible_project(&mut tx, path.id).await?;
    tenant::require_project_manager(role)?;
    let expected = precondition::guard(condition.if_match.as_deref(), project.version)?;
    if !repo::projects::delete(&mut tx, project.id, expected)
        .await
        .map_err(db_error)?
    {
        let current = repo::projects::version(&mut tx, project.id);
        return Err(precondition::moved_or(expected, current, not_found(project.id)).await);
    }
    tx.commit().await.map_err(db_error)?;
    Ok(HttpResponseDeleted())
}
