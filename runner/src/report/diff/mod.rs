//! Comparing two reports (`runner compare`): the change of each job's numbers from a baseline
//! report to a current one.
//! Per project (matched by slug), job (matched by name) and metric — the headline, wall time,
//! user+sys CPU and peak RSS; for a service the headline, CPU per request and peak RSS (its wall
//! time is the load window's length and its CPU is spent over that window: settings, not results)
//! — the ratio mean(current) / mean(baseline) with its 95% CI from [`stats::compare`] on the raw
//! per-run values of both sides (Welch, variance-aware, with a minimum effect), and a verdict from
//! the metric's direction. Not a fixed "2× slower" alarm: a change is called only when the CI
//! excludes 1 and the change is at least the minimum effect: the project's own (its manifest's
//! `[metric] min_effect`, recorded in the report) unless `--min-effect` overrides it.
//! `conditions.rs` says what else differs between the two reports (host, commit, parameters…).
//!
//! Pure: reports in, rows out, rows to text. Reading files and exit codes belong to
//! `cmd/compare.rs`.

mod conditions;

pub use conditions::{conditions, Condition};

use crate::manifest::Better;
use crate::report::{JobReport, JobStatus, ProjectReport, Report, SampleReport};
use crate::stats::{self, Comparison, Sample};
use crate::units;
use comfy_table::{presets, Cell, CellAlignment, ContentArrangement, Table, TableComponent};

/// What happened to one number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Significantly better than the baseline.
    Improved,
    /// Significantly worse than the baseline.
    Regressed,
    /// The CI includes 1 or the change is below the minimum effect.
    Same,
    /// The job has numbers in the current report only.
    New,
    /// The job has numbers in the baseline only.
    Gone,
    /// The job is in both but without numbers on at least one side (failed, skipped…).
    NoNumber,
}

impl Verdict {
    /// The word shown in tables.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Improved => "improved",
            Verdict::Regressed => "regressed",
            Verdict::Same => "no significant change",
            Verdict::New => "new",
            Verdict::Gone => "gone",
            Verdict::NoNumber => "no number",
        }
    }
}

/// One line of the comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Project slug.
    pub project: String,
    /// Job name (`go`, `rust`, `zig`, or a reference's name).
    pub job: String,
    /// Metric label: the headline's name, `wall time`, `cpu (user+sys)`, `peak rss`; empty for
    /// rows about the job as a whole (new, gone, no number).
    pub metric: String,
    /// Baseline mean, formatted with its unit.
    pub baseline: String,
    /// Current mean, formatted with its unit.
    pub current: String,
    /// Statistics of mean(current) / mean(baseline), when both sides have numbers.
    pub change: Option<Comparison>,
    /// The verdict.
    pub verdict: Verdict,
}

/// The minimum effect used when neither `--min-effect` nor the report says one (the manifests'
/// default).
pub const DEFAULT_MIN_EFFECT: f64 = 0.02;

/// One metric of a job: its label, unit, direction and per-run value.
struct Metric {
    label: String,
    unit: String,
    better: Better,
    value: fn(&SampleReport) -> f64,
}

fn metrics(p: &ProjectReport) -> Vec<Metric> {
    let mut v = Vec::new();
    if let Some(m) = &p.metric {
        if m.name != "wall_time" {
            v.push(Metric {
                label: m.name.replace('_', " "),
                unit: m.unit.clone(),
                better: m.better,
                value: |s| s.headline,
            });
        }
    }
    if p.is_service() {
        // The window's length and the CPU spent over it grow with --load-duration; the CPU one
        // request costs does not. requests = requests/s × window.
        v.push(Metric {
            label: "cpu per request".into(),
            unit: "s".into(),
            better: Better::Lower,
            value: |s| (s.user_ns + s.sys_ns) as f64 / (s.headline * s.wall_ns as f64),
        });
    } else {
        v.push(Metric {
            label: "wall time".into(),
            unit: "s".into(),
            better: Better::Lower,
            value: |s| s.wall_ns as f64 / 1e9,
        });
        v.push(Metric {
            label: "cpu (user+sys)".into(),
            unit: "s".into(),
            better: Better::Lower,
            value: |s| (s.user_ns + s.sys_ns) as f64 / 1e9,
        });
    }
    v.push(Metric {
        label: "peak rss".into(),
        unit: "B".into(),
        better: Better::Lower,
        value: |s| s.max_rss_bytes as f64,
    });
    v
}

fn numbered(j: &JobReport) -> bool {
    j.status.has_numbers() && !j.samples.is_empty()
}

/// The jobs and references of a project that exist: a not-implemented language counts as absent
/// (so a new implementation is "new" and a removed one "gone").
fn all_jobs(p: &ProjectReport) -> impl Iterator<Item = &JobReport> {
    p.jobs
        .iter()
        .chain(p.references.iter())
        .filter(|j| j.status != JobStatus::NotImplemented)
}

