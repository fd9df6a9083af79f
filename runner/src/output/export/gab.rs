//! github-action-benchmark's custom tools
//! (<https://github.com/benchmark-action/github-action-benchmark>): a JSON array of
//! `{name, unit, value, range, extra}`. The action takes one direction per file, so entries are
//! split by direction: `FILE` holds what is lower-is-better — every measured job's headline when
//! its metric is lower-is-better (wall times: use `tool: customSmallerIsBetter`), named
//! `<slug>/<job>`, and every measured job's peak memory, named `<slug>/<job>/peak-rss` — and, only
//! when some project's headline is higher-is-better (throughput, requests/s), a sibling
//! `<stem>.bigger.json` holds those headlines (`tool: customBiggerIsBetter`).
//!
//! The action fails on an empty array: with the peak-memory entries `FILE` is never empty when a
//! job was measured, and a report with no measured job is an error, not an empty file. `range` is
//! how far the 95% CI reaches from the mean (`± x`, or `+a / -b` when the two sides differ, as
//! log-scale intervals do), written without thousands separators because tools read it.

use crate::manifest::Better;
use crate::report::Report;
use crate::stats::Summary;
use crate::units;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// One entry of the action's custom JSON.
#[derive(Debug, Serialize)]
struct Entry {
    name: String,
    unit: String,
    value: f64,
    range: String,
    extra: String,
}

/// The file of the higher-is-better entries beside `path`: `bench.json` → `bench.bigger.json`.
pub fn bigger_path(path: &Path) -> PathBuf {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!("{stem}.bigger.json"))
}

/// How far the interval of `s` reaches from its mean: `± 0.0123`, or `+1253 / -1187`.
fn range(s: &Summary) -> String {
    let up = units::sig3_plain(s.ci95_high - s.mean);
    let down = units::sig3_plain(s.mean - s.ci95_low);
    if up == down {
        format!("± {up}")
    } else {
        format!("+{up} / -{down}")
    }
}

/// Renders the smaller-is-better array and, when any headline is higher-is-better, that array
/// too. `Err` says why there is nothing to write (no job of the report has numbers).
pub fn render(report: &Report) -> Result<(String, Option<String>), String> {
    let (mut smaller, mut bigger, mut memory) = (Vec::new(), Vec::new(), Vec::new());
    for (p, j, s) in super::measured(report) {
        let Some(metric) = &p.metric else { continue };
        let h = &s.headline;
        let entry = Entry {
            name: super::bench_name(p, j),
            unit: metric.unit.clone(),
            value: h.mean,
            range: range(h),
            extra: format!(
                "{} runs; 95% CI {}–{} {}; median {}",
                h.n,
                units::sig3(h.ci95_low),
                units::sig3(h.ci95_high),
                metric.unit,
                units::sig3(h.median)
            ),
        };
        match metric.better {
            Better::Lower => smaller.push(entry),
            Better::Higher => bigger.push(entry),
        }
        let m = &s.max_rss_bytes;
        memory.push(Entry {
            name: format!("{}/peak-rss", super::bench_name(p, j)),
            unit: "bytes".into(),
            value: m.mean,
            range: range(m),
            extra: format!(
                "{} runs; mean over runs of each run's peak RSS; largest {}",
                m.n,
                units::bytes(m.max)
            ),
        });
    }
    if memory.is_empty() {
        return Err("nothing for github-action-benchmark: no job of the report has numbers (the action fails on an empty array)".into());
    }
    smaller.extend(memory);
    let to_text = |v: &[Entry]| {
        let mut t = serde_json::to_string_pretty(v).unwrap_or_default();
        t.push('\n');
        t
    };
    let big = (!bigger.is_empty()).then(|| to_text(&bigger));
    Ok((to_text(&smaller), big))
}

#[cfg(test)]
mod tests {
    use super::{bigger_path, range};
    use crate::stats::{summarize, Sample};
    use std::path::{Path, PathBuf};

    #[test]
    fn bigger_file_sits_beside_the_smaller_one() {
        for (given, want) in [
            ("bench.json", "bench.bigger.json"),
            ("out/gab.json", "out/gab.bigger.json"),
            ("results", "results.bigger.json"),
        ] {
            assert_eq!(bigger_path(Path::new(given)), PathBuf::from(want));
        }
    }

    #[test]
    fn a_range_says_both_sides_without_separators() {
        let of = |v: &[f64]| range(&summarize(&Sample::new(v.to_vec()).unwrap()));
        assert_eq!(of(&[5.0, 5.0, 5.0]), "± 0");
        assert_eq!(of(&[38_000.0, 40_000.0, 42_000.0]), "+5290 / -4672");
        assert_eq!(of(&[-1.0, 0.0, 1.0]), "± 2.48");
    }
}
