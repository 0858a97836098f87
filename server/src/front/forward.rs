//! One inbound connection's requests, each sent on to dropshot over the
//! connection to it that this inbound one owns, and its answer sent back.

use backend_api::error::ApiError;
use bytes::Bytes;
use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use http::{Request, Response};
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use slog::{Logger, warn};
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use tokio::net::TcpStream;
use tokio::sync::Mutex;

/// The body the front answers with: dropshot's, passed through, or one it
/// wrote.
pub type FrontBody = UnsyncBoxBody<Bytes, Box<dyn std::error::Error + Send + Sync>>;

/// The largest error body the front reads to rewrite (dropshot's and the
/// envelope are well under a kilobyte).
const ERROR_BODY_MAX: usize = 64 * 1024;

const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");

/// The hyper service of one inbound connection.
#[derive(Clone)]
pub struct Upstream {
    /// dropshot's loopback address.
    addr: SocketAddr,
    /// Who the inbound connection is from, as the `X-Forwarded-For` entry
    /// each of its requests gets.
    peer: HeaderValue,
    log: Logger,
    /// The connection to dropshot, opened with the first request. hyper
    /// serves an HTTP/1.1 connection's requests one after another, so the
    /// lock is never contended; it is there because the service is shared.
    sender: Arc<Mutex<Option<SendRequest<Incoming>>>>,
}

impl Upstream {
    pub fn new(addr: SocketAddr, peer: SocketAddr, log: Logger) -> Upstream {
        Upstream {
            addr,
            peer: HeaderValue::try_from(peer.ip().to_string()).expect("an IP is a header"),
            log,
            sender: Default::default(),
        }
    }

    async fn forward(self, mut request: Request<Incoming>) -> Response<FrontBody> {
        let id = request
            .headers()
            .get(X_REQUEST_ID)
            .filter(|v| {
                v.to_str()
                    .is_ok_and(crate::telemetry::correlation::valid_request_id)
            })
            .cloned();
        let headers = request.headers_mut();
        strip_hop_by_hop(headers);
        // The client as the server sees it without the front: the entry the
        // front adds is one more trusted hop.
        headers.append(X_FORWARDED_FOR, self.peer.clone());
        match self.send(request).await {
            Ok(response) => answer(response, id).await,
            Err(e) => {
                warn!(self.log, "front: dropshot did not answer"; "error" => %e);
                unavailable(id)
            }
        }
    }

    /// Sends `request` on this connection's link to dropshot, opening it
    /// first if there is none or dropshot closed it. A request the closed
    /// link gave back unsent goes once more, on a new one.
    async fn send(&self, request: Request<Incoming>) -> Result<Response<Incoming>, String> {
        let mut slot = self.sender.lock().await;
        let mut request = request;
        for attempt in 0..2 {
            if slot.as_ref().is_none_or(|s| s.is_closed()) {
                *slot = Some(self.connect().await?);
            }
            let sender = slot.as_mut().expect("connected above");
            if sender.ready().await.is_err() {
                *slot = None;
                continue;
            }
            match sender.try_send_request(request).await {
                Ok(response) => return Ok(response),
                Err(mut e) => match e.take_message() {
                    Some(unsent) if attempt == 0 => {
                        *slot = None;
                        request = unsent;
                    }
                    _ => return Err(e.into_error().to_string()),
                },
            }
        }
        Err("the connection to dropshot closed twice".to_owned())
    }

    async fn connect(&self) -> Result<SendRequest<Incoming>, String> {
        let stream = TcpStream::connect(self.addr)
            .await
            .map_err(|e| e.to_string())?;
        let _ = stream.set_nodelay(true);
        let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| e.to_string())?;
        tokio::spawn(connection);
        Ok(sender)
    }
}

impl hyper::service::Service<Request<Incoming>> for Upstream {
    type Response = Response<FrontBody>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Infallible>> + Send>>;

    fn call(&self, request: Request<Incoming>) -> Self::Future {
        let this = self.clone();
        Box::pin(async move { Ok(this.forward(request).await) })
    }
}

