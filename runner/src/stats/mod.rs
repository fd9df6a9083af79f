//! Statistics of benchmark measurements: pure functions from lists of
//! measured values (wall times, throughputs, …) to summaries, outlier reports
//! and between-program comparisons. Nothing here does I/O, prints, reads the
//! clock or allocates beyond its results; every function is deterministic and
//! total on a validated [`Sample`], so the rest of the runner can treat these
//! numbers as plain data (all result types are serde-serialisable).
//!
//! This module is the only user of `statrs` in the runner (Student's t
//! quantiles and tail probabilities); it depends on nothing else in the crate.
//!
//! - [`sample`]: [`Sample`], the non-empty, all-finite input, and [`SampleError`].
//! - [`summary`]: [`summarize`] → [`Summary`] (mean, stddev, percentiles via
//!   [`percentile`], 95% CI of the mean, relative standard error).
//! - [`interval`]: [`mean_ci95`], the 95% CI of a mean (log scale for values that cannot be
//!   negative, so no bound of a time or a rate is ever negative) and the [`NOISY_LIMIT`] past
//!   which a mean is called noisy.
//! - [`outliers`]: [`detect`] → [`Outliers`] (modified z-score and Tukey fences;
//!   reported, never removed).
//! - [`compare`](mod@compare): [`compare()`] → [`Comparison`] (ratio of means with a
//!   log-scale 95% CI, Welch's p-value, significance with a minimum effect).
//!
//! Each file's header cites the sources of its formulas and constants.

pub mod compare;
pub mod interval;
pub mod outliers;
pub mod sample;
pub mod summary;

pub use compare::{compare, Comparison};
pub use interval::{mean_ci95, NOISY_LIMIT};
pub use outliers::{detect, Outliers};
pub use sample::{Sample, SampleError};
pub use summary::{percentile, summarize, Summary};
