//! The data of the charts: for every project where a language has a number, one headline chart
//! and one peak-memory chart, as bars with their whiskers, in the chart's unit; each language's
//! variants that the report measured follow it, never marked as a winner. What the charts
//! look like is `render/chart.rs`'s; this file only says what they show (English words, shared by
//! both READMEs).

use super::cell::{lang_cell_kind, Cell, CellKind};
use super::project::project;
use super::variant::VariantRow;
use super::{project_in, Sources};
use crate::manifest::{self, Lang, Manifest};
use crate::report::{Better, JobReport};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartKind {
    /// The headline metric.
    Headline,
    /// Peak memory.
    Memory,
}

/// File name of a project's chart.
pub fn chart_file(slug: &str, kind: ChartKind) -> String {
    match kind {
        ChartKind::Headline => format!("{slug}.svg"),
        ChartKind::Memory => format!("{slug}-memory.svg"),
    }
}

/// A bar's numbers, in the chart's unit (not yet scaled).
#[derive(Debug, Clone, PartialEq)]
pub struct BarValue {
    /// Mean.
    pub mean: f64,
    /// Lower end of the 95% CI of the mean.
    pub low: f64,
    /// Upper end.
    pub high: f64,
    /// Runs.
    pub n: usize,
}

/// One bar: a language, or a variant of one.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// `Go`, `Rust`, `Zig`, or a variant's `Zig (ReleaseFast)`.
    pub label: String,
    /// Its numbers, when it has some.
    pub value: Option<BarValue>,
    /// What to write instead of a bar (English), e.g. `✗ build failed`.
    pub note: String,
    /// The project's winner for this metric (headline only).
    pub winner: bool,
    /// Noisy (the status table's [`Noisy`](super::Noisy) reasons, the memory chart's own
    /// interval): labelled so, never the winner.
    pub noisy: bool,
}

/// One chart to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartData {
    /// File name inside the charts folder.
    pub file: String,
    /// Title (English).
    pub title: String,
    /// Unit of the values (`s`, `MB/s`, `B`…).
    pub unit: String,
    /// Which direction wins.
    pub better: Better,
    /// One per language, each followed by its variants.
    pub bars: Vec<Bar>,
    /// What bars and whiskers mean (English).
    pub footnote: String,
}

/// The charts of every project where a language has a number: headline and peak memory.
pub fn charts(sources: &Sources<'_>) -> Vec<ChartData> {
    let mut out = Vec::new();
    let mut manifests: Vec<&Manifest> = sources.manifests.iter().collect();
    manifests.sort_by_key(|m| manifest::id_key(&m.id));
    for m in manifests {
        let report = sources.latest.get(&m.slug);
        let Some(p) = report.and_then(|r| project_in(r, &m.slug)) else {
            continue;
        };
        let Some(metric) = &p.metric else {
            continue;
        };
        let view = project(m, report, "en", None);
        if !view.has_numbers {
            continue;
        }
        let bar = |c: &Cell, job: Option<&JobReport>, headline: bool| -> Bar {
            let s = job
                .and_then(|j| j.summary.as_ref())
                .filter(|_| c.kind == CellKind::Ok);
            let value = s.map(|s| {
                let x = if headline {
                    &s.headline
                } else {
                    &s.max_rss_bytes
                };
                BarValue {
                    mean: x.mean,
                    low: x.ci95_low,
                    high: x.ci95_high,
                    n: x.n,
                }
            });
            let note = match c.kind {
                CellKind::Skipped => format!(
                    "skipped{}",
                    c.detail
                        .as_deref()
                        .map(|d| format!(" ({d})"))
                        .unwrap_or_default()
                ),
                k => k.chart_note().to_string(),
            };
            let busy = c.noisy.contains(&super::Noisy::BusyMachine);
            let noisy = if headline {
                !c.noisy.is_empty()
            } else {
                busy || s.is_some_and(|s| s.max_rss_bytes.is_noisy())
            };
            Bar {
                label: c.name.clone(),
                value,
                note,
                winner: headline && c.bold,
                noisy,
            }
        };
        let bars = |headline: bool| -> Vec<Bar> {
            let mut bars = Vec::new();
            for (l, c) in Lang::ALL.iter().zip(&view.cells) {
                let (_, job) = lang_cell_kind(m, Some(p), *l);
                bars.push(bar(c, job, headline));
                // A variant the report does not have (declared after it was measured) has no bar.
                for v in view.variants.iter().filter(|v| v.lang == l.as_str()) {
                    if let Some(job) = p.jobs.iter().find(|j| j.name == v.job) {
                        bars.push(bar(&v.cell, Some(job), headline));
                    }
                }
            }
            bars
        };
        let measured = |v: &&VariantRow| p.jobs.iter().any(|j| j.name == v.job);
        let variants = if !view.variants.iter().any(|v| measured(&v)) {
            ""
        } else {
            " · a name in brackets: another build, not ranked"
        };
        let what = metric.name.replace('_', " ");
        out.push(ChartData {
            file: chart_file(&m.slug, ChartKind::Headline),
            title: format!("{} {} — {what}", m.id, view.name),
            unit: metric.unit.clone(),
            better: metric.better,
            bars: bars(true),
            footnote: format!("bar: mean · whisker: 95% CI of the mean · bold: significantly better than every other language{variants}"),
        });
        out.push(ChartData {
            file: chart_file(&m.slug, ChartKind::Memory),
            title: format!("{} {} — peak memory", m.id, view.name),
            unit: "B".into(),
            better: Better::Lower,
            bars: bars(false),
            footnote: format!(
                "bar: mean over runs of each run's peak RSS · whisker: 95% CI of the mean{variants}"
            ),
        });
    }
    out
}
