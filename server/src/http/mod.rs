//! The implementation of [`BackendApi`]: each method delegates to the module
//! of its resource and turns the outcome into a [`Reply`].

mod auth;
mod db_error;
mod health;
mod members;
mod orgs;
mod page;
mod projects;
mod session;

use crate::context::AppState;
use backend_api::types::*;
use backend_api::{
    ApiError, ApiResult, BackendApi, Created, JsonBody, PathParams, QueryParams, Reply,
};
use dropshot::{
    Body, HttpResponseCreated, HttpResponseDeleted, HttpResponseOk, HttpResponseUpdatedNoContent,
    RequestContext,
};

pub use db_error::db_error;

/// The server's implementation of the API trait.
pub enum ServerImpl {}

/// Finishes a handler: stamps the request id on an error, logs its hidden
/// cause (5xx at error level, 4xx at debug), and wraps it for the client.
fn respond<R>(rqctx: &RequestContext<AppState>, result: Result<R, ApiError>) -> ApiResult<R> {
    Ok(Reply::from(result.map_err(|e| {
        let e = e.with_request_id(&rqctx.request_id);
        if e.error.status() >= 500 {
            slog::error!(rqctx.log, "request failed"; "error" => %e);
        } else {
            slog::debug!(rqctx.log, "request rejected"; "error" => %e);
        }
        e
    })))
}

/// The dropshot API description for the server.
pub fn api() -> dropshot::ApiDescription<AppState> {
    backend_api::backend_api_mod::api_description::<ServerImpl>()
        .expect("the API trait implementation registers")
}

impl BackendApi for ServerImpl {
    type Context = AppState;

    async fn health(rqctx: RequestContext<AppState>) -> ApiResult<HttpResponseOk<Health>> {
        respond(
            &rqctx,
            Ok(HttpResponseOk(Health {
                status: "ok".into(),
            })),
        )
    }

    async fn ready(rqctx: RequestContext<AppState>) -> ApiResult<HttpResponseOk<Readiness>> {
        let result = health::ready(rqctx.context()).await;
        respond(&rqctx, result)
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
    ) -> ApiResult<HttpResponseCreated<TokenResponse>> {
        let result = auth::guest(&rqctx).await;
        respond(&rqctx, result)
    }

    async fn auth_refresh(
        rqctx: RequestContext<AppState>,
    ) -> ApiResult<HttpResponseOk<TokenResponse>> {
        let result = auth::refresh(&rqctx).await;
        respond(&rqctx, result)
    }

    async fn auth_logout(
        rqctx: RequestContext<AppState>,
    ) -> ApiResult<HttpResponseUpdatedNoContent> {
        let result = auth::logout(&rqctx).await;
        respond(&rqctx, result)
    }

    async fn auth_me(rqctx: RequestContext<AppState>) -> ApiResult<HttpResponseOk<User>> {
        let result = auth::me(&rqctx).await;
        respond(&rqctx, result)
    }

    async fn org_create(
        rqctx: RequestContext<AppState>,
        body: JsonBody<CreateOrg>,
    ) -> ApiResult<Created<Org>> {
        let result = orgs::create(&rqctx, body.into_inner()).await;
        respond(&rqctx, result)
    }

    async fn org_list(
        rqctx: RequestContext<AppState>,
        query: QueryParams<PageParams>,
    ) -> ApiResult<HttpResponseOk<Page<Org>>> {
        let result = orgs::list(&rqctx, query.into_inner()).await;
        respond(&rqctx, result)
    }

    async fn org_get(
        rqctx: RequestContext<AppState>,
        path: PathParams<OrgPath>,
    ) -> ApiResult<HttpResponseOk<Org>> {
        let result = orgs::get(&rqctx, path.into_inner()).await;
        respond(&rqctx, result)
    }

    async fn org_update(
        rqctx: RequestContext<AppState>,
        path: PathParams<OrgPath>,
        body: JsonBody<UpdateOrg>,
    ) -> ApiResult<HttpResponseOk<Org>> {
        let result = orgs::update(&rqctx, path.into_inner(), body.into_inner()).await;
        respond(&rqctx, result)
    }

    async fn org_delete(
        rqctx: RequestContext<AppState>,
        path: PathParams<OrgPath>,
    ) -> ApiResult<HttpResponseDeleted> {
        let result = orgs::delete(&rqctx, path.into_inner()).await;
        respond(&rqctx, result)
    }

    async fn member_list(
        rqctx: RequestContext<AppState>,
        path: PathParams<OrgPath>,
        query: QueryParams<PageParams>,
    ) -> ApiResult<HttpResponseOk<Page<Member>>> {
        let result = members::list(&rqctx, path.into_inner(), query.into_inner()).await;
        respond(&rqctx, result)
    }

    async fn member_set(
        rqctx: RequestContext<AppState>,
        path: PathParams<MemberPath>,
        body: JsonBody<SetMemberRole>,
    ) -> ApiResult<HttpResponseOk<Member>> {
        let result = members::set(&rqctx, path.into_inner(), body.into_inner()).await;
        respond(&rqctx, result)
    }

    async fn member_remove(
        rqctx: RequestContext<AppState>,
        path: PathParams<MemberPath>,
    ) -> ApiResult<HttpResponseDeleted> {
        let result = members::remove(&rqctx, path.into_inner()).await;
        respond(&rqctx, result)
    }

    async fn project_create(
        rqctx: RequestContext<AppState>,
        path: PathParams<OrgPath>,
        body: JsonBody<ProjectInput>,
    ) -> ApiResult<Created<Project>> {
        let result = projects::create(&rqctx, path.into_inner(), body.into_inner()).await;
        respond(&rqctx, result)
    }

    async fn project_list(
        rqctx: RequestContext<AppState>,
        path: PathParams<OrgPath>,
        query: QueryParams<PageParams>,
    ) -> ApiResult<HttpResponseOk<Page<Project>>> {
        let result = projects::list(&rqctx, path.into_inner(), query.into_inner()).await;
        respond(&rqctx, result)
    }

    async fn project_get(
        rqctx: RequestContext<AppState>,
        path: PathParams<ProjectPath>,
    ) -> ApiResult<HttpResponseOk<Project>> {
        let result = projects::get(&rqctx, path.into_inner()).await;
        respond(&rqctx, result)
    }

    async fn project_update(
        rqctx: RequestContext<AppState>,
        path: PathParams<ProjectPath>,
        body: JsonBody<ProjectInput>,
    ) -> ApiResult<HttpResponseOk<Project>> {
        let result = projects::update(&rqctx, path.into_inner(), body.into_inner()).await;
        respond(&rqctx, result)
    }

    async fn project_delete(
        rqctx: RequestContext<AppState>,
        path: PathParams<ProjectPath>,
    ) -> ApiResult<HttpResponseDeleted> {
        let result = projects::delete(&rqctx, path.into_inner()).await;
        respond(&rqctx, result)
    }
}
