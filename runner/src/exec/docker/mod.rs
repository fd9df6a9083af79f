//! The Docker backend: each job runs in its own long-lived container, and each run is timed
//! *inside* it, so container start-up (hundreds of milliseconds) never enters a measurement.
//! This folder is the only place that knows bollard; its async calls run on a current-thread
//! tokio runtime owned by [`Docker`] (`block_on` at the [`Backend`] boundary).
//!
//! - **Images.** A job with `[lang.<l>.docker] dockerfile` gets an image built from its folder
//!   (sent as a tar). Otherwise the runner assembles one `FROM scratch` holding the statically
//!   linked artifact built on this machine at `/bench/<file name>`. Both are tagged
//!   `runner/<project>-<lang>:<content hash>` and reused while the hash matches.
//! - **Runs.** The container's main process is `runner-probe-static --idle`, which holds on to
//!   standard input; the runner keeps that stream attached, so when the runner dies — even by
//!   SIGKILL — the container ends and is removed (`AutoRemove`). Each run is a `docker exec` of
//!   the static probe, bind-mounted read-only at [`PROBE_PATH`]: it spawns the program, waits with
//!   `wait4`, enforces the timeout on the program's process group and writes one JSON line
//!   (wall/user/sys/max RSS, exit, OOM kills of the container's cgroup) into the job's folder.
//! - **Paths.** The repository root and the input cache are bind-mounted read-only, and the
//!   job's own folder (outputs, stdout/stderr files) read-write, all at their host paths, so a
//!   run command needs no rewriting except `{artifact}`, which becomes the program's path in the
//!   image. Verification reads outputs on the host side as for native runs.
//! - **Isolation.** No network (`none`), a memory limit with swap off, an optional CPU limit, a read-only root
//!   filesystem with a writable `/tmp` tmpfs, a non-root user, all capabilities dropped,
//!   `no-new-privileges`, a pids limit.
//! - **Servers** (service benchmarks). A job prepared with a port gets, by default
//!   ([`Network::Published`]), its own network namespace on the private bridge
//!   [`SERVICE_NETWORK`] (no NAT, no traffic between containers) with the port published on
//!   127.0.0.1 only; the server listens on `0.0.0.0` inside (`{bind}`), and the fixtures it talks
//!   to listen on the bridge's host side (the only host address a container there reaches).
//!   With [`Network::Host`] it shares this machine's network namespace and listens on 127.0.0.1
//!   like a native server. [`Backend::start_service`] execs the probe with `--pidfile` in the
//!   background; the server's processes are found in this machine's `/proc` below that probe
//!   (for CPU time and peak memory over a load window); it is stopped with the probe's
//!   `--signal`, and the probe's result is its whole run.
//! - **Cleanup.** Containers carry the label `runner.managed` and `runner.owner=<pid>:<start>`;
//!   [`Docker::cleanup`] (also on drop and after Ctrl-C) removes this runner's, and
//!   [`Docker::connect`] removes leftovers of runner processes that no longer exist.
//!
//! Builds, input generators and check commands are not containerised: [`Backend::run`] runs them
//! on this machine through the native backend.
//!
//! Where each concern lives: `engine.rs` (connecting, labels, leftovers), `image.rs` (images and
//! their cache), `container.rs` (a job's container: mounts, limits, lease, kill, removal),
//! `network.rs` (offline, published or host; the runner-loopback bridge), `user.rs` (the
//! containers' user and what it may read), `probe.rs` (the static probe and its results),
//! `run.rs` (execs of runs), `server.rs` (servers). This file holds the backend itself and the
//! order in which [`Backend::prepare`] makes a job's environment.

mod container;
mod engine;
mod image;
mod network;
mod probe;
mod run;
mod server;
mod user;

pub use engine::{DockerError, Engine, LABEL, OWNER_LABEL};
pub use image::check_static;
pub use network::SERVICE_NETWORK;
pub use probe::{static_probe, PROBE_PATH, STATIC_TARGET};

