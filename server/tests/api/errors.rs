//! Every error class produces the envelope with the right status, and the
//! request id in the body equals the `x-request-id` header.

use crate::helpers::{TestApp, create_org, spawn_app, spawn_app_with};
use backend_client::types::ErrorCode;

async fn envelope(resp: reqwest::Response) -> (u16, serde_json::Value, String) {
    let status = resp.status().as_u16();
    let header = resp.headers()["x-request-id"].to_str().unwrap().to_owned();
    let body: serde_json::Value = resp.json().await.expect("JSON body");
    (status, body, header)
}

async fn post_orgs(
    app: &TestApp,
    token: &str,
    content_type: &str,
    body: Vec<u8>,
) -> reqwest::Response {
    app.http
        .post(app.url("/api/v1/orgs"))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn unparsable_json_is_400_malformed_json_with_the_request_id() {
    let app = spawn_app().await;
    let (token, _, _) = app.guest().await;
    let (status, body, header) =
        envelope(post_orgs(&app, &token, "application/json", b"{\"name\": ".to_vec()).await).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "MALFORMED_JSON");
    assert_eq!(body["request_id"], header);
    assert!(!header.is_empty());
}

#[tokio::test]
async fn a_body_of_the_wrong_shape_is_400_validation_error_naming_the_field() {
    let app = spawn_app().await;
    let (token, _, _) = app.guest().await;
    let (status, body, header) = envelope(
        post_orgs(
            &app,
            &token,
            "application/json",
            br#"{"name": 42}"#.to_vec(),
        )
        .await,
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "VALIDATION_ERROR");
    assert_eq!(body["details"]["field"], "name");
    assert_eq!(body["request_id"], header);
    let (_, body, _) = envelope(
        post_orgs(
            &app,
            &token,
            "application/json",
            br#"{"nam": "x"}"#.to_vec(),
        )
        .await,
    )
    .await;
    assert_eq!(
        body["error"], "VALIDATION_ERROR",
        "unknown fields are rejected: {body}"
    );
}

