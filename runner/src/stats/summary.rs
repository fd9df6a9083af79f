//! Descriptive statistics of one [`Sample`]: location, spread, percentiles and
//! the 95% confidence interval of the mean, gathered in [`Summary`]. Also owns
//! the Student's t critical value shared with the comparison code.
//!
//! Sources for the formulas:
//! - Percentiles: linear interpolation between closest ranks, Hyndman & Fan
//!   (1996), "Sample Quantiles in Statistical Packages", definition 7; this is
//!   numpy's default `method="linear"` of `np.percentile`, whose virtual index
//!   `(n - 1) * q / 100` and two-sided lerp are mirrored here.
//! - Standard deviation: the unbiased sample variance (divisor n − 1).
//! - CI of the mean: `interval.rs` (on the log scale for values that cannot be negative,
//!   Student's symmetric mean ± t(0.975, n − 1) · s / √n otherwise).
//! - t quantile: statrs' `StudentsT::inverse_cdf`, polished by Newton steps on
//!   statrs' survival function for ν ≤ 1000 (statrs' inverse alone loses
//!   accuracy, ~1e-13 relative at ν = 100 and worse as ν grows); for ν > 1000
//!   the Cornish–Fisher expansion of Abramowitz & Stegun (1964), eq. 26.7.5, with
//!   z(0.975) = 1.959963984540054 (`scipy.stats.norm.ppf(0.975)`), which is within
//!   1e-15 relative of `scipy.stats.t.ppf` there.

use serde::{Deserialize, Serialize};
use statrs::distribution::{Continuous, ContinuousCDF, StudentsT};

use super::interval::{is_noisy, mean_ci95};
use super::sample::Sample;

/// Descriptive statistics of one sample. Every field is finite whenever the
/// sample's sums do not overflow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Number of values.
    pub n: usize,
    /// Arithmetic mean.
    pub mean: f64,
    /// Sample standard deviation (divisor n − 1); 0 when n = 1.
    pub stddev: f64,
    /// Median (the 50th [`percentile`]).
    pub median: f64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
    /// 5th percentile (linear interpolation, see [`percentile`]).
    pub p05: f64,
    /// 25th percentile, the first quartile.
    pub p25: f64,
    /// 75th percentile, the third quartile.
    pub p75: f64,
    /// 95th percentile.
    pub p95: f64,
    /// Lower end of the 95% confidence interval of the mean (Student's t with
    /// n − 1 degrees of freedom, on the log scale when every value is ≥ 0 and
    /// the mean > 0, so never negative for times, sizes and rates: see
    /// [`mean_ci95`](super::interval::mean_ci95)); equal to `mean` when n = 1
    /// or all values are equal.
    pub ci95_low: f64,
    /// Upper end of the 95% confidence interval of the mean (asymmetric on the
    /// log scale: further above the mean than `ci95_low` is below); equal to
    /// `mean` when n = 1 or all values are equal.
    pub ci95_high: f64,
    /// Relative standard error of the mean, `(stddev / √n) / |mean|`; 0 when
    /// n = 1 and also (instead of NaN or ∞) when the mean is 0.
    pub rel_stderr: f64,
}

impl Summary {
    /// True when the 95% CI of the mean reaches further than
    /// [`NOISY_LIMIT`](super::interval::NOISY_LIMIT) (10%) from the mean on either side.
    #[must_use]
    pub fn is_noisy(&self) -> bool {
        is_noisy(self.mean, self.ci95_low, self.ci95_high)
    }
}

