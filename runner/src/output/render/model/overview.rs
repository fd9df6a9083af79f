//! The page's overview sections: progress over all projects (done, in progress, planned) and the
//! insights computed from the data (wins per language, extremes of binary size and memory). Reads
//! the built project views and the latest reports; formats numbers through `units`.

use super::cell::{display_name, lang_cell_kind, CellKind, Status};
use super::project::{text_of, Project};
use super::{project_in, Sources};
use crate::manifest::Lang;
use crate::report::JobReport;
use crate::units;
use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Progress {
    /// Number of projects.
    pub total: usize,
    /// Number of groups with projects.
    pub groups: usize,
    /// Done.
    pub done: usize,
    /// Done, percent of total.
    pub done_percent: String,
    /// In progress.
    pub in_progress: usize,
    /// In progress, percent.
    pub in_progress_percent: String,
    /// Neither (planned).
    pub remaining: usize,
    /// Remaining, percent.
    pub remaining_percent: String,
    /// The done projects.
    pub done_projects: Vec<Project>,
    /// The projects in progress.
    pub in_progress_projects: Vec<Project>,
}

/// A language's count of wins.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Tally {
    /// Language.
    pub name: String,
    /// Projects it won.
    pub wins: usize,
}

/// An extreme over all projects, e.g. the smallest binary.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Extreme {
    /// Language.
    pub name: String,
    /// Project id.
    pub id: String,
    /// Project name.
    pub project: String,
    /// Formatted value.
    pub value: String,
}

/// Insights computed from the data.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Insights {
    /// Projects with numbers or notes, by id.
    pub projects: Vec<Project>,
    /// Wins per language (Go, Rust, Zig), over `contested` projects.
    pub wins: Vec<Tally>,
    /// Projects with at least two `ok` languages.
    pub contested: usize,
    /// Contested projects without a winner.
    pub undecided: usize,
    /// Smallest binary of an `ok` language.
    pub smallest_binary: Option<Extreme>,
    /// Largest binary of an `ok` language.
    pub largest_binary: Option<Extreme>,
    /// Lowest peak memory of an `ok` language.
    pub lowest_memory: Option<Extreme>,
    /// Highest peak memory of an `ok` language.
    pub highest_memory: Option<Extreme>,
}

/// Progress over `projects`, spread over `groups` group sections.
pub(super) fn progress(projects: &[Project], groups: usize) -> Progress {
    let count = |s: Status| projects.iter().filter(|p| p.status == s).count();
    let (done, in_progress) = (count(Status::Done), count(Status::InProgress));
    let total = projects.len();
    let remaining = total - done - in_progress;
    let with = |s: Status| projects.iter().filter(|p| p.status == s).cloned().collect();
    Progress {
        total,
        groups,
        done,
        done_percent: units::percent(done, total),
        in_progress,
        in_progress_percent: units::percent(in_progress, total),
        remaining,
        remaining_percent: units::percent(remaining, total),
        done_projects: with(Status::Done),
        in_progress_projects: with(Status::InProgress),
    }
}

/// Insights over `projects` (built in `lang`) and the latest reports of `sources`.
pub(super) fn insights(sources: &Sources<'_>, projects: &[Project], lang: &str) -> Insights {
    let contested: Vec<&Project> = projects
        .iter()
        .filter(|p| p.cells.iter().filter(|c| c.kind == CellKind::Ok).count() >= 2)
        .collect();
    let wins = Lang::ALL
        .iter()
        .map(|l| {
            let name = display_name(l.as_str());
            Tally {
                wins: contested
                    .iter()
                    .filter(|p| p.winner.as_deref() == Some(name.as_str()))
                    .count(),
                name,
            }
        })
        .collect();
    let binary = |j: &JobReport| {
        j.build
            .as_ref()
            .and_then(|b| b.artifact_bytes)
            .map(|b| b as f64)
    };
    let memory = |j: &JobReport| j.summary.as_ref().map(|s| s.max_rss_bytes.mean);
    Insights {
        projects: projects
            .iter()
            .filter(|p| p.has_numbers || p.notes.is_some() || !p.references.is_empty())
            .cloned()
            .collect(),
        wins,
        contested: contested.len(),
        undecided: contested.iter().filter(|p| p.winner.is_none()).count(),
        smallest_binary: extreme(sources, lang, true, binary),
        largest_binary: extreme(sources, lang, false, binary),
        lowest_memory: extreme(sources, lang, true, memory),
        highest_memory: extreme(sources, lang, false, memory),
    }
}

/// The extreme (smallest when `min`) over `ok` language jobs of all projects.
fn extreme(
    sources: &Sources<'_>,
    lang: &str,
    min: bool,
    value: impl Fn(&JobReport) -> Option<f64>,
) -> Option<Extreme> {
    let mut best: Option<(f64, Extreme)> = None;
    for m in sources.manifests {
        let Some(p) = sources
            .latest
            .get(&m.slug)
            .and_then(|r| project_in(r, &m.slug))
        else {
            continue;
        };
        for l in Lang::ALL {
            let (kind, job) = lang_cell_kind(m, Some(p), l);
            let Some(v) = job.filter(|_| kind == CellKind::Ok).and_then(&value) else {
                continue;
            };
            let better = match &best {
                None => true,
                Some((b, _)) => (min && v < *b) || (!min && v > *b),
            };
            if better {
                best = Some((
                    v,
                    Extreme {
                        name: display_name(l.as_str()),
                        id: m.id.clone(),
                        project: text_of(m, lang).map(|t| t.name.clone()).unwrap_or_default(),
                        value: units::bytes(v),
                    },
                ));
            }
        }
    }
    best.map(|(_, e)| e)
}
