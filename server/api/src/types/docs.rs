use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A file of the API reference UI under `/docs/`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
pub struct DocsPath {
    pub path: Vec<String>,
}
