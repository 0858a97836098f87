//! Fixed-window rate limit shared by all replicas through Redis.
//!
//! Key: `{prefix}ratelimit:{bucket}:{client}:{window}`, counted with INCR and
//! expired with the window, so replicas agree and nothing accumulates.

use backend_api::{ApiError, ErrorCode};
use fred::prelude::*;

const WINDOW_SECONDS: i64 = 60;

/// Counts one hit for `client` in `bucket`; errors with 429 and `Retry-After`
/// once `limit` hits happened in the current minute.
pub async fn hit(
    redis: &Client,
    prefix: &str,
    bucket: &str,
    client: &str,
    limit: u32,
) -> Result<(), ApiError> {
    let now = chrono::Utc::now().timestamp();
    let window = now / WINDOW_SECONDS;
    let key = format!("{prefix}ratelimit:{bucket}:{client}:{window}");
    let unavailable =
        |e: fred::error::Error| ApiError::unavailable("rate limiter unavailable").with_internal(e);
    let count: i64 = redis.incr(&key).await.map_err(unavailable)?;
    if count == 1 {
        redis
            .expire::<(), _>(&key, WINDOW_SECONDS, None)
            .await
            .map_err(unavailable)?;
    }
    if count > i64::from(limit) {
        let retry_after = (window + 1) * WINDOW_SECONDS - now;
        return Err(ApiError::new(
            ErrorCode::RateLimitExceeded,
            format!("at most {limit} guest sign-ins per minute from one address"),
        )
        .with_retry_after(retry_after.max(1) as u64));
    }
    Ok(())
}
