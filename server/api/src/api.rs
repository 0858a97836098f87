//! The HTTP interface, and nothing else: every endpoint of the backend is a
//! method of [`BackendApi`]. Doc comments here become the OpenAPI text.
//!
//! Errors: every method declares `ApiError`, so the document gives each
//! operation `4XX`/`5XX` responses with the envelope schema. Handlers return
//! their own errors as `Ok(Reply::Err(..))` (see [`crate::reply`]).

use crate::error::ApiError;
use crate::extract::{CursorQuery, JsonBody, PathParams, QueryParams};
use crate::reply::{ApiResult, Conditional};
use crate::types::*;
use dropshot::{
    Body, HttpResponseCreated, HttpResponseDeleted, HttpResponseHeaders, HttpResponseOk,
    HttpResponseUpdatedNoContent, RequestContext, ResultsPage,
};

/// A 201 with a `Location` header.
pub type Created<T> = HttpResponseHeaders<HttpResponseCreated<T>, LocationHeader>;

/// A response with the resource's `ETag`.
pub type Tagged<R> = HttpResponseHeaders<R, ETagHeader>;

/// A response carrying a token, with `Cache-Control: no-store`.
pub type NoStore<R> = HttpResponseHeaders<R, NoStoreHeader>;

#[dropshot::api_description]
pub trait BackendApi {
    type Context: Send + Sync + 'static;

    /// Liveness probe
    ///
    /// Answers as long as the process runs; never touches PostgreSQL or Redis.
    #[endpoint { method = GET, path = "/health", tags = ["Health"] }]
    async fn health(rqctx: RequestContext<Self::Context>) -> ApiResult<HttpResponseOk<Health>>;

    /// Readiness probe
    ///
    /// 200 when PostgreSQL answers within its timeout and the schema is at
    /// the binary's migration version; otherwise 503 `SERVICE_UNAVAILABLE`
    /// with the failing checks in `details.checks`. Redis is reported but
    /// never makes a replica unready: without it the replica still serves
    /// everything (status `degraded`, `checks.redis` says why).
    #[endpoint { method = GET, path = "/ready", tags = ["Health"] }]
    async fn ready(rqctx: RequestContext<Self::Context>) -> ApiResult<HttpResponseOk<Readiness>>;

    /// The live OpenAPI document of this server.
    #[endpoint { method = GET, path = "/openapi.json", unpublished = true }]
    async fn openapi_json(
        rqctx: RequestContext<Self::Context>,
    ) -> Result<http::Response<Body>, ApiError>;

    /// Sign in as a new guest
    ///
    /// Creates a user with a generated `guest-NNNN` name (no personal data is
    /// stored) and returns a bearer token for it. Any request body is ignored.
    /// Rate-limited per client address (429 `RATE_LIMIT_EXCEEDED`).
    #[endpoint { method = POST, path = "/api/v1/auth/guest", tags = ["Auth"] }]
    async fn auth_guest(
        rqctx: RequestContext<Self::Context>,
    ) -> ApiResult<NoStore<HttpResponseCreated<TokenResponse>>>;

    /// Exchange a valid token for a new one
    ///
    /// The presented token is revoked (durably, before the answer); only the
    /// returned one works afterwards. Rate-limited per user (429
    /// `RATE_LIMIT_EXCEEDED`).
    #[endpoint { method = POST, path = "/api/v1/auth/refresh", tags = ["Auth"] }]
    async fn auth_refresh(
        rqctx: RequestContext<Self::Context>,
    ) -> ApiResult<NoStore<HttpResponseOk<TokenResponse>>>;

    /// Revoke the presented token
    ///
    /// The token's id is stored in PostgreSQL before the 204 and denied by
    /// every replica until the token would have expired: at once by the one
    /// that answered, within milliseconds by the others (at most about 2 s
    /// while Redis is down). Any later use answers 401 `TOKEN_REVOKED`. Admin
    /// tokens are revoked the same way.
    #[endpoint { method = POST, path = "/api/v1/auth/logout", tags = ["Auth"] }]
    async fn auth_logout(
        rqctx: RequestContext<Self::Context>,
    ) -> ApiResult<HttpResponseUpdatedNoContent>;

