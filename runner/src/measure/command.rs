//! Measuring a command project: each contender is a program run to completion. One
//! verification run per job (its outputs checked by `check.rs`), then measured runs ordered by
//! the round driver (`rounds.rs`), each timed by the backend from the outside. A run that
//! crashes, times out or prints too much fails its job only, with the reason; the job keeps the
//! samples it had.

use super::rounds::{self, Contenders, Limits, Outcome, Step};
use super::{check, merged_env, verdict, Context, Settings};
use crate::exec::{ExecError, RunOutcome, RunSpec};
use crate::input::tail_of;
use crate::manifest::{Manifest, Metric, MetricKind};
use crate::plan::{self, Job, PlanContext};
use crate::report::{JobStatus, ProjectReport, SampleReport};

/// Verifies, then measures, the built command jobs; returns the contenders still in the race.
#[allow(clippy::too_many_arguments)]
pub(super) fn run(
    m: &Manifest,
    settings: &Settings,
    ctx: &mut Context<'_>,
    pctx: &PlanContext,
    built: Vec<Job>,
    metric: &Metric,
    input_bytes: Option<u64>,
    report: &mut ProjectReport,
    update: &mut dyn FnMut(&ProjectReport),
) -> Vec<Job> {
    let limits = Limits::from(&m.sampling, settings);
    let mut verify = |job: &Job, ctx: &mut Context<'_>, _: &mut ProjectReport| {
        verification_run(m, job, &limits, settings, ctx)?;
        // The job's own checks right after its run (a check command may derive files in
        // {out}, e.g. a canonical dump of a database); the cross-language comparisons of those
        // folders come once every job has run.
        Ok(job.verified.then(|| {
            let expand =
                |argv: &[String]| plan::check_command(argv, job, pctx).map_err(|e| e.to_string());
            check::own_checks(m, job, &pctx.params, &expand, ctx)
        }))
    };
    let contenders = check::verify_all(m, ctx, built, report, update, &mut verify);
    sample(
        &contenders,
        metric,
        input_bytes,
        &limits,
        settings,
        ctx,
        report,
        update,
    );
    if settings.instructions.applies(m)
        && settings.mode == super::Mode::Time
        && !ctx.interrupt.is_set()
    {
        super::finish::count_instructions(&contenders, &limits, settings, ctx, report);
    }
    contenders
}

/// One run of `job` with `{out}` in its verification folder; Err unless it exited 0 in time.
fn verification_run(
    m: &Manifest,
    job: &Job,
    limits: &Limits,
    settings: &Settings,
    ctx: &mut Context<'_>,
) -> Result<(), check::Failed> {
    let spec = RunSpec {
        argv: plan::verify_argv(job),
        cwd: job.cwd.clone(),
        env: merged_env(&ctx.env, &job.env),
        stdin: None,
        stdout: job.log_dir.join("verify.stdout"),
        stderr: job.log_dir.join("verify.stderr"),
        timeout: limits.timeout,
        output_cap: settings.output_cap,
        pin: None,
    };
    let key = super::job_key(&m.slug, &job.name);
    judge(ctx.backend.run_job(&key, &spec), &spec, "verification run")
        .map(|_| ())
        .map_err(|(status, reason, tail)| check::Failed {
            status,
            reason,
            tail,
            checks: Vec::new(),
        })
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
fn sample(
    jobs: &[Job],
    metric: &Metric,
    input_bytes: Option<u64>,
    limits: &Limits,
    settings: &Settings,
    ctx: &mut Context<'_>,
    report: &mut ProjectReport,
    update: &mut dyn FnMut(&ProjectReport),
) {
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
        .map(|j| super::job_key(&report.slug, &j.name))
        .collect();
    let contenders = Contenders {
        names: jobs.iter().map(|j| j.name.clone()).collect(),
        unit: &metric.unit,
    };
    let mut step = |s: Step, ctx: &mut Context<'_>, report: &mut ProjectReport| {
        let (job, spec) = (&jobs[s.contender], &specs[s.contender]);
        let what = if s.warm {
            "warm-up run".to_string()
        } else {
            format!("run {}", s.recorded + 1)
        };
        // Every run starts with an empty `{out}` (outside the timed region): a program then
        // creates its output files instead of truncating the previous run's, which on ext4
        // forces a synchronous flush at close (auto_da_alloc) and would add disk time that
        // depends on what the previous run left behind.
        let _ = std::fs::remove_dir_all(&job.out_dir);
        let _ = std::fs::create_dir_all(&job.out_dir);
        let callgrind_out = job.log_dir.join("callgrind.out");
        if counting {
            super::callgrind::clear(&callgrind_out);
        }
        let outcome = judge(ctx.backend.run_job(&keys[s.contender], spec), spec, &what);
        let jr = verdict::job(report, &job.contender, &job.name);
        let o = match outcome {
            Err((status, reason, tail)) => {
                verdict::fail(ctx.events, jr, status, reason, tail);
                return Outcome::Left;
            }
            Ok(_) if s.warm => {
                jr.warmups += 1;
                return Outcome::Ran;
            }
            Ok(o) => o,
        };
        match headline(metric, input_bytes, &o, &spec.stdout, &callgrind_out) {
            Err(e) => {
                let reason = format!("{what}: cannot read the reported metric: {e}");
                verdict::fail(ctx.events, jr, JobStatus::RunFailed, reason, None);
                Outcome::Left
            }
            Ok(value) => {
                jr.samples.push(SampleReport {
                    wall_ns: o.wall.as_nanos() as u64,
                    user_ns: o.user.as_nanos() as u64,
                    sys_ns: o.sys.as_nanos() as u64,
                    max_rss_bytes: o.max_rss,
                    exit: o.exit.into(),
                    headline: value,
                });
                Outcome::Measured(value, o.wall)
            }
        }
    };
    rounds::drive(
        &contenders,
        limits,
        settings,
        ctx,
        report,
        update,
        &mut step,
    );
}
