//! Sampling (docs/manifest.md, "`[sampling]`"): the defaults for absent keys, and the ranges —
//! `min_runs` at least 1 and at most `max_runs`, `timeout` positive, `min_time` not negative
//! (neither of them NaN), `target_rse` between 0 and 1, `published_runs` at least 1 and below
//! `min_runs`.
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
        min_time: s
            .min_time
            .as_ref()
            .map_or(d.min_time, |x| seconds(*x.get_ref(), d.min_time)),
        target_rse: s.target_rse.as_ref().map_or(d.target_rse, |x| *x.get_ref()),
        timeout: s
            .timeout
            .as_ref()
            .map_or(d.timeout, |x| seconds(*x.get_ref(), d.timeout)),
        published_runs: s.published_runs.as_ref().map(|x| *x.get_ref()),
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
        let t = *x.get_ref();
        if t.is_nan() {
            v.err(
                x.span(),
                "timeout must be a positive number of seconds",
                "not a number",
                "e.g. timeout = 60",
            );
        } else if t <= 0.0 {
            v.err(
                x.span(),
                "timeout must be a positive number of seconds",
                "not positive",
                "e.g. timeout = 60",
            );
        }
    }
    if let Some(x) = &s.min_time {
        let t = *x.get_ref();
        if t.is_nan() {
            v.err(
                x.span(),
                "min_time must be zero or more seconds",
                "not a number",
                "e.g. min_time = 1 measures for at least a second",
            );
        } else if t < 0.0 {
            v.err(
                x.span(),
                "min_time must be zero or more seconds",
                "negative",
                "",
            );
        }
    }
    if let Some(x) = &s.published_runs {
        let n = *x.get_ref();
        if n == 0 || n >= sampling.min_runs {
            v.err(
                x.span(),
                format!(
                    "published_runs must be at least 1 and below min_runs ({})",
                    sampling.min_runs
                ),
                if n == 0 { "zero" } else { "not below min_runs" },
                "published_runs declares that published numbers may use fewer runs than min_runs; remove it when they use min_runs",
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

/// `secs` as a duration, capped at 10⁹ s; `fallback` for NaN or a negative number (reported by
/// the range checks above — `Duration::from_secs_f64` would panic on them).
fn seconds(secs: f64, fallback: Duration) -> Duration {
    if secs.is_nan() || secs < 0.0 {
        return fallback;
    }
    Duration::from_secs_f64(secs.min(1e9))
}

#[cfg(test)]
mod tests {
    use super::seconds;
    use std::time::Duration;

    #[test]
    fn seconds_never_panic() {
        let d = Duration::from_secs(7);
        for (secs, want) in [
            (f64::NAN, d),
            (-1.0, d),
            (f64::NEG_INFINITY, d),
            (0.0, Duration::ZERO),
            (1.5, Duration::from_millis(1500)),
            (f64::INFINITY, Duration::from_secs(1_000_000_000)),
            (1e300, Duration::from_secs(1_000_000_000)),
        ] {
            assert_eq!(seconds(secs, d), want, "{secs}");
        }
    }
}
