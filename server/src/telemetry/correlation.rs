//! The caller's correlation headers on every log line of a request, checked.
//!
//! dropshot copies the request headers named in `log_headers` (here
//! `x-request-id` and `traceparent`) onto every line of the request, its own
//! and ours, as `hdr_x_request_id` and `hdr_traceparent`, raw. A raw header
//! can be anything up to the size hyper accepts (hundreds of KiB), so logged
//! as it is a client could inflate every line it causes or forge a field's
//! look. This drain rewrites the two fields on the way to the output:
//!
//! - `hdr_x_request_id` becomes `ingress_request_id` when it is 1 to 128
//!   characters of `A-Z a-z 0-9 - _ . : + / =`, and
//!   `ingress_request_id_invalid: true` otherwise (the value is dropped);
//! - `hdr_traceparent` becomes `trace_id` when it is a valid W3C
//!   `traceparent` (parsed by OpenTelemetry's propagator), and nothing
//!   otherwise;
//! - a line with dropshot's `req_id` but no valid `traceparent` gets the
//!   `trace_id` of the trace the server begins for that request (the request
//!   id's 128 bits, [`request_trace_id`]) while spans are exported, so that
//!   dropshot's own `request completed` line carries it too.
//!
//! Every other field passes through unchanged, with its type.

use opentelemetry::propagation::{Extractor, TextMapPropagator};
use opentelemetry::trace::TraceContextExt;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use slog::{Drain, KV, Key, OwnedKV, OwnedKVList, Record, Serializer};
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};

/// The longest inbound request id kept.
pub const REQUEST_ID_MAX_LEN: usize = 128;

/// Is `id` an inbound request id worth keeping (bounded, and nothing that
/// could break a log line or a header)?
pub fn valid_request_id(id: &str) -> bool {
    (1..=REQUEST_ID_MAX_LEN).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:+/=".contains(&b))
}

/// `traceparent` as OpenTelemetry's propagator may read it: it ignores a
/// trailing `-`, which the W3C spec forbids for version `00` (exactly 55
/// characters), so such a value is not handed to it at all.
pub fn well_formed_traceparent(traceparent: &str) -> Option<&str> {
    (!traceparent.starts_with("00-") || traceparent.len() == 55).then_some(traceparent)
}

/// The trace id of a valid W3C `traceparent` (32 lowercase hex digits).
pub fn trace_id_of(traceparent: &str) -> Option<String> {
    let cx = TraceContextPropagator::new().extract(&OneHeader(traceparent));
    let span = cx.span();
    let context = span.span_context();
    context.is_valid().then(|| context.trace_id().to_string())
}

/// The trace id of the trace the server begins for a request that came
/// without a valid `traceparent`: the 16 bytes of dropshot's request id (a
/// random UUID, so never all zeros as W3C forbids). `None` if `request_id`
/// is not a UUID.
pub fn request_trace_id(request_id: &str) -> Option<[u8; 16]> {
    uuid::Uuid::try_parse(request_id)
        .ok()
        .map(|id| id.into_bytes())
}

/// Are spans exported, so that the server begins a trace for a request
/// without a valid `traceparent`? Set once, by `traces::Traces::start`,
/// which also reads it to skip all span work while tracing is off. It lives
/// here so that logging does not depend on tracing.
static BEGINS_TRACES: AtomicBool = AtomicBool::new(false);

/// From now on, every request without a valid `traceparent` has a trace of
/// its own, named by [`request_trace_id`].
pub fn server_begins_traces() {
    BEGINS_TRACES.store(true, Ordering::Relaxed);
}

/// Has [`server_begins_traces`] been called in this process?
pub fn begins_traces() -> bool {
    BEGINS_TRACES.load(Ordering::Relaxed)
}

/// Rewrites the correlation fields of every record it passes on to `drain`.
pub struct Correlating<D> {
    pub drain: D,
    /// Does the server begin a trace for a request without a `traceparent`
    /// (spans are exported)? Asked once per line that has a `req_id`.
    pub begins_traces: fn() -> bool,
}

impl<D: Drain> Drain for Correlating<D> {
    type Ok = D::Ok;
    type Err = D::Err;

    fn log(&self, record: &Record, values: &OwnedKVList) -> Result<D::Ok, D::Err> {
        let checked = OwnedKVList::from(OwnedKV(Checked(values.clone(), self.begins_traces)));
        self.drain.log(record, &checked)
    }
}

