//! `backend-client`: a typed Rust client for the backend API.
//!
//! The code is generated at compile time by progenitor from the committed
//! `openapi/backend.yaml`; nothing here is hand-written but a constructor that
//! attaches the bearer token and `Display`/`Error` for the error envelope.
//! The README below is compiled as a doctest, so its example stays valid.
#![doc = include_str!("../README.md")]

progenitor::generate_api!(
    spec = "../openapi/backend.yaml",
    interface = Positional,
    tags = Merged
);

use std::time::Duration;

/// A client that sends `Authorization: Bearer <token>` with every request.
pub fn with_token(
    base_url: &str,
    token: &str,
) -> Result<Client, reqwest::header::InvalidHeaderValue> {
    let mut headers = reqwest::header::HeaderMap::new();
    let mut value = reqwest::header::HeaderValue::from_str(&format!("Bearer {token}"))?;
    value.set_sensitive(true);
    headers.insert(reqwest::header::AUTHORIZATION, value);
    let http = reqwest::Client::builder()
        .default_headers(headers)
        .connect_timeout(Duration::from_secs(15))
        .timeout(Duration::from_secs(30))
        .build()
        .expect("a reqwest client with only default headers and timeouts builds");
    Ok(Client::new_with_client(base_url, http))
}

impl std::fmt::Display for types::ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {} (request {})",
            self.error, self.message, self.request_id
        )
    }
}

impl std::error::Error for types::ApiError {}

/// The error code of a failed call, if the server answered with the envelope.
pub fn error_code(err: &Error<types::ApiError>) -> Option<types::ErrorCode> {
    match err {
        Error::ErrorResponse(rv) => Some(rv.error),
        _ => None,
    }
}
