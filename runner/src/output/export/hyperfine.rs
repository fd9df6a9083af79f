//! hyperfine's `--export-json` shape: `{"results": [{command, mean, stddev, median, user, system,
//! min, max, times, exit_codes}]}`, all times in seconds, one result per measured job. `command` is
//! `"<project slug> <job name>"`; `times` holds each run's wall time and `exit_codes` each run's
//! exit code (0 for the runs of an ok job). The figures are wall time, not the headline metric,
//! because that is what hyperfine measures. Service projects (requests per second under load) are
//! left out: their samples are load windows, not command runs ([`left_out`] names them). A report
//! with no command result at all is an error, not `{"results": []}`: a script that reads hyperfine
//! JSON would otherwise compare nothing and pass.

use crate::exec::Exit;
use crate::report::Report;
use serde::Serialize;

/// One hyperfine result.
#[derive(Debug, Serialize)]
struct HfResult {
    command: String,
    mean: f64,
    stddev: f64,
    median: f64,
    user: f64,
    system: f64,
    min: f64,
    max: f64,
    times: Vec<f64>,
    exit_codes: Vec<i32>,
}

/// The document.
#[derive(Debug, Serialize)]
struct HfExport {
    results: Vec<HfResult>,
}

/// The measured service projects, which hyperfine's format cannot hold (slugs, in report order).
pub fn left_out(report: &Report) -> Vec<String> {
    let mut slugs: Vec<String> = super::measured(report)
        .filter(|(p, _, _)| p.is_service())
        .map(|(p, _, _)| p.slug.clone())
        .collect();
    slugs.dedup();
    slugs
}

/// Renders the report as hyperfine JSON; `Err` says why there is nothing to write (no measured
/// job, or only services).
pub fn render(report: &Report) -> Result<String, String> {
    let results: Vec<HfResult> = super::measured(report)
        // A service's samples are load windows, not runs of a command: nothing for hyperfine.
        .filter(|(p, _, _)| !p.is_service())
        .map(|(p, j, s)| HfResult {
            command: format!("{} {}", p.slug, j.name),
            mean: s.wall_s.mean,
            stddev: s.wall_s.stddev,
            median: s.wall_s.median,
            user: s.user_s.mean,
            system: s.sys_s.mean,
            min: s.wall_s.min,
            max: s.wall_s.max,
            times: j.samples.iter().map(|r| r.wall_ns as f64 / 1e9).collect(),
            exit_codes: j
                .samples
                .iter()
                .map(|r| match r.exit {
                    Exit::Code(c) => c,
                    // hyperfine has no field for signals; shells report them as 128 + n.
                    Exit::Signal(n) => 128 + n,
                })
                .collect(),
        })
        .collect();
    if results.is_empty() {
        return Err(if left_out(report).is_empty() {
            "nothing for hyperfine: no job of the report has numbers".to_string()
        } else {
            "nothing for hyperfine: every measured project is a service (requests/s under load, whose samples are load windows, not command runs); export it with --bmf, --gab or --csv".to_string()
        });
    }
    let mut text = serde_json::to_string_pretty(&HfExport { results }).unwrap_or_default();
    text.push('\n');
    Ok(text)
}
