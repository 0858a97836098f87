//! The implementation of [`BackendApi`]: each method delegates to the module
//! of its resource and turns the outcome into a [`Reply`].

mod auth;
mod client_address;
mod configs;
mod cursor;
mod db_error;
mod docs;
mod error_map;
mod health;
mod idempotency;
mod members;
mod methods;
mod orgs;
mod page;
mod precondition;
mod projects;
mod session;

use crate::context::AppState;
use backend_api::types::*;
use backend_api::{
    ApiError, ApiResult, BackendApi, Conditional, Created, CursorQuery, JsonBody, NoStore,
    PathParams, QueryParams, Reply, Tagged,
};
use dropshot::{
    Body, HttpResponse, HttpResponseCreated, HttpResponseDeleted, HttpResponseOk,
    HttpResponseUpdatedNoContent, RequestContext, ResultsPage,
};

pub use db_error::db_error;

/// The server's implementation of the API trait.
pub enum ServerImpl {}

/// Runs a handler: times it, counts it by operation and status, stamps the
/// request id on an error, logs the error's hidden cause (5xx at error
/// level, 4xx at debug) and wraps the outcome for the client; inside a span
/// when spans are exported (`traces`).
async fn run<R: dropshot::HttpResponse>(
    rqctx: &RequestContext<AppState>,
    handler: impl std::future::Future<Output = Result<R, ApiError>>,
) -> ApiResult<R> {
    let started = std::time::Instant::now();
    // The one bound that holds whatever the database or the network does:
    // statement_timeout needs a server that answers, a blackholed connection
    // does not. Dropping the handler rolls its transaction back.
    let limit = rqctx.context().settings.request_timeout;
    let bounded = tokio::time::timeout(limit, handler);
    // Untraced, the request's future is what it was without spans: the span
    // is a box, and the traced await a boxed future of its own (futures are
    // moved by value, so each byte held across an await costs every request).
    let span = rqctx.context().traces.as_ref().map(|traces| {
        Box::new(traces.request_span(
            &rqctx.endpoint.operation_id,
            &rqctx.request_id,
            rqctx.request.method(),
            rqctx.request.headers(),
        ))
    });
    let outcome = match &span {
        None => bounded.await,
        Some(span) => Box::pin(span.run(bounded)).await,
    };
    let result = outcome.unwrap_or_else(|_| {
        Err(ApiError::unavailable(format!(
            "the request did not finish within {} ms",
            limit.as_millis()
        )))
    });
    let reply = finish(rqctx, started, result);
    if let Some(span) = span {
        span.end(reply.status_code().as_u16());
    }
    Ok(reply)
}

/// Logs, counts and wraps a handler's outcome.
fn finish<R: dropshot::HttpResponse>(
    rqctx: &RequestContext<AppState>,
    started: std::time::Instant,
    result: Result<R, ApiError>,
) -> Reply<R> {
    let log = &rqctx.log;
    let result = result.map_err(|e| {
        let e = e.with_request_id(&rqctx.request_id);
        if e.error.status() >= 500 {
            slog::error!(log, "request failed"; "error" => %e);
        } else {
            slog::debug!(log, "request rejected"; "error" => %e);
        }
        e
    });
    let reply = Reply::from(result);
    let route = rqctx.endpoint.operation_id.as_str();
    let status = reply.status_code();
    let metrics = &rqctx.context().metrics;
    metrics
        .http_requests
        .with_label_values(&[route, status.as_str()])
        .inc();
    metrics
        .http_duration
        .with_label_values(&[route])
        .observe(started.elapsed().as_secs_f64());
    slog::debug!(log, "handler finished"; "route" => route, "status" => status.as_u16(),
        "handler_us" => started.elapsed().as_micros() as u64);
    reply
}

/// The dropshot API description for the server: the trait's operations, and
/// the envelope's 405 for every standard method a path lacks ([`methods`]).
pub fn api() -> dropshot::ApiDescription<AppState> {
    methods::with_fallbacks(operations(), operations())
}

fn operations() -> dropshot::ApiDescription<AppState> {
    backend_api::backend_api_mod::api_description::<ServerImpl>()
        .expect("the API trait implementation registers")
}

impl BackendApi for ServerImpl {
    type Context = AppState;

    async fn health(rqctx: RequestContext<AppState>) -> ApiResult<HttpResponseOk<Health>> {
        run(&rqctx, async {
            Ok(HttpResponseOk(Health {
                status: "ok".into(),
            }))
        })
        .await
    }

    async fn ready(rqctx: RequestContext<AppState>) -> ApiResult<HttpResponseOk<Readiness>> {
        run(&rqctx, health::ready(rqctx.context())).await
    }

    async fn openapi_json(
        rqctx: RequestContext<AppState>,
    ) -> Result<http::Response<Body>, ApiError> {
        http::Response::builder()
            .header(http::header::CONTENT_TYPE, "application/json")
            .body(Body::from(rqctx.context().openapi_json.clone()))
            .map_err(ApiError::internal)
    }

