//! The terminal summary's per-project tables as markdown (for a PR comment or a wiki page): per
//! project a heading, one row per language and reference with the headline ± 95% CI, runs,
//! user+sys CPU, peak RSS and binary size, then the pairwise verdicts. Same words and number
//! formats as `table.rs` (via `units`).

use crate::manifest::Better;
use crate::report::{JobReport, JobStatus, ProjectReport, Report};
use crate::units;

fn status_text(j: &JobReport) -> String {
    match j.status {
        JobStatus::Ok => "ok".into(),
        JobStatus::Unverified => "reference (not verified)".into(),
        s => serde_json::to_value(s)
            .ok()
            .and_then(|v| v.as_str().map(|s| s.replace('_', " ")))
            .unwrap_or_default(),
    }
}

/// Escapes the characters that would break a table cell.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn project(p: &ProjectReport, out: &mut String) {
    out.push_str(&format!("### {} {}", p.id, cell(&p.slug)));
    if let Some(en) = p.text.get("en") {
        out.push_str(&format!(" — {}", cell(&en.name)));
    }
    out.push_str("\n\n");
    let Some(metric) = &p.metric else {
        out.push_str("No implementation yet.\n\n");
        return;
    };
    let better = match metric.better {
        Better::Higher => "higher is better",
        Better::Lower => "lower is better",
    };
    out.push_str(&format!(
        "| | status | {} ({better}) | ±95% CI | runs | user+sys | peak RSS | binary |\n",
        metric.name.replace('_', " ")
    ));
    out.push_str("|---|---|--:|--:|--:|--:|--:|--:|\n");
    for j in p.jobs.iter().chain(p.references.iter()) {
        let (value, ci, runs, cpu, rss) = match (&j.summary, j.status.has_numbers()) {
            (Some(s), true) => (
                units::value(s.headline.mean, &metric.unit),
                units::ci_percent(s.headline.mean, s.headline.ci95_low, s.headline.ci95_high),
                s.headline.n.to_string(),
                units::seconds(s.user_s.mean + s.sys_s.mean),
                units::bytes(s.max_rss_bytes.max),
            ),
            _ => (
                "—".into(),
                String::new(),
                j.samples.len().to_string(),
                String::new(),
                String::new(),
            ),
        };
        let binary = j
            .build
            .as_ref()
            .and_then(|b| b.artifact_bytes)
            .map(|b| units::bytes(b as f64))
            .unwrap_or_default();
        out.push_str(&format!(
            "| {} | {} | {value} | {ci} | {runs} | {cpu} | {rss} | {binary} |\n",
            cell(&j.name),
            status_text(j)
        ));
    }
    out.push('\n');
    for c in &p.comparisons {
        let line = match &c.better {
            Some(w) => {
                let other = if *w == c.a { &c.b } else { &c.a };
                // "winner beats other by r×" with r ≥ 1, as in the terminal summary.
                let invert = (*w == c.a) != (metric.better == Better::Higher);
                let f = |x: f64| if invert { 1.0 / x } else { x };
                let ci = match (c.stats.ci95_low, c.stats.ci95_high) {
                    (Some(l), Some(h)) => format!(
                        " (95% CI {})",
                        units::ratio_range(f(l).min(f(h)), f(l).max(f(h)))
                    ),
                    _ => String::new(),
                };
                format!("{w} beats {other}: {}{ci}", units::ratio(f(c.stats.ratio)))
            }
            None => format!(
                "{} vs {}: no significant difference (ratio {}; min effect {}%)",
                c.a,
                c.b,
                units::sig3(c.stats.ratio),
                units::sig3(c.stats.min_effect * 100.0)
            ),
        };
        out.push_str(&format!("- {}\n", cell(&line)));
    }
    if !p.comparisons.is_empty() {
        out.push('\n');
    }
}

/// Renders every project of the report.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for p in &report.projects {
        project(p, &mut out);
    }
    out
}
