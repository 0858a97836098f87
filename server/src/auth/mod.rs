//! Bearer-token authentication: JWT verification with rotating keys, the
//! revocation denylist, sign-in rate limits.

pub mod denylist;
mod error;
pub mod jwt;
pub mod rate_limit;
pub mod revocation;

pub use error::AuthError;

use http::HeaderValue;
use jwt::JwtKeys;
use revocation::Revocations;
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

/// The token of an `Authorization: Bearer <token>` header value (the scheme
/// in any case); `None` for no header.
pub fn bearer_token(header: Option<&HeaderValue>) -> Result<&str, AuthError> {
    header
        .ok_or(AuthError::MissingToken)?
        .to_str()
        .ok()
        .and_then(|v| {
            let (scheme, rest) = v.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
        })
        .filter(|t| !t.is_empty())
        .ok_or(AuthError::MalformedHeader)
}

/// The identity a verified token's claims name.
pub fn identity(claims: jwt::Claims) -> Result<Identity, AuthError> {
    let jti = Uuid::parse_str(&claims.jti).map_err(|_| AuthError::BadTokenId)?;
    if claims.adm && claims.exp.saturating_sub(claims.iat) > ADMIN_MAX_LIFETIME_SECONDS {
        // Only `backend token --admin` mints them, and it refuses longer; a
        // longer one was made some other way with the key.
        return Err(AuthError::AdminTokenTooLong);
    }
    let user_id = if claims.adm {
        Uuid::nil()
    } else {
        Uuid::parse_str(&claims.sub).map_err(|_| AuthError::SubjectNotAUser)?
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
pub fn check_revocation(revocations: &Revocations, identity: &Identity) -> Result<(), AuthError> {
    if revocations.denylist().is_revoked(&identity.jti) {
        return Err(AuthError::Revoked);
    }
    Ok(())
}

/// Verifies the token of an `Authorization` header value (signature,
/// algorithm, claims), then that it is not revoked: the identity to trust.
pub fn authenticate(
    keys: &JwtKeys,
    revocations: &Revocations,
    header: Option<&HeaderValue>,
) -> Result<Identity, AuthError> {
    let identity = identity(keys.verify(bearer_token(header)?)?)?;
    check_revocation(revocations, &identity)?;
    Ok(identity)
}
