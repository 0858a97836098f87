//! Request extractors that reject bad input in the error envelope.
//!
//! dropshot's own `TypedBody`, `Path` and `Query` report failures as a plain
//! `HttpError` without our code or the request id (a custom error type is built
//! through `From<HttpError>`, which sees no request context). These wrappers
//! run the same extraction, classify the failure (`MALFORMED_JSON`,
//! `VALIDATION_ERROR` with the offending field, `PAYLOAD_TOO_LARGE`,
//! `UNSUPPORTED_MEDIA_TYPE`) and *tag* the `HttpError` with the code, the field
//! and the request id. [`untag`] reads the tags back when dropshot converts the
//! error into an [`ApiError`]. Their OpenAPI metadata is dropshot's, unchanged.

use crate::error::{ApiError, ErrorCode};
use dropshot::{
    ApiEndpointBodyContentType, ExclusiveExtractor, ExtractorMetadata, HttpError, Path, Query,
    RequestContext, ServerContext, SharedExtractor, TypedBody, UntypedBody,
};
use http::{HeaderMap, HeaderValue};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;

const TAG_REQUEST_ID: &str = "x-backend-tag-request-id";
const TAG_FIELD: &str = "x-backend-tag-field";

/// Builds an `HttpError` that [`untag`] turns back into this code, message,
/// field and request id.
pub fn tag(code: ErrorCode, message: String, field: Option<&str>, request_id: &str) -> HttpError {
    let mut headers = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_str(request_id) {
        headers.insert(TAG_REQUEST_ID, v);
    }
    if let Some(v) = field.and_then(|f| HeaderValue::from_str(f).ok()) {
        headers.insert(TAG_FIELD, v);
    }
    HttpError {
        status_code: dropshot::ErrorStatusCode::from_u16(code.status())
            .unwrap_or(dropshot::ErrorStatusCode::BAD_REQUEST),
        error_code: Some(code.as_str().to_owned()),
        external_message: message.clone(),
        internal_message: message,
        headers: Some(Box::new(headers)),
    }
}

/// The inverse of [`tag`]; untagged errors are classified by status.
pub fn untag(e: HttpError) -> ApiError {
    let headers = e.headers.as_deref();
    let read = |name: &str| {
        headers
            .and_then(|h| h.get(name))
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let code = e
        .error_code
        .as_deref()
        .and_then(ErrorCode::from_wire)
        .unwrap_or_else(|| match e.status_code.as_u16() {
            400 => ErrorCode::ValidationError,
            401 => ErrorCode::Unauthorized,
            403 => ErrorCode::Forbidden,
            404 => ErrorCode::NotFound,
            405 => ErrorCode::MethodNotAllowed,
            413 => ErrorCode::PayloadTooLarge,
            415 => ErrorCode::UnsupportedMediaType,
            503 => ErrorCode::ServiceUnavailable,
            _ => ErrorCode::InternalError,
        });
    let message = if code == ErrorCode::InternalError {
        "internal error".to_owned()
    } else {
        e.external_message.clone()
    };
    let mut err = ApiError::new(code, message).with_internal(&e.internal_message);
    if let Some(field) = read(TAG_FIELD) {
        err = err.with_detail("field", field);
    }
    if let Some(id) = read(TAG_REQUEST_ID) {
        err = err.with_request_id(&id);
    }
    if code == ErrorCode::ServiceUnavailable {
        err = err.with_retry_after(2);
    }
    err
}

/// A JSON request body of type `T`.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<T> JsonBody<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

#[async_trait::async_trait]
impl<T> ExclusiveExtractor for JsonBody<T>
where
    T: JsonSchema + DeserializeOwned + Send + Sync + 'static,
{
    async fn from_request<C: ServerContext>(
        rqctx: &RequestContext<C>,
        request: hyper::Request<dropshot::Body>,
    ) -> Result<Self, HttpError> {
        let id = rqctx.request_id.as_str();
        let limit = rqctx.request_body_max_bytes();
        let too_large = || {
            tag(
                ErrorCode::PayloadTooLarge,
                format!("request body exceeds the limit of {limit} bytes"),
                None,
                id,
            )
        };
        if let Some(ct) = request.headers().get(http::header::CONTENT_TYPE) {
            let ct = ct.to_str().unwrap_or("").to_ascii_lowercase();
            let essence = ct.split(';').next().unwrap_or("").trim();
            if essence != "application/json" && !essence.ends_with("+json") {
                return Err(tag(
                    ErrorCode::UnsupportedMediaType,
                    format!("Content-Type must be application/json, not {essence:?}"),
                    None,
                    id,
                ));
            }
        }
        let declared = request
            .headers()
            .get(http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        if declared.is_some_and(|n| n > limit) {
            return Err(too_large());
        }
        let body = UntypedBody::from_request(rqctx, request)
            .await
            .map_err(|e| {
                if e.internal_message.contains("exceeded maximum size") {
                    too_large()
                } else {
                    tag(ErrorCode::MalformedJson, e.external_message, None, id)
                }
            })?;
        parse_json(body.as_bytes())
            .map(JsonBody)
            .map_err(|(code, msg, field)| tag(code, msg, field.as_deref(), id))
    }

    fn metadata(content_type: ApiEndpointBodyContentType) -> ExtractorMetadata {
        <TypedBody<T> as ExclusiveExtractor>::metadata(content_type)
    }
}

/// Parses a body, telling syntax errors apart from shape errors and naming the
/// offending field.
pub fn parse_json<T: DeserializeOwned>(
    bytes: &[u8],
) -> Result<T, (ErrorCode, String, Option<String>)> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let result: Result<T, _> = serde_path_to_error::deserialize(&mut de);
    let trailing = |e: serde_json::Error| {
        (
            ErrorCode::MalformedJson,
            format!("request body is not valid JSON: {e}"),
            None,
        )
    };
    if let Ok(value) = result {
        return de.end().map(|()| value).map_err(trailing);
    }
    result.map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        match inner.classify() {
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof => (
                ErrorCode::MalformedJson,
                format!("request body is not valid JSON: {inner}"),
                None,
            ),
            _ => {
                let field = (path != ".").then_some(path);
                let message = match &field {
                    Some(f) => format!("invalid value for `{f}`: {inner}"),
                    None => format!("invalid request body: {inner}"),
                };
                (ErrorCode::ValidationError, message, field)
            }
        }
    })
}

