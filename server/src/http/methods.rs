//! The methods a path does not take, answered by the API rather than by
//! dropshot's router.
//!
//! dropshot answers a method a path lacks with a 405 of its own shape
//! (`{"request_id", "message"}`, no `error` code) before any code of this
//! project runs. Registering an unpublished endpoint for each standard method a
//! path lacks moves that answer here: `METHOD_NOT_ALLOWED` in the envelope,
//! with the path's methods in `Allow` and `details.allowed`, and `OPTIONS`
//! answered as RFC 9110 asks (204 with `Allow`). The endpoints are not in the
//! OpenAPI document; they are counted, logged and traced like every other
//! request, under two bounded operation ids.
//!
//! `HEAD` on a path that takes `GET` is that `GET` (RFC 9110 § 9.3.2: every
//! general-purpose server supports both): the same handler, run under the
//! `GET`'s operation id, whose body hyper leaves out; a health probe or
//! `curl -I` gets the status and headers the `GET` would have.
//!
//! A method outside [`STANDARD`] still reaches dropshot's router, whose 405
//! lists every method registered for the path, these fallbacks included.

use crate::context::AppState;
use backend_api::{ApiError, ApiResult, ErrorCode};
use dropshot::{ApiDescription, ApiEndpoint, ApiEndpointVersions, Body, Path, RequestContext};
use http::{Method, Response, StatusCode};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;
use std::sync::Arc;

/// RFC 9110's methods that a request can name on an origin-form path
/// (`CONNECT` names an authority, not a path).
const STANDARD: [Method; 8] = [
    Method::GET,
    Method::HEAD,
    Method::POST,
    Method::PUT,
    Method::PATCH,
    Method::DELETE,
    Method::OPTIONS,
    Method::TRACE,
];

/// The operation id (and so the metrics' `route` label) of the 405s.
pub const NOT_ALLOWED_OPERATION: &str = "method_not_allowed";
/// The operation id of `OPTIONS` on a path that has no `OPTIONS` of its own.
pub const OPTIONS_OPERATION: &str = "options";

/// `api` with a fallback endpoint for every standard method each of its paths
/// lacks. `template` is the same description (dropshot's router can be listed
/// only by consuming it).
pub fn with_fallbacks(
    template: ApiDescription<AppState>,
    mut api: ApiDescription<AppState>,
) -> ApiDescription<AppState> {
    let router = template.into_router();
    // Every path template with the methods it takes and its `GET`'s operation
    // id and handler. The router lists a `{name:.*}` segment as `{name}`; the
    // endpoint keeps the template it was registered with, which is what a
    // sibling must use. (The handler's type, dropshot's `RouteHandler`, is not
    // exported: it is only ever inferred here.)
    let mut routes = BTreeMap::new();
    for (_, method, endpoint) in router.endpoints(None) {
        let method: Method = method.parse().expect("the router holds valid methods");
        let (methods, get) = routes
            .entry(endpoint.path.clone())
            .or_insert_with(|| (Vec::new(), None));
        if method == Method::GET {
            *get = Some((endpoint.operation_id.clone(), endpoint.handler.clone()));
        }
        if !methods.contains(&method) {
            methods.push(method);
        }
    }
    for (path, (mut methods, get)) in routes {
        if let Some((operation_id, handler)) = get.filter(|_| !methods.contains(&Method::HEAD)) {
            // The path's shape only makes dropshot check the variables; the
            // request is the `GET` handler's, extractors and all.
            let mut head = fallback(&path, Method::HEAD, Arc::new(Answer::new(&path, &methods)));
            head.operation_id = operation_id;
            head.handler = handler;
            api.register(head)
                .unwrap_or_else(|e| panic!("HEAD for {path}: {e}"));
            methods.push(Method::HEAD);
        }
        let answer = Arc::new(Answer::new(&path, &methods));
        for method in STANDARD.iter().filter(|m| !methods.contains(m)) {
            let endpoint = fallback(&path, method.clone(), answer.clone());
            api.register(endpoint)
                .unwrap_or_else(|e| panic!("fallback for {method} {path}: {e}"));
        }
    }
    api
}

