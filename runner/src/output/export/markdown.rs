//! The terminal summary's per-project tables as markdown (for a PR comment or a wiki page): per
//! project a heading, one row per language and reference with the headline ± 95% CI, runs,
//! user+sys CPU, peak RSS and binary size, then the pairwise verdicts. Same words and number
//! formats as the terminal summary: the cells and verdict lines come from `table.rs`.

use crate::manifest::Better;
use crate::output::table;
use crate::report::{ProjectReport, Report};

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
        "| | status | {} ({better}) | 95% CI | runs | user+sys | peak RSS | binary |\n",
        metric.name.replace('_', " ")
    ));
    out.push_str("|---|---|--:|--:|--:|--:|--:|--:|\n");
    for j in p.jobs.iter().chain(p.references.iter()) {
        let [value, ci, runs, cpu, rss, binary] = table::job_cells(j, metric);
        out.push_str(&format!(
            "| {} | {} | {value} | {ci} | {runs} | {cpu} | {rss} | {binary} |\n",
            cell(&j.name),
            table::status_text(j)
        ));
    }
    out.push('\n');
    for c in &p.comparisons {
        let line = table::verdict_line(c, metric);
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
