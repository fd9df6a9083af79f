//! The data of the charts: for every project where a language has a number, one headline chart
//! and one peak-memory chart, as bars with their whiskers, in the chart's unit. What the charts
//! look like is `render/chart.rs`'s; this file only says what they show (English words, shared by
//! both READMEs).

use super::cell::{lang_cell_kind, CellKind};
use super::project::project;
use super::{project_in, Sources};
use crate::manifest::{self, Better, Lang, Manifest};

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

/// One bar: a language.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// `Go`, `Rust`, `Zig`.
    pub label: String,
    /// Its numbers, when it has some.
    pub value: Option<BarValue>,
    /// What to write instead of a bar (English), e.g. `✗ build failed`.
    pub note: String,
    /// The project's winner for this metric (headline only).
    pub winner: bool,
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
    /// One per language.
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
        let bars = |headline: bool| -> Vec<Bar> {
            Lang::ALL
                .iter()
                .zip(&view.cells)
                .map(|(l, c)| {
                    let (kind, job) = lang_cell_kind(m, Some(p), *l);
                    let s = job
                        .and_then(|j| j.summary.as_ref())
                        .filter(|_| kind == CellKind::Ok);
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
                    let note = match kind {
                        CellKind::Skipped => format!(
                            "skipped{}",
                            c.detail
                                .as_deref()
                                .map(|d| format!(" ({d})"))
                                .unwrap_or_default()
                        ),
                        k => k.chart_note().to_string(),
                    };
                    Bar {
                        label: c.name.clone(),
                        value,
                        note,
                        winner: headline && c.bold,
                    }
                })
                .collect()
        };
        let what = metric.name.replace('_', " ");
        out.push(ChartData {
            file: chart_file(&m.slug, ChartKind::Headline),
            title: format!("{} {} — {what}", m.id, view.name),
            unit: metric.unit.clone(),
            better: metric.better,
            bars: bars(true),
            footnote: "bar: mean · whisker: 95% CI of the mean · bold: significantly better than every other language".into(),
        });
        out.push(ChartData {
            file: chart_file(&m.slug, ChartKind::Memory),
            title: format!("{} {} — peak memory", m.id, view.name),
            unit: "B".into(),
            better: Better::Lower,
            bars: bars(false),
            footnote: "bar: mean over runs of each run's peak RSS · whisker: 95% CI of the mean"
                .into(),
        });
    }
    out
}
