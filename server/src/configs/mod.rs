//! Hot-reloaded service configuration.
//!
//! PostgreSQL is the source of truth. After a write commits, the writer
//! publishes `config:updated` with `{service, key, version, committed_at_us}`
//! (never the value). Every replica keeps all entries in an immutable
//! snapshot behind an `ArcSwap`, so request handlers read it without locks,
//! and updates it three ways: a warm-load before serving, change events from
//! Redis (the row is re-read from PostgreSQL), and a periodic reconcile that
//! repairs whatever events were missed. An entry is only ever replaced by a
//! newer version, so duplicate and out-of-order events are harmless.

pub mod rules;
pub mod store;
pub mod watcher;

use crate::metrics::Metrics;
use crate::sync::Lags;
use crate::telemetry::LogLevel;
use arc_swap::ArcSwap;
use backend_api::types::{ConfigEntry, RuntimeEntry};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

type Key = (String, String);

/// How an entry reached the snapshot (a metric label).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Warm,
    Event,
    Reconcile,
    Write,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Warm => "warm",
            Source::Event => "event",
            Source::Reconcile => "reconcile",
            Source::Write => "write",
        }
    }
}

#[derive(Default, Clone, Copy)]
pub struct Times {
    pub warm_loaded_at: Option<DateTime<Utc>>,
    pub last_event_at: Option<DateTime<Utc>>,
    pub last_reconcile_at: Option<DateTime<Utc>>,
}

/// This replica's configuration snapshot and its bookkeeping.
pub struct ConfigRuntime {
    snapshot: ArcSwap<HashMap<Key, ConfigEntry>>,
    times: Mutex<Times>,
    log_level: LogLevel,
    /// Serialises [`Self::react`].
    react_lock: Mutex<()>,
    pub metrics: Arc<Metrics>,
    pub replica_id: String,
    /// Recent commit→applied and publish→applied lags of events.
    commit_lags: Lags,
    publish_lags: Lags,
}

impl ConfigRuntime {
    pub fn new(log_level: LogLevel, metrics: Arc<Metrics>) -> ConfigRuntime {
        ConfigRuntime {
            snapshot: ArcSwap::from_pointee(HashMap::new()),
            times: Mutex::new(Times::default()),
            log_level,
            react_lock: Mutex::new(()),
            metrics,
            replica_id: uuid::Uuid::new_v4().to_string(),
            commit_lags: Lags::default(),
            publish_lags: Lags::default(),
        }
    }

    /// The cached version of an entry.
    pub fn version_of(&self, service: &str, key: &str) -> Option<i64> {
        self.snapshot
            .load()
            .get(&(service.to_owned(), key.to_owned()))
            .map(|e| e.version)
    }

    /// Applies `entry` if it is newer than the cached one; `true` if applied.
    pub fn apply(&self, entry: ConfigEntry, source: Source) -> bool {
        let key = (entry.service.clone(), entry.key.clone());
        let mut applied = false;
        self.snapshot.rcu(|current| {
            applied = current.get(&key).is_none_or(|e| e.version < entry.version);
            if !applied {
                return Arc::clone(current);
            }
            let mut next = HashMap::clone(current);
            next.insert(key.clone(), entry.clone());
            Arc::new(next)
        });
        if applied {
            self.metrics
                .config_reloads
                .with_label_values(&[source.as_str()])
                .inc();
            self.react(&entry);
        }
        applied
    }

    /// Applies every entry that differs from the cache; returns how many did.
    pub fn apply_all(&self, entries: Vec<ConfigEntry>, source: Source) -> usize {
        entries
            .into_iter()
            .filter(|e| self.apply(e.clone(), source))
            .count()
    }

    /// The live effect of our own entries. The level is taken from the
    /// snapshot as it is now, not from `entry`, under a lock: two applies
    /// racing (an event and a reconcile) could otherwise each swap their
    /// version in and then set their own value in the opposite order, leaving
    /// the live level at the older version while the snapshot holds the newer.
    fn react(&self, entry: &ConfigEntry) {
        if entry.service == rules::OWN_SERVICE && entry.key == "LOG_LEVEL" {
            let _serial = self.react_lock.lock().expect("react lock");
            let key = (entry.service.clone(), entry.key.clone());
            if let Some(current) = self.snapshot.load().get(&key) {
                self.log_level.set(&current.value);
            }
        }
    }

