//! Why a token or a sign-in is refused. `http/` maps each to its envelope:
//! expiry and revocation have codes of their own, a rate limit is 429, the
//! rest is `UNAUTHORIZED` with this text as the message.

use super::rate_limit::Bucket;

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("missing bearer token")]
    MissingToken,
    #[error("malformed Authorization header; expected `Bearer <token>`")]
    MalformedHeader,
    #[error("token has expired")]
    Expired,
    #[error("token has been revoked")]
    Revoked,
    #[error("token is not valid yet")]
    NotYetValid,
    #[error("token is issued in the future")]
    IssuedInTheFuture,
    #[error("token algorithm is not HS256")]
    WrongAlgorithm,
    #[error("token is signed with an unknown key")]
    UnknownKey,
    #[error("token signature is invalid")]
    BadSignature,
    #[error("token audience is wrong")]
    WrongAudience,
    #[error("token issuer is wrong")]
    WrongIssuer,
    #[error("token lacks the `{0}` claim")]
    MissingClaim(String),
    #[error("token lacks a valid `jti` claim")]
    BadTokenId,
    #[error("token subject is not a user id")]
    SubjectNotAUser,
    #[error("admin tokens live at most 24 h")]
    AdminTokenTooLong,
    #[error("token is malformed")]
    Malformed,
    /// Over `limit` hits of `bucket` this minute; `retry_after` seconds (at
    /// least 1) until the next one is allowed.
    #[error("at most {limit} {}", bucket.what())]
    RateLimited {
        bucket: Bucket,
        limit: u32,
        retry_after: u64,
    },
    /// Minting failed: a bug or a broken key, never the caller's fault.
    #[error("cannot sign a token: {0}")]
    Signing(jsonwebtoken::errors::Error),
}
