//! The 95% confidence interval of one sample's mean, and when that interval is too wide to
//! trust ("noisy"). Pure arithmetic on (n, mean, standard deviation, minimum), so an interval can
//! be recomputed from a stored [`Summary`](super::Summary) without its raw values. Never decides
//! how a number is shown; it only says which bounds it has and whether it is noisy.
//!
//! Sources for the formulas:
//! - Quantities that cannot be negative (times, sizes, rates: every value ≥ 0 and a mean > 0):
//!   the delta method on the log scale, the same one `compare.rs` uses for a ratio of means.
//!   With m, s, n the mean, sample standard deviation and size, Var(log m) ≈ s² / (n m²), so the
//!   interval is exp(log m ± t(0.975, n − 1) · s / (m √n)) = [m / e^a, m · e^a] with
//!   a = t(0.975, n − 1) · s / (m √n) (e.g. Casella & Berger (2002), *Statistical Inference*,
//!   §5.5.4 and §10.1.2; it is `np.exp(scipy.stats.t.interval(0.95, n - 1, loc=np.log(m),
//!   scale=scipy.stats.sem(x) / m))`). Both bounds are positive, the interval is asymmetric
//!   around m (further above than below) and always contains it; when the noise is small
//!   (a ≪ 1) it agrees with the symmetric interval to first order, because e^±a ≈ 1 ± a.
//! - Anything else (a value below 0, or a mean ≤ 0): Student's symmetric interval
//!   m ± t(0.975, n − 1) · s / √n (Student, 1908).
//!
//! Why not a bootstrap: with the 3–10 runs a benchmark has, a resampled mean takes only a handful
//! of distinct values (10 for n = 3), so percentile bounds are coarse and they depend on a seed;
//! the log-scale interval is exact arithmetic, reproducible from a stored summary, and checked
//! against scipy below.

use super::summary::t_crit_975;

/// A mean whose 95% CI reaches further than this fraction of the mean on either side is *noisy*:
/// shown with a mark and never called a winner. 0.10 = 10%.
pub const NOISY_LIMIT: f64 = 0.10;

/// The 95% confidence interval `(low, high)` of the mean of `n` values with this `mean`, sample
/// standard deviation `stddev` (divisor n − 1) and smallest value `min`: on the log scale when
/// `min ≥ 0` and `mean > 0` (see the module's header), symmetric otherwise. `(mean, mean)` when
/// `n < 2` or `stddev` is 0. On the log scale `low` is never negative (it can only underflow to 0
/// for an astronomically wide interval); a non-finite input gives non-finite bounds, never a
/// panic.
#[must_use]
pub fn mean_ci95(n: usize, mean: f64, stddev: f64, min: f64) -> (f64, f64) {
    if n < 2 || stddev == 0.0 {
        return (mean, mean);
    }
    let t = t_crit_975((n - 1) as f64);
    let stderr = stddev / (n as f64).sqrt();
    if min >= 0.0 && mean > 0.0 {
        // s / (m √n) without overflowing s / √n for huge values.
        let a = t * (stderr / mean);
        (mean * (-a).exp(), mean * a.exp())
    } else {
        let half = t * stderr;
        (mean - half, mean + half)
    }
}

/// How far the interval `[low, high]` reaches from `mean`, on its wider side, as a fraction of
/// |mean|: `max(high − mean, mean − low) / |mean|`. 0 for an empty interval (`low == high`);
/// infinite when the mean is 0 but the interval is not.
#[must_use]
pub fn rel_half_width(mean: f64, low: f64, high: f64) -> f64 {
    let reach = (high - mean).max(mean - low).max(0.0);
    if reach == 0.0 {
        0.0
    } else {
        reach / mean.abs()
    }
}

