use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Liveness: the process is up. Never touches a dependency.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct Health {
    /// Always `ok`.
    pub status: String,
}

/// Readiness: PostgreSQL answered and the schema is current.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct Readiness {
    /// `ready`, or `degraded` while Redis does not answer: the replica still
    /// serves everything (a not-ready replica answers 503 with
    /// `SERVICE_UNAVAILABLE`).
    pub status: String,
    /// One entry per dependency (`database`, `redis`): `ok` or what failed.
    pub checks: BTreeMap<String, String>,
}
