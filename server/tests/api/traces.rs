//! Spans over OTLP: a receiver here decodes what the server's exporter sends
//! (the real OTLP/HTTP protobuf, `ExportTraceServiceRequest`), and the spans
//! of one org read must carry the caller's trace id with the right links.

use super::helpers::*;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::trace::v1::Span;
use prost::Message;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// An OTLP/HTTP receiver on a free port: every span of every export, and the
/// paths they were posted to.
struct Receiver {
    url: String,
    spans: Arc<Mutex<Vec<Span>>>,
    paths: Arc<Mutex<Vec<String>>>,
}

async fn receiver() -> Receiver {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let spans = Arc::new(Mutex::new(Vec::new()));
    let paths = Arc::new(Mutex::new(Vec::new()));
    let (s, p) = (spans.clone(), paths.clone());
    tokio::spawn(async move {
        loop {
            let (mut sock, _) = listener.accept().await.unwrap();
            let (spans, paths) = (s.clone(), p.clone());
            tokio::spawn(async move {
                let mut buf = Vec::new();
                loop {
                    // One HTTP/1.1 request: the head, then Content-Length bytes.
                    let head_end = loop {
                        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                            break i + 4;
                        }
                        let mut chunk = [0u8; 8192];
                        match sock.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    };
                    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
                    let length: usize = head
                        .lines()
                        .find_map(|l| {
                            let (k, v) = l.split_once(':')?;
                            k.eq_ignore_ascii_case("content-length")
                                .then(|| v.trim().parse().ok())?
                        })
                        .unwrap_or(0);
                    while buf.len() < head_end + length {
                        let mut chunk = [0u8; 8192];
                        match sock.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    }
                    let body: Vec<u8> = buf.drain(..head_end + length).skip(head_end).collect();
                    let path = head
                        .split_whitespace()
                        .nth(1)
                        .unwrap_or_default()
                        .to_owned();
                    paths.lock().unwrap().push(path);
                    let request = ExportTraceServiceRequest::decode(body.as_slice())
                        .expect("the export is OTLP protobuf");
                    for resource in request.resource_spans {
                        for scope in resource.scope_spans {
                            spans.lock().unwrap().extend(scope.spans);
                        }
                    }
                    let reply = "HTTP/1.1 200 OK\r\ncontent-type: application/x-protobuf\r\ncontent-length: 0\r\n\r\n";
                    if sock.write_all(reply.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    Receiver { url, spans, paths }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test]
async fn the_spans_of_an_org_read_arrive_over_otlp_under_the_callers_trace() {
    let otlp = receiver().await;
    let app = spawn_app_with(&[("OTEL_EXPORTER_OTLP_ENDPOINT", &otlp.url)]).await;
    let (token, _, guest) = app.guest().await;
    let org = create_org(&guest, "Traced").await;
    let trace_id = uuid::Uuid::new_v4().simple().to_string();
    let caller_span = &uuid::Uuid::new_v4().simple().to_string()[..16];
    let resp = app
        .http
        .get(app.url(&format!("/api/v1/orgs/{}", org.slug)))
        .bearer_auth(&token)
        .header("traceparent", format!("00-{trace_id}-{caller_span}-01"))
        .header("tracestate", "vendor=opaque")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);

    // The batch exporter sends every few seconds (OTEL_BSP_SCHEDULE_DELAY).
    let started = Instant::now();
    let (request, statement) = loop {
        let spans: Vec<Span> = otlp
            .spans
            .lock()
            .unwrap()
            .iter()
            .filter(|s| hex(&s.trace_id) == trace_id)
            .cloned()
            .collect();
        let request = spans.iter().find(|s| s.name == "org_get").cloned();
        let statement = spans.iter().find(|s| s.name == "postgresql").cloned();
        if let (Some(r), Some(s)) = (&request, &statement) {
            break (r.clone(), s.clone());
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no spans of the read under trace {trace_id}: {spans:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(
        hex(&request.parent_span_id),
        caller_span,
        "the caller's span is the parent"
    );
    assert_eq!(request.kind, 2, "SPAN_KIND_SERVER");
    assert_eq!(request.trace_state, "vendor=opaque");
    assert_eq!(
        statement.parent_span_id, request.span_id,
        "the statement is the read's child"
    );
    assert_eq!(statement.kind, 3, "SPAN_KIND_CLIENT");
    let text = statement
        .attributes
        .iter()
        .find(|a| a.key == "db.query.text")
        .and_then(|a| a.value.as_ref())
        .map(|v| format!("{v:?}"))
        .unwrap_or_default();
    assert!(text.contains("app_org_read"), "{text}");
    assert!(
        !text.contains(&org.slug),
        "no values in the statement text: {text}"
    );
    assert!(
        otlp.paths.lock().unwrap().iter().all(|p| p == "/v1/traces"),
        "OTLP/HTTP's traces path"
    );

    // A request without a traceparent starts a trace of its own.
    guest.org_get(&org.slug, None).await.unwrap();
    let started = Instant::now();
    loop {
        let fresh = otlp
            .spans
            .lock()
            .unwrap()
            .iter()
            .filter(|s| s.name == "org_get" && hex(&s.trace_id) != trace_id)
            .any(|s| s.parent_span_id.is_empty());
        if fresh {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "no root span");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_malformed_traceparent_starts_a_new_trace() {
    let otlp = receiver().await;
    let app = spawn_app_with(&[("OTEL_EXPORTER_OTLP_ENDPOINT", &otlp.url)]).await;
    let (token, _, _) = app.guest().await;
    let bad_trace = "0af7651916cd43dd8448eb211c80319c";
    for hostile in [
        format!("00-{bad_trace}-zzzzzzzzzzzzzzzz-01"),
        "00-00000000000000000000000000000000-b7ad6b7169203331-01".to_owned(),
        format!("00-{bad_trace}-b7ad6b7169203331-01\"; drop"),
    ] {
        let resp = app
            .http
            .get(app.url("/api/v1/auth/me"))
            .bearer_auth(&token)
            .header("traceparent", hostile)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
    }
    let started = Instant::now();
    loop {
        let spans: Vec<Span> = otlp
            .spans
            .lock()
            .unwrap()
            .iter()
            .filter(|s| s.name == "auth_me")
            .cloned()
            .collect();
        if spans.len() == 3 {
            for span in &spans {
                assert!(
                    span.parent_span_id.is_empty(),
                    "no parent from a bad header"
                );
                assert_ne!(hex(&span.trace_id), bad_trace);
            }
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "{spans:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_guest_sign_in_has_its_redis_command_and_its_transaction_as_children() {
    let otlp = receiver().await;
    let app = spawn_app_with(&[("OTEL_EXPORTER_OTLP_ENDPOINT", &otlp.url)]).await;
    let trace_id = uuid::Uuid::new_v4().simple().to_string();
    let caller_span = &uuid::Uuid::new_v4().simple().to_string()[..16];
    let resp = app
        .http
        .post(app.url("/api/v1/auth/guest"))
        .header("traceparent", format!("00-{trace_id}-{caller_span}-01"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let started = Instant::now();
    loop {
        let spans: Vec<Span> = otlp
            .spans
            .lock()
            .unwrap()
            .iter()
            .filter(|s| hex(&s.trace_id) == trace_id)
            .cloned()
            .collect();
        let request = spans.iter().find(|s| s.name == "auth_guest");
        let detail = |span: &Span, key: &str| {
            span.attributes
                .iter()
                .find(|a| a.key == key)
                .and_then(|a| a.value.as_ref())
                .map(|v| format!("{v:?}"))
                .unwrap_or_default()
        };
        if let Some(request) = request {
            let children: Vec<&Span> = spans
                .iter()
                .filter(|s| s.parent_span_id == request.span_id)
                .collect();
            let incr = children
                .iter()
                .any(|s| s.name == "redis" && detail(s, "db.operation.name").contains("INCR"));
            let begin = children.iter().any(|s| {
                s.name == "postgresql" && detail(s, "db.query.text").contains("app_begin")
            });
            let commit = children
                .iter()
                .any(|s| s.name == "postgresql" && detail(s, "db.query.text").contains("COMMIT"));
            if incr && begin && commit {
                break;
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the sign-in's spans under {trace_id}: {spans:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
