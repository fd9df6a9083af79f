//! The report's serialized contract. Bump [`SCHEMA_VERSION`] on any incompatible change and say
//! what changed in `docs/report.md`. Times are integer nanoseconds, sizes integer bytes; each
//! headline value is in the unit named by the project's `metric.unit`.

use crate::exec::Exit;
use crate::manifest::schema::Text;
use crate::manifest::Better;
use crate::stats::{Comparison, Outliers, Summary};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Version of this schema.
pub const SCHEMA_VERSION: u32 = 2;

/// One invocation of `runner bench` (or one project's latest view).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Report {
    /// Schema version; readers refuse versions they do not know.
    pub schema_version: u32,
    /// `runner` version that wrote it.
    pub runner_version: String,
    /// When the invocation started (RFC 3339, UTC).
    pub started_at: String,
    /// When it finished; absent while running or after a crash.
    pub finished_at: Option<String>,
    /// True once every planned project has been handled.
    pub complete: bool,
    /// True if the run was stopped by Ctrl-C / SIGTERM.
    pub interrupted: bool,
    /// The command line.
    pub command: Vec<String>,
    /// Backend used (`native`, `fake`).
    pub backend: String,
    /// The machine.
    pub host: super::host::Host,
    /// Exact toolchain versions (`go version`, `rustc -Vv`, `zig version`, `cargo -V`).
    pub toolchains: BTreeMap<String, String>,
    /// Pinned versions from toolchains.toml.
    pub pins: BTreeMap<String, String>,
    /// Repository state.
    pub git: Git,
    /// The one CPU level every build targeted (toolchains.toml `[cpu]` or `--cpu`).
    #[serde(default)]
    pub cpu_target: Option<crate::toolchain::cpu::CpuTarget>,
    /// What spawned and measured each run: `runner-probe`, `runner __probe` (the runner itself,
    /// ~0.7 MiB higher peak-RSS floor) or `none`.
    #[serde(default)]
    pub probe: String,
    /// `time` (the manifests' metrics) or `instructions` (callgrind's Ir).
    #[serde(default = "default_mode")]
    pub mode: String,
    /// CPU the measured runs were pinned to (`--pin`).
    #[serde(default)]
    pub pinned_cpu: Option<usize>,
    /// 1-minute load average when the run ended.
    #[serde(default)]
    pub load_avg_end: Option<f64>,
    /// Warnings about the machine: governor, turbo, virtualisation, load.
    #[serde(default)]
    pub environment: Vec<String>,
    /// Run order.
    pub schedule: ScheduleInfo,
    /// One entry per project.
    pub projects: Vec<ProjectReport>,
    /// For a report merged from CI shards (`runner merge`): each shard's own header, since
    /// `host`, `git` and `toolchains` above are only the first shard's. Empty otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shards: Vec<ShardInfo>,
    /// The Docker engine and container limits, for `--backend docker`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub docker: Option<DockerInfo>,
}

/// How containers were run (`--backend docker`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DockerInfo {
    /// Where the engine was reached (`DOCKER_HOST` or the default socket).
    pub host: String,
    /// Engine version.
    pub engine_version: String,
    /// Docker API version used.
    pub api_version: String,
    /// Network of the containers: `none` (loopback only).
    pub network: String,
}

/// The image a job's runs ran in (`--backend docker`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ImageReport {
    /// Reference, `runner/<project>-<lang>:<content hash>`.
    pub tag: String,
    /// Image id (`sha256:…`).
    pub id: String,
    /// `scratch` (assembled by the runner around the static artifact) or `dockerfile`.
    pub source: String,
    /// Reused from the engine's cache (same content hash).
    pub cached: bool,
    /// Time to build (or find) the image, ns.
    pub build_ns: u64,
    /// Memory limit of the container, bytes (swap off).
    pub memory_limit_bytes: u64,
    /// CPU limit of the container (`None`: unthrottled).
    pub cpus: Option<f64>,
    /// A server's network (service benchmarks): how 127.0.0.1 reaches it, what it listened on,
    /// where its fixtures were, and what forwarded requests (`docker-proxy`, `iptables`, `none`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<crate::exec::Placement>,
}

/// The header of one shard report folded into a merged report.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ShardInfo {
    /// When the shard's `runner bench` started (RFC 3339, UTC).
    pub started_at: String,
    /// The machine the shard ran on.
    pub host: super::host::Host,
    /// Repository state of the shard.
    pub git: Git,
    /// Exact toolchain versions of the shard.
    pub toolchains: BTreeMap<String, String>,
    /// Slugs of the projects the shard measured.
    pub projects: Vec<String>,
}

fn default_mode() -> String {
    "time".into()
}

