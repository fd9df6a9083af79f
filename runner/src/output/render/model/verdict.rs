//! Pairwise verdicts between the `ok` languages of a project and its winner, read from the
//! comparisons stored in the report (the statistics themselves are `stats/`'s). Oriented for
//! reading: `first` is always the better of the two by mean, and the factor says how many times
//! better in the metric's direction.

use super::cell::display_name;
use crate::manifest::Better;
use crate::report::{ComparisonReport, ProjectReport};
use crate::units;
use serde::Serialize;

/// A pairwise verdict, oriented so that `first` is the better of the two (by mean).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Verdict {
    /// The better language by mean (the winner when significant).
    pub first: String,
    /// The other.
    pub second: String,
    /// The difference is significant (CI excludes 1 and at least the minimum effect).
    pub significant: bool,
    /// How many times better `first` is, in the metric's direction, e.g. `1.76×`.
    pub ratio: String,
    /// 95% CI of that factor, e.g. `1.74–1.78×`, when known.
    pub ci: Option<String>,
    /// The minimum effect, e.g. `2%`.
    pub min_effect: String,
}

fn comparison<'a>(cs: &'a [ComparisonReport], x: &str, y: &str) -> Option<&'a ComparisonReport> {
    cs.iter()
        .find(|c| (c.a == x && c.b == y) || (c.a == y && c.b == x))
}

/// The winner among `ok` languages: the one whose comparisons against every other `ok` language
/// are significant with it as `better`. None with fewer than two `ok` languages, or when a
/// comparison is missing or not significant.
pub fn winner(ok: &[&str], comparisons: &[ComparisonReport]) -> Option<String> {
    if ok.len() < 2 {
        return None;
    }
    ok.iter()
        .find(|l| {
            ok.iter().filter(|m| m != l).all(|m| {
                comparison(comparisons, l, m)
                    .is_some_and(|c| c.stats.significant && c.better.as_deref() == Some(**l))
            })
        })
        .map(|l| l.to_string())
}

/// Verdicts between `ok` languages, best mean first; each oriented so `first` is better.
pub(super) fn verdicts(p: &ProjectReport, ok: &[(&str, f64)], better: Better) -> Vec<Verdict> {
    let mut ranked: Vec<(&str, f64)> = ok.to_vec();
    ranked.sort_by(|a, b| {
        let o = a.1.partial_cmp(&b.1).unwrap_or(std::cmp::Ordering::Equal);
        match better {
            Better::Higher => o.reverse(),
            Better::Lower => o,
        }
    });
    let mut out = Vec::new();
    for i in 0..ranked.len() {
        for j in i + 1..ranked.len() {
            let (first, second) = (ranked[i].0, ranked[j].0);
            let Some(c) = comparison(&p.comparisons, first, second) else {
                continue;
            };
            // stats.ratio = mean(a) / mean(b); turn it into "how many times better `first` is".
            let first_is_a = c.a == first;
            let invert = first_is_a != (better == Better::Higher);
            let f = |x: f64| if invert { 1.0 / x } else { x };
            let ci = match (c.stats.ci95_low, c.stats.ci95_high) {
                (Some(l), Some(h)) => {
                    let (l, h) = (f(l).min(f(h)), f(l).max(f(h)));
                    Some(units::ratio_range(l, h))
                }
                _ => None,
            };
            // Ranked by the same means the comparison judged, so a winner is always `first`.
            out.push(Verdict {
                first: display_name(first),
                second: display_name(second),
                significant: c.stats.significant && c.better.as_deref() == Some(first),
                ratio: units::ratio(f(c.stats.ratio)),
                ci,
                min_effect: units::fraction_percent(c.stats.min_effect),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::Comparison;

    fn cmp(a: &str, b: &str, significant: bool, better: Option<&str>) -> ComparisonReport {
        ComparisonReport {
            a: a.into(),
            b: b.into(),
            stats: Comparison {
                ratio: 1.5,
                ci95_low: Some(1.4),
                ci95_high: Some(1.6),
                p_value: Some(0.001),
                min_effect: 0.02,
                significant,
            },
            better: better.map(String::from),
        }
    }

    #[test]
    fn the_winner_is_bold_only_when_it_beats_every_other_ok_language() {
        let go_rust = cmp("go", "rust", true, Some("go"));
        let go_zig = cmp("go", "zig", true, Some("go"));
        let rust_zig = cmp("rust", "zig", true, Some("rust"));
        let cases: Vec<(Vec<&str>, Vec<ComparisonReport>, Option<&str>)> = vec![
            (vec!["go"], vec![], None),
            (vec!["go", "rust"], vec![go_rust.clone()], Some("go")),
            (
                vec!["go", "rust", "zig"],
                vec![go_rust.clone(), go_zig.clone(), rust_zig.clone()],
                Some("go"),
            ),
            // Go beats Rust but ties with Zig: no winner.
            (
                vec!["go", "rust", "zig"],
                vec![
                    go_rust.clone(),
                    cmp("go", "zig", false, None),
                    rust_zig.clone(),
                ],
                None,
            ),
            // A missing comparison is no win.
            (
                vec!["go", "rust", "zig"],
                vec![go_rust.clone(), rust_zig.clone()],
                None,
            ),
            // Significant, but the other way round.
            (
                vec!["go", "rust", "zig"],
                vec![
                    cmp("go", "rust", true, Some("rust")),
                    go_zig.clone(),
                    cmp("rust", "zig", true, Some("rust")),
                ],
                Some("rust"),
            ),
            // Zig is not ok: only Go and Rust count.
            (vec!["go", "rust"], vec![go_rust.clone()], Some("go")),
        ];
        for (ok, comparisons, want) in cases {
            assert_eq!(
                winner(&ok, &comparisons).as_deref(),
                want,
                "{ok:?} {comparisons:?}"
            );
        }
    }
}
