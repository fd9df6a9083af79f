//! File exports of a finished report in other tools' formats, so the runner's numbers can feed
//! hyperfine-based scripts, Bencher, github-action-benchmark, spreadsheets and PR comments. Each
//! format is a pure function report → text in its own file; this module only picks the files and
//! writes them. It never measures and never changes the report: `runner bench --export-…` and
//! `runner export <report.json>` produce the same bytes from the same report.
//!
//! Only jobs whose numbers count ([`JobStatus::has_numbers`] and a summary) are exported.

pub mod bmf;
pub mod csv;
pub mod gab;
pub mod hyperfine;
pub mod markdown;

use crate::report::store::{write_atomic, StoreError};
use crate::report::{JobReport, JobSummary, ProjectReport, Report};
use std::path::{Path, PathBuf};

/// Which files to write; `None` skips the format.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Targets {
    /// hyperfine `--export-json` shape.
    pub hyperfine: Option<PathBuf>,
    /// Bencher Metric Format.
    pub bmf: Option<PathBuf>,
    /// github-action-benchmark custom tool JSON (smaller-is-better file; see [`gab`]).
    pub gab: Option<PathBuf>,
    /// One CSV row per job.
    pub csv: Option<PathBuf>,
    /// The per-project markdown tables.
    pub markdown: Option<PathBuf>,
}

impl Targets {
    /// True when no export was asked for.
    pub fn is_empty(&self) -> bool {
        *self == Targets::default()
    }
}

/// Writes every requested export of `report` atomically; returns the paths written, or the
/// first error (naming the file).
pub fn write_all(report: &Report, targets: &Targets) -> Result<Vec<PathBuf>, StoreError> {
    let mut written = Vec::new();
    let mut put = |path: &Path, text: String| -> Result<(), StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::Io {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        write_atomic(path, text.as_bytes())?;
        written.push(path.to_path_buf());
        Ok(())
    };
    if let Some(p) = &targets.hyperfine {
        put(p, hyperfine::render(report))?;
    }
    if let Some(p) = &targets.bmf {
        put(p, bmf::render(report))?;
    }
    if let Some(p) = &targets.gab {
        let (smaller, bigger) = gab::render(report);
        put(p, smaller)?;
        if let Some(b) = bigger {
            put(&gab::bigger_path(p), b)?;
        }
    }
    if let Some(p) = &targets.csv {
        put(p, csv::render(report))?;
    }
    if let Some(p) = &targets.markdown {
        put(p, markdown::render(report))?;
    }
    Ok(written)
}

/// Every job and reference of every project whose numbers count, with its summary.
pub fn measured(
    report: &Report,
) -> impl Iterator<Item = (&ProjectReport, &JobReport, &JobSummary)> {
    report.projects.iter().flat_map(|p| {
        p.jobs
            .iter()
            .chain(p.references.iter())
            .filter(|j| j.status.has_numbers())
            .filter_map(move |j| j.summary.as_ref().map(|s| (p, j, s)))
    })
}

/// The name of one job in every export: `<project slug>/<job name>`.
pub fn bench_name(p: &ProjectReport, j: &JobReport) -> String {
    format!("{}/{}", p.slug, j.name)
}
