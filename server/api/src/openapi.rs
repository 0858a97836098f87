//! Renders the OpenAPI document from the trait's stub description.
//!
//! dropshot has no notion of security schemes, so the bearer scheme and each
//! operation's requirement are added here, from one rule: everything under
//! `/api/v1/` needs a token except guest sign-in.

use crate::api::backend_api_mod;
use serde_json::{Value, json};

/// Operations reachable without a bearer token.
const PUBLIC_OPERATIONS: &[&str] = &["health", "ready", "auth_guest"];

/// The canonical OpenAPI document, as JSON.
pub fn openapi_document() -> Value {
    let description =
        backend_api_mod::stub_api_description().expect("the API trait describes a valid API");
    let version: semver::Version = crate::API_VERSION.parse().expect("crate version is semver");
    let mut doc = description
        .openapi("agent-ready-k8s backend", version)
        .description(
            "Multi-tenant SaaS backend: guest sign-in, organizations, projects and \
             hot-reloaded service configuration. Every non-2xx response from a handler \
             is the `ApiError` envelope; see docs/api/error-catalog.md.",
        )
        .json()
        .expect("the OpenAPI document serialises");
    add_security(&mut doc);
    add_tags(&mut doc);
    doc
}

/// The canonical document as YAML (the checked-in `openapi/backend.yaml`).
pub fn openapi_yaml() -> String {
    serde_yaml::to_string(&openapi_document()).expect("JSON value serialises as YAML")
}

fn add_security(doc: &mut Value) {
    doc["components"]["securitySchemes"] = json!({
        "bearerAuth": {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "Token from POST /api/v1/auth/guest (or `backend token --admin`)."
        }
    });
    let Some(paths) = doc["paths"].as_object_mut() else {
        return;
    };
    for item in paths.values_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for op in item.values_mut() {
            let id = op["operationId"].as_str().unwrap_or_default();
            op["security"] = if PUBLIC_OPERATIONS.contains(&id) {
                json!([])
            } else {
                json!([{ "bearerAuth": [] }])
            };
        }
    }
}

fn add_tags(doc: &mut Value) {
    doc["tags"] = json!([
        { "name": "Health", "description": "Liveness and readiness probes." },
        { "name": "Auth", "description": "Guest sign-in and bearer tokens (HS256 JWT)." },
        { "name": "Organizations", "description": "Tenants and their memberships." },
        { "name": "Projects", "description": "Projects inside an organization." },
        { "name": "Configs", "description": "Service configuration, hot-reloaded on every replica." }
    ]);
}
