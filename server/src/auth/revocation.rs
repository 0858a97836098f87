//! Token revocation: written to PostgreSQL (`token_revocations`, migration
//! V008) before the revoking request answers, held in every replica's
//! [`Denylist`], spread as a [`crate::sync::Feed`].
//!
//! - **Write** ([`Revocations::revoke`]): one statement (`app_revoke_token`)
//!   commits the row and returns its sequence number; the replica adds the id
//!   to its own denylist, so its answer (204) already holds there, then
//!   publishes an event that names the token id and the sequence number, never
//!   the token.
//! - **Event**: another replica denies the id at once and catches up from
//!   PostgreSQL by sequence at the reconcile loop's next tick (which fixes the
//!   expiry and the watermark). An event can only ever deny: a forged or
//!   stale one cannot let a token in.
//! - **Reconcile**: every `REVOCATION_RECONCILE_INTERVAL` (1 s by default),
//!   after every (re)subscribe, and at start before `/ready`, read every row
//!   past the watermark. Expired rows are pruned, in memory and in PostgreSQL
//!   (bounded batches).

use super::denylist::{Denylist, Revoked, deny_until};
use crate::db::traced::Traced;
use crate::metrics::Metrics;
use crate::sync::{Feed, Lags};
use chrono::{DateTime, Utc};
use fred::prelude::{ClientLike, PubsubInterface};
use fred::types::config::Options;
use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};
use slog::{Logger, debug, warn};
use sqlx::PgPool;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use uuid::Uuid;

/// The channel revocations are announced on (after the key prefix).
pub const CHANNEL: &str = "auth:revoked";

/// How long a revocation's answer may wait for Redis to take its event.
const PUBLISH_BUDGET: Duration = Duration::from_millis(250);
/// Rows read per catch-up query.
const BATCH: i64 = 5_000;
/// How often a replica prunes expired revocations, and how many rows at most.
const PRUNE_EVERY: Duration = Duration::from_secs(60);
const PRUNE_BATCH: i32 = 1_000;
const PRUNE_BATCHES: usize = 10;

/// Why a token was revoked (the `reason` column).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    Logout,
    Refresh,
    Admin,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Logout => "logout",
            Reason::Refresh => "refresh",
            Reason::Admin => "admin",
        }
    }
}

/// The event: which token id was revoked, as which sequence number. Ids only.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct RevocationEvent {
    pub jti: Uuid,
    pub seq: i64,
    /// Microseconds since the Unix epoch when the revocation committed.
    pub committed_at_us: i64,
    /// Microseconds since the Unix epoch just before PUBLISH.
    #[serde(default)]
    pub published_at_us: i64,
}

/// Revocations of one replica: the writer, the feed and the denylist.
pub struct Revocations {
    pool: PgPool,
    denylist: Denylist,
    channel: String,
    interval: Duration,
    /// A token id heard of only through an event stays denied this long (the
    /// longest a token can live) until PostgreSQL gives its real expiry.
    max_lifetime: Duration,
    metrics: Arc<Metrics>,
    lags: Lags,
    /// PUBLISH→denied, of revocations that arrived as events.
    publish_lags: Lags,
    last_pruned: Mutex<Option<Instant>>,
    /// Set by an event: catch up from PostgreSQL at the next tick.
    nudged: AtomicBool,
}

#[derive(sqlx::FromRow)]
struct Row {
    seq: i64,
    jti: Uuid,
    expires_at: DateTime<Utc>,
    revoked_at: DateTime<Utc>,
}

impl Revocations {
    pub fn new(
        pool: PgPool,
        prefix: &str,
        interval: Duration,
        max_lifetime: Duration,
        metrics: Arc<Metrics>,
    ) -> Revocations {
        Revocations {
            pool,
            denylist: Denylist::new(),
            channel: format!("{prefix}{CHANNEL}"),
            interval,
            max_lifetime,
            metrics,
            lags: Lags::default(),
            publish_lags: Lags::default(),
            last_pruned: Mutex::new(None),
            nudged: AtomicBool::new(false),
        }
    }

    pub fn denylist(&self) -> &Denylist {
        &self.denylist
    }

    /// Recent commit→denied lags of the revocations other replicas made,
    /// however they arrived (an event, or a catch-up).
    pub fn lags(&self) -> &Lags {
        &self.lags
    }

