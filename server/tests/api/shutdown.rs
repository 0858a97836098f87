//! Shutdown stops what it started: once `run_until` returns, no background
//! task of the replica is left running against the pools it closed.

use super::helpers::*;
use backend_server::telemetry::{self, LogLevel};
use std::time::Duration;

#[tokio::test]
async fn no_background_task_outlives_shutdown() {
    let db = backend_e2e::testenv::fresh_database(migrate).await;
    let redis_url = backend_e2e::testenv::redis_url().await;
    // The denylist's catch-up runs every second: after a shutdown that left
    // it running, the next one meets the closed pool and says so.
    let settings = settings(
        &db,
        &redis_url,
        &[
            ("REVOCATION_RECONCILE_INTERVAL", "1"),
            ("CONFIG_RECONCILE_INTERVAL", "1"),
        ],
    );
    let captured = Captured::default();
    let level = LogLevel::new("info");
    let log = telemetry::logger(captured.clone(), &level);
    let app = build_logging_to(settings, log, level)
        .await
        .expect("server starts");
    app.run_until(tokio::time::sleep(Duration::from_millis(200)))
        .await
        .expect("a clean shutdown");
    // Two reconcile intervals, and time for the asynchronous drain to write.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let text = captured.text();
    assert!(text.contains("\"msg\":\"stopped\""), "{text}");
    let after: Vec<&str> = text
        .lines()
        .skip_while(|line| !line.contains("\"msg\":\"stopped\""))
        .skip(1)
        .collect();
    assert!(
        after.is_empty(),
        "the replica still logs after it stopped:\n{}",
        after.join("\n")
    );
}
