//! One project's view in the page's language: its texts from the manifest, its cells, variants,
//! references, verdicts, winner, chart links and what each row cost. Assembles what `cell.rs`,
//! `variant.rs`, `verdict.rs` and `cost.rs` compute; computes no statistics of its own.

use super::cell::{derived_status, display_name, job_cell, lang_cell_kind, Cell, CellKind, Status};
use super::chart_data::{chart_file, ChartKind};
use super::cost;
use super::sampling::{sampling, Sampling};
use super::variant::{self, VariantRow};
use super::verdict::{verdicts, winner, Verdict};
use super::{project_in, Links};
use crate::manifest::{self, Lang, Manifest};
use crate::report::{Better, Report};
use serde::Serialize;

/// The headline metric as measured.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MetricView {
    /// `wall_time`, `throughput` or `reported`.
    pub name: String,
    /// Unit of the values.
    pub unit: String,
    /// `higher` or `lower` is better.
    pub better: String,
}

/// Links to a project's charts, relative to the README.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ChartLinks {
    /// Headline metric chart.
    pub headline: String,
    /// Peak memory chart.
    pub memory: String,
}

/// One project, in the page's language.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Project {
    /// Id, e.g. `3.3`.
    pub id: String,
    /// Slug.
    pub slug: String,
    /// Group number.
    pub group: u32,
    /// Name.
    pub name: String,
    /// One-line summary.
    pub summary: String,
    /// Skill practised.
    pub skill: String,
    /// Hand-written notes from the manifest (`notes.<lang>`).
    pub notes: Option<String>,
    /// Derived status.
    pub status: Status,
    /// Go, Rust, Zig.
    pub cells: Vec<Cell>,
    /// Other builds of the languages (not ranked), by language.
    pub variants: Vec<VariantRow>,
    /// Reference rows (not ranked).
    pub references: Vec<Cell>,
    /// Headline metric, once measured.
    pub metric: Option<MetricView>,
    /// A latest report exists.
    pub measured: bool,
    /// At least one language has a number.
    pub has_numbers: bool,
    /// The winner's name, when there is one.
    pub winner: Option<String>,
    /// Pairwise verdicts between `ok` languages, best first.
    pub verdicts: Vec<Verdict>,
    /// Charts, when a language has a number.
    pub charts: Option<ChartLinks>,
    /// The report measured an earlier version of the manifest.
    pub outdated: bool,
    /// Link to the project's written spec (`impls/<slug>/README.md`), when it exists.
    pub spec: Option<String>,
    /// What its numbers stand on (input, runs, reduced sampling), when a language has one.
    pub sampling: Option<Sampling>,
    /// A service's requests per CPU-second: languages, variants, references, in the order of
    /// the result line (empty for a command project or before any number).
    pub per_cpu: Vec<Cell>,
    /// Instruction counts under callgrind: languages, then variants (empty when the latest
    /// report counted none).
    pub instructions: Vec<Cell>,
}

fn better_str(b: Better) -> &'static str {
    match b {
        Better::Higher => "higher",
        Better::Lower => "lower",
    }
}

/// The manifest's texts in `lang`, or in English when it has none in `lang`.
pub(super) fn text_of<'a>(m: &'a Manifest, lang: &str) -> Option<&'a manifest::schema::Text> {
    m.text.get(lang).or_else(|| m.text.get("en"))
}