fn whole(project: &str, job: &str, verdict: Verdict) -> Row {
    Row {
        project: project.to_string(),
        job: job.to_string(),
        metric: String::new(),
        baseline: String::new(),
        current: String::new(),
        change: None,
        verdict,
    }
}

/// The minimum effect of a project's rows: `flag` (`--min-effect`) when given, else the project's
/// own (its manifest's, as the current report recorded it), else [`DEFAULT_MIN_EFFECT`].
pub fn min_effect_of(p: &ProjectReport, flag: Option<f64>) -> f64 {
    flag.or_else(|| p.metric.as_ref().map(|m| m.min_effect))
        .unwrap_or(DEFAULT_MIN_EFFECT)
}

/// Compares every job of `current` with the job of the same project and name in `baseline`.
/// `min_effect` (`--min-effect`) is the smallest relative change that counts (0.02 = 2%) in every
/// project; `None` uses each project's own ([`min_effect_of`]). Rows come in the current
/// report's order, then what only the baseline has.
pub fn rows(baseline: &Report, current: &Report, min_effect: Option<f64>) -> Vec<Row> {
    let mut out = Vec::new();
    let find = |r: &'_ Report, slug: &str, name: &str| -> Option<JobReport> {
        r.projects
            .iter()
            .find(|p| p.slug == slug)
            .and_then(|p| all_jobs(p).find(|j| j.name == name).cloned())
    };
    for p in current.projects.iter().filter(|p| p.metric.is_some()) {
        for j in all_jobs(p) {
            let base = find(baseline, &p.slug, &j.name);
            match (base.as_ref().filter(|b| numbered(b)), numbered(j)) {
                (Some(b), true) => {
                    let min = min_effect_of(p, min_effect);
                    for m in metrics(p) {
                        out.push(metric_row(p, &m, b, j, min));
                    }
                }
                (None, true) if base.is_none() => out.push(whole(&p.slug, &j.name, Verdict::New)),
                _ => {
                    let base_counts = base
                        .as_ref()
                        .is_some_and(|b| numbered(b) || b.status.is_failure());
                    if base_counts || j.status.is_failure() {
                        out.push(whole(&p.slug, &j.name, Verdict::NoNumber));
                    }
                }
            }
        }
    }
    for p in baseline.projects.iter().filter(|p| p.metric.is_some()) {
        for j in all_jobs(p).filter(|j| numbered(j)) {
            if find(current, &p.slug, &j.name).is_none() {
                out.push(whole(&p.slug, &j.name, Verdict::Gone));
            }
        }
    }
    out
}

fn metric_row(p: &ProjectReport, m: &Metric, base: &JobReport, cur: &JobReport, min: f64) -> Row {
    let values = |j: &JobReport| j.samples.iter().map(m.value).collect::<Vec<f64>>();
    let (b, c) = (values(base), values(cur));
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let change = match (Sample::new(c.clone()), Sample::new(b.clone())) {
        (Ok(c), Ok(b)) => Some(stats::compare(&c, &b, min)),
        _ => None,
    };
    let verdict = verdict(change.as_ref(), m.better);
    Row {
        project: p.slug.clone(),
        job: cur.name.clone(),
        metric: m.label.clone(),
        baseline: units::value(mean(&b), &m.unit),
        current: units::value(mean(&c), &m.unit),
        change,
        verdict,
    }
}

/// The verdict of mean(current) / mean(baseline) for a metric whose `better` direction is given.
fn verdict(change: Option<&Comparison>, better: Better) -> Verdict {
    match change {
        Some(c) if c.significant => {
            if (c.ratio > 1.0) == (better == Better::Higher) {
                Verdict::Improved
            } else {
                Verdict::Regressed
            }
        }
        _ => Verdict::Same,
    }
}

/// True when any row is a significant regression.
pub fn has_regression(rows: &[Row]) -> bool {
    rows.iter().any(|r| r.verdict == Verdict::Regressed)
}

fn change_cells(r: &Row) -> (String, String) {
    match &r.change {
        Some(c) if c.ratio.is_finite() => {
            let pct = (c.ratio - 1.0) * 100.0;
            let sign = if pct >= 0.0 { "+" } else { "" };
            let ci = match (c.ci95_low, c.ci95_high) {
                (Some(l), Some(h)) => units::ratio_range(l, h),
                _ => "—".into(),
            };
            (
                format!("{} ({sign}{}%)", units::ratio(c.ratio), units::sig3(pct)),
                ci,
            )
        }
        _ => (String::new(), String::new()),
    }
}

const HEADER: [&str; 7] = [
    "project", "job", "metric", "baseline", "current", "change", "95% CI",
];

