//! The error catalog is a tested promise: one test per code triggers it
//! against a running server and checks the response against the catalog's
//! entry (status, envelope, headers). A last test makes sure no code is
//! without its test.

use crate::configs::admin_token;
use crate::helpers::{TestApp, spawn_app, spawn_app_with};
use backend_api::{ClientAction, ErrorCode};
use reqwest::{Method, Response};
use serde_json::json;

/// Checks `resp` against the catalog entry of `code`.
async fn assert_catalog(resp: Response, code: ErrorCode) {
    // dropshot's own shape for a router error, as the catalog says.
    assert_catalog_as(resp, code, !code.is_router_level()).await
}

/// Checks `resp` against the catalog entry of `code`; `envelope`: the body
/// must be the envelope (always, with the front).
async fn assert_catalog_as(resp: Response, code: ErrorCode, envelope: bool) {
    let catalog = backend_api::catalog::error_catalog_markdown();
    let entry = format!("## {code}\n\n- **Status:** {}\n", code.status());
    assert!(catalog.contains(&entry), "catalog entry for {code}");
    assert_eq!(resp.status().as_u16(), code.status(), "{code}: status");
    let header_id = resp.headers()["x-request-id"].to_str().unwrap().to_owned();
    if code.action() == ClientAction::RetryAfter {
        assert!(
            resp.headers().contains_key("retry-after"),
            "{code}: Retry-After"
        );
    }
    if code.status() == 401 {
        assert!(
            resp.headers()["www-authenticate"]
                .to_str()
                .unwrap()
                .starts_with("Bearer"),
            "{code}: WWW-Authenticate"
        );
    }
    if code.status() == 405 {
        assert!(resp.headers().contains_key("allow"), "{code}: Allow");
    }
    let body: serde_json::Value = resp.json().await.expect("JSON body");
    assert_eq!(body["request_id"], header_id, "{code}: request id");
    if !envelope {
        return;
    }
    assert_eq!(body["error"], code.as_str(), "{code}: body {body}");
    assert!(!body["message"].as_str().unwrap().is_empty());
    let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
    assert!(
        keys.iter()
            .all(|k| ["error", "message", "request_id", "details"].contains(&k.as_str())),
        "{keys:?}"
    );
}

async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<serde_json::Value>,
) -> Response {
    let mut req = app.http.request(method, app.url(path));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    req.send().await.unwrap()
}

async fn org(app: &TestApp, token: &str, slug: &str) {
    let resp = call(
        app,
        Method::POST,
        "/api/v1/orgs",
        Some(token),
        Some(json!({"name": slug, "slug": slug})),
    )
    .await;
    assert_eq!(resp.status(), 201);
}

#[tokio::test]
async fn catalog_validation_error() {
    let app = spawn_app().await;
    let (t, _, _) = app.guest().await;
    assert_catalog(
        call(&app, Method::GET, "/api/v1/orgs?limit=101", Some(&t), None).await,
        ErrorCode::ValidationError,
    )
    .await;
}

#[tokio::test]
async fn catalog_malformed_json() {
    let app = spawn_app().await;
    let (t, _, _) = app.guest().await;
    let resp = app
        .http
        .post(app.url("/api/v1/orgs"))
        .bearer_auth(&t)
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await
        .unwrap();
    assert_catalog(resp, ErrorCode::MalformedJson).await;
}

#[tokio::test]
async fn catalog_payload_too_large() {
    let app = spawn_app_with(&[("REQUEST_BODY_MAX_BYTES", "100")]).await;
    let resp = call(
        &app,
        Method::POST,
        "/api/v1/orgs",
        None,
        Some(json!({"name": "x".repeat(500)})),
    )
    .await;
    assert_catalog(resp, ErrorCode::PayloadTooLarge).await;
}

#[tokio::test]
async fn catalog_unsupported_media_type() {
    let app = spawn_app().await;
    let resp = app
        .http
        .post(app.url("/api/v1/orgs"))
        .header("content-type", "text/xml")
        .body("<org/>")
        .send()
        .await
        .unwrap();
    assert_catalog(resp, ErrorCode::UnsupportedMediaType).await;
}

