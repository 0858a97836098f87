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

/// A span attribute's value, as text (empty when the span lacks it).
fn attribute(span: &Span, key: &str) -> String {
    span.attributes
        .iter()
        .find(|a| a.key == key)
        .and_then(|a| a.value.as_ref())
        .map(|v| format!("{v:?}"))
        .unwrap_or_default()
}

/// A caller's trace: a fresh trace id and span id, and the `traceparent`
/// that names them.
struct Caller {
    trace_id: String,
    span_id: String,
}

impl Caller {
    fn new() -> Caller {
        Caller {
            trace_id: uuid::Uuid::new_v4().simple().to_string(),
            span_id: uuid::Uuid::new_v4().simple().to_string()[..16].to_owned(),
        }
    }

    fn traceparent(&self) -> String {
        format!("00-{}-{}-01", self.trace_id, self.span_id)
    }
}

impl Receiver {
    /// Polls the spans received so far until `found` picks what it waits for
    /// (the batch exporter sends every few seconds, OTEL_BSP_SCHEDULE_DELAY);
    /// fails after 20 s, naming `what` and showing the spans.
    async fn wait_for<T>(&self, what: &str, found: impl Fn(&[Span]) -> Option<T>) -> T {
        let started = Instant::now();
        loop {
            let spans = self.spans.lock().unwrap().clone();
            if let Some(value) = found(&spans) {
                return value;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "{what}: {spans:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

#[tokio::test]
async fn the_spans_of_an_org_read_arrive_over_otlp_under_the_callers_trace() {
    let otlp = receiver().await;
    let app = spawn_app_with(&[("OTEL_EXPORTER_OTLP_ENDPOINT", &otlp.url)]).await;
    let (token, _, guest) = app.guest().await;
    let org = create_org(&guest, "Traced").await;
    let caller = Caller::new();
    let (trace_id, caller_span) = (caller.trace_id.as_str(), caller.span_id.as_str());
    let resp = app
        .http
        .get(app.url(&format!("/api/v1/orgs/{}", org.slug)))
        .bearer_auth(&token)
        .header("traceparent", caller.traceparent())
        .header("tracestate", "vendor=opaque")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);

    let under_trace = |spans: &[Span], name: &str| {
        spans
            .iter()
            .find(|s| hex(&s.trace_id) == trace_id && s.name == name)
            .cloned()
    };
    let (request, statement) = otlp
        .wait_for(
            &format!("no spans of the read under trace {trace_id}"),
            |spans| {
                Some((
                    under_trace(spans, "org_get")?,
                    under_trace(spans, "postgresql")?,
                ))
            },
        )
        .await;
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
    let text = attribute(&statement, "db.query.text");
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
    otlp.wait_for("no root span", |spans| {
        spans
            .iter()
            .filter(|s| s.name == "org_get" && hex(&s.trace_id) != trace_id)
            .any(|s| s.parent_span_id.is_empty())
            .then_some(())
    })
    .await;
}

/// A request without a `traceparent` begins a trace whose id is the request
/// id's: the exported root span and every log line of the request, dropshot's
/// own `request completed` included, carry it.
#[tokio::test]
async fn a_trace_the_server_begins_is_on_every_line_of_its_request() {
    let otlp = receiver().await;
    let captured = Captured::default();
    let app = spawn_app_logging_to(
        &[("OTEL_EXPORTER_OTLP_ENDPOINT", &otlp.url)],
        &captured,
        "debug",
    )
    .await;
    let (token, _, _) = app.guest().await;
    let resp = app
        .http
        .get(app.url("/api/v1/orgs/no-such-org"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    let request_id = resp.headers()["x-request-id"].to_str().unwrap().to_owned();
    let trace_id = uuid::Uuid::parse_str(&request_id)
        .unwrap()
        .simple()
        .to_string();

    let lines = backend_e2e::logs::lines_of_request(|| captured.text(), &request_id).await;
    for msg in ["request rejected", "handler finished"] {
        assert!(lines.iter().any(|l| l["msg"] == msg), "{msg}: {lines:?}");
    }
    for line in &lines {
        assert_eq!(line["trace_id"], trace_id.as_str(), "{line}");
    }

    let root = otlp
        .wait_for(&format!("the org read's span under {trace_id}"), |spans| {
            spans
                .iter()
                .find(|s| s.name == "org_get" && hex(&s.trace_id) == trace_id)
                .cloned()
        })
        .await;
    assert!(root.parent_span_id.is_empty(), "a trace of its own");
}

/// The cursor pages of the caller's organizations and of an organization's
/// projects and members are one statement each on the read lane: one
/// `postgresql` span under the request, not a transaction's four or five.
#[tokio::test]
async fn the_cursor_pages_are_one_statement_each() {
    let otlp = receiver().await;
    let app = spawn_app_with(&[("OTEL_EXPORTER_OTLP_ENDPOINT", &otlp.url)]).await;
    let (token, _, guest) = app.guest().await;
    let org = create_org(&guest, "Paged").await;
    for (path, operation, function) in [
        (
            "/api/v2/orgs".to_owned(),
            "org_list_v2",
            "app_org_page_after",
        ),
        (
            format!("/api/v2/orgs/{}/projects", org.slug),
            "project_list_v2",
            "app_project_page_after",
        ),
        (
            format!("/api/v2/orgs/{}/members", org.slug),
            "member_list_v2",
            "app_member_page_after",
        ),
    ] {
        let caller = Caller::new();
        let resp = app
            .http
            .get(app.url(&path))
            .bearer_auth(&token)
            .header("traceparent", caller.traceparent())
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{path}");
        // A statement's span ends before its request's, so it is exported in
        // the same batch or an earlier one.
        let request = otlp
            .wait_for(&format!("no span of {path}"), |spans| {
                spans
                    .iter()
                    .find(|s| hex(&s.trace_id) == caller.trace_id && s.name == operation)
                    .cloned()
            })
            .await;
        let spans = otlp.spans.lock().unwrap().clone();
        let statements: Vec<String> = spans
            .iter()
            .filter(|s| s.name == "postgresql" && s.parent_span_id == request.span_id)
            .map(|s| attribute(s, "db.query.text"))
            .collect();
        assert_eq!(statements.len(), 1, "{path}: {statements:?}");
        assert!(statements[0].contains(function), "{path}: {statements:?}");
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
        // Version 00 is exactly 55 characters: no trailing separator.
        format!("00-{bad_trace}-b7ad6b7169203331-01-"),
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
    let spans = otlp
        .wait_for("four auth_me spans", |spans| {
            let me: Vec<Span> = spans
                .iter()
                .filter(|s| s.name == "auth_me")
                .cloned()
                .collect();
            (me.len() == 4).then_some(me)
        })
        .await;
    for span in &spans {
        assert!(
            span.parent_span_id.is_empty(),
            "no parent from a bad header"
        );
        assert_ne!(hex(&span.trace_id), bad_trace);
    }
}

#[tokio::test]
async fn a_guest_sign_in_has_its_redis_command_its_transaction_and_its_statements_as_children() {
    let otlp = receiver().await;
    let app = spawn_app_with(&[("OTEL_EXPORTER_OTLP_ENDPOINT", &otlp.url)]).await;
    let caller = Caller::new();
    let trace_id = caller.trace_id.as_str();
    let resp = app
        .http
        .post(app.url("/api/v1/auth/guest"))
        .header("traceparent", caller.traceparent())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    otlp.wait_for(&format!("the sign-in's spans under {trace_id}"), |spans| {
        let spans: Vec<&Span> = spans
            .iter()
            .filter(|s| hex(&s.trace_id) == trace_id)
            .collect();
        let request = spans.iter().find(|s| s.name == "auth_guest")?;
        let child = |name: &str, key: &str, text: &str| {
            spans.iter().any(|s| {
                s.parent_span_id == request.span_id
                    && s.name == name
                    && attribute(s, key).contains(text)
            })
        };
        (child("redis", "db.operation.name", "INCR")
            && child("redis", "db.operation.name", "EXPIRE")
            && child("postgresql", "db.query.text", "BEGIN")
            && child("postgresql", "db.query.text", "app_begin")
            && child("postgresql", "db.query.text", "INSERT INTO users")
            && child("postgresql", "db.query.text", "COMMIT"))
        .then_some(())
    })
    .await;
}

#[tokio::test]
async fn a_statement_that_fails_inside_a_tenant_transaction_is_an_error_span_without_its_values() {
    let otlp = receiver().await;
    let app = spawn_app_with(&[("OTEL_EXPORTER_OTLP_ENDPOINT", &otlp.url)]).await;
    let (token, _, guest) = app.guest().await;
    let org = create_org(&guest, "Traced projects").await;
    let create = |caller: &Caller| {
        app.http
            .post(app.url(&format!("/api/v1/orgs/{}/projects", org.slug)))
            .bearer_auth(&token)
            .header("traceparent", caller.traceparent())
            .json(&serde_json::json!({"name": "Secret Name", "slug": "same-slug"}))
            .send()
    };
    let (first, second) = (Caller::new(), Caller::new());
    assert_eq!(create(&first).await.unwrap().status(), 201);
    assert_eq!(create(&second).await.unwrap().status(), 409);

    // Under the request's span: the repository's statements, one span each;
    // the INSERT that broke the slug's uniqueness is the error.
    let insert_of = |spans: &[Span], trace_id: &str| {
        let request = spans
            .iter()
            .find(|s| hex(&s.trace_id) == trace_id && s.name == "project_create")?;
        let children: Vec<Span> = spans
            .iter()
            .filter(|s| s.parent_span_id == request.span_id && s.name == "postgresql")
            .cloned()
            .collect();
        let insert = children
            .iter()
            .find(|s| attribute(s, "db.query.text").contains("INSERT INTO projects"))?
            .clone();
        Some((insert, children.len()))
    };
    let ((ok, ok_statements), (failed, _)) = otlp
        .wait_for("the INSERT spans of both creates", |spans| {
            Some((
                insert_of(spans, &first.trace_id)?,
                insert_of(spans, &second.trace_id)?,
            ))
        })
        .await;
    assert!(
        ok_statements >= 3,
        "begin, the repository's statements and commit each have a span: {ok_statements}"
    );
    let code = |s: &Span| s.status.as_ref().map_or(0, |status| status.code);
    assert_eq!(
        code(&ok),
        0,
        "STATUS_CODE_UNSET: the first INSERT succeeded"
    );
    assert_eq!(
        code(&failed),
        2,
        "STATUS_CODE_ERROR: the second broke the slug"
    );
    for span in [&ok, &failed] {
        let text = attribute(span, "db.query.text");
        assert!(
            !text.contains("Secret Name") && !text.contains("same-slug"),
            "placeholders, never values: {text}"
        );
        assert!(
            span.status
                .as_ref()
                .is_none_or(|s| !s.message.contains("same-slug")),
            "the driver's message (which quotes the value) is not exported"
        );
    }
}
