//! Running one command and measuring it from the outside.
//!
//! A [`Backend`] runs a [`RunSpec`] to completion and returns a [`RunOutcome`]: wall time, CPU
//! time and peak memory of that run alone, its exit status, whether it timed out. `native.rs`
//! runs processes on this machine; `docker.rs` runs each job's runs inside its own long-lived
//! container; `fake.rs` returns deterministic numbers for tests. Backends do not decide what a
//! result means (that is `measure`'s job) and never print.
//!
//! Builds, input generators and check commands always go through [`Backend::run`] (on this
//! machine). A job's verification and measured runs go through [`Backend::run_job`], after
//! [`Backend::prepare`] made the job's environment (a no-op for the native backend); a service
//! job's server is started, watched and stopped through [`Backend::start_service`],
//! [`Backend::service_exit`], [`Backend::service_accepts`] and [`Backend::stop_service`] by both
//! real backends; and [`Backend::cleanup`] releases every prepared environment and server.

pub mod docker;
pub mod fake;
pub mod interrupt;
pub mod native;
pub mod probe_result;
pub mod server;
pub mod usage;

pub use usage::Members;

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

/// One command to run.
#[derive(Debug, Clone)]
pub struct RunSpec {
    /// Program and arguments, placeholders already expanded.
    pub argv: Vec<String>,
    /// Working directory.
    pub cwd: PathBuf,
    /// Environment added to the runner's own.
    pub env: Vec<(String, String)>,
    /// File given as standard input (`/dev/null` when `None`).
    pub stdin: Option<PathBuf>,
    /// Where standard output is written.
    pub stdout: PathBuf,
    /// Where standard error is written.
    pub stderr: PathBuf,
    /// The run is killed (whole process group) after this long.
    pub timeout: Duration,
    /// Standard output or error beyond this many bytes kills the run.
    pub output_cap: u64,
    /// Pin the program to this CPU (`--pin`); `None` lets the kernel schedule it.
    pub pin: Option<usize>,
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Exit {
    /// Exited with this code.
    Code(i32),
    /// Killed by this signal.
    Signal(i32),
}

impl Exit {
    /// True for exit code 0.
    pub fn success(self) -> bool {
        self == Exit::Code(0)
    }
}

impl std::fmt::Display for Exit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Exit::Code(c) => write!(f, "exit code {c}"),
            Exit::Signal(s) => write!(f, "killed by signal {s} ({})", signal_name(*s)),
        }
    }
}

fn signal_name(s: i32) -> &'static str {
    match s {
        libc::SIGKILL => "SIGKILL",
        libc::SIGSEGV => "SIGSEGV",
        libc::SIGABRT => "SIGABRT",
        libc::SIGTERM => "SIGTERM",
        libc::SIGINT => "SIGINT",
        libc::SIGBUS => "SIGBUS",
        libc::SIGFPE => "SIGFPE",
        libc::SIGILL => "SIGILL",
        libc::SIGPIPE => "SIGPIPE",
        libc::SIGXFSZ => "SIGXFSZ",
        _ => "signal",
    }
}

/// What one run measured.
#[derive(Debug, Clone, PartialEq)]
pub struct RunOutcome {
    /// Wall-clock time from spawn to exit.
    pub wall: Duration,
    /// User CPU time of this run (its process and waited-for children).
    pub user: Duration,
    /// System CPU time.
    pub sys: Duration,
    /// Peak resident set size, bytes.
    pub max_rss: u64,
    /// Exit status.
    pub exit: Exit,
    /// Killed because the timeout passed.
    pub timed_out: bool,
    /// Killed because stdout or stderr grew past the cap.
    pub output_overflow: bool,
    /// Killed because the runner was interrupted (Ctrl-C / SIGTERM).
    pub interrupted: bool,
    /// Killed by the kernel's OOM killer under a memory limit of this many bytes (containers).
    pub out_of_memory: Option<u64>,
}

/// Why a run could not even start.
#[derive(Debug, thiserror::Error)]
pub enum ExecError {
    /// The program could not be started.
    #[error("cannot start `{program}`: {source}")]
    Spawn {
        /// The program.
        program: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// The output files could not be opened.
    #[error("cannot open {path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The argv was empty.
    #[error("empty command")]
    Empty,
    /// The job's container could not run the command.
    #[error("{0}")]
    Container(String),
}

/// What a backend needs to know to get one job's runs ready ([`Backend::prepare`]).
#[derive(Debug, Clone)]
pub struct JobSetup {
    /// Unique within a bench: `<project slug>/<job name>`; names the job in `run_job`.
    pub key: String,
    /// Project slug.
    pub project: String,
    /// `go`, `rust`, `zig`, or a reference's name.
    pub name: String,
    /// True for reference programs.
    pub reference: bool,
    /// The implementation's folder (a Dockerfile's build context).
    pub dir: PathBuf,
    /// The built program on this machine, as built (absent for references and Dockerfile images).
    pub artifact: Option<PathBuf>,
    /// The program's path as the run command names it (`{artifact}`), when it differs from
    /// `artifact` (e.g. a static build written elsewhere).
    pub artifact_named: Option<PathBuf>,
    /// A Dockerfile (relative to `dir`) that builds the job's image.
    pub dockerfile: Option<String>,
    /// With `dockerfile`: where the program is inside the image.
    pub program: Option<String>,
    /// Folders the runs read (repository root, input cache); containers see them read-only at
    /// the same paths.
    pub read_only: Vec<PathBuf>,
    /// The job's own folder (outputs, captured stdout/stderr); writable, at the same path.
    pub writable: PathBuf,
    /// Where a failed image build's log is written.
    pub log: PathBuf,
    /// The server's TCP port (service benchmarks); `None` keeps the job offline.
    pub port: Option<u16>,
    /// How clients reach that port.
    pub network: Network,
    /// Memory limit of the environment, bytes (swap off).
    pub memory: u64,
    /// CPU limit in CPUs (`None`: unthrottled).
    pub cpus: Option<f64>,
}

impl JobSetup {
    /// The memory limit of a job's environment when neither the manifest (`[docker] memory`)
    /// nor `--memory` gives one.
    pub const DEFAULT_MEMORY: u64 = 4 << 30;
}

/// How a containerised server is reached from this machine (service benchmarks).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Network {
    /// Its own network namespace on a private bridge, the port published on 127.0.0.1 only
    /// (Docker's port forwarding is on every request's path).
    #[default]
    Published,
    /// The host's network namespace: the server listens on 127.0.0.1 like a native one; no
    /// forwarding, no network isolation.
    Host,
}

