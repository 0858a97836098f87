//! Guest sign-in and token lifecycle.

use super::{db_error, session};
use crate::auth::{self, rate_limit, revocation};
use crate::context::AppState;
use crate::db::tenant;
use crate::repo;
use backend_api::ApiError;
use backend_api::types::{TokenResponse, User};
use dropshot::{HttpResponseCreated, HttpResponseOk, HttpResponseUpdatedNoContent, RequestContext};
use rand::Rng;
use uuid::Uuid;

/// Attempts at a free `guest-NNNN` name; each retry widens the number range.
const USERNAME_ATTEMPTS: u32 = 6;

fn token_response(state: &AppState, user: User) -> Result<TokenResponse, ApiError> {
    let (access_token, _) = state
        .jwt
        .mint(&user.id.to_string(), state.jwt.ttl_seconds, false)?;
    Ok(TokenResponse {
        access_token,
        token_type: "Bearer".into(),
        expires_in: state.jwt.ttl_seconds,
        user,
    })
}

pub async fn guest(
    rqctx: &RequestContext<AppState>,
) -> Result<HttpResponseCreated<TokenResponse>, ApiError> {
    let state = rqctx.context();
    let forwarded_for = rqctx
        .request
        .headers()
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok());
    let client = super::client_address::client_address(
        rqctx.request.remote_addr().ip(),
        forwarded_for,
        state.settings.trusted_proxy_hops,
    )
    .to_string();
    rate_limit::hit(
        &state.redis,
        &state.redis_prefix,
        "guest-signin",
        &client,
        state.settings.guest_signin_rate_limit_per_minute,
    )
    .await?;
    let id = Uuid::new_v4();
    let mut upper = 10_000u64;
    for attempt in 1..=USERNAME_ATTEMPTS {
        let username = format!("guest-{}", rand::rng().random_range(upper / 10..upper));
        let mut tx = tenant::begin(&state.pool, id, None)
            .await
            .map_err(db_error)?;
        match repo::users::insert(tx.conn(), id, &username).await {
            Ok(user) => {
                tx.commit().await.map_err(db_error)?;
                return Ok(HttpResponseCreated(token_response(state, user)?));
            }
            Err(sqlx::Error::Database(e))
                if e.constraint() == Some("users_username_key") && attempt < USERNAME_ATTEMPTS =>
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
) -> Result<HttpResponseOk<TokenResponse>, ApiError> {
    let state = rqctx.context();
    let (identity, mut tx) = session::begin(rqctx).await?;
    let user = repo::users::get(tx.conn(), identity.user_id)
        .await
        .map_err(db_error)?
        .ok_or_else(|| ApiError::unauthorized("the token's user does not exist"))?;
    tx.commit().await.map_err(db_error)?;
    let response = token_response(state, user)?;
    revocation::revoke(
        &state.redis,
        &state.redis_prefix,
        &identity.jti,
        identity.expires_at,
    )
    .await?;
    Ok(HttpResponseOk(response))
}

pub async fn logout(
    rqctx: &RequestContext<AppState>,
) -> Result<HttpResponseUpdatedNoContent, ApiError> {
    let state = rqctx.context();
    let identity = auth::authenticate(rqctx).await?;
    if identity.admin {
        return Err(ApiError::forbidden(
            "admin tokens cannot be revoked; they expire (or rotate JWT_SECRET)",
        ));
    }
    revocation::revoke(
        &state.redis,
        &state.redis_prefix,
        &identity.jti,
        identity.expires_at,
    )
    .await?;
    Ok(HttpResponseUpdatedNoContent())
}

pub async fn me(rqctx: &RequestContext<AppState>) -> Result<HttpResponseOk<User>, ApiError> {
    let (identity, mut tx) = session::begin(rqctx).await?;
    let user = repo::users::get(tx.conn(), identity.user_id)
        .await
        .map_err(db_error)?
        .ok_or_else(|| ApiError::unauthorized("the token's user does not exist"))?;
    tx.commit().await.map_err(db_error)?;
    Ok(HttpResponseOk(user))
}
