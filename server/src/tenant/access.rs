//! Who may do what: the admin refusal, the caller's concurrency slot, the
//! role checks, and the errors they answer with.

use super::{TenantTx, tx};
use crate::auth::Identity;
use crate::db::fairness::{Slot, UserSlots};
use backend_api::types::{Org, Role};
use sqlx::PgPool;
use std::sync::Arc;

/// Why the caller may not go on. `http/` maps each to its envelope.
#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    #[error("admin tokens are for configuration; sign in as a guest to use tenant data")]
    AdminToken,
    #[error("too many requests of this user at once; retry when one has finished")]
    Busy,
    #[error("the token's user does not exist")]
    UserGone,
    /// Not there, or not visible to the caller: the two are one answer, so
    /// that nobody learns which organizations exist.
    #[error("Organization {0} not found")]
    OrgNotFound(String),
    #[error("requires the owner or admin role in this organization")]
    NotManager,
    #[error("requires the owner or admin role in the project's organization")]
    NotProjectManager,
    #[error("only an owner may delete the organization")]
    NotOwner,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Admin tokens carry no user: tenant data is not theirs to see.
pub fn refuse_admin(identity: &Identity) -> Result<(), AccessError> {
    if identity.admin {
        Err(AccessError::AdminToken)
    } else {
        Ok(())
    }
}

/// One of the caller's database slots (`PER_USER_CONCURRENCY`), or
/// [`AccessError::Busy`] when it holds them all.
pub fn take_slot(slots: &Arc<UserSlots>, identity: &Identity) -> Result<Slot, AccessError> {
    slots.try_take(identity.user_id).ok_or(AccessError::Busy)
}

/// A transaction acting as the caller, holding one of its slots. Refuses
/// admin tokens, and a token whose user no longer exists.
pub async fn open(
    pool: &PgPool,
    slots: &Arc<UserSlots>,
    identity: &Identity,
) -> Result<TenantTx, AccessError> {
    refuse_admin(identity)?;
    let slot = take_slot(slots, identity)?;
    let tx = tx::begin(pool, identity.user_id).await?.holding(slot);
    if !tx.user_exists() {
        return Err(AccessError::UserGone);
    }
    Ok(tx)
}

/// Owners and admins manage an organization and its projects.
pub fn require_manager(role: Role) -> Result<(), AccessError> {
    if role.can_manage() {
        Ok(())
    } else {
        Err(AccessError::NotManager)
    }
}

/// [`require_manager`] for a project, with the project's wording.
pub fn require_project_manager(role: Role) -> Result<(), AccessError> {
    require_manager(role).map_err(|_| AccessError::NotProjectManager)
}

/// Only an owner deletes an organization.
pub fn require_owner(org: &Org) -> Result<(), AccessError> {
    if org.role == Role::Owner {
        Ok(())
    } else {
        Err(AccessError::NotOwner)
    }
}

/// A role column: a CHECK in the schema allows only the known roles, so
/// anything else is a bug.
pub(crate) fn role_column(s: &str) -> Result<Role, sqlx::Error> {
    Role::parse(s).ok_or_else(|| sqlx::Error::Decode(format!("unknown role {s:?}").into()))
}
