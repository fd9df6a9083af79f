//! Measuring a service project: each contender is a server, measured under load from outside.
//!
//! An **instance** is one start of a contender: its fixtures first (each on a free 127.0.0.1
//! port, ready by TCP connect), then the service itself (its port in `{port}` and `$PORT`,
//! ready by its manifest's probe). Every instance is stopped (SIGTERM, grace, SIGKILL) before the
//! next one starts, so contenders never run side by side.
//!
//! 1. Verification: a fresh instance per contender runs the `http` scripts and `command` checks
//!    (which may use `{port}` and `{fixture.NAME}`); file checks compare what it wrote.
//! 2. Rounds: interleaved like command benchmarks; each round starts a fresh instance and drives
//!    it at every load level in turn (warm-up seconds, then the measured window), recording
//!    requests/s, latency percentiles, statuses, errors, and the server's CPU time and peak RSS
//!    over the window. The headline level's requests/s are the job's samples.
//!
//! A service that is not ready, dies, answers garbage, stalls or loses a fixture fails its job
//! with a message naming what happened; the other contenders go on.

use super::sampler::Limits;
use super::{merged_env, set_job, settle_verification, Context, Settings};
use crate::event::Event;
use crate::exec::service::{
    free_port, free_port_on, usage_of, wait_ready, Ready, Service, ServiceSpec, Usage,
};
use crate::exec::{Backend, Exit, Members, RunSpec};
use crate::input::tail_of;
use crate::load::{self, LoadResult, LoadSpec, RequestTemplate};
use crate::manifest::{Check, FixtureKind, HttpRequest, LoadDef, Manifest};
use crate::plan::{self, Addresses, Job, PlanContext, Schedule};
use crate::report::{JobStatus, LoadLevel, LoadRound, ProjectReport, SampleReport};
use crate::stats;
use crate::verify::{self, Outputs};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A running contender with its fixtures.
struct Instance {
    server: Server,
    fixtures: Vec<Service>,
    addrs: Addresses,
}

/// The contender's server: spawned here, or started by the backend in the job's container.
enum Server {
    Native(Service),
    Container {
        /// The job's key for the backend.
        key: String,
        label: String,
        grace: Duration,
        members: Members,
        stderr: PathBuf,
    },
}

impl Server {
    fn members(&self) -> Members {
        match self {
            Server::Native(s) => s.members(),
            Server::Container { members, .. } => *members,
        }
    }
    fn stderr(&self) -> &Path {
        match self {
            Server::Native(s) => &s.stderr,
            Server::Container { stderr, .. } => stderr,
        }
    }
}

fn template(r: &HttpRequest) -> RequestTemplate {
    RequestTemplate {
        method: r.method.clone(),
        path: r.path.clone(),
        headers: r.headers.clone(),
        body: r.body.as_bytes().to_vec(),
    }
}

/// How long a containerised server may run before its probe kills it: longer than any round.
const SERVER_LIFETIME: Duration = Duration::from_secs(6 * 3600);

