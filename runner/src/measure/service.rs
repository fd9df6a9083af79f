//! Measuring a service project: each contender is a server, measured under load from outside.
//!
//! An **instance** (`instance.rs`) is one start of a contender: its fixtures, then the server
//! through the backend. Every instance is stopped (SIGTERM, grace, SIGKILL) before the next one
//! starts, so contenders never run side by side.
//!
//! 1. Verification: a fresh instance per contender runs the `http` scripts and `command` checks
//!    (which may use `{port}` and `{fixture.NAME}`); file checks compare what it wrote.
//! 2. Rounds: ordered by the same round driver as command benchmarks (`rounds.rs`, so
//!    `--sequential` means the same); each round starts a fresh instance and drives
//!    it at every load level in turn (warm-up seconds, then the measured window), recording
//!    requests/s, latency percentiles, statuses, errors, and the server's CPU time and peak RSS
//!    over the window. The headline level's requests/s are the job's samples.
//!
//! A service that is not ready, dies, answers garbage, stalls or loses a fixture fails its job
//! with a message naming what happened; the other contenders go on.

use super::check;
use super::instance::{stderr_tail, Instance};
use super::rounds::{self, Contenders, Limits, Outcome, Step};
use super::{verdict, Context, Settings};
use crate::exec::usage::{usage_of, Usage};
use crate::exec::Exit;
use crate::loadgen::{self, LoadResult, LoadSpec, RequestTemplate};
use crate::manifest::{Check, HttpRequest, LoadDef, Manifest};
use crate::plan::{self, Job, PlanContext};
use crate::report::{JobStatus, LoadLevel, LoadRound, ProjectReport, SampleReport};
use crate::stats;
use crate::verify;

fn template(r: &HttpRequest) -> RequestTemplate {
    RequestTemplate {
        method: r.method.clone(),
        path: r.path.clone(),
        headers: r.headers.clone(),
        body: r.body.as_bytes().to_vec(),
    }
}

/// The load after `--load-duration` / `--load-warmup`.
fn effective_load(m: &Manifest, settings: &Settings) -> Option<LoadDef> {
    let mut l = m.load.clone()?;
    if let Some(d) = settings.load_duration {
        l.duration = d;
    }
    if let Some(w) = settings.load_warmup {
        l.warmup = w;
    }
    Some(l)
}

/// Verifies, then measures, the built service jobs; returns the contenders still in the race.
pub(super) fn run(
    m: &Manifest,
    settings: &Settings,
    ctx: &mut Context<'_>,
    pctx: &PlanContext,
    built: Vec<Job>,
    report: &mut ProjectReport,
    update: &mut dyn FnMut(&ProjectReport),
) -> Vec<Job> {
    let Some(load) = effective_load(m, settings) else {
        return Vec::new();
    };
    let verified = verification(m, ctx, pctx, built, &load, report, update);
    rounds(m, settings, ctx, pctx, &verified, &load, report, update);
    verified
}

fn verification(
    m: &Manifest,
    ctx: &mut Context<'_>,
    pctx: &PlanContext,
    built: Vec<Job>,
    load: &LoadDef,
    report: &mut ProjectReport,
    update: &mut dyn FnMut(&ProjectReport),
) -> Vec<Job> {
    // Files the instances wrote are compared across languages once all have run.
    check::verify_all(m, ctx, built, report, update, &mut |job, ctx, report| {
        verify_instance(m, job, ctx, pctx, load, &mut report.warnings)
    })
}

/// A fresh instance of `job` answers the HTTP scripts and the command checks (which may use
/// its `{port}` and `{fixture.NAME}`); `None` results for an unverified reference. A note that
/// the server ignored SIGTERM goes to `warnings`.
fn verify_instance(
    m: &Manifest,
    job: &Job,
    ctx: &mut Context<'_>,
    pctx: &PlanContext,
    load: &LoadDef,
    warnings: &mut Vec<String>,
) -> check::Verified {
    let failed = |status, reason, checks| check::Failed {
        status,
        reason,
        tail: stderr_tail(job, "verify"),
        checks,
    };
    let mut inst = Instance::start(m, job, pctx, ctx, "verify", &job.verify_dir).map_err(|e| {
        let status = if ctx.interrupt.is_set() {
            JobStatus::Interrupted
        } else {
            JobStatus::RunFailed
        };
        failed(
            status,
            format!("starting for verification: {e}"),
            Vec::new(),
        )
    })?;
    let mut checks = Vec::new();
    if job.verified {
        let addr = inst.addr();
        for c in &m.checks {
            if let Check::Http(steps) = c {
                let steps = verify::http::with_client(steps, &inst.addrs.client.to_string());
                checks.push(verify::http::script(&steps, &mut |r| {
                    loadgen::exchange(addr, &template(r), load.timeout)
                }));
            }
        }
        let addrs = inst.addrs.clone();
        let expand = |argv: &[String]| {
            plan::check_command_live(argv, job, pctx, &addrs).map_err(|e| e.to_string())
        };
        checks.extend(check::own_checks(m, job, &pctx.params, &expand, ctx));
    }
    let alive = inst.alive("during verification", &mut *ctx.backend);
    if let Some(w) = inst.stop(&mut *ctx.backend) {
        warnings.push(w);
    }
    match alive {
        Err(e) => Err(failed(JobStatus::RunFailed, e, checks)),
        Ok(()) => Ok(job.verified.then_some(checks)),
    }
}

