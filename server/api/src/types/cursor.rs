//! Cursor pages (`/api/v2/` lists): dropshot's pagination with a page
//! selector that is one opaque, signed cursor.
//!
//! A list is walked by keyset: each page starts strictly after the last row of
//! the one before, in a fixed order with the row's id as tie-breaker, so rows
//! inserted or deleted meanwhile never shift the rows that existed throughout:
//! each of those comes exactly once. The cursor names the list and the caller
//! and is signed by the server (HMAC-SHA256 with a key derived from the JWT
//! secret): a changed, foreign or other list's cursor answers 400.

use dropshot::{EmptyScanParams, PaginationParams};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Where the next page starts, as the server signed it.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
pub struct Cursor {
    pub cursor: String,
}

/// `limit` (1-100, default 100) and `page_token` (from `next_page`), plus
/// the list's own first-page parameters `S` (none by default). A next page
/// takes its parameters from the cursor, not the query: the generated
/// client's streams send only `page_token` and `limit` after the first page.
pub type CursorParams<S = EmptyScanParams> = PaginationParams<S, Cursor>;
