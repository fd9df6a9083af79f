//! The validated measurement sample that every other statistic in this module
//! consumes. [`Sample`] owns the invariant "non-empty, all values finite", so
//! the summary, outlier and comparison code never has to deal with empty input,
//! NaN or infinities, and can therefore be total (no panics, no `Result`).
//! Values are kept in the order they were measured: outlier indexes refer to it.

use std::error::Error;
use std::fmt;

/// Why a list of measurements was rejected by [`Sample::new`].
#[derive(Debug, Clone, PartialEq)]
pub enum SampleError {
    /// The list had no values; no statistic is defined for it.
    Empty,
    /// A value was NaN or ±infinity (for example a failed timer read or a
    /// division by a zero duration upstream).
    NonFinite {
        /// Position of the first offending value in the input list.
        index: usize,
        /// The offending value itself.
        value: f64,
    },
}

impl fmt::Display for SampleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SampleError::Empty => {
                write!(f, "sample is empty: at least one measurement is required")
            }
            SampleError::NonFinite { index, value } => {
                write!(f, "sample value #{index} is not finite ({value})")
            }
        }
    }
}

impl Error for SampleError {}

/// A non-empty list of finite measurements (e.g. wall times in seconds of the
/// repeated runs of one program), in measurement order.
///
/// Magnitudes are not otherwise restricted; values close to `f64::MAX` can
/// make sums overflow to infinity in the derived statistics.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample(Vec<f64>);

impl Sample {
    /// Validates `values` and wraps them.
    ///
    /// # Errors
    ///
    /// [`SampleError::Empty`] if `values` is empty, and
    /// [`SampleError::NonFinite`] (naming the first such index) if any value
    /// is NaN or infinite.
    pub fn new(values: Vec<f64>) -> Result<Sample, SampleError> {
        if values.is_empty() {
            return Err(SampleError::Empty);
        }
        if let Some((index, &value)) = values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(SampleError::NonFinite { index, value });
        }
        Ok(Sample(values))
    }

    /// The values in measurement order.
    #[must_use]
    pub fn values(&self) -> &[f64] {
        &self.0
    }

    /// Number of values (always at least 1).
    #[must_use]
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Always `false`: a [`Sample`] cannot be empty. Provided so that `len`
    /// has its conventional companion.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// A copy of the values sorted in ascending order.
    #[must_use]
    pub fn sorted(&self) -> Vec<f64> {
        let mut v = self.0.clone();
        v.sort_by(f64::total_cmp);
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_validates() {
        let cases: &[(Vec<f64>, Result<(), SampleError>)] = &[
            (vec![], Err(SampleError::Empty)),
            (vec![1.0], Ok(())),
            (vec![-0.0, 0.0, -3.5, 1e300, f64::MIN_POSITIVE], Ok(())),
            (
                vec![1.0, f64::NAN],
                Err(SampleError::NonFinite {
                    index: 1,
                    value: f64::NAN,
                }),
            ),
            (
                vec![f64::INFINITY, 2.0],
                Err(SampleError::NonFinite {
                    index: 0,
                    value: f64::INFINITY,
                }),
            ),
            (
                vec![1.0, 2.0, f64::NEG_INFINITY, f64::NAN],
                Err(SampleError::NonFinite {
                    index: 2,
                    value: f64::NEG_INFINITY,
                }),
            ),
        ];
        for (input, want) in cases {
            let got = Sample::new(input.clone());
            match (want, got) {
                (Ok(()), Ok(s)) => assert_eq!(s.values(), input.as_slice()),
                (Err(SampleError::Empty), Err(SampleError::Empty)) => {}
                (
                    Err(SampleError::NonFinite {
                        index: wi,
                        value: wv,
                    }),
                    Err(SampleError::NonFinite {
                        index: gi,
                        value: gv,
                    }),
                ) => {
                    assert_eq!(wi, &gi, "input {input:?}");
                    // NaN != NaN, so compare bit patterns.
                    assert_eq!(wv.to_bits(), gv.to_bits(), "input {input:?}");
                }
                (w, g) => panic!("input {input:?}: want {w:?}, got {g:?}"),
            }
        }
    }

    #[test]
    fn accessors() {
        let cases: &[(&[f64], &[f64])] = &[
            (&[3.0], &[3.0]),
            (&[2.0, 1.0], &[1.0, 2.0]),
            (&[5.0, -1.0, 5.0, 0.0, 2.5], &[-1.0, 0.0, 2.5, 5.0, 5.0]),
        ];
        for (input, sorted) in cases {
            let s = Sample::new(input.to_vec()).unwrap();
            assert_eq!(s.values(), *input, "values keep measurement order");
            assert_eq!(s.len(), input.len());
            assert!(!s.is_empty());
            assert_eq!(s.sorted(), sorted.to_vec());
            assert_eq!(s.values(), *input, "sorted() does not reorder the sample");
        }
    }

    #[test]
    fn error_display_and_source() {
        let cases: &[(SampleError, &str)] = &[
            (
                SampleError::Empty,
                "sample is empty: at least one measurement is required",
            ),
            (
                SampleError::NonFinite {
                    index: 3,
                    value: f64::NAN,
                },
                "sample value #3 is not finite (NaN)",
            ),
            (
                SampleError::NonFinite {
                    index: 0,
                    value: f64::NEG_INFINITY,
                },
                "sample value #0 is not finite (-inf)",
            ),
        ];
        for (err, want) in cases {
            assert_eq!(err.to_string(), *want);
            let as_dyn: &dyn Error = err;
            assert!(as_dyn.source().is_none());
        }
    }
}
