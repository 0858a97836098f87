//! Prometheus metrics of one replica, served at `GET /metrics`.
//!
//! Labels are closed sets (operation ids, status codes, pool and feed names):
//! never an id, a slug or anything a client chooses. docs/observability.md
//! lists every metric.

use prometheus::{
    Encoder, Gauge, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge,
    IntGaugeVec, Opts, Registry, TextEncoder,
};

pub struct Metrics {
    registry: Registry,
    pub http_requests: IntCounterVec,
    pub http_duration: HistogramVec,
    pub config_reloads: IntCounterVec,
    pub config_reload_latency: HistogramVec,
    pub config_version_drift: IntGauge,
    pub config_publish_failures: IntCounter,
    pub config_last_reconcile: Gauge,
    pub build_info: IntGaugeVec,
    pub db_pool_connections: IntGaugeVec,
    pub db_pool_max_connections: IntGaugeVec,
    pub db_pool_waiters: IntGaugeVec,
    pub redis_connected: IntGaugeVec,
    pub revocations_entries: IntGauge,
    pub revocations_last_seq: IntGauge,
    pub revocations_last_reconcile: Gauge,
    pub revocations_propagation: Histogram,
    pub revocation_publish_failures: IntCounter,
    pub sync_reconcile_failures: IntCounterVec,
    pub rate_limit_local_fallback: IntCounterVec,
}

const LAG_BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0,
];

fn counter_vec(name: &str, help: &str, labels: &[&str]) -> IntCounterVec {
    IntCounterVec::new(Opts::new(name, help), labels).expect("valid metric")
}

fn gauge_vec(name: &str, help: &str, labels: &[&str]) -> IntGaugeVec {
    IntGaugeVec::new(Opts::new(name, help), labels).expect("valid metric")
}

impl Metrics {
    pub fn new() -> Metrics {
        let m = Metrics {
            registry: Registry::new(),
            http_requests: counter_vec(
                "http_requests_total",
                "HTTP requests handled, by operation and status",
                &["route", "status"],
            ),
            http_duration: HistogramVec::new(
                HistogramOpts::new(
                    "http_request_duration_seconds",
                    "Handler latency by operation",
                )
                .buckets(vec![
                    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
                ]),
                &["route"],
            )
            .expect("valid metric"),
            config_reloads: counter_vec(
                "config_reloads_total",
                "Config entries (re)loaded into the snapshot, by source",
                &["source"],
            ),
            config_reload_latency: HistogramVec::new(
                HistogramOpts::new(
                    "config_reload_latency_seconds",
                    "From the commit time carried in a change event to the entry being applied",
                )
                .buckets(LAG_BUCKETS.to_vec()),
                &["source"],
            )
            .expect("valid metric"),
            config_version_drift: IntGauge::new(
                "config_version_drift",
                "Entries whose cached version differed from PostgreSQL at the last reconcile",
            )
            .expect("valid metric"),
            config_publish_failures: IntCounter::new(
                "config_publish_failures_total",
                "Change events that could not be published to Redis",
            )
            .expect("valid metric"),
            config_last_reconcile: Gauge::new(
                "config_last_reconcile_timestamp_seconds",
                "Unix time of the last successful load of the configuration from PostgreSQL",
            )
            .expect("valid metric"),
            build_info: gauge_vec(
                "backend_build_info",
                "Always 1; the labels name the running build",
                &["version", "commit"],
            ),
            db_pool_connections: gauge_vec(
                "db_pool_connections",
                "PostgreSQL connections by pool and state",
                &["pool", "state"],
            ),
            db_pool_max_connections: gauge_vec(
                "db_pool_max_connections",
                "The most connections a pool may open",
                &["pool"],
            ),
            db_pool_waiters: gauge_vec(
                "db_pool_waiters",
                "Requests waiting for a connection of the pool",
                &["pool"],
            ),
            redis_connected: gauge_vec(
                "redis_connected",
                "1 while the Redis client is connected (the subscriber: and subscribed)",
                &["client"],
            ),
            revocations_entries: IntGauge::new(
                "revocations_denylist_entries",
                "Revoked, not yet expired token ids held in memory",
            )
            .expect("valid metric"),
            revocations_last_seq: IntGauge::new(
                "revocations_last_seq",
                "The highest revocation sequence number read from PostgreSQL",
            )
            .expect("valid metric"),
            revocations_last_reconcile: Gauge::new(
                "revocations_last_reconcile_timestamp_seconds",
                "Unix time of the last successful catch-up of the denylist from PostgreSQL",
            )
            .expect("valid metric"),
            revocations_propagation: Histogram::with_opts(
                HistogramOpts::new(
                    "revocations_propagation_seconds",
                    "From another replica's revocation commit to its token being denied here",
                )
                .buckets(LAG_BUCKETS.to_vec()),
            )
            .expect("valid metric"),
            revocation_publish_failures: IntCounter::new(
                "revocations_publish_failures_total",
                "Revocation events that could not be published to Redis",
            )
            .expect("valid metric"),
            sync_reconcile_failures: counter_vec(
                "sync_reconcile_failures_total",
                "Reconciles with PostgreSQL that failed, by feed",
                &["feed"],
            ),
            rate_limit_local_fallback: counter_vec(
                "rate_limit_local_fallback_total",
                "Rate-limit decisions made by this replica alone because Redis could not answer",
                &["bucket"],
            ),
        };
        let collectors: Vec<Box<dyn prometheus::core::Collector>> = vec![
            Box::new(m.http_requests.clone()),
            Box::new(m.http_duration.clone()),
            Box::new(m.config_reloads.clone()),
            Box::new(m.config_reload_latency.clone()),
            Box::new(m.config_version_drift.clone()),
            Box::new(m.config_publish_failures.clone()),
            Box::new(m.config_last_reconcile.clone()),
            Box::new(m.build_info.clone()),
            Box::new(m.db_pool_connections.clone()),
            Box::new(m.db_pool_max_connections.clone()),
            Box::new(m.db_pool_waiters.clone()),
            Box::new(m.redis_connected.clone()),
            Box::new(m.revocations_entries.clone()),
            Box::new(m.revocations_last_seq.clone()),
            Box::new(m.revocations_last_reconcile.clone()),
            Box::new(m.revocations_propagation.clone()),
            Box::new(m.revocation_publish_failures.clone()),
            Box::new(m.sync_reconcile_failures.clone()),
            Box::new(m.rate_limit_local_fallback.clone()),
        ];
        for c in collectors {
            m.registry.register(c).expect("metric names are unique");
        }
        #[cfg(target_os = "linux")]
        m.registry
            .register(Box::new(
                prometheus::process_collector::ProcessCollector::for_self(),
            ))
            .expect("process metrics register once");
        m.build_info
            .with_label_values(&[env!("CARGO_PKG_VERSION"), crate::BUILD_COMMIT])
            .set(1);
        // Every series of a closed label set exists from the start, so a rate
        // over it (and a dashboard panel) has data before the first event.
        for client in ["commands", "subscriber"] {
            m.redis_connected.with_label_values(&[client]).set(0);
        }
        for feed in ["config", "revocations"] {
            m.sync_reconcile_failures.with_label_values(&[feed]);
        }
        for bucket in ["guest-signin", "refresh"] {
            m.rate_limit_local_fallback.with_label_values(&[bucket]);
        }
        m
    }

    /// The text exposition format.
    pub fn render(&self) -> String {
        let mut buf = Vec::new();
        TextEncoder::new()
            .encode(&self.registry.gather(), &mut buf)
            .expect("encoding to memory cannot fail");
        String::from_utf8(buf).expect("the text format is UTF-8")
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}
