//! Organizations. Role checks happen here; RLS enforces them again.

use super::cursor::Cursors;
use super::idempotency::Idempotency;
use super::precondition::{self, conditional, tagged};
use super::{db_error, page, session};
use crate::context::AppState;
use crate::db::tenant::TenantTx;
use crate::domain::{names, slug};
use crate::repo::{self, orgs::OrgKey};
use backend_api::types::*;
use backend_api::{ApiError, Conditional, Created, ErrorCode, Tagged};
use dropshot::{
    HttpResponseCreated, HttpResponseDeleted, HttpResponseHeaders, HttpResponseOk, RequestContext,
    ResultsPage,
};
use uuid::Uuid;

pub fn not_found(org: &str) -> ApiError {
    ApiError::new(
        ErrorCode::OrgNotFound,
        format!("Organization {org} not found"),
    )
}

/// Checks an explicit slug, or derives one from the name.
pub fn slug_or_derived(
    given: Option<&str>,
    name: &str,
    invalid: ErrorCode,
) -> Result<String, ApiError> {
    match given {
        None => Ok(slug::derive(name)),
        Some(s) if slug::is_valid(s) => Ok(s.to_owned()),
        Some(s) => Err(ApiError::new(invalid, format!("slug {s:?} is invalid"))
            .with_detail("field", "slug")
            .with_detail("rule", SLUG_RULE)),
    }
}

/// How `{org}` names an organization, or `None` for a slug that breaks the
/// slug rule: no such organization can exist, so nobody need ask the database.
pub(super) fn possible_key(org: &str) -> Option<OrgKey<'_>> {
    match OrgKey::parse(org) {
        OrgKey::Slug(s) if !slug::is_valid(s) => None,
        key => Some(key),
    }
}

/// The organization named by `{org}` if the caller is a member; 404 otherwise.
pub async fn visible(tx: &mut TenantTx, org: &str) -> Result<Org, ApiError> {
    let key = possible_key(org).ok_or_else(|| not_found(org))?;
    repo::orgs::find(tx.conn(), &key)
        .await
        .map_err(db_error)?
        .ok_or_else(|| not_found(org))
}

pub fn require_manager(org: &Org) -> Result<(), ApiError> {
    if org.role.can_manage() {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "requires the owner or admin role in this organization",
        ))
    }
}

pub async fn create(
    rqctx: &RequestContext<AppState>,
    key: IdempotencyKeyHeader,
    input: OrgInput,
) -> Result<Created<Org>, ApiError> {
    let (identity, mut tx) = session::begin(rqctx).await?;
    let name = names::display_name(&input.name)?;
    let slug = slug_or_derived(input.slug.as_deref(), &name, ErrorCode::InvalidOrgSlug)?;
    let idempotency = Idempotency::parse(key.idempotency_key.as_deref(), "org_create", "", &input)?;
    if let Some(idempotency) = &idempotency
        && let Some(replay) = idempotency.replay(&mut tx).await?
    {
        tx.commit().await.map_err(db_error)?;
        return Ok(replay);
    }
    let id = Uuid::new_v4();
    repo::orgs::insert(tx.conn(), id, &name, &slug, identity.user_id)
        .await
        .map_err(db_error)?;
    repo::members::insert(tx.conn(), id, identity.user_id, Role::Owner)
        .await
        .map_err(db_error)?;
    let org = repo::orgs::find(tx.conn(), &OrgKey::Id(id))
        .await
        .map_err(db_error)?
        .ok_or_else(|| ApiError::internal("created organization is not visible to its owner"))?;
    let location = format!("/api/v1/orgs/{id}");
    if let Some(idempotency) = &idempotency {
        idempotency.remember(&mut tx, &org, &location).await?;
    }
    tx.commit().await.map_err(db_error)?;
    Ok(HttpResponseHeaders::new(
        HttpResponseCreated(org),
        LocationHeader::new(location),
    ))
}

