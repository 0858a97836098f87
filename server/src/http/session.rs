//! Authenticated access to tenant data: verify the token, then open the tenant
//! transaction as that user, or run one organization-scoped statement as them.
//! The rules are [`crate::tenant`]'s; this is where their errors become the
//! envelope.

use super::db_error;
use crate::auth::{self, Identity};
use crate::context::AppState;
use crate::tenant::{self, AccessError, OrgKey, TenantTx};
use backend_api::ApiError;
use dropshot::RequestContext;
use std::future::Future;
use uuid::Uuid;

/// The caller, from the request's verified and unrevoked bearer token.
pub fn authenticate(rqctx: &RequestContext<AppState>) -> Result<Identity, ApiError> {
    let state = rqctx.context();
    let header = rqctx.request.headers().get(http::header::AUTHORIZATION);
    Ok(auth::authenticate(&state.jwt, &state.revocations, header)?)
}

/// The caller's identity and a transaction acting as it. A token whose user no
/// longer exists is rejected like any other bad token.
pub async fn begin(rqctx: &RequestContext<AppState>) -> Result<(Identity, TenantTx), ApiError> {
    let identity = authenticate(rqctx)?;
    let state = rqctx.context();
    let tx = tenant::open(&state.pool, &state.user_slots, &identity).await?;
    Ok((identity, tx))
}

/// A read of the caller's own data that is one statement setting the
/// identity itself (`app_org_page_after`): `read` gets the caller's user id
/// and the validated request parameters, and says whether the user exists
/// and what it read.
///
/// The errors come in the order of [`begin`]: a bad or revoked token is 401
/// first (the denylist is in memory, so this costs no round trip), then
/// `params`' own error; a token whose user was deleted is noticed by the read.
/// `params` runs only for an authenticated caller (a page token's signature,
/// say, is not checked for anyone else).
pub async fn user_read<'a, P, T, Fut>(
    rqctx: &'a RequestContext<AppState>,
    params: impl FnOnce() -> Result<P, ApiError>,
    read: impl FnOnce(&'a AppState, Uuid, P) -> Fut,
) -> Result<T, ApiError>
where
    Fut: Future<Output = Result<(bool, T), sqlx::Error>>,
{
    let identity = authenticate(rqctx)?;
    tenant::refuse_admin(&identity)?;
    let params = params()?;
    let state = rqctx.context();
    let _slot = tenant::take_slot(&state.user_slots, &identity)?;
    let (user_exists, found) = read(state, identity.user_id, params)
        .await
        .map_err(db_error)?;
    if !user_exists {
        return Err(AccessError::UserGone.into());
    }
    Ok(found)
}

/// A [`user_read`] of the organization named by `org` (`app_org_read`,
/// `app_project_page`, `app_project_page_after`): `read` also gets the
/// organization key, and finds nothing when no organization with that key
/// is visible to the caller, which is 404; so is a key no organization can
/// have, after `params`' own error and before any round trip.
pub async fn org_read<'a, P, T, Fut>(
    rqctx: &'a RequestContext<AppState>,
    org: &'a str,
    params: impl FnOnce() -> Result<P, ApiError>,
    read: impl FnOnce(&'a AppState, Uuid, OrgKey<'a>, P) -> Fut,
) -> Result<T, ApiError>
where
    Fut: Future<Output = Result<(bool, Option<T>), sqlx::Error>>,
{
    let not_found = || AccessError::OrgNotFound(org.to_owned());
    let request = || {
        params().and_then(|params| match OrgKey::possible(org) {
            Some(key) => Ok((params, key)),
            None => Err(not_found().into()),
        })
    };
    let found = user_read(rqctx, request, |state, user, (params, key)| {
        read(state, user, key, params)
    })
    .await?;
    Ok(found.ok_or_else(not_found)?)
}
