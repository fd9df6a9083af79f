//! The view model of the README: manifests + latest reports → rows, cells, group sections,
//! progress, insights and the methodology footer, ready for the templates. Pure: no I/O, no
//! current time, stable order (projects by id, languages Go, Rust, Zig), so the same inputs always
//! give the same page.
//!
//! Numbers are formatted here through `units` (the only place that formats numbers); words are not:
//! a cell says *what* it is (`kind = "build_failed"`) and the templates pick the words of their
//! language from `templates/strings.toml`. The only texts chosen here are the project's own
//! (name, summary, skill, notes) in the page's language, and the English words inside charts,
//! which both READMEs share.

use crate::manifest::{self, Better, Lang, LangDef, Manifest};
use crate::report::{ComparisonReport, JobReport, JobStatus, ProjectReport, Report};
use crate::units;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One group of the seed list, as `templates/groups.toml` describes it.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct GroupDef {
    /// Group number (the part of a project id before the dot).
    pub number: u32,
    /// Marked as new in the seed list (⭐).
    #[serde(default)]
    pub new: bool,
    /// Heading and focus line by language code (`en`, `th`).
    #[serde(flatten)]
    pub text: BTreeMap<String, GroupText>,
}

/// A group's heading and focus line in one language.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct GroupText {
    /// Heading, e.g. "Video & Media Processing".
    pub title: String,
    /// Focus line, e.g. "Focus on handling data streaming and memory layout".
    #[serde(default)]
    pub focus: String,
}

/// The file `templates/groups.toml`: `[[group]]` tables.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct GroupsFile {
    /// The groups, in any order.
    #[serde(default)]
    pub group: Vec<GroupDef>,
}

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
    fn of(status: JobStatus) -> CellKind {
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
    fn chart_note(self) -> &'static str {
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
fn lang_cell_kind<'a>(
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
    /// Half-width of the 95% CI relative to the mean, e.g. `±1.2%`.
    pub ci: Option<String>,
    /// The project's winner: significantly better than every other `ok` language.
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

/// A pairwise verdict, oriented so that `first` is the better of the two (by mean).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Verdict {
    /// The better language by mean (the winner when significant).
    pub first: String,
    /// The other.
    pub second: String,
    /// The difference is significant (CI excludes 1 and at least the minimum effect).
    pub significant: bool,
    /// How many times better `first` is, in the metric's direction, e.g. `1.76×`.
    pub ratio: String,
    /// 95% CI of that factor, e.g. `1.74–1.78×`, when known.
    pub ci: Option<String>,
    /// The minimum effect, e.g. `2%`.
    pub min_effect: String,
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
}

/// A group section.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Group {
    /// Number.
    pub number: u32,
    /// Heading in the page's language.
    pub title: String,
    /// Heading in English (the Thai page shows both, as the seed does).
    pub title_en: String,
    /// Focus line.
    pub focus: String,
    /// New in the seed list.
    pub new: bool,
    /// Its projects, by id.
    pub projects: Vec<Project>,
}

/// Progress over all projects.
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

/// When and from which commit reports were measured.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RunInfo {
    /// Projects measured by this run.
    pub ids: Vec<String>,
    /// Start, `YYYY-MM-DD HH:MM UTC`.
    pub date: String,
    /// Commit, 12 characters.
    pub commit: Option<String>,
    /// Uncommitted changes to tracked files existed.
    pub dirty: bool,
    /// Backend (`native`, `fake`).
    pub backend: String,
    /// Runner version.
    pub runner_version: String,
}

/// A machine that measured reports.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct HostInfo {
    /// Projects measured on it.
    pub ids: Vec<String>,
    /// CPU model.
    pub cpu: String,
    /// Logical cores.
    pub cores: usize,
    /// Memory, e.g. `23.5 GiB`.
    pub memory: String,
    /// OS.
    pub os: String,
    /// Kernel release.
    pub kernel: String,
    /// Architecture.
    pub arch: String,
    /// A virtual machine.
    pub virtualized: bool,
    /// cpufreq governor.
    pub governor: String,
}

/// Toolchain versions used by reports.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ToolchainInfo {
    /// Projects measured with them.
    pub ids: Vec<String>,
    /// Exact versions (first lines), Go, Rust, Zig; empty when not recorded.
    pub versions: Vec<String>,
    /// Pinned versions, `go 1.27.3` …
    pub pins: Vec<String>,
}

