//! The terminal summary printed after a bench: per project, one row per language and reference
//! with the headline metric and its 95% CI (marked `noisy` past `stats::NOISY_LIMIT`), CPU time, peak memory and binary size, then the pairwise
//! verdicts (winner and ratio, or "no significant difference"). Pure: report in, text out.

use crate::report::{ComparisonReport, JobReport, JobStatus, MetricInfo, ProjectReport};
use crate::units;
use comfy_table::{presets, Cell, CellAlignment, ContentArrangement, Table};

/// The words of a job's status, as every summary shows it.
pub fn status_text(j: &JobReport) -> String {
    match j.status {
        JobStatus::Ok => "ok".into(),
        JobStatus::Unverified => "reference (not verified)".into(),
        s => serde_json::to_value(s)
            .ok()
            .and_then(|v| v.as_str().map(|s| s.replace('_', " ")))
            .unwrap_or_default(),
    }
}

/// Renders one project's results.
pub fn project(p: &ProjectReport) -> String {
    let mut out = format!("{} {}", p.id, p.slug);
    if let Some(en) = p.text.get("en") {
        out.push_str(&format!(" — {}", en.name));
    }
    out.push('\n');
    let Some(metric) = &p.metric else {
        out.push_str("  no implementation yet\n");
        return out;
    };
    if let Some(r) = &p.reason {
        out.push_str(&format!("  {r}\n"));
    }
    let mut t = Table::new();
    t.load_preset(presets::UTF8_HORIZONTAL_ONLY)
        .set_content_arrangement(ContentArrangement::Disabled);
    let better = match metric.better {
        crate::manifest::Better::Higher => "higher is better",
        crate::manifest::Better::Lower => "lower is better",
    };
    let with_instr = p
        .jobs
        .iter()
        .chain(p.references.iter())
        .any(|j| j.instructions.is_some());
    let mut header = vec![
        Cell::new(""),
        Cell::new("status"),
        Cell::new(format!("{} ({better})", metric.name.replace('_', " "))),
        Cell::new("95% CI"),
        Cell::new("runs"),
        Cell::new("user+sys"),
        Cell::new("peak RSS"),
        Cell::new("binary"),
    ];
    if with_instr {
        header.push(Cell::new("instructions"));
    }
    t.set_header(header);
    for j in p.jobs.iter().chain(p.references.iter()) {
        let [value, ci, runs, cpu, rss, binary] = job_cells(j, metric);
        let mut row = vec![
            Cell::new(&j.name),
            Cell::new(status_text(j)),
            Cell::new(value).set_alignment(CellAlignment::Right),
            Cell::new(ci).set_alignment(CellAlignment::Right),
            Cell::new(runs).set_alignment(CellAlignment::Right),
            Cell::new(cpu).set_alignment(CellAlignment::Right),
            Cell::new(rss).set_alignment(CellAlignment::Right),
            Cell::new(binary).set_alignment(CellAlignment::Right),
        ];
        if with_instr {
            let instr = j
                .instructions
                .map(|n| units::value(n as f64, "instr"))
                .unwrap_or_default();
            row.push(Cell::new(instr).set_alignment(CellAlignment::Right));
        }
        t.add_row(row);
    }
    for line in t.to_string().lines() {
        out.push_str("  ");
        out.push_str(line.trim_end());
        out.push('\n');
    }
    let measured_levels = p
        .jobs
        .iter()
        .chain(p.references.iter())
        .any(|j| j.status.has_numbers() && j.load.iter().any(|l| l.rps.is_some()));
    if measured_levels {
        out.push_str(&load_levels(p));
    }
    for j in p.jobs.iter().chain(p.references.iter()) {
        if !j.status.has_numbers() {
            if let Some(r) = &j.reason {
                if j.status != JobStatus::NotImplemented {
                    let first = r.lines().next().unwrap_or("");
                    out.push_str(&format!("  {}: {first}\n", j.name));
                }
            }
        }
    }
    for c in &p.comparisons {
        let line = verdict_line(c, metric);
        out.push_str(&format!("  {line}\n"));
    }
    for w in &p.warnings {
        out.push_str(&format!("  warning: {w}\n"));
    }
    out
}