/// Measured rounds of the verified jobs through the round driver; each round is one fresh
/// instance driven at every load level, and the headline level's requests/s are the samples.
#[allow(clippy::too_many_arguments)]
fn rounds(
    m: &Manifest,
    settings: &Settings,
    ctx: &mut Context<'_>,
    pctx: &PlanContext,
    jobs: &[Job],
    load: &LoadDef,
    report: &mut ProjectReport,
    update: &mut dyn FnMut(&ProjectReport),
) {
    let limits = Limits::from(&m.sampling, settings);
    for job in jobs {
        verdict::job(report, &job.contender, &job.name).load = load
            .connections
            .iter()
            .map(|&c| LoadLevel {
                connections: c,
                rate: load.rate,
                headline: c == load.headline_connections,
                rounds: Vec::new(),
                rps: None,
            })
            .collect();
    }
    let contenders = Contenders {
        names: jobs.iter().map(|j| j.name.clone()).collect(),
        unit: "req/s",
    };
    let measured_per_round = load.duration * load.connections.len() as u32;
    let mut step = |s: Step, ctx: &mut Context<'_>, report: &mut ProjectReport| {
        let job = &jobs[s.contender];
        match one_round(m, job, pctx, ctx, load, s.warm, report) {
            Ok(Some(rps)) => Outcome::Measured(rps, measured_per_round),
            Ok(None) => Outcome::Ran,
            Err((status, reason)) => {
                let jr = verdict::job(report, &job.contender, &job.name);
                if jr.status == JobStatus::Pending {
                    let tail = stderr_tail(job, if s.warm { "warmup" } else { "round" });
                    verdict::fail(ctx.events, jr, status, reason, tail);
                }
                Outcome::Left
            }
        }
    };
    rounds::drive(
        &contenders,
        &limits,
        settings,
        ctx,
        report,
        update,
        &mut step,
    );
    for job in jobs {
        let jr = verdict::job(report, &job.contender, &job.name);
        for level in jr.load.iter_mut() {
            level.rps = stats::Sample::new(level.rounds.iter().map(|r| r.rps).collect())
                .ok()
                .map(|s| stats::summarize(&s).into());
        }
    }
    update(report);
}

