//! SQL, one file per table. Every function that reads or writes tenant data
//! takes a [`crate::tenant::TenantTx`], so row-level security decides what
//! each query can see; none of them filters by tenant itself. (What the
//! caller sees of organizations, the access rule itself, is in
//! [`crate::tenant::orgs`].)

pub mod idempotency;
pub mod members;
pub mod orgs;
pub mod projects;
pub mod users;
