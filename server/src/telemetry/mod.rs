//! Structured JSON logs on stdout, with a level that can change at run time.
//!
//! The level lives in an atomic so that a hot-reloaded `LOG_LEVEL` takes effect
//! on the next log call, in every task, without rebuilding the logger.

pub mod correlation;

use slog::{Drain, Level, Logger, o};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A shared, changeable log level.
#[derive(Clone)]
pub struct LogLevel(Arc<AtomicUsize>);

impl LogLevel {
    pub fn new(level: &str) -> LogLevel {
        LogLevel(Arc::new(AtomicUsize::new(
            parse(level).unwrap_or(Level::Info).as_usize(),
        )))
    }

    /// Sets the level; `false` if `level` is not a level name.
    pub fn set(&self, level: &str) -> bool {
        match parse(level) {
            Some(l) => {
                self.0.store(l.as_usize(), Ordering::Relaxed);
                true
            }
            None => false,
        }
    }

    pub fn get(&self) -> Level {
        Level::from_usize(self.0.load(Ordering::Relaxed)).unwrap_or(Level::Info)
    }
}

fn parse(level: &str) -> Option<Level> {
    match level {
        "trace" => Some(Level::Trace),
        "debug" => Some(Level::Debug),
        "info" => Some(Level::Info),
        "warn" => Some(Level::Warning),
        "error" => Some(Level::Error),
        _ => None,
    }
}

/// Filters records by the current [`LogLevel`]. dropshot's per-connection
/// "accepted connection" line is demoted to debug: at info it would double the
/// log volume without telling anything the request line does not.
struct DynamicFilter<D> {
    drain: D,
    level: LogLevel,
}

impl<D: Drain<Ok = (), Err = slog::Never>> Drain for DynamicFilter<D> {
    type Ok = ();
    type Err = slog::Never;

    fn log(&self, record: &slog::Record, values: &slog::OwnedKVList) -> Result<(), slog::Never> {
        let mut level = record.level();
        if level == Level::Info && record.msg().to_string() == "accepted connection" {
            level = Level::Debug;
        }
        if level.is_at_least(self.level.get()) {
            self.drain.log(record, values)
        } else {
            Ok(())
        }
    }
}

/// The root logger: JSON lines on stdout (or the given sink), async, filtered
/// by `level`.
pub fn logger<W: std::io::Write + Send + 'static>(sink: W, level: &LogLevel) -> Logger {
    let json = slog_json::Json::new(sink).add_default_keys().build().fuse();
    let drain = slog_async::Async::new(json).chan_size(4096).build().fuse();
    let drain = correlation::Correlating {
        drain,
        begins_traces: correlation::begins_traces,
    };
    let drain = DynamicFilter {
        drain,
        level: level.clone(),
    }
    .fuse();
    Logger::root(
        drain,
        o!("service" => "backend", "version" => env!("CARGO_PKG_VERSION")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_level_can_change_at_run_time() {
        let level = LogLevel::new("info");
        assert_eq!(level.get(), Level::Info);
        assert!(level.set("debug"));
        assert_eq!(level.get(), Level::Debug);
        assert!(!level.set("loud"));
        assert_eq!(level.get(), Level::Debug);
    }
}