    /// The signed-in user
    ///
    /// The guest the bearer token was issued to: id, generated username and
    /// creation time. Nothing else is stored about a guest.
    #[endpoint { method = GET, path = "/api/v1/auth/me", tags = ["Auth"] }]
    async fn auth_me(rqctx: RequestContext<Self::Context>) -> ApiResult<HttpResponseOk<User>>;

    /// Create an organization
    ///
    /// The caller becomes its `owner`. The slug is derived from the name when
    /// absent. With an `Idempotency-Key`, a retry of the same request answers
    /// the first request's 201 again instead of creating another.
    #[endpoint { method = POST, path = "/api/v1/orgs", tags = ["Organizations"] }]
    async fn org_create(
        rqctx: RequestContext<Self::Context>,
        idempotency_key: dropshot::Header<IdempotencyKeyHeader>,
        body: JsonBody<OrgInput>,
    ) -> ApiResult<Created<Org>>;

    /// List the caller's organizations, newest first
    ///
    /// Only organizations the caller is a member of exist for it; each comes
    /// with the caller's role. `limit` 1-100 (default 20), `offset` from 0.
    #[endpoint { method = GET, path = "/api/v1/orgs", tags = ["Organizations"] }]
    async fn org_list(
        rqctx: RequestContext<Self::Context>,
        query: QueryParams<PageParams>,
    ) -> ApiResult<HttpResponseOk<Page<Org>>>;

    /// List the caller's organizations with a cursor, newest first
    ///
    /// The same organizations as `GET /api/v1/orgs`, in pages that do not
    /// shift when organizations are created or deleted meanwhile: pass
    /// `next_page` back as `page_token` until it is absent. `limit` 1-100
    /// (default 100). The generated client walks it as a stream
    /// (`org_list_v2_stream`).
    #[endpoint { method = GET, path = "/api/v2/orgs", tags = ["Organizations"] }]
    async fn org_list_v2(
        rqctx: RequestContext<Self::Context>,
        query: CursorQuery,
    ) -> ApiResult<HttpResponseOk<ResultsPage<Org>>>;

    /// Get an organization by id or slug
    ///
    /// `{org}` is the organization's UUID or its slug. An organization the
    /// caller is not a member of answers 404 `ORG_NOT_FOUND`, exactly like one
    /// that does not exist. The `ETag` is its version; `If-None-Match`
    /// (optional) with the current one answers 304 without a body.
    #[endpoint { method = GET, path = "/api/v1/orgs/{org}", tags = ["Organizations"] }]
    async fn org_get(
        rqctx: RequestContext<Self::Context>,
        path: PathParams<OrgPath>,
        if_none_match: dropshot::Header<IfNoneMatchETag>,
    ) -> ApiResult<Conditional<Tagged<HttpResponseOk<Org>>>>;

    /// Rename an organization or change its slug (owner or admin)
    ///
    /// `name` is required; `slug` is kept when absent. A slug another
    /// organization uses answers 409 `ORG_SLUG_CONFLICT`; a plain member gets
    /// 403 `FORBIDDEN`. `If-Match` is optional: with it, the change applies
    /// only to that version (412 `PRECONDITION_FAILED` with the current `ETag`
    /// otherwise).
    #[endpoint { method = PUT, path = "/api/v1/orgs/{org}", tags = ["Organizations"] }]
    async fn org_update(
        rqctx: RequestContext<Self::Context>,
        path: PathParams<OrgPath>,
        if_match: dropshot::Header<IfMatchETag>,
        body: JsonBody<OrgInput>,
    ) -> ApiResult<Tagged<HttpResponseOk<Org>>>;

