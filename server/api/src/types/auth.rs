use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A guest user. There is no personal data: the username is generated.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct User {
    pub id: Uuid,
    /// Generated, e.g. `guest-4821`.
    pub username: String,
    pub created_at: DateTime<Utc>,
}

/// A freshly issued bearer token.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct TokenResponse {
    /// HS256 JWT to send as `Authorization: Bearer <token>`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the token expires.
    pub expires_in: u64,
    pub user: User,
}

/// Headers of a response that carries a bearer token: `Cache-Control:
/// no-store`, so that no browser, proxy or CDN keeps a copy (RFC 6749 §5.1).
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct NoStoreHeader {
    /// Always `no-store`.
    #[serde(rename = "cache-control")]
    pub cache_control: String,
}

impl NoStoreHeader {
    pub fn new() -> NoStoreHeader {
        NoStoreHeader {
            cache_control: "no-store".into(),
        }
    }
}

impl Default for NoStoreHeader {
    fn default() -> Self {
        NoStoreHeader::new()
    }
}