impl Instance {
    fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.addrs.port))
    }

    /// Starts the fixtures, then the service; `tag` names the log files.
    fn start(
        m: &Manifest,
        job: &Job,
        pctx: &PlanContext,
        ctx: &mut Context<'_>,
        tag: &str,
        out: &Path,
    ) -> Result<Instance, String> {
        let def = m.service.as_ref().ok_or("not a service")?;
        let exe = std::env::current_exe()
            .map_err(|e| format!("cannot find the runner's own executable: {e}"))?;
        let mut fixtures = Vec::new();
        let mut addrs = Addresses::default();
        if let Some(p) = &job.placement {
            addrs.bind = p.bind.clone();
            addrs.fixture_host = p.fixture_host;
            addrs.client = p.client;
        }
        let host = addrs.fixture_host;
        for f in &m.fixtures {
            for i in 0..f.count {
                let port =
                    free_port_on(host).map_err(|e| format!("no free port on {host}: {e}"))?;
                let label = format!("fixture `{}` #{i}", f.name);
                let (argv, env) = match &f.kind {
                    FixtureKind::BuiltinHttp {
                        body_bytes,
                        delay_ms,
                    } => (
                        vec![
                            exe.display().to_string(),
                            "__backend".into(),
                            port.to_string(),
                            body_bytes.to_string(),
                            delay_ms.to_string(),
                            i.to_string(),
                            host.to_string(),
                        ],
                        Vec::new(),
                    ),
                    FixtureKind::Command { run, env } => (
                        plan::fixture_argv(run, pctx, host, port, &label)
                            .map_err(|e| e.to_string())?,
                        env.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
                    ),
                };
                let spec = ServiceSpec {
                    label: label.clone(),
                    argv,
                    cwd: pctx.root.clone(),
                    env: merged_env(&ctx.env, &env),
                    host,
                    port,
                    ready: Ready::Tcp,
                    ready_timeout: def.ready_timeout,
                    grace: def.grace,
                    stdout: job
                        .log_dir
                        .join(format!("{tag}.fixture-{}-{i}.stdout", f.name)),
                    stderr: job
                        .log_dir
                        .join(format!("{tag}.fixture-{}-{i}.stderr", f.name)),
                };
                let svc = Service::start(&spec, &ctx.interrupt)
                    .map_err(|e| with_tail(e.to_string(), &spec.stderr))?;
                fixtures.push(svc);
                addrs.fixtures.entry(f.name.clone()).or_default().push(port);
            }
        }
        addrs.port = match &job.placement {
            Some(p) => p.port,
            None => free_port().map_err(|e| format!("no free port: {e}"))?,
        };
        let argv = plan::service_argv(job, pctx, &addrs, out).map_err(|e| e.to_string())?;
        let mut env = merged_env(&ctx.env, &job.env);
        env.push(("PORT".into(), addrs.port.to_string()));
        let spec = ServiceSpec {
            label: job.name.clone(),
            argv,
            cwd: job.cwd.clone(),
            env,
            host: std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST),
            port: addrs.port,
            ready: match &def.ready_http {
                None => Ready::Tcp,
                Some((path, status)) => Ready::Http {
                    path: path.clone(),
                    status: *status,
                },
            },
            ready_timeout: def.ready_timeout,
            grace: def.grace,
            stdout: job.log_dir.join(format!("{tag}.stdout")),
            stderr: job.log_dir.join(format!("{tag}.stderr")),
        };
        let server = if job.placement.is_some() {
            start_in_container(m, job, &spec, ctx)?
        } else {
            Server::Native(
                Service::start(&spec, &ctx.interrupt)
                    .map_err(|e| with_tail(e.to_string(), &spec.stderr))?,
            )
        };
        Ok(Instance {
            server,
            fixtures,
            addrs,
        })
    }

    /// Err when the service or a fixture has exited.
    fn alive(&mut self, during: &str, backend: &mut dyn Backend) -> Result<(), String> {
        let exit = match &mut self.server {
            Server::Native(s) => s.exit(),
            Server::Container { key, .. } => backend.service_exit(key),
        };
        if let Some(exit) = exit {
            return Err(with_tail(
                format!("{during}: the service exited ({exit})"),
                self.server.stderr(),
            ));
        }
        for f in self.fixtures.iter_mut() {
            if let Some(exit) = f.exit() {
                return Err(with_tail(
                    format!(
                        "{during}: {} exited ({exit}) — a fixture failed, not necessarily the implementation",
                        f.label()
                    ),
                    &f.stderr,
                ));
            }
        }
        Ok(())
    }

    /// Stops everything; a note when the service ignored SIGTERM.
    fn stop(self, backend: &mut dyn Backend) -> Option<String> {
        let (label, killed) = match self.server {
            Server::Native(s) => {
                let label = s.label().to_string();
                (label, s.stop().1)
            }
            Server::Container {
                key, label, grace, ..
            } => {
                let killed = match backend.stop_service(&key, grace) {
                    Ok(o) => o.exit == Exit::Signal(libc::SIGKILL),
                    Err(_) => true,
                };
                (label, killed)
            }
        };
        for f in self.fixtures {
            f.stop();
        }
        killed.then(|| {
            format!(
                "{label}: did not exit after SIGTERM within the grace period; killed with SIGKILL"
            )
        })
    }
}