#[tokio::test]
async fn catalog_unauthorized() {
    let app = spawn_app().await;
    assert_catalog(
        call(&app, Method::GET, "/api/v1/orgs", None, None).await,
        ErrorCode::Unauthorized,
    )
    .await;
}

#[tokio::test]
async fn catalog_token_expired() {
    let app = spawn_app().await;
    let now = chrono::Utc::now().timestamp();
    let claims = json!({"sub": uuid::Uuid::new_v4().to_string(), "jti": "x", "iat": now - 100, "nbf": now - 100,
        "exp": now - 60, "iss": "agent-ready-k8s-backend", "aud": "backend-api"});
    let token = jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(b"test-secret-0123456789abcdef0123456789abcdef"),
    )
    .unwrap();
    assert_catalog(
        call(&app, Method::GET, "/api/v1/auth/me", Some(&token), None).await,
        ErrorCode::TokenExpired,
    )
    .await;
}

#[tokio::test]
async fn catalog_token_revoked() {
    let app = spawn_app().await;
    let (t, _, _) = app.guest().await;
    assert_eq!(
        call(&app, Method::POST, "/api/v1/auth/logout", Some(&t), None)
            .await
            .status(),
        204
    );
    assert_catalog(
        call(&app, Method::GET, "/api/v1/auth/me", Some(&t), None).await,
        ErrorCode::TokenRevoked,
    )
    .await;
}

#[tokio::test]
async fn catalog_forbidden() {
    let app = spawn_app().await;
    let (t, _, _) = app.guest().await;
    let resp = call(
        &app,
        Method::PUT,
        "/api/v1/configs/X",
        Some(&t),
        Some(json!({"value": "1"})),
    )
    .await;
    assert_catalog(resp, ErrorCode::Forbidden).await;
}

#[tokio::test]
async fn catalog_not_found() {
    let app = spawn_app().await;
    assert_catalog(
        call(&app, Method::GET, "/api/v1/nothing-here", None, None).await,
        ErrorCode::NotFound,
    )
    .await;
    let front = spawn_app_with(&[("HTTP_FRONT", "on")]).await;
    assert_catalog_as(
        call(&front, Method::GET, "/api/v1/nothing-here", None, None).await,
        ErrorCode::NotFound,
        true,
    )
    .await;
}

#[tokio::test]
async fn catalog_method_not_allowed() {
    let app = spawn_app().await;
    assert_catalog(
        call(&app, Method::PATCH, "/api/v1/orgs", None, None).await,
        ErrorCode::MethodNotAllowed,
    )
    .await;
}

#[tokio::test]
async fn catalog_org_not_found() {
    let app = spawn_app().await;
    let (t, _, _) = app.guest().await;
    assert_catalog(
        call(&app, Method::GET, "/api/v1/orgs/nope-org", Some(&t), None).await,
        ErrorCode::OrgNotFound,
    )
    .await;
}

#[tokio::test]
async fn catalog_project_not_found() {
    let app = spawn_app().await;
    let (t, _, _) = app.guest().await;
    let path = format!("/api/v1/projects/{}", uuid::Uuid::new_v4());
    assert_catalog(
        call(&app, Method::GET, &path, Some(&t), None).await,
        ErrorCode::ProjectNotFound,
    )
    .await;
}

#[tokio::test]
async fn catalog_user_not_found() {
    let app = spawn_app().await;
    let (t, _, _) = app.guest().await;
    org(&app, &t, "usr-org").await;
    let path = format!("/api/v1/orgs/usr-org/members/{}", uuid::Uuid::new_v4());
    let resp = call(
        &app,
        Method::PUT,
        &path,
        Some(&t),
        Some(json!({"role": "member"})),
    )
    .await;
    assert_catalog(resp, ErrorCode::UserNotFound).await;
}

#[tokio::test]
async fn catalog_invalid_org_slug() {
    let app = spawn_app().await;
    let (t, _, _) = app.guest().await;
    let resp = call(
        &app,
        Method::POST,
        "/api/v1/orgs",
        Some(&t),
        Some(json!({"name": "A", "slug": "A!"})),
    )
    .await;
    assert_catalog(resp, ErrorCode::InvalidOrgSlug).await;
}