/// The methodology footer.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Footer {
    /// Report schema version.
    pub schema_version: u32,
    /// Projects with a report.
    pub measured: usize,
    /// Distinct runs.
    pub runs: Vec<RunInfo>,
    /// Distinct hosts.
    pub hosts: Vec<HostInfo>,
    /// Distinct toolchain sets.
    pub toolchains: Vec<ToolchainInfo>,
    /// Ids of projects whose report measured an earlier version of their manifest.
    pub outdated: Vec<String>,
}

/// The whole page in one language.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Page {
    /// Language code.
    pub lang: String,
    /// All projects, by id (the status table).
    pub projects: Vec<Project>,
    /// Group sections.
    pub groups: Vec<Group>,
    /// Progress.
    pub progress: Progress,
    /// Insights.
    pub insights: Insights,
    /// Footer.
    pub footer: Footer,
}

/// Everything the page is built from.
#[derive(Debug, Clone, Copy)]
pub struct Sources<'a> {
    /// Validated manifests, by id.
    pub manifests: &'a [Manifest],
    /// Latest reports by slug; each holds that project.
    pub latest: &'a BTreeMap<String, Report>,
    /// Groups.
    pub groups: &'a [GroupDef],
}

/// Links that depend on where a README is: charts folder (ending in `/`) and specs by slug.
#[derive(Debug, Clone, Default)]
pub struct Links {
    /// The charts folder as seen from the README, e.g. `reports/charts/`.
    pub charts: String,
    /// Each existing spec as seen from the README, by slug.
    pub specs: BTreeMap<String, String>,
}

/// The project of `slug` in a latest report.
pub fn project_in<'a>(r: &'a Report, slug: &str) -> Option<&'a ProjectReport> {
    r.projects.iter().find(|p| p.slug == slug)
}

fn display_name(name: &str) -> String {
    match Lang::parse(name) {
        Some(Lang::Go) => "Go".into(),
        Some(Lang::Rust) => "Rust".into(),
        Some(Lang::Zig) => "Zig".into(),
        None => name.to_string(),
    }
}

fn better_str(b: Better) -> &'static str {
    match b {
        Better::Higher => "higher",
        Better::Lower => "lower",
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

fn job_cell(name: &str, kind: CellKind, job: Option<&JobReport>, unit: &str) -> Cell {
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

fn comparison<'a>(cs: &'a [ComparisonReport], x: &str, y: &str) -> Option<&'a ComparisonReport> {
    cs.iter()
        .find(|c| (c.a == x && c.b == y) || (c.a == y && c.b == x))
}

/// The winner among `ok` languages: the one whose comparisons against every other `ok` language
/// are significant with it as `better`. None with fewer than two `ok` languages, or when a
/// comparison is missing or not significant.
pub fn winner(ok: &[&str], comparisons: &[ComparisonReport]) -> Option<String> {
    if ok.len() < 2 {
        return None;
    }
    ok.iter()
        .find(|l| {
            ok.iter().filter(|m| m != l).all(|m| {
                comparison(comparisons, l, m)
                    .is_some_and(|c| c.stats.significant && c.better.as_deref() == Some(**l))
            })
        })
        .map(|l| l.to_string())
}

/// Verdicts between `ok` languages, best mean first; each oriented so `first` is better.
fn verdicts(p: &ProjectReport, ok: &[(&str, f64)], better: Better) -> Vec<Verdict> {
    let mut ranked: Vec<(&str, f64)> = ok.to_vec();
    ranked.sort_by(|a, b| {
        let o = a.1.partial_cmp(&b.1).unwrap_or(std::cmp::Ordering::Equal);
        match better {
            Better::Higher => o.reverse(),
            Better::Lower => o,
        }
    });
    let mut out = Vec::new();
    for i in 0..ranked.len() {
        for j in i + 1..ranked.len() {
            let (first, second) = (ranked[i].0, ranked[j].0);
            let Some(c) = comparison(&p.comparisons, first, second) else {
                continue;
            };
            // stats.ratio = mean(a) / mean(b); turn it into "how many times better `first` is".
            let first_is_a = c.a == first;
            let invert = first_is_a != (better == Better::Higher);
            let f = |x: f64| if invert { 1.0 / x } else { x };
            let ci = match (c.stats.ci95_low, c.stats.ci95_high) {
                (Some(l), Some(h)) => {
                    let (l, h) = (f(l).min(f(h)), f(l).max(f(h)));
                    Some(units::ratio_range(l, h))
                }
                _ => None,
            };
            // Ranked by the same means the comparison judged, so a winner is always `first`.
            out.push(Verdict {
                first: display_name(first),
                second: display_name(second),
                significant: c.stats.significant && c.better.as_deref() == Some(first),
                ratio: units::ratio(f(c.stats.ratio)),
                ci,
                min_effect: units::fraction_percent(c.stats.min_effect),
            });
        }
    }
    out
}

