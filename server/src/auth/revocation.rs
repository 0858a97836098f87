//! The token denylist in Redis: `{prefix}auth:revoked:{jti}`, expiring when the
//! token would have, so it never grows past the live tokens.

use backend_api::ApiError;
use fred::prelude::*;
use fred::types::Expiration;

fn key(prefix: &str, jti: &str) -> String {
    format!("{prefix}auth:revoked:{jti}")
}

/// Revokes `jti` until `expires_at` (Unix seconds).
pub async fn revoke(
    redis: &Client,
    prefix: &str,
    jti: &str,
    expires_at: i64,
) -> Result<(), ApiError> {
    let ttl =
        (expires_at - chrono::Utc::now().timestamp()).max(1) + super::jwt::LEEWAY_SECONDS as i64;
    redis
        .set::<(), _, _>(key(prefix, jti), 1, Some(Expiration::EX(ttl)), None, false)
        .await
        .map_err(|e| ApiError::unavailable("token store unavailable").with_internal(e))
}

/// Is `jti` revoked? An unreachable Redis is an error, never a "no".
pub async fn is_revoked(redis: &Client, prefix: &str, jti: &str) -> Result<bool, ApiError> {
    redis
        .exists::<i64, _>(key(prefix, jti))
        .await
        .map(|n| n > 0)
        .map_err(|e| ApiError::unavailable("token store unavailable").with_internal(e))
}
