//! `backend-server`: the implementation behind `backend-api`.
//!
//! Layout: `settings` (environment), `telemetry` (JSON logs), `db` (pool,
//! migrations, role guard, tenant transactions), `repo` (SQL per table, always
//! inside a tenant transaction), `auth` (JWT, revocation, rate limit), `http`
//! (the trait implementation, one module per resource), `startup` and `cli`.

pub mod auth;
pub mod cli;
pub mod configs;
pub mod context;
pub mod db;
pub mod domain;
pub mod http;
pub mod metrics;
pub mod redis;
pub mod repo;
pub mod settings;
pub mod startup;
pub mod telemetry;
