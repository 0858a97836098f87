use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Liveness: the process is up. Never touches a dependency.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct Health {
    /// Always `ok`.
    pub status: String,
}

/// Readiness: every dependency answered within its timeout.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct Readiness {
    /// `ready` (a not-ready replica answers 503 with `SERVICE_UNAVAILABLE`).
    pub status: String,
    /// One entry per dependency (`database`, `redis`, `schema`): `ok` or what failed.
    pub checks: BTreeMap<String, String>,
}