/// Repository state at measurement time.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct Git {
    /// `git rev-parse HEAD`, if in a repository.
    pub commit: Option<String>,
    /// Uncommitted changes to tracked files existed.
    pub dirty: bool,
}

/// How runs were ordered.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ScheduleInfo {
    /// RNG seed of the round order.
    pub seed: u64,
    /// Interleaved rounds (default) or sequential.
    pub interleaved: bool,
}

/// The headline metric of a project.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct MetricInfo {
    /// `wall_time`, `throughput` or `reported`.
    pub name: String,
    /// Unit of headline values (`s`, `MB/s`, …).
    pub unit: String,
    /// Which direction wins.
    pub better: Better,
    /// Smallest relative difference called a difference.
    pub min_effect: f64,
}

/// An input file as used.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct InputReport {
    /// Input name.
    pub name: String,
    /// Path used.
    pub path: String,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256 of the contents.
    pub sha256: String,
    /// Cache key (generated inputs).
    pub cache_key: Option<String>,
    /// Taken from the cache rather than generated now.
    pub cached: bool,
}

/// Overall state of a project in this report.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ProjectStatus {
    /// Not started yet (or the runner died before it).
    Pending,
    /// Being measured.
    Running,
    /// Done: see the jobs' statuses.
    Finished,
    /// Skipped before building (missing requirement, no implementation…).
    Skipped,
    /// Could not run (inputs failed…).
    Failed,
    /// Stopped by Ctrl-C.
    Interrupted,
}

/// One project.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ProjectReport {
    /// Project id, e.g. "3.3".
    pub id: String,
    /// Slug.
    pub slug: String,
    /// Group.
    pub group: u32,
    /// Manifest path as given.
    pub manifest: String,
    /// SHA-256 of the manifest text.
    pub manifest_sha256: String,
    /// Texts by language code.
    pub text: BTreeMap<String, Text>,
    /// Headline metric.
    pub metric: Option<MetricInfo>,
    /// Parameters after overrides.
    pub params: BTreeMap<String, String>,
    /// Inputs used.
    pub inputs: Vec<InputReport>,
    /// Status.
    pub status: ProjectStatus,
    /// Why skipped or failed.
    pub reason: Option<String>,
    /// One per language (including not-implemented ones).
    pub jobs: Vec<JobReport>,
    /// Reference programs: shown, never ranked.
    pub references: Vec<JobReport>,
    /// Pairwise comparisons of the headline metric between verified languages.
    pub comparisons: Vec<ComparisonReport>,
    /// Warnings (outliers, noisy samples…).
    pub warnings: Vec<String>,
}

/// A job's verdict.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    /// Not reached yet.
    Pending,
    /// Built, verified and measured: its numbers count.
    Ok,
    /// No implementation in this language yet.
    NotImplemented,
    /// Not run (requirement missing, `--lang` filter).
    Skipped,
    /// The build failed.
    BuildFailed,
    /// A run exited non-zero, crashed, or printed too much.
    RunFailed,
    /// A run passed its timeout.
    Timeout,
    /// A run was killed by the kernel's OOM killer at its container's memory limit.
    OutOfMemory,
    /// The output failed verification: no number.
    VerifyFailed,
    /// Measured, but no check applies (reference rows): shown, not ranked.
    Unverified,
    /// Stopped by Ctrl-C.
    Interrupted,
}

impl JobStatus {
    /// True when the job's numbers may be shown as results.
    pub fn has_numbers(self) -> bool {
        matches!(self, JobStatus::Ok | JobStatus::Unverified)
    }
    /// True for verdicts that mean something went wrong.
    pub fn is_failure(self) -> bool {
        matches!(
            self,
            JobStatus::BuildFailed
                | JobStatus::RunFailed
                | JobStatus::Timeout
                | JobStatus::OutOfMemory
                | JobStatus::VerifyFailed
        )
    }
}

/// The build of one implementation.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct BuildReport {
    /// The build command.
    pub command: Vec<String>,
    /// Build wall time, ns.
    pub wall_ns: u64,
    /// Exit status.
    pub exit: Exit,
    /// Artifact path.
    pub artifact: String,
    /// Artifact size, bytes (absent if the build failed).
    pub artifact_bytes: Option<u64>,
    /// Last lines of the build's output when it failed.
    pub log_tail: Option<String>,
}

/// One check on one job.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CheckResult {
    /// Check kind and target, e.g. `cross_language masked.log`.
    pub check: String,
    /// Passed, failed, or not applicable (`None`).
    pub passed: Option<bool>,
    /// What was found.
    pub detail: String,
}

