//! File exports of a finished report in other tools' formats, so the runner's numbers can feed
//! hyperfine-based scripts, Bencher, github-action-benchmark, spreadsheets and PR comments. Each
//! format is a pure function report → text in its own file; this module only picks the files and
//! writes them. It never measures and never changes the report: `runner bench --export-…` and
//! `runner export <report.json>` produce the same bytes from the same report.
//!
//! Only jobs whose numbers count ([`JobStatus::has_numbers`] and a summary) are exported. A format
//! with nothing to hold (hyperfine for a report of services only, github-action-benchmark for a
//! report without numbers) is not written: the caller gets an error naming the file, and the other
//! formats are still written.

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

/// Why one export was not written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// Writing failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The format has nothing to hold; the file was not written.
    #[error("{}: {why}", .path.display())]
    Nothing {
        /// The file asked for.
        path: PathBuf,
        /// Why there is nothing, and what to use instead.
        why: String,
    },
}

/// What [`write_all`] did.
#[derive(Debug, Default)]
pub struct Written {
    /// Files written.
    pub paths: Vec<PathBuf>,
    /// What a written file leaves out, in words (e.g. services left out of hyperfine's file).
    pub warnings: Vec<String>,
    /// Exports not written.
    pub errors: Vec<ExportError>,
}

/// Writes every requested export of `report` atomically. A format that fails (nothing to hold,
/// or a file not writable) does not stop the others.
pub fn write_all(report: &Report, targets: &Targets) -> Written {
    let mut done = Written::default();
    let put = |path: &Path, text: Result<String, String>, done: &mut Written| {
        let result = text
            .map_err(|why| ExportError::Nothing {
                path: path.to_path_buf(),
                why,
            })
            .and_then(|text| write(path, &text).map_err(ExportError::from));
        match result {
            Ok(()) => done.paths.push(path.to_path_buf()),
            Err(e) => done.errors.push(e),
        }
    };
    if let Some(p) = &targets.hyperfine {
        let text = hyperfine::render(report);
        let left = hyperfine::left_out(report);
        if text.is_ok() && !left.is_empty() {
            done.warnings.push(format!(
                "{}: services left out (hyperfine's format holds command runs only): {}",
                p.display(),
                left.join(", ")
            ));
        }
        put(p, text, &mut done);
    }
    if let Some(p) = &targets.bmf {
        put(p, Ok(bmf::render(report)), &mut done);
    }
    if let Some(p) = &targets.gab {
        match gab::render(report) {
            Ok((smaller, bigger)) => {
                put(p, Ok(smaller), &mut done);
                if let Some(b) = bigger {
                    put(&gab::bigger_path(p), Ok(b), &mut done);
                }
            }
            Err(why) => put(p, Err(why), &mut done),
        }
    }
    if let Some(p) = &targets.csv {
        put(p, Ok(csv::render(report)), &mut done);
    }
    if let Some(p) = &targets.markdown {
        put(p, Ok(markdown::render(report)), &mut done);
    }
    done
}

/// Writes `text` to `path` atomically, creating its folder.
fn write(path: &Path, text: &str) -> Result<(), StoreError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    write_atomic(path, text.as_bytes())
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