/// True when the interval reaches further than [`NOISY_LIMIT`] from the mean (or is not finite).
#[must_use]
pub fn is_noisy(mean: f64, low: f64, high: f64) -> bool {
    let w = rel_half_width(mean, low, high);
    w.is_nan() || w > NOISY_LIMIT
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::{summarize, Sample};
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    #[track_caller]
    fn assert_close(what: &str, got: f64, want: f64) {
        let ok = got == want || (got - want).abs() <= 1e-9 * want.abs();
        assert!(ok, "{what}: got {got:e}, want {want:e}");
    }

    /// Reference values printed by numpy 2.4.6 / scipy 1.17.1 (`import numpy as np,
    /// scipy.stats as st`), for each dataset `x` with n = len(x), m = np.mean(x):
    ///   log = np.exp(st.t.interval(0.95, n - 1, loc=np.log(m), scale=st.sem(x) / m))
    ///   sym = st.t.interval(0.95, n - 1, loc=m, scale=st.sem(x))
    /// The symmetric interval is kept beside each case to show what the log scale changes.
    #[allow(clippy::type_complexity)]
    const CASES: &[(&str, &[f64], f64, (f64, f64), (f64, f64))] = &[
        // name, data, mean, log (low, high), symmetric (low, high)
        (
            "n=2",
            &[1.0, 3.0],
            2.0,
            (0.003482672961901512, 1148.5431000147748),
            (-10.706204736174694, 14.706204736174694),
        ),
        (
            "outlier",
            &[10.0, 10.1, 9.9, 10.2, 9.8, 10.0, 50.0],
            15.714285714285714,
            (6.454332750293836, 38.25938095598835),
            (1.7314225151616327, 29.697148913409794),
        ),
        (
            "timings",
            &[
                1.234, 1.198, 1.305, 1.221, 1.187, 1.260, 1.243, 1.199, 1.278, 1.215,
            ],
            1.2340000000000002,
            (1.2071157081513755, 1.2614830456742285),
            (1.206818529340455, 1.2611814706595454),
        ),
        (
            // Issue 16: 1.2's Go wall times, whose symmetric interval went below zero.
            "1.2 go wall",
            &[0.068, 0.286, 0.160],
            0.17133333333333334,
            (0.03505230504184163, 0.8374659263084178),
            (-0.10053319165164404, 0.4431998583183107),
        ),
        (
            "with a zero",
            &[0.0, 0.5, 1.0],
            0.5,
            (0.04169871807276299, 5.995388145116538),
            (-0.7420688558751651, 1.7420688558751651),
        ),
        (
            "throughput",
            &[412.0, 398.5, 420.1, 405.3, 415.8],
            410.34,
            (399.84221728484766, 421.1134000391128),
            (399.7055990826099, 420.97440091739),
        ),
        (
            // rng = np.random.default_rng(20261126); rng.lognormal(-1.0, 0.6, 30).round(6)
            "lognormal n=30",
            &[
                0.293918, 0.315568, 0.646004, 0.84812, 0.157259, 0.384232, 1.136016, 0.624877,
                0.131921, 0.71707, 0.254323, 0.208831, 0.467061, 0.387239, 0.300105, 0.852732,
                0.546162, 0.324053, 0.412677, 0.210096, 0.319343, 0.550649, 0.565167, 0.548746,
                0.75648, 0.346466, 0.184479, 0.920555, 0.969564, 0.148015,
            ],
            0.4842576,
            (0.39264155769277254, 0.5972506439098121),
            (0.38269916015021055, 0.5858160398497895),
        ),
    ];

    #[test]
    fn mean_ci95_matches_scipy_on_the_log_scale() {
        for (name, data, mean, (lo, hi), (sym_lo, sym_hi)) in CASES {
            let s = summarize(&Sample::new(data.to_vec()).unwrap());
            assert_close(&format!("{name}: mean"), s.mean, *mean);
            let (got_lo, got_hi) = mean_ci95(s.n, s.mean, s.stddev, s.min);
            assert_close(&format!("{name}: low"), got_lo, *lo);
            assert_close(&format!("{name}: high"), got_hi, *hi);
            // The summary carries the same interval.
            assert_eq!((s.ci95_low, s.ci95_high), (got_lo, got_hi), "{name}");
            // The symmetric interval, for a value that may be negative, is Student's.
            let (got_lo, got_hi) = mean_ci95(s.n, s.mean, s.stddev, -1.0);
            assert_close(&format!("{name}: symmetric low"), got_lo, *sym_lo);
            assert_close(&format!("{name}: symmetric high"), got_hi, *sym_hi);
        }
    }

    #[test]
    fn degenerate_inputs_collapse_onto_the_mean() {
        let cases: &[(usize, f64, f64, f64)] = &[
            (1, 0.2, 0.0, 0.2),
            (5, 0.2, 0.0, 0.2),
            (3, 0.0, 0.0, 0.0),
            (1, -3.0, 0.0, -3.0),
        ];
        for &(n, mean, sd, min) in cases {
            assert_eq!(mean_ci95(n, mean, sd, min), (mean, mean), "{n} {mean} {sd}");
        }
    }

    /// Property: over many random samples of non-negative values (log-normal, exponential,
    /// uniform with zeros, one huge outlier; n from 2 to 40) no bound is ever negative, the
    /// interval always contains the mean and is wider above it than below.
    #[test]
    fn no_bound_is_ever_negative() {
        let mut rng = ChaCha8Rng::seed_from_u64(16);
        for i in 0..20_000 {
            let n = rng.gen_range(2..=40);
            let scale = 10f64.powi(rng.gen_range(-9..=9));
            let values: Vec<f64> = (0..n)
                .map(|_| {
                    let u: f64 = rng.gen_range(f64::EPSILON..1.0);
                    let x = match i % 4 {
                        0 => (rng.gen_range(-3.0..3.0) * rng.gen_range(0.0..2.0f64)).exp(),
                        1 => -u.ln(),
                        2 if rng.gen_bool(0.2) => 0.0,
                        2 => u,
                        _ if rng.gen_bool(0.1) => 1e3 / u,
                        _ => 1.0 + 0.01 * u,
                    };
                    x * scale
                })
                .collect();
            let s = summarize(&Sample::new(values.clone()).unwrap());
            assert!(
                s.ci95_low >= 0.0 && s.ci95_high >= 0.0,
                "negative bound {:?} for {values:?}",
                (s.ci95_low, s.ci95_high)
            );
            assert!(
                s.ci95_low <= s.mean && s.mean <= s.ci95_high,
                "{:?} excludes the mean {} of {values:?}",
                (s.ci95_low, s.ci95_high),
                s.mean
            );
            assert!(
                s.ci95_high - s.mean >= s.mean - s.ci95_low,
                "not wider above: {:?} around {}",
                (s.ci95_low, s.ci95_high),
                s.mean
            );
        }
    }

    #[test]
    fn noisy_is_a_reach_past_ten_percent_on_either_side() {
        let cases: &[(f64, f64, f64, f64, bool)] = &[
            // mean, low, high, relative half-width, noisy
            (100.0, 100.0, 100.0, 0.0, false),
            (100.0, 95.0, 105.0, 0.05, false),
            (100.0, 90.0, 110.0, 0.10, false),
            (100.0, 91.0, 111.0, 0.11, true),
            (100.0, 85.0, 109.0, 0.15, true),
            (0.171, 0.0350, 0.837, 3.894736842105263, true),
            (-2.0, -2.1, -1.9, 0.05, false),
            (0.0, -1.0, 1.0, f64::INFINITY, true),
        ];
        for &(mean, low, high, width, noisy) in cases {
            let got = rel_half_width(mean, low, high);
            assert!(
                (got - width).abs() <= 1e-12 * width.max(1.0) || got == width,
                "rel_half_width({mean}, {low}, {high}) = {got}, want {width}"
            );
            assert_eq!(is_noisy(mean, low, high), noisy, "{mean} {low} {high}");
        }
    }
}