/// Starts `spec` in the job's container through the backend and waits until it is ready
/// (TCP readiness is tried inside the container; HTTP readiness from here, through 127.0.0.1).
fn start_in_container(
    m: &Manifest,
    job: &Job,
    spec: &ServiceSpec,
    ctx: &mut Context<'_>,
) -> Result<Server, String> {
    let key = super::container::job_key(&m.slug, &job.name);
    let run = RunSpec {
        argv: spec.argv.clone(),
        cwd: spec.cwd.clone(),
        env: spec.env.clone(),
        stdin: None,
        stdout: spec.stdout.clone(),
        stderr: spec.stderr.clone(),
        timeout: SERVER_LIFETIME,
        output_cap: u64::MAX,
        pin: None,
    };
    let members = ctx
        .backend
        .start_service(&key, &run)
        .map_err(|e| with_tail(format!("{}: {e}", spec.label), &spec.stderr))?;
    let backend = &mut *ctx.backend;
    let ready = {
        let cell = std::cell::RefCell::new(&mut *backend);
        wait_ready(
            spec,
            &ctx.interrupt,
            &mut || cell.borrow_mut().service_exit(&key),
            &mut || cell.borrow_mut().service_accepts(&key, spec.port),
        )
    };
    if let Err(e) = ready {
        let _ = backend.stop_service(&key, spec.grace);
        return Err(with_tail(e.to_string(), &spec.stderr));
    }
    Ok(Server::Container {
        key,
        label: spec.label.clone(),
        grace: spec.grace,
        members,
        stderr: spec.stderr.clone(),
    })
}

/// The last lines of a job's service stderr for instance `tag`.
fn stderr_tail(job: &Job, tag: &str) -> Option<String> {
    Some(tail_of(&job.log_dir.join(format!("{tag}.stderr")), 12)).filter(|t| !t.trim().is_empty())
}

