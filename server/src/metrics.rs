//! Prometheus metrics of one replica, served at `GET /metrics`.

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, Opts, Registry,
    TextEncoder,
};

pub struct Metrics {
    registry: Registry,
    pub http_requests: IntCounterVec,
    pub http_duration: HistogramVec,
    pub config_reloads: IntCounterVec,
    pub config_reload_latency: HistogramVec,
    pub config_version_drift: IntGauge,
    pub config_publish_failures: IntCounter,
}

impl Metrics {
    pub fn new() -> Metrics {
        let registry = Registry::new();
        let http_requests = IntCounterVec::new(
            Opts::new(
                "http_requests_total",
                "HTTP requests handled, by operation and status",
            ),
            &["route", "status"],
        )
        .expect("valid metric");
        let http_duration = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "Handler latency by operation",
            )
            .buckets(vec![
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
            ]),
            &["route"],
        )
        .expect("valid metric");
        let config_reloads = IntCounterVec::new(
            Opts::new(
                "config_reloads_total",
                "Config entries (re)loaded into the snapshot, by source",
            ),
            &["source"],
        )
        .expect("valid metric");
        let config_reload_latency = HistogramVec::new(
            HistogramOpts::new(
                "config_reload_latency_seconds",
                "From the commit time carried in a change event to the entry being applied",
            )
            .buckets(vec![
                0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0,
            ]),
            &["source"],
        )
        .expect("valid metric");
        let config_version_drift = IntGauge::new(
            "config_version_drift",
            "Entries whose cached version differed from PostgreSQL at the last reconcile",
        )
        .expect("valid metric");
        let config_publish_failures = IntCounter::new(
            "config_publish_failures_total",
            "Change events that could not be published to Redis",
        )
        .expect("valid metric");
        for m in [
            Box::new(http_requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(http_duration.clone()),
            Box::new(config_reloads.clone()),
            Box::new(config_reload_latency.clone()),
            Box::new(config_version_drift.clone()),
            Box::new(config_publish_failures.clone()),
        ] {
            registry.register(m).expect("metric names are unique");
        }
        Metrics {
            registry,
            http_requests,
            http_duration,
            config_reloads,
            config_reload_latency,
            config_version_drift,
            config_publish_failures,
        }
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