#[tokio::test]
async fn a_bad_path_or_query_parameter_is_400_validation_error() {
    let app = spawn_app().await;
    let (token, _, _) = app.guest().await;
    let resp = app
        .http
        .get(app.url("/api/v1/projects/not-a-uuid"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let (status, body, header) = envelope(resp).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("VALIDATION_ERROR"))
    );
    assert_eq!(body["request_id"], header);
    let resp = app
        .http
        .get(app.url("/api/v1/orgs?limit=abc"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(envelope(resp).await.1["error"], "VALIDATION_ERROR");
    let err = app
        .client_with(&token)
        .org_list(Some(std::num::NonZeroU32::new(101).unwrap()), None)
        .await
        .unwrap_err();
    assert_eq!(
        backend_client::error_code(&err),
        Some(ErrorCode::ValidationError)
    );
}

#[tokio::test]
async fn an_oversized_body_is_413_payload_too_large() {
    let app = spawn_app_with(&[("REQUEST_BODY_MAX_BYTES", "1024")]).await;
    let (token, _, _) = app.guest().await;
    let big = format!(r#"{{"name": "{}"}}"#, "x".repeat(4096)).into_bytes();
    let (status, body, header) =
        envelope(post_orgs(&app, &token, "application/json", big).await).await;
    assert_eq!(status, 413);
    assert_eq!(body["error"], "PAYLOAD_TOO_LARGE");
    assert_eq!(body["request_id"], header);
}

#[tokio::test]
async fn a_non_json_content_type_is_415() {
    let app = spawn_app().await;
    let (token, _, _) = app.guest().await;
    let (status, body, _) =
        envelope(post_orgs(&app, &token, "text/plain", b"name=x".to_vec()).await).await;
    assert_eq!(status, 415);
    assert_eq!(body["error"], "UNSUPPORTED_MEDIA_TYPE");
}

#[tokio::test]
async fn an_unknown_route_is_answered_by_the_router_a_missing_method_by_the_api() {
    let app = spawn_app().await;
    let resp = app.http.get(app.url("/api/v1/nope")).send().await.unwrap();
    let (status, body, header) = envelope(resp).await;
    assert_eq!(status, 404);
    assert_eq!(
        body["request_id"], header,
        "router errors carry the request id too"
    );
    assert!(body.get("error").is_none(), "dropshot's shape: {body}");
    // A segment that does not decode to UTF-8 is refused by the router too
    // (the note on router errors in the catalog says so).
    let resp = app
        .http
        .get(app.url("/api/v1/orgs/%ff"))
        .send()
        .await
        .unwrap();
    let (status, body, _) = envelope(resp).await;
    assert_eq!(status, 400);
    assert!(body.get("error").is_none(), "dropshot's shape: {body}");
    let resp = app
        .http
        .patch(app.url("/api/v1/orgs"))
        .send()
        .await
        .unwrap();
    let (status, body, header) = envelope(resp).await;
    assert_eq!(status, 405);
    assert_eq!(body["error"], "METHOD_NOT_ALLOWED", "{body}");
    assert_eq!(body["request_id"], header);
}

#[tokio::test]
async fn an_unreachable_database_is_503_with_retry_after() {
    use backend_e2e::proxy::{Proxy, upstream_of};
    let mut db = backend_e2e::testenv::fresh_database(crate::helpers::migrate).await;
    // PostgreSQL behind a proxy that we cut, like a network outage.
    let proxy = Proxy::start(upstream_of(&db.app_url, 5432)).await;
    db.app_url = proxy.url_through(&db.app_url);
    let redis = backend_e2e::testenv::redis_url().await;
    let app = crate::helpers::spawn_on(db, redis, &[]).await;
    let (token, _, _) = app.guest().await;
    proxy.cut();
    let started = std::time::Instant::now();
    let resp = app
        .http
        .get(app.url("/api/v1/orgs"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "fails fast, never hangs"
    );
    assert_eq!(resp.status(), 503);
    assert!(resp.headers().contains_key("retry-after"));
    let (_, body, header) = envelope(resp).await;
    assert_eq!(body["error"], "SERVICE_UNAVAILABLE");
    assert_eq!(body["request_id"], header);
}

#[tokio::test]
async fn an_unexpected_database_fault_is_500_without_internals() {
    let app = spawn_app().await;
    let (token, _, client) = app.guest().await;
    let org = create_org(&client, "Acme").await;
    let mut admin = app.admin().await;
    sqlx::query("ALTER TABLE projects RENAME TO projects_gone")
        .execute(&mut admin)
        .await
        .unwrap();
    let resp = app
        .http
        .get(app.url(&format!("/api/v1/orgs/{}/projects", org.id)))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let (status, body, header) = envelope(resp).await;
    assert_eq!(status, 500);
    assert_eq!(body["error"], "INTERNAL_ERROR");
    assert_eq!(body["message"], "internal error");
    assert_eq!(body["request_id"], header);
    let text = body.to_string();
    for leak in ["projects", "relation", "SELECT", "sqlx", "panicked"] {
        assert!(!text.contains(leak), "error body leaks {leak:?}: {text}");
    }
}

/// What the server answers on a connection, for raw `request` bytes: the
/// whole reply, up to the server closing it.
async fn raw_exchange(app: &TestApp, request: &[u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = app.address.trim_start_matches("http://").to_owned();
    let mut tcp = tokio::net::TcpStream::connect(address).await.unwrap();
    // The server may answer (and close) before it has read everything.
    let _ = tcp.write_all(request).await;
    let mut reply = Vec::new();
    let read = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        tcp.read_to_end(&mut reply),
    )
    .await;
    assert!(read.is_ok(), "the server closes the connection");
    String::from_utf8_lossy(&reply).into_owned()
}

/// Below the router, hyper refuses what does not parse as HTTP/1.1 with a
/// bare status, no body and no request id, and closes the connection (the
/// catalog's note on router errors says so).
#[tokio::test]
async fn a_request_that_is_not_http_gets_a_bare_status_from_hyper() {
    let app = spawn_app().await;
    let huge = format!(
        "GET /health HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
        "a".repeat(1 << 20)
    );
    for (request, status) in [
        (&b"NOT HTTP AT ALL\r\n\r\n"[..], 400),
        (
            &b"GET /health HTTP/1.1\r\nHost: x\r\nX-Request-Id: abc\r\n folded\r\n\r\n"[..],
            400,
        ),
        (huge.as_bytes(), 431),
    ] {
        let reply = raw_exchange(&app, request).await;
        let (head, body) = reply.split_once("\r\n\r\n").expect("a reply head");
        assert!(head.starts_with(&format!("HTTP/1.1 {status} ")), "{head}");
        assert!(body.is_empty(), "no body: {body:?}");
        assert!(
            !head.to_ascii_lowercase().contains("x-request-id"),
            "no request id: {head}"
        );
    }
}