use super::interrupt::Interrupt;
use super::native::Native;
use super::usage::Members;
use super::{
    Backend, ExecError, Exit, JobSetup, Network, PrepareError, Prepared, RunOutcome, RunSpec,
};
use container::Container;
use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// The Docker backend.
pub struct Docker {
    rt: tokio::runtime::Runtime,
    client: bollard::Docker,
    engine: Engine,
    native: Native,
    interrupt: Interrupt,
    probe: PathBuf,
    owner: String,
    user: String,
    jobs: HashMap<String, Container>,
}

impl std::fmt::Debug for Docker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Docker")
            .field("engine", &self.engine)
            .field("probe", &self.probe)
            .finish()
    }
}

/// The last `lines` non-blank lines of `text` (a build log, a probe's complaint).
fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

impl Docker {
    /// Makes `job`'s image and container ([`Backend::prepare`]): any earlier container of the
    /// job goes, the image is built or found, the folders the runs read are checked against the
    /// containers' user, the job's folder is opened to it, the network is chosen, the container
    /// started; a published port's forwarder is recorded in the placement.
    fn prepare_job(&mut self, job: &JobSetup) -> Result<Prepared, PrepareError> {
        if job.reference {
            return Err(PrepareError::Unsupported(
                "reference programs run only with --backend native (no image holds them)".into(),
            ));
        }
        self.remove(&job.key);
        let started = Instant::now();
        let image = self.image(job)?;
        let build_time = started.elapsed();
        user::check_readable(&self.user, &job.read_only).map_err(PrepareError::Failed)?;
        std::fs::create_dir_all(&job.writable).map_err(|e| {
            PrepareError::Failed(format!("cannot create {}: {e}", job.writable.display()))
        })?;
        user::open_up(&job.writable);
        let (attachment, mut placement) = self.attachment(job).map_err(PrepareError::Failed)?;
        let (id, lease) = self
            .start_container(job, &image.tag, attachment)
            .map_err(PrepareError::Failed)?;
        if let Some(p) = placement
            .as_mut()
            .filter(|p| p.network == Network::Published)
        {
            p.forwarding = network::forwarder(p.port);
        }
        let rename = job
            .artifact_named
            .as_ref()
            .map(|a| (a.display().to_string(), image.program.clone()));
        self.jobs.insert(
            job.key.clone(),
            Container {
                id,
                rename,
                writable: job.writable.clone(),
                memory: job.memory,
                _lease: lease,
                dead: false,
                port: job.port.map(|p| (p, job.network)),
                service: None,
            },
        );
        Ok(Prepared {
            image: image.tag,
            image_id: image.id,
            source: image.source.into(),
            cached: image.cached,
            build_time,
            placement,
        })
    }
}

impl Drop for Docker {
    fn drop(&mut self) {
        self.cleanup();
    }
}

impl Backend for Docker {
    fn name(&self) -> &'static str {
        "docker"
    }

    fn run(&mut self, spec: &RunSpec) -> Result<RunOutcome, ExecError> {
        self.native.run(spec)
    }

    fn static_builds(&self) -> bool {
        true
    }

    fn prepare(&mut self, job: &JobSetup) -> Result<Option<Prepared>, PrepareError> {
        self.prepare_job(job).map(Some)
    }

    fn run_job(&mut self, key: &str, spec: &RunSpec) -> Result<RunOutcome, ExecError> {
        self.run_in(key, spec)
    }

    fn start_service(&mut self, key: &str, spec: &RunSpec) -> Result<Members, ExecError> {
        self.start_server(key, spec)
    }

    fn service_exit(&mut self, key: &str) -> Option<Exit> {
        self.server_exit(key)
    }

    fn service_accepts(&mut self, key: &str, port: u16) -> bool {
        self.server_accepts(key, port)
    }

    fn stop_service(&mut self, key: &str, grace: Duration) -> Result<RunOutcome, ExecError> {
        self.stop_server(key, grace)
    }

    fn cleanup(&mut self) {
        self.remove_all();
    }
}
