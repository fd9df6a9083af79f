//! Servers in containers (service benchmarks): a server is a detached `docker exec` of the probe
//! with `--pidfile`, started once the job's container is up; its processes are found in this
//! machine's `/proc` below that probe (for CPU time and peak memory over a load window); its
//! readiness is tried inside the container when its port is published (Docker's forwarding
//! accepts on 127.0.0.1 before the server listens); it is stopped with the probe's `--signal`
//! (SIGTERM, then SIGKILL after the grace period), and the probe's result is its whole run.
//! Never makes a container or decides where a server listens (`network.rs`).

use super::probe::{probe_command, read_result, PROBE_PATH};
use super::run::new_exec;
use super::user::open_up;
use super::Docker;
use crate::exec::server::loopback_accepts;
use crate::exec::usage::{find_process, Members};
use crate::exec::{ExecError, Exit, Network, RunOutcome, RunSpec};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// A server running in a job's container.
pub(super) struct Server {
    /// Where its probe writes the outcome when the server ends.
    result_file: PathBuf,
    /// Where its probe wrote the server's process group id (in the container).
    pidfile: PathBuf,
    started: Instant,
    /// The outcome, once read (the server ended).
    ended: Option<Result<RunOutcome, String>>,
}

impl Server {
    /// Reads the probe's result if the server has ended.
    fn poll(&mut self, memory: u64) -> Option<&Result<RunOutcome, String>> {
        if self.ended.is_none() {
            self.ended = read_result(&self.result_file, "server", memory)
                .map(|r| r.map_err(|e| e.to_string()));
        }
        self.ended.as_ref()
    }
}

impl Docker {
    /// Starts `spec` as job `key`'s server ([`crate::exec::Backend::start_service`]).
    pub(super) fn start_server(&mut self, key: &str, spec: &RunSpec) -> Result<Members, ExecError> {
        let c = self.container(key)?;
        if c.dead || c.service.is_some() {
            return Err(ExecError::Container(format!(
                "the container of {key} is gone or already runs a server"
            )));
        }
        let (id, memory) = (c.id.clone(), c.memory);
        open_up(&c.writable);
        let result_file = spec.stdout.with_extension("probe.json");
        let pidfile = spec.stdout.with_extension("pid");
        let _ = std::fs::remove_file(&pidfile);
        let cmd = probe_command(spec, c.rename.as_ref(), &result_file, Some(&pidfile));
        let env: Vec<String> = spec.env.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let client = &self.client;
        let started = self.rt.block_on(async {
            let cwd = spec.cwd.display().to_string();
            let exec = new_exec(client, &id, cmd, Some(env), Some(cwd), false).await?;
            client
                .start_exec(
                    &exec,
                    Some(bollard::exec::StartExecOptions {
                        detach: true,
                        ..Default::default()
                    }),
                )
                .await
                .map_err(|e| format!("cannot start the exec: {e}"))?;
            Ok::<_, String>(())
        });
        started.map_err(ExecError::Container)?;
        // The probe writes the pid file once the server process exists.
        let start = Instant::now();
        while !pidfile.exists() {
            if let Some(r) = read_result(&result_file, &spec.argv[0], memory) {
                return Err(match r {
                    Err(e) => e,
                    Ok(o) => ExecError::Container(format!("the server ended at once ({})", o.exit)),
                });
            }
            if start.elapsed() > Duration::from_secs(30) {
                return Err(ExecError::Container(
                    "the server did not start within 30 s".into(),
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        // The probe is the only process anywhere whose command line names this result file.
        let marker = result_file.display().to_string();
        let members = find_process(&|argv| argv[0] == PROBE_PATH && argv.contains(&marker))
            .map_or(Members::Unknown, Members::Under);
        if let Some(c) = self.jobs.get_mut(key) {
            c.service = Some(Server {
                result_file,
                pidfile,
                started: start,
                ended: None,
            });
        }
        Ok(members)
    }

    /// How job `key`'s server ended, if it has ([`crate::exec::Backend::service_exit`]).
    pub(super) fn server_exit(&mut self, key: &str) -> Option<Exit> {
        let c = self.jobs.get_mut(key)?;
        let memory = c.memory;
        match c.service.as_mut()?.poll(memory)? {
            Ok(o) => Some(o.exit),
            Err(_) => Some(Exit::Code(-1)),
        }
    }

    /// Whether job `key`'s server accepts connections on `port`
    /// ([`crate::exec::Backend::service_accepts`]).
    pub(super) fn server_accepts(&mut self, key: &str, port: u16) -> bool {
        let Some(c) = self.jobs.get(key) else {
            return false;
        };
        match c.port {
            // Docker's forwarding accepts on 127.0.0.1 before the server listens: ask inside.
            Some((_, Network::Published)) => {
                let id = c.id.clone();
                let cmd = vec![PROBE_PATH.to_string(), "--connect".into(), port.to_string()];
                self.exec_short(&id, cmd) == Ok(0)
            }
            _ => loopback_accepts(port),
        }
    }

    /// Stops job `key`'s server and measures its whole run
    /// ([`crate::exec::Backend::stop_service`]).
    pub(super) fn stop_server(
        &mut self,
        key: &str,
        grace: Duration,
    ) -> Result<RunOutcome, ExecError> {
        let Some(c) = self.jobs.get_mut(key) else {
            return Err(ExecError::Container(format!("job {key} has no container")));
        };
        let memory = c.memory;
        let Some(mut server) = c.service.take() else {
            return Err(ExecError::Container(format!("job {key} runs no server")));
        };
        let id = c.id.clone();
        if server.poll(memory).is_none() {
            let signal = |sig: &str| {
                vec![
                    PROBE_PATH.to_string(),
                    "--signal".into(),
                    server.pidfile.display().to_string(),
                    sig.to_string(),
                ]
            };
            let (term, kill) = (signal("TERM"), signal("KILL"));
            let _ = self.exec_short(&id, term);
            let ended = |server: &mut Server, limit: Duration| {
                let t = Instant::now();
                while server.poll(memory).is_none() && t.elapsed() < limit {
                    std::thread::sleep(Duration::from_millis(20));
                }
                server.ended.is_some()
            };
            if !ended(&mut server, grace) {
                let _ = self.exec_short(&id, kill);
                ended(&mut server, Duration::from_secs(10));
            }
        }
        match server.ended {
            Some(r) => r.map_err(ExecError::Container),
            None => {
                self.kill(key);
                Err(ExecError::Container(format!(
                    "the server of {key} could not be stopped after {:.1} s; its container was killed",
                    server.started.elapsed().as_secs_f64()
                )))
            }
        }
    }
}