/// Builds one project's view.
pub(super) fn project(
    m: &Manifest,
    report: Option<&Report>,
    lang: &str,
    links: Option<&Links>,
) -> Project {
    let charts = links.map(|l| l.charts.as_str());
    let latest = report.and_then(|r| project_in(r, &m.slug));
    let text = text_of(m, lang);
    let unit = latest
        .and_then(|p| p.metric.as_ref())
        .map(|x| x.unit.clone())
        .unwrap_or_default();
    let lang_jobs: Vec<_> = Lang::ALL
        .iter()
        .map(|l| (l, lang_cell_kind(m, latest, *l)))
        .collect();
    let mut cells: Vec<Cell> = lang_jobs
        .iter()
        .map(|(l, (kind, job))| job_cell(l.as_str(), *kind, *job, &unit))
        .collect();
    let ok: Vec<(&str, f64)> = Lang::ALL
        .iter()
        .zip(&cells)
        .filter(|(_, c)| c.kind == CellKind::Ok)
        .filter_map(|(l, _)| {
            latest
                .and_then(|p| p.jobs.iter().find(|j| j.name == l.as_str()))
                .and_then(|j| j.summary.as_ref())
                .map(|s| (l.as_str(), s.headline.mean))
        })
        .collect();
    let ok_names: Vec<&str> = ok.iter().map(|(n, _)| *n).collect();
    let win = latest
        .and_then(|p| winner(&ok_names, &p.comparisons))
        // A noisy number is never the winner: its interval is too wide, or its machine was too
        // busy, to stand on.
        .filter(|w| {
            !cells
                .iter()
                .any(|c| !c.noisy.is_empty() && c.name == display_name(w))
        });
    for c in &mut cells {
        c.bold = win.as_deref().map(display_name).as_deref() == Some(c.name.as_str());
    }
    let metric = latest.and_then(|p| p.metric.as_ref());
    let references: Vec<Cell> = latest
        .map(|p| {
            p.references
                .iter()
                .map(|j| job_cell(&j.name, CellKind::of(j.status), Some(j), &unit))
                .collect()
        })
        .unwrap_or_default();
    let has_numbers = !ok.is_empty();
    let variants = variant::rows(m, latest, lang, &unit);
    let variant_jobs: Vec<_> = variants
        .iter()
        .map(|v| {
            let job = latest.and_then(|p| p.jobs.iter().find(|j| j.name == v.job));
            (&v.cell, job)
        })
        .collect();
    let lang_rows = cells.iter().zip(lang_jobs.iter().map(|(_, (_, j))| *j));
    let per_cpu = match latest {
        Some(p) if p.is_service() && has_numbers => lang_rows
            .clone()
            .chain(variant_jobs.iter().copied())
            .chain(references.iter().zip(p.references.iter().map(Some)))
            .map(|(c, j)| cost::per_cpu_cell(c, j))
            .collect(),
        _ => Vec::new(),
    };
    let instructions = if cost::counted(latest) {
        lang_rows
            .chain(variant_jobs.iter().copied())
            .map(|(c, j)| cost::instructions_cell(c, j))
            .collect()
    } else {
        Vec::new()
    };
    Project {
        id: m.id.clone(),
        slug: m.slug.clone(),
        group: m.group,
        name: text.map(|t| t.name.clone()).unwrap_or_default(),
        summary: text.map(|t| t.summary.clone()).unwrap_or_default(),
        skill: text.map(|t| t.skill.clone()).unwrap_or_default(),
        notes: m.notes.get(lang).cloned().filter(|n| !n.trim().is_empty()),
        status: derived_status(m, latest),
        cells,
        variants,
        references,
        metric: metric.map(|x| MetricView {
            name: x.name.clone(),
            unit: x.unit.clone(),
            better: better_str(x.better).into(),
        }),
        measured: latest.is_some(),
        has_numbers,
        winner: win.as_deref().map(display_name),
        verdicts: match (latest, metric) {
            (Some(p), Some(x)) => verdicts(p, &ok, x.better),
            _ => Vec::new(),
        },
        charts: charts.filter(|_| has_numbers).map(|dir| ChartLinks {
            headline: format!("{dir}{}", chart_file(&m.slug, ChartKind::Headline)),
            memory: format!("{dir}{}", chart_file(&m.slug, ChartKind::Memory)),
        }),
        outdated: latest.is_some_and(|p| !m.sha256.is_empty() && p.manifest_sha256 != m.sha256),
        spec: links.and_then(|l| l.specs.get(&m.slug).cloned()),
        sampling: latest.and_then(|p| sampling(m, p)),
        per_cpu,
        instructions,
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{manifest, report, summary, whole};
    use super::super::Noisy;
    use super::*;
    use crate::report::{ComparisonReport, JobStatus, MetricInfo};
    use crate::stats::{self, Sample};

    /// Go is significantly faster than Rust and Zig; whether it is bold depends on whether it is
    /// noisy: 1.2's Go wall times of issue 16 (a CI reaching +389%) are, a steady Go is not —
    /// unless the quiet-machine gate found the machine busy while it ran.
    #[test]
    fn a_noisy_number_is_marked_and_never_bold() {
        let steady = [0.100, 0.101, 0.099, 0.100, 0.100];
        let wide = [0.068, 0.286, 0.160];
        for (go, busy, want) in [
            (&steady[..], false, vec![]),
            (&wide[..], false, vec![Noisy::Interval]),
            (&steady[..], true, vec![Noisy::BusyMachine]),
            (&wide[..], true, vec![Noisy::Interval, Noisy::BusyMachine]),
        ] {
            let want_bold = want.is_empty();
            let mut p = report([JobStatus::Ok; 3]);
            if busy {
                p.jobs[0].noisy = Some("the machine stayed busy before round 1: …".into());
            }
            p.metric = Some(MetricInfo {
                name: "wall_time".into(),
                unit: "s".into(),
                better: Better::Lower,
                min_effect: 0.02,
            });
            p.jobs[0].summary = Some(summary(go));
            for j in &mut p.jobs[1..] {
                j.summary = Some(summary(&[1.0, 1.001, 0.999, 1.0, 1.0]));
            }
            let sample = |j: usize| {
                let v = p.jobs[j].summary.as_ref().unwrap();
                Sample::new(vec![v.headline.min, v.headline.mean, v.headline.max]).unwrap()
            };
            p.comparisons = [(0, 1), (0, 2), (1, 2)]
                .into_iter()
                .map(|(a, b)| ComparisonReport {
                    a: p.jobs[a].name.clone(),
                    b: p.jobs[b].name.clone(),
                    stats: crate::report::Comparison {
                        significant: true,
                        ..stats::compare(&sample(a), &sample(b), 0.02).into()
                    },
                    better: Some(p.jobs[a].name.clone()),
                })
                .collect();
            let view = project(&manifest("iii"), Some(&whole(p)), "en", None);
            let go = &view.cells[0];
            assert_eq!(go.noisy, want, "{go:?}");
            assert_eq!(go.bold, want_bold, "{go:?}");
            assert_eq!(view.winner.is_some(), want_bold, "{:?}", view.winner);
            let rust = &view.cells[1];
            assert!(rust.noisy.is_empty() && !rust.bold, "{rust:?}");
        }
    }
}