/// Defines a wrapper around one of dropshot's shared extractors (`Path`,
/// `Query`) that keeps its OpenAPI metadata and reports its failures as a
/// tagged `VALIDATION_ERROR`.
macro_rules! validated_extractor {
    ($(#[$doc:meta])* $name:ident, $inner:ident) => {
        $(#[$doc])*
        #[derive(Debug)]
        pub struct $name<T>(pub T);

        impl<T> $name<T> {
            pub fn into_inner(self) -> T {
                self.0
            }
        }

        #[async_trait::async_trait]
        impl<T> SharedExtractor for $name<T>
        where
            T: JsonSchema + DeserializeOwned + Send + Sync + 'static,
        {
            async fn from_request<C: ServerContext>(
                rqctx: &RequestContext<C>,
            ) -> Result<Self, HttpError> {
                <$inner<T> as SharedExtractor>::from_request(rqctx)
                    .await
                    .map(|v| $name(v.into_inner()))
                    .map_err(|e| {
                        tag(ErrorCode::ValidationError, e.external_message, None, &rqctx.request_id)
                    })
            }

            fn metadata(content_type: ApiEndpointBodyContentType) -> ExtractorMetadata {
                <$inner<T> as SharedExtractor>::metadata(content_type)
            }
        }
    };
}

validated_extractor!(
    /// Path parameters of type `T`.
    PathParams,
    Path
);
validated_extractor!(
    /// Query parameters of type `T`.
    QueryParams,
    Query
);

/// The query of a cursor page (`/api/v2/` lists). dropshot decodes the page
/// token while extracting, before the handler runs; a token that does not
/// decode is kept here as the error, for the handler to return after it has
/// authenticated the caller, so that a request without a valid bearer token
/// answers 401 first, as every other bad input does. The OpenAPI metadata is
/// `Query`'s, with dropshot's pagination extension (the client's streams).
#[derive(Debug)]
pub struct CursorQuery<S: DeserializeOwned + std::fmt::Debug = dropshot::EmptyScanParams>(
    Result<crate::types::CursorParams<S>, ApiError>,
);

impl<S: DeserializeOwned + std::fmt::Debug> CursorQuery<S> {
    pub fn into_inner(self) -> Result<crate::types::CursorParams<S>, ApiError> {
        self.0
    }
}

#[async_trait::async_trait]
impl<S> SharedExtractor for CursorQuery<S>
where
    S: JsonSchema + DeserializeOwned + std::fmt::Debug + Send + Sync + 'static,
{
    async fn from_request<C: ServerContext>(rqctx: &RequestContext<C>) -> Result<Self, HttpError> {
        let parsed = <Query<crate::types::CursorParams<S>> as SharedExtractor>::from_request(rqctx)
            .await
            .map(Query::into_inner)
            .map_err(|e| {
                let field = ["limit", "service"]
                    .into_iter()
                    .find(|f| e.external_message.contains(f))
                    .unwrap_or("page_token");
                ApiError::validation(field, e.external_message).with_request_id(&rqctx.request_id)
            });
        Ok(CursorQuery(parsed))
    }

    fn metadata(content_type: ApiEndpointBodyContentType) -> ExtractorMetadata {
        <Query<crate::types::CursorParams<S>> as SharedExtractor>::metadata(content_type)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Body {
        name: String,
        limit: u32,
    }

    #[test]
    fn syntax_errors_are_malformed_json() {
        let (code, _, field) = parse_json::<Body>(b"{\"name\": ").unwrap_err();
        assert_eq!(code, ErrorCode::MalformedJson);
        assert_eq!(field, None);
    }

    #[test]
    fn wrong_types_name_the_field() {
        let (code, _, field) = parse_json::<Body>(br#"{"name":"a","limit":"x"}"#).unwrap_err();
        assert_eq!(code, ErrorCode::ValidationError);
        assert_eq!(field.as_deref(), Some("limit"));
    }

    #[test]
    fn trailing_garbage_is_malformed_json() {
        let (code, _, _) = parse_json::<Body>(br#"{"name":"a","limit":1} x"#).unwrap_err();
        assert_eq!(code, ErrorCode::MalformedJson);
    }

    #[test]
    fn tags_survive_the_round_trip_through_http_error() {
        let e = untag(tag(
            ErrorCode::ValidationError,
            "bad".into(),
            Some("name"),
            "req-1",
        ));
        assert_eq!(e.error, ErrorCode::ValidationError);
        assert_eq!(e.request_id, "req-1");
        assert_eq!(e.details.unwrap()["field"], "name");
    }
}
