//! SQL, one file per table. Every function takes the connection of a
//! [`crate::db::tenant::TenantTx`], so row-level security decides what each
//! query can see; none of them filters by tenant itself.

pub mod idempotency;
pub mod members;
pub mod orgs;
pub mod projects;
pub mod users;

use backend_api::types::Role;

/// Roles are constrained by a CHECK in the schema; anything else is a bug.
pub(crate) fn role(s: &str) -> Result<Role, sqlx::Error> {
    Role::parse(s).ok_or_else(|| sqlx::Error::Decode(format!("unknown role {s:?}").into()))
}
