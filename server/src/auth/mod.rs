//! Bearer-token authentication: JWT verification, revocation, rate limits.

pub mod jwt;
pub mod rate_limit;
pub mod revocation;

use crate::context::AppState;
use backend_api::{ApiError, ErrorCode};
use dropshot::RequestContext;
use uuid::Uuid;

/// Who is calling, from a verified, unrevoked token.
#[derive(Debug, Clone)]
pub struct Identity {
    /// The guest user; the nil UUID for admin tokens, which have no user.
    pub user_id: Uuid,
    /// The token's `sub` claim, e.g. a user id or `admin:ops`.
    pub subject: String,
    pub jti: String,
    /// Unix time the token expires.
    pub expires_at: i64,
    pub admin: bool,
}

/// Verifies the `Authorization: Bearer` token of the request: signature,
/// algorithm and claims only. [`check_revocation`] must follow before the
/// identity is trusted; [`authenticate`] does both.
pub fn verify(rqctx: &RequestContext<AppState>) -> Result<Identity, ApiError> {
    let state = rqctx.context();
    let header = rqctx
        .request
        .headers()
        .get(http::header::AUTHORIZATION)
        .ok_or_else(|| ApiError::unauthorized("missing bearer token"))?;
    let token = header
        .to_str()
        .ok()
        .and_then(|v| {
            let (scheme, rest) = v.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
        })
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            ApiError::unauthorized("malformed Authorization header; expected `Bearer <token>`")
        })?;
    let claims = state.jwt.verify(token)?;
    if claims.adm {
        return Ok(Identity {
            user_id: Uuid::nil(),
            subject: claims.sub,
            jti: claims.jti,
            expires_at: claims.exp,
            admin: true,
        });
    }
    let user_id = Uuid::parse_str(&claims.sub)
        .map_err(|_| ApiError::unauthorized("token subject is not a user id"))?;
    Ok(Identity {
        user_id,
        subject: claims.sub,
        jti: claims.jti,
        expires_at: claims.exp,
        admin: false,
    })
}

/// Checks the denylist. A Redis failure fails closed (503): a revoked token
/// must never pass because the denylist could not be read.
///
/// Admin tokens (minted only by `backend token --admin`, at most 24 h) are not
/// on the denylist: they cannot be revoked, only expire or be invalidated by
/// rotating `JWT_SECRET`. That keeps configuration writable during a Redis
/// outage, which is when operators need it.
pub async fn check_revocation(state: &AppState, identity: &Identity) -> Result<(), ApiError> {
    if identity.admin {
        return Ok(());
    }
    if revocation::is_revoked(&state.redis, &state.redis_prefix, &identity.jti).await? {
        return Err(ApiError::new(
            ErrorCode::TokenRevoked,
            "token has been revoked",
        ));
    }
    Ok(())
}

/// [`verify`] then [`check_revocation`].
pub async fn authenticate(rqctx: &RequestContext<AppState>) -> Result<Identity, ApiError> {
    let identity = verify(rqctx)?;
    check_revocation(rqctx.context(), &identity).await?;
    Ok(identity)
}
