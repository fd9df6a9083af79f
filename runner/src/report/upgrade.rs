//! Reading reports of older schema versions: which versions this runner still reads, and how a
//! report of one of them is brought up to the current [`SCHEMA_VERSION`] in memory, so that every
//! reader (render, export, compare, merge) sees one contract. Never rewrites a file: a committed
//! report stays as it was measured.
//!
//! - 1 → 2: the 95% CI of a mean moved to the log scale for values that cannot be negative
//!   (`stats::interval`). Version 1 stored Student's symmetric interval, whose lower bound could
//!   be negative; every summary's `ci95_low`/`ci95_high` is recomputed from its own `n`, `mean`,
//!   `stddev` and `min`, which is exactly what version 2 would have stored.

use super::schema::{JobReport, Report, SCHEMA_VERSION};
use crate::stats::{mean_ci95, Summary};

/// The oldest schema version this runner reads.
pub const OLDEST_READABLE: u32 = 1;

/// Brings `report` (read as version `from`, between [`OLDEST_READABLE`] and [`SCHEMA_VERSION`])
/// up to the current version.
pub fn upgrade(report: &mut Report, from: u32) {
    if from < 2 {
        for p in &mut report.projects {
            p.jobs
                .iter_mut()
                .chain(p.references.iter_mut())
                .for_each(log_scale_intervals);
        }
    }
    report.schema_version = SCHEMA_VERSION;
}

/// Recomputes every summary's interval of one job (1 → 2).
fn log_scale_intervals(j: &mut JobReport) {
    let recompute = |s: &mut Summary| {
        (s.ci95_low, s.ci95_high) = mean_ci95(s.n, s.mean, s.stddev, s.min);
    };
    if let Some(s) = &mut j.summary {
        for x in [
            &mut s.headline,
            &mut s.wall_s,
            &mut s.user_s,
            &mut s.sys_s,
            &mut s.max_rss_bytes,
        ] {
            recompute(x);
        }
    }
    for level in &mut j.load {
        if let Some(rps) = &mut level.rps {
            recompute(rps);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::store::read_report;
    use std::path::Path;

    /// The version-1 reports of the render fixtures read as version 2, with positive bounds
    /// equal to what summarising their samples gives today.
    #[test]
    fn a_version_1_report_reads_with_log_scale_intervals() {
        let scenarios =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/render/scenarios");
        let mut seen = 0;
        let files = std::fs::read_dir(&scenarios).unwrap().flat_map(|s| {
            std::fs::read_dir(s.unwrap().path().join("reports/latest"))
                .into_iter()
                .flatten()
        });
        for entry in files {
            let path = entry.unwrap().path();
            let raw: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            if raw["schema_version"] != 1 {
                continue;
            }
            let r = read_report(&path).unwrap();
            assert_eq!(r.schema_version, SCHEMA_VERSION);
            for j in r.projects.iter().flat_map(|p| p.jobs.iter()) {
                let Some(s) = &j.summary else { continue };
                let values: Vec<f64> = j.samples.iter().map(|x| x.headline).collect();
                let fresh = crate::stats::summarize(&crate::stats::Sample::new(values).unwrap());
                let near = |a: f64, b: f64| (a - b).abs() <= 1e-12 * b.abs().max(1e-300);
                assert!(
                    near(s.headline.ci95_low, fresh.ci95_low)
                        && near(s.headline.ci95_high, fresh.ci95_high),
                    "{}: {:?} vs {:?}",
                    path.display(),
                    (s.headline.ci95_low, s.headline.ci95_high),
                    (fresh.ci95_low, fresh.ci95_high)
                );
                assert!(s.headline.ci95_low >= 0.0 && s.wall_s.ci95_low >= 0.0);
                seen += 1;
            }
        }
        assert!(
            seen > 0,
            "no version-1 report with numbers in {}",
            scenarios.display()
        );
    }
}
