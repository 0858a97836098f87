//! State shared by all request handlers.

use crate::auth::jwt::JwtKeys;
use crate::auth::rate_limit::LocalLimiter;
use crate::auth::revocation::Revocations;
use crate::configs::ConfigRuntime;
use crate::configs::watcher::ConfigFeed;
use crate::db::read_lane::ReadLane;
use crate::metrics::Metrics;
use crate::settings::Settings;
use crate::sync::Feeds;
use sqlx::PgPool;
use std::sync::Arc;

pub struct AppState {
    /// Connects as the application role; subject to RLS.
    pub pool: PgPool,
    /// Connections kept apart for one-statement reads (the org read).
    pub reads: ReadLane,
    pub redis: fred::prelude::Client,
    /// Prefix of every Redis key and channel this process uses (isolates
    /// test runs; empty in production).
    pub redis_prefix: String,
    pub jwt: JwtKeys,
    pub settings: Settings,
    /// The OpenAPI document served at `/openapi.json`, rendered once.
    pub openapi_json: String,
    /// This replica's configuration snapshot.
    pub configs: Arc<ConfigRuntime>,
    pub config_feed: Arc<ConfigFeed>,
    /// Revocations: the writer and this replica's denylist.
    pub revocations: Arc<Revocations>,
    /// The Redis subscriber and reconcile loop behind both.
    pub feeds: Arc<Feeds>,
    /// How many requests each user has inside the database.
    pub user_slots: Arc<crate::db::fairness::UserSlots>,
    /// Rate limits decided here while Redis cannot answer.
    pub local_limiter: LocalLimiter,
    pub metrics: Arc<Metrics>,
    /// The span exporter, when `OTEL_EXPORTER_OTLP_ENDPOINT` is set.
    pub traces: Option<Arc<crate::traces::Traces>>,
}