fn text_of<'a>(m: &'a Manifest, lang: &str) -> Option<&'a manifest::schema::Text> {
    m.text.get(lang).or_else(|| m.text.get("en"))
}

/// Builds one project's view.
fn project(m: &Manifest, report: Option<&Report>, lang: &str, links: Option<&Links>) -> Project {
    let charts = links.map(|l| l.charts.as_str());
    let latest = report.and_then(|r| project_in(r, &m.slug));
    let text = text_of(m, lang);
    let unit = latest
        .and_then(|p| p.metric.as_ref())
        .map(|x| x.unit.clone())
        .unwrap_or_default();
    let mut cells: Vec<Cell> = Lang::ALL
        .iter()
        .map(|l| {
            let (kind, job) = lang_cell_kind(m, latest, *l);
            job_cell(l.as_str(), kind, job, &unit)
        })
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
    let win = latest.and_then(|p| winner(&ok_names, &p.comparisons));
    for c in &mut cells {
        c.bold = win.as_deref().map(display_name).as_deref() == Some(c.name.as_str());
    }
    let metric = latest.and_then(|p| p.metric.as_ref());
    let references = latest
        .map(|p| {
            p.references
                .iter()
                .map(|j| job_cell(&j.name, CellKind::of(j.status), Some(j), &unit))
                .collect()
        })
        .unwrap_or_default();
    let has_numbers = !ok.is_empty();
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
    }
}

/// `2026-11-26T02:05:35.9Z` → `2026-11-26 02:05 UTC` (other shapes are kept as they are).
fn date(rfc3339: &str) -> String {
    let b = rfc3339.as_bytes();
    if b.len() >= 16 && b[4] == b'-' && b[7] == b'-' && b[10] == b'T' && b[13] == b':' {
        format!("{} {} UTC", &rfc3339[..10], &rfc3339[11..16])
    } else {
        rfc3339.to_string()
    }
}

fn footer(sources: &Sources<'_>, projects: &[Project]) -> Footer {
    let mut runs: Vec<RunInfo> = Vec::new();
    let mut hosts: Vec<HostInfo> = Vec::new();
    let mut toolchains: Vec<ToolchainInfo> = Vec::new();
    for m in sources.manifests {
        let Some(r) = sources.latest.get(&m.slug) else {
            continue;
        };
        let run = RunInfo {
            ids: Vec::new(),
            date: date(&r.started_at),
            commit: r.git.commit.as_ref().map(|c| c.chars().take(12).collect()),
            dirty: r.git.dirty,
            backend: r.backend.clone(),
            runner_version: r.runner_version.clone(),
        };
        group_into(&mut runs, run, |x| &mut x.ids, &m.id);
        let h = &r.host;
        let host = HostInfo {
            ids: Vec::new(),
            cpu: h.cpu_model.clone(),
            cores: h.cores,
            memory: units::bytes(h.memory_bytes as f64),
            os: h.os.clone(),
            kernel: h.kernel.clone(),
            arch: h.arch.clone(),
            virtualized: h.virtualized,
            governor: h.governor.clone(),
        };
        group_into(&mut hosts, host, |x| &mut x.ids, &m.id);
        let first = |k: &str| {
            r.toolchains
                .get(k)
                .and_then(|v| v.lines().next())
                .map(str::trim)
                .filter(|v| !v.is_empty())
        };
        let versions: Vec<String> = [
            first("go").map(|v| v.strip_prefix("go version ").unwrap_or(v).to_string()),
            first("rust").map(str::to_string),
            first("zig").map(|v| format!("zig {v}")),
        ]
        .into_iter()
        .flatten()
        .collect();
        let pins = ["go", "rust", "zig"]
            .iter()
            .filter_map(|k| r.pins.get(*k).map(|v| format!("{k} {v}")))
            .collect();
        let tc = ToolchainInfo {
            ids: Vec::new(),
            versions,
            pins,
        };
        group_into(&mut toolchains, tc, |x| &mut x.ids, &m.id);
    }
    Footer {
        schema_version: crate::report::SCHEMA_VERSION,
        measured: projects.iter().filter(|p| p.measured).count(),
        runs,
        hosts,
        toolchains,
        outdated: projects
            .iter()
            .filter(|p| p.outdated)
            .map(|p| p.id.clone())
            .collect(),
    }
}

