//! Outlier detection for one [`Sample`], by two independent rules whose
//! verdicts are reported side by side. Outliers are only reported, never
//! removed: the summary and comparison always use every measurement.
//!
//! Sources:
//! - Modified z-score: B. Iglewicz and D. C. Hoaglin (1993), "How to Detect and
//!   Handle Outliers", ASQC Quality Press (ASQC Basic References in Quality
//!   Control, vol. 16):
//!   M_i = 0.6745 · (x_i − median) / MAD, with MAD the median absolute
//!   deviation from the median; |M_i| > 3.5 labels a potential outlier.
//!   (0.6745 ≈ Φ⁻¹(0.75) makes MAD/0.6745 estimate σ for normal data.)
//! - Fences: J. W. Tukey (1977), "Exploratory Data Analysis", Addison-Wesley:
//!   inner fences Q1 − 1.5·IQR and Q3 + 1.5·IQR, outer fences Q1 − 3·IQR and
//!   Q3 + 3·IQR, IQR = Q3 − Q1. Quartiles here are [`percentile`] 25 and 75
//!   (numpy's default linear interpolation).

use serde::{Deserialize, Serialize};

use super::sample::Sample;
use super::summary::percentile;

/// Consistency constant of the modified z-score (Iglewicz & Hoaglin 1993).
const MODIFIED_Z_SCALE: f64 = 0.6745;
/// |M_i| above this is an outlier (Iglewicz & Hoaglin 1993).
const MODIFIED_Z_THRESHOLD: f64 = 3.5;
/// Tukey's inner-fence multiplier of the IQR.
const TUKEY_INNER: f64 = 1.5;
/// Tukey's outer-fence multiplier of the IQR.
const TUKEY_OUTER: f64 = 3.0;

/// Indexes (into the sample's measurement order, ascending) of the values
/// flagged by each rule. A value may appear under both rules; `tukey_mild`
/// and `tukey_severe` are disjoint.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Outliers {
    /// Values whose modified z-score |0.6745 (x − median) / MAD| exceeds 3.5.
    /// Empty when MAD = 0 (more than half the values are identical).
    pub mad: Vec<usize>,
    /// Values outside Tukey's inner fences [Q1 − 1.5·IQR, Q3 + 1.5·IQR] but
    /// within the outer fences [Q1 − 3·IQR, Q3 + 3·IQR].
    pub tukey_mild: Vec<usize>,
    /// Values outside Tukey's outer fences [Q1 − 3·IQR, Q3 + 3·IQR]. When
    /// IQR = 0 every value different from the quartile lands here.
    pub tukey_severe: Vec<usize>,
}

/// Flags outliers in `s` with both the modified z-score and Tukey's fences.
#[must_use]
pub fn detect(s: &Sample) -> Outliers {
    let values = s.values();
    let sorted = s.sorted();

    let median = percentile(&sorted, 50.0);
    let mut deviations: Vec<f64> = values.iter().map(|x| (x - median).abs()).collect();
    deviations.sort_by(f64::total_cmp);
    let mad = percentile(&deviations, 50.0);
    let mad_idx = if mad > 0.0 {
        indexes_where(values, |x| {
            (MODIFIED_Z_SCALE * (x - median) / mad).abs() > MODIFIED_Z_THRESHOLD
        })
    } else {
        Vec::new()
    };

    let q1 = percentile(&sorted, 25.0);
    let q3 = percentile(&sorted, 75.0);
    let iqr = q3 - q1;
    let outside = |x: f64, k: f64| x < q1 - k * iqr || x > q3 + k * iqr;
    let tukey_severe = indexes_where(values, |x| outside(x, TUKEY_OUTER));
    let tukey_mild = indexes_where(values, |x| {
        outside(x, TUKEY_INNER) && !outside(x, TUKEY_OUTER)
    });

    Outliers {
        mad: mad_idx,
        tukey_mild,
        tukey_severe,
    }
}

