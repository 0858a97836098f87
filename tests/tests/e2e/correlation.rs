//! The caller's correlation headers on the real binary's log lines: a valid
//! `X-Request-Id` and `traceparent` are on every line of the request, a
//! hostile one on none (telemetry::correlation).

use backend_e2e::spawn::Backend;
use serde_json::Value;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

fn traceparent() -> String {
    format!("00-{TRACE_ID}-00f067aa0ba902b7-01")
}

/// The log lines of the request `request_id`, once its last one is out.
async fn lines_of(backend: &Backend, request_id: &str) -> Vec<Value> {
    backend_e2e::logs::lines_of_request(|| backend.log(), request_id).await
}

/// Sends GET `path` with the two headers; returns the response's request id
/// and its body.
async fn get(
    backend: &Backend,
    token: &str,
    path: &str,
    request_id: &str,
    traceparent: &str,
) -> (String, Value) {
    let resp = reqwest::Client::new()
        .get(format!("{}{path}", backend.base_url))
        .bearer_auth(token)
        .header("x-request-id", request_id)
        .header("traceparent", traceparent)
        .send()
        .await
        .unwrap();
    let id = resp.headers()["x-request-id"].to_str().unwrap().to_owned();
    (id, resp.json().await.unwrap())
}

#[tokio::test]
async fn a_valid_request_id_and_traceparent_are_on_every_line_of_the_request() {
    if std::env::var("BACKEND_URL").is_ok() {
        return; // reads the process's own log
    }
    let backend = Backend::start(&[("LOG_LEVEL", "debug")]).await;
    let signin = backend.client().auth_guest().await.unwrap().into_inner();
    let token = &signin.access_token;
    // A handler's error (its own lines and dropshot's) and a router error
    // (dropshot's line only).
    for (path, code) in [
        ("/api/v1/orgs/no-such-org", "ORG_NOT_FOUND"),
        ("/api/v1/nope", ""),
    ] {
        let (id, body) = get(&backend, token, path, "abc-123", &traceparent()).await;
        assert_eq!(
            body["request_id"],
            id.as_str(),
            "the envelope names the response's id"
        );
        if !code.is_empty() {
            assert_eq!(body["error"], code);
        }
        let lines = lines_of(&backend, &id).await;
        if !code.is_empty() {
            assert!(
                lines.iter().any(|l| l["msg"] == "request rejected"),
                "the handler's own line is there too: {lines:?}"
            );
        }
        for line in &lines {
            assert_eq!(line["ingress_request_id"], "abc-123", "{line}");
            assert_eq!(line["trace_id"], TRACE_ID, "{line}");
            assert!(line.get("hdr_x_request_id").is_none(), "{line}");
        }
    }
}

#[tokio::test]
async fn hostile_correlation_headers_are_never_logged() {
    if std::env::var("BACKEND_URL").is_ok() {
        return;
    }
    let backend = Backend::start(&[("LOG_LEVEL", "debug")]).await;
    let signin = backend.client().auth_guest().await.unwrap().into_inner();
    let too_long = format!("long{}", "x".repeat(200));
    for hostile in [too_long.as_str(), "quote\"d-id", "spaced id", "semi;colon"] {
        let bad_parent = format!("{}-{hostile}", traceparent());
        let (id, _) = get(
            &backend,
            &signin.access_token,
            "/api/v1/orgs/no-such-org",
            hostile,
            &bad_parent,
        )
        .await;
        assert_ne!(id, hostile, "the response keeps the server's own id");
        for line in lines_of(&backend, &id).await {
            assert_eq!(line["ingress_request_id_invalid"], true, "{line}");
            assert!(line.get("ingress_request_id").is_none(), "{line}");
            assert!(line.get("trace_id").is_none(), "{line}");
        }
        assert!(!backend.log().contains(hostile), "{hostile:?} was logged");
    }

    // A folded header line (a value spread over two lines) does not reach the
    // server at all: hyper refuses the request before anything is logged.
    let address = backend.base_url.trim_start_matches("http://").to_owned();
    let mut tcp = tokio::net::TcpStream::connect(address).await.unwrap();
    tcp.write_all(
        b"GET /health HTTP/1.1\r\nHost: x\r\nX-Request-Id: abc\r\n folded-marker\r\n\r\n",
    )
    .await
    .unwrap();
    let mut answer = vec![0; 64];
    let n = tcp.read(&mut answer).await.unwrap();
    assert!(
        String::from_utf8_lossy(&answer[..n]).starts_with("HTTP/1.1 400"),
        "{}",
        String::from_utf8_lossy(&answer[..n])
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!backend.log().contains("folded-marker"));
}
