//! One instance of a service contender: its fixtures first (each on a free port, ready by TCP
//! connect; the built-in HTTP backend or a command), then the server itself through the backend
//! ([`Backend::start_service`] — a process group on this machine, or a process in the job's
//! container), with its port in `{port}` and `$PORT`, ready by its manifest's probe. Stopping an
//! instance stops the server (SIGTERM, grace, SIGKILL) and its fixtures. This file never
//! generates load or checks an answer.

use super::{merged_env, Context};
use crate::exec::server::{free_port, free_port_on, wait_ready, Ready, Service, ServiceSpec};
use crate::exec::{Backend, Exit, Members, RunSpec};
use crate::input::tail_of;
use crate::manifest::{FixtureKind, Manifest};
use crate::plan::{self, Addresses, Job, PlanContext};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A running contender with its fixtures.
pub(super) struct Instance {
    server: Server,
    fixtures: Vec<Service>,
    /// Where it and its fixtures listen.
    pub addrs: Addresses,
}

/// The contender's server, started by the backend (on this machine or in the job's container).
struct Server {
    /// The job's key for the backend.
    key: String,
    label: String,
    grace: Duration,
    members: Members,
    stderr: PathBuf,
}

/// How long a server may run before the backend's probe kills it: longer than any round.
const SERVER_LIFETIME: Duration = Duration::from_secs(6 * 3600);

impl Instance {
    /// Where clients reach the server.
    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.addrs.port))
    }

    /// The server's processes on this machine, for CPU and memory accounting.
    pub fn members(&self) -> Members {
        self.server.members
    }

    /// Starts the fixtures, then the service; `tag` names the log files.
    pub fn start(
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
        let server = start_server(m, job, &spec, ctx)?;
        Ok(Instance {
            server,
            fixtures,
            addrs,
        })
    }

    /// Err when the service or a fixture has exited.
    pub fn alive(&mut self, during: &str, backend: &mut dyn Backend) -> Result<(), String> {
        if let Some(exit) = backend.service_exit(&self.server.key) {
            return Err(with_tail(
                format!("{during}: the service exited ({exit})"),
                &self.server.stderr,
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
    pub fn stop(self, backend: &mut dyn Backend) -> Option<String> {
        let Server {
            key, label, grace, ..
        } = self.server;
        let killed = match backend.stop_service(&key, grace) {
            Ok(o) => o.exit == Exit::Signal(libc::SIGKILL),
            Err(_) => true,
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

/// Starts `spec` through the backend and waits until it is ready (TCP readiness is tried where
/// the server runs — inside a container, a forwarder on 127.0.0.1 accepts before the server
/// listens; HTTP readiness from here, through 127.0.0.1).
fn start_server(
    m: &Manifest,
    job: &Job,
    spec: &ServiceSpec,
    ctx: &mut Context<'_>,
) -> Result<Server, String> {
    let key = super::job_key(&m.slug, &job.name);
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
    Ok(Server {
        key,
        label: spec.label.clone(),
        grace: spec.grace,
        members,
        stderr: spec.stderr.clone(),
    })
}

/// The last lines of a job's service stderr for instance `tag`.
pub(super) fn stderr_tail(job: &Job, tag: &str) -> Option<String> {
    Some(tail_of(&job.log_dir.join(format!("{tag}.stderr")), 12)).filter(|t| !t.trim().is_empty())
}

/// `msg` with the last line the program wrote to stderr (usually its error message).
pub(super) fn with_tail(msg: String, stderr: &Path) -> String {
    let t = tail_of(stderr, 6);
    match t.lines().rev().map(str::trim).find(|l| !l.is_empty()) {
        Some(last) => format!("{msg}; its stderr ends with: {last}"),
        None => msg,
    }
}
