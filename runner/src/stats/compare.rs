//! Comparison of two samples of the same metric (e.g. the wall times of the
//! Go and the Rust program): the ratio of their means with a 95% confidence
//! interval, Welch's t-test p-value, and a verdict that combines statistical
//! and practical significance.
//!
//! Sources for the formulas:
//! - Ratio CI: the delta method on the log scale. With m, s², n the mean,
//!   sample variance and size of each sample, Var(log m) ≈ s² / (n m²), so with
//!   v_a = s_a² / (n_a m_a²) and v_b likewise the interval is
//!   exp(log(m_a / m_b) ± t(0.975, ν) · √(v_a + v_b)), where ν is the
//!   Welch–Satterthwaite degrees of freedom of those two terms,
//!   ν = (v_a + v_b)² / (v_a² / (n_a − 1) + v_b² / (n_b − 1))
//!   (F. E. Satterthwaite (1946), Biometrics Bulletin 2(6):110–114;
//!   B. L. Welch (1947), Biometrika 34:28–35). The interval is always positive
//!   and asymmetric around the ratio, as a ratio's interval should be.
//! - p-value: Welch's unequal-variances two-sided t-test on the raw values,
//!   t = (m_a − m_b) / √(s_a²/n_a + s_b²/n_b), with the Welch–Satterthwaite ν
//!   of the raw variance terms; identical to
//!   `scipy.stats.ttest_ind(a, b, equal_var=False)`.
//! - Verdict: the CI must exclude 1 *and* the ratio must differ from 1 by at
//!   least the caller's minimum effect, so that tiny but very consistent
//!   differences are not reported as differences.

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, StudentsT};

use super::sample::Sample;
use super::summary::{mean_and_variance, t_crit_975};

/// The result of comparing sample `a` against sample `b` with [`compare`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// mean(a) / mean(b): above 1 when `a` has the larger mean. Not finite
    /// when mean(b) is 0 (±∞, or NaN when both means are 0); every caller that
    /// compares positive quantities such as times or throughputs gets a finite
    /// positive ratio.
    pub ratio: f64,
    /// Lower end of the 95% CI of the ratio (delta method on the log scale).
    /// `None` when either sample has fewer than 2 values or a mean is ≤ 0.
    pub ci95_low: Option<f64>,
    /// Upper end of the 95% CI of the ratio; `None` exactly when `ci95_low` is.
    pub ci95_high: Option<f64>,
    /// Two-sided p-value of Welch's t-test on the raw values (null hypothesis:
    /// equal means). `None` when either sample has fewer than 2 values or a
    /// mean is ≤ 0. When both samples have zero variance it is 0 if the means
    /// differ and 1 if they are equal.
    pub p_value: Option<f64>,
    /// The smallest relative difference |ratio − 1| that counts as a
    /// difference, as passed to [`compare`] (e.g. 0.02 for 2%).
    pub min_effect: f64,
    /// `true` iff the CI is available and excludes 1.0 *and*
    /// |ratio − 1| ≥ `min_effect`: "a significant difference" in either
    /// direction. Whether `a` is better or worse depends on the metric's
    /// direction (lower is better for time, higher for throughput), which the
    /// caller decides from the sign of `ratio − 1`.
    pub significant: bool,
}

