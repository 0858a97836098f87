//! The one boundary where the errors of the rules become the envelope: the
//! domain, configuration, authentication and tenant-access rules return their
//! own errors (they know nothing of HTTP); here each gets its catalog code.
//! Database errors have theirs in [`super::db_error`].

use super::db_error;
use crate::auth::AuthError;
use crate::configs::rules::RuleError;
use crate::domain::names::NameError;
use crate::domain::slug::InvalidSlug;
use crate::settings::LOG_LEVELS;
use crate::tenant::AccessError;
use backend_api::types::SLUG_RULE;
use backend_api::{ApiError, ErrorCode};

impl From<NameError> for ApiError {
    fn from(e: NameError) -> ApiError {
        ApiError::validation("name", e.to_string())
    }
}

/// A slug breaks the rule: `code` says whose (organization or project).
pub fn invalid_slug(code: ErrorCode) -> impl FnOnce(InvalidSlug) -> ApiError {
    move |e| {
        ApiError::new(code, e.to_string())
            .with_detail("field", "slug")
            .with_detail("rule", SLUG_RULE)
    }
}

impl From<RuleError> for ApiError {
    fn from(e: RuleError) -> ApiError {
        let message = e.to_string();
        match e {
            RuleError::Key(_) => {
                ApiError::new(ErrorCode::InvalidConfigKey, message).with_detail("field", "key")
            }
            RuleError::Service => ApiError::validation("service", message),
            RuleError::ValueTooLong(_) => ApiError::new(ErrorCode::InvalidConfigValue, message),
            RuleError::LogLevel => ApiError::new(ErrorCode::InvalidConfigValue, message)
                .with_detail("allowed", serde_json::json!(LOG_LEVELS)),
            RuleError::Reason => ApiError::validation("reason", message),
            RuleError::IfMatch => ApiError::validation("If-Match", message),
        }
    }
}

impl From<AuthError> for ApiError {
    fn from(e: AuthError) -> ApiError {
        match e {
            AuthError::Expired => ApiError::new(ErrorCode::TokenExpired, e.to_string()),
            AuthError::Revoked => ApiError::new(ErrorCode::TokenRevoked, e.to_string()),
            AuthError::RateLimited { retry_after, .. } => {
                ApiError::new(ErrorCode::RateLimitExceeded, e.to_string())
                    .with_retry_after(retry_after)
            }
            AuthError::Signing(cause) => ApiError::internal(cause),
            _ => ApiError::unauthorized(e.to_string()),
        }
    }
}

impl From<AccessError> for ApiError {
    fn from(e: AccessError) -> ApiError {
        match e {
            AccessError::Database(cause) => db_error(cause),
            AccessError::OrgNotFound(_) => ApiError::new(ErrorCode::OrgNotFound, e.to_string()),
            AccessError::Busy => {
                ApiError::new(ErrorCode::RateLimitExceeded, e.to_string()).with_retry_after(1)
            }
            AccessError::UserGone => ApiError::unauthorized(e.to_string()),
            AccessError::AdminToken
            | AccessError::NotManager
            | AccessError::NotProjectManager
            | AccessError::NotOwner => ApiError::forbidden(e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::jwt::tests::{A, B, settings};
    use crate::auth::jwt::{JwtKeys, key_id};

    #[test]
    fn a_rotated_server_accepts_the_previous_key_and_signs_with_the_new_one() {
        let old = JwtKeys::new(&settings(A, &[]));
        let rotated = JwtKeys::new(&settings(B, &[A]));
        let a_token = old.mint("s", 600, false).unwrap().token;
        assert!(rotated.verify(&a_token).is_ok(), "A still verifies");
        let b_token = rotated.mint("s", 600, false).unwrap().token;
        let kid = jsonwebtoken::decode_header(&b_token).unwrap().kid;
        assert_eq!(kid.as_deref(), Some(key_id(B.as_bytes()).as_str()));
        let err = ApiError::from(old.verify(&b_token).unwrap_err());
        assert_eq!(err.error, ErrorCode::Unauthorized, "A-only never saw B");
        let dropped = JwtKeys::new(&settings(B, &[]));
        assert_eq!(
            ApiError::from(dropped.verify(&a_token).unwrap_err()).error,
            ErrorCode::Unauthorized
        );
    }
}