#[tokio::test]
async fn catalog_invalid_project_slug() {
    let app = spawn_app().await;
    let (t, _, _) = app.guest().await;
    org(&app, &t, "ips-org").await;
    let resp = call(
        &app,
        Method::POST,
        "/api/v1/orgs/ips-org/projects",
        Some(&t),
        Some(json!({"name": "P", "slug": "--"})),
    )
    .await;
    assert_catalog(resp, ErrorCode::InvalidProjectSlug).await;
}

#[tokio::test]
async fn catalog_org_slug_conflict() {
    let app = spawn_app().await;
    let (t, _, _) = app.guest().await;
    org(&app, &t, "taken").await;
    let resp = call(
        &app,
        Method::POST,
        "/api/v1/orgs",
        Some(&t),
        Some(json!({"name": "B", "slug": "taken"})),
    )
    .await;
    assert_catalog(resp, ErrorCode::OrgSlugConflict).await;
}

#[tokio::test]
async fn catalog_project_slug_conflict() {
    let app = spawn_app().await;
    let (t, _, _) = app.guest().await;
    org(&app, &t, "psc-org").await;
    let body = json!({"name": "P", "slug": "same"});
    assert_eq!(
        call(
            &app,
            Method::POST,
            "/api/v1/orgs/psc-org/projects",
            Some(&t),
            Some(body.clone())
        )
        .await
        .status(),
        201
    );
    let resp = call(
        &app,
        Method::POST,
        "/api/v1/orgs/psc-org/projects",
        Some(&t),
        Some(body),
    )
    .await;
    assert_catalog(resp, ErrorCode::ProjectSlugConflict).await;
}

#[tokio::test]
async fn catalog_last_owner() {
    let app = spawn_app().await;
    let (t, user, _) = app.guest().await;
    org(&app, &t, "lo-org").await;
    let path = format!("/api/v1/orgs/lo-org/members/{}", user.id);
    assert_catalog(
        call(&app, Method::DELETE, &path, Some(&t), None).await,
        ErrorCode::LastOwner,
    )
    .await;
}

#[tokio::test]
async fn catalog_config_not_found() {
    let app = spawn_app().await;
    let t = admin_token("ops");
    assert_catalog(
        call(&app, Method::GET, "/api/v1/configs/NOPE", Some(&t), None).await,
        ErrorCode::ConfigNotFound,
    )
    .await;
}

#[tokio::test]
async fn catalog_invalid_config_key() {
    let app = spawn_app().await;
    let resp = call(
        &app,
        Method::PUT,
        "/api/v1/configs/_bad",
        Some(&admin_token("ops")),
        Some(json!({"value": "1"})),
    )
    .await;
    assert_catalog(resp, ErrorCode::InvalidConfigKey).await;
}

#[tokio::test]
async fn catalog_invalid_config_value() {
    let app = spawn_app().await;
    let resp = call(
        &app,
        Method::PUT,
        "/api/v1/configs/LOG_LEVEL",
        Some(&admin_token("ops")),
        Some(json!({"value": "loud"})),
    )
    .await;
    assert_catalog(resp, ErrorCode::InvalidConfigValue).await;
}

#[tokio::test]
async fn catalog_version_conflict() {
    let app = spawn_app().await;
    let admin = admin_token("ops");
    assert_eq!(
        call(
            &app,
            Method::PUT,
            "/api/v1/configs/K",
            Some(&admin),
            Some(json!({"value": "1"}))
        )
        .await
        .status(),
        200
    );
    let resp = app
        .http
        .put(app.url("/api/v1/configs/K"))
        .bearer_auth(&admin)
        .header("if-match", "7")
        .json(&json!({"value": "2"}))
        .send()
        .await
        .unwrap();
    assert_catalog(resp, ErrorCode::VersionConflict).await;
}

