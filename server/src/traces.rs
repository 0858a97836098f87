//! Spans over OTLP, when `OTEL_EXPORTER_OTLP_ENDPOINT` is set: one per
//! request (its parent the caller's W3C `traceparent`, if it sent a valid
//! one) and one per statement of the read lane, exported in batches by the
//! OpenTelemetry SDK over OTLP/HTTP (protobuf). The SDK reads the other
//! standard variables itself (`OTEL_EXPORTER_OTLP_HEADERS`, `..._TIMEOUT`,
//! `OTEL_SERVICE_NAME`, `OTEL_BSP_*`).
//!
//! Unset, nothing is built and nothing costs: the request path asks one
//! `Option` and one atomic flag, and creates no span, context or header copy.

use crate::telemetry::correlation::begins_traces;
use opentelemetry::propagation::{Extractor, TextMapPropagator};
use opentelemetry::trace::{
    FutureExt, Span, SpanId, SpanKind, Status, TraceContextExt, TraceId, Tracer,
};
use opentelemetry::{Context, KeyValue};
use opentelemetry_otlp::WithExportConfig;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::{IdGenerator, RandomIdGenerator, SdkTracer, SdkTracerProvider};
use std::cell::Cell;
use std::future::Future;

/// The exporter and the tracer of one server.
pub struct Traces {
    provider: SdkTracerProvider,
    tracer: SdkTracer,
}

/// The tracer, carried in the request's context so that the statement spans
/// below it need no handle of their own.
#[derive(Clone)]
struct RequestTracer(SdkTracer);

impl Traces {
    /// Starts the batch exporter posting to `url` (the settings derive it
    /// from `OTEL_EXPORTER_OTLP_ENDPOINT` or `..._TRACES_ENDPOINT`).
    pub fn start(url: &str) -> anyhow::Result<Traces> {
        let exporter = opentelemetry_otlp::SpanExporter::builder()
            .with_http()
            .with_endpoint(url)
            .build()?;
        let service = std::env::var("OTEL_SERVICE_NAME").unwrap_or_else(|_| "backend".into());
        let provider = SdkTracerProvider::builder()
            .with_batch_exporter(exporter)
            .with_id_generator(RequestTraceIds::default())
            .with_resource(
                Resource::builder()
                    .with_service_name(service)
                    .with_attribute(KeyValue::new("service.version", env!("CARGO_PKG_VERSION")))
                    .build(),
            )
            .build();
        let tracer = opentelemetry::trace::TracerProvider::tracer(&provider, "backend");
        crate::telemetry::correlation::server_begins_traces();
        Ok(Traces { provider, tracer })
    }

    /// Exports what is left; called once at shutdown.
    pub fn shutdown(&self) {
        let _ = self.provider.shutdown();
    }

    /// Opens the server span of a request, named after its operation: a
    /// child of the request's `traceparent` when it carries a valid one (W3C
    /// Trace Context; `tracestate` is kept with it), else the root of a new
    /// trace whose id is the request id's 128 bits. That is what puts the
    /// trace on every line of the request, dropshot's own included: the log
    /// drain derives the same id from the `req_id` those lines carry
    /// (telemetry::correlation).
    pub fn request_span(
        &self,
        operation: &str,
        request_id: &str,
        method: &http::Method,
        headers: &http::HeaderMap,
    ) -> RequestSpan {
        let parent = TraceContextPropagator::new().extract(&Headers(headers));
        let builder = self
            .tracer
            .span_builder(operation.to_owned())
            .with_kind(SpanKind::Server)
            .with_attributes([
                KeyValue::new("http.request.method", method.as_str().to_owned()),
                KeyValue::new("http.route", operation.to_owned()),
            ]);
        let span = if parent.span().span_context().is_valid() {
            builder.start_with_context(&self.tracer, &parent)
        } else {
            let trace_id = crate::telemetry::correlation::request_trace_id(request_id)
                .map(TraceId::from_bytes);
            NEXT_TRACE_ID.set(trace_id);
            let span = builder.start_with_context(&self.tracer, &parent);
            NEXT_TRACE_ID.set(None);
            span
        };
        let cx = parent
            .with_span(span)
            .with_value(RequestTracer(self.tracer.clone()));
        RequestSpan { cx }
    }
}

thread_local! {
    /// The trace id for the root span being started on this thread. The SDK
    /// (0.33) takes a root span's trace id from its id generator only (it
    /// ignores `SpanBuilder::trace_id`), so [`Traces::request_span`] hands
    /// the request's over here, around the one synchronous call that starts
    /// the span.
    static NEXT_TRACE_ID: Cell<Option<TraceId>> = const { Cell::new(None) };
}