/// The cells of one job's row: headline ± CI, runs, user+sys, peak RSS, binary size ("—" and
/// blanks for a job without numbers).
pub fn job_cells(j: &JobReport, metric: &MetricInfo) -> [String; 6] {
    let (value, ci, runs, cpu, rss) = match (&j.summary, j.status.has_numbers()) {
        (Some(s), true) => (
            units::value(s.headline.mean, &metric.unit),
            ci_text(&s.headline),
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
    [value, ci, runs, cpu, rss, binary]
}

/// How far a mean's 95% CI reaches (`±1.2%`, `+14/−12%`), then `noisy` when it reaches further
/// than `stats::NOISY_LIMIT` from the mean.
fn ci_text(s: &crate::stats::Summary) -> String {
    let ci = units::ci_percent(s.mean, s.ci95_low, s.ci95_high);
    if s.is_noisy() {
        format!("{ci} noisy")
    } else {
        ci
    }
}

/// One line per comparison: the winner and its margin with a 95% CI, "no significant
/// difference", or "too few runs" when there is no CI (one run of either).
pub fn verdict_line(c: &ComparisonReport, metric: &MetricInfo) -> String {
    match &c.better {
        Some(w) => {
            let other = if *w == c.a { &c.b } else { &c.a };
            // Show "winner beats other by r×" with r ≥ 1: invert a/b when needed.
            let higher = metric.better == crate::manifest::Better::Higher;
            let invert = (*w == c.a) != higher;
            let f = |x: f64| if invert { 1.0 / x } else { x };
            let ci = match (c.stats.ci95_low, c.stats.ci95_high) {
                (Some(l), Some(h)) => {
                    let (l, h) = (f(l).min(f(h)), f(l).max(f(h)));
                    format!(" (95% CI {}–{}×)", units::sig3(l), units::sig3(h))
                }
                _ => String::new(),
            };
            format!("{w} beats {other}: {}{ci}", units::ratio(f(c.stats.ratio)))
        }
        None => {
            let ci = match (c.stats.ci95_low, c.stats.ci95_high) {
                (Some(l), Some(h)) => format!(", 95% CI {}–{}", units::sig3(l), units::sig3(h)),
                _ => {
                    return format!(
                        "{} vs {}: too few runs to tell (ratio {}; a confidence interval needs at least 2 runs of each)",
                        c.a,
                        c.b,
                        units::sig3(c.stats.ratio)
                    )
                }
            };
            format!(
                "{} vs {}: no significant difference (ratio {}{ci}; min effect {}%)",
                c.a,
                c.b,
                units::sig3(c.stats.ratio),
                units::sig3(c.stats.min_effect * 100.0)
            )
        }
    }
}

/// The `runner list` table: one row per project.
pub fn list(rows: &[Vec<String>]) -> String {
    let mut t = Table::new();
    t.load_preset(presets::UTF8_HORIZONTAL_ONLY);
    t.set_header(vec![
        "id", "slug", "project", "go", "rust", "zig", "status", "measured",
    ]);
    for r in rows {
        t.add_row(r.clone());
    }
    format!("{t}\n")
}

fn ms(us: f64) -> String {
    units::seconds(us * 1e-6)
}

/// Services: one row per job and load level — requests/s ± CI, latency percentiles (corrected
/// for coordinated omission in open loop), failed requests, the server's CPU and peak RSS.
fn load_levels(p: &ProjectReport) -> String {
    let mut t = Table::new();
    t.load_preset(presets::UTF8_HORIZONTAL_ONLY)
        .set_content_arrangement(ContentArrangement::Disabled);
    t.set_header(vec![
        "",
        "conns",
        "req/s",
        "95% CI",
        "p50",
        "p90",
        "p99",
        "p99.9",
        "max",
        "errors",
        "server CPU",
        "server RSS",
    ]);
    for j in p.jobs.iter().chain(p.references.iter()) {
        if !j.status.has_numbers() {
            continue;
        }
        for level in &j.load {
            let Some(rps) = &level.rps else { continue };
            let rounds = &level.rounds;
            let n = rounds.len().max(1) as f64;
            let lat = |f: &dyn Fn(&crate::loadgen::Latency) -> f64| {
                let v: f64 = rounds
                    .iter()
                    .map(|r| f(r.latency_corrected.as_ref().unwrap_or(&r.latency)))
                    .sum::<f64>()
                    / n;
                ms(v)
            };
            let errors: u64 = rounds.iter().flat_map(|r| r.errors.values()).sum();
            let cpu: f64 = rounds
                .iter()
                .map(|r| (r.server_user_ns + r.server_sys_ns) as f64 / r.window_ns.max(1) as f64)
                .sum::<f64>()
                / n;
            let rss = rounds
                .iter()
                .map(|r| r.server_max_rss_bytes)
                .max()
                .unwrap_or(0);
            let mut conns = level.connections.to_string();
            if level.headline {
                conns.push('*');
            }
            let right = |s: String| Cell::new(s).set_alignment(CellAlignment::Right);
            t.add_row(vec![
                Cell::new(&j.name),
                right(conns),
                right(units::value(rps.mean, "req/s")),
                right(ci_text(rps)),
                right(lat(&|l| l.p50_us)),
                right(lat(&|l| l.p90_us)),
                right(lat(&|l| l.p99_us)),
                right(lat(&|l| l.p999_us)),
                right(lat(&|l| l.max_us)),
                right(errors.to_string()),
                right(format!("{:.0}%", cpu * 100.0)),
                right(units::bytes(rss as f64)),
            ]);
        }
    }
    let open = p
        .jobs
        .iter()
        .flat_map(|j| j.load.iter())
        .any(|l| l.rate.is_some());
    let mut out = String::from(if open {
        "  per load level (open loop; latency from the intended send time, mean over rounds; * = headline):\n"
    } else {
        "  per load level (closed loop; latency mean over rounds; * = headline):\n"
    });
    for line in t.to_string().lines() {
        out.push_str("  ");
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The summary `runner load` prints.
pub fn load_result(
    target: &str,
    spec: &crate::loadgen::LoadSpec,
    r: &crate::loadgen::LoadResult,
) -> String {
    let mode = match spec.rate {
        Some(rate) => format!("open loop at {} req/s", units::sig3(rate)),
        None => "closed loop".into(),
    };
    let mut out = format!(
        "{target}: {} connection(s), {} measured after {} of warm-up, {mode}, {} thread(s)\n",
        spec.connections,
        units::duration(r.window),
        units::duration(spec.warmup),
        spec.threads
    );
    out.push_str(&format!(
        "  requests    {} in {} = {}\n",
        r.requests,
        units::duration(r.window),
        units::value(r.rps(), "req/s")
    ));
    out.push_str(&format!(
        "  body        {}/s\n",
        units::bytes(r.body_bytes as f64 / r.window.as_secs_f64().max(1e-9))
    ));
    let line = |name: &str, l: &crate::loadgen::Latency| {
        format!(
            "  {name:<11} p50 {}  p90 {}  p99 {}  p99.9 {}  max {}  (mean {})\n",
            ms(l.p50_us),
            ms(l.p90_us),
            ms(l.p99_us),
            ms(l.p999_us),
            ms(l.max_us),
            ms(l.mean_us)
        )
    };
    out.push_str(&line("latency", &r.latency));
    if let Some(c) = &r.latency_corrected {
        out.push_str(&line("corrected", c));
    }
    let statuses: Vec<String> = r
        .statuses
        .iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect();
    out.push_str(&format!(
        "  statuses    {}\n",
        if statuses.is_empty() {
            "none".into()
        } else {
            statuses.join(", ")
        }
    ));
    let errors: Vec<String> = r.errors.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    out.push_str(&format!(
        "  errors      {}\n",
        if errors.is_empty() {
            "none".into()
        } else {
            errors.join(", ")
        }
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::Comparison;

    fn verdict(ci: Option<(f64, f64)>, significant: bool) -> String {
        let c = ComparisonReport {
            a: "go".into(),
            b: "zig".into(),
            stats: Comparison {
                ratio: 1.2,
                ci95_low: ci.map(|c| c.0),
                ci95_high: ci.map(|c| c.1),
                p_value: ci.map(|_| 0.5),
                min_effect: 0.02,
                significant,
            },
            better: significant.then(|| "zig".to_string()),
        };
        let metric = MetricInfo {
            name: "wall_time".into(),
            unit: "s".into(),
            better: crate::manifest::Better::Lower,
            min_effect: 0.02,
        };
        verdict_line(&c, &metric)
    }

    #[test]
    fn a_verdict_names_the_winner_no_difference_or_too_few_runs() {
        assert_eq!(
            verdict(Some((1.1, 1.3)), true),
            "zig beats go: 1.20× (95% CI 1.10–1.30×)"
        );
        assert!(verdict(Some((0.9, 1.5)), false).contains("no significant difference"));
        let few = verdict(None, false);
        assert!(few.starts_with("go vs zig: too few runs to tell"), "{few}");
        assert!(!few.contains("no significant"), "{few}");
    }
}
