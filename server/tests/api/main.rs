//! In-process API tests: the real server on port 0, a fresh database per
//! test (connected as `backend_app`, so RLS applies), the real Redis, and the
//! generated client. One binary; one module per area.

mod helpers;

mod auth;
mod catalog;
mod chart;
mod configs;
mod contract;
mod cursors;
mod errors;
mod fairness;
mod front;
mod health;
mod idempotency;
mod invariants;
mod members;
mod methods;
mod metrics_labels;
mod migrations;
mod module_imports;
mod orgs;
mod preconditions;
mod projects;
mod read_lane;
mod rls;
mod role_guard;
mod schema;
mod settings_docs;
mod shutdown;
mod traces;
