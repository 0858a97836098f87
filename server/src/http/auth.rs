//! Guest sign-in and token lifecycle.

use super::{db_error, session};
use crate::auth::Identity;
use crate::auth::rate_limit::{self, Bucket};
use crate::auth::revocation::Reason;
use crate::context::AppState;
use crate::db::failure::{self, Constraint, Failure};
use crate::repo;
use crate::tenant::{self, AccessError};
use backend_api::types::{NoStoreHeader, TokenResponse, User};
use backend_api::{ApiError, NoStore};
use dropshot::{
    HttpResponseCreated, HttpResponseHeaders, HttpResponseOk, HttpResponseUpdatedNoContent,
    RequestContext,
};
use rand::Rng;
use uuid::Uuid;

/// Attempts at a free `guest-NNNN` name; each retry widens the number range.
const USERNAME_ATTEMPTS: u32 = 6;

fn token_response(state: &AppState, user: User) -> Result<TokenResponse, ApiError> {
    let minted = state
        .jwt
        .mint(&user.id.to_string(), state.jwt.ttl_seconds, false)?;
    Ok(TokenResponse {
        access_token: minted.token,
        token_type: "Bearer".into(),
        expires_in: state.jwt.ttl_seconds,
        user,
    })
}

/// Counts one hit in `bucket` for `client` (Redis, or this replica alone
/// while Redis cannot answer).
async fn limit(
    rqctx: &RequestContext<AppState>,
    bucket: Bucket,
    client: &str,
    per_minute: u32,
) -> Result<(), ApiError> {
    let state = rqctx.context();
    let fallback = || {
        state
            .metrics
            .rate_limit_local_fallback
            .with_label_values(&[bucket.as_str()])
            .inc();
    };
    rate_limit::hit(
        &state.redis,
        &state.local_limiter,
        fallback,
        &state.redis_prefix,
        bucket,
        client,
        per_minute,
    )
    .await?;
    Ok(())
}

/// Revokes the presented token: durable in PostgreSQL before this returns.
async fn revoke(
    rqctx: &RequestContext<AppState>,
    identity: &Identity,
    reason: Reason,
) -> Result<(), ApiError> {
    let state = rqctx.context();
    state
        .revocations
        .revoke(
            Some(&state.redis),
            identity.jti,
            identity.expires_at,
            reason,
            &rqctx.log,
        )
        .await
        .map(drop)
        .map_err(db_error)
}

pub async fn guest(
    rqctx: &RequestContext<AppState>,
) -> Result<NoStore<HttpResponseCreated<TokenResponse>>, ApiError> {
    let state = rqctx.context();
    let forwarded_for = rqctx
        .request
        .headers()
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok());
    let client = super::client_address::bucket(super::client_address::client_address(
        rqctx.request.remote_addr().ip(),
        forwarded_for,
        state.settings.forwarded_for_hops(),
    ));
    limit(
        rqctx,
        Bucket::GuestSignin,
        &client,
        state.settings.guest_signin_rate_limit_per_minute,
    )
    .await?;
    let id = Uuid::new_v4();
    let mut upper = 10_000u64;
    for attempt in 1..=USERNAME_ATTEMPTS {
        let username = format!("guest-{}", rand::rng().random_range(upper / 10..upper));
        let mut tx = tenant::begin(&state.pool, id).await.map_err(db_error)?;
        match repo::users::insert(&mut tx, id, &username).await {
            Ok(user) => {
                tx.commit().await.map_err(db_error)?;
                return Ok(HttpResponseHeaders::new(
                    HttpResponseCreated(token_response(state, user)?),
                    NoStoreHeader::new(),
                ));
            }
            Err(e)
                if failure::classify(&e) == Failure::Violates(Constraint::Username)
                    && attempt < USERNAME_ATTEMPTS =>
            {
                upper *= 10;
            }
            Err(e) => return Err(db_error(e)),
        }
    }
    Err(ApiError::internal("no free guest username"))
}

pub async fn refresh(
    rqctx: &RequestContext<AppState>,
) -> Result<NoStore<HttpResponseOk<TokenResponse>>, ApiError> {
    let state = rqctx.context();
    let (identity, mut tx) = session::begin(rqctx).await?;
    limit(
        rqctx,
        Bucket::Refresh,
        &identity.user_id.to_string(),
        state.settings.refresh_rate_limit_per_minute,
    )
    .await?;
    let user = repo::users::get(&mut tx, identity.user_id)
        .await
        .map_err(db_error)?
        .ok_or(AccessError::UserGone)?;
    tx.commit().await.map_err(db_error)?;
    let response = token_response(state, user)?;
    // The old token stops working before the new one is handed out.
    revoke(rqctx, &identity, Reason::Refresh).await?;
    Ok(HttpResponseHeaders::new(
        HttpResponseOk(response),
        NoStoreHeader::new(),
    ))
}

pub async fn logout(
    rqctx: &RequestContext<AppState>,
) -> Result<HttpResponseUpdatedNoContent, ApiError> {
    let identity = session::authenticate(rqctx)?;
    revoke(rqctx, &identity, Reason::Logout).await?;
    Ok(HttpResponseUpdatedNoContent())
}

pub async fn me(rqctx: &RequestContext<AppState>) -> Result<HttpResponseOk<User>, ApiError> {
    let (identity, mut tx) = session::begin(rqctx).await?;
    let user = repo::users::get(&mut tx, identity.user_id)
        .await
        .map_err(db_error)?
        .ok_or(AccessError::UserGone)?;
    tx.commit().await.map_err(db_error)?;
    Ok(HttpResponseOk(user))
}
