//! The HTTP front (`HTTP_FRONT=on`, `server/src/front/`): the caller's
//! request id is the request's, every error dropshot's router answers is in
//! the envelope, and what passes through arrives unchanged, from the right
//! client, and is drained on shutdown.

use super::helpers::*;
use serde_json::Value;
use std::time::Duration;

const FRONT: (&str, &str) = ("HTTP_FRONT", "on");
const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

/// Status, body, `x-request-id` and `Allow` of a response.
async fn parts(resp: reqwest::Response) -> (u16, Value, String, Option<String>) {
    let status = resp.status().as_u16();
    // Every line of the field (dropshot sends one `Allow` per method).
    let header = |name: &str| {
        let lines: Vec<&str> = resp
            .headers()
            .get_all(name)
            .iter()
            .map(|v| v.to_str().unwrap())
            .collect();
        (!lines.is_empty()).then(|| lines.join(", "))
    };
    let id = header("x-request-id").expect("every response has x-request-id");
    let allow = header("allow");
    let body = resp.json().await.expect("a JSON body");
    (status, body, id, allow)
}

#[tokio::test]
async fn the_callers_request_id_is_the_requests_id_in_the_header_the_envelope_and_every_line() {
    let captured = Captured::default();
    let app = spawn_app_logging_to(&[FRONT], &captured, "debug").await;
    let (token, _, _) = app.guest().await;
    let traceparent = format!("00-{TRACE_ID}-00f067aa0ba902b7-01");
    // A handler's error, a router error, and a success.
    for (path, status, code) in [
        (
            format!("/api/v1/orgs/{}", uuid::Uuid::new_v4()),
            404,
            Some("ORG_NOT_FOUND"),
        ),
        ("/api/v1/nope".to_owned(), 404, Some("NOT_FOUND")),
        ("/api/v1/orgs".to_owned(), 200, None),
    ] {
        let id = format!("abc-123.{}", uuid::Uuid::new_v4().simple());
        let resp = app
            .http
            .get(app.url(&path))
            .bearer_auth(&token)
            .header("x-request-id", &id)
            .header("traceparent", &traceparent)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), status, "{path}");
        assert_eq!(resp.headers()["x-request-id"], id.as_str(), "{path}");
        let body: Value = resp.json().await.unwrap();
        if let Some(code) = code {
            assert_eq!(body["error"], code, "{path}: {body}");
            assert_eq!(body["request_id"], id.as_str(), "{path}: {body}");
        }
        let lines =
            backend_e2e::logs::lines_where(|| captured.text(), "ingress_request_id", &id).await;
        let req_id = lines[0]["req_id"].clone();
        let all: Vec<Value> = captured
            .text()
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter(|l| l["req_id"] == req_id)
            .collect();
        assert_eq!(all.len(), lines.len(), "every line of {path} names {id}");
        for line in &lines {
            assert_eq!(line["trace_id"], TRACE_ID, "{line}");
        }
    }
}

#[tokio::test]
async fn a_hostile_request_id_is_replaced_by_the_servers_own() {
    let app = spawn_app_with(&[FRONT]).await;
    let too_long = "x".repeat(129);
    for hostile in [
        too_long.as_str(),
        "quote\"d",
        "spaced id",
        "semi;colon",
        "tab\tid",
        "",
    ] {
        let resp = app
            .http
            .get(app.url("/api/v1/nope"))
            .header("x-request-id", hostile)
            .send()
            .await
            .unwrap();
        let (status, body, id, _) = parts(resp).await;
        assert_eq!(status, 404);
        assert_ne!(id, hostile);
        assert!(uuid::Uuid::try_parse(&id).is_ok(), "the server's own: {id}");
        assert_eq!(body["request_id"], id.as_str(), "{body}");
        assert_eq!(body["error"], "NOT_FOUND", "{body}");
    }
}

#[tokio::test]
async fn every_error_of_the_router_is_in_the_envelope_with_a_catalog_code() {
    let app = spawn_app_with(&[FRONT]).await;
    let foo = reqwest::Method::from_bytes(b"FOO").unwrap();
    for (method, path, status, code) in [
        (reqwest::Method::GET, "/no/such/route", 404, "NOT_FOUND"),
        (reqwest::Method::DELETE, "/api/v1/nope", 404, "NOT_FOUND"),
        (
            reqwest::Method::GET,
            "/api/v1/orgs/%ff",
            400,
            "VALIDATION_ERROR",
        ),
        (foo, "/api/v1/orgs", 405, "METHOD_NOT_ALLOWED"),
        // The fallbacks' own 405 stays as it was.
        (
            reqwest::Method::PATCH,
            "/api/v1/orgs",
            405,
            "METHOD_NOT_ALLOWED",
        ),
    ] {
        let resp = app
            .http
            .request(method.clone(), app.url(path))
            .send()
            .await
            .unwrap();
        let (got, body, id, allow) = parts(resp).await;
        assert_eq!(got, status, "{method} {path}: {body}");
        assert_eq!(body["error"], code, "{method} {path}: {body}");
        assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
        assert_eq!(body["request_id"], id.as_str());
        let code = backend_api::error::ErrorCode::from_wire(code).expect("a catalog code");
        assert_eq!(code.status(), status, "the catalog's status for {code}");
        if status == 405 {
            let allow = allow.expect("a 405 has Allow");
            let listed: Vec<&str> = allow.split(',').map(str::trim).collect();
            assert_eq!(body["details"]["allowed"], serde_json::json!(listed));
            assert!(
                listed.contains(&"GET") && listed.contains(&"POST"),
                "{allow}"
            );
        }
    }
}

