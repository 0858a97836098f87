//! Per-client rate limits (guest sign-in, token refresh).
//!
//! Normally one fixed window shared by all replicas through Redis:
//! `{prefix}ratelimit:{bucket}:{client}:{window}`, counted with INCR and
//! expired with the window, so replicas agree and nothing accumulates.
//!
//! When Redis cannot answer at once (down, reconnecting, or slower than
//! [`REDIS_BUDGET`]), the decision falls back to this replica's own limiter
//! (GCRA from `governor`, the same number per minute): the limit then holds
//! per replica, so a client spread over n replicas gets at most n times it.
//! That is a degradation, never "no limit", and never a 503.

use super::AuthError;
use crate::traces::redis_command;
use fred::prelude::*;
use fred::types::config::Options;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const WINDOW_SECONDS: i64 = 60;

/// How long a limit check may wait for Redis before deciding locally.
pub const REDIS_BUDGET: Duration = Duration::from_millis(250);

/// One limited action (a Redis key part and a metric label).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bucket {
    GuestSignin,
    Refresh,
}

impl Bucket {
    pub fn as_str(self) -> &'static str {
        match self {
            Bucket::GuestSignin => "guest-signin",
            Bucket::Refresh => "refresh",
        }
    }

    pub fn what(self) -> &'static str {
        match self {
            Bucket::GuestSignin => "guest sign-ins per minute from one address",
            Bucket::Refresh => "token refreshes per minute for one user",
        }
    }
}

type Keyed = std::sync::Arc<DefaultKeyedRateLimiter<String>>;

/// The per-replica fallback: one keyed limiter per (bucket, limit).
pub struct LocalLimiter {
    limiters: Mutex<Vec<(Bucket, u32, Keyed)>>,
    last_cleanup: Mutex<Instant>,
}

impl Default for LocalLimiter {
    fn default() -> Self {
        LocalLimiter {
            limiters: Mutex::new(Vec::new()),
            last_cleanup: Mutex::new(Instant::now()),
        }
    }
}

impl LocalLimiter {
    fn limiter(&self, bucket: Bucket, limit: u32) -> Keyed {
        let mut limiters = self.limiters.lock().expect("limiter lock");
        if let Some((_, _, l)) = limiters
            .iter()
            .find(|(b, n, _)| *b == bucket && *n == limit)
        {
            return l.clone();
        }
        let per_minute = NonZeroU32::new(limit.max(1)).expect("at least 1");
        let limiter = std::sync::Arc::new(RateLimiter::keyed(Quota::per_minute(per_minute)));
        limiters.push((bucket, limit, limiter.clone()));
        limiter
    }

    /// Counts one hit; `Err(seconds)` when over the limit.
    pub fn hit(&self, bucket: Bucket, client: &str, limit: u32) -> Result<(), u64> {
        let limiter = self.limiter(bucket, limit);
        {
            // Forget idle clients now and then, so the map stays small.
            let mut last = self.last_cleanup.lock().expect("limiter lock");
            if last.elapsed() > Duration::from_secs(60) {
                *last = Instant::now();
                limiter.retain_recent();
            }
        }
        limiter.check_key(&client.to_owned()).map_err(|not_until| {
            let wait = not_until.wait_time_from(governor::clock::Clock::now(
                &governor::clock::DefaultClock::default(),
            ));
            wait.as_secs().max(1)
        })
    }
}

fn exceeded(bucket: Bucket, limit: u32, retry_after: u64) -> AuthError {
    AuthError::RateLimited {
        bucket,
        limit,
        retry_after: retry_after.max(1),
    }
}

/// Counts one hit for `client` in `bucket`; errors with 429 and `Retry-After`
/// once `limit` hits happened in the current minute.
pub async fn hit(
    redis: &Client,
    local: &LocalLimiter,
    on_fallback: impl FnOnce(),
    prefix: &str,
    bucket: Bucket,
    client: &str,
    limit: u32,
) -> Result<(), AuthError> {
    let now = chrono::Utc::now().timestamp();
    let window = now / WINDOW_SECONDS;
    let key = format!("{prefix}ratelimit:{}:{client}:{window}", bucket.as_str());
    let options = Options {
        fail_fast: true,
        timeout: Some(REDIS_BUDGET),
        max_attempts: Some(1),
        ..Default::default()
    };
    let redis = redis.with_options(&options);
    let counted: Result<i64, fred::error::Error> = async {
        let count: i64 = redis_command("INCR", redis.incr(&key)).await?;
        if count == 1 {
            redis_command("EXPIRE", redis.expire::<(), _>(&key, WINDOW_SECONDS, None)).await?;
        }
        Ok(count)
    }
    .await;
    match counted {
        Ok(count) if count > i64::from(limit) => {
            let retry_after = (window + 1) * WINDOW_SECONDS - now;
            Err(exceeded(bucket, limit, retry_after.max(1) as u64))
        }
        Ok(_) => Ok(()),
        Err(_) => {
            on_fallback();
            local
                .hit(bucket, client, limit)
                .map_err(|retry_after| exceeded(bucket, limit, retry_after))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_local_limiter_allows_the_limit_then_refuses_per_client() {
        let local = LocalLimiter::default();
        for _ in 0..3 {
            assert!(local.hit(Bucket::GuestSignin, "a", 3).is_ok());
        }
        let retry = local.hit(Bucket::GuestSignin, "a", 3).unwrap_err();
        assert!((1..=60).contains(&retry), "{retry}");
        assert!(local.hit(Bucket::GuestSignin, "b", 3).is_ok(), "own bucket");
        assert!(local.hit(Bucket::Refresh, "a", 3).is_ok(), "own action");
    }
}