#[tokio::test]
async fn catalog_precondition_failed() {
    let app = spawn_app().await;
    let (token, _, client) = app.guest().await;
    let org = crate::helpers::create_org(&client, "Acme").await;
    let resp = app
        .http
        .put(app.url(&format!("/api/v1/orgs/{}", org.id)))
        .bearer_auth(&token)
        .header("if-match", "\"7\"")
        .json(&json!({"name": "Renamed"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["etag"], "\"1\"", "the current ETag");
    assert_catalog(resp, ErrorCode::PreconditionFailed).await;
}

#[tokio::test]
async fn catalog_idempotency_key_reused() {
    let app = spawn_app().await;
    let (token, _, _) = app.guest().await;
    let post = |name: &'static str| {
        app.http
            .post(app.url("/api/v1/orgs"))
            .bearer_auth(&token)
            .header("idempotency-key", "k-1")
            .json(&json!({ "name": name }))
            .send()
    };
    assert_eq!(post("First").await.unwrap().status(), 201);
    assert_catalog(
        post("Second").await.unwrap(),
        ErrorCode::IdempotencyKeyReused,
    )
    .await;
}

#[tokio::test]
async fn catalog_idempotency_in_progress() {
    let app = spawn_app().await;
    let (token, _, client) = app.guest().await;
    let org = crate::helpers::create_org(&client, "Acme").await;
    // The first request waits at its INSERT while this row is held.
    let holder = app.hold_row("organizations", org.id).await;
    let post = || {
        app.http
            .post(app.url(&format!("/api/v1/orgs/{}/projects", org.id)))
            .bearer_auth(&token)
            .header("idempotency-key", "k-2")
            .json(&json!({ "name": "Website" }))
            .send()
    };
    let first = tokio::spawn(post());
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_catalog(post().await.unwrap(), ErrorCode::IdempotencyInProgress).await;
    holder.release().await;
    assert_eq!(first.await.unwrap().unwrap().status(), 201);
}

#[tokio::test]
async fn catalog_rate_limit_exceeded() {
    let app = spawn_app_with(&[("GUEST_SIGNIN_RATE_LIMIT_PER_MINUTE", "1")]).await;
    let first = call(&app, Method::POST, "/api/v1/auth/guest", None, None).await;
    let resp = if first.status() == 201 {
        call(&app, Method::POST, "/api/v1/auth/guest", None, None).await
    } else {
        first
    };
    assert_catalog(resp, ErrorCode::RateLimitExceeded).await;
}

#[tokio::test]
async fn catalog_service_unavailable() {
    // PostgreSQL out of reach (a cut proxy); Redis being down is not a 503.
    let (app, proxy) = crate::helpers::spawn_app_behind_db_proxy().await;
    proxy.cut();
    assert_catalog(
        call(&app, Method::POST, "/api/v1/auth/guest", None, None).await,
        ErrorCode::ServiceUnavailable,
    )
    .await;
}

#[tokio::test]
async fn catalog_resource_busy() {
    // Another transaction holds the organization's membership lock longer
    // than DATABASE_LOCK_TIMEOUT_MS.
    let app = crate::helpers::spawn_app_with(&[("DATABASE_LOCK_TIMEOUT_MS", "200")]).await;
    let (t, _, client) = app.guest().await;
    let org = crate::helpers::create_org(&client, "Busy").await;
    let (_, other, _) = app.guest().await;
    let mut holder = app.admin().await;
    sqlx::query("BEGIN").execute(&mut holder).await.unwrap();
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1::text, 0))")
        .bind(org.id)
        .execute(&mut holder)
        .await
        .unwrap();
    let resp = call(
        &app,
        Method::PUT,
        &format!("/api/v1/orgs/{}/members/{}", org.slug, other.id),
        Some(&t),
        Some(json!({"role": "member"})),
    )
    .await;
    assert!(resp.headers().contains_key("retry-after"));
    assert_catalog(resp, ErrorCode::ResourceBusy).await;
}

#[tokio::test]
async fn catalog_internal_error() {
    let app = spawn_app().await;
    let (t, _, _) = app.guest().await;
    let mut admin = app.admin().await;
    sqlx::query("ALTER TABLE organizations RENAME TO organizations_gone")
        .execute(&mut admin)
        .await
        .unwrap();
    assert_catalog(
        call(&app, Method::GET, "/api/v1/orgs", Some(&t), None).await,
        ErrorCode::InternalError,
    )
    .await;
}

#[test]
fn every_catalog_code_has_a_test_here() {
    let source = include_str!("catalog.rs");
    for code in ErrorCode::ALL {
        let test = format!("async fn catalog_{}()", code.as_str().to_lowercase());
        assert!(
            source.contains(&test),
            "no test triggers {code}: add `{test}`"
        );
    }
}
