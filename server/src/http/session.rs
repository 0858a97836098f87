//! Authenticated access to tenant data: verify the token, then open the tenant
//! transaction as that user, or run one organization-scoped statement as them.

use super::db_error;
use super::orgs::{not_found as org_not_found, possible_key};
use crate::auth::{self, Identity};
use crate::context::AppState;
use crate::db::tenant::{self, TenantTx};
use crate::repo::orgs::OrgKey;
use backend_api::ApiError;
use dropshot::RequestContext;
use std::future::Future;
use uuid::Uuid;

/// The answer to an admin token on a tenant route.
pub fn admin_refused() -> ApiError {
    ApiError::forbidden("admin tokens are for configuration; sign in as a guest to use tenant data")
}

/// One of the caller's database slots, or 429 when it holds them all.
fn take_slot(state: &AppState, user: Uuid) -> Result<crate::db::fairness::Slot, ApiError> {
    state.user_slots.try_take(user).ok_or_else(|| {
        ApiError::new(
            backend_api::ErrorCode::RateLimitExceeded,
            "too many requests of this user at once; retry when one has finished",
        )
        .with_retry_after(1)
    })
}

/// The caller's identity and a transaction acting as it. A token whose user no
/// longer exists is rejected like any other bad token.
pub async fn begin(rqctx: &RequestContext<AppState>) -> Result<(Identity, TenantTx), ApiError> {
    let identity = auth::authenticate(rqctx)?;
    let tx = begin_as(rqctx, &identity).await?;
    Ok((identity, tx))
}

/// [`begin`] for an identity that is already authenticated.
pub async fn begin_as(
    rqctx: &RequestContext<AppState>,
    identity: &Identity,
) -> Result<TenantTx, ApiError> {
    if identity.admin {
        return Err(admin_refused());
    }
    let state = rqctx.context();
    let slot = take_slot(state, identity.user_id)?;
    let tx = tenant::begin(&state.pool, identity.user_id)
        .await
        .map_err(db_error)?
        .holding(slot);
    if !tx.user_exists {
        return Err(ApiError::unauthorized("the token's user does not exist"));
    }
    Ok(tx)
}

/// A read of the organization named by `org` that is one statement setting
/// the identity itself (`app_org_read`, `app_project_page`): `read` gets the
/// caller's user id, the organization key and the validated request
/// parameters, and says whether the user exists and what it found.
///
/// The errors come in the order of [`begin`]: a bad or revoked token is 401
/// first (the denylist is in memory, so this costs no round trip), then
/// `params`' own error, then 404 for a key no organization can have; a token
/// whose user was deleted is noticed by the read.
pub async fn org_read<'a, P, T, Fut>(
    rqctx: &'a RequestContext<AppState>,
    org: &'a str,
    params: Result<P, ApiError>,
    read: impl FnOnce(&'a AppState, Uuid, OrgKey<'a>, P) -> Fut,
) -> Result<T, ApiError>
where
    Fut: Future<Output = Result<(bool, Option<T>), sqlx::Error>>,
{
    let identity = auth::authenticate(rqctx)?;
    if identity.admin {
        return Err(admin_refused());
    }
    let key = possible_key(org).ok_or_else(|| org_not_found(org));
    let (params, key) = (params?, key?);
    let state = rqctx.context();
    let _slot = take_slot(state, identity.user_id)?;
    let (user_exists, found) = read(state, identity.user_id, key, params)
        .await
        .map_err(db_error)?;
    if !user_exists {
        return Err(ApiError::unauthorized("the token's user does not exist"));
    }
    found.ok_or_else(|| org_not_found(org))
}
