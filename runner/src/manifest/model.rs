//! The validated manifest: what the rest of the runner works with.
//!
//! Built only by `validate/`, so every value here has passed its checks: languages are known,
//! placeholders name things that exist, numbers are in range. Nothing here touches the disk.

use super::schema::Text;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// The three languages compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Go.
    Go,
    /// Rust.
    Rust,
    /// Zig.
    Zig,
}

impl Lang {
    /// All languages, in display order.
    pub const ALL: [Lang; 3] = [Lang::Go, Lang::Rust, Lang::Zig];

    /// The lowercase name used in manifests and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::Go => "go",
            Lang::Rust => "rust",
            Lang::Zig => "zig",
        }
    }

    /// Parses a lowercase language name.
    pub fn parse(s: &str) -> Option<Lang> {
        Lang::ALL.into_iter().find(|l| l.as_str() == s)
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A validated project manifest.
#[derive(Debug, Clone)]
pub struct Manifest {
    /// Where it was read from.
    pub path: PathBuf,
    /// SHA-256 of the manifest text, recorded in reports.
    pub sha256: String,
    /// Project number, e.g. "3.3".
    pub id: String,
    /// Short name, e.g. "log-masker".
    pub slug: String,
    /// Group number.
    pub group: u32,
    /// Texts by language code.
    pub text: BTreeMap<String, Text>,
    /// Notes by language code.
    pub notes: BTreeMap<String, String>,
    /// What the project needs from the machine (`[requires]`).
    pub requires: crate::prereq::Requirements,
    /// Parameters (already rendered as strings).
    pub params: BTreeMap<String, String>,
    /// The parameters `runner bench --quick` uses instead (`[quick] params`), as strings.
    pub quick_params: BTreeMap<String, String>,
    /// Inputs by name.
    pub inputs: BTreeMap<String, InputDef>,
    /// Implementations by language.
    pub langs: BTreeMap<Lang, LangDef>,
    /// Reference programs.
    pub references: Vec<ReferenceDef>,
    /// Output checks.
    pub checks: Vec<Check>,
    /// Headline metric; `None` for a project with no implementation yet.
    pub metric: Option<Metric>,
    /// Sampling settings.
    pub sampling: Sampling,
    /// Set when the implementations are servers.
    pub service: Option<ServiceDef>,
    /// Services started before each implementation.
    pub fixtures: Vec<FixtureDef>,
    /// The load services are measured under.
    pub load: Option<LoadDef>,
    /// Docker backend settings.
    pub docker: DockerSettings,
}

/// How a service is judged ready and stopped.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceDef {
    /// `None`: TCP connect; `Some((path, status))`: HTTP GET.
    pub ready_http: Option<(String, u16)>,
    /// Readiness deadline.
    pub ready_timeout: Duration,
    /// SIGTERM to SIGKILL.
    pub grace: Duration,
}

/// A fixture service.
#[derive(Debug, Clone, PartialEq)]
pub struct FixtureDef {
    /// Placeholder name.
    pub name: String,
    /// Instances.
    pub count: u32,
    /// What runs.
    pub kind: FixtureKind,
}

/// What a fixture runs.
#[derive(Debug, Clone, PartialEq)]
pub enum FixtureKind {
    /// The built-in HTTP backend.
    BuiltinHttp {
        /// Answer body size.
        body_bytes: u64,
        /// Delay before answering, ms.
        delay_ms: u64,
    },
    /// A command serving on `{port}`.
    Command {
        /// Argv with placeholders.
        run: Vec<String>,
        /// Extra environment.
        env: BTreeMap<String, String>,
    },
}

/// One HTTP request.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HttpRequest {
    /// Method.
    pub method: String,
    /// Path and query.
    pub path: String,
    /// Headers in declaration order.
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: String,
}

/// The load of a service benchmark.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadDef {
    /// Connection counts, one level each.
    pub connections: Vec<u32>,
    /// The headline level.
    pub headline_connections: u32,
    /// Measured window per level.
    pub duration: Duration,
    /// Unmeasured load before the window.
    pub warmup: Duration,
    /// Open loop rate (requests/s), or closed loop.
    pub rate: Option<f64>,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Load generator threads (0: number of CPUs).
    pub threads: u32,
    /// Largest fraction of failed requests.
    pub max_error_rate: f64,
    /// Requests cycled through.
    pub requests: Vec<HttpRequest>,
}

