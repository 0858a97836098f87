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
