use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Body of `POST /api/v1/orgs/{org}/projects` and `PUT /api/v1/projects/{id}`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectInput {
    /// 1–100 characters, no control, bidirectional or zero-width characters, not only whitespace
    /// (leading and trailing whitespace is trimmed).
    #[schemars(
        length(min = 1, max = 100),
        regex(
            pattern = r"^[^\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]*[^\u0000-\u0020\u007f-\u00a0\u061c\u1680\u2000-\u200f\u2028-\u202f\u205f-\u2064\u2066-\u2069\u3000\ufeff][^\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]*$"
        )
    )]
    pub name: String,
    /// Unique within the organization; same rule as organization slugs. On
    /// create it is derived from the name when absent; on update it is kept.
    #[serde(default)]
    #[schemars(
        length(min = 3, max = 63),
        regex(pattern = r"^[a-z0-9]+(-[a-z0-9]+)*$")
    )]
    pub slug: Option<String>,
}

/// A project of an organization.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Project {
    pub id: Uuid,
    pub org_id: Uuid,
    pub name: String,
    pub slug: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// 1 when created, one more with every change; the `ETag` is `"<version>"`.
    pub version: i64,
}

/// `{id}` of a project.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
pub struct ProjectPath {
    pub id: Uuid,
}
