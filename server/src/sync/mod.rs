//! Replica state that follows PostgreSQL: the configuration snapshot and the
//! token denylist.
//!
//! Both are built the same way, so they share this machinery: PostgreSQL holds
//! the truth, each replica holds a copy in memory that request handlers read
//! without a network round trip, and three things keep the copy in step:
//!
//! 1. a full catch-up before the replica serves (the warm-load);
//! 2. events on a Redis Pub/Sub channel, one per feed, saying *what* changed
//!    (an id, a version), never a value or a secret; the feed re-reads or
//!    applies it;
//! 3. a reconcile loop that catches up from PostgreSQL on each feed's own
//!    interval, after every (re)subscribe, and every [`FALLBACK_INTERVAL`]
//!    while the subscriber is disconnected, because Pub/Sub is at-most-once
//!    and an outage loses every event published during it.
//!
//! Redis is therefore only ever a shortcut: with Redis down, every feed
//! degrades to polling PostgreSQL and nothing is lost. A feed must be
//! idempotent: the same event twice, events out of order, or a reconcile
//! running next to an event must all leave the same state.

mod lag;
mod reconciler;
mod subscriber;

pub use lag::Lags;

use crate::metrics::Metrics;
use fred::clients::SubscriberClient;
use fred::prelude::*;
use fred::types::config::Options;
use futures::future::BoxFuture;
use slog::{Logger, warn};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// How often each feed is reconciled while the subscriber is down.
pub const FALLBACK_INTERVAL: Duration = Duration::from_secs(1);

/// One kind of replicated state.
pub trait Feed: Send + Sync + 'static {
    /// Names the feed in logs and metric labels (`config`, `revocations`).
    fn name(&self) -> &'static str;
    /// The Redis channel its events are published on.
    fn channel(&self) -> &str;
    /// How often to reconcile while events flow.
    fn interval(&self) -> Duration;
    /// Handles one event's payload.
    fn on_event<'a>(&'a self, payload: &'a str, log: &'a Logger) -> BoxFuture<'a, ()>;
    /// Catches up with PostgreSQL; returns how many entries changed.
    fn reconcile(&self) -> BoxFuture<'_, Result<usize, sqlx::Error>>;
    /// Has an event asked for a catch-up before the interval is up? Taking
    /// it clears it.
    fn take_nudge(&self) -> bool {
        false
    }
}

/// Every feed of this replica and the one subscriber they share.
pub struct Feeds {
    feeds: Vec<Arc<dyn Feed>>,
    subscriber: OnceLock<SubscriberClient>,
    /// Set once SUBSCRIBE and the PING behind it returned; cleared as soon as
    /// the connection is seen down or reconnecting. Events flow only while
    /// it is set.
    live: AtomicBool,
    metrics: Arc<Metrics>,
}

impl Feeds {
    pub fn new(feeds: Vec<Arc<dyn Feed>>, metrics: Arc<Metrics>) -> Feeds {
        Feeds {
            feeds,
            subscriber: OnceLock::new(),
            live: AtomicBool::new(false),
            metrics,
        }
    }

    /// Is the Redis subscriber connected and subscribed right now, so that
    /// events reach this replica?
    pub fn subscriber_connected(&self) -> bool {
        self.live.load(Ordering::Acquire) && self.subscriber.get().is_some_and(|s| s.is_connected())
    }

    fn set_live(&self, live: bool) {
        self.live.store(live, Ordering::Release);
        self.metrics
            .redis_connected
            .with_label_values(&["subscriber"])
            .set(i64::from(live));
    }

    /// Reconciles every feed once; the first error stops it. Used at start,
    /// where a replica that cannot load its state must not serve.
    pub async fn warm_load(&self) -> Result<Vec<(&'static str, usize)>, sqlx::Error> {
        let mut loaded = Vec::with_capacity(self.feeds.len());
        for feed in &self.feeds {
            loaded.push((feed.name(), feed.reconcile().await?));
        }
        Ok(loaded)
    }

    /// Reconciles one feed, counting and logging a failure (the next tick
    /// retries it).
    async fn reconcile_logged(&self, feed: &dyn Feed, log: &Logger) -> Option<usize> {
        match feed.reconcile().await {
            Ok(n) => Some(n),
            Err(e) => {
                self.metrics
                    .sync_reconcile_failures
                    .with_label_values(&[feed.name()])
                    .inc();
                warn!(log, "reconcile failed; will retry"; "feed" => feed.name(), "error" => %e);
                None
            }
        }
    }

    /// Starts the subscriber and the reconcile loop. Both run for the life of
    /// the process; the returned handles end only if one of them gives up,
    /// which the caller treats as fatal.
    pub fn spawn(
        self: &Arc<Self>,
        subscriber: SubscriberClient,
        log: &Logger,
    ) -> Vec<(&'static str, tokio::task::JoinHandle<()>)> {
        vec![
            (
                "sync-subscriber",
                tokio::spawn(subscriber::run(
                    self.clone(),
                    subscriber,
                    log.new(slog::o!("task" => "sync-subscriber")),
                )),
            ),
            (
                "sync-reconciler",
                tokio::spawn(reconciler::run(
                    self.clone(),
                    log.new(slog::o!("task" => "sync-reconciler")),
                )),
            ),
        ]
    }
}

/// Publishes an event after a committed write, without waiting for it.
/// Failure is logged and counted, never fatal: PostgreSQL already has the
/// change and every replica's reconcile spreads it. `fail_fast`: while Redis
/// is down the publish fails at once instead of queueing for a reconnect.
pub fn publish(
    redis: &Client,
    channel: String,
    payload: String,
    on_failure: impl FnOnce(&fred::error::Error) + Send + 'static,
) {
    let redis = redis.clone();
    // Made here, in the request's context, and ended by the task.
    let span = crate::traces::redis_span("PUBLISH");
    tokio::spawn(async move {
        let options = Options {
            fail_fast: true,
            timeout: Some(Duration::from_secs(1)),
            ..Default::default()
        };
        let published = crate::traces::within(
            span,
            redis
                .with_options(&options)
                .publish::<i64, _, _>(channel, payload),
        )
        .await;
        if let Err(e) = published {
            on_failure(&e);
        }
    });
}