/// The SDK's random ids, except a root span's trace id when
/// [`NEXT_TRACE_ID`] holds one.
#[derive(Debug, Default)]
struct RequestTraceIds(RandomIdGenerator);

impl IdGenerator for RequestTraceIds {
    fn new_trace_id(&self) -> TraceId {
        NEXT_TRACE_ID
            .take()
            .unwrap_or_else(|| self.0.new_trace_id())
    }

    fn new_span_id(&self) -> SpanId {
        self.0.new_span_id()
    }
}

/// The span of one request, open until [`RequestSpan::end`].
pub struct RequestSpan {
    cx: Context,
}

impl RequestSpan {
    /// Runs `handler` with this span as the current one, so that the spans of
    /// its statements are its children.
    pub async fn run<T>(&self, handler: impl Future<Output = T>) -> T {
        handler.with_context(self.cx.clone()).await
    }

    /// Ends the span with the response's status.
    pub fn end(self, status: u16) {
        let span = self.cx.span();
        span.set_attribute(KeyValue::new(
            "http.response.status_code",
            i64::from(status),
        ));
        if status >= 500 {
            span.set_status(Status::error(""));
        }
        span.end();
    }
}

/// The span of a PostgreSQL statement about to run, child of the request's
/// span, when the request is traced (`sql` is called only then).
pub fn statement_span(sql: impl FnOnce() -> String) -> Option<Box<ClientSpan>> {
    client_span("postgresql", || {
        // The statement text has placeholders, never values.
        KeyValue::new("db.query.text", sql())
    })
}

/// The span of a Redis command about to run (`INCR`, `PUBLISH`), child of
/// the request's span, when the request is traced. Keys and payloads are
/// left out: a key can name a client address or a user.
pub fn redis_span(command: &'static str) -> Option<Box<ClientSpan>> {
    client_span("redis", || KeyValue::new("db.operation.name", command))
}

/// Runs a Redis command (`command` names it: `INCR`, `PUBLISH`) inside its
/// span when the request is traced; the span is an error if it fails.
pub async fn redis_command<T, E>(
    command: &'static str,
    run: impl Future<Output = Result<T, E>>,
) -> Result<T, E> {
    within(redis_span(command), run).await
}

/// Awaits `run` inside `span`, if there is one (opened before `run` is first
/// polled), and ends it, an error if `run` failed.
pub async fn within<T, E>(
    span: Option<Box<ClientSpan>>,
    run: impl Future<Output = Result<T, E>>,
) -> Result<T, E> {
    let result = run.await;
    if let Some(span) = span {
        span.end(result.is_err());
    }
    result
}

/// Is the current task serving a traced request? (Cheap when tracing is off:
/// one atomic load.)
pub fn in_traced_request() -> bool {
    begins_traces() && Context::current().get::<RequestTracer>().is_some()
}

/// A client span named after `system`, or `None` (and nothing built) when
/// the current request is not traced. Boxed: the caller holds it across an
/// await, and a span inline would grow every request's future.
fn client_span(system: &'static str, detail: impl FnOnce() -> KeyValue) -> Option<Box<ClientSpan>> {
    if !begins_traces() {
        return None;
    }
    let cx = Context::current();
    let RequestTracer(tracer) = cx.get::<RequestTracer>()?;
    let span = tracer
        .span_builder(system)
        .with_kind(SpanKind::Client)
        .with_attributes([KeyValue::new("db.system.name", system), detail()])
        .start_with_context(tracer, &cx);
    Some(Box::new(ClientSpan(span)))
}

/// A statement's or command's span, open until it ends.
pub struct ClientSpan(opentelemetry_sdk::trace::Span);

impl ClientSpan {
    /// Marks the span an error; it ends when dropped.
    pub fn fail(&mut self) {
        self.0.set_status(Status::error("failed"));
    }

    /// Ends the span; `failed` marks it an error (without the driver's
    /// message, which may quote values).
    pub fn end(mut self, failed: bool) {
        if failed {
            self.0.set_status(Status::error("failed"));
        }
        self.0.end();
    }
}

/// The request headers, as the propagator reads them.
struct Headers<'a>(&'a http::HeaderMap);

impl Extractor for Headers<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        let value = self.0.get(key).and_then(|v| v.to_str().ok())?;
        if key == "traceparent" {
            return crate::telemetry::correlation::well_formed_traceparent(value);
        }
        Some(value)
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(http::HeaderName::as_str).collect()
    }
}