/// The names of a template's variables: `/orgs/{org}/members/{user_id}`
/// gives `["org", "user_id"]`, `/docs/{path:.*}` gives `["path"]`.
fn variables(template: &str) -> Vec<&str> {
    template
        .split('/')
        .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
        .map(|var| var.split(':').next().unwrap_or(var))
        .collect()
}

// dropshot requires an endpoint to extract every variable of its path, so a
// fallback takes a `Path` of one of these shapes (text, so that no value
// fails to parse and turns the 405 into a 400).
#[derive(serde::Deserialize, JsonSchema)]
struct NoVars {}

#[derive(serde::Deserialize, JsonSchema)]
struct OrgVars {
    #[allow(dead_code)]
    org: String,
}

#[derive(serde::Deserialize, JsonSchema)]
struct MemberVars {
    #[allow(dead_code)]
    org: String,
    #[allow(dead_code)]
    user_id: String,
}

#[derive(serde::Deserialize, JsonSchema)]
struct IdVars {
    #[allow(dead_code)]
    id: String,
}

#[derive(serde::Deserialize, JsonSchema)]
struct KeyVars {
    #[allow(dead_code)]
    key: String,
}

#[derive(serde::Deserialize, JsonSchema)]
struct RestVars {
    #[allow(dead_code)]
    path: Vec<String>,
}

fn fallback(template: &str, method: Method, answer: Arc<Answer>) -> ApiEndpoint<AppState> {
    let operation = if method == Method::OPTIONS {
        OPTIONS_OPERATION
    } else {
        NOT_ALLOWED_OPERATION
    };
    match variables(template).as_slice() {
        [] => with_path::<NoVars>(template, method, operation, answer),
        ["org"] => with_path::<OrgVars>(template, method, operation, answer),
        ["org", "user_id"] => with_path::<MemberVars>(template, method, operation, answer),
        ["id"] => with_path::<IdVars>(template, method, operation, answer),
        ["key"] => with_path::<KeyVars>(template, method, operation, answer),
        ["path"] => with_path::<RestVars>(template, method, operation, answer),
        other => panic!(
            "{template}: no fallback shape for the path variables {other:?}; add one in http/methods.rs"
        ),
    }
}

fn with_path<T>(
    template: &str,
    method: Method,
    operation: &str,
    answer: Arc<Answer>,
) -> ApiEndpoint<AppState>
where
    T: JsonSchema + DeserializeOwned + Send + Sync + 'static,
{
    let mut endpoint = ApiEndpoint::new(
        operation.to_owned(),
        move |rqctx: RequestContext<AppState>, _: Path<T>| {
            let answer = answer.clone();
            async move { answer.send(rqctx).await }
        },
        method,
        "application/json",
        template,
        ApiEndpointVersions::All,
    );
    // Not in the OpenAPI document: the document lists what a path takes.
    endpoint.visible = false;
    endpoint
}

/// What a path answers to a method it lacks.
struct Answer {
    template: String,
    /// The `Allow` header (`GET, POST, HEAD, OPTIONS`).
    allow: String,
    /// The same methods, for `details.allowed`.
    methods: Vec<String>,
}

impl Answer {
    fn new(template: &str, registered: &[Method]) -> Answer {
        let mut methods: Vec<String> = registered.iter().map(|m| m.to_string()).collect();
        if !registered.contains(&Method::OPTIONS) {
            methods.push(Method::OPTIONS.to_string());
        }
        Answer {
            // `/docs/{path}`, as the OpenAPI document would write it.
            template: template.replace(":.*}", "}"),
            allow: methods.join(", "),
            methods,
        }
    }

    /// 204 with `Allow` to `OPTIONS`, `METHOD_NOT_ALLOWED` to anything else.
    async fn send(&self, rqctx: RequestContext<AppState>) -> ApiResult<Response<Body>> {
        super::run(&rqctx, async {
            let method = rqctx.request.method();
            if method == Method::OPTIONS {
                return Response::builder()
                    .status(StatusCode::NO_CONTENT)
                    .header(http::header::ALLOW, &self.allow)
                    .body(Body::empty())
                    .map_err(ApiError::internal);
            }
            Err(ApiError::new(
                ErrorCode::MethodNotAllowed,
                format!(
                    "{} does not take {method}; it takes {}",
                    self.template, self.allow
                ),
            )
            .with_detail("allowed", self.methods.clone())
            .with_allow(&self.allow))
        })
        .await
    }
}
