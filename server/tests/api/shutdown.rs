//! Shutdown stops what it started: once `run_until` returns, no background
//! task of the replica is left running against the pools it closed.

use super::helpers::*;
use backend_server::telemetry::{self, LogLevel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Log lines written by the server, for the test to read.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

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
