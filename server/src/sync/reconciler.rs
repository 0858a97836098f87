//! The reconcile loop: catches each feed up with PostgreSQL on its own
//! interval, and every [`super::FALLBACK_INTERVAL`] while the subscriber is
//! down (no events arrive then, so polling is the only way changes spread).

use super::{FALLBACK_INTERVAL, Feeds};
use slog::{Logger, info};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How often the loop looks at the clock; well below the shortest interval,
/// so a feed is never late by more than this.
const TICK: Duration = Duration::from_millis(100);

pub(super) async fn run(feeds: Arc<Feeds>, log: Logger) {
    // The warm-load just caught every feed up.
    let mut last: Vec<Instant> = vec![Instant::now(); feeds.feeds.len()];
    let mut ticker = tokio::time::interval(TICK);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        let connected = feeds.subscriber_connected();
        for (feed, last) in feeds.feeds.iter().zip(last.iter_mut()) {
            let due = if connected {
                feed.interval()
            } else {
                feed.interval().min(FALLBACK_INTERVAL)
            };
            if last.elapsed() < due && !feed.take_nudge() {
                continue;
            }
            // A failed attempt waits for the next interval too, so an
            // unreachable database is not hammered.
            *last = Instant::now();
            match feeds.reconcile_logged(feed.as_ref(), &log).await {
                Some(0) | None => {}
                Some(n) => info!(log, "reconcile repaired drifted entries";
                    "feed" => feed.name(), "changed" => n, "subscriber_connected" => connected),
            }
        }
    }
}
