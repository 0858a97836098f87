//! What the front changes in an error body: the request id, and the shape
//! of the errors dropshot's router answers before any handler runs.
//!
//! Pure: bytes in, bytes out, so each case is tested without a server.

use backend_api::error::{ApiError, ErrorCode};
use dropshot::{ErrorStatusCode, HttpError, HttpErrorResponseBody};

/// The body to send instead of `body`, an error answered with `status`;
/// `None` keeps `body` as it is.
///
/// - The envelope (`{"error", "message", "request_id", ...}`) gets `id` as its
///   `request_id` when there is one, and is kept otherwise.
/// - dropshot's own shape (`{"request_id", "error_code"?, "message"}`, from
///   its router: no route, a path that does not decode, a method outside
///   RFC 9110's eight) becomes the envelope, with the code its status stands
///   for in the catalog and, for a 405, the methods of `allow` as
///   `details.allowed`, like every other 405.
/// - Anything else (not JSON, another shape) is kept.
pub fn rewrite(status: u16, allow: Option<&str>, body: &[u8], id: Option<&str>) -> Option<Vec<u8>> {
    if let Ok(mut envelope) = serde_json::from_slice::<ApiError>(body) {
        envelope.request_id = id?.to_owned();
        return Some(serialize(&envelope));
    }
    let router = serde_json::from_slice::<HttpErrorResponseBody>(body).ok()?;
    let status_code = ErrorStatusCode::from_u16(status).ok()?;
    // The same classification as an untagged extractor error's.
    let mut envelope = ApiError::from(HttpError {
        status_code,
        error_code: router.error_code,
        external_message: router.message,
        internal_message: String::new(),
        headers: None,
    })
    .with_request_id(id.unwrap_or(&router.request_id));
    if envelope.error == ErrorCode::MethodNotAllowed {
        let methods: Vec<&str> = allow
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .collect();
        envelope = envelope.with_detail("allowed", methods);
    }
    Some(serialize(&envelope))
}

fn serialize(envelope: &ApiError) -> Vec<u8> {
    serde_json::to_vec(envelope).expect("the envelope serialises")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn parsed(bytes: Option<Vec<u8>>) -> Value {
        serde_json::from_slice(&bytes.expect("rewritten")).expect("JSON")
    }

    #[test]
    fn the_envelope_takes_the_callers_id_and_keeps_the_rest() {
        let body = json!({"error": "ORG_NOT_FOUND", "message": "no such organization",
            "request_id": "6f1c2d0e-0000-4000-8000-000000000000", "details": {"field": "org_id"}});
        let out = parsed(rewrite(
            404,
            None,
            body.to_string().as_bytes(),
            Some("abc-123"),
        ));
        assert_eq!(
            out,
            json!({"error": "ORG_NOT_FOUND", "message": "no such organization",
                "request_id": "abc-123", "details": {"field": "org_id"}})
        );
    }

    #[test]
    fn the_envelope_without_a_callers_id_is_sent_as_it_is() {
        let body = json!({"error": "FORBIDDEN", "message": "no", "request_id": "r"});
        assert_eq!(rewrite(403, None, body.to_string().as_bytes(), None), None);
    }

    #[test]
    fn a_router_404_becomes_not_found() {
        let body = json!({"request_id": "r-1", "message": "Not Found"});
        let out = parsed(rewrite(404, None, body.to_string().as_bytes(), None));
        assert_eq!(
            out,
            json!({"error": "NOT_FOUND", "message": "Not Found", "request_id": "r-1"})
        );
        let out = parsed(rewrite(404, None, body.to_string().as_bytes(), Some("abc")));
        assert_eq!(out["request_id"], "abc");
    }

    #[test]
    fn a_router_405_lists_the_allowed_methods() {
        let body = json!({"request_id": "r", "message": "Method Not Allowed"});
        let out = parsed(rewrite(
            405,
            Some("GET, HEAD,OPTIONS"),
            body.to_string().as_bytes(),
            None,
        ));
        assert_eq!(out["error"], "METHOD_NOT_ALLOWED");
        assert_eq!(out["details"]["allowed"], json!(["GET", "HEAD", "OPTIONS"]));
    }

    #[test]
    fn a_router_400_is_a_validation_error_and_a_5xx_says_nothing() {
        let body = json!({"request_id": "r", "error_code": null, "message": "bad path"});
        let out = parsed(rewrite(400, None, body.to_string().as_bytes(), None));
        assert_eq!(out["error"], "VALIDATION_ERROR");
        let body = json!({"request_id": "r", "message": "panicked at src/x.rs:1"});
        let out = parsed(rewrite(500, None, body.to_string().as_bytes(), None));
        assert_eq!(out["error"], "INTERNAL_ERROR");
        assert_eq!(out["message"], "internal error");
    }

    #[test]
    fn other_bodies_are_kept() {
        for body in [&b"not json"[..], b"[]", b"{\"detail\": 1}", b""] {
            assert_eq!(rewrite(400, None, body, Some("abc")), None, "{body:?}");
        }
    }
}