/// Ascending indexes of the values satisfying `pred`.
fn indexes_where(values: &[f64], pred: impl Fn(f64) -> bool) -> Vec<usize> {
    values
        .iter()
        .enumerate()
        .filter(|(_, &x)| pred(x))
        .map(|(i, _)| i)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reference: reference.py section "## outliers", computed with numpy only:
    ///   med = np.median(x); mad = np.median(np.abs(x - med))
    ///   mz  = 0.6745 * (x - med) / mad          (all zeros if mad == 0)
    ///   q1, q3 = np.percentile(x, 25), np.percentile(x, 75); iqr = q3 - q1
    ///   severe = (x < q1 - 3*iqr) | (x > q3 + 3*iqr)
    ///   mild   = ((x < q1 - 1.5*iqr) | (x > q3 + 1.5*iqr)) & ~severe
    ///   printed: np.flatnonzero(np.abs(mz) > 3.5), np.flatnonzero(mild), np.flatnonzero(severe)
    #[allow(clippy::type_complexity)]
    const CASES: &[(&str, &[f64], &[usize], &[usize], &[usize])] = &[
        // name, data, mad, tukey_mild, tukey_severe
        (
            "obvious outlier",
            &[10.0, 10.1, 9.9, 10.2, 9.8, 10.0, 50.0],
            &[6],
            &[],
            &[6],
        ),
        (
            "mild only",
            &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 15.0],
            &[],
            &[8],
            &[],
        ),
        (
            "low and high",
            &[-40.0, 20.0, 21.0, 19.5, 20.5, 20.2, 19.8, 20.1, 35.0],
            &[0, 8],
            &[],
            &[0, 8],
        ),
        ("all equal", &[5.0; 6], &[], &[], &[]),
        (
            "MAD = 0, IQR = 0",
            &[10.0, 10.0, 10.0, 10.0, 10.0, 10.0, 11.0],
            &[],
            &[],
            &[6],
        ),
        (
            "clean timings",
            &[
                1.234, 1.198, 1.305, 1.221, 1.187, 1.260, 1.243, 1.199, 1.278, 1.215,
            ],
            &[],
            &[],
            &[],
        ),
        // reference.py N1 and N2.
        ("n=1", &[3.0], &[], &[], &[]),
        ("n=2", &[1.0, 100.0], &[], &[], &[]),
    ];

    #[test]
    fn detect_matches_numpy_reference() {
        for (name, data, mad, mild, severe) in CASES {
            let got = detect(&Sample::new(data.to_vec()).unwrap());
            assert_eq!(got.mad, *mad, "{name}: mad");
            assert_eq!(got.tukey_mild, *mild, "{name}: tukey_mild");
            assert_eq!(got.tukey_severe, *severe, "{name}: tukey_severe");
        }
    }

    #[test]
    fn detect_reports_original_order_and_keeps_sample() {
        // The same outlier at different positions is reported where it was measured.
        // Reference: reference.py "## outliers", OUTLIER_FIRST -> mad=[0] severe=[0],
        // OUTLIER_MIDDLE -> mad=[3] severe=[3] (same numpy expressions as CASES).
        let cases: &[(&[f64], usize)] = &[
            (&[50.0, 10.0, 10.1, 9.9, 10.2, 9.8, 10.0], 0),
            (&[10.0, 10.1, 9.9, 50.0, 10.2, 9.8, 10.0], 3),
        ];
        for (data, at) in cases {
            let s = Sample::new(data.to_vec()).unwrap();
            let got = detect(&s);
            assert_eq!(got.mad, vec![*at], "{data:?}");
            assert_eq!(got.tukey_severe, vec![*at], "{data:?}");
            assert_eq!(s.values(), *data, "detection does not alter the sample");
        }
    }

    #[test]
    fn outliers_serde_round_trip() {
        let cases = [
            Outliers::default(),
            Outliers {
                mad: vec![0, 8],
                tukey_mild: vec![3],
                tukey_severe: vec![0, 8],
            },
        ];
        for o in cases {
            let json = serde_json::to_string(&o).unwrap();
            let back: Outliers = serde_json::from_str(&json).unwrap();
            assert_eq!(back, o, "{json}");
        }
        assert_eq!(
            serde_json::to_string(&Outliers::default()).unwrap(),
            r#"{"mad":[],"tukey_mild":[],"tukey_severe":[]}"#
        );
    }
}
