//! What each row's number cost, shown under the project's result line in its group section:
//! a service's **requests per CPU-second** (every language, variant and reference row) and a
//! command project's **instruction counts** (each language and variant that has one). Neither is
//! ranked: the headline metric decides the winner, these say how much machine each row used.
//!
//! Requests per CPU-second comes from the samples the report already holds: each measured round
//! at the headline load level records the requests per second over the window (`headline`), the
//! window (`wall_ns`) and the server's user + sys CPU time in it (`user_ns`, `sys_ns`). One
//! round's value is requests ÷ CPU-seconds = `headline · wall_ns / (user_ns + sys_ns)` (the
//! inverse of `runner compare`'s "cpu per request"); the cell shows the mean over the rounds and
//! the 95% interval of that mean, computed like every other interval (`stats::summarize`). A
//! round that recorded no CPU time gives no value, and then the row shows none.
//!
//! Instruction counts are the job's `instructions`: one run under callgrind after the timed runs
//! (`[metric] instructions = true`, or `runner bench --instructions`), deterministic, so no
//! interval. Reference rows are never counted.

use super::cell::{Cell, CellKind, Noisy};
use crate::report::{JobReport, ProjectReport};
use crate::stats::{self, Sample, Summary};
use crate::units;

/// Requests per CPU-second of each measured round of a service's job, summarised; `None` when
/// it has no samples or a round recorded no CPU time.
pub(super) fn requests_per_cpu_second(job: &JobReport) -> Option<Summary> {
    let values: Option<Vec<f64>> = job
        .samples
        .iter()
        .map(|s| {
            let cpu_ns = (s.user_ns + s.sys_ns) as f64;
            (cpu_ns > 0.0).then(|| s.headline * s.wall_ns as f64 / cpu_ns)
        })
        .collect();
    Sample::new(values?).ok().map(|s| stats::summarize(&s))
}

/// A row with a number shows it; any other row keeps its cell's mark (a failed build stays
/// "✗ build failed"); a row whose headline has a number but this one none is "not measured".
fn has_number(base: &Cell) -> bool {
    matches!(base.kind, CellKind::Ok | CellKind::Unverified)
}

/// `base` without its number: the start of a companion cell of the same row.
fn blank(base: &Cell) -> Cell {
    Cell {
        value: None,
        ci: None,
        noisy: Vec::new(),
        bold: false,
        ..base.clone()
    }
}

/// The requests-per-CPU-second cell of a row whose headline cell is `base`.
pub(super) fn per_cpu_cell(base: &Cell, job: Option<&JobReport>) -> Cell {
    let mut c = blank(base);
    if !has_number(base) {
        return c;
    }
    let Some((s, j)) = job.and_then(|j| requests_per_cpu_second(j).map(|s| (s, j))) else {
        c.kind = CellKind::NotMeasured;
        return c;
    };
    c.value = Some(units::sig3(s.mean));
    c.ci = Some(units::ci_percent(s.mean, s.ci95_low, s.ci95_high));
    if s.is_noisy() {
        c.noisy.push(Noisy::Interval);
    }
    if j.noisy.is_some() {
        c.noisy.push(Noisy::BusyMachine);
    }
    c
}

/// The instruction-count cell of a row whose headline cell is `base`.
pub(super) fn instructions_cell(base: &Cell, job: Option<&JobReport>) -> Cell {
    let mut c = blank(base);
    if has_number(base) {
        match job.and_then(|j| j.instructions) {
            Some(n) => c.value = Some(units::si(n as f64)),
            None => c.kind = CellKind::NotMeasured,
        }
    }
    c
}

/// Whether any language or variant of `p` has an instruction count: only then does the page
/// show the line.
pub(super) fn counted(p: Option<&ProjectReport>) -> bool {
    p.is_some_and(|p| p.jobs.iter().any(|j| j.instructions.is_some()))
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::report;
    use super::*;
    use crate::report::{JobStatus, SampleReport};

    fn round(rps: f64, cpu_s: f64) -> SampleReport {
        SampleReport {
            wall_ns: 5_000_000_000,
            user_ns: (cpu_s * 0.4 * 1e9) as u64,
            sys_ns: (cpu_s * 0.6 * 1e9) as u64,
            max_rss_bytes: 1 << 20,
            exit: crate::exec::Exit::Code(0).into(),
            headline: rps,
        }
    }

    fn base(kind: CellKind) -> Cell {
        Cell {
            name: "Go".into(),
            kind,
            value: Some("24,864 req/s".into()),
            ci: Some("±1.0%".into()),
            noisy: vec![Noisy::BusyMachine],
            bold: true,
            detail: None,
            runs: 3,
            binary: None,
            memory: None,
        }
    }

    /// 20,000 req/s over 5 s windows with 4 s of server CPU: 25,000 requests per CPU-second;
    /// the interval is that of the mean of the rounds' values, never bold.
    #[test]
    fn requests_per_cpu_second_is_requests_over_the_servers_cpu_in_each_window() {
        let mut j = JobReport::new("go", false, JobStatus::Ok);
        j.samples = vec![
            round(20_000.0, 4.0),
            round(22_000.0, 4.0),
            round(18_000.0, 4.0),
        ];
        let s = requests_per_cpu_second(&j).unwrap();
        assert!((s.mean - 25_000.0).abs() < 1e-6, "{s:?}");
        assert_eq!(s.n, 3);
        assert!(s.ci95_low < 25_000.0 && s.ci95_high > 25_000.0);
        let c = per_cpu_cell(&base(CellKind::Ok), Some(&j));
        assert_eq!(c.value.as_deref(), Some("25,000"));
        assert_eq!(c.ci.as_deref(), Some("+28/−22%"));
        assert_eq!(
            c.noisy,
            vec![Noisy::Interval],
            "the headline's busy mark is its own"
        );
        assert!(!c.bold && c.name == "Go");
    }

    #[test]
    fn rows_without_a_number_keep_their_mark_and_missing_cpu_is_not_measured() {
        let mut j = JobReport::new("go", false, JobStatus::Ok);
        j.samples = vec![round(20_000.0, 4.0), round(20_000.0, 0.0)];
        assert!(requests_per_cpu_second(&j).is_none());
        let c = per_cpu_cell(&base(CellKind::Ok), Some(&j));
        assert_eq!((c.kind, c.value), (CellKind::NotMeasured, None));
        let c = per_cpu_cell(&base(CellKind::BuildFailed), None);
        assert_eq!((c.kind, c.value), (CellKind::BuildFailed, None));
    }

    #[test]
    fn instruction_counts_show_with_an_si_prefix_and_no_interval() {
        let mut j = JobReport::new("zig", false, JobStatus::Ok);
        j.instructions = Some(3_915_828_787);
        let c = instructions_cell(&base(CellKind::Ok), Some(&j));
        assert_eq!((c.value.as_deref(), c.ci), (Some("3.92 G"), None));
        assert!(c.noisy.is_empty() && !c.bold);
        j.instructions = None;
        let c = instructions_cell(&base(CellKind::Ok), Some(&j));
        assert_eq!(c.kind, CellKind::NotMeasured);
        let mut p = report([JobStatus::Ok; 3]);
        assert!(!counted(Some(&p)));
        j.instructions = Some(1);
        p.jobs.push(j);
        assert!(counted(Some(&p)) && !counted(None));
    }
}