    /// Delete an organization with its projects and memberships (owner only)
    ///
    /// Irreversible. Admins and members get 403 `FORBIDDEN`. `If-Match` is
    /// optional: with it, only that version is deleted (412 otherwise).
    #[endpoint { method = DELETE, path = "/api/v1/orgs/{org}", tags = ["Organizations"] }]
    async fn org_delete(
        rqctx: RequestContext<Self::Context>,
        path: PathParams<OrgPath>,
        if_match: dropshot::Header<IfMatchETag>,
    ) -> ApiResult<HttpResponseDeleted>;

    /// List the members of an organization
    ///
    /// Every member may see the others' user ids, usernames and roles, oldest
    /// membership first.
    #[endpoint { method = GET, path = "/api/v1/orgs/{org}/members", tags = ["Organizations"] }]
    async fn member_list(
        rqctx: RequestContext<Self::Context>,
        path: PathParams<OrgPath>,
        query: QueryParams<PageParams>,
    ) -> ApiResult<HttpResponseOk<Page<Member>>>;

    /// List the members of an organization with a cursor, oldest first
    ///
    /// As `GET /api/v1/orgs/{org}/members`, in pages that do not shift when
    /// members come or go meanwhile (`next_page` → `page_token`).
    #[endpoint { method = GET, path = "/api/v2/orgs/{org}/members", tags = ["Organizations"] }]
    async fn member_list_v2(
        rqctx: RequestContext<Self::Context>,
        path: PathParams<OrgPath>,
        query: CursorQuery,
    ) -> ApiResult<HttpResponseOk<ResultsPage<Member>>>;

    /// Add a member or change a member's role (owner or admin)
    ///
    /// Only an owner may grant or take away `owner`. An organization always
    /// keeps at least one owner (409 `LAST_OWNER`). `If-Match` is optional:
    /// with the membership's `ETag` the change applies only to that version,
    /// with `*` only to an existing membership (412 otherwise).
    #[endpoint { method = PUT, path = "/api/v1/orgs/{org}/members/{user_id}", tags = ["Organizations"] }]
    async fn member_set(
        rqctx: RequestContext<Self::Context>,
        path: PathParams<MemberPath>,
        if_match: dropshot::Header<IfMatchETag>,
        body: JsonBody<SetMemberRole>,
    ) -> ApiResult<Tagged<HttpResponseOk<Member>>>;

    /// Remove a member (owner or admin; anyone may remove themselves)
    ///
    /// Admins cannot remove owners. Removing the last owner answers 409
    /// `LAST_OWNER`; a user who is not a member answers 404 `USER_NOT_FOUND`.
    /// `If-Match` is optional: with it, only that version is removed.
    #[endpoint { method = DELETE, path = "/api/v1/orgs/{org}/members/{user_id}", tags = ["Organizations"] }]
    async fn member_remove(
        rqctx: RequestContext<Self::Context>,
        path: PathParams<MemberPath>,
        if_match: dropshot::Header<IfMatchETag>,
    ) -> ApiResult<HttpResponseDeleted>;

    /// Create a project in an organization (owner or admin)
    ///
    /// The slug is derived from the name when absent and must be unique within
    /// the organization (409 `PROJECT_SLUG_CONFLICT`). Answers 201 with the
    /// project's path in `Location`. With an `Idempotency-Key`, a retry of the
    /// same request answers the first request's 201 again instead of creating
    /// another project.
    #[endpoint { method = POST, path = "/api/v1/orgs/{org}/projects", tags = ["Projects"] }]
    async fn project_create(
        rqctx: RequestContext<Self::Context>,
        path: PathParams<OrgPath>,
        idempotency_key: dropshot::Header<IdempotencyKeyHeader>,
        body: JsonBody<ProjectInput>,
    ) -> ApiResult<Created<Project>>;

    /// List an organization's projects, newest first
    ///
    /// Any member may list them. `limit` 1-100 (default 20), `offset` from 0.
    #[endpoint { method = GET, path = "/api/v1/orgs/{org}/projects", tags = ["Projects"] }]
    async fn project_list(
        rqctx: RequestContext<Self::Context>,
        path: PathParams<OrgPath>,
        query: QueryParams<PageParams>,
    ) -> ApiResult<HttpResponseOk<Page<Project>>>;

