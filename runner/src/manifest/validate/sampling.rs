//! Sampling (docs/manifest.md, "`[sampling]`"): the defaults for absent keys, and the ranges —
//! `min_runs` at least 1 and at most `max_runs`, `timeout` positive, `min_time` not negative,
//! `target_rse` between 0 and 1.
//!
//! It never touches the disk, and it never applies the command-line overrides (`--runs`,
//! `--warmup`, `--timeout`): they are applied later, outside `manifest/`.

use super::Validator;
use crate::manifest::model::Sampling;
use crate::manifest::schema::RawManifest;
use std::time::Duration;

/// Checks `[sampling]`; returns it with the defaults applied.
pub(super) fn validate(v: &mut Validator<'_>, raw: &RawManifest) -> Sampling {
    let s = &raw.sampling;
    let d = Sampling::default();
    let sampling = Sampling {
        warmup: s.warmup.as_ref().map_or(d.warmup, |x| *x.get_ref()),
        min_runs: s.min_runs.as_ref().map_or(d.min_runs, |x| *x.get_ref()),
        max_runs: s.max_runs.as_ref().map_or(d.max_runs, |x| *x.get_ref()),
        min_time: s.min_time.as_ref().map_or(d.min_time, |x| {
            Duration::from_secs_f64(x.get_ref().clamp(0.0, 1e9))
        }),
        target_rse: s.target_rse.as_ref().map_or(d.target_rse, |x| *x.get_ref()),
        timeout: s.timeout.as_ref().map_or(d.timeout, |x| {
            Duration::from_secs_f64(x.get_ref().clamp(0.0, 1e9))
        }),
    };
    if let Some(x) = &s.min_runs {
        if *x.get_ref() == 0 {
            v.err(
                x.span(),
                "min_runs must be at least 1",
                "zero",
                "use 2 or more to get a confidence interval",
            );
        }
    }
    if sampling.max_runs < sampling.min_runs {
        let span = s
            .max_runs
            .as_ref()
            .or(s.min_runs.as_ref())
            .map(|x| x.span())
            .unwrap_or(raw.id.span());
        v.err(
            span,
            format!(
                "max_runs ({}) is smaller than min_runs ({})",
                sampling.max_runs, sampling.min_runs
            ),
            "inconsistent",
            "make max_runs ≥ min_runs",
        );
    }
    if let Some(x) = &s.timeout {
        if x.get_ref().partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
            v.err(
                x.span(),
                "timeout must be a positive number of seconds",
                "not positive",
                "e.g. timeout = 60",
            );
        }
    }
    if let Some(x) = &s.min_time {
        if x.get_ref().is_nan() || *x.get_ref() < 0.0 {
            v.err(
                x.span(),
                "min_time must be zero or more seconds",
                "negative",
                "",
            );
        }
    }
    if let Some(x) = &s.target_rse {
        if !(*x.get_ref() > 0.0 && *x.get_ref() < 1.0) {
            v.err(
                x.span(),
                "target_rse must be between 0 and 1",
                "out of range",
                "e.g. target_rse = 0.01 stops once the standard error is 1% of the mean",
            );
        }
    }
    sampling
}
