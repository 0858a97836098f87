//! Renders the OpenAPI document from the trait's stub description.
//!
//! dropshot has no notion of security schemes, so the bearer scheme and each
//! operation's requirement are added here, from one rule: everything under
//! `/api/v1/` needs a token except guest sign-in.

use crate::api::backend_api_mod;
use crate::error::{ApiError, ErrorCode};
use serde_json::{Value, json};

/// Changes and deletions that take an optional `If-Match`.
const CONDITIONAL_CHANGES: &[&str] = &[
    "org_update",
    "org_delete",
    "member_set",
    "member_remove",
    "project_update",
    "project_delete",
];

/// Reads that take an optional `If-None-Match` and may answer 304.
const CONDITIONAL_READS: &[&str] = &["org_get", "project_get"];

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
        op["security"] = if PUBLIC_OPERATIONS.contains(&id) {
            json!([])
        } else {
            json!([{ "bearerAuth": [] }])
        };
    });
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
        if CONDITIONAL_READS.contains(&id) {
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

/// The error codes each operation can answer with, beyond `INTERNAL_ERROR`
/// (which any operation can). The catalog tests trigger each code on one of
/// these operations; schemathesis checks that nothing undocumented comes back.
fn error_codes(operation: &str) -> Vec<ErrorCode> {
    use ErrorCode::*;
    const BODY: &[ErrorCode] = &[
        MalformedJson,
        ValidationError,
        PayloadTooLarge,
        UnsupportedMediaType,
    ];
    const TOKEN: &[ErrorCode] = &[Unauthorized, TokenExpired, TokenRevoked, ServiceUnavailable];
    let mut codes: Vec<ErrorCode> = match operation {
        "health" => vec![],
        "ready" => vec![ServiceUnavailable],
        "auth_guest" => vec![RateLimitExceeded, ServiceUnavailable],
        "auth_me" => vec![Forbidden, RateLimitExceeded],
        "auth_refresh" => vec![Forbidden, RateLimitExceeded],
        "auth_logout" => vec![],
        "org_create" => [
            BODY,
            &[
                InvalidOrgSlug,
                Forbidden,
                OrgSlugConflict,
                IdempotencyKeyReused,
                IdempotencyInProgress,
            ],
        ]
        .concat(),
        "org_list" | "member_list" | "project_list" | "org_list_v2" | "member_list_v2"
        | "project_list_v2" => {
            vec![ValidationError, Forbidden, OrgNotFound]
        }
        "org_get" => vec![Forbidden, OrgNotFound],
        "org_delete" => vec![Forbidden, OrgNotFound, ResourceBusy],
        "org_update" => [
            BODY,
            &[
                InvalidOrgSlug,
                Forbidden,
                OrgNotFound,
                OrgSlugConflict,
                ResourceBusy,
            ],
        ]
        .concat(),
        "member_set" => [
            BODY,
            &[
                Forbidden,
                OrgNotFound,
                UserNotFound,
                LastOwner,
                ResourceBusy,
            ],
        ]
        .concat(),
        "member_remove" => vec![
            ValidationError,
            Forbidden,
            OrgNotFound,
            UserNotFound,
            LastOwner,
            ResourceBusy,
        ],
        "project_create" => [
            BODY,
            &[
                InvalidProjectSlug,
                Forbidden,
                OrgNotFound,
                ProjectSlugConflict,
                IdempotencyKeyReused,
                IdempotencyInProgress,
            ],
        ]
        .concat(),
        "project_get" => vec![ValidationError, Forbidden, ProjectNotFound],
        "project_delete" => vec![ValidationError, Forbidden, ProjectNotFound, ResourceBusy],
        "project_update" => [
            BODY,
            &[
                InvalidProjectSlug,
                Forbidden,
                ProjectNotFound,
                ProjectSlugConflict,
                ResourceBusy,
            ],
        ]
        .concat(),
        "config_list" | "config_list_v2" => vec![ValidationError, Forbidden],
        "config_get" | "config_history" | "config_history_v2" => {
            vec![ValidationError, InvalidConfigKey, Forbidden, ConfigNotFound]
        }
        "config_put" => [
            BODY,
            &[
                InvalidConfigKey,
                InvalidConfigValue,
                Forbidden,
                VersionConflict,
                ResourceBusy,
            ],
        ]
        .concat(),
        "runtime_config" => vec![Forbidden],
        _ => vec![ValidationError],
    };
    // Changes that take `If-Match`; any header that is not text (non-ASCII
    // bytes) is refused by the extractor as a validation error.
    if CONDITIONAL_CHANGES.contains(&operation) {
        codes.push(PreconditionFailed);
    }
    if (CONDITIONAL_CHANGES.contains(&operation) || CONDITIONAL_READS.contains(&operation))
        && !codes.contains(&ValidationError)
    {
        codes.push(ValidationError);
    }
    // Guest requests inside the database count against the caller's
    // concurrency (PER_USER_CONCURRENCY).
    if operation.starts_with("org_")
        || operation.starts_with("member_")
        || operation.starts_with("project_")
    {
        codes.push(RateLimitExceeded);
    }
    if !matches!(operation, "health" | "ready" | "auth_guest") {
        codes.extend_from_slice(TOKEN);
    }
    codes.push(InternalError);
    codes
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
        for code in error_codes(id) {
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