    async fn auth_guest(
        rqctx: RequestContext<AppState>,
    ) -> ApiResult<NoStore<HttpResponseCreated<TokenResponse>>> {
        run(&rqctx, auth::guest(&rqctx)).await
    }

    async fn auth_refresh(
        rqctx: RequestContext<AppState>,
    ) -> ApiResult<NoStore<HttpResponseOk<TokenResponse>>> {
        run(&rqctx, auth::refresh(&rqctx)).await
    }

    async fn auth_logout(
        rqctx: RequestContext<AppState>,
    ) -> ApiResult<HttpResponseUpdatedNoContent> {
        run(&rqctx, auth::logout(&rqctx)).await
    }

    async fn auth_me(rqctx: RequestContext<AppState>) -> ApiResult<HttpResponseOk<User>> {
        run(&rqctx, auth::me(&rqctx)).await
    }

    async fn org_create(
        rqctx: RequestContext<AppState>,
        idempotency_key: dropshot::Header<IdempotencyKeyHeader>,
        body: JsonBody<OrgInput>,
    ) -> ApiResult<Created<Org>> {
        let handler = orgs::create(&rqctx, idempotency_key.into_inner(), body.into_inner());
        run(&rqctx, handler).await
    }

    async fn org_list(
        rqctx: RequestContext<AppState>,
        query: QueryParams<PageParams>,
    ) -> ApiResult<HttpResponseOk<Page<Org>>> {
        run(&rqctx, orgs::list(&rqctx, query.into_inner())).await
    }

    async fn org_list_v2(
        rqctx: RequestContext<AppState>,
        query: CursorQuery,
    ) -> ApiResult<HttpResponseOk<ResultsPage<Org>>> {
        run(&rqctx, orgs::list_v2(&rqctx, query.into_inner())).await
    }

    async fn member_list_v2(
        rqctx: RequestContext<AppState>,
        path: PathParams<OrgPath>,
        query: CursorQuery,
    ) -> ApiResult<HttpResponseOk<ResultsPage<Member>>> {
        let handler = members::list_v2(&rqctx, path.into_inner(), query.into_inner());
        run(&rqctx, handler).await
    }

    async fn project_list_v2(
        rqctx: RequestContext<AppState>,
        path: PathParams<OrgPath>,
        query: CursorQuery,
    ) -> ApiResult<HttpResponseOk<ResultsPage<Project>>> {
        let handler = projects::list_v2(&rqctx, path.into_inner(), query.into_inner());
        run(&rqctx, handler).await
    }

    async fn org_get(
        rqctx: RequestContext<AppState>,
        path: PathParams<OrgPath>,
        if_none_match: dropshot::Header<IfNoneMatchETag>,
    ) -> ApiResult<Conditional<Tagged<HttpResponseOk<Org>>>> {
        let handler = orgs::get(&rqctx, path.into_inner(), if_none_match.into_inner());
        run(&rqctx, handler).await
    }

    async fn org_update(
        rqctx: RequestContext<AppState>,
        path: PathParams<OrgPath>,
        if_match: dropshot::Header<IfMatchETag>,
        body: JsonBody<OrgInput>,
    ) -> ApiResult<Tagged<HttpResponseOk<Org>>> {
        let handler = orgs::update(
            &rqctx,
            path.into_inner(),
            if_match.into_inner(),
            body.into_inner(),
        );
        run(&rqctx, handler).await
    }

    async fn org_delete(
        rqctx: RequestContext<AppState>,
        path: PathParams<OrgPath>,
        if_match: dropshot::Header<IfMatchETag>,
    ) -> ApiResult<HttpResponseDeleted> {
        let handler = orgs::delete(&rqctx, path.into_inner(), if_match.into_inner());
        run(&rqctx, handler).await
    }

    async fn member_list(
        rqctx: RequestContext<AppState>,
        path: PathParams<OrgPath>,
        query: QueryParams<PageParams>,
    ) -> ApiResult<HttpResponseOk<Page<Member>>> {
        run(
            &rqctx,
            members::list(&rqctx, path.into_inner(), query.into_inner()),
        )
        .await
    }

    async fn member_set(
        rqctx: RequestContext<AppState>,
        path: PathParams<MemberPath>,
        if_match: dropshot::Header<IfMatchETag>,
        body: JsonBody<SetMemberRole>,
    ) -> ApiResult<Tagged<HttpResponseOk<Member>>> {
        let handler = members::set(
            &rqctx,
            path.into_inner(),
            if_match.into_inner(),
            body.into_inner(),
        );
        run(&rqctx, handler).await
    }

    async fn member_remove(
        rqctx: RequestContext<AppState>,
        path: PathParams<MemberPath>,
        if_match: dropshot::Header<IfMatchETag>,
    ) -> ApiResult<HttpResponseDeleted> {
        let handler = members::remove(&rqctx, path.into_inner(), if_match.into_inner());
        run(&rqctx, handler).await
    }

    async fn project_create(
        rqctx: RequestContext<AppState>,
        path: PathParams<OrgPath>,
        idempotency_key: dropshot::Header<IdempotencyKeyHeader>,
        body: JsonBody<ProjectInput>,
    ) -> ApiResult<Created<Project>> {
        let handler = projects::create(
            &rqctx,
            path.into_inner(),
            idempotency_key.into_inner(),
            body.into_inner(),
        );
        run(&rqctx, handler).await
    }