/// The logger's fields, serialised through [`Rewriting`].
struct Checked(OwnedKVList, fn() -> bool);

impl KV for Checked {
    fn serialize(&self, record: &Record, serializer: &mut dyn Serializer) -> slog::Result {
        let mut rewriting = Rewriting {
            out: serializer,
            derive: (self.1)(),
            request_id: None,
            traced: false,
        };
        self.0.serialize(record, &mut rewriting)?;
        match rewriting.request_id {
            Some(id) if !rewriting.traced => {
                let trace_id = opentelemetry::trace::TraceId::from_bytes(id);
                rewriting
                    .out
                    .emit_str("trace_id".into(), &trace_id.to_string())
            }
            _ => Ok(()),
        }
    }
}

/// Passes every field on, except the two raw headers; notes the request id
/// and whether the line has a trace id.
struct Rewriting<'a> {
    out: &'a mut dyn Serializer,
    /// Derive a trace id from the request id (spans are exported)?
    derive: bool,
    request_id: Option<[u8; 16]>,
    traced: bool,
}

impl Rewriting<'_> {
    fn header(&mut self, key: &Key, value: &str) -> Option<slog::Result> {
        if *key == "hdr_x_request_id" {
            return Some(if valid_request_id(value) {
                self.out.emit_str("ingress_request_id".into(), value)
            } else {
                self.out
                    .emit_bool("ingress_request_id_invalid".into(), true)
            });
        }
        if *key == "hdr_traceparent" {
            return Some(match trace_id_of(value) {
                Some(trace_id) => {
                    self.traced = true;
                    self.out.emit_str("trace_id".into(), &trace_id)
                }
                None => Ok(()),
            });
        }
        if *key == "req_id" && self.derive {
            self.request_id = request_trace_id(value);
        } else if *key == "trace_id" {
            self.traced = true;
        }
        None
    }
}

macro_rules! forward {
    ($($method:ident($type:ty)),* $(,)?) => {
        $(fn $method(&mut self, key: Key, value: $type) -> slog::Result {
            self.out.$method(key, value)
        })*
    };
}

impl Serializer for Rewriting<'_> {
    fn emit_str(&mut self, key: Key, value: &str) -> slog::Result {
        match self.header(&key, value) {
            Some(done) => done,
            None => self.out.emit_str(key, value),
        }
    }

    fn emit_arguments(&mut self, key: Key, value: &fmt::Arguments<'_>) -> slog::Result {
        if key.as_str().starts_with("hdr_") {
            let text = value.to_string();
            if let Some(done) = self.header(&key, &text) {
                return done;
            }
        }
        self.out.emit_arguments(key, value)
    }

    forward!(
        emit_usize(usize),
        emit_isize(isize),
        emit_bool(bool),
        emit_char(char),
        emit_u8(u8),
        emit_i8(i8),
        emit_u16(u16),
        emit_i16(i16),
        emit_u32(u32),
        emit_i32(i32),
        emit_f32(f32),
        emit_u64(u64),
        emit_i64(i64),
        emit_f64(f64),
        emit_u128(u128),
        emit_i128(i128),
        emit_serde(&dyn slog::SerdeValue),
        emit_error(&(dyn std::error::Error + 'static)),
    );

    fn emit_unit(&mut self, key: Key) -> slog::Result {
        self.out.emit_unit(key)
    }

    fn emit_none(&mut self, key: Key) -> slog::Result {
        self.out.emit_none(key)
    }
}

/// One `traceparent` value, as the propagator reads headers.
struct OneHeader<'a>(&'a str);