impl Network {
    /// The name used by `--docker-network` and `[docker] network`.
    pub fn as_str(self) -> &'static str {
        match self {
            Network::Published => "published",
            Network::Host => "host",
        }
    }
}

impl std::str::FromStr for Network {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "published" => Ok(Network::Published),
            "host" => Ok(Network::Host),
            _ => Err(format!("unknown network `{s}` (published or host)")),
        }
    }
}

/// Where a prepared job's server runs, as its run command and its fixtures must see it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Placement {
    /// How it is reached.
    pub network: Network,
    /// The port clients use on 127.0.0.1 (the same inside the container).
    pub port: u16,
    /// `{bind}`: the address the server listens on in its own environment.
    pub bind: String,
    /// Where fixtures listen so that the server can reach them (`{fixture.NAME}`).
    pub fixture_host: std::net::IpAddr,
    /// `{client}`: the address the server sees requests from 127.0.0.1 come from (the bridge's
    /// host side when they are forwarded into a container's own network namespace).
    pub client: std::net::IpAddr,
    /// What forwards a request from 127.0.0.1 to the server, for the report
    /// (`docker-proxy`, `iptables`, `none`).
    pub forwarding: String,
}

/// What [`Backend::prepare`] made, as the report records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prepared {
    /// Image reference, e.g. `runner/log-masker-go:3f2a…`.
    pub image: String,
    /// Image id (`sha256:…`).
    pub image_id: String,
    /// `scratch` (assembled by the runner) or `dockerfile`.
    pub source: String,
    /// Whether the image came from the cache (same content hash).
    pub cached: bool,
    /// Time spent building the image.
    pub build_time: Duration,
    /// Where the job's server runs (jobs prepared with a port).
    pub placement: Option<Placement>,
}

/// Why a job's environment could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PrepareError {
    /// This backend cannot run this kind of job (the job is skipped, with this reason).
    #[error("{0}")]
    Unsupported(String),
    /// The image or container could not be made (the job's build failed, with this reason).
    #[error("{0}")]
    Failed(String),
}

/// Runs commands.
pub trait Backend {
    /// The backend's name, recorded in reports.
    fn name(&self) -> &'static str;
    /// Runs `spec` to completion (or timeout) and measures it, on this machine.
    fn run(&mut self, spec: &RunSpec) -> Result<RunOutcome, ExecError>;
    /// Makes the environment of `job`'s runs (Docker: image and container). `None` when the
    /// backend needs none.
    fn prepare(&mut self, job: &JobSetup) -> Result<Option<Prepared>, PrepareError> {
        let _ = job;
        Ok(None)
    }
    /// Runs one of a prepared job's runs (`key` from [`JobSetup::key`]).
    fn run_job(&mut self, key: &str, spec: &RunSpec) -> Result<RunOutcome, ExecError> {
        let _ = key;
        self.run(spec)
    }
    /// Starts a job's server in the background (service benchmarks): `spec` runs until
    /// [`Backend::stop_service`]; clients reach it on 127.0.0.1 at the job's port (its own
    /// choice natively, the [`Placement`]'s in a container). Returns which of this machine's
    /// processes are the server's. One server per job at a time. The native and Docker backends
    /// implement it; measurement never asks which backend it has.
    fn start_service(&mut self, key: &str, spec: &RunSpec) -> Result<Members, ExecError> {
        let _ = (key, spec);
        Err(ExecError::Container(format!(
            "the {} backend starts no services through this call",
            self.name()
        )))
    }
    /// How the job's server ended, if it has (checked without blocking).
    fn service_exit(&mut self, key: &str) -> Option<Exit> {
        let _ = key;
        None
    }
    /// Whether the job's server accepts a TCP connection on its port (readiness), tried where
    /// the server runs: a forwarding proxy on 127.0.0.1 accepts before the server listens.
    fn service_accepts(&mut self, key: &str, port: u16) -> bool {
        let _ = key;
        server::loopback_accepts(port)
    }
    /// Stops the job's server (SIGTERM, then SIGKILL after `grace`) and measures its whole run.
    fn stop_service(&mut self, key: &str, grace: Duration) -> Result<RunOutcome, ExecError> {
        let _ = (key, grace);
        Err(ExecError::Container(format!(
            "the {} backend has no service to stop",
            self.name()
        )))
    }
    /// Releases everything [`Backend::prepare`] made (called on every path, also after Ctrl-C).
    fn cleanup(&mut self) {}
    /// Whether builds must link statically (images `FROM scratch` hold nothing else).
    fn static_builds(&self) -> bool {
        false
    }
}

/// Set by the signal handler; backends kill the current run when it becomes true.
pub type InterruptFlag = Arc<AtomicBool>;
