//! Latency recording in an HDR histogram (3 significant digits, 1 µs to 2 min, 32-bit counts
//! to keep 256 connections × 2 histograms small) and its
//! summary as percentiles.

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Latency percentiles of one measured window, in microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct Latency {
    /// Responses recorded.
    pub count: u64,
    /// Mean.
    pub mean_us: f64,
    /// Median.
    pub p50_us: f64,
    /// 90th percentile.
    pub p90_us: f64,
    /// 99th percentile.
    pub p99_us: f64,
    /// 99.9th percentile.
    pub p999_us: f64,
    /// Largest.
    pub max_us: f64,
}

/// A latency histogram owned by one connection; merged at the end.
pub(crate) struct Recorder(Histogram<u32>);

const MAX_US: u64 = 120_000_000;

impl Recorder {
    pub(crate) fn new() -> Recorder {
        Recorder(Histogram::new_with_bounds(1, MAX_US, 3).expect("valid histogram bounds"))
    }

    pub(crate) fn record(&mut self, d: Duration) {
        let us = (d.as_micros() as u64).clamp(1, MAX_US);
        // Within bounds by the clamp above, so recording cannot fail.
        let _ = self.0.record(us);
    }

    pub(crate) fn merge(&mut self, other: &Recorder) {
        // Same bounds on both sides, so adding cannot fail.
        let _ = self.0.add(&other.0);
    }

    pub(crate) fn summary(&self) -> Latency {
        let h = &self.0;
        if h.is_empty() {
            return Latency::default();
        }
        let q = |p: f64| h.value_at_quantile(p) as f64;
        Latency {
            count: h.len(),
            mean_us: h.mean(),
            p50_us: q(0.50),
            p90_us: q(0.90),
            p99_us: q(0.99),
            p999_us: q(0.999),
            max_us: h.max() as f64,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_of_a_known_distribution() {
        let mut r = Recorder::new();
        for us in 1..=1000u64 {
            r.record(Duration::from_micros(us));
        }
        let l = r.summary();
        assert_eq!(l.count, 1000);
        assert!((l.p50_us - 500.0).abs() <= 1.0, "{l:?}");
        assert!((l.p99_us - 990.0).abs() <= 1.0, "{l:?}");
        assert!((l.max_us - 1000.0).abs() <= 1.0, "{l:?}");
        assert!((l.mean_us - 500.5).abs() < 1.0, "{l:?}");
    }

    #[test]
    fn merging_adds_counts() {
        let mut a = Recorder::new();
        let mut b = Recorder::new();
        a.record(Duration::from_millis(1));
        b.record(Duration::from_millis(3));
        a.merge(&b);
        assert_eq!(a.summary().count, 2);
        assert!(a.summary().max_us >= 2999.0);
    }

    #[test]
    fn empty_is_zero() {
        assert_eq!(Recorder::new().summary(), Latency::default());
    }
}
