//! `backend-e2e`: the shared test environment and the end-to-end suite.
//!
//! [`testenv`] gives every test a fresh, migrated database (a copy of a
//! migrated template, so it is fast) and the URLs to reach PostgreSQL and
//! Redis: from `DATABASE_URL` / `REDIS_URL` when set, from testcontainers when
//! a Docker engine answers, otherwise a clear failure. The end-to-end tests in
//! `tests/` start the real `backend serve` binary (or use `BACKEND_URL`) and
//! talk to it only through `backend-client`.

pub mod chart;
pub mod logs;
pub mod pg_cluster;
pub mod proxy;
pub mod redis_server;
pub mod spawn;
pub mod testenv;

/// The root of the checkout the tests run in.
///
/// Cargo and nextest set `CARGO_MANIFEST_DIR` when they run a test binary, and
/// that run-time value wins: `.ci/run` keeps the build cache outside the
/// clone, so a binary compiled in one clone can be reused in another, and the
/// compile-time path would then read the other clone's files (a stale
/// migrations set, a stale contract). Every package that tests is one level
/// below the root.
pub fn repo_root() -> std::path::PathBuf {
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into());
    manifest.join("..")
}