/// Compares the means of `a` and `b`: ratio mean(a)/mean(b) with its 95% CI,
/// Welch's two-sided p-value, and whether the difference is significant both
/// statistically (CI excludes 1) and practically (|ratio − 1| ≥ `min_effect`).
///
/// `min_effect` is a non-negative fraction (0.02 = 2%); a negative value acts
/// like 0, and NaN makes no difference significant.
///
/// If either sample has fewer than 2 values, or either mean is ≤ 0 (the log
/// scale needs positive means), the CI and p-value are `None` and
/// `significant` is `false`. If both samples have zero variance the CI is
/// `[ratio, ratio]`. The same `None`s are returned in the (theoretical) case
/// that values so large that their variance overflows make the statistics
/// non-finite.
#[must_use]
pub fn compare(a: &Sample, b: &Sample, min_effect: f64) -> Comparison {
    let (ma, var_a) = mean_and_variance(a.values());
    let (mb, var_b) = mean_and_variance(b.values());
    let ratio = ma / mb;
    let mut out = Comparison {
        ratio,
        ci95_low: None,
        ci95_high: None,
        p_value: None,
        min_effect,
        significant: false,
    };
    if a.len() < 2 || b.len() < 2 || ma <= 0.0 || mb <= 0.0 {
        return out;
    }
    let (na, nb) = (a.len() as f64, b.len() as f64);

    // Ratio CI on the log scale. (s/m)² / n == s² / (n m²) without overflowing m².
    let va = (var_a.sqrt() / ma).powi(2) / na;
    let vb = (var_b.sqrt() / mb).powi(2) / nb;
    if let Some((lo, hi)) = log_ratio_ci(ratio, va, na, vb, nb) {
        out.ci95_low = Some(lo);
        out.ci95_high = Some(hi);
        let excludes_one = lo > 1.0 || hi < 1.0;
        out.significant = excludes_one && (ratio - 1.0).abs() >= min_effect;
    }

    out.p_value = welch_p_value(ma - mb, var_a / na, na, var_b / nb, nb);
    out
}

/// exp(log r ± t(0.975, ν) · √(va + vb)) with ν from [`welch_df`]; `[r, r]`
/// when both variance terms are 0; `None` if anything is not finite.
fn log_ratio_ci(ratio: f64, va: f64, na: f64, vb: f64, nb: f64) -> Option<(f64, f64)> {
    let total = va + vb;
    if !total.is_finite() || !ratio.is_finite() {
        return None;
    }
    if total == 0.0 {
        return Some((ratio, ratio));
    }
    let half = t_crit_975(welch_df(va, na, vb, nb)) * total.sqrt();
    let log_r = ratio.ln();
    let (lo, hi) = ((log_r - half).exp(), (log_r + half).exp());
    (lo.is_finite() && hi.is_finite()).then_some((lo, hi))
}

/// Two-sided p-value of Welch's t-test for a difference of means `diff` with
/// squared standard-error terms `wa` = s_a²/n_a and `wb` = s_b²/n_b.
fn welch_p_value(diff: f64, wa: f64, na: f64, wb: f64, nb: f64) -> Option<f64> {
    let se2 = wa + wb;
    if !se2.is_finite() || !diff.is_finite() {
        return None;
    }
    if se2 == 0.0 {
        return Some(if diff == 0.0 { 1.0 } else { 0.0 });
    }
    let t = diff / se2.sqrt();
    let dist = StudentsT::new(0.0, 1.0, welch_df(wa, na, wb, nb)).ok()?;
    Some((2.0 * dist.sf(t.abs())).clamp(0.0, 1.0))
}

