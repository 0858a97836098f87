//! Entity tags and the preconditions that use them.
//!
//! Organizations, projects and memberships carry a `version` (1 when created,
//! one more with every change, kept by PostgreSQL triggers); their `ETag` is
//! that version as a strong entity tag, `"<version>"`. A client sends it back
//! in `If-Match` to change or delete only what it read (412
//! `PRECONDITION_FAILED` otherwise) and in `If-None-Match` to skip a body it
//! already has (304).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The `ETag` of a version: `"<version>"`.
pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// The `ETag` header of a response.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
pub struct ETagHeader {
    /// The resource's version as a strong entity tag, e.g. `"3"`.
    pub etag: String,
}

impl ETagHeader {
    pub fn for_version(version: i64) -> ETagHeader {
        ETagHeader {
            etag: etag(version),
        }
    }
}

/// Optional precondition of a change or a deletion.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
pub struct IfMatchETag {
    /// The `ETag` the caller last read (`"3"`; a comma-separated list is
    /// allowed), or `*` for "whatever exists". The request only takes effect
    /// if one of them is the current version (strong comparison: a weak tag
    /// never matches); otherwise it answers 412 `PRECONDITION_FAILED` with the
    /// current `ETag` and changes nothing. Optional: without it the change
    /// applies to the current version.
    #[serde(rename = "if-match")]
    pub if_match: Option<String>,
}

/// Optional condition of a read.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
pub struct IfNoneMatchETag {
    /// `ETag`s the caller already has, comma-separated (`"3"`, `W/"3"` or
    /// `*`). If one is the current version the answer is 304 with no body.
    #[serde(rename = "if-none-match")]
    pub if_none_match: Option<String>,
}
