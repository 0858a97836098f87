//! Readiness: PostgreSQL (and the schema version) and Redis, each bounded.
//!
//! Only PostgreSQL decides readiness. A replica without Redis still serves
//! every request (the denylist and configuration are in memory, rate limits
//! fall back to this replica, changes spread by polling), so taking it out of
//! the Service would turn a Redis outage into an API outage; it reports
//! `degraded` instead.

use crate::context::AppState;
use crate::db::migrate;
use backend_api::ApiError;
use backend_api::types::Readiness;
use dropshot::HttpResponseOk;
use fred::prelude::*;
use std::collections::BTreeMap;
use std::time::Duration;

const CHECK_TIMEOUT: Duration = Duration::from_secs(1);

async fn database(state: &AppState) -> String {
    let query = sqlx::query_scalar::<_, i64>(
        "SELECT COALESCE(MAX(version), 0)::bigint FROM refinery_schema_history",
    )
    .fetch_one(crate::db::traced::Traced(&state.pool));
    match tokio::time::timeout(CHECK_TIMEOUT, query).await {
        Err(_) => "timeout".into(),
        Ok(Err(e)) => {
            // The cause goes to the log line of the request, not the body.
            let kind = if matches!(e, sqlx::Error::Database(_)) {
                "schema missing"
            } else {
                "unreachable"
            };
            kind.into()
        }
        Ok(Ok(v)) if v < migrate::latest_version() => {
            format!(
                "schema at version {v}, binary needs {}",
                migrate::latest_version()
            )
        }
        Ok(Ok(_)) => "ok".into(),
    }
}

async fn redis(state: &AppState) -> String {
    let options = fred::types::config::Options {
        fail_fast: true,
        timeout: Some(CHECK_TIMEOUT),
        max_attempts: Some(1),
        ..Default::default()
    };
    let redis = state.redis.with_options(&options);
    let ping = crate::traces::redis_command("PING", redis.ping::<String>(None));
    match tokio::time::timeout(CHECK_TIMEOUT, ping).await {
        Err(_) => "timeout".into(),
        Ok(Err(_)) => "unreachable".into(),
        Ok(Ok(_)) => "ok".into(),
    }
}

pub async fn ready(state: &AppState) -> Result<HttpResponseOk<Readiness>, ApiError> {
    let (db, redis) = tokio::join!(database(state), redis(state));
    state
        .metrics
        .redis_connected
        .with_label_values(&["commands"])
        .set(i64::from(redis == "ok"));
    let status = if redis == "ok" { "ready" } else { "degraded" };
    let database_ok = db == "ok";
    let checks = BTreeMap::from([("database".to_owned(), db), ("redis".to_owned(), redis)]);
    if database_ok {
        return Ok(HttpResponseOk(Readiness {
            status: status.into(),
            checks,
        }));
    }
    Err(ApiError::unavailable("not ready: database")
        .with_detail("checks", serde_json::to_value(&checks).unwrap_or_default()))
}

/// The metrics text, with the gauges that are read at scrape time (pools,
/// Redis clients, the denylist) brought up to date first.
pub fn metrics(state: &AppState) -> String {
    let m = &state.metrics;
    let shared_max =
        state.settings.database_max_connections - state.settings.database_read_lane_connections;
    let (size, idle) = (state.pool.size() as i64, state.pool.num_idle() as i64);
    let pools = [
        (
            "shared",
            size - idle,
            idle,
            crate::db::pool_waiters(),
            shared_max as i64,
        ),
        match state.reads.status() {
            Some((used, idle, waiting, max)) => (
                "read_lane",
                used as i64,
                idle as i64,
                waiting as i64,
                max as i64,
            ),
            None => ("read_lane", 0, 0, 0, 0),
        },
    ];
    for (pool, in_use, idle, waiting, max) in pools {
        m.db_pool_connections
            .with_label_values(&[pool, "in_use"])
            .set(in_use);
        m.db_pool_connections
            .with_label_values(&[pool, "idle"])
            .set(idle);
        m.db_pool_waiters.with_label_values(&[pool]).set(waiting);
        m.db_pool_max_connections
            .with_label_values(&[pool])
            .set(max);
    }
    m.redis_connected
        .with_label_values(&["commands"])
        .set(i64::from(state.redis.is_connected()));
    m.revocations_entries
        .set(state.revocations.denylist().len() as i64);
    m.render()
}
