use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A member's role in an organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Owner,
    Admin,
    Member,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Member => "member",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "owner" => Some(Role::Owner),
            "admin" => Some(Role::Admin),
            "member" => Some(Role::Member),
            _ => None,
        }
    }

    /// May this role change the organization, its projects and members?
    pub fn can_manage(self) -> bool {
        matches!(self, Role::Owner | Role::Admin)
    }
}

/// Body of `POST /api/v1/orgs` and `PUT /api/v1/orgs/{org}`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OrgInput {
    /// 1–100 characters, no control, bidirectional or zero-width characters, not only whitespace
    /// (leading and trailing whitespace is trimmed).
    #[schemars(
        length(min = 1, max = 100),
        regex(
            pattern = r"^[^\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]*[^\u0000-\u0020\u007f-\u00a0\u061c\u1680\u2000-\u200f\u2028-\u202f\u205f-\u2064\u2066-\u2069\u3000\ufeff][^\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]*$"
        )
    )]
    pub name: String,
    /// Lowercase letters, digits and single hyphens, 3–63 characters. On
    /// create it is derived from the name when absent; on update it is kept.
    #[serde(default)]
    #[schemars(
        length(min = 3, max = 63),
        regex(pattern = r"^[a-z0-9]+(-[a-z0-9]+)*$")
    )]
    pub slug: Option<String>,
}

/// An organization, as seen by one of its members.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Org {
    pub id: Uuid,
    pub name: String,
    pub slug: String,
    /// The caller's role in this organization.
    pub role: Role,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// 1 when created, one more with every change; the `ETag` is `"<version>"`.
    pub version: i64,
}

/// `{org}` in a path: the organization's id or its slug.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
pub struct OrgPath {
    /// Organization id (UUID) or slug.
    pub org: String,
}

/// `{org}` and `{user_id}` in a membership path.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
pub struct MemberPath {
    /// Organization id (UUID) or slug.
    pub org: String,
    pub user_id: Uuid,
}

/// Body of `PUT /api/v1/orgs/{org}/members/{user_id}`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SetMemberRole {
    pub role: Role,
}

/// One membership of an organization.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Member {
    pub user_id: Uuid,
    pub username: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    /// 1 when the membership was created, one more with every role change; the
    /// `ETag` is `"<version>"`.
    pub version: i64,
}

/// The slug rule, stated once for messages, `details.rule` and the catalog.
pub const SLUG_RULE: &str = "3-63 characters: lowercase letters, digits and single hyphens, not starting or ending with a hyphen, and not shaped like a UUID (which `{org}` would read as an id)";