/// One step of an `http` check.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpStep {
    /// Display name.
    pub name: String,
    /// The request.
    pub request: HttpRequest,
    /// Times sent.
    pub repeat: u32,
    /// Expected status.
    pub status: Option<u16>,
    /// Expected headers (lower-case names).
    pub headers: Vec<(String, String)>,
    /// Expected body.
    pub body_equals: Option<String>,
    /// Expected body substring.
    pub body_contains: Option<String>,
    /// Expected JSON fields.
    pub json: Vec<(String, serde_json::Value)>,
}

/// `[docker]` with defaults applied.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DockerSettings {
    /// Run this project in Docker unless `--backend` says otherwise.
    pub default: bool,
    /// Memory limit of each container, bytes (`None`: the runner's default).
    pub memory: Option<u64>,
    /// CPU limit of each container (`None`: no limit).
    pub cpus: Option<f64>,
    /// How a service's container is reached (`None`: the runner's default, published).
    pub network: Option<crate::exec::Network>,
}

/// `[lang.<l>.docker]`: an image built from the implementation's own Dockerfile.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageDef {
    /// Dockerfile, relative to the implementation's folder.
    pub dockerfile: String,
    /// The program's path inside the image (default `/bench/<artifact file name>`).
    pub program: Option<String>,
}

impl Manifest {
    /// Languages that have an implementation (not `todo`).
    pub fn implemented(&self) -> impl Iterator<Item = (Lang, &Implementation)> {
        self.langs.iter().filter_map(|(l, d)| match d {
            LangDef::Impl(i) => Some((*l, i)),
            LangDef::Todo(_) => None,
        })
    }

    /// Every variant, by language then manifest order, with its index among its language's.
    pub fn variants(&self) -> impl Iterator<Item = (Lang, usize, &Variant)> {
        self.implemented()
            .flat_map(|(l, i)| i.variants.iter().enumerate().map(move |(n, v)| (l, n, v)))
    }
}

/// Where an input comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum InputDef {
    /// Made by a command and cached by a key derived from the command and its sources.
    Generated {
        /// Optional command run first (e.g. building the generator).
        prepare: Option<Vec<String>>,
        /// The generating command; `{out}` is the file to write.
        generate: Vec<String>,
        /// Files or folders hashed into the cache key.
        sources: Vec<String>,
    },
    /// A file in the repository.
    File(String),
}

/// One language's entry.
#[derive(Debug, Clone)]
pub enum LangDef {
    /// Not implemented yet, with the reason.
    Todo(String),
    /// Implemented.
    Impl(Implementation),
}

/// How to build and run one implementation.
#[derive(Debug, Clone)]
pub struct Implementation {
    /// Folder, relative to the repository root.
    pub dir: String,
    /// Build command.
    pub build: Vec<String>,
    /// Built program, relative to `dir`.
    pub artifact: String,
    /// Run command.
    pub run: Vec<String>,
    /// The implementation's own test command, if any.
    pub test: Option<Vec<String>>,
    /// Extra environment.
    pub env: BTreeMap<String, String>,
    /// Under `--backend docker`: the Dockerfile that builds the image.
    pub docker: Option<ImageDef>,
    /// Extra builds of this language, in manifest order (empty for a variant itself).
    pub variants: Vec<Variant>,
}

/// Another build of a language's implementation (`[[lang.<l>.variant]]`): built, verified and
/// measured like it, shown beside it, never ranked against the other languages.
#[derive(Debug, Clone)]
pub struct Variant {
    /// Its name, e.g. `ReleaseFast`.
    pub name: String,
    /// What differs from the headline build, by language code (a plain text is under `en`).
    pub note: BTreeMap<String, String>,
    /// How to build and run it, with the language's `dir`, `run` and `env` filled in where the
    /// variant leaves them out; no `test`, no `docker`, no variants of its own.
    pub imp: Implementation,
}

/// The name of a variant's job in reports and tables: `zig (ReleaseFast)`.
pub fn variant_job_name(lang: Lang, variant: &str) -> String {
    format!("{lang} ({variant})")
}

