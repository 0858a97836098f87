use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Body of `POST /api/v1/orgs/{org}/projects` and `PUT /api/v1/projects/{id}`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectInput {
    /// 1–100 characters after trimming.
    pub name: String,
    /// Unique within the organization; same rule as organization slugs. On
    /// create it is derived from the name when absent; on update it is kept.
    #[serde(default)]
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
}

/// `{id}` of a project.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
pub struct ProjectPath {
    pub id: Uuid,
}