/// One measured run.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SampleReport {
    /// Wall time, ns.
    pub wall_ns: u64,
    /// User CPU, ns.
    pub user_ns: u64,
    /// System CPU, ns.
    pub sys_ns: u64,
    /// Peak RSS, bytes.
    pub max_rss_bytes: u64,
    /// Exit status.
    pub exit: Exit,
    /// Headline value in the metric's unit.
    pub headline: f64,
}

/// Summaries of a job's samples.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct JobSummary {
    /// Headline metric.
    pub headline: Summary,
    /// Wall time, seconds.
    pub wall_s: Summary,
    /// User CPU, seconds.
    pub user_s: Summary,
    /// System CPU, seconds.
    pub sys_s: Summary,
    /// Peak RSS, bytes.
    pub max_rss_bytes: Summary,
    /// Outliers of the headline metric (indexes into `samples`), reported, not removed.
    pub outliers: Outliers,
}

/// One contender of one project.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct JobReport {
    /// `go`, `rust`, `zig`, or a reference's name.
    pub name: String,
    /// True for reference rows.
    pub reference: bool,
    /// Verdict.
    pub status: JobStatus,
    /// Why, for anything but `ok`.
    pub reason: Option<String>,
    /// Build (implementations).
    pub build: Option<BuildReport>,
    /// Verification results.
    pub verification: Vec<CheckResult>,
    /// Unmeasured warm-up runs done.
    pub warmups: u32,
    /// Measured runs, in order.
    pub samples: Vec<SampleReport>,
    /// Statistics over `samples` (≥ 1 sample).
    pub summary: Option<JobSummary>,
    /// Instructions executed in one run under callgrind (`--instructions`).
    #[serde(default)]
    pub instructions: Option<u64>,
    /// The run command.
    pub command: Vec<String>,
    /// Last lines of stderr of a failed run.
    pub stderr_tail: Option<String>,
    /// The container image of the runs (`--backend docker`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<ImageReport>,
    /// Services: every load level with its rounds (the headline level's rounds are also the
    /// `samples`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub load: Vec<LoadLevel>,
}

/// One load level of a service benchmark (a connection count, closed or open loop).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LoadLevel {
    /// Concurrent connections.
    pub connections: u32,
    /// Open loop: the intended total rate (requests/s); `None` for closed loop.
    pub rate: Option<f64>,
    /// True for the level whose requests/s is the headline.
    pub headline: bool,
    /// One per measured round, in order.
    pub rounds: Vec<LoadRound>,
    /// Requests/s over the rounds.
    pub rps: Option<Summary>,
}

/// One measured window at one load level.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LoadRound {
    /// Length of the window, ns.
    pub window_ns: u64,
    /// Responses completed in the window.
    pub requests: u64,
    /// Responses per second.
    pub rps: f64,
    /// Response body bytes per second.
    pub body_bytes_per_s: f64,
    /// Latency from the actual send.
    pub latency: crate::loadgen::Latency,
    /// Open loop: latency from the intended send time (coordinated omission corrected).
    pub latency_corrected: Option<crate::loadgen::Latency>,
    /// Responses by status code.
    pub statuses: BTreeMap<String, u64>,
    /// Failed requests by kind: connect, timeout, closed, parse, io.
    pub errors: BTreeMap<String, u64>,
    /// User CPU of the service's process group during the window, ns.
    pub server_user_ns: u64,
    /// System CPU of the service's process group during the window, ns.
    pub server_sys_ns: u64,
    /// Peak RSS of the service's process group (sum of its processes' high-water marks), bytes.
    pub server_max_rss_bytes: u64,
}

/// A pairwise comparison of the headline metric.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ComparisonReport {
    /// First language.
    pub a: String,
    /// Second language.
    pub b: String,
    /// Statistics of mean(a) / mean(b).
    pub stats: Comparison,
    /// The better of the two when the difference is significant, by the metric's direction.
    pub better: Option<String>,
}

impl ProjectReport {
    /// True for a service's project (headline requests/s): each sample is one load window,
    /// `wall_ns` its length and `user_ns`/`sys_ns` the server's CPU over it.
    pub fn is_service(&self) -> bool {
        self.metric.as_ref().is_some_and(|m| m.name == "requests")
    }
}

impl JobReport {
    /// An empty job report.
    pub fn new(name: &str, reference: bool, status: JobStatus) -> Self {
        JobReport {
            name: name.to_string(),
            reference,
            status,
            reason: None,
            build: None,
            verification: Vec::new(),
            warmups: 0,
            samples: Vec::new(),
            summary: None,
            instructions: None,
            command: Vec::new(),
            stderr_tail: None,
            image: None,
            load: Vec::new(),
        }
    }
}
