//! The variants of a project's languages (`[[lang.*.variant]]`): other builds shown beside the
//! languages in the project's group section and charts, each with its note and how it compares
//! with its own language's headline build. Never ranked: a variant has no column in the status
//! table, is never bold, and takes no part in `verdict.rs`'s verdicts or winner.

use super::cell::{display_name, job_cell, Cell, CellKind};
use crate::manifest::{variant_job_name, Manifest};
use crate::report::{Better, ProjectReport};
use crate::units;
use serde::Serialize;

/// One variant of one language, in the page's language.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct VariantRow {
    /// Its language, lower-case (`zig`).
    pub lang: String,
    /// Its job's name in the report (`zig (ReleaseFast)`).
    pub job: String,
    /// Its cell: named `Zig (ReleaseFast)`, with its value and interval; never bold.
    pub cell: Cell,
    /// What differs from the headline build, in the page's language (else English).
    pub note: Option<String>,
    /// Against its language's headline build, once both are measured.
    pub versus: Option<Versus>,
}

/// A variant against its language's headline build, oriented by the metric's direction.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Versus {
    /// The language's display name (`Zig`).
    pub lang: String,
    /// The difference is significant (CI excludes 1 and at least the minimum effect).
    pub significant: bool,
    /// The variant is the better of the two by mean.
    pub better: bool,
    /// How many times better the better of the two is, e.g. `1.08×`.
    pub ratio: String,
    /// 95% CI of that factor, e.g. `1.07–1.09×`, when known.
    pub ci: Option<String>,
    /// The metric is a speed (wall time, throughput, requests/s): the words are "faster" and
    /// "slower" rather than "better" and "worse".
    pub speed: bool,
}

