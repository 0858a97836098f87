//! Reading a server's JSON log lines in a test.

use serde_json::Value;
use std::time::{Duration, Instant};

/// The log lines of the request `request_id` (its `req_id`), read from
/// `log` (the server's whole log so far) until its last one, dropshot's
/// `request completed`, is out; fails after 10 s, showing the log.
pub async fn lines_of_request(log: impl Fn() -> String, request_id: &str) -> Vec<Value> {
    lines_where(log, "req_id", request_id).await
}

/// The log lines whose `field` is `value` (one request's, when the value is
/// unique to it), read from `log` until dropshot's `request completed` is
/// among them; fails after 10 s, showing the log.
pub async fn lines_where(log: impl Fn() -> String, field: &str, value: &str) -> Vec<Value> {
    let started = Instant::now();
    loop {
        let text = log();
        let lines: Vec<Value> = text
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter(|l| l[field] == value)
            .collect();
        if lines.iter().any(|l| l["msg"] == "request completed") {
            return lines;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no `request completed` line with {field} = {value}:\n{text}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
