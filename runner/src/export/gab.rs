//! github-action-benchmark's custom tools
//! (<https://github.com/benchmark-action/github-action-benchmark>): a JSON array of
//! `{name, unit, value, range, extra}`, one entry per measured job's headline metric, named
//! `<slug>/<job>`. The action takes one direction per file, so the entries are split by the
//! metric's direction: `FILE` holds the lower-is-better headlines (wall times: use
//! `tool: customSmallerIsBetter`) and, only when some project's headline is higher-is-better
//! (throughput), a sibling `<stem>.bigger.json` holds those (`tool: customBiggerIsBetter`).

use crate::manifest::Better;
use crate::report::Report;
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

/// Renders the smaller-is-better array and, when any entry is higher-is-better, that array too.
pub fn render(report: &Report) -> (String, Option<String>) {
    let (mut smaller, mut bigger) = (Vec::new(), Vec::new());
    for (p, j, s) in super::measured(report) {
        let Some(metric) = &p.metric else { continue };
        let h = &s.headline;
        let entry = Entry {
            name: super::bench_name(p, j),
            unit: metric.unit.clone(),
            value: h.mean,
            range: format!("± {}", units::sig3((h.ci95_high - h.ci95_low) / 2.0)),
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
    }
    let to_text = |v: &[Entry]| {
        let mut t = serde_json::to_string_pretty(v).unwrap_or_default();
        t.push('\n');
        t
    };
    let big = (!bigger.is_empty()).then(|| to_text(&bigger));
    (to_text(&smaller), big)
}

#[cfg(test)]
mod tests {
    use super::bigger_path;
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
}
