use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Offset pagination for list endpoints.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, JsonSchema)]
pub struct PageParams {
    /// Page size, 1–100 (default 20).
    #[schemars(range(min = 1, max = 100))]
    pub limit: Option<u32>,
    /// Rows to skip (default 0).
    #[schemars(range(min = 0, max = 4294967295u32))]
    pub offset: Option<u32>,
}

/// Where a page sits in the whole list.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Pagination {
    pub limit: u32,
    pub offset: u32,
    /// Total rows visible to the caller.
    pub total: u64,
}

/// One page of a list.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct Page<T> {
    pub data: Vec<T>,
    pub pagination: Pagination,
}

/// The headers of a 201 response.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct LocationHeader {
    /// Path of the created resource.
    pub location: String,
    /// `true` when this is the stored answer to an earlier request with the
    /// same `Idempotency-Key`, not a new creation.
    #[serde(
        rename = "idempotent-replayed",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub idempotent_replayed: Option<String>,
}

impl LocationHeader {
    /// The headers of a fresh creation at `location`.
    pub fn new(location: String) -> LocationHeader {
        LocationHeader {
            location,
            idempotent_replayed: None,
        }
    }
}

/// Optional idempotency of a create.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
pub struct IdempotencyKeyHeader {
    /// A key the client chose for this request, e.g. a UUID (a quoted string
    /// as in the IETF draft is read without its quotes). A retry with the same key and the same request
    /// gets the first answer again, with `Idempotent-Replayed: true`, for 24
    /// hours; the same key with another request answers 422
    /// `IDEMPOTENCY_KEY_REUSED`, and while the first is still running 409
    /// `IDEMPOTENCY_IN_PROGRESS`. Keys are per caller.
    #[serde(rename = "idempotency-key")]
    pub idempotency_key: Option<String>,
}