/// One instance driven at every level. Ok(headline requests/s) for a measured round,
/// Ok(None) for a warm-up; Err(verdict) when the job must leave.
fn one_round(
    m: &Manifest,
    job: &Job,
    pctx: &PlanContext,
    ctx: &mut Context<'_>,
    load: &LoadDef,
    warm: bool,
    report: &mut ProjectReport,
) -> Result<Option<f64>, (JobStatus, String)> {
    let _ = std::fs::remove_dir_all(&job.out_dir);
    let _ = std::fs::create_dir_all(&job.out_dir);
    let tag = if warm { "warmup" } else { "round" };
    let mut inst = Instance::start(m, job, pctx, ctx, tag, &job.out_dir).map_err(|e| {
        let status = if ctx.interrupt.is_set() {
            JobStatus::Interrupted
        } else {
            JobStatus::RunFailed
        };
        (status, format!("starting: {e}"))
    })?;
    let threads = if load.threads == 0 {
        crate::loadgen::default_threads()
    } else {
        load.threads as usize
    };
    let flag = ctx.interrupt.flag();
    let mut headline = None;
    let mut problem = None;
    for (li, &conns) in load.connections.iter().enumerate() {
        let spec = LoadSpec {
            addr: inst.addr(),
            connections: conns as usize,
            warmup: load.warmup,
            duration: load.duration,
            rate: load.rate,
            requests: load.requests.iter().map(template).collect(),
            timeout: load.timeout,
            threads,
        };
        let (result, before, after) = {
            let members = inst.members();
            std::thread::scope(|s| {
                let opens = s.spawn(|| {
                    std::thread::sleep(load.warmup);
                    usage_of(&members)
                });
                let r = loadgen::run(&spec, &flag);
                let before = opens.join().unwrap_or_default();
                (r, before, usage_of(&members))
            })
        };
        if ctx.interrupt.is_set() {
            problem = Some((JobStatus::Interrupted, "interrupted (Ctrl-C)".to_string()));
            break;
        }
        let at = format!("at {conns} connection(s)");
        if let Err(e) = inst.alive(&format!("during the load {at}"), &mut *ctx.backend) {
            problem = Some((JobStatus::RunFailed, e));
            break;
        }
        let result = match result {
            Ok(r) => r,
            Err(e) => {
                problem = Some((JobStatus::RunFailed, format!("load {at}: {e}")));
                break;
            }
        };
        if let Err(e) = judge(&result, load.max_error_rate) {
            problem = Some((JobStatus::RunFailed, format!("load {at}: {e}")));
            break;
        }
        if warm {
            continue;
        }
        let round = round_report(&result, before, after);
        if conns == load.headline_connections {
            headline = Some(round.rps);
            let jr = verdict::job(report, &job.contender, &job.name);
            jr.samples.push(SampleReport {
                wall_ns: round.window_ns,
                user_ns: round.server_user_ns,
                sys_ns: round.server_sys_ns,
                max_rss_bytes: round.server_max_rss_bytes,
                exit: Exit::Code(0).into(),
                headline: round.rps,
            });
        }
        verdict::job(report, &job.contender, &job.name).load[li]
            .rounds
            .push(round);
    }
    if let Some(w) = inst.stop(&mut *ctx.backend) {
        report.warnings.push(w);
    }
    if warm {
        verdict::job(report, &job.contender, &job.name).warmups += 1;
    }
    match problem {
        Some(p) => Err(p),
        None => Ok(headline),
    }
}

/// A window with no answer at all, or too many failed requests, is no measurement.
fn judge(r: &LoadResult, max_error_rate: f64) -> Result<(), String> {
    let errors = r.error_count();
    let kinds = || {
        r.errors
            .iter()
            .map(|(k, v)| format!("{v} {k}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if r.requests == 0 {
        return Err(if errors == 0 {
            format!(
                "no response completed in the {:.1} s window (the server accepts connections but does not answer)",
                r.window.as_secs_f64()
            )
        } else {
            format!(
                "no response completed in the {:.1} s window; failed requests: {}",
                r.window.as_secs_f64(),
                kinds()
            )
        });
    }
    let rate = errors as f64 / (errors + r.requests) as f64;
    if rate > max_error_rate {
        return Err(format!(
            "{:.2}% of requests failed ({}), above max_error_rate {:.2}%",
            rate * 100.0,
            kinds(),
            max_error_rate * 100.0
        ));
    }
    Ok(())
}

fn round_report(r: &LoadResult, before: Usage, after: Usage) -> LoadRound {
    LoadRound {
        window_ns: r.window.as_nanos() as u64,
        requests: r.requests,
        rps: r.rps(),
        body_bytes_per_s: r.body_bytes as f64 / r.window.as_secs_f64().max(1e-9),
        latency: r.latency.into(),
        latency_corrected: r.latency_corrected.map(Into::into),
        statuses: r
            .statuses
            .iter()
            .map(|(k, v)| (k.to_string(), *v))
            .collect(),
        errors: r.errors.clone(),
        server_user_ns: after.user.saturating_sub(before.user).as_nanos() as u64,
        server_sys_ns: after.sys.saturating_sub(before.sys).as_nanos() as u64,
        server_max_rss_bytes: after.max_rss,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use std::time::Duration;

    fn result(requests: u64, errors: &[(&str, u64)]) -> LoadResult {
        LoadResult {
            window: Duration::from_secs(2),
            requests,
            body_bytes: 0,
            statuses: BTreeMap::new(),
            errors: errors.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            latency: Default::default(),
            latency_corrected: None,
        }
    }

    #[test]
    fn judging_a_window() {
        assert!(judge(&result(1000, &[]), 0.001).is_ok());
        assert!(judge(&result(1000, &[("timeout", 1)]), 0.001).is_ok());
        let e = judge(&result(1000, &[("parse", 10)]), 0.001).unwrap_err();
        assert!(e.contains("10 parse"), "{e}");
        let e = judge(&result(0, &[]), 0.5).unwrap_err();
        assert!(e.contains("does not answer"), "{e}");
        let e = judge(&result(0, &[("connect", 3)]), 1.0).unwrap_err();
        assert!(e.contains("3 connect"), "{e}");
    }
}
