//! `backend-server`: the implementation behind `backend-api`.
//!
//! Layout: `settings` (environment), `telemetry` (JSON logs), `db` (pool,
//! migrations, role guard), `tenant` (who may see and change what: the tenant
//! transaction, the organization key, visibility and role checks), `repo`
//! (SQL per table, always inside a tenant transaction), `auth` (JWT,
//! revocation, rate limit), `sync` (state that follows PostgreSQL:
//! configuration and denylist), `http` (the trait implementation, one module
//! per resource, and the one place errors become the envelope), `startup`
//! and `cli`.

pub mod auth;
pub mod cli;
pub mod configs;
pub mod context;
pub mod db;
pub mod domain;
pub mod front;
pub mod http;
pub mod metrics;
pub mod redis;
pub mod repo;
mod revoke_cli;
pub mod settings;
pub mod startup;
pub mod sync;
pub mod telemetry;
pub mod tenant;
pub mod traces;

/// The commit this binary was built from (`unknown` outside the release
/// pipeline; see `build.rs`).
pub const BUILD_COMMIT: &str = env!("BACKEND_BUILD_COMMIT");