/// Welch–Satterthwaite degrees of freedom of two variance terms `wa`, `wb`
/// (not both 0) from samples of sizes `na`, `nb` ≥ 2:
/// (wa + wb)² / (wa²/(na − 1) + wb²/(nb − 1)), evaluated on the normalised
/// shares wa/(wa + wb) so that tiny terms cannot underflow when squared. The
/// result lies in [min(na, nb) − 1, na + nb − 2].
fn welch_df(wa: f64, na: f64, wb: f64, nb: f64) -> f64 {
    let total = wa + wb;
    let (fa, fb) = (wa / total, wb / total);
    1.0 / (fa * fa / (na - 1.0) + fb * fb / (nb - 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(values: &[f64]) -> Sample {
        Sample::new(values.to_vec()).unwrap()
    }

    #[track_caller]
    fn assert_close(what: &str, got: f64, want: f64) {
        let ok = got == want || (got - want).abs() <= 1e-9 * want.abs();
        assert!(ok, "{what}: got {got:e}, want {want:e}");
    }

    const OVERLAP: (&[f64], &[f64]) = (
        &[10.0, 10.3, 9.8, 10.1, 9.9, 10.2],
        &[10.1, 9.9, 10.2, 10.0, 10.05, 9.85],
    );
    const FASTER_B: (&[f64], &[f64]) = (
        &[12.0, 12.2, 11.9, 12.1, 12.05],
        &[10.0, 10.1, 9.95, 10.05, 9.9, 10.02, 10.08],
    );
    const TINY_DIFF: (&[f64], &[f64]) = (
        &[100.5, 100.51, 100.49, 100.5, 100.505],
        &[100.0, 100.01, 99.99, 100.0, 100.005],
    );
    const ONE_CONST: (&[f64], &[f64]) = (&[5.0, 5.0, 5.0, 5.0], &[4.0, 4.2, 3.8, 4.1]);

    /// Reference: reference.py section "## compare", for each pair (a, b):
    ///   ma, mb = np.mean(a), np.mean(b)
    ///   va = np.var(a, ddof=1)/(len(a)*ma**2); vb = np.var(b, ddof=1)/(len(b)*mb**2)
    ///   nu = (va+vb)**2/(va**2/(len(a)-1) + vb**2/(len(b)-1))
    ///   ci = np.exp(np.log(ma/mb) -/+ scipy.stats.t.ppf(0.975, nu)*np.sqrt(va+vb))
    ///   p  = scipy.stats.ttest_ind(a, b, equal_var=False).pvalue
    /// (the script also recomputes p by hand with scipy.stats.t.sf; it agrees).
    #[allow(clippy::type_complexity)]
    const REFERENCE: &[(&str, (&[f64], &[f64]), f64, [f64; 3], f64, bool)] = &[
        // name, pair, min_effect, [ratio, ci_lo, ci_hi], p, significant
        (
            "overlapping noise: not significant",
            OVERLAP,
            0.02,
            [1.0033277870216304, 0.9825301043828989, 1.0245657041134457],
            0.7278290482440283,
            false,
        ),
        (
            "clearly different: significant",
            FASTER_B,
            0.02,
            [1.203281027104137, 1.1893813323802875, 1.2173431604909757],
            1.6062346057957124e-08,
            true,
        ),
        (
            "0.5% apart, tiny variance, below min_effect 2%",
            TINY_DIFF,
            0.02,
            [1.0049999500005, 1.00489152454576, 1.005108387154094],
            6.699592938447777e-14,
            false,
        ),
        (
            "0.5% apart, tiny variance, above min_effect 0.1%",
            TINY_DIFF,
            0.001,
            [1.0049999500005, 1.00489152454576, 1.005108387154094],
            6.699592938447777e-14,
            true,
        ),
        (
            "one sample constant: nu = n_b - 1",
            ONE_CONST,
            0.02,
            [1.2422360248447204, 1.1611335268554308, 1.3290033452062622],
            0.0014415607343499625,
            true,
        ),
    ];

    #[test]
    fn compare_matches_scipy() {
        for (name, (a, b), min_effect, [ratio, lo, hi], p, significant) in REFERENCE {
            let got = compare(&sample(a), &sample(b), *min_effect);
            assert_close(&format!("{name}: ratio"), got.ratio, *ratio);
            assert_close(&format!("{name}: ci95_low"), got.ci95_low.unwrap(), *lo);
            assert_close(&format!("{name}: ci95_high"), got.ci95_high.unwrap(), *hi);
            assert_close(&format!("{name}: p"), got.p_value.unwrap(), *p);
            assert_eq!(got.min_effect, *min_effect, "{name}");
            assert_eq!(got.significant, *significant, "{name}");
        }
    }

    #[test]
    fn compare_is_symmetric_under_swap() {
        // Swapping a and b inverts the ratio and its CI, keeps p and the verdict:
        // a significant *improvement* is reported just like a regression.
        for (name, (a, b), min_effect, _, _, _) in REFERENCE {
            let ab = compare(&sample(a), &sample(b), *min_effect);
            let ba = compare(&sample(b), &sample(a), *min_effect);
            assert_close(&format!("{name}: 1/ratio"), ba.ratio, 1.0 / ab.ratio);
            assert_close(
                &format!("{name}: lo"),
                ba.ci95_low.unwrap(),
                1.0 / ab.ci95_high.unwrap(),
            );
            assert_close(
                &format!("{name}: hi"),
                ba.ci95_high.unwrap(),
                1.0 / ab.ci95_low.unwrap(),
            );
            assert_close(
                &format!("{name}: p"),
                ba.p_value.unwrap(),
                ab.p_value.unwrap(),
            );
            // |1/r - 1| differs from |r - 1|, but not across min_effect for these pairs.
            assert_eq!(ba.significant, ab.significant, "{name}");
        }
    }

    /// Cases whose expected values follow from the definitions alone (exact).
    #[test]
    fn compare_degenerate_cases() {
        struct Case {
            name: &'static str,
            a: &'static [f64],
            b: &'static [f64],
            ratio: f64,
            ci: Option<(f64, f64)>,
            p: Option<f64>,
            significant: bool,
        }
        let cases = [
            Case {
                name: "a has n=1",
                a: &[1.0],
                b: &[1.0, 2.0, 3.0],
                ratio: 0.5,
                ci: None,
                p: None,
                significant: false,
            },
            Case {
                name: "both n=1, very different",
                a: &[10.0],
                b: &[1.0],
                ratio: 10.0,
                ci: None,
                p: None,
                significant: false,
            },
            Case {
                name: "mean(a) = 0",
                a: &[-1.0, 1.0],
                b: &[1.0, 2.0],
                ratio: 0.0,
                ci: None,
                p: None,
                significant: false,
            },
            Case {
                name: "mean(b) < 0",
                a: &[1.0, 2.0],
                b: &[-1.0, -3.0],
                ratio: -0.75,
                ci: None,
                p: None,
                significant: false,
            },
            Case {
                name: "zero variance, different means",
                a: &[2.0, 2.0, 2.0],
                b: &[1.0, 1.0, 1.0],
                ratio: 2.0,
                ci: Some((2.0, 2.0)),
                p: Some(0.0),
                significant: true,
            },
            Case {
                name: "zero variance, equal means",
                a: &[3.0, 3.0],
                b: &[3.0, 3.0, 3.0],
                ratio: 1.0,
                ci: Some((1.0, 1.0)),
                p: Some(1.0),
                significant: false,
            },
            Case {
                name: "zero variance, 1% apart, below min_effect",
                a: &[1.01, 1.01],
                b: &[1.0, 1.0],
                ratio: 1.01,
                ci: Some((1.01, 1.01)),
                p: Some(0.0),
                significant: false,
            },
            Case {
                name: "identical noisy samples",
                a: &[1.0, 2.0, 3.0],
                b: &[3.0, 1.0, 2.0],
                ratio: 1.0,
                ci: None, // checked below: straddles 1
                p: Some(1.0),
                significant: false,
            },
        ];
        for c in cases {
            let got = compare(&sample(c.a), &sample(c.b), 0.02);
            assert_eq!(got.ratio, c.ratio, "{}", c.name);
            assert_eq!(got.p_value, c.p, "{}", c.name);
            assert_eq!(got.significant, c.significant, "{}", c.name);
            match (c.ci, got.ci95_low, got.ci95_high) {
                (Some((lo, hi)), Some(glo), Some(ghi)) => {
                    assert_eq!((glo, ghi), (lo, hi), "{}", c.name)
                }
                (None, None, None) => {}
                (None, Some(lo), Some(hi)) if c.name == "identical noisy samples" => {
                    assert!(lo < 1.0 && hi > 1.0, "{}: [{lo}, {hi}]", c.name)
                }
                other => panic!("{}: CI {other:?}", c.name),
            }
        }
    }

    #[test]
    fn min_effect_edge_values() {
        // FASTER_B has ratio ≈ 1.2033 and a CI well away from 1.
        let (a, b) = FASTER_B;
        let cases: &[(f64, bool)] = &[
            (0.0, true),
            (-1.0, true),
            (0.2, true),
            (0.21, false),
            (f64::INFINITY, false),
            (f64::NAN, false),
        ];
        for (min_effect, want) in cases {
            let got = compare(&sample(a), &sample(b), *min_effect);
            assert_eq!(got.significant, *want, "min_effect = {min_effect}");
        }
    }

    #[test]
    fn extreme_magnitudes_do_not_panic_or_nan() {
        let cases: &[(&[f64], &[f64])] = &[
            // Raw variances underflow to 0 (squared deviations ~1e-600).
            (&[1e-300, 2e-300, 3e-300], &[1e-300, 1.5e-300, 2e-300]),
            // Raw variances overflow to +inf: CI and p become None, not NaN.
            (&[1e300, 1.5e300, 1.2e300], &[1e300, 1.1e300, 1.3e300]),
            // Near the top of the range but still representable.
            (&[1e150, 1.5e150, 1.2e150], &[1e150, 1.1e150, 1.3e150]),
        ];
        for (a, b) in cases {
            let got = compare(&sample(a), &sample(b), 0.02);
            for v in [got.ci95_low, got.ci95_high, got.p_value]
                .into_iter()
                .flatten()
            {
                assert!(v.is_finite(), "{a:?} vs {b:?}: {got:?}");
            }
            assert!(got.ratio.is_finite(), "{a:?} vs {b:?}: {got:?}");
        }
    }

    #[test]
    fn welch_df_bounds() {
        // (wa, na, wb, nb, want): equal terms and sizes give na + nb - 2; one zero
        // term gives the other sample's n - 1 (Welch–Satterthwaite by hand).
        let cases: &[(f64, f64, f64, f64, f64)] = &[
            (1.0, 5.0, 1.0, 5.0, 8.0),
            (0.0, 4.0, 2.5, 4.0, 3.0),
            (3.0, 10.0, 0.0, 7.0, 9.0),
            (1e-300, 5.0, 1e-300, 5.0, 8.0),
        ];
        for (wa, na, wb, nb, want) in cases {
            assert_close(
                &format!("welch_df({wa}, {na}, {wb}, {nb})"),
                welch_df(*wa, *na, *wb, *nb),
                *want,
            );
        }
    }

    #[test]
    fn comparison_serde_round_trip() {
        let (a, b) = FASTER_B;
        let cases = [
            compare(&sample(a), &sample(b), 0.02),
            compare(&sample(&[1.0]), &sample(&[2.0]), 0.05),
        ];
        for c in cases {
            let json = serde_json::to_string(&c).unwrap();
            // serde_json without `float_roundtrip` (as in the runner) may parse
            // a float 1 ulp off, so floats are compared within a few ulps.
            let back: Comparison = serde_json::from_str(&json).unwrap();
            let near = |x: f64, y: f64| (x - y).abs() <= 1e-15 * y.abs();
            let near_opt = |x: Option<f64>, y: Option<f64>| match (x, y) {
                (Some(x), Some(y)) => near(x, y),
                (x, y) => x == y,
            };
            assert!(near(back.ratio, c.ratio), "{json}");
            assert!(near_opt(back.ci95_low, c.ci95_low), "{json}");
            assert!(near_opt(back.ci95_high, c.ci95_high), "{json}");
            assert!(near_opt(back.p_value, c.p_value), "{json}");
            assert_eq!(back.min_effect, c.min_effect, "{json}");
            assert_eq!(back.significant, c.significant, "{json}");
        }
        let none = serde_json::to_value(compare(&sample(&[1.0]), &sample(&[2.0]), 0.05)).unwrap();
        assert_eq!(
            none,
            serde_json::json!({"ratio": 0.5, "ci95_low": null, "ci95_high": null,
                               "p_value": null, "min_effect": 0.05, "significant": false})
        );
    }
}
