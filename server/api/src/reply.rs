//! `Reply<R>`: a handler's outcome, success or error, with full control of the
//! error response's headers.
//!
//! dropshot renders a custom error type through its `Serialize` impl only, so
//! an `Err(ApiError)` cannot carry `Retry-After` or `WWW-Authenticate`.
//! Handlers therefore return `Ok(Reply::Err(e))` for errors they raise
//! themselves; `Reply` writes the same envelope body plus those headers. The
//! endpoint's declared error type stays [`ApiError`], so the OpenAPI document
//! still describes the envelope on every operation, and dropshot's own
//! extraction errors still reach the client through `Err(ApiError)`.

use crate::error::{ApiError, ErrorCode};
use dropshot::{ApiEndpointResponse, Body, HttpError, HttpResponse};
use http::{Response, StatusCode};

/// The success response `R`, or an error rendered as the envelope.
pub enum Reply<R> {
    Ok(R),
    Err(ApiError),
}

/// What every endpoint returns.
pub type ApiResult<R> = Result<Reply<R>, ApiError>;

impl<R> From<Result<R, ApiError>> for Reply<R> {
    fn from(r: Result<R, ApiError>) -> Self {
        match r {
            Ok(v) => Reply::Ok(v),
            Err(e) => Reply::Err(e),
        }
    }
}

impl ApiError {
    /// The full HTTP response for this error: status, envelope, headers.
    pub fn into_response(self) -> Result<Response<Body>, HttpError> {
        let status =
            StatusCode::from_u16(self.error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut builder = Response::builder()
            .status(status)
            .header(http::header::CONTENT_TYPE, "application/json");
        if let Some(seconds) = self.retry_after {
            builder = builder.header(http::header::RETRY_AFTER, seconds.to_string());
        }
        if let Some(etag) = &self.etag {
            builder = builder.header(http::header::ETAG, etag);
        }
        if let Some(methods) = &self.allow {
            builder = builder.header(http::header::ALLOW, methods);
        }
        if matches!(
            self.error,
            ErrorCode::Unauthorized | ErrorCode::TokenExpired | ErrorCode::TokenRevoked
        ) {
            let challenge =
                if self.error == ErrorCode::Unauthorized && self.message.starts_with("missing") {
                    "Bearer".to_owned()
                } else {
                    format!(
                        "Bearer error=\"invalid_token\", error_description=\"{}\"",
                        self.error
                    )
                };
            builder = builder.header(http::header::WWW_AUTHENTICATE, challenge);
        }
        let body =
            serde_json::to_vec(&self).map_err(|e| HttpError::for_internal_error(e.to_string()))?;
        builder
            .body(Body::from(body))
            .map_err(|e| HttpError::for_internal_error(e.to_string()))
    }
}

impl<R: HttpResponse> HttpResponse for Reply<R> {
    fn to_result(self) -> Result<Response<Body>, HttpError> {
        match self {
            Reply::Ok(r) => r.to_result(),
            Reply::Err(e) => e.into_response(),
        }
    }

    fn response_metadata() -> ApiEndpointResponse {
        R::response_metadata()
    }

    fn status_code(&self) -> StatusCode {
        match self {
            Reply::Ok(r) => r.status_code(),
            Reply::Err(e) => {
                StatusCode::from_u16(e.error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
            }
        }
    }
}

/// A conditional read's answer: the full response, or 304 Not Modified with
/// the `ETag` when `If-None-Match` named the current version. The document
/// lists the 304 next to the 200 (see `crate::openapi`).
pub enum Conditional<R> {
    Full(R),
    NotModified(crate::types::ETagHeader),
}

impl<R: HttpResponse> HttpResponse for Conditional<R> {
    fn to_result(self) -> Result<Response<Body>, HttpError> {
        match self {
            Conditional::Full(r) => r.to_result(),
            Conditional::NotModified(tag) => Response::builder()
                .status(StatusCode::NOT_MODIFIED)
                .header(http::header::ETAG, tag.etag)
                .body(Body::empty())
                .map_err(|e| HttpError::for_internal_error(e.to_string())),
        }
    }

    fn response_metadata() -> ApiEndpointResponse {
        R::response_metadata()
    }

    fn status_code(&self) -> StatusCode {
        match self {
            Conditional::Full(r) => r.status_code(),
            Conditional::NotModified(_) => StatusCode::NOT_MODIFIED,
        }
    }
}
