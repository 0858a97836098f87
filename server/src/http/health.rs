//! Readiness: PostgreSQL (and the schema version) and Redis, each bounded.

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
    .fetch_one(&state.pool);
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
    match tokio::time::timeout(CHECK_TIMEOUT, state.redis.ping::<String>(None)).await {
        Err(_) => "timeout".into(),
        Ok(Err(_)) => "unreachable".into(),
        Ok(Ok(_)) => "ok".into(),
    }
}

pub async fn ready(state: &AppState) -> Result<HttpResponseOk<Readiness>, ApiError> {
    let (db, redis) = tokio::join!(database(state), redis(state));
    let checks = BTreeMap::from([("database".to_owned(), db), ("redis".to_owned(), redis)]);
    let failing: Vec<&str> = checks
        .iter()
        .filter(|(_, v)| v.as_str() != "ok")
        .map(|(k, _)| k.as_str())
        .collect();
    if failing.is_empty() {
        return Ok(HttpResponseOk(Readiness {
            status: "ready".into(),
            checks,
        }));
    }
    Err(
        ApiError::unavailable(format!("not ready: {}", failing.join(", ")))
            .with_detail("checks", serde_json::to_value(&checks).unwrap_or_default()),
    )
}