    /// List an organization's projects with a cursor, newest first
    ///
    /// As `GET /api/v1/orgs/{org}/projects`, in pages that do not shift when
    /// projects are created or deleted meanwhile (`next_page` →
    /// `page_token`). The generated client walks it as a stream
    /// (`project_list_v2_stream`).
    #[endpoint { method = GET, path = "/api/v2/orgs/{org}/projects", tags = ["Projects"] }]
    async fn project_list_v2(
        rqctx: RequestContext<Self::Context>,
        path: PathParams<OrgPath>,
        query: CursorQuery,
    ) -> ApiResult<HttpResponseOk<ResultsPage<Project>>>;

    /// Get a project
    ///
    /// A project of an organization the caller is not a member of answers 404
    /// `PROJECT_NOT_FOUND`, exactly like one that does not exist. The `ETag`
    /// is its version; `If-None-Match` (optional) with the current one answers
    /// 304 without a body.
    #[endpoint { method = GET, path = "/api/v1/projects/{id}", tags = ["Projects"] }]
    async fn project_get(
        rqctx: RequestContext<Self::Context>,
        path: PathParams<ProjectPath>,
        if_none_match: dropshot::Header<IfNoneMatchETag>,
    ) -> ApiResult<Conditional<Tagged<HttpResponseOk<Project>>>>;

    /// Rename a project or change its slug (owner or admin of its organization)
    ///
    /// `name` is required; `slug` is kept when absent. Plain members get 403
    /// `FORBIDDEN`. `If-Match` is optional: with it, the change applies only
    /// to that version (412 `PRECONDITION_FAILED` with the current `ETag`
    /// otherwise).
    #[endpoint { method = PUT, path = "/api/v1/projects/{id}", tags = ["Projects"] }]
    async fn project_update(
        rqctx: RequestContext<Self::Context>,
        path: PathParams<ProjectPath>,
        if_match: dropshot::Header<IfMatchETag>,
        body: JsonBody<ProjectInput>,
    ) -> ApiResult<Tagged<HttpResponseOk<Project>>>;

    /// Delete a project (owner or admin of its organization)
    ///
    /// Irreversible. Plain members get 403 `FORBIDDEN`. `If-Match` is
    /// optional: with it, only that version is deleted (412 otherwise).
    #[endpoint { method = DELETE, path = "/api/v1/projects/{id}", tags = ["Projects"] }]
    async fn project_delete(
        rqctx: RequestContext<Self::Context>,
        path: PathParams<ProjectPath>,
        if_match: dropshot::Header<IfMatchETag>,
    ) -> ApiResult<HttpResponseDeleted>;

    /// List the configuration of a service (admin token)
    ///
    /// Values may be secrets, so only admin tokens read them; a guest gets 403
    /// `FORBIDDEN`. Entries come from PostgreSQL, ordered by key; `service`
    /// defaults to `backend`.
    #[endpoint { method = GET, path = "/api/v1/configs", tags = ["Configs"] }]
    async fn config_list(
        rqctx: RequestContext<Self::Context>,
        query: QueryParams<ConfigListQuery>,
    ) -> ApiResult<HttpResponseOk<Page<ConfigEntry>>>;

    /// Get one configuration entry (admin token)
    ///
    /// The stored value and its version (also the `ETag`, `"<version>"`);
    /// `service` defaults to `backend`.
    #[endpoint { method = GET, path = "/api/v1/configs/{key}", tags = ["Configs"] }]
    async fn config_get(
        rqctx: RequestContext<Self::Context>,
        path: PathParams<ConfigPath>,
        query: QueryParams<ServiceQuery>,
    ) -> ApiResult<Tagged<HttpResponseOk<ConfigEntry>>>;