/// The variants of `m`, by language then manifest order, as `latest` measured them (a variant
/// the report does not have is "not measured").
pub(super) fn rows(
    m: &Manifest,
    latest: Option<&ProjectReport>,
    lang: &str,
    unit: &str,
) -> Vec<VariantRow> {
    m.variants()
        .map(|(l, _, v)| {
            let name = variant_job_name(l, &v.name);
            let job = latest.and_then(|p| p.jobs.iter().find(|j| j.name == name));
            let kind = match job {
                None => CellKind::NotMeasured,
                Some(j) if j.summary.is_none() && j.status.has_numbers() => CellKind::NotMeasured,
                Some(j) => CellKind::of(j.status),
            };
            let mut cell = job_cell(&name, kind, job, unit);
            // `Zig (ReleaseFast)`: the language as the status table writes it.
            cell.name = format!("{} ({})", display_name(l.as_str()), v.name);
            let better = latest.and_then(|p| p.metric.as_ref()).map(|x| {
                let speed = matches!(x.name.as_str(), "wall_time" | "throughput" | "requests");
                (x.better, speed)
            });
            let versus = job
                .filter(|_| kind == CellKind::Ok)
                .and_then(|j| j.against_headline.as_ref())
                .zip(better)
                .map(|(c, (better, speed))| {
                    // stats.ratio = mean(variant) / mean(language): the variant's factor in the
                    // metric's direction, then that of the better of the two.
                    let f = |x: f64| if better == Better::Higher { x } else { 1.0 / x };
                    let variant_better = f(c.stats.ratio) >= 1.0;
                    let g = |x: f64| if variant_better { f(x) } else { 1.0 / f(x) };
                    let ci = match (c.stats.ci95_low, c.stats.ci95_high) {
                        (Some(lo), Some(hi)) => {
                            Some(units::ratio_range(g(lo).min(g(hi)), g(lo).max(g(hi))))
                        }
                        _ => None,
                    };
                    Versus {
                        lang: display_name(l.as_str()),
                        significant: c.stats.significant && c.better.is_some(),
                        better: variant_better,
                        ratio: units::ratio(g(c.stats.ratio)),
                        ci,
                        speed,
                    }
                });
            VariantRow {
                lang: l.as_str().to_string(),
                job: name,
                cell,
                note: v
                    .note
                    .get(lang)
                    .or_else(|| v.note.get("en"))
                    .filter(|n| !n.trim().is_empty())
                    .cloned(),
                versus,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{report, summary};
    use super::*;
    use crate::report::Comparison;
    use crate::report::{ComparisonReport, JobReport, JobStatus, MetricInfo};
    use std::path::Path;

    fn manifest() -> Manifest {
        let text = "id = \"1.1\"\nslug = \"t\"\ngroup = 1\n[text.en]\nname = \"T\"\nsummary = \"s\"\nskill = \"k\"\n[text.th]\nname = \"ท\"\nsummary = \"ส\"\nskill = \"ก\"\n[lang.go]\ntodo = \"later\"\n[lang.rust]\ntodo = \"later\"\n[lang.zig]\ndir = \"src\"\nbuild = [\"true\"]\nartifact = \"a\"\nrun = [\"a\"]\n[[lang.zig.variant]]\nname = \"ReleaseFast\"\nbuild = [\"true\"]\nartifact = \"b\"\nnote = \"no checks\"\n[[lang.zig.variant]]\nname = \"Small\"\nbuild = [\"true\"]\nartifact = \"c\"\n[[verify]]\nkind = \"command\"\nrun = [\"true\"]\n[metric]\nheadline = \"throughput\"\ninput = \"x\"\n[inputs.x]\npath = \"Cargo.toml\"\n";
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        crate::manifest::parse(Path::new("manifests/t.toml"), text.into(), root)
            .expect("a valid test manifest")
    }

    /// Throughput (higher is better) of 80 MB/s for the variant against 100 for Zig: the
    /// variant is 1.25× slower, and the interval of mean(variant) / mean(zig) is turned around.
    #[test]
    fn a_variant_is_oriented_against_its_language_and_unmeasured_ones_say_so() {
        let mut p = report([
            JobStatus::NotImplemented,
            JobStatus::NotImplemented,
            JobStatus::Ok,
        ]);
        p.metric = Some(MetricInfo {
            name: "throughput".into(),
            unit: "MB/s".into(),
            better: Better::Higher,
            min_effect: 0.02,
        });
        let mut fast = JobReport::new("zig (ReleaseFast)", false, JobStatus::Ok);
        fast.variant_of = Some("zig".into());
        fast.summary = Some(summary(&[80.0, 80.5, 79.5]));
        fast.against_headline = Some(ComparisonReport {
            a: fast.name.clone(),
            b: "zig".into(),
            stats: Comparison {
                ratio: 0.8,
                ci95_low: Some(0.78),
                ci95_high: Some(0.82),
                p_value: Some(0.001),
                min_effect: 0.02,
                significant: true,
            },
            better: Some("zig".into()),
        });
        p.jobs.push(fast);
        let rows = rows(&manifest(), Some(&p), "th", "MB/s");
        assert_eq!(rows.len(), 2);
        let fast = &rows[0];
        assert_eq!(fast.cell.name, "Zig (ReleaseFast)");
        assert_eq!(fast.cell.kind, CellKind::Ok);
        assert!(!fast.cell.bold);
        assert_eq!(
            fast.note.as_deref(),
            Some("no checks"),
            "English when no Thai"
        );
        let v = fast.versus.as_ref().unwrap();
        assert!(v.significant && !v.better && v.speed);
        assert_eq!(v.ratio, "1.25×");
        assert_eq!(v.ci.as_deref(), Some("1.22–1.28×"));
        // Declared in the manifest, absent from the report (measured before it existed).
        let small = &rows[1];
        assert_eq!(
            (small.cell.name.as_str(), small.cell.kind),
            ("Zig (Small)", CellKind::NotMeasured)
        );
        assert!(small.versus.is_none() && small.note.is_none());
    }
}