    /// Recent PUBLISH→denied lags of the revocations that arrived as events.
    pub fn publish_lags(&self) -> &Lags {
        &self.publish_lags
    }

    /// Revokes `jti` (a token expiring at Unix second `exp`): commits the row,
    /// denies it on this replica, announces it. Returns only once PostgreSQL
    /// has it, so an acknowledged revocation survives any restart.
    pub async fn revoke(
        &self,
        redis: Option<&fred::prelude::Client>,
        jti: Uuid,
        exp: i64,
        reason: Reason,
        log: &Logger,
    ) -> Result<i64, sqlx::Error> {
        let until = deny_until(exp);
        let expires_at = DateTime::from_timestamp(until, 0).unwrap_or_else(Utc::now);
        // The statement is idempotent (a second revocation of an id returns
        // the first one's number), so a connection that turns out dead (a
        // restarted or failed-over database, a terminated session) costs a
        // retry on the next one, not the logout. Each dead one is closed, so
        // the tries are bounded by the pool's size.
        let attempts = self.pool.options().get_max_connections() + 1;
        let mut attempt = 0;
        let seq: i64 = loop {
            attempt += 1;
            let mut conn = self.pool.acquire().await?;
            match sqlx::query_scalar("SELECT app_revoke_token($1, $2, $3)")
                .bind(jti)
                .bind(expires_at)
                .bind(reason.as_str())
                .fetch_one(Traced(&mut *conn))
                .await
            {
                Err(e) if attempt < attempts && crate::db::failure::may_break_connection(&e) => {
                    conn.close_on_drop();
                    warn!(log, "revocation write lost its connection; retrying"; "error" => %e);
                }
                result => break result?,
            }
        };
        let committed_at_us = Utc::now().timestamp_micros();
        self.denylist.insert(jti, until);
        if let Some(redis) = redis {
            // Awaited, not spawned: a revocation is rare and its event is what
            // bounds the other replicas' staleness, so it leaves before the
            // answer does. `fail_fast` and a short timeout keep a Redis outage
            // from delaying the logout; the reconcile loop covers a failure.
            let options = Options {
                fail_fast: true,
                timeout: Some(PUBLISH_BUDGET),
                max_attempts: Some(1),
                ..Default::default()
            };
            let published = crate::traces::redis_command(
                "PUBLISH",
                redis.with_options(&options).publish::<i64, _, _>(
                    self.channel.clone(),
                    self.event(jti, seq, committed_at_us),
                ),
            )
            .await;
            if let Err(e) = published {
                self.metrics.revocation_publish_failures.inc();
                warn!(log, "revocation not published; replicas catch up within a reconcile interval";
                    "seq" => seq, "error" => %e);
            }
        }
        Ok(seq)
    }

    fn event(&self, jti: Uuid, seq: i64, committed_at_us: i64) -> String {
        let event = RevocationEvent {
            jti,
            seq,
            committed_at_us,
            published_at_us: Utc::now().timestamp_micros(),
        };
        serde_json::to_string(&event).expect("event serialises")
    }

    /// Publishes the event of a revocation and waits for Redis to take it
    /// (for `backend token --revoke`, which exits right after).
    pub async fn announce(
        &self,
        redis: &fred::prelude::Client,
        jti: Uuid,
        seq: i64,
    ) -> Result<(), fred::error::Error> {
        redis
            .publish::<i64, _, _>(
                self.channel.clone(),
                self.event(jti, seq, Utc::now().timestamp_micros()),
            )
            .await
            .map(drop)
    }