fn cells(r: &Row) -> [String; 8] {
    let (change, ci) = change_cells(r);
    [
        r.project.clone(),
        r.job.clone(),
        r.metric.clone(),
        r.baseline.clone(),
        r.current.clone(),
        change,
        ci,
        r.verdict.as_str().to_string(),
    ]
}

fn summary(rows: &[Row]) -> String {
    let count = |v: Verdict| rows.iter().filter(|r| r.verdict == v).count();
    format!(
        "{} regressed, {} improved, {} unchanged, {} new, {} gone, {} without numbers",
        count(Verdict::Regressed),
        count(Verdict::Improved),
        count(Verdict::Same),
        count(Verdict::New),
        count(Verdict::Gone),
        count(Verdict::NoNumber)
    )
}

/// What "at least the minimum effect" means in the closing line.
fn min_effect_words(min_effect: Option<f64>) -> String {
    match min_effect {
        Some(m) => format!("{}%", units::sig3(m * 100.0)),
        None => format!(
            "the project's minimum effect (its manifest's `min_effect`, {} unless it says otherwise)",
            units::fraction_percent(DEFAULT_MIN_EFFECT)
        ),
    }
}

/// The terminal text: what differs between the two reports (`warning:` / `note:` lines), the
/// table, then a one-line count of the verdicts.
pub fn terminal(rows: &[Row], conditions: &[Condition], min_effect: Option<f64>) -> String {
    let mut t = Table::new();
    t.load_preset(presets::UTF8_HORIZONTAL_ONLY)
        .remove_style(TableComponent::HorizontalLines)
        .remove_style(TableComponent::MiddleIntersections)
        .set_content_arrangement(ContentArrangement::Disabled);
    let mut header: Vec<Cell> = HEADER.iter().map(Cell::new).collect();
    header.push(Cell::new("verdict"));
    t.set_header(header);
    for r in rows {
        let row: Vec<Cell> = cells(r)
            .into_iter()
            .enumerate()
            .map(|(i, c)| {
                let cell = Cell::new(c);
                if (3..=6).contains(&i) {
                    cell.set_alignment(CellAlignment::Right)
                } else {
                    cell
                }
            })
            .collect();
        t.add_row(row);
    }
    let mut out = String::new();
    for c in conditions {
        out.push_str(&format!("{c}\n"));
    }
    for line in t.to_string().lines() {
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out.push_str(&format!(
        "{}; change = current / baseline, significant when the 95% CI excludes 1 and the change is at least {}\n",
        summary(rows),
        min_effect_words(min_effect)
    ));
    out
}

/// Markdown for a pull-request comment: what differs between the two reports as a quoted list,
/// then the table (regressions in bold).
pub fn markdown(rows: &[Row], conditions: &[Condition], min_effect: Option<f64>) -> String {
    let mut out = String::new();
    for c in conditions {
        out.push_str(&format!("> {}\n", c.markdown()));
    }
    if !conditions.is_empty() {
        out.push('\n');
    }
    out.push_str("| project | job | metric | baseline | current | change | 95% CI | verdict |\n|---|---|---|--:|--:|--:|--:|---|\n");
    for r in rows {
        let mut c = cells(r).map(|c| c.replace('|', "\\|"));
        if r.verdict == Verdict::Regressed {
            c[7] = format!("**{}**", c[7]);
        }
        out.push_str(&format!("| {} |\n", c.join(" | ")));
    }
    out.push_str(&format!(
        "\n{}. Change = current / baseline; significant when the 95% CI excludes 1 and the change is at least {}.\n",
        summary(rows),
        min_effect_words(min_effect)
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::{verdict, Better, Verdict};
    use crate::stats::{compare, Sample};

    fn sample(mean: f64) -> Sample {
        Sample::new(
            (0..10)
                .map(|i| mean * (1.0 + 0.001 * f64::from(i % 3)))
                .collect(),
        )
        .unwrap()
    }

    #[test]
    fn direction_decides_improved_or_regressed() {
        // (current mean, baseline mean, direction, expected verdict)
        for (cur, base, better, want) in [
            (2.0, 1.0, Better::Lower, Verdict::Regressed),
            (1.0, 2.0, Better::Lower, Verdict::Improved),
            (2.0, 1.0, Better::Higher, Verdict::Improved),
            (1.0, 2.0, Better::Higher, Verdict::Regressed),
            (1.0, 1.0, Better::Lower, Verdict::Same),
            (1.01, 1.0, Better::Lower, Verdict::Same),
        ] {
            let c = compare(&sample(cur), &sample(base), 0.02);
            assert_eq!(
                verdict(Some(&c), better),
                want,
                "{cur} vs {base} {better:?}"
            );
        }
        assert_eq!(verdict(None, Better::Lower), Verdict::Same);
    }
}
