//! One CSV row per job (RFC 4180 quoting), with the header
//! `project,job,status,metric,unit,mean,ci95_low,ci95_high,median,stddev,n,wall_mean_s,
//! user_mean_s,sys_mean_s,peak_rss_max_bytes,binary_bytes,instructions`. Every job is listed,
//! jobs without numbers with empty number cells; numbers are written in full precision.

use crate::report::{JobReport, ProjectReport, Report};

/// The header row's columns.
pub const COLUMNS: [&str; 17] = [
    "project",
    "job",
    "status",
    "metric",
    "unit",
    "mean",
    "ci95_low",
    "ci95_high",
    "median",
    "stddev",
    "n",
    "wall_mean_s",
    "user_mean_s",
    "sys_mean_s",
    "peak_rss_max_bytes",
    "binary_bytes",
    "instructions",
];

fn quote(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

fn row(p: &ProjectReport, j: &JobReport) -> Vec<String> {
    let status = serde_json::to_value(j.status)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default();
    let (metric, unit) = p
        .metric
        .as_ref()
        .map(|m| (m.name.clone(), m.unit.clone()))
        .unwrap_or_default();
    let mut cells = vec![p.slug.clone(), j.name.clone(), status, metric, unit];
    match j.summary.as_ref().filter(|_| j.status.has_numbers()) {
        Some(s) => cells.extend(
            [
                s.headline.mean,
                s.headline.ci95_low,
                s.headline.ci95_high,
                s.headline.median,
                s.headline.stddev,
            ]
            .map(|v| v.to_string())
            .into_iter()
            .chain([s.headline.n.to_string()])
            .chain(
                [
                    s.wall_s.mean,
                    s.user_s.mean,
                    s.sys_s.mean,
                    s.max_rss_bytes.max,
                ]
                .map(|v| v.to_string()),
            ),
        ),
        None => cells.extend(std::iter::repeat_n(String::new(), 10)),
    }
    cells.push(
        j.build
            .as_ref()
            .and_then(|b| b.artifact_bytes)
            .map(|b| b.to_string())
            .unwrap_or_default(),
    );
    cells.push(j.instructions.map(|n| n.to_string()).unwrap_or_default());
    cells
}

/// Renders the report as CSV.
pub fn render(report: &Report) -> String {
    let mut out = COLUMNS.join(",");
    out.push('\n');
    for p in report.projects.iter().filter(|p| p.metric.is_some()) {
        for j in p.jobs.iter().chain(p.references.iter()) {
            let cells: Vec<String> = row(p, j).iter().map(|c| quote(c)).collect();
            out.push_str(&cells.join(","));
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::quote;

    #[test]
    fn quotes_only_when_needed() {
        for (raw, want) in [
            ("go", "go"),
            ("a,b", "\"a,b\""),
            ("say \"hi\"", "\"say \"\"hi\"\"\""),
            ("two\nlines", "\"two\nlines\""),
        ] {
            assert_eq!(quote(raw), want, "{raw}");
        }
    }
}