/// Adds `item` to `list`, or only its id to an equal entry (equal apart from the ids).
fn group_into<T: PartialEq + Clone>(
    list: &mut Vec<T>,
    item: T,
    ids: impl Fn(&mut T) -> &mut Vec<String>,
    id: &str,
) {
    for existing in list.iter_mut() {
        let mut a = existing.clone();
        ids(&mut a).clear();
        if a == item {
            ids(existing).push(id.to_string());
            return;
        }
    }
    let mut item = item;
    ids(&mut item).push(id.to_string());
    list.push(item);
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

/// Builds the page in `lang`, with links as seen from its README.
pub fn build(sources: &Sources<'_>, lang: &str, links: &Links) -> Page {
    let mut manifests: Vec<&Manifest> = sources.manifests.iter().collect();
    manifests.sort_by_key(|m| manifest::id_key(&m.id));
    let projects: Vec<Project> = manifests
        .iter()
        .map(|m| project(m, sources.latest.get(&m.slug), lang, Some(links)))
        .collect();

    let mut numbers: Vec<u32> = projects.iter().map(|p| p.group).collect();
    numbers.sort_unstable();
    numbers.dedup();
    let groups: Vec<Group> = numbers
        .into_iter()
        .map(|n| {
            let def = sources.groups.iter().find(|g| g.number == n);
            let text = def.and_then(|g| g.text.get(lang).or_else(|| g.text.get("en")));
            let en = def.and_then(|g| g.text.get("en"));
            Group {
                number: n,
                title: text.map(|t| t.title.clone()).unwrap_or_default(),
                title_en: en.map(|t| t.title.clone()).unwrap_or_default(),
                focus: text.map(|t| t.focus.clone()).unwrap_or_default(),
                new: def.is_some_and(|g| g.new),
                projects: projects.iter().filter(|p| p.group == n).cloned().collect(),
            }
        })
        // A group without a manifest has nothing to show.
        .filter(|g| !g.projects.is_empty())
        .collect();

    let count = |s: Status| projects.iter().filter(|p| p.status == s).count();
    let (done, in_progress) = (count(Status::Done), count(Status::InProgress));
    let total = projects.len();
    let remaining = total - done - in_progress;
    let progress = Progress {
        total,
        groups: groups.len(),
        done,
        done_percent: units::percent(done, total),
        in_progress,
        in_progress_percent: units::percent(in_progress, total),
        remaining,
        remaining_percent: units::percent(remaining, total),
        done_projects: projects
            .iter()
            .filter(|p| p.status == Status::Done)
            .cloned()
            .collect(),
        in_progress_projects: projects
            .iter()
            .filter(|p| p.status == Status::InProgress)
            .cloned()
            .collect(),
    };

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
    let insights = Insights {
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
    };
    let footer = footer(sources, &projects);
    Page {
        lang: lang.to_string(),
        projects,
        groups,
        progress,
        insights,
        footer,
    }
}

/// Which chart of a project.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{JobSummary, ProjectStatus};
    use crate::stats::{self, Comparison, Sample};
    use std::path::Path;

    const IMPL: &str = "dir = \"src\"\nbuild = [\"true\"]\nartifact = \"a\"\nrun = [\"a\"]\n";

    /// A manifest with `langs` (`i` implemented, `t` todo, `-` absent) for Go, Rust, Zig.
    fn manifest(langs: &str) -> Manifest {
        let mut text = String::from(
            "id = \"1.1\"\nslug = \"t\"\ngroup = 1\n[text.en]\nname = \"T\"\nsummary = \"s\"\nskill = \"k\"\n[text.th]\nname = \"ท\"\nsummary = \"ส\"\nskill = \"ก\"\n",
        );
        for (l, c) in ["go", "rust", "zig"].iter().zip(langs.chars()) {
            match c {
                'i' => text.push_str(&format!("[lang.{l}]\n{IMPL}")),
                't' => text.push_str(&format!("[lang.{l}]\ntodo = \"later\"\n")),
                _ => {}
            }
        }
        if langs.contains('i') {
            text.push_str("[[verify]]\nkind = \"cross_language\"\nfiles = [\"o\"]\n[metric]\nheadline = \"wall_time\"\n");
        }
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        manifest::parse(Path::new("manifests/t.toml"), text, root).expect("a valid test manifest")
    }

    fn summary(values: &[f64]) -> JobSummary {
        let s = Sample::new(values.to_vec()).unwrap();
        let sum = stats::summarize(&s);
        JobSummary {
            headline: sum.clone(),
            wall_s: sum.clone(),
            user_s: sum.clone(),
            sys_s: sum.clone(),
            max_rss_bytes: sum,
            outliers: stats::detect(&s),
        }
    }

    /// A report whose jobs have `statuses` (Go, Rust, Zig).
    fn report(statuses: [JobStatus; 3]) -> ProjectReport {
        ProjectReport {
            id: "1.1".into(),
            slug: "t".into(),
            group: 1,
            manifest: "manifests/t.toml".into(),
            manifest_sha256: String::new(),
            text: BTreeMap::new(),
            metric: None,
            params: BTreeMap::new(),
            param_defaults: BTreeMap::new(),
            sampling: None,
            gate: Vec::new(),
            inputs: Vec::new(),
            status: ProjectStatus::Finished,
            reason: None,
            jobs: Lang::ALL
                .iter()
                .zip(statuses)
                .map(|(l, s)| {
                    let mut j = JobReport::new(l.as_str(), false, s);
                    if s.has_numbers() {
                        j.summary = Some(summary(&[1.0, 1.1, 0.9]));
                    }
                    j
                })
                .collect(),
            references: Vec::new(),
            comparisons: Vec::new(),
            warnings: Vec::new(),
        }
    }

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

    fn cmp(a: &str, b: &str, significant: bool, better: Option<&str>) -> ComparisonReport {
        ComparisonReport {
            a: a.into(),
            b: b.into(),
            stats: Comparison {
                ratio: 1.5,
                ci95_low: Some(1.4),
                ci95_high: Some(1.6),
                p_value: Some(0.001),
                min_effect: 0.02,
                significant,
            },
            better: better.map(String::from),
        }
    }

    #[test]
    fn the_winner_is_bold_only_when_it_beats_every_other_ok_language() {
        let go_rust = cmp("go", "rust", true, Some("go"));
        let go_zig = cmp("go", "zig", true, Some("go"));
        let rust_zig = cmp("rust", "zig", true, Some("rust"));
        let cases: Vec<(Vec<&str>, Vec<ComparisonReport>, Option<&str>)> = vec![
            (vec!["go"], vec![], None),
            (vec!["go", "rust"], vec![go_rust.clone()], Some("go")),
            (
                vec!["go", "rust", "zig"],
                vec![go_rust.clone(), go_zig.clone(), rust_zig.clone()],
                Some("go"),
            ),
            // Go beats Rust but ties with Zig: no winner.
            (
                vec!["go", "rust", "zig"],
                vec![
                    go_rust.clone(),
                    cmp("go", "zig", false, None),
                    rust_zig.clone(),
                ],
                None,
            ),
            // A missing comparison is no win.
            (
                vec!["go", "rust", "zig"],
                vec![go_rust.clone(), rust_zig.clone()],
                None,
            ),
            // Significant, but the other way round.
            (
                vec!["go", "rust", "zig"],
                vec![
                    cmp("go", "rust", true, Some("rust")),
                    go_zig.clone(),
                    cmp("rust", "zig", true, Some("rust")),
                ],
                Some("rust"),
            ),
            // Zig is not ok: only Go and Rust count.
            (vec!["go", "rust"], vec![go_rust.clone()], Some("go")),
        ];
        for (ok, comparisons, want) in cases {
            assert_eq!(
                winner(&ok, &comparisons).as_deref(),
                want,
                "{ok:?} {comparisons:?}"
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

    #[test]
    fn dates_drop_seconds() {
        assert_eq!(date("2026-11-26T02:05:35.9Z"), "2026-11-26 02:05 UTC");
        assert_eq!(date("yesterday"), "yesterday");
    }
}
