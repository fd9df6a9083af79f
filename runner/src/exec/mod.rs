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
//! [`Backend::prepare`] made the job's environment (a no-op for the native backend); and
//! [`Backend::cleanup`] releases every prepared environment.

pub mod docker;
pub mod fake;
pub mod interrupt;
pub mod native;
pub mod service;

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
    /// TCP ports to publish on 127.0.0.1 (service benchmarks); none keeps the job offline.
    pub ports: Vec<u16>,
    /// Memory limit of the environment, bytes (swap off).
    pub memory: u64,
    /// CPU limit in CPUs (`None`: unthrottled).
    pub cpus: Option<f64>,
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
    /// Starts a prepared job's server in the background (service benchmarks): `spec` runs until
    /// [`Backend::stop_service`]; clients reach it on 127.0.0.1 at the job's published ports.
    /// Only the Docker backend implements it (the native service path spawns servers itself).
    fn start_service(&mut self, key: &str, spec: &RunSpec) -> Result<(), ExecError> {
        let _ = (key, spec);
        Err(ExecError::Container(format!(
            "the {} backend starts no services through this call",
            self.name()
        )))
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