    async fn project_list(
        rqctx: RequestContext<AppState>,
        path: PathParams<OrgPath>,
        query: QueryParams<PageParams>,
    ) -> ApiResult<HttpResponseOk<Page<Project>>> {
        run(
            &rqctx,
            projects::list(&rqctx, path.into_inner(), query.into_inner()),
        )
        .await
    }

    async fn project_get(
        rqctx: RequestContext<AppState>,
        path: PathParams<ProjectPath>,
        if_none_match: dropshot::Header<IfNoneMatchETag>,
    ) -> ApiResult<Conditional<Tagged<HttpResponseOk<Project>>>> {
        let handler = projects::get(&rqctx, path.into_inner(), if_none_match.into_inner());
        run(&rqctx, handler).await
    }

    async fn project_update(
        rqctx: RequestContext<AppState>,
        path: PathParams<ProjectPath>,
        if_match: dropshot::Header<IfMatchETag>,
        body: JsonBody<ProjectInput>,
    ) -> ApiResult<Tagged<HttpResponseOk<Project>>> {
        let handler = projects::update(
            &rqctx,
            path.into_inner(),
            if_match.into_inner(),
            body.into_inner(),
        );
        run(&rqctx, handler).await
    }

    async fn project_delete(
        rqctx: RequestContext<AppState>,
        path: PathParams<ProjectPath>,
        if_match: dropshot::Header<IfMatchETag>,
    ) -> ApiResult<HttpResponseDeleted> {
        let handler = projects::delete(&rqctx, path.into_inner(), if_match.into_inner());
        run(&rqctx, handler).await
    }

    async fn config_list(
        rqctx: RequestContext<AppState>,
        query: QueryParams<ConfigListQuery>,
    ) -> ApiResult<HttpResponseOk<Page<ConfigEntry>>> {
        run(&rqctx, configs::list(&rqctx, query.into_inner())).await
    }

    async fn config_get(
        rqctx: RequestContext<AppState>,
        path: PathParams<ConfigPath>,
        query: QueryParams<ServiceQuery>,
    ) -> ApiResult<Tagged<HttpResponseOk<ConfigEntry>>> {
        run(
            &rqctx,
            configs::get(&rqctx, path.into_inner(), query.into_inner()),
        )
        .await
    }

    async fn config_put(
        rqctx: RequestContext<AppState>,
        path: PathParams<ConfigPath>,
        query: QueryParams<ServiceQuery>,
        if_match: dropshot::Header<IfMatchHeader>,
        body: JsonBody<PutConfig>,
    ) -> ApiResult<Tagged<HttpResponseOk<ConfigEntry>>> {
        let handler = configs::put(
            &rqctx,
            path.into_inner(),
            query.into_inner(),
            if_match.into_inner(),
            body.into_inner(),
        );
        run(&rqctx, handler).await
    }

    async fn config_history(
        rqctx: RequestContext<AppState>,
        path: PathParams<ConfigPath>,
        query: QueryParams<ConfigListQuery>,
    ) -> ApiResult<HttpResponseOk<Page<ConfigChange>>> {
        run(
            &rqctx,
            configs::history(&rqctx, path.into_inner(), query.into_inner()),
        )
        .await
    }

    async fn config_list_v2(
        rqctx: RequestContext<AppState>,
        query: CursorQuery<ConfigScan>,
    ) -> ApiResult<HttpResponseOk<ResultsPage<ConfigEntry>>> {
        run(&rqctx, configs::list_v2(&rqctx, query.into_inner())).await
    }

    async fn config_history_v2(
        rqctx: RequestContext<AppState>,
        path: PathParams<ConfigPath>,
        query: CursorQuery<ConfigScan>,
    ) -> ApiResult<HttpResponseOk<ResultsPage<ConfigChange>>> {
        let handler = configs::history_v2(&rqctx, path.into_inner(), query.into_inner());
        run(&rqctx, handler).await
    }

    async fn runtime_config(
        rqctx: RequestContext<AppState>,
    ) -> ApiResult<HttpResponseOk<RuntimeConfig>> {
        run(&rqctx, configs::runtime(&rqctx)).await
    }

    async fn metrics(rqctx: RequestContext<AppState>) -> Result<http::Response<Body>, ApiError> {
        http::Response::builder()
            .header(http::header::CONTENT_TYPE, "text/plain; version=0.0.4")
            .body(Body::from(health::metrics(rqctx.context())))
            .map_err(ApiError::internal)
    }

    async fn docs_file(
        rqctx: RequestContext<AppState>,
        path: PathParams<DocsPath>,
    ) -> Result<http::Response<Body>, ApiError> {
        let file = path.into_inner().path.join("/");
        if file.is_empty() && !rqctx.request.uri().path().ends_with('/') {
            return docs::redirect_to_index();
        }
        docs::file(&file).map_err(|e| e.with_request_id(&rqctx.request_id))
    }
}
