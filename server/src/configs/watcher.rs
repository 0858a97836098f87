//! Keeps a replica's snapshot in step with PostgreSQL: change events through
//! Redis Pub/Sub, a full reconcile after every (re)subscribe, and a periodic
//! reconcile for anything missed in between.

use super::{ConfigRuntime, Source, store};
use backend_api::types::ConfigEntry;
use fred::clients::SubscriberClient;
use fred::prelude::*;
use serde::{Deserialize, Serialize};
use slog::{Logger, debug, info, warn};
use sqlx::PgPool;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

/// The channel writes are announced on; replicas subscribe to `config:*`.
pub const CHANNEL: &str = "config:updated";
pub const PATTERN: &str = "config:*";

/// The event: which entry changed to which version. Never the value: values
/// are read from PostgreSQL, so Redis never holds configuration or secrets.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ChangeEvent {
    pub service: String,
    pub key: String,
    pub version: i64,
    /// Microseconds since the Unix epoch when the write's COMMIT returned.
    pub committed_at_us: i64,
    /// Microseconds since the Unix epoch just before PUBLISH.
    #[serde(default)]
    pub published_at_us: i64,
}

impl ChangeEvent {
    pub fn for_entry(entry: &ConfigEntry) -> ChangeEvent {
        ChangeEvent {
            service: entry.service.clone(),
            key: entry.key.clone(),
            version: entry.version,
            committed_at_us: chrono::Utc::now().timestamp_micros(),
            published_at_us: 0,
        }
    }
}

/// Announces a committed write. Failure is logged and counted, never fatal:
/// PostgreSQL already has the change and the reconcile loop spreads it.
pub fn publish(redis: Client, runtime: Arc<ConfigRuntime>, event: ChangeEvent, log: Logger) {
    tokio::spawn(async move {
        let mut event = event;
        event.published_at_us = chrono::Utc::now().timestamp_micros();
        let payload = serde_json::to_string(&event).expect("event serialises");
        if let Err(e) = redis.publish::<i64, _, _>(CHANNEL, payload).await {
            runtime.metrics.config_publish_failures.inc();
            warn!(log, "config change not published; replicas will catch up at reconcile";
                "service" => &event.service, "key" => &event.key, "version" => event.version, "error" => %e);
        }
    });
}

/// Loads every entry before the server accepts requests.
pub async fn warm_load(pool: &PgPool, runtime: &ConfigRuntime) -> Result<usize, sqlx::Error> {
    let entries = store::all(pool).await?;
    let n = entries.len();
    runtime.apply_all(entries, Source::Warm);
    runtime.touch(|t| t.warm_loaded_at = Some(chrono::Utc::now()));
    Ok(n)
}

/// Compares the snapshot with PostgreSQL and reloads what drifted.
pub async fn reconcile(pool: &PgPool, runtime: &ConfigRuntime) -> Result<usize, sqlx::Error> {
    let drifted = runtime.apply_all(store::all(pool).await?, Source::Reconcile);
    runtime.metrics.config_version_drift.set(drifted as i64);
    runtime.touch(|t| t.last_reconcile_at = Some(chrono::Utc::now()));
    Ok(drifted)
}

async fn handle(pool: &PgPool, runtime: &ConfigRuntime, payload: &str, log: &Logger) {
    let Ok(event) = serde_json::from_str::<ChangeEvent>(payload) else {
        warn!(log, "ignoring a malformed config event"; "payload_len" => payload.len());
        return;
    };
    if runtime
        .version_of(&event.service, &event.key)
        .is_some_and(|v| v >= event.version)
    {
        return; // duplicate or out of order: we already have it or newer
    }
    match store::get(pool, &event.service, &event.key).await {
        Ok(Some(entry)) => {
            if runtime.apply(entry, Source::Event) {
                let now = chrono::Utc::now().timestamp_micros();
                let lag = (now - event.committed_at_us).max(0);
                let published = if event.published_at_us > 0 {
                    event.published_at_us
                } else {
                    event.committed_at_us
                };
                runtime.record_lag(lag as u64, (now - published).max(0) as u64);
                runtime
                    .metrics
                    .config_reload_latency
                    .with_label_values(&[Source::Event.as_str()])
                    .observe(lag as f64 / 1e6);
                runtime.touch(|t| t.last_event_at = Some(chrono::Utc::now()));
                debug!(log, "config entry reloaded"; "service" => &event.service, "key" => &event.key,
                    "version" => event.version, "lag_us" => lag);
            }
        }
        Ok(None) => warn!(log, "config event for an unknown entry"; "key" => &event.key),
        Err(e) => warn!(log, "cannot reload config entry; reconcile will retry"; "error" => %e),
    }
}

async fn resubscribe(
    subscriber: &SubscriberClient,
    pool: &PgPool,
    runtime: &ConfigRuntime,
    log: &Logger,
) {
    if let Err(e) = subscriber.psubscribe(PATTERN).await {
        warn!(log, "config subscription failed"; "error" => %e);
        return;
    }
    // Commands on one connection are answered in order: once PING returns,
    // the subscription is live and no later PUBLISH can slip past it.
    let _ = subscriber.ping::<Value>(None).await;
    // Anything published while we were not subscribed is lost: reload all.
    match reconcile(pool, runtime).await {
        Ok(n) => info!(log, "config subscriber (re)connected; reconciled"; "reloaded" => n),
        Err(e) => warn!(log, "reconcile after (re)connect failed"; "error" => %e),
    }
}

/// Runs the subscriber for the life of the process.
pub async fn run_subscriber(
    subscriber: SubscriberClient,
    pool: PgPool,
    runtime: Arc<ConfigRuntime>,
    log: Logger,
) {
    let mut messages = subscriber.message_rx();
    // fred announces every connection here, the first one included, so this
    // one path subscribes and reconciles at start and after each reconnect.
    // (Also subscribing after `wait_for_connect` did it all twice at start,
    // and a change landing during the second reconcile was applied by it,
    // its event then arriving as a no-op.)
    let mut reconnects = subscriber.reconnect_rx();
    let _ = runtime.subscriber.set(subscriber.clone());
    let _connection = subscriber.connect();
    loop {
        tokio::select! {
            message = messages.recv() => match message {
                Ok(m) => {
                    if let Some(payload) = m.value.as_string() {
                        handle(&pool, &runtime, &payload, &log).await;
                    }
                }
                Err(RecvError::Lagged(n)) => {
                    warn!(log, "config events dropped by a slow consumer; reconciling"; "dropped" => n);
                    let _ = reconcile(&pool, &runtime).await;
                }
                Err(RecvError::Closed) => return,
            },
            reconnected = reconnects.recv() => match reconnected {
                Ok(_) => resubscribe(&subscriber, &pool, &runtime, &log).await,
                Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => return,
            },
        }
    }
}

/// Reconciles every `interval` for the life of the process.
pub async fn run_reconcile_loop(
    interval: Duration,
    pool: PgPool,
    runtime: Arc<ConfigRuntime>,
    log: Logger,
) {
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ticker.tick().await; // the first tick is immediate; warm-load just ran
    loop {
        ticker.tick().await;
        match reconcile(&pool, &runtime).await {
            Ok(0) => {}
            Ok(n) => info!(log, "reconcile repaired drifted config entries"; "reloaded" => n),
            Err(e) => warn!(log, "reconcile failed; will retry"; "error" => %e),
        }
    }
}