impl Extractor for OneHeader<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        (key == "traceparent")
            .then_some(self.0)
            .and_then(well_formed_traceparent)
    }

    fn keys(&self) -> Vec<&str> {
        vec!["traceparent"]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use slog::{Logger, info, o};
    use std::sync::{Arc, Mutex};

    /// A logger writing JSON lines through [`Correlating`] into a buffer.
    fn logged(fields: impl FnOnce(&Logger) -> Logger) -> serde_json::Value {
        logged_with(|| false, fields)
    }

    /// [`logged`], with the server beginning traces or not.
    fn logged_with(
        begins_traces: fn() -> bool,
        fields: impl FnOnce(&Logger) -> Logger,
    ) -> serde_json::Value {
        #[derive(Clone, Default)]
        struct Buffer(Arc<Mutex<Vec<u8>>>);
        impl std::io::Write for Buffer {
            fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().write(bytes)
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let buffer = Buffer::default();
        let json = slog_json::Json::new(buffer.clone()).build();
        let drain = Mutex::new(Correlating {
            drain: json,
            begins_traces,
        })
        .fuse();
        let root = Logger::root(drain, o!());
        info!(fields(&root), "request completed"; "response_code" => 404u16);
        let bytes = buffer.0.lock().unwrap().clone();
        serde_json::from_slice(&bytes).expect("one JSON line")
    }

    const TRACEPARENT: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    #[test]
    fn valid_headers_become_the_correlation_fields() {
        let line = logged(|log| {
            log.new(o!("hdr_x_request_id" => "abc-123".to_owned(),
                "hdr_traceparent" => TRACEPARENT.to_owned()))
        });
        assert_eq!(line["ingress_request_id"], "abc-123");
        assert_eq!(line["trace_id"], "4bf92f3577b34da6a3ce929d0e0e4736");
        assert_eq!(line["response_code"], 404, "other fields keep their type");
        assert!(line.get("hdr_x_request_id").is_none());
        assert!(line.get("hdr_traceparent").is_none());
    }

    #[test]
    fn hostile_values_are_dropped_never_logged() {
        let long = "a".repeat(REQUEST_ID_MAX_LEN + 1);
        for hostile in [long.as_str(), "abc\"def", "a b", "a\\nb", "", "x;y", "ä"] {
            let line = logged(|log| {
                log.new(o!("hdr_x_request_id" => hostile.to_owned(),
                    "hdr_traceparent" => format!("{TRACEPARENT}-{hostile}")))
            });
            assert_eq!(line["ingress_request_id_invalid"], true, "{hostile:?}");
            assert!(line.get("ingress_request_id").is_none(), "{hostile:?}");
            assert!(line.get("trace_id").is_none(), "{hostile:?}: {line}");
            if !hostile.is_empty() {
                assert!(!line.to_string().contains(hostile), "{hostile:?}: {line}");
            }
        }
        let longest = "a".repeat(REQUEST_ID_MAX_LEN);
        let line = logged(|log| log.new(o!("hdr_x_request_id" => longest.clone())));
        assert_eq!(
            line["ingress_request_id"],
            longest.as_str(),
            "the bound is inclusive"
        );
    }

    const REQUEST_ID: &str = "0b8c2ac7-5d3e-4f61-9a0e-6f1c2d3e4a5b";

    #[test]
    fn a_request_without_a_traceparent_has_the_trace_the_server_begins() {
        let line = logged_with(
            || true,
            |log| log.new(o!("req_id" => REQUEST_ID.to_owned())),
        );
        assert_eq!(line["trace_id"], "0b8c2ac75d3e4f619a0e6f1c2d3e4a5b");
        assert_eq!(line["req_id"], REQUEST_ID, "the request id stays");

        // The caller's trace wins, and the line has one trace id.
        let line = logged_with(
            || true,
            |log| {
                log.new(o!("req_id" => REQUEST_ID.to_owned(),
                    "hdr_traceparent" => TRACEPARENT.to_owned()))
            },
        );
        assert_eq!(line["trace_id"], "4bf92f3577b34da6a3ce929d0e0e4736");
        let text = line.to_string();
        assert_eq!(text.matches("trace_id").count(), 1, "{text}");

        // A hostile traceparent is dropped, and the server's trace replaces it.
        let line = logged_with(
            || true,
            |log| {
                log.new(o!("req_id" => REQUEST_ID.to_owned(),
                    "hdr_traceparent" => format!("{TRACEPARENT}-x")))
            },
        );
        assert_eq!(line["trace_id"], "0b8c2ac75d3e4f619a0e6f1c2d3e4a5b");

        // No trace begun (nothing exported), or no request: no trace id.
        let line = logged_with(
            || false,
            |log| log.new(o!("req_id" => REQUEST_ID.to_owned())),
        );
        assert!(line.get("trace_id").is_none(), "{line}");
        let line = logged_with(|| true, |log| log.new(o!("task" => "reconcile")));
        assert!(line.get("trace_id").is_none(), "{line}");
        let line = logged_with(|| true, |log| log.new(o!("req_id" => "not-a-uuid")));
        assert!(line.get("trace_id").is_none(), "{line}");
    }

    #[test]
    fn only_w3c_traceparents_give_a_trace_id() {
        assert!(trace_id_of(TRACEPARENT).is_some());
        for bad in [
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-",
            "garbage",
        ] {
            assert_eq!(trace_id_of(bad), None, "{bad}");
        }
    }
}