/// Computes the [`Summary`] of a sample.
#[must_use]
pub fn summarize(s: &Sample) -> Summary {
    let sorted = s.sorted();
    let n = s.len();
    let nf = n as f64;
    let (mean, variance) = mean_and_variance(s.values());
    let stddev = variance.sqrt();
    let stderr = stddev / nf.sqrt();
    let (ci95_low, ci95_high) = mean_ci95(n, mean, stddev, sorted[0]);
    let rel_stderr = if mean == 0.0 {
        0.0
    } else {
        stderr / mean.abs()
    };
    Summary {
        n,
        mean,
        stddev,
        median: percentile(&sorted, 50.0),
        min: sorted[0],
        max: sorted[n - 1],
        p05: percentile(&sorted, 5.0),
        p25: percentile(&sorted, 25.0),
        p75: percentile(&sorted, 75.0),
        p95: percentile(&sorted, 95.0),
        ci95_low,
        ci95_high,
        rel_stderr,
    }
}

/// The `q`-th percentile (`q` in [0, 100]) of `sorted`, by linear interpolation
/// between the closest ranks: with `h = (n − 1) · q / 100`, the result is
/// `sorted[⌊h⌋] + (h − ⌊h⌋) · (sorted[⌊h⌋ + 1] − sorted[⌊h⌋])`. This is numpy's
/// default (`np.percentile(x, q)`, `method="linear"`).
///
/// Preconditions (not checked, and never a panic): `sorted` must be in
/// ascending order, otherwise the result is meaningless. `q` outside [0, 100]
/// is clamped into it; a NaN `q`, or an empty `sorted`, yields NaN.
#[must_use]
pub fn percentile(sorted: &[f64], q: f64) -> f64 {
    let n = sorted.len();
    if n == 0 || q.is_nan() {
        return f64::NAN;
    }
    let h = (n - 1) as f64 * (q.clamp(0.0, 100.0) / 100.0);
    // h is within [0, n - 1], so the casts cannot truncate meaningfully.
    let lo = (h.floor() as usize).min(n - 1);
    let hi = (lo + 1).min(n - 1);
    let gamma = h - lo as f64;
    let (a, b) = (sorted[lo], sorted[hi]);
    let diff = b - a;
    // Same two-sided lerp as numpy's `_lerp`, exact at both ends.
    if gamma >= 0.5 {
        b - diff * (1.0 - gamma)
    } else {
        a + diff * gamma
    }
}

/// Arithmetic mean and unbiased sample variance (divisor n − 1, two-pass) of
/// a non-empty slice; the variance is 0 for a single value. An empty slice
/// gives NaN for both (no caller passes one: a [`Sample`] is never empty).
pub(super) fn mean_and_variance(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    if values.len() < 2 {
        return (mean, if values.is_empty() { f64::NAN } else { 0.0 });
    }
    let ss: f64 = values.iter().map(|x| (x - mean) * (x - mean)).sum();
    (mean, ss / (n - 1.0))
}

/// z(0.975), the standard normal 97.5% quantile (`scipy.stats.norm.ppf(0.975)`).
const Z_975: f64 = 1.959_963_984_540_054;

/// Above this many degrees of freedom the Cornish–Fisher series is used.
const CORNISH_FISHER_MIN_DF: f64 = 1000.0;

