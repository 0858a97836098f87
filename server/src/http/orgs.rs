//! Organizations. The access rules are [`crate::tenant`]'s; RLS enforces
//! them again.

use super::cursor::Unconfirmed;
use super::error_map::invalid_slug;
use super::idempotency::Idempotency;
use super::precondition::{self, conditional, tagged};
use super::{db_error, page, session};
use crate::context::AppState;
use crate::domain::{names, slug};
use crate::repo;
use crate::tenant::{self, AccessError, OrgKey, orgs::visible};
use backend_api::types::*;
use backend_api::{ApiError, Conditional, Created, ErrorCode, Tagged};
use dropshot::{
    HttpResponseCreated, HttpResponseDeleted, HttpResponseHeaders, HttpResponseOk, RequestContext,
    ResultsPage,
};
use uuid::Uuid;

pub async fn create(
    rqctx: &RequestContext<AppState>,
    key: IdempotencyKeyHeader,
    input: OrgInput,
) -> Result<Created<Org>, ApiError> {
    let (identity, mut tx) = session::begin(rqctx).await?;
    let name = names::display_name(&input.name)?;
    let slug = slug::given_or_derived(input.slug.as_deref(), &name)
        .map_err(invalid_slug(ErrorCode::InvalidOrgSlug))?;
    let idempotency = Idempotency::parse(key.idempotency_key.as_deref(), "org_create", "", &input)?;
    if let Some(idempotency) = &idempotency
        && let Some(replay) = idempotency.replay(&mut tx).await?
    {
        tx.commit().await.map_err(db_error)?;
        return Ok(replay);
    }
    let id = Uuid::new_v4();
    repo::orgs::insert(&mut tx, id, &name, &slug, identity.user_id)
        .await
        .map_err(db_error)?;
    repo::members::insert(&mut tx, id, identity.user_id, Role::Owner)
        .await
        .map_err(db_error)?;
    let org = tenant::orgs::find(&mut tx, &OrgKey::Id(id))
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
    let (data, total) = tenant::orgs::list(&mut tx, limit, offset)
        .await
        .map_err(db_error)?;
    tx.commit().await.map_err(db_error)?;
    Ok(HttpResponseOk(page::page(data, limit, offset, total)))
}

/// `GET /api/v2/orgs`: a keyset page of the caller's organizations, in one
/// statement on the read lane (`app_org_page_after`). The caller is known
/// once the token is checked inside the read, so the cursor is confirmed
/// after it, before any row is shown.
pub async fn list_v2(
    rqctx: &RequestContext<AppState>,
    params: Result<CursorParams, ApiError>,
) -> Result<HttpResponseOk<ResultsPage<Org>>, ApiError> {
    let request = || params.and_then(|params| Unconfirmed::open(rqctx, &params));
    let (user, rows, unconfirmed) = session::user_read(
        rqctx,
        request,
        |state, user, (unconfirmed, after)| async move {
            let fetch = unconfirmed.fetch();
            let (user_exists, rows) =
                tenant::orgs::page_after_as(&state.reads, user, after, fetch).await?;
            Ok((user_exists, (user, rows, unconfirmed)))
        },
    )
    .await?;
    unconfirmed
        .confirm("orgs".to_owned(), &user)?
        .page(rows, |o| (o.created_at, o.id))
        .map(HttpResponseOk)
}

/// The hot read path: one PostgreSQL round trip (see `tenant::orgs::read_as`)
/// next to the denylist check, through [`session::org_read`].
pub async fn get(
    rqctx: &RequestContext<AppState>,
    path: OrgPath,
    condition: IfNoneMatchETag,
) -> Result<Conditional<Tagged<HttpResponseOk<Org>>>, ApiError> {
    let org = session::org_read(
        rqctx,
        &path.org,
        || Ok(()),
        |state, user, key, ()| async move { tenant::orgs::read_as(&state.reads, user, &key).await },
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
    tenant::require_manager(org.role)?;
    let slug = match input.slug.as_deref() {
        None => org.slug.clone(),
        given => {
            slug::given_or_derived(given, &name).map_err(invalid_slug(ErrorCode::InvalidOrgSlug))?
        }
    };
    // After every check of the input: a bad request is 400 whatever its ETag.
    let expected = precondition::guard(condition.if_match.as_deref(), org.version)?;
    if !repo::orgs::update(&mut tx, org.id, &name, &slug, expected)
        .await
        .map_err(db_error)?
    {
        let forbidden = AccessError::NotManager.into();
        let current = repo::orgs::version(&mut tx, org.id);
        return Err(precondition::moved_or(expected, current, forbidden).await);
    }
    let updated = tenant::orgs::find(&mut tx, &OrgKey::Id(org.id))
        .await
        .map_err(db_error)?
        .ok_or_else(|| AccessError::OrgNotFound(path.org.clone()))?;
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
    tenant::require_owner(&org)?;
    let expected = precondition::guard(condition.if_match.as_deref(), org.version)?;
    if !repo::orgs::delete(&mut tx, org.id, expected)
        .await
        .map_err(db_error)?
    {
        let forbidden = AccessError::NotOwner.into();
        let current = repo::orgs::version(&mut tx, org.id);
        return Err(precondition::moved_or(expected, current, forbidden).await);
    }
    tx.commit().await.map_err(db_error)?;
    Ok(HttpResponseDeleted())
}
