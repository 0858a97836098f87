//! The configuration as a [`crate::sync::Feed`]: a change event names the
//! entry and its new version, the row is re-read from PostgreSQL; a reconcile
//! reloads every row and applies those that are newer.

use super::{ConfigRuntime, Source, store};
use crate::sync::{self, Feed};
use backend_api::types::ConfigEntry;
use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};
use slog::{Logger, debug, warn};
use sqlx::PgPool;
use std::sync::Arc;
use std::time::Duration;

/// The channel writes are announced on (after the deployment's key prefix).
pub const CHANNEL: &str = "config:updated";

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

/// The configuration feed of one replica.
pub struct ConfigFeed {
    pool: PgPool,
    runtime: Arc<ConfigRuntime>,
    channel: String,
    interval: Duration,
}

impl ConfigFeed {
    /// `prefix` is the deployment's Redis key prefix (empty in production).
    pub fn new(
        pool: PgPool,
        runtime: Arc<ConfigRuntime>,
        prefix: &str,
        interval: Duration,
    ) -> ConfigFeed {
        ConfigFeed {
            pool,
            runtime,
            channel: format!("{prefix}{CHANNEL}"),
            interval,
        }
    }

    /// Announces a committed write to every replica.
    pub fn publish(&self, redis: &fred::prelude::Client, mut event: ChangeEvent, log: Logger) {
        event.published_at_us = chrono::Utc::now().timestamp_micros();
        let payload = serde_json::to_string(&event).expect("event serialises");
        let runtime = self.runtime.clone();
        sync::publish(redis, self.channel.clone(), payload, move |e| {
            runtime.metrics.config_publish_failures.inc();
            warn!(log, "config change not published; replicas will catch up at reconcile";
                "service" => &event.service, "key" => &event.key, "version" => event.version,
                "error" => %e);
        });
    }

    async fn handle(&self, payload: &str, log: &Logger) {
        let Ok(event) = serde_json::from_str::<ChangeEvent>(payload) else {
            warn!(log, "ignoring a malformed config event"; "payload_len" => payload.len());
            return;
        };
        let runtime = &self.runtime;
        if runtime
            .version_of(&event.service, &event.key)
            .is_some_and(|v| v >= event.version)
        {
            return; // duplicate or out of order: we already have it or newer
        }
        match store::get(&self.pool, &event.service, &event.key).await {
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
                    debug!(log, "config entry reloaded"; "service" => &event.service,
                        "key" => &event.key, "version" => event.version, "lag_us" => lag);
                }
            }
            Ok(None) => warn!(log, "config event for an unknown entry"; "key" => &event.key),
            Err(e) => warn!(log, "cannot reload config entry; reconcile will retry"; "error" => %e),
        }
    }

    /// Compares the snapshot with PostgreSQL and reloads what drifted. The
    /// first call is the warm-load.
    async fn catch_up(&self) -> Result<usize, sqlx::Error> {
        let runtime = &self.runtime;
        let warm = runtime.times().warm_loaded_at.is_none();
        let source = if warm {
            Source::Warm
        } else {
            Source::Reconcile
        };
        let changed = runtime.apply_all(store::all(&self.pool).await?, source);
        let now = chrono::Utc::now();
        if warm {
            runtime.touch(|t| t.warm_loaded_at = Some(now));
        } else {
            runtime.metrics.config_version_drift.set(changed as i64);
            runtime.touch(|t| t.last_reconcile_at = Some(now));
        }
        runtime
            .metrics
            .config_last_reconcile
            .set(now.timestamp_millis() as f64 / 1e3);
        Ok(changed)
    }
}

impl Feed for ConfigFeed {
    fn name(&self) -> &'static str {
        "config"
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
}
