//! Running one command and measuring it from the outside.
//!
//! A [`Backend`] runs a [`RunSpec`] to completion and returns a [`RunOutcome`]: wall time, CPU
//! time and peak memory of that run alone, its exit status, whether it timed out. `native.rs`
//! runs processes on this machine; `fake.rs` returns deterministic numbers for tests. Backends do
//! not decide what a result means (that is `measure`'s job) and never print.

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
}

/// Runs commands.
pub trait Backend {
    /// The backend's name, recorded in reports.
    fn name(&self) -> &'static str;
    /// Runs `spec` to completion (or timeout) and measures it.
    fn run(&mut self, spec: &RunSpec) -> Result<RunOutcome, ExecError>;
}

/// Set by the signal handler; backends kill the current run when it becomes true.
pub type InterruptFlag = Arc<AtomicBool>;
