//! Bearer-token authentication: JWT verification with rotating keys, the
//! revocation denylist, sign-in rate limits.

pub mod denylist;
pub mod jwt;
pub mod rate_limit;
pub mod revocation;

use crate::context::AppState;
use backend_api::{ApiError, ErrorCode};
use dropshot::RequestContext;
use uuid::Uuid;

/// The longest an admin token may live (`backend token --admin --ttl`).
pub const ADMIN_MAX_LIFETIME_SECONDS: i64 = 86_400;

/// Who is calling, from a verified, unrevoked token.
#[derive(Debug, Clone)]
pub struct Identity {
    /// The guest user; the nil UUID for admin tokens, which have no user.
    pub user_id: Uuid,
    /// The token's `sub` claim, e.g. a user id or `admin:ops`.
    pub subject: String,
    pub jti: Uuid,
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
    identity(state.jwt.verify(token)?)
}

/// The identity a verified token's claims name.
pub fn identity(claims: jwt::Claims) -> Result<Identity, ApiError> {
    let jti = Uuid::parse_str(&claims.jti)
        .map_err(|_| ApiError::unauthorized("token lacks a valid `jti` claim"))?;
    if claims.adm && claims.exp.saturating_sub(claims.iat) > ADMIN_MAX_LIFETIME_SECONDS {
        // Only `backend token --admin` mints them, and it refuses longer; a
        // longer one was made some other way with the key.
        return Err(ApiError::unauthorized("admin tokens live at most 24 h"));
    }
    let user_id = if claims.adm {
        Uuid::nil()
    } else {
        Uuid::parse_str(&claims.sub)
            .map_err(|_| ApiError::unauthorized("token subject is not a user id"))?
    };
    Ok(Identity {
        user_id,
        subject: claims.sub,
        jti,
        expires_at: claims.exp,
        admin: claims.adm,
    })
}

/// Checks this replica's copy of the denylist: memory only, no round trip.
/// It holds every revocation committed before this replica's last catch-up,
/// and every one this replica made itself (docs/architecture/sessions.md has
/// the staleness bounds). Admin tokens are checked like any other.
pub fn check_revocation(state: &AppState, identity: &Identity) -> Result<(), ApiError> {
    if state.revocations.denylist().is_revoked(&identity.jti) {
        return Err(ApiError::new(
            ErrorCode::TokenRevoked,
            "token has been revoked",
        ));
    }
    Ok(())
}

/// [`verify`] then [`check_revocation`].
pub fn authenticate(rqctx: &RequestContext<AppState>) -> Result<Identity, ApiError> {
    let identity = verify(rqctx)?;
    check_revocation(rqctx.context(), &identity)?;
    Ok(identity)
}