/// The two-sided 95% critical value of Student's t, i.e. its 0.975 quantile,
/// for `df` degrees of freedom (which may be fractional, as in Welch's test).
///
/// Accurate to about 1e-13 relative for every `df` ≥ 1 (checked against
/// `scipy.stats.t.ppf` in the tests). For `df` ≤ 0 or NaN, which no caller in
/// this module produces, it returns NaN rather than panicking.
pub(super) fn t_crit_975(df: f64) -> f64 {
    if df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    if df > CORNISH_FISHER_MIN_DF {
        // Abramowitz & Stegun 26.7.5; an infinite df gives exactly z.
        let x = Z_975;
        let (x2, v) = (x * x, df);
        let g1 = x * (x2 + 1.0) / 4.0;
        let g2 = x * ((5.0 * x2 + 16.0) * x2 + 3.0) / 96.0;
        let g3 = x * (((3.0 * x2 + 19.0) * x2 + 17.0) * x2 - 15.0) / 384.0;
        let g4 = x * ((((79.0 * x2 + 776.0) * x2 + 1482.0) * x2 - 1920.0) * x2 - 945.0) / 92160.0;
        return x + (g1 + (g2 + (g3 + g4 / v) / v) / v) / v;
    }
    let Ok(dist) = StudentsT::new(0.0, 1.0, df) else {
        return f64::NAN;
    };
    let mut x = dist.inverse_cdf(0.975);
    // Newton on sf(x) = 0.025: sf'(x) = -pdf(x).
    for _ in 0..8 {
        let density = dist.pdf(x);
        if density <= 0.0 || !x.is_finite() {
            break;
        }
        let step = (dist.sf(x) - 0.025) / density;
        if !step.is_finite() {
            break;
        }
        x += step;
        if step.abs() <= 4.0 * f64::EPSILON * x.abs() {
            break;
        }
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Relative closeness check used against the scipy/numpy reference values.
    fn close(got: f64, want: f64, rel: f64) -> bool {
        got == want || (got - want).abs() <= rel * want.abs().max(f64::MIN_POSITIVE)
    }

    #[track_caller]
    fn assert_close(what: &str, got: f64, want: f64) {
        assert!(close(got, want, 1e-9), "{what}: got {got:e}, want {want:e}");
    }

    /// Reference values printed by /tmp/statswork/reference.py (numpy 2.4.6,
    /// scipy 1.17.1), section "## summary", for each dataset `x`:
    ///   mean    = np.mean(x);  stddev = np.std(x, ddof=1) (0.0 for n = 1)
    ///   median  = np.median(x); min/max = x.min(), x.max()
    ///   pNN     = np.percentile(x, NN)            (default method="linear")
    ///   ci95    = every x ≥ 0 and mean > 0 (log scale, see interval.rs):
    ///               np.exp(scipy.stats.t.interval(0.95, n-1, loc=np.log(m), scale=scipy.stats.sem(x)/m))
    ///             otherwise (symmetric):
    ///               scipy.stats.t.interval(0.95, n-1, loc=np.mean(x), scale=scipy.stats.sem(x))
    ///             (= (mean, mean) when n = 1 or stddev = 0)
    ///   rel_stderr = (np.std(x, ddof=1)/np.sqrt(n)) / abs(np.mean(x))  (0.0 if mean == 0 or n = 1)
    #[allow(clippy::type_complexity)]
    const SUMMARY_CASES: &[(&str, &[f64], [f64; 12])] = &[
        // name, data, [mean, stddev, median, min, max, p05, p25, p75, p95, ci_lo, ci_hi, rel_stderr]
        (
            "n=1",
            &[42.0],
            [
                42.0, 0.0, 42.0, 42.0, 42.0, 42.0, 42.0, 42.0, 42.0, 42.0, 42.0, 0.0,
            ],
        ),
        (
            "n=2",
            &[1.0, 3.0],
            [
                2.0,
                std::f64::consts::SQRT_2, // reference.py printed 1.4142135623730951
                2.0,
                1.0,
                3.0,
                1.1,
                1.5,
                2.5,
                2.9,
                0.003482672961901512,
                1148.5431000147748,
                0.5,
            ],
        ),
        (
            "all equal",
            &[5.0; 6],
            [5.0, 0.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 0.0],
        ),
        (
            "outlier",
            &[10.0, 10.1, 9.9, 10.2, 9.8, 10.0, 50.0],
            [
                15.714285714285714,
                15.119130108511376,
                10.0,
                9.8,
                50.0,
                9.83,
                9.95,
                10.149999999999999,
                38.059999999999974,
                6.454332750293836,
                38.25938095598835,
                0.36364962097045544,
            ],
        ),
        (
            "timings",
            &[
                1.234, 1.198, 1.305, 1.221, 1.187, 1.260, 1.243, 1.199, 1.278, 1.215,
            ],
            [
                1.2340000000000002,
                0.03799707591088788,
                1.2275,
                1.187,
                1.305,
                1.19195,
                1.203,
                1.25575,
                1.29285,
                1.2071157081513755,
                1.2614830456742285,
                0.009737220770236855,
            ],
        ),
        (
            "mixed signs",
            &[-3.5, 2.0, 0.25, -1.0, 4.75],
            [
                0.5,
                3.107450723664013,
                0.25,
                -3.5,
                4.75,
                -3.0,
                -1.0,
                2.0,
                4.199999999999999,
                -3.358409689765839,
                4.358409689765839,
                2.779388421937459,
            ],
        ),
        (
            "zero mean",
            &[-1.0, 1.0],
            [
                0.0,
                std::f64::consts::SQRT_2, // reference.py printed 1.4142135623730951
                0.0,
                -1.0,
                1.0,
                -0.9,
                -0.5,
                0.5,
                0.8999999999999999,
                -12.706204736174694,
                12.706204736174694,
                0.0,
            ],
        ),
    ];

    #[test]
    fn summarize_matches_numpy_scipy() {
        for (name, data, want) in SUMMARY_CASES {
            let s = summarize(&Sample::new(data.to_vec()).unwrap());
            assert_eq!(s.n, data.len(), "{name}: n");
            let got = [
                s.mean,
                s.stddev,
                s.median,
                s.min,
                s.max,
                s.p05,
                s.p25,
                s.p75,
                s.p95,
                s.ci95_low,
                s.ci95_high,
                s.rel_stderr,
            ];
            let fields = [
                "mean",
                "stddev",
                "median",
                "min",
                "max",
                "p05",
                "p25",
                "p75",
                "p95",
                "ci95_low",
                "ci95_high",
                "rel_stderr",
            ];
            for ((field, g), w) in fields.iter().zip(got).zip(want) {
                assert_close(&format!("{name}.{field}"), g, *w);
            }
        }
    }

    #[test]
    fn summarize_degenerate_cases_are_exact() {
        // n = 1 and all-equal: no spread, CI collapses onto the mean, no NaN.
        let cases: &[&[f64]] = &[&[42.0], &[5.0; 6], &[-7.5], &[0.0, 0.0, 0.0]];
        for data in cases {
            let s = summarize(&Sample::new(data.to_vec()).unwrap());
            assert_eq!(s.stddev, 0.0, "{data:?}");
            assert_eq!((s.ci95_low, s.ci95_high), (s.mean, s.mean), "{data:?}");
            assert_eq!(s.rel_stderr, 0.0, "{data:?}");
            assert_eq!(s.min, s.max, "{data:?}");
        }
    }

    /// Reference: reference.py section "## percentile", each line printed as
    /// `np.percentile(xs, q)` with numpy's default method="linear".
    #[test]
    fn percentile_matches_numpy() {
        let a: &[f64] = &[1.0, 2.0, 3.0, 4.0];
        let b: &[f64] = &[0.5, 7.25, 7.25, 8.0, 100.0];
        let t: &[f64] = &[
            1.187, 1.198, 1.199, 1.215, 1.221, 1.234, 1.243, 1.26, 1.278, 1.305,
        ];
        let one: &[f64] = &[3.0];
        let cases: &[(&[f64], f64, f64)] = &[
            (a, 0.0, 1.0),
            (a, 10.0, 1.3),
            (a, 25.0, 1.75),
            (a, 33.3, 1.9989999999999999),
            (a, 50.0, 2.5),
            (a, 62.5, 2.875),
            (a, 90.0, 3.7),
            (a, 99.9, 3.9970000000000003),
            (a, 100.0, 4.0),
            (b, 1.0, 0.77),
            (b, 12.5, 3.875),
            (b, 37.5, 7.25),
            (b, 50.0, 7.25),
            (b, 75.0, 8.0),
            (b, 87.5, 54.0),
            (t, 5.0, 1.19195),
            (t, 50.0, 1.2275),
            (t, 95.0, 1.29285),
            (one, 0.0, 3.0),
            (one, 37.0, 3.0),
            (one, 100.0, 3.0),
        ];
        for (xs, q, want) in cases {
            assert_close(
                &format!("percentile({xs:?}, {q})"),
                percentile(xs, *q),
                *want,
            );
        }
    }

    #[test]
    fn percentile_out_of_range_inputs() {
        let xs = [1.0, 2.0, 3.0, 4.0];
        let cases: &[(&[f64], f64, Option<f64>)] = &[
            (&xs, -5.0, Some(1.0)),
            (&xs, 150.0, Some(4.0)),
            (&xs, f64::NEG_INFINITY, Some(1.0)),
            (&xs, f64::INFINITY, Some(4.0)),
            (&xs, f64::NAN, None),
            (&[], 50.0, None),
        ];
        for (xs, q, want) in cases {
            let got = percentile(xs, *q);
            match want {
                Some(w) => assert_eq!(got, *w, "percentile({xs:?}, {q})"),
                None => assert!(got.is_nan(), "percentile({xs:?}, {q}) = {got}"),
            }
        }
    }

    /// Reference: reference.py section "## t quantiles",
    /// `scipy.stats.t.ppf(0.975, df)`. Covers both the Newton-polished statrs
    /// path (df ≤ 1000) and the Cornish–Fisher path (df > 1000).
    #[test]
    fn t_crit_matches_scipy() {
        let cases: &[(f64, f64)] = &[
            (1.0, 12.706204736174694),
            (2.0, 4.302652729749462),
            (3.0, 3.1824463052837078),
            (4.5, 2.6589123472044034),
            (9.0, 2.262157162798205),
            (30.0, 2.0422724563012378),
            (120.0, 1.9799304050824402),
            (999.0, 1.9623414611334493),
            (1001.0, 1.9623367052808798),
            (5000.0, 1.9604385517065073),
            (1e6, 1.959966356814107),
        ];
        for (df, want) in cases {
            let got = t_crit_975(*df);
            assert!(
                close(got, *want, 1e-12),
                "t_crit_975({df}) = {got:e}, want {want:e}"
            );
        }
        assert_eq!(t_crit_975(f64::INFINITY), Z_975);
        for bad in [0.0, -1.0, f64::NAN] {
            assert!(t_crit_975(bad).is_nan(), "df = {bad}");
        }
    }

    #[test]
    fn summary_serde_round_trip() {
        let s = summarize(&Sample::new(vec![1.234, 1.198, 1.305, 1.221]).unwrap());
        let json = serde_json::to_string(&s).unwrap();
        for field in [
            "\"n\":4",
            "\"mean\":",
            "\"stddev\":",
            "\"median\":",
            "\"min\":",
            "\"max\":",
            "\"p05\":",
            "\"p25\":",
            "\"p75\":",
            "\"p95\":",
            "\"ci95_low\":",
            "\"ci95_high\":",
            "\"rel_stderr\":",
        ] {
            assert!(json.contains(field), "{field} missing in {json}");
        }
        // serde_json without its `float_roundtrip` feature (as in the runner)
        // may parse a float 1 ulp off, so compare within a few ulps.
        let back: Summary = serde_json::from_str(&json).unwrap();
        assert_eq!(back.n, s.n);
        let pairs = [
            (back.mean, s.mean),
            (back.stddev, s.stddev),
            (back.median, s.median),
            (back.min, s.min),
            (back.max, s.max),
            (back.p05, s.p05),
            (back.p25, s.p25),
            (back.p75, s.p75),
            (back.p95, s.p95),
            (back.ci95_low, s.ci95_low),
            (back.ci95_high, s.ci95_high),
            (back.rel_stderr, s.rel_stderr),
        ];
        for (got, want) in pairs {
            assert!(close(got, want, 1e-15), "{got:e} vs {want:e} in {json}");
        }
    }
}
