//! `backend-e2e`: the shared test environment and the end-to-end suite.
//!
//! [`testenv`] gives every test a fresh, migrated database (a copy of a
//! migrated template, so it is fast) and the URLs to reach PostgreSQL and
//! Redis: from `DATABASE_URL` / `REDIS_URL` when set, from testcontainers when
//! a Docker engine answers, otherwise a clear failure. The end-to-end tests in
//! `tests/` start the real `backend serve` binary (or use `BACKEND_URL`) and
//! talk to it only through `backend-client`.

pub mod chart;
pub mod proxy;
pub mod spawn;
pub mod testenv;