/// dropshot's response, with the caller's request id and, for an error, the
/// envelope.
async fn answer(response: Response<Incoming>, id: Option<HeaderValue>) -> Response<FrontBody> {
    let (mut parts, body) = response.into_parts();
    strip_hop_by_hop(&mut parts.headers);
    if let Some(id) = &id {
        parts.headers.insert(X_REQUEST_ID, id.clone());
    }
    let is_error = parts.status.is_client_error() || parts.status.is_server_error();
    let is_json = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(is_error && is_json) {
        return Response::from_parts(parts, body.map_err(Into::into).boxed_unsync());
    }
    let bytes = match Limited::new(body, ERROR_BODY_MAX).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => return unavailable(id),
    };
    // dropshot sends one `Allow` line per method.
    let allow: Vec<&str> = parts
        .headers
        .get_all(header::ALLOW)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    let allow = (!allow.is_empty()).then(|| allow.join(", "));
    let allow = allow.as_deref();
    let caller_id = id.as_ref().and_then(|v| v.to_str().ok());
    let bytes = match super::envelope::rewrite(parts.status.as_u16(), allow, &bytes, caller_id) {
        Some(rewritten) => {
            parts
                .headers
                .insert(header::CONTENT_LENGTH, HeaderValue::from(rewritten.len()));
            Bytes::from(rewritten)
        }
        None => bytes,
    };
    Response::from_parts(parts, full(bytes))
}

/// 503 in the envelope: dropshot could not be reached (it is stopping).
/// Rendered as every handler's error is (`ApiError::into_response`: status,
/// body, `Retry-After`), plus the request id dropshot would have set.
fn unavailable(id: Option<HeaderValue>) -> Response<FrontBody> {
    let id = id.unwrap_or_else(|| {
        HeaderValue::from_str(&uuid::Uuid::new_v4().to_string()).expect("a UUID is a header")
    });
    let mut response = ApiError::unavailable("the server is not ready")
        .with_request_id(id.to_str().expect("checked or generated"))
        .into_response()
        .expect("the envelope renders")
        .map(|body| body.boxed_unsync());
    response.headers_mut().insert(X_REQUEST_ID, id);
    response
}

fn full(bytes: Bytes) -> FrontBody {
    Full::new(bytes)
        .map_err(|never| match never {})
        .boxed_unsync()
}

/// Removes the fields that describe one connection rather than the message
/// (RFC 9110 § 7.6.1): `Connection`, the fields it names, and the usual
/// ones; hyper frames each side's message itself.
fn strip_hop_by_hop(headers: &mut HeaderMap) {
    let named: Vec<HeaderName> = headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|name| HeaderName::from_bytes(name.trim().as_bytes()).ok())
        .collect();
    for name in named {
        headers.remove(name);
    }
    for name in [
        header::CONNECTION,
        HeaderName::from_static("keep-alive"),
        HeaderName::from_static("proxy-connection"),
        header::TE,
        header::TRANSFER_ENCODING,
        header::UPGRADE,
    ] {
        headers.remove(name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hop_by_hop_fields_and_those_connection_names_are_removed() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONNECTION,
            HeaderValue::from_static("keep-alive, x-secret-hop"),
        );
        headers.insert("x-secret-hop", HeaderValue::from_static("1"));
        headers.insert("keep-alive", HeaderValue::from_static("timeout=5"));
        headers.insert(
            header::TRANSFER_ENCODING,
            HeaderValue::from_static("chunked"),
        );
        headers.insert(header::TE, HeaderValue::from_static("trailers"));
        headers.insert(header::UPGRADE, HeaderValue::from_static("h2c"));
        headers.insert(X_REQUEST_ID, HeaderValue::from_static("abc"));
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from_static("3"));
        strip_hop_by_hop(&mut headers);
        let mut left: Vec<&str> = headers.keys().map(|k| k.as_str()).collect();
        left.sort();
        assert_eq!(left, ["content-length", "x-request-id"]);
    }

    #[tokio::test]
    async fn unreachable_dropshot_is_a_503_envelope_with_retry_after_and_the_callers_id() {
        let response = unavailable(Some(HeaderValue::from_static("abc-123")));
        assert_eq!(response.status(), 503);
        assert_eq!(response.headers()[header::RETRY_AFTER], "2");
        assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
        assert_eq!(response.headers()[X_REQUEST_ID], "abc-123");
        let body = response.into_body().collect().await.unwrap().to_bytes();
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["error"], "SERVICE_UNAVAILABLE");
        assert_eq!(body["request_id"], "abc-123");
        let generated = unavailable(None);
        let id = generated.headers()[X_REQUEST_ID].to_str().unwrap();
        assert!(uuid::Uuid::try_parse(id).is_ok(), "{id}");
    }
}