    /// Reads every revocation past the watermark, in bounded batches.
    async fn catch_up(&self) -> Result<usize, sqlx::Error> {
        let mut added = 0;
        loop {
            let rows = sqlx::query_as::<_, Row>(
                "SELECT seq, jti, expires_at, revoked_at FROM token_revocations WHERE seq > $1 \
                 ORDER BY seq LIMIT $2",
            )
            .bind(self.denylist.last_seq())
            .bind(BATCH)
            .fetch_all(&self.pool)
            .await?;
            let read: Vec<Revoked> = rows
                .iter()
                .map(|r| Revoked {
                    seq: r.seq,
                    jti: r.jti,
                    until: r.expires_at.timestamp(),
                })
                .collect();
            // A revocation first heard of here (not through an event, nor
            // made by this replica): its lag is from its commit until now.
            // (Not at the warm-load: those are history, not propagation.)
            let now = Utc::now();
            let warm = self.denylist.last_reconcile_at().is_none();
            for row in rows
                .iter()
                .filter(|r| !warm && !self.denylist.is_revoked(&r.jti))
            {
                self.record_lag((now - row.revoked_at).num_microseconds().unwrap_or(0));
            }
            added += self.denylist.apply(&read);
            if (read.len() as i64) < BATCH {
                break;
            }
        }
        self.denylist.touch_reconciled();
        self.prune_if_due().await;
        self.metrics
            .revocations_entries
            .set(self.denylist.len() as i64);
        self.metrics
            .revocations_last_seq
            .set(self.denylist.last_seq());
        self.metrics
            .revocations_last_reconcile
            .set(Utc::now().timestamp_millis() as f64 / 1e3);
        Ok(added)
    }

    /// Drops expired entries here and, in bounded batches, in PostgreSQL
    /// (revocations, and expired idempotency keys).
    /// A failed prune is retried at the next one; it never fails a catch-up.
    async fn prune_if_due(&self) {
        {
            let mut last = self.last_pruned.lock().expect("prune lock");
            if last.is_some_and(|t| t.elapsed() < PRUNE_EVERY) {
                return;
            }
            *last = Some(Instant::now());
        }
        self.denylist.prune(Utc::now().timestamp());
        in_batches(|| async {
            sqlx::query_scalar::<_, i32>("SELECT app_prune_token_revocations($1)")
                .bind(PRUNE_BATCH)
                .fetch_one(&self.pool)
                .await
        })
        .await;
        // Expired idempotency keys (24 h) ride the same clock: the same
        // bounded batches, nothing to keep in memory.
        in_batches(|| crate::repo::idempotency::prune(&self.pool, PRUNE_BATCH)).await;
    }

    fn record_lag(&self, us: i64) {
        let us = us.max(0);
        self.lags.record(us as u64);
        self.metrics
            .revocations_propagation
            .observe(us as f64 / 1e6);
    }

    async fn handle(&self, payload: &str, log: &Logger) {
        let Ok(event) = serde_json::from_str::<RevocationEvent>(payload) else {
            warn!(log, "ignoring a malformed revocation event"; "payload_len" => payload.len());
            return;
        };
        if event.seq <= self.denylist.last_seq() {
            return; // already read from PostgreSQL
        }
        let provisional = Utc::now().timestamp() + self.max_lifetime.as_secs() as i64;
        self.denylist.insert(event.jti, deny_until(provisional));
        let now = Utc::now().timestamp_micros();
        let lag = now - event.committed_at_us;
        self.record_lag(lag);
        if event.published_at_us > 0 {
            self.publish_lags
                .record((now - event.published_at_us).max(0) as u64);
        }
        debug!(log, "revocation applied from an event"; "seq" => event.seq, "lag_us" => lag);
        // PostgreSQL's row (the true expiry, the watermark) follows on the
        // reconcile loop's next tick, off this loop: events keep flowing.
        self.nudged.store(true, Ordering::Release);
    }
}

impl Feed for Revocations {
    fn name(&self) -> &'static str {
        "revocations"
    }

    fn channel(&self) -> &str {
        &self.channel
    }

    fn interval(&self) -> Duration {
        self.interval
    }

    fn on_event<'a>(&'a self, payload: &'a str, log: &'a Logger) -> BoxFuture<'a, ()> {
        Box::pin(self.handle(payload, log))
    }

    fn reconcile(&self) -> BoxFuture<'_, Result<usize, sqlx::Error>> {
        Box::pin(self.catch_up())
    }

    fn take_nudge(&self) -> bool {
        self.nudged.swap(false, Ordering::AcqRel)
    }
}

/// Runs `prune` (one batch of at most `PRUNE_BATCH` rows) again while a
/// batch comes back full, at most `PRUNE_BATCHES` times; an error stops it
/// until the next prune.
async fn in_batches<Fut>(mut prune: impl FnMut() -> Fut)
where
    Fut: std::future::Future<Output = Result<i32, sqlx::Error>>,
{
    for _ in 0..PRUNE_BATCHES {
        match prune().await {
            Ok(n) if n == PRUNE_BATCH => continue,
            Ok(_) | Err(_) => break,
        }
    }
}
