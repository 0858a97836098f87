//! The API reference UI: Swagger UI from the `utoipa-swagger-ui` crate
//! (assets vendored in the crate, nothing fetched at run time), pointed at the
//! live `/openapi.json`.

use backend_api::{ApiError, ErrorCode};
use dropshot::Body;
use std::sync::{Arc, LazyLock};

static CONFIG: LazyLock<Arc<utoipa_swagger_ui::Config<'static>>> = LazyLock::new(|| {
    Arc::new(
        utoipa_swagger_ui::Config::from("/openapi.json")
            .display_operation_id(true)
            .persist_authorization(false),
    )
});

/// `/docs` → `/docs/`, so the UI's relative asset links resolve.
pub fn redirect_to_index() -> Result<http::Response<Body>, ApiError> {
    http::Response::builder()
        .status(http::StatusCode::PERMANENT_REDIRECT)
        .header(http::header::LOCATION, "/docs/")
        .body(Body::empty())
        .map_err(ApiError::internal)
}

pub fn file(path: &str) -> Result<http::Response<Body>, ApiError> {
    let file = utoipa_swagger_ui::serve(path, CONFIG.clone())
        .map_err(|e| ApiError::internal(format!("swagger ui: {e}")))?
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::NotFound,
                format!("no such documentation file: {path}"),
            )
        })?;
    http::Response::builder()
        .header(http::header::CONTENT_TYPE, file.content_type)
        .header(http::header::CACHE_CONTROL, "public, max-age=3600")
        .body(Body::from(file.bytes.into_owned()))
        .map_err(ApiError::internal)
}
