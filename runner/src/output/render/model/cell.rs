//! The cells of the status table: what one language (or reference row) of one project shows, and
//! the project's status derived from those cells. The manifest decides whether a language is
//! implemented; the latest report, how its job went. A cell says *what* it is (`CellKind`); the
//! templates choose the words. Never ranks: the winner is `verdict.rs`'s.

use crate::manifest::{Lang, LangDef, Manifest};
use crate::report::{JobReport, JobStatus, ProjectReport};
use crate::units;
use serde::Serialize;

/// A project's status, derived from its latest report, never typed by hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// All three languages built, verified and measured (job status `ok`).
    Done,
    /// At least one language is implemented (measured or not), but not all three are `ok`.
    InProgress,
    /// No language implemented yet.
    Planned,
}

impl Status {
    /// The English words, as `runner list` prints them.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Done => "done",
            Status::InProgress => "in progress",
            Status::Planned => "planned",
        }
    }
}

/// Derives a project's status: `done` when all three languages are `ok` in its latest report;
/// `in progress` when at least one is, or when at least one language is implemented in the
/// manifest (written but failing or not measured yet: calling it "planned" would hide it);
/// `planned` otherwise.
pub fn derived_status(m: &Manifest, latest: Option<&ProjectReport>) -> Status {
    let ok = Lang::ALL
        .iter()
        .filter(|l| lang_cell_kind(m, latest, **l).0 == CellKind::Ok)
        .count();
    if ok == Lang::ALL.len() {
        Status::Done
    } else if ok > 0 || m.implemented().next().is_some() {
        Status::InProgress
    } else {
        Status::Planned
    }
}

/// What a cell of the status table shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CellKind {
    /// Built, verified, measured: a number.
    Ok,
    /// A measured reference row: a number, not verified, not ranked.
    Unverified,
    /// No implementation in this language (`—`).
    NotImplemented,
    /// Implemented, but no report measured it yet (`…`).
    NotMeasured,
    /// Not run (missing requirement, `--lang`): with a short reason.
    Skipped,
    /// The build failed.
    BuildFailed,
    /// A run failed (exit code, signal, too much output).
    RunFailed,
    /// A run passed its timeout.
    Timeout,
    /// Wrong output: failed verification.
    VerifyFailed,
    /// Stopped by Ctrl-C before it was measured.
    Interrupted,
}

impl CellKind {
    /// The kind of a job's cell, from its status in the report.
    pub(super) fn of(status: JobStatus) -> CellKind {
        match status {
            JobStatus::Ok => CellKind::Ok,
            JobStatus::Unverified => CellKind::Unverified,
            JobStatus::NotImplemented | JobStatus::Pending => CellKind::NotMeasured,
            JobStatus::Skipped => CellKind::Skipped,
            JobStatus::BuildFailed => CellKind::BuildFailed,
            JobStatus::RunFailed | JobStatus::OutOfMemory => CellKind::RunFailed,
            JobStatus::Timeout => CellKind::Timeout,
            JobStatus::VerifyFailed => CellKind::VerifyFailed,
            JobStatus::Interrupted => CellKind::Interrupted,
        }
    }

    /// English words used inside charts (shared by both READMEs).
    pub(super) fn chart_note(self) -> &'static str {
        match self {
            CellKind::Ok | CellKind::Unverified => "",
            CellKind::NotImplemented => "— not implemented",
            CellKind::NotMeasured => "… not measured",
            CellKind::Skipped => "skipped",
            CellKind::BuildFailed => "✗ build failed",
            CellKind::RunFailed => "✗ run failed",
            CellKind::Timeout => "✗ timeout",
            CellKind::VerifyFailed => "✗ wrong output",
            CellKind::Interrupted => "interrupted",
        }
    }
}

/// The kind of `lang`'s cell and its job in the report, if any. The manifest decides whether a
/// language is implemented; the report, how its job went.
pub(super) fn lang_cell_kind<'a>(
    m: &Manifest,
    latest: Option<&'a ProjectReport>,
    lang: Lang,
) -> (CellKind, Option<&'a JobReport>) {
    match m.langs.get(&lang) {
        Some(LangDef::Impl(_)) => {}
        _ => return (CellKind::NotImplemented, None),
    }
    let Some(job) = latest.and_then(|p| p.jobs.iter().find(|j| j.name == lang.as_str())) else {
        return (CellKind::NotMeasured, None);
    };
    let kind = CellKind::of(job.status);
    // A job that claims a number but has none is shown as not measured.
    if matches!(kind, CellKind::Ok | CellKind::Unverified) && job.summary.is_none() {
        return (CellKind::NotMeasured, Some(job));
    }
    (kind, Some(job))
}

