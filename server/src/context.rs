//! State shared by all request handlers.

use crate::auth::jwt::JwtKeys;
use crate::configs::ConfigRuntime;
use crate::db::read_lane::ReadLane;
use crate::metrics::Metrics;
use crate::settings::Settings;
use sqlx::PgPool;
use std::sync::Arc;

pub struct AppState {
    /// Connects as the application role; subject to RLS.
    pub pool: PgPool,
    /// Connections kept apart for one-statement reads (the org read).
    pub reads: ReadLane,
    pub redis: fred::prelude::Client,
    /// Prefix of every Redis key this process writes (isolates test runs).
    pub redis_prefix: String,
    pub jwt: JwtKeys,
    pub settings: Settings,
    /// The OpenAPI document served at `/openapi.json`, rendered once.
    pub openapi_json: String,
    /// This replica's configuration snapshot.
    pub configs: Arc<ConfigRuntime>,
    pub metrics: Arc<Metrics>,
}