/// `msg` with the last line the program wrote to stderr (usually its error message).
fn with_tail(msg: String, stderr: &Path) -> String {
    let t = tail_of(stderr, 6);
    match t.lines().rev().map(str::trim).find(|l| !l.is_empty()) {
        Some(last) => format!("{msg}; its stderr ends with: {last}"),
        None => msg,
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
    let mut results: Vec<(Job, Vec<crate::report::CheckResult>)> = Vec::new();
    for job in built {
        if ctx.interrupt.is_set() {
            break;
        }
        let _ = std::fs::remove_dir_all(&job.verify_dir);
        let _ = std::fs::create_dir_all(&job.verify_dir);
        let mut inst = match Instance::start(m, &job, pctx, ctx, "verify", &job.verify_dir) {
            Ok(i) => i,
            Err(e) => {
                let jr = set_job(report, &job.contender, &job.name);
                jr.status = if ctx.interrupt.is_set() {
                    JobStatus::Interrupted
                } else {
                    JobStatus::RunFailed
                };
                jr.reason = Some(format!("starting for verification: {e}"));
                jr.stderr_tail = stderr_tail(&job, "verify");
                super::emit_finished(ctx.events, jr);
                update(report);
                continue;
            }
        };
        let mut checks = Vec::new();
        if job.verified {
            let addr = inst.addr();
            for c in &m.checks {
                if let Check::Http(steps) = c {
                    let steps = verify::http::with_client(steps, &inst.addrs.client.to_string());
                    checks.push(verify::http::script(&steps, &mut |r| {
                        load::exchange(addr, &template(r), load.timeout)
                    }));
                }
            }
            let out = Outputs {
                name: job.name.clone(),
                dir: job.verify_dir.clone(),
                stdout: job.log_dir.join("verify.stdout"),
            };
            let addrs = inst.addrs.clone();
            let expand = |argv: &[String]| {
                plan::check_command_live(argv, &job, pctx, &addrs).map_err(|e| e.to_string())
            };
            let env = merged_env(&ctx.env, &job.env);
            checks.extend(verify::per_job(
                &m.checks,
                &out,
                &ctx.root,
                &env,
                &expand,
                ctx.backend,
            ));
        }
        let alive = inst.alive("during verification", &mut *ctx.backend);
        if let Some(w) = inst.stop(&mut *ctx.backend) {
            report.warnings.push(w);
        }
        if let Err(e) = alive {
            let jr = set_job(report, &job.contender, &job.name);
            jr.status = JobStatus::RunFailed;
            jr.reason = Some(e);
            jr.stderr_tail = stderr_tail(&job, "verify");
            jr.verification = checks;
            super::emit_finished(ctx.events, jr);
            update(report);
            continue;
        }
        results.push((job, checks));
        update(report);
    }
    // Files the instances wrote are compared across languages once all have run.
    let outs: Vec<Outputs> = results
        .iter()
        .filter(|(j, _)| j.verified)
        .map(|(j, _)| Outputs {
            name: j.name.clone(),
            dir: j.verify_dir.clone(),
            stdout: j.log_dir.join("verify.stdout"),
        })
        .collect();
    let mut cross = verify::across(&m.checks, &outs);
    let mut contenders = Vec::new();
    for (job, mut checks) in results {
        let jr = set_job(report, &job.contender, &job.name);
        if !job.verified {
            contenders.push(job);
            continue;
        }
        checks.extend(cross.remove(&job.name).unwrap_or_default());
        if settle_verification(ctx.events, jr, checks) {
            contenders.push(job);
        }
    }
    update(report);
    contenders
}

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
        set_job(report, &job.contender, &job.name).load = load
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
    let mut schedule = Schedule::new(settings.seed, settings.interleaved);
    let mut active: Vec<usize> = (0..jobs.len()).collect();
    let mut headlines: Vec<Vec<f64>> = vec![Vec::new(); jobs.len()];
    let mut measured = vec![Duration::ZERO; jobs.len()];
    let step = |i: usize,
                warm: bool,
                ctx: &mut Context<'_>,
                report: &mut ProjectReport,
                headlines: &mut Vec<Vec<f64>>,
                measured: &mut Vec<Duration>| {
        let job = &jobs[i];
        let outcome = one_round(m, job, pctx, ctx, load, warm, report);
        match outcome {
            Ok(rps) => {
                if let Some(v) = rps {
                    headlines[i].push(v);
                    measured[i] += load.duration * load.connections.len() as u32;
                    ctx.events.emit(Event::Sample {
                        job: job.name.clone(),
                        index: headlines[i].len() - 1,
                        value: v,
                        unit: "req/s".into(),
                    });
                }
                true
            }
            Err((status, reason)) => {
                let jr = set_job(report, &job.contender, &job.name);
                if jr.status == JobStatus::Pending {
                    jr.status = status;
                    jr.reason = Some(reason);
                    jr.stderr_tail = stderr_tail(job, if warm { "warmup" } else { "round" });
                    super::emit_finished(ctx.events, jr);
                }
                false
            }
        }
    };
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
        let round = if settings.interleaved {
            schedule.round(&active)
        } else {
            // Sequential: the first contender still running until it is done.
            vec![active[0]]
        };
        for i in round {
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
    for job in jobs {
        let jr = set_job(report, &job.contender, &job.name);
        for level in jr.load.iter_mut() {
            level.rps = stats::Sample::new(level.rounds.iter().map(|r| r.rps).collect())
                .ok()
                .map(|s| stats::summarize(&s));
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
        crate::load::default_threads()
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
            let members = inst.server.members();
            std::thread::scope(|s| {
                let opens = s.spawn(|| {
                    std::thread::sleep(load.warmup);
                    usage_of(&members)
                });
                let r = load::run(&spec, &flag);
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
            let jr = set_job(report, &job.contender, &job.name);
            jr.samples.push(SampleReport {
                wall_ns: round.window_ns,
                user_ns: round.server_user_ns,
                sys_ns: round.server_sys_ns,
                max_rss_bytes: round.server_max_rss_bytes,
                exit: Exit::Code(0),
                headline: round.rps,
            });
        }
        set_job(report, &job.contender, &job.name).load[li]
            .rounds
            .push(round);
    }
    if let Some(w) = inst.stop(&mut *ctx.backend) {
        report.warnings.push(w);
    }
    if warm {
        set_job(report, &job.contender, &job.name).warmups += 1;
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
        latency: r.latency,
        latency_corrected: r.latency_corrected,
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
