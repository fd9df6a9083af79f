//! The sampling loop: warm-ups, then measured rounds until each contender has at least
//! `min_runs` runs and `min_time` of measured time and its relative standard error is at most
//! `target_rse` — or `max_runs` is reached. Rounds are interleaved by a seeded shuffle (see
//! `plan::schedule`); a contender that fails mid-way keeps its samples and leaves the rounds.

use super::{merged_env, set_job, Context, Settings};
use crate::event::Event;
use crate::exec::{ExecError, RunOutcome, RunSpec};
use crate::input::tail_of;
use crate::manifest::{Metric, MetricKind, Sampling};
use crate::plan::{Job, Schedule};
use crate::report::{JobStatus, ProjectReport, SampleReport};
use crate::stats;
use std::time::Duration;

/// Sampling limits after CLI overrides.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Warm-up runs.
    pub warmup: u32,
    /// Least runs.
    pub min_runs: u32,
    /// Most runs.
    pub max_runs: u32,
    /// Least measured time.
    pub min_time: Duration,
    /// Early-stop threshold.
    pub target_rse: f64,
    /// Per-run timeout.
    pub timeout: Duration,
}

impl Limits {
    /// Manifest settings with `--runs`, `--warmup`, `--timeout` applied.
    pub fn from(s: &Sampling, settings: &Settings) -> Limits {
        let mut l = Limits {
            warmup: settings.warmup.unwrap_or(s.warmup),
            min_runs: s.min_runs,
            max_runs: s.max_runs,
            min_time: s.min_time,
            target_rse: s.target_rse,
            timeout: settings.timeout.unwrap_or(s.timeout),
        };
        if let Some(n) = settings.runs {
            l.min_runs = n.max(1);
            l.max_runs = n.max(1);
            l.min_time = Duration::ZERO;
        }
        if settings.mode == super::Mode::Instructions {
            // Counts do not drift: two runs show that they agree; no warm-up needed. Valgrind
            // runs programs 20–100× slower.
            let n = settings.runs.unwrap_or(2).max(1);
            l.warmup = settings.warmup.unwrap_or(0);
            l.min_runs = n;
            l.max_runs = n;
            l.min_time = Duration::ZERO;
            l.timeout = (l.timeout * 100).min(Duration::from_secs(3 * 3600));
        }
        l
    }

    /// Whether a contender with these samples is done.
    pub fn done(&self, headline: &[f64], measured: Duration) -> bool {
        let n = headline.len() as u32;
        if n >= self.max_runs {
            return true;
        }
        if n < self.min_runs || measured < self.min_time {
            return false;
        }
        match stats::Sample::new(headline.to_vec()) {
            Ok(s) => stats::summarize(&s).rel_stderr <= self.target_rse,
            Err(_) => true,
        }
    }
}

/// Classifies a run: `Ok` if it exited 0 in time; else the verdict, reason and stderr tail.
pub fn judge(
    r: Result<RunOutcome, ExecError>,
    spec: &RunSpec,
    what: &str,
) -> Result<RunOutcome, (JobStatus, String, Option<String>)> {
    let tail = || Some(tail_of(&spec.stderr, 12)).filter(|t| !t.is_empty());
    match r {
        Err(e) => Err((JobStatus::RunFailed, format!("{what}: {e}"), None)),
        Ok(o) if o.interrupted => Err((JobStatus::Interrupted, format!("{what}: interrupted (Ctrl-C)"), tail())),
        Ok(o) if o.out_of_memory.is_some() => Err((JobStatus::OutOfMemory, format!("{what}: out of memory: killed by the kernel at the container's memory limit of {}; raise [docker] memory or --memory if the program needs more", crate::units::bytes(o.out_of_memory.unwrap_or(0) as f64)), tail())),
        Ok(o) if o.timed_out => Err((JobStatus::Timeout, format!("{what}: timed out after {:.1} s (killed with its process group); raise [sampling] timeout or --timeout if it is just slow", spec.timeout.as_secs_f64()), tail())),
        Ok(o) if o.output_overflow => Err((JobStatus::RunFailed, format!("{what}: printed more than {} bytes on stdout/stderr (killed)", spec.output_cap), None)),
        Ok(o) if !o.exit.success() => Err((JobStatus::RunFailed, format!("{what}: {}", o.exit), tail())),
        Ok(o) => Ok(o),
    }
}

fn headline(
    metric: &Metric,
    input_bytes: Option<u64>,
    o: &RunOutcome,
    stdout: &std::path::Path,
    callgrind_out: &std::path::Path,
) -> Result<f64, String> {
    let secs = o.wall.as_secs_f64().max(1e-9);
    match &metric.kind {
        MetricKind::WallTime => Ok(secs),
        MetricKind::Throughput { .. } => Ok(input_bytes.unwrap_or(0) as f64 / 1e6 / secs),
        MetricKind::Reported { field } => crate::verify::json_number(stdout, field),
        MetricKind::Instructions => super::callgrind::read_ir(callgrind_out).map(|ir| ir as f64),
        MetricKind::Requests => {
            Err("requests per second come from the load generator, not from one run".into())
        }
    }
}

