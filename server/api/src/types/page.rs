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

/// The `Location` header of a 201 response.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct LocationHeader {
    /// Path of the created resource.
    pub location: String,
}