#[tokio::test]
async fn what_passes_through_arrives_unchanged() {
    let app = spawn_app_with(&[FRONT]).await;
    let (token, _, _) = app.guest().await;
    // A large body, byte for byte.
    let document = app.http.get(app.url("/openapi.json")).send().await.unwrap();
    assert_eq!(document.status(), 200);
    assert_eq!(
        document.text().await.unwrap(),
        backend_api::openapi_document().to_string()
    );
    // A request body sent in chunks, of unknown length.
    let chunks = vec![
        Ok::<_, std::io::Error>(br#"{"name": "#.to_vec()),
        Ok(br#""Chunked Org"}"#.to_vec()),
    ];
    let resp = app
        .http
        .post(app.url("/api/v1/orgs"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(futures::stream::iter(chunks)))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let org: Value = resp.json().await.unwrap();
    assert_eq!(org["name"], "Chunked Org");
    let path = format!("/api/v1/orgs/{}", org["id"].as_str().unwrap());
    let read = |method: reqwest::Method, if_none_match: Option<String>| {
        let mut request = app.http.request(method, app.url(&path)).bearer_auth(&token);
        if let Some(etag) = if_none_match {
            request = request.header("if-none-match", etag);
        }
        request.send()
    };
    let resp = read(reqwest::Method::GET, None).await.unwrap();
    assert_eq!(resp.status(), 200);
    let etag = resp.headers()["etag"].to_str().unwrap().to_owned();
    // A conditional read and a HEAD: the headers and the empty bodies.
    let resp = read(reqwest::Method::GET, Some(etag.clone()))
        .await
        .unwrap();
    assert_eq!(resp.status(), 304);
    assert_eq!(resp.headers()["etag"], etag.as_str());
    assert!(resp.bytes().await.unwrap().is_empty());
    let resp = read(reqwest::Method::HEAD, None).await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.headers().contains_key("content-length"));
    assert!(resp.bytes().await.unwrap().is_empty());
    // An error the handler sends keeps its headers.
    let resp = app.http.get(app.url(&path)).send().await.unwrap();
    assert_eq!(resp.status(), 401);
    assert_eq!(resp.headers()["www-authenticate"], "Bearer");
    // Many requests on one kept-alive connection.
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(1)
        .build()
        .unwrap();
    for _ in 0..50 {
        let resp = client.get(app.url("/health")).send().await.unwrap();
        assert_eq!(resp.status(), 200);
    }
}

#[tokio::test]
async fn the_rate_limit_sees_the_client_not_the_front() {
    let app = spawn_app_with(&[FRONT, ("GUEST_SIGNIN_RATE_LIMIT_PER_MINUTE", "2")]).await;
    within_one_rate_window(55).await;
    let sign_in = |ip: &str, forged: &str| {
        let http = reqwest::Client::builder()
            .local_address(ip.parse::<std::net::IpAddr>().unwrap())
            .build()
            .unwrap();
        http.post(app.url("/api/v1/auth/guest"))
            .header("x-forwarded-for", forged)
            .send()
    };
    assert_eq!(
        sign_in("127.0.0.1", "198.51.100.1").await.unwrap().status(),
        201
    );
    assert_eq!(
        sign_in("127.0.0.1", "198.51.100.2").await.unwrap().status(),
        201
    );
    // A header the client wrote buys no fresh bucket.
    assert_eq!(
        sign_in("127.0.0.1", "198.51.100.3").await.unwrap().status(),
        429
    );
    // Another client, seen through the same front, has its own.
    assert_eq!(
        sign_in("127.0.0.2", "198.51.100.1").await.unwrap().status(),
        201
    );
}

#[tokio::test]
async fn shutdown_lets_a_request_in_flight_through_the_front_finish() {
    let db = backend_e2e::testenv::fresh_database(migrate).await;
    let redis_url = backend_e2e::testenv::redis_url().await;
    let application = build(settings(
        &db,
        &redis_url,
        &[
            FRONT,
            ("SHUTDOWN_GRACE_SECONDS", "10"),
            ("DATABASE_LOCK_TIMEOUT_MS", "5000"),
        ],
    ))
    .await
    .expect("server starts");
    let address = format!("http://{}", application.local_addr());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(application.run_until(async {
        let _ = stopped.await;
    }));
    let app = TestApp {
        client: backend_client::Client::new(&address),
        http: reqwest::Client::new(),
        address,
        db,
    };
    let (token, _, client) = app.guest().await;
    let org = create_org(&client, "Drained").await;
    // The new project waits at its INSERT for the organization's row, and
    // is in flight when shutdown begins.
    let holder = app.hold_row("organizations", org.id).await;
    let create = tokio::spawn({
        let request = app
            .http
            .post(app.url(&format!("/api/v1/orgs/{}/projects", org.id)))
            .bearer_auth(&token)
            .json(&serde_json::json!({"name": "Website"}));
        async move { request.send().await }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.send(()).unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    holder.release().await;
    let resp = create
        .await
        .unwrap()
        .expect("the request in flight is answered");
    assert_eq!(resp.status(), 201);
    let project: Value = resp.json().await.unwrap();
    assert_eq!(project["name"], "Website");
    tokio::time::timeout(Duration::from_secs(10), running)
        .await
        .expect("shutdown ends")
        .unwrap()
        .expect("a clean shutdown");
    assert!(
        reqwest::get(app.url("/health")).await.is_err(),
        "nothing listens after shutdown"
    );
}
