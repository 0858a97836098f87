//! Renders the OpenAPI document from the trait's stub description.
//!
//! dropshot has no notion of security schemes or of an operation's error
//! codes, so the bearer scheme, each operation's requirement, its 304 and its
//! error responses are added here, from its entry in [`crate::operations`].

use crate::api::backend_api_mod;
use crate::error::{ApiError, ErrorCode};
use crate::operations::{Access, Condition, Operation, operation};
use serde_json::{Value, json};

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
    add_error_responses(&mut doc);
    add_not_modified(&mut doc);
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
    for_each_operation(doc, |id, op| {
        let public = entry(id).access == Access::Public;
        op["security"] = if public {
            json!([])
        } else {
            json!([{ "bearerAuth": [] }])
        };
    });
}

/// The entry of a published operation; every one has one (a test checks).
fn entry(id: &str) -> &'static Operation {
    operation(id).unwrap_or_else(|| panic!("operation {id} has no entry in operations.rs"))
}

/// Calls `edit` with the operation id and the object of every operation.
fn for_each_operation(doc: &mut Value, mut edit: impl FnMut(&str, &mut Value)) {
    let Some(paths) = doc["paths"].as_object_mut() else {
        return;
    };
    for item in paths.values_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for op in item.values_mut() {
            let id = op["operationId"].as_str().unwrap_or_default().to_owned();
            edit(&id, op);
        }
    }
}

/// dropshot describes one success response per operation; the conditional
/// reads also answer 304 (see `Conditional`).
fn add_not_modified(doc: &mut Value) {
    for_each_operation(doc, |id, op| {
        if entry(id).condition == Condition::IfNoneMatch {
            op["responses"]["304"] = json!({
                "description": "Not Modified: `If-None-Match` named the current `ETag`; no body.",
                "headers": { "etag": {
                    "description": "The current `ETag`.",
                    "required": true,
                    "schema": { "type": "string" },
                }},
            });
        }
    });
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

/// Lists every status an operation can answer with, each with the codes
/// behind it and an example envelope, in place of dropshot's `4XX`/`5XX`
/// catch-alls, so the document is exact (schemathesis holds the server to it).
fn add_error_responses(doc: &mut Value) {
    for_each_operation(doc, |id, op| {
        if let Some(responses) = op["responses"].as_object_mut() {
            responses.remove("4XX");
            responses.remove("5XX");
        }
        let mut by_status: std::collections::BTreeMap<u16, Vec<ErrorCode>> = Default::default();
        for code in entry(id).error_codes() {
            let codes = by_status.entry(code.status()).or_default();
            if !codes.contains(&code) {
                codes.push(code);
            }
        }
        for (status, codes) in by_status {
            let listed: Vec<String> = codes.iter().map(|c| format!("`{c}`")).collect();
            let example = ApiError::new(codes[0], format!("example message for {}", codes[0]))
                .with_request_id("6f1c2e4a-0b7d-4a53-9d43-3f0f4c1f2a9e");
            op["responses"][status.to_string()] = json!({
                "description": format!("{} (see docs/api/error-catalog.md)", listed.join(", ")),
                "content": { "application/json": {
                    "schema": { "$ref": "#/components/schemas/ApiError" },
                    "example": example,
                }},
            });
        }
    });
}