pub async fn list(
    rqctx: &RequestContext<AppState>,
    params: PageParams,
) -> Result<HttpResponseOk<Page<Org>>, ApiError> {
    let (_, mut tx) = session::begin(rqctx).await?;
    let (limit, offset) = page::params(params)?;
    let (data, total) = repo::orgs::list(tx.conn(), limit, offset)
        .await
        .map_err(db_error)?;
    tx.commit().await.map_err(db_error)?;
    Ok(HttpResponseOk(page::page(data, limit, offset, total)))
}

/// `GET /api/v2/orgs`: a keyset page of the caller's organizations.
pub async fn list_v2(
    rqctx: &RequestContext<AppState>,
    params: Result<CursorParams, ApiError>,
) -> Result<HttpResponseOk<ResultsPage<Org>>, ApiError> {
    let (identity, mut tx) = session::begin(rqctx).await?;
    let params = params?;
    let (cursors, start) = Cursors::request(rqctx, "orgs".to_owned(), &identity.user_id, &params)?;
    let rows = repo::orgs::page_after(tx.conn(), start.after(), cursors.fetch())
        .await
        .map_err(db_error)?;
    tx.commit().await.map_err(db_error)?;
    cursors
        .page(rows, |o| (o.created_at, o.id))
        .map(HttpResponseOk)
}

/// The hot read path: one PostgreSQL round trip (see `repo::orgs::read_as`)
/// next to the denylist check, through [`session::org_read`].
pub async fn get(
    rqctx: &RequestContext<AppState>,
    path: OrgPath,
    condition: IfNoneMatchETag,
) -> Result<Conditional<Tagged<HttpResponseOk<Org>>>, ApiError> {
    let org = session::org_read(
        rqctx,
        &path.org,
        Ok(()),
        |state, user, key, ()| async move { repo::orgs::read_as(&state.reads, user, &key).await },
    )
    .await?;
    Ok(conditional(
        condition.if_none_match.as_deref(),
        org.version,
        org,
    ))
}

pub async fn update(
    rqctx: &RequestContext<AppState>,
    path: OrgPath,
    condition: IfMatchETag,
    input: OrgInput,
) -> Result<Tagged<HttpResponseOk<Org>>, ApiError> {
    let (_, mut tx) = session::begin(rqctx).await?;
    let name = names::display_name(&input.name)?;
    let org = visible(&mut tx, &path.org).await?;
    require_manager(&org)?;
    let slug = match input.slug.as_deref() {
        None => org.slug.clone(),
        given => slug_or_derived(given, &name, ErrorCode::InvalidOrgSlug)?,
    };
    // After every check of the input: a bad request is 400 whatever its ETag.
    let expected = precondition::guard(condition.if_match.as_deref(), org.version)?;
    if !repo::orgs::update(tx.conn(), org.id, &name, &slug, expected)
        .await
        .map_err(db_error)?
    {
        let forbidden =
            ApiError::forbidden("requires the owner or admin role in this organization");
        let current = repo::orgs::version(tx.conn(), org.id);
        return Err(precondition::moved_or(expected, current, forbidden).await);
    }
    let updated = repo::orgs::find(tx.conn(), &OrgKey::Id(org.id))
        .await
        .map_err(db_error)?
        .ok_or_else(|| not_found(&path.org))?;
    tx.commit().await.map_err(db_error)?;
    Ok(tagged(updated.version, updated))
}

pub async fn delete(
    rqctx: &RequestContext<AppState>,
    path: OrgPath,
    condition: IfMatchETag,
) -> Result<HttpResponseDeleted, ApiError> {
    let (_, mut tx) = session::begin(rqctx).await?;
    let org = visible(&mut tx, &path.org).await?;
    if org.role != Role::Owner {
        return Err(ApiError::forbidden(
            "only an owner may delete the organization",
        ));
    }
    let expected = precondition::guard(condition.if_match.as_deref(), org.version)?;
    if !repo::orgs::delete(tx.conn(), org.id, expected)
        .await
        .map_err(db_error)?
    {
        let forbidden = ApiError::forbidden("only an owner may delete the organization");
        let current = repo::orgs::version(tx.conn(), org.id);
        return Err(precondition::moved_or(expected, current, forbidden).await);
    }
    tx.commit().await.map_err(db_error)?;
    Ok(HttpResponseDeleted())
}