/// A reference program.
#[derive(Debug, Clone)]
pub struct ReferenceDef {
    /// Display name.
    pub name: String,
    /// Run command.
    pub run: Vec<String>,
    /// Whether checks apply.
    pub verified: bool,
    /// Extra environment.
    pub env: BTreeMap<String, String>,
}

/// Where a check reads its data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OutputRef {
    /// The program's standard output.
    Stdout,
    /// A file inside the run's output folder.
    File(String),
}

impl fmt::Display for OutputRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OutputRef::Stdout => f.write_str("stdout"),
            OutputRef::File(n) => f.write_str(n),
        }
    }
}

/// A validated output check.
#[derive(Debug, Clone, PartialEq)]
pub enum Check {
    /// Outputs byte-identical across languages.
    CrossLanguage(Vec<OutputRef>),
    /// Output equals a repository file.
    Exact {
        /// Which output.
        output: OutputRef,
        /// Expected file, relative to the repository root.
        expected: String,
    },
    /// Output has this SHA-256.
    Checksum {
        /// Which output.
        output: OutputRef,
        /// Lower-case hex.
        sha256: String,
        /// The parameter values (as text) it holds for; empty: every run. With other values
        /// in effect it does not apply.
        params: BTreeMap<String, String>,
    },
    /// JSON numbers agree across languages within a relative tolerance.
    Numeric {
        /// Which output.
        output: OutputRef,
        /// Dotted field paths.
        fields: Vec<String>,
        /// Relative tolerance.
        tolerance: f64,
    },
    /// A command exits 0.
    Command(Vec<String>),
    /// A script of HTTP requests against a fresh instance of the service.
    Http(Vec<HttpStep>),
}

/// Whether smaller or larger values win.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Better {
    /// Smaller is better (times).
    Lower,
    /// Larger is better (rates).
    Higher,
}

/// What the headline number is.
#[derive(Debug, Clone, PartialEq)]
pub enum MetricKind {
    /// Wall-clock time of one run, in seconds.
    WallTime,
    /// Input bytes ÷ wall time, in MB/s (10^6 bytes).
    Throughput {
        /// The input whose size counts.
        input: String,
    },
    /// A number the program prints as JSON on stdout.
    Reported {
        /// Dotted path in the JSON line.
        field: String,
    },
    /// Instructions executed under callgrind (`runner bench --mode instructions`; not declared
    /// in manifests).
    Instructions,
    /// Responses per second of a service at the headline connection count.
    Requests,
}

/// The headline metric with its unit and direction.
#[derive(Debug, Clone, PartialEq)]
pub struct Metric {
    /// Kind and its parameters.
    pub kind: MetricKind,
    /// Unit shown after the number.
    pub unit: String,
    /// Direction.
    pub better: Better,
    /// Smallest relative difference called a difference.
    pub min_effect: f64,
    /// `[metric] instructions = true`: every bench also counts each implementation's
    /// instructions once under callgrind, after the timed runs (command projects only).
    pub instructions: bool,
}

impl Metric {
    /// The short name used in reports.
    pub fn name(&self) -> &'static str {
        match self.kind {
            MetricKind::WallTime => "wall_time",
            MetricKind::Throughput { .. } => "throughput",
            MetricKind::Reported { .. } => "reported",
            MetricKind::Instructions => "instructions",
            MetricKind::Requests => "requests",
        }
    }
}

/// Sampling settings with defaults applied.
#[derive(Debug, Clone, PartialEq)]
pub struct Sampling {
    /// Unmeasured runs per language.
    pub warmup: u32,
    /// Least measured runs.
    pub min_runs: u32,
    /// Most measured runs.
    pub max_runs: u32,
    /// Least total measured time per language.
    pub min_time: Duration,
    /// Early stop threshold on the relative standard error.
    pub target_rse: f64,
    /// Per-run timeout.
    pub timeout: Duration,
    /// Fewer runs than `min_runs` declared the published setting (`runner render --check`
    /// accepts latest reports measured with at least this many).
    pub published_runs: Option<u32>,
}

impl Default for Sampling {
    fn default() -> Self {
        Sampling {
            warmup: 1,
            min_runs: 10,
            max_runs: 100,
            min_time: Duration::from_secs(3),
            target_rse: 0.01,
            timeout: Duration::from_secs(60),
            published_runs: None,
        }
    }
}