/// One cell: a language (or a reference row) of one project.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Cell {
    /// Display name: `Go`, `Rust`, `Zig`, or the reference's name.
    pub name: String,
    /// What it shows.
    pub kind: CellKind,
    /// Headline mean with its unit (`ok`, `unverified`), e.g. `412 MB/s`.
    pub value: Option<String>,
    /// How far the 95% CI reaches from the mean, relative to it: `±1.2%`, or `+14/−12%` when the
    /// two sides differ (a log-scale interval reaches further above the mean than below).
    pub ci: Option<String>,
    /// The CI reaches further than `stats::NOISY_LIMIT` (10%) from the mean: the number is shown
    /// with a mark and is never bold.
    pub noisy: bool,
    /// The project's winner: significantly better than every other `ok` language, and not noisy.
    pub bold: bool,
    /// Short reason of a skipped job.
    pub detail: Option<String>,
    /// Measured runs.
    pub runs: usize,
    /// Binary size (`ok` languages).
    pub binary: Option<String>,
    /// Peak memory: mean over runs of each run's peak RSS (`ok` languages and references).
    pub memory: Option<String>,
}

/// `Go`, `Rust`, `Zig` for a language's job name; any other name (a reference's) as it is.
pub(super) fn display_name(name: &str) -> String {
    match Lang::parse(name) {
        Some(Lang::Go) => "Go".into(),
        Some(Lang::Rust) => "Rust".into(),
        Some(Lang::Zig) => "Zig".into(),
        None => name.to_string(),
    }
}

/// First line of a reason, at most `max` characters (then `…`).
fn short(reason: &str, max: usize) -> String {
    let first = reason.lines().next().unwrap_or("").trim();
    if first.chars().count() <= max {
        first.to_string()
    } else {
        let cut: String = first.chars().take(max.saturating_sub(1)).collect();
        format!("{}…", cut.trim_end())
    }
}

/// The cell of a job (a language's, or a reference's) in the metric's `unit`.
pub(super) fn job_cell(name: &str, kind: CellKind, job: Option<&JobReport>, unit: &str) -> Cell {
    let summary = job.and_then(|j| j.summary.as_ref());
    let numbers = matches!(kind, CellKind::Ok | CellKind::Unverified);
    let (value, ci) = match summary {
        Some(s) if numbers => (
            Some(units::value(s.headline.mean, unit)),
            Some(units::ci_percent(
                s.headline.mean,
                s.headline.ci95_low,
                s.headline.ci95_high,
            )),
        ),
        _ => (None, None),
    };
    Cell {
        name: display_name(name),
        kind,
        value,
        ci,
        noisy: summary.is_some_and(|s| numbers && s.headline.is_noisy()),
        bold: false,
        detail: match kind {
            CellKind::Skipped => job.and_then(|j| j.reason.as_deref()).map(|r| short(r, 40)),
            _ => None,
        },
        runs: job.map_or(0, |j| j.samples.len()),
        binary: job
            .filter(|_| kind == CellKind::Ok)
            .and_then(|j| j.build.as_ref())
            .and_then(|b| b.artifact_bytes)
            .map(|b| units::bytes(b as f64)),
        memory: summary
            .filter(|_| numbers)
            .map(|s| units::bytes(s.max_rss_bytes.mean)),
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{manifest, report};
    use super::*;

    #[test]
    fn status_is_derived_from_the_manifest_and_the_latest_report() {
        use JobStatus::*;
        let cases: &[(&str, Option<[JobStatus; 3]>, Status)] = &[
            ("", None, Status::Planned),
            ("ttt", None, Status::Planned),
            ("itt", None, Status::InProgress),
            ("iii", None, Status::InProgress),
            ("iii", Some([Ok, Ok, Ok]), Status::Done),
            ("iii", Some([Ok, BuildFailed, Ok]), Status::InProgress),
            ("iii", Some([Ok, Ok, VerifyFailed]), Status::InProgress),
            (
                "iii",
                Some([Timeout, RunFailed, Skipped]),
                Status::InProgress,
            ),
            (
                "itt",
                Some([Ok, NotImplemented, NotImplemented]),
                Status::InProgress,
            ),
            // A stale report cannot make a language the manifest no longer implements count.
            ("iit", Some([Ok, Ok, Ok]), Status::InProgress),
        ];
        for (langs, statuses, want) in cases {
            let m = manifest(langs);
            let r = statuses.map(report);
            assert_eq!(
                derived_status(&m, r.as_ref()),
                *want,
                "{langs} {statuses:?}"
            );
        }
    }

    #[test]
    fn skipped_reasons_are_short() {
        assert_eq!(short("not selected (--lang)", 40), "not selected (--lang)");
        assert_eq!(
            short(
                "missing requirement: pkg-config libavformat not found\nmore",
                30
            ),
            "missing requirement: pkg-conf…"
        );
    }
}
