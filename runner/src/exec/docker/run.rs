//! Running commands in a job's container: every measured or verifying run is a `docker exec` of
//! the static probe ([`Docker::run_in`]), watched from outside for Ctrl-C, the output cap and a
//! backstop past the timeout (the probe enforces the timeout itself; Docker cannot kill one exec,
//! so any of these kills the whole container); short helper commands of the probe (`--connect`,
//! `--signal`) run to completion ([`Docker::exec_short`]). Never makes or removes a container.

use super::container::{kill_container, Container};
use super::probe::{probe_command, read_result};
use super::user::open_up;
use super::{tail, Docker};
use crate::exec::interrupt::Interrupt;
use crate::exec::{ExecError, Exit, RunOutcome, RunSpec};
use futures_util::StreamExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How an attached exec ended, as seen from outside the container.
#[derive(Default)]
struct Ended {
    /// What the probe itself printed (its own errors), at most 64 KiB.
    probe_output: String,
    exit_code: Option<i64>,
    interrupted: bool,
    overflow: bool,
    stuck: bool,
}

/// What watching a run stops on.
struct Watch {
    interrupt: Interrupt,
    /// The output cap, bytes, checked on both files.
    cap: u64,
    stdout: PathBuf,
    stderr: PathBuf,
    /// The probe enforces the timeout; this backstop only catches a probe that cannot.
    backstop: Duration,
    start: Instant,
}

impl Docker {
    /// The prepared container of job `key`.
    pub(super) fn container(&self, key: &str) -> Result<&Container, ExecError> {
        self.jobs.get(key).ok_or_else(|| {
            ExecError::Container(format!("job {key} has no container (it was not prepared)"))
        })
    }

    /// Runs `spec` in job `key`'s container through the probe and measures it
    /// ([`crate::exec::Backend::run_job`]).
    pub(super) fn run_in(&mut self, key: &str, spec: &RunSpec) -> Result<RunOutcome, ExecError> {
        let c = self.container(key)?;
        if c.dead {
            return Err(ExecError::Container(format!(
                "the container of {key} was killed earlier (timeout, output cap or Ctrl-C)"
            )));
        }
        if spec.argv.is_empty() {
            return Err(ExecError::Empty);
        }
        let id = c.id.clone();
        let memory = c.memory;
        open_up(&c.writable);
        let result_file = spec.stdout.with_extension("probe.json");
        let cmd = probe_command(spec, c.rename.as_ref(), &result_file, None);
        let env: Vec<String> = spec.env.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let cwd = spec.cwd.display().to_string();
        let watch = Watch {
            interrupt: self.interrupt.clone(),
            cap: spec.output_cap,
            stdout: spec.stdout.clone(),
            stderr: spec.stderr.clone(),
            backstop: spec.timeout + Duration::from_secs(15),
            start: Instant::now(),
        };
        let ended = self
            .rt
            .block_on(attached(&self.client, &id, cmd, env, cwd, &watch));
        let elapsed = watch.start.elapsed();
        let ended = ended.map_err(ExecError::Container)?;
        if ended.interrupted || ended.overflow || ended.stuck {
            self.kill(key);
            let _ = std::fs::remove_file(&result_file);
            return Ok(RunOutcome {
                wall: elapsed,
                user: Duration::ZERO,
                sys: Duration::ZERO,
                max_rss: 0,
                exit: Exit::Signal(libc::SIGKILL),
                timed_out: ended.stuck,
                output_overflow: ended.overflow,
                interrupted: ended.interrupted,
                out_of_memory: None,
            });
        }
        match read_result(&result_file, &spec.argv[0], memory) {
            Some(r) => r,
            None => Err(ExecError::Container(format!(
                "the probe in the container reported nothing (exec exit code {}){}",
                ended
                    .exit_code
                    .map_or("unknown".to_string(), |c| c.to_string()),
                if ended.probe_output.trim().is_empty() {
                    String::new()
                } else {
                    format!(": {}", tail(&ended.probe_output, 5))
                }
            ))),
        }
    }

    /// Runs a short command in the container and waits for it; returns its exit code.
    pub(super) fn exec_short(&mut self, id: &str, cmd: Vec<String>) -> Result<i64, String> {
        let client = &self.client;
        self.rt.block_on(async {
            let exec = new_exec(client, id, cmd, None, None, true).await?;
            if let bollard::exec::StartExecResults::Attached { mut output, .. } = client
                .start_exec(&exec, None)
                .await
                .map_err(|e| format!("cannot start the exec: {e}"))?
            {
                while output.next().await.is_some() {}
            }
            Ok(client
                .inspect_exec(&exec)
                .await
                .ok()
                .and_then(|i| i.exit_code)
                .unwrap_or(-1))
        })
    }
}

/// Runs `cmd` in container `id` with its output attached, until it ends or `watch` says to stop
/// (then the container is killed).
async fn attached(
    client: &bollard::Docker,
    id: &str,
    cmd: Vec<String>,
    env: Vec<String>,
    cwd: String,
    watch: &Watch,
) -> Result<Ended, String> {
    let exec = new_exec(client, id, cmd, Some(env), Some(cwd), true).await?;
    let started = client
        .start_exec(&exec, None)
        .await
        .map_err(|e| format!("cannot start the exec: {e}"))?;
    let mut ended = Ended::default();
    if let bollard::exec::StartExecResults::Attached { mut output, .. } = started {
        let mut tick = tokio::time::interval(Duration::from_millis(100));
        loop {
            tokio::select! {
                item = output.next() => match item {
                    Some(Ok(chunk)) => {
                        if ended.probe_output.len() < 65536 {
                            ended.probe_output.push_str(&String::from_utf8_lossy(&chunk.into_bytes()));
                        }
                    }
                    Some(Err(_)) | None => break,
                },
                _ = tick.tick() => {
                    let big = |p: &Path| std::fs::metadata(p).map(|m| m.len() > watch.cap).unwrap_or(false);
                    if watch.interrupt.is_set() {
                        ended.interrupted = true;
                    } else if big(&watch.stdout) || big(&watch.stderr) {
                        ended.overflow = true;
                    } else if watch.start.elapsed() > watch.backstop {
                        ended.stuck = true;
                    } else {
                        continue;
                    }
                    // Docker cannot kill one exec: the container goes (the job is over).
                    kill_container(client, id).await;
                    break;
                }
            }
        }
    }
    ended.exit_code = client
        .inspect_exec(&exec)
        .await
        .ok()
        .and_then(|i| i.exit_code);
    Ok(ended)
}

/// Creates an exec of `cmd` in container `id` (with `env` and `cwd` when given; output attached
/// when `attach`); returns its id.
pub(super) async fn new_exec(
    client: &bollard::Docker,
    id: &str,
    cmd: Vec<String>,
    env: Option<Vec<String>>,
    cwd: Option<String>,
    attach: bool,
) -> Result<String, String> {
    client
        .create_exec(
            id,
            bollard::exec::CreateExecOptions {
                cmd: Some(cmd),
                env,
                working_dir: cwd,
                attach_stdout: Some(attach),
                attach_stderr: Some(attach),
                ..Default::default()
            },
        )
        .await
        .map(|e| e.id)
        .map_err(|e| format!("cannot create the exec: {e}"))
}