/// Runs warm-ups and measured rounds for `jobs`, recording samples into `report`.
#[allow(clippy::too_many_arguments)]
pub fn sample(
    jobs: &[Job],
    metric: &Metric,
    input_bytes: Option<u64>,
    limits: &Limits,
    settings: &Settings,
    ctx: &mut Context<'_>,
    report: &mut ProjectReport,
    update: &mut dyn FnMut(&ProjectReport),
) {
    let mut schedule = Schedule::new(settings.seed, settings.interleaved);
    let mut active: Vec<usize> = (0..jobs.len()).collect();
    let mut headlines: Vec<Vec<f64>> = vec![Vec::new(); jobs.len()];
    let mut measured: Vec<Duration> = vec![Duration::ZERO; jobs.len()];
    let counting = metric.kind == MetricKind::Instructions;
    let spec_of = |j: &Job| RunSpec {
        argv: if counting {
            super::callgrind::wrap(&j.run, &j.log_dir.join("callgrind.out"))
        } else {
            j.run.clone()
        },
        cwd: j.cwd.clone(),
        env: if counting {
            merged_env(&merged_env(&ctx.env, &super::callgrind::env()), &j.env)
        } else {
            merged_env(&ctx.env, &j.env)
        },
        stdin: None,
        stdout: j.log_dir.join("run.stdout"),
        stderr: j.log_dir.join("run.stderr"),
        timeout: limits.timeout,
        output_cap: settings.output_cap,
        pin: settings.pin,
    };
    let specs: Vec<RunSpec> = jobs.iter().map(spec_of).collect();
    let keys: Vec<String> = jobs
        .iter()
        .map(|j| super::container::job_key(&report.slug, &j.name))
        .collect();

    // One step = one run of contender `i`; returns false when it failed and must leave.
    let step = |i: usize,
                warm: bool,
                ctx: &mut Context<'_>,
                report: &mut ProjectReport,
                headlines: &mut Vec<Vec<f64>>,
                measured: &mut Vec<Duration>|
     -> bool {
        let job = &jobs[i];
        let spec = &specs[i];
        let what = if warm {
            "warm-up run".to_string()
        } else {
            format!("run {}", headlines[i].len() + 1)
        };
        // Every run starts with an empty `{out}` (outside the timed region): a program then
        // creates its output files instead of truncating the previous run's, which on ext4
        // forces a synchronous flush at close (auto_da_alloc) and would add disk time that
        // depends on what the previous run left behind.
        let _ = std::fs::remove_dir_all(&job.out_dir);
        let _ = std::fs::create_dir_all(&job.out_dir);
        if counting {
            super::callgrind::clear(&job.log_dir.join("callgrind.out"));
        }
        let outcome = judge(ctx.backend.run_job(&keys[i], spec), spec, &what);
        let jr = set_job(report, &job.contender, &job.name);
        match outcome {
            Err((status, reason, tail)) => {
                jr.status = status;
                jr.reason = Some(reason);
                jr.stderr_tail = tail;
                super::emit_finished(ctx.events, jr);
                false
            }
            Ok(o) if warm => {
                let _ = o;
                jr.warmups += 1;
                true
            }
            Ok(o) => match headline(
                metric,
                input_bytes,
                &o,
                &spec.stdout,
                &job.log_dir.join("callgrind.out"),
            ) {
                Err(e) => {
                    jr.status = crate::report::JobStatus::RunFailed;
                    jr.reason = Some(format!("{what}: cannot read the reported metric: {e}"));
                    super::emit_finished(ctx.events, jr);
                    false
                }
                Ok(value) => {
                    jr.samples.push(SampleReport {
                        wall_ns: o.wall.as_nanos() as u64,
                        user_ns: o.user.as_nanos() as u64,
                        sys_ns: o.sys.as_nanos() as u64,
                        max_rss_bytes: o.max_rss,
                        exit: o.exit,
                        headline: value,
                    });
                    headlines[i].push(value);
                    measured[i] += o.wall;
                    ctx.events.emit(Event::Sample {
                        job: job.name.clone(),
                        index: headlines[i].len() - 1,
                        value,
                        unit: metric.unit.clone(),
                    });
                    true
                }
            },
        }
    };

    if settings.interleaved {
        for _ in 0..limits.warmup {
            for i in schedule.round(&active) {
                if ctx.interrupt.is_set() {
                    return;
                }
                if !step(i, true, ctx, report, &mut headlines, &mut measured) {
                    active.retain(|&a| a != i);
                }
            }
        }
        update(report);
        while !active.is_empty() {
            for i in schedule.round(&active) {
                if ctx.interrupt.is_set() {
                    return;
                }
                if !step(i, false, ctx, report, &mut headlines, &mut measured) {
                    active.retain(|&a| a != i);
                }
            }
            active.retain(|&i| !limits.done(&headlines[i], measured[i]));
            update(report);
        }
    } else {
        for i in schedule.round(&active) {
            let mut alive = true;
            for _ in 0..limits.warmup {
                if ctx.interrupt.is_set() {
                    return;
                }
                alive = alive && step(i, true, ctx, report, &mut headlines, &mut measured);
            }
            while alive && !limits.done(&headlines[i], measured[i]) {
                if ctx.interrupt.is_set() {
                    return;
                }
                alive = step(i, false, ctx, report, &mut headlines, &mut measured);
            }
            update(report);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits {
            warmup: 0,
            min_runs: 3,
            max_runs: 5,
            min_time: Duration::from_millis(10),
            target_rse: 0.01,
            timeout: Duration::from_secs(1),
        }
    }

    #[test]
    fn stopping_rule() {
        let l = limits();
        // Too few runs.
        assert!(!l.done(&[1.0, 1.0], Duration::from_secs(1)));
        // Enough runs, steady, enough time.
        assert!(l.done(&[1.0, 1.0, 1.0], Duration::from_secs(1)));
        // Enough runs but not enough time.
        assert!(!l.done(&[1.0, 1.0, 1.0], Duration::from_millis(1)));
        // Noisy: goes on…
        assert!(!l.done(&[1.0, 2.0, 3.0], Duration::from_secs(1)));
        // …until max_runs.
        assert!(l.done(&[1.0, 2.0, 3.0, 1.0, 2.0], Duration::from_secs(1)));
    }
}