    /// Set a configuration entry (admin token)
    ///
    /// Creates the key or bumps its version by one, records the change in the
    /// history, and notifies every replica (which reloads the entry from
    /// PostgreSQL within milliseconds). With `If-Match: <version>` the write
    /// only happens if the stored version is that one (412 `VERSION_CONFLICT`
    /// with the stored version's `ETag` otherwise). The answer's `ETag` is the
    /// new version.
    #[endpoint { method = PUT, path = "/api/v1/configs/{key}", tags = ["Configs"] }]
    async fn config_put(
        rqctx: RequestContext<Self::Context>,
        path: PathParams<ConfigPath>,
        query: QueryParams<ServiceQuery>,
        if_match: dropshot::Header<IfMatchHeader>,
        body: JsonBody<PutConfig>,
    ) -> ApiResult<Tagged<HttpResponseOk<ConfigEntry>>>;

    /// The audit history of a configuration entry, newest first (admin token)
    ///
    /// One row per write: old and new value, version, who wrote it (the admin
    /// token's subject), when, and the reason given.
    #[endpoint { method = GET, path = "/api/v1/configs/{key}/history", tags = ["Configs"] }]
    async fn config_history(
        rqctx: RequestContext<Self::Context>,
        path: PathParams<ConfigPath>,
        query: QueryParams<ConfigListQuery>,
    ) -> ApiResult<HttpResponseOk<Page<ConfigChange>>>;

    /// List the configuration of a service with a cursor (admin token)
    ///
    /// The same entries as `GET /api/v1/configs`, ordered by key, in pages
    /// that do not shift when keys are created meanwhile: pass `next_page`
    /// back as `page_token` until it is absent (the page token keeps the
    /// service of the first page). `limit` 1-100 (default 100). The generated
    /// client walks it as a stream (`config_list_v2_stream`).
    #[endpoint { method = GET, path = "/api/v2/configs", tags = ["Configs"] }]
    async fn config_list_v2(
        rqctx: RequestContext<Self::Context>,
        query: CursorQuery<ConfigScan>,
    ) -> ApiResult<HttpResponseOk<ResultsPage<ConfigEntry>>>;

    /// The audit history of a configuration entry with a cursor, newest first (admin token)
    ///
    /// The same rows as `GET /api/v1/configs/{key}/history`, in pages that do
    /// not shift when the key is written meanwhile (newer writes than the
    /// first page are not part of the walk). `limit` 1-100 (default 100);
    /// the page token keeps the service of the first page. The generated
    /// client walks it as a stream (`config_history_v2_stream`).
    #[endpoint { method = GET, path = "/api/v2/configs/{key}/history", tags = ["Configs"] }]
    async fn config_history_v2(
        rqctx: RequestContext<Self::Context>,
        path: PathParams<ConfigPath>,
        query: CursorQuery<ConfigScan>,
    ) -> ApiResult<HttpResponseOk<ResultsPage<ConfigChange>>>;

    /// This replica's in-memory configuration (admin token)
    ///
    /// What the answering replica uses right now, with the time of the last
    /// event and reconcile and the state of its Redis subscriber.
    #[endpoint { method = GET, path = "/api/v1/runtime/config", tags = ["Configs"] }]
    async fn runtime_config(
        rqctx: RequestContext<Self::Context>,
    ) -> ApiResult<HttpResponseOk<RuntimeConfig>>;

    /// Prometheus metrics of this replica.
    #[endpoint { method = GET, path = "/metrics", unpublished = true }]
    async fn metrics(
        rqctx: RequestContext<Self::Context>,
    ) -> Result<http::Response<Body>, ApiError>;

    /// The API reference UI (Swagger UI rendering `/openapi.json`); `/docs`
    /// redirects to `/docs/`.
    #[endpoint { method = GET, path = "/docs/{path:.*}", unpublished = true }]
    async fn docs_file(
        rqctx: RequestContext<Self::Context>,
        path: PathParams<DocsPath>,
    ) -> Result<http::Response<Body>, ApiError>;
}
