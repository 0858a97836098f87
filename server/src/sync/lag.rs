//! Recent propagation lags of one feed, summarised as percentiles for the
//! runtime view (the Prometheus histograms keep the long-run picture).

use backend_api::types::LagSummary;
use std::collections::VecDeque;
use std::sync::Mutex;

/// How many recent lags are kept.
const SAMPLES: usize = 4096;

#[derive(Default)]
pub struct Lags {
    samples: Mutex<VecDeque<u64>>,
}

impl Lags {
    /// Records one lag in microseconds, forgetting the oldest past [`SAMPLES`].
    pub fn record(&self, us: u64) {
        let mut samples = self.samples.lock().expect("lags lock");
        if samples.len() == SAMPLES {
            samples.pop_front();
        }
        samples.push_back(us);
    }

    pub fn summary(&self) -> LagSummary {
        let mut sorted: Vec<u64> = self
            .samples
            .lock()
            .expect("lags lock")
            .iter()
            .copied()
            .collect();
        if sorted.is_empty() {
            return LagSummary::default();
        }
        sorted.sort_unstable();
        let at =
            |q: f64| sorted[((sorted.len() as f64 * q).ceil() as usize).clamp(1, sorted.len()) - 1];
        LagSummary {
            count: sorted.len() as u64,
            p50_us: at(0.50),
            p99_us: at(0.99),
            max_us: *sorted.last().expect("not empty"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_cover_the_recent_samples() {
        let lags = Lags::default();
        for us in 1..=100 {
            lags.record(us);
        }
        let s = lags.summary();
        assert_eq!((s.count, s.p50_us, s.p99_us, s.max_us), (100, 50, 99, 100));
        for _ in 0..SAMPLES {
            lags.record(7);
        }
        assert_eq!(lags.summary().max_us, 7, "old samples are forgotten");
    }
}
