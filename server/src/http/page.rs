//! Pagination parameters shared by the list endpoints.

use backend_api::ApiError;
use backend_api::types::{Page, PageParams, Pagination};

pub const DEFAULT_LIMIT: u32 = 20;
pub const MAX_LIMIT: u32 = 100;

/// Validated `(limit, offset)`.
pub fn params(p: PageParams) -> Result<(u32, u32), ApiError> {
    let limit = p.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::validation(
            "limit",
            format!("limit must be 1-{MAX_LIMIT} (got {limit})"),
        ));
    }
    Ok((limit, p.offset.unwrap_or(0)))
}

pub fn page<T>(data: Vec<T>, limit: u32, offset: u32, total: i64) -> Page<T> {
    Page {
        data,
        pagination: Pagination {
            limit,
            offset,
            total: total.max(0) as u64,
        },
    }
}
