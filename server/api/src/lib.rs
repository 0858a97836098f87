//! `backend-api`: the backend's HTTP contract.
//!
//! This crate holds the dropshot API trait ([`BackendApi`]), its wire types,
//! the error envelope and the request extractors; it has no database or Redis
//! code, so the OpenAPI document and the error catalog are produced from it
//! without compiling or running the server (`backend openapi`,
//! `backend error-catalog`). The checked-in `openapi/backend.yaml` and
//! `docs/api/error-catalog.md` are compared with what this crate emits by a
//! test, so the contract cannot drift from the code.

mod api;
pub mod catalog;
pub mod error;
pub mod extract;
mod openapi;
pub mod operations;
pub mod reply;
pub mod types;

pub use api::{BackendApi, Created, NoStore, Tagged, backend_api_mod};
pub use error::{ApiError, ClientAction, ErrorCode};
pub use extract::{CursorQuery, JsonBody, PathParams, QueryParams};
pub use openapi::{openapi_document, openapi_yaml};
pub use reply::{ApiResult, Conditional, Reply};

/// The API version written into the document (the crate version).
pub const API_VERSION: &str = env!("CARGO_PKG_VERSION");