    pub fn entries(&self) -> Vec<RuntimeEntry> {
        let mut list: Vec<RuntimeEntry> = self
            .snapshot
            .load()
            .values()
            .map(|e| RuntimeEntry {
                service: e.service.clone(),
                key: e.key.clone(),
                version: e.version,
                value: e.value.clone(),
            })
            .collect();
        list.sort_by(|a, b| (&a.service, &a.key).cmp(&(&b.service, &b.key)));
        list
    }

    /// Records how late one event was applied.
    pub fn record_lag(&self, commit_us: u64, publish_us: u64) {
        self.commit_lags.record(commit_us);
        self.publish_lags.record(publish_us);
    }

    /// (commit→applied, publish→applied) percentiles of the recent events.
    pub fn lag_summaries(
        &self,
    ) -> (
        backend_api::types::LagSummary,
        backend_api::types::LagSummary,
    ) {
        (self.commit_lags.summary(), self.publish_lags.summary())
    }

    pub fn times(&self) -> Times {
        *self.times.lock().expect("times lock")
    }

    pub fn touch(&self, f: impl FnOnce(&mut Times)) {
        f(&mut self.times.lock().expect("times lock"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(version: i64, value: &str) -> ConfigEntry {
        ConfigEntry {
            service: "backend".into(),
            key: "LOG_LEVEL".into(),
            value: value.into(),
            version,
            updated_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn only_newer_versions_replace_an_entry() {
        let level = LogLevel::new("info");
        let runtime = ConfigRuntime::new(level.clone(), Arc::new(Metrics::new()));
        assert!(runtime.apply(entry(2, "debug"), Source::Event));
        assert!(
            !runtime.apply(entry(2, "debug"), Source::Event),
            "a duplicate is ignored"
        );
        assert!(
            !runtime.apply(entry(1, "error"), Source::Event),
            "an older version is ignored"
        );
        assert_eq!(runtime.version_of("backend", "LOG_LEVEL"), Some(2));
        assert_eq!(runtime.entries()[0].value, "debug");
        assert_eq!(level.get(), slog::Level::Debug, "LOG_LEVEL took effect");
        assert!(
            runtime.apply(entry(5, "warn"), Source::Reconcile),
            "a gap in versions is fine"
        );
        assert_eq!(level.get(), slog::Level::Warning);
    }

    #[test]
    fn the_live_log_level_always_ends_at_the_snapshot_s_version() {
        let levels = ["trace", "debug", "info", "warn", "error"];
        for _ in 0..50 {
            let level = LogLevel::new("info");
            let runtime = Arc::new(ConfigRuntime::new(level.clone(), Arc::new(Metrics::new())));
            let threads: Vec<_> = (1..=20)
                .map(|v| {
                    let runtime = runtime.clone();
                    std::thread::spawn(move || {
                        runtime.apply(entry(v, levels[v as usize % 5]), Source::Event)
                    })
                })
                .collect();
            for t in threads {
                t.join().unwrap();
            }
            assert_eq!(runtime.version_of("backend", "LOG_LEVEL"), Some(20));
            let expected = LogLevel::new(levels[20 % 5]).get();
            assert_eq!(level.get(), expected, "live level matches version 20");
        }
    }

    #[test]
    fn lag_percentiles_cover_the_recent_events() {
        let runtime = ConfigRuntime::new(LogLevel::new("info"), Arc::new(Metrics::new()));
        for us in 1..=100 {
            runtime.record_lag(us, us / 2);
        }
        let (commit, publish) = runtime.lag_summaries();
        assert_eq!(
            (commit.count, commit.p50_us, commit.p99_us, commit.max_us),
            (100, 50, 99, 100)
        );
        assert_eq!(publish.max_us, 50);
    }
}
