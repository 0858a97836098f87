//! The one error envelope and the closed set of error codes.
//!
//! Every non-2xx response the handlers produce is an [`ApiError`] serialised as
//! `{"error": CODE, "message": "...", "request_id": "...", "details": {...}?}`.
//! The codes are a closed enum so that the OpenAPI document lists them, the
//! generated client can match on them, and `docs/api/error-catalog.md` is
//! rendered from the same table (see [`crate::catalog`]).

use dropshot::{ErrorStatusCode, HttpError};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;

/// What a client should do about an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientAction {
    /// Fix the request; retrying it unchanged fails the same way.
    FixRequest,
    /// Obtain a (new) token and retry.
    Reauthenticate,
    /// Retry after the number of seconds in `Retry-After`.
    RetryAfter,
    /// Retry with exponential backoff; report if it persists.
    RetryWithBackoff,
    /// Do not retry; the resource does not exist for this caller.
    GiveUp,
    /// Read the current state again, re-apply the change, retry.
    RereadAndRetry,
}

/// The one table of error codes: each code's variant, wire spelling, HTTP
/// status, what the client should do, and when the server sends it (the
/// catalog's sentence). The enum, [`ErrorCode::ALL`] and the accessors are
/// generated from it, so no code can lack a status, an action or a sentence.
macro_rules! error_codes {
    (
        $(#[$meta:meta])*
        pub enum $name:ident;
        $($variant:ident = $wire:literal, $status:literal, $action:ident, $when:literal;)*
    ) => {
        $(#[$meta])*
        pub enum $name {
            $(#[serde(rename = $wire)] $variant,)*
        }

        impl $name {
            /// Every code, in catalog order.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The wire spelling, e.g. `ORG_NOT_FOUND`.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $wire,)* }
            }

            /// The HTTP status this code is always sent with.
            pub fn status(self) -> u16 {
                match self { $($name::$variant => $status,)* }
            }

            /// When the server sends this code (one sentence, for the catalog).
            pub fn when(self) -> &'static str {
                match self { $($name::$variant => $when,)* }
            }

            /// What the client should do about it.
            pub fn action(self) -> ClientAction {
                match self { $($name::$variant => ClientAction::$action,)* }
            }
        }
    };
}

error_codes! {
    /// Stable, machine-readable error codes. Clients branch on these, never on
    /// `message`.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
    pub enum ErrorCode;
    ValidationError = "VALIDATION_ERROR", 400, FixRequest,
        "A body, path or query parameter has the wrong shape or an out-of-range value; `details.field` names it.";
    MalformedJson = "MALFORMED_JSON", 400, FixRequest,
        "The request body is not parsable JSON.";
    PayloadTooLarge = "PAYLOAD_TOO_LARGE", 413, FixRequest,
        "The request body is larger than the server accepts (`REQUEST_BODY_MAX_BYTES`, 64 KiB by default).";
    UnsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE", 415, FixRequest,
        "A request body was sent with a `Content-Type` other than `application/json`.";
    Unauthorized = "UNAUTHORIZED", 401, Reauthenticate,
        "The bearer token is missing, malformed, wrongly signed, uses another algorithm, has the wrong issuer or audience, or names a user that no longer exists. Sent with `WWW-Authenticate: Bearer`.";
    TokenExpired = "TOKEN_EXPIRED", 401, Reauthenticate,
        "The bearer token's `exp` has passed. Sent with `WWW-Authenticate: Bearer`.";
    TokenRevoked = "TOKEN_REVOKED", 401, Reauthenticate,
        "The bearer token was revoked by logout, refresh or an operator (`backend token --revoke`). Sent with `WWW-Authenticate: Bearer`.";
    Forbidden = "FORBIDDEN", 403, FixRequest,
        "The caller can see the resource but its role does not allow the operation.";
    NotFound = "NOT_FOUND", 404, GiveUp,
        "No route matches the path. Answered by the router, before any handler runs (see the note on router errors).";
    MethodNotAllowed = "METHOD_NOT_ALLOWED", 405, FixRequest,
        "The path exists but does not take this method; the `Allow` header and `details.allowed` list the methods it takes (`OPTIONS` on any path answers 204 with `Allow`, and `HEAD` on a path that takes `GET` is that `GET` without its body). A method outside RFC 9110's eight is answered by the router (see the note on router errors).";
    OrgNotFound = "ORG_NOT_FOUND", 404, GiveUp,
        "The organization does not exist or the caller is not a member; both cases are identical so existence does not leak.";
    ProjectNotFound = "PROJECT_NOT_FOUND", 404, GiveUp,
        "The project does not exist or belongs to an organization the caller is not a member of.";
    UserNotFound = "USER_NOT_FOUND", 404, GiveUp,
        "The user named in the path does not exist.";
    InvalidOrgSlug = "INVALID_ORG_SLUG", 400, FixRequest,
        "The organization slug breaks the slug rule given in `details.rule`.";
    InvalidProjectSlug = "INVALID_PROJECT_SLUG", 400, FixRequest,
        "The project slug breaks the slug rule given in `details.rule`.";
    OrgSlugConflict = "ORG_SLUG_CONFLICT", 409, FixRequest,
        "Another organization already uses this slug.";
    ProjectSlugConflict = "PROJECT_SLUG_CONFLICT", 409, FixRequest,
        "Another project of the same organization already uses this slug.";
    LastOwner = "LAST_OWNER", 409, FixRequest,
        "The change would leave the organization without an owner.";
    ResourceBusy = "RESOURCE_BUSY", 409, RetryAfter,
        "Another change of the same resource held it longer than the server waits (`DATABASE_LOCK_TIMEOUT_MS`), or the database broke a deadlock or a serialization conflict; nothing was changed. Sent with `Retry-After`.";
    IdempotencyKeyReused = "IDEMPOTENCY_KEY_REUSED", 422, FixRequest,
        "The `Idempotency-Key` was already used by this caller, within its 24 hours, for a different request (another operation, path or body); nothing was done. Use a new key for a new request.";
    IdempotencyInProgress = "IDEMPOTENCY_IN_PROGRESS", 409, RetryAfter,
        "A request with the same `Idempotency-Key` is still being processed; nothing was done. Sent with `Retry-After`: the retry gets the first request's answer.";
    ConfigNotFound = "CONFIG_NOT_FOUND", 404, GiveUp,
        "No configuration entry has this key for this service.";
    InvalidConfigKey = "INVALID_CONFIG_KEY", 400, FixRequest,
        "The config key breaks the key rule: 1-64 characters, letters, digits, `_`, `.` or `-`, starting with a letter.";
    InvalidConfigValue = "INVALID_CONFIG_VALUE", 400, FixRequest,
        "The value is too long (over 4096 characters, counted as Unicode scalar values like the document's `maxLength`) or not allowed for a known key; `details.allowed` lists the allowed values.";
    VersionConflict = "VERSION_CONFLICT", 412, RereadAndRetry,
        "`If-Match` named a version other than the stored one: someone else wrote first. Sent with the stored version in `details.current_version`.";
    PreconditionFailed = "PRECONDITION_FAILED", 412, RereadAndRetry,
        "`If-Match` named an ETag other than the current one of the organization, project or membership: someone else changed it first, and nothing was changed. Sent with the current `ETag` header (and `details.current_etag`); a resource that no longer exists answers 404 instead.";
    RateLimitExceeded = "RATE_LIMIT_EXCEEDED", 429, RetryAfter,
        "Too many guest sign-ins from this client address or token refreshes by this user in the current window, or more requests of one user inside the database at once than `PER_USER_CONCURRENCY`. Sent with `Retry-After`.";
    ServiceUnavailable = "SERVICE_UNAVAILABLE", 503, RetryAfter,
        "PostgreSQL is unreachable or did not answer within the configured timeouts (`DATABASE_STATEMENT_TIMEOUT_MS`, `REQUEST_TIMEOUT_MS`), or the server is not ready; Redis being down never causes it. Sent with `Retry-After`.";
    InternalError = "INTERNAL_ERROR", 500, RetryWithBackoff,
        "An unexpected server fault. The body never carries internals; the request id finds the log line.";
}

impl ErrorCode {
    /// Is the code produced by dropshot's router rather than our handlers
    /// (and therefore in dropshot's body shape, unless `HTTP_FRONT=on`
    /// rewrites it)? A missing method is ours
    /// (`server/src/http/methods.rs`); a missing path cannot be.
    pub fn is_router_level(self) -> bool {
        self == ErrorCode::NotFound
    }

    /// Parses the wire spelling.
    pub fn from_wire(s: &str) -> Option<ErrorCode> {
        ErrorCode::ALL.iter().copied().find(|c| c.as_str() == s)
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error envelope sent with every non-2xx response.
///
/// 401 responses also carry `WWW-Authenticate: Bearer`; 429 and 503 carry
/// `Retry-After` (seconds).
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct ApiError {
    /// Stable machine-readable code.
    pub error: ErrorCode,
    /// Human-readable explanation; never contains internals.
    pub message: String,
    /// The id of the request, also sent as the `x-request-id` header.
    pub request_id: String,
    /// Optional structured detail, e.g. `{"field": "name"}` or the violated rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<serde_json::Map<String, serde_json::Value>>,
    /// Seconds the client should wait before retrying (429, 503).
    #[serde(skip)]
    #[schemars(skip)]
    pub retry_after: Option<u64>,
    /// The resource's current `ETag`, sent as a header with 412.
    #[serde(skip)]
    #[schemars(skip)]
    pub etag: Option<String>,
    /// The methods the path takes, sent as `Allow` with 405.
    #[serde(skip)]
    #[schemars(skip)]
    pub allow: Option<String>,
    /// Cause for the log only; never serialised.
    #[serde(skip)]
    #[schemars(skip)]
    pub internal: Option<String>,
}

impl ApiError {
    pub fn new(error: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            error,
            message: message.into(),
            request_id: String::new(),
            details: None,
            retry_after: None,
            etag: None,
            allow: None,
            internal: None,
        }
    }

    /// Adds one `details` entry.
    pub fn with_detail(mut self, key: &str, value: impl Into<serde_json::Value>) -> Self {
        self.details
            .get_or_insert_with(Default::default)
            .insert(key.to_owned(), value.into());
        self
    }

    /// 412 `PRECONDITION_FAILED`: `If-Match` did not name the current version.
    pub fn precondition_failed(current_version: i64) -> Self {
        let etag = crate::types::etag(current_version);
        let mut e = ApiError::new(
            ErrorCode::PreconditionFailed,
            format!("If-Match does not name the current version; the current ETag is {etag}"),
        )
        .with_detail("current_etag", etag.clone());
        e.etag = Some(etag);
        e
    }

    /// Sets the `Allow` header of a 405 (`GET, POST, HEAD, OPTIONS`).
    pub fn with_allow(mut self, methods: &str) -> Self {
        self.allow = Some(methods.to_owned());
        self
    }

    pub fn with_retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    /// Records the hidden cause for the server log.
    pub fn with_internal(mut self, cause: impl fmt::Display) -> Self {
        self.internal = Some(cause.to_string());
        self
    }

    pub fn with_request_id(mut self, request_id: &str) -> Self {
        self.request_id = request_id.to_owned();
        self
    }

    pub fn validation(field: &str, message: impl Into<String>) -> Self {
        ApiError::new(ErrorCode::ValidationError, message).with_detail("field", field)
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        ApiError::new(ErrorCode::Unauthorized, message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        ApiError::new(ErrorCode::Forbidden, message)
    }

    pub fn unavailable(message: impl Into<String>) -> Self {
        ApiError::new(ErrorCode::ServiceUnavailable, message).with_retry_after(2)
    }

    /// A 500 whose body says nothing about the cause.
    pub fn internal(cause: impl fmt::Display) -> Self {
        ApiError::new(ErrorCode::InternalError, "internal error").with_internal(cause)
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.error, self.message)?;
        if let Some(internal) = &self.internal {
            write!(f, " ({internal})")?;
        }
        Ok(())
    }
}

impl dropshot::HttpResponseError for ApiError {
    fn status_code(&self) -> ErrorStatusCode {
        ErrorStatusCode::from_u16(self.error.status())
            .unwrap_or(ErrorStatusCode::INTERNAL_SERVER_ERROR)
    }
}

/// Errors raised by dropshot before our code runs (extractors, body limits).
/// Our own extractors in [`crate::extract`] tag them with a code and the request
/// id (see [`crate::extract::tag`]); anything untagged is classified by status.
impl From<HttpError> for ApiError {
    fn from(e: HttpError) -> Self {
        crate::extract::untag(e)
    }
}
