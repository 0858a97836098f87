//! Tenant access: who may see and change which organization's data.
//!
//! Everything that decides it is here: the transaction that carries the
//! caller's identity ([`TenantTx`], the only way into tenant tables: every
//! function of `repo/` takes one), how a path names an organization
//! ([`OrgKey`]), what the caller sees of organizations ([`orgs`], in a
//! transaction or in one statement), the role checks and the refusal of admin
//! tokens ([`access`]). Row-level security enforces the same rules again in
//! PostgreSQL (`migrations/schema.sql` shows the policies); the checks here
//! give the precise error first.
//!
//! It answers with [`AccessError`]; `http/` turns that into the envelope.

pub mod access;
pub mod org_key;
pub mod orgs;
mod tx;

pub use access::{
    AccessError, open, refuse_admin, require_manager, require_owner, require_project_manager,
    take_slot,
};
pub use org_key::OrgKey;
pub use tx::{TenantTx, begin};
