//! The manifest's serialized shape: what a `manifests/<slug>.toml` file may contain.
//!
//! These types mirror the TOML one to one (serde, with spans kept where a later check needs to
//! point at a value). They hold no behaviour and make no judgement: whether a value makes sense
//! (a known placeholder, an existing folder) is decided in `validate/`, a duplicate id across
//! manifests by `load_all` (`mod.rs`).
//! The format is documented for users in `docs/manifest.md`; keep the two in step.

use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

/// A whole project manifest.
#[derive(Debug, Clone, Deserialize)]
pub struct RawManifest {
    /// Project number from the seed list, e.g. `"3.3"`.
    pub id: Spanned<String>,
    /// Short name used for folders and report files, e.g. `"log-masker"`.
    pub slug: Spanned<String>,
    /// Group number (1–9) of the seed list.
    pub group: Spanned<u32>,
    /// Bilingual texts, keyed by language code (`en`, `th`).
    pub text: BTreeMap<String, Spanned<Text>>,
    /// Free-form notes shown beside the project's results (optional).
    #[serde(default)]
    pub notes: Option<BTreeMap<String, String>>,
    /// Tools and libraries every job of this project needs.
    #[serde(default)]
    pub requires: Requires,
    /// Named parameters substituted as `{param.NAME}`; overridable with `--param NAME=VALUE`.
    #[serde(default)]
    pub params: BTreeMap<String, Spanned<toml::Value>>,
    /// The small parameters of `runner bench --quick`.
    pub quick: Option<Spanned<RawQuick>>,
    /// Named inputs, substituted as `{input.NAME}`.
    #[serde(default)]
    pub inputs: BTreeMap<String, Spanned<RawInput>>,
    /// Implementations keyed by language (`go`, `rust`, `zig`).
    #[serde(default)]
    pub lang: BTreeMap<String, Spanned<RawLang>>,
    /// Reference programs measured in the same rounds, shown but never ranked.
    #[serde(default)]
    pub reference: Vec<Spanned<RawReference>>,
    /// Output checks; an implementation that fails one gets no number.
    #[serde(default)]
    pub verify: Vec<Spanned<RawCheck>>,
    /// The headline metric.
    pub metric: Option<Spanned<RawMetric>>,
    /// How many runs, for how long.
    #[serde(default)]
    pub sampling: RawSampling,
    /// Present when every implementation is a server: how to tell it is ready and stop it.
    pub service: Option<Spanned<RawService>>,
    /// Services the runner starts before each implementation (e.g. upstream backends).
    #[serde(default)]
    pub fixture: Vec<Spanned<RawFixture>>,
    /// The load a service is measured under.
    pub load: Option<Spanned<RawLoad>>,
    /// Docker backend settings: default backend, container limits.
    pub docker: Option<Spanned<RawDocker>>,
}

/// How a service is started, judged ready and stopped.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RawService {
    /// `tcp` (a connection is accepted; default) or `http` (GET `ready_path` answers `ready_status`).
    pub ready: Option<Spanned<String>>,
    /// For `ready = "http"`: the path to request (default `/`).
    pub ready_path: Option<Spanned<String>>,
    /// For `ready = "http"`: the expected status (default 200).
    pub ready_status: Option<Spanned<u16>>,
    /// Seconds to wait for readiness (default 10).
    pub ready_timeout: Option<Spanned<f64>>,
    /// Seconds between SIGTERM and SIGKILL at teardown (default 2).
    pub grace: Option<Spanned<f64>>,
}

/// A service started before each implementation: the built-in HTTP backend or a command.
#[derive(Debug, Clone, Deserialize)]
pub struct RawFixture {
    /// Name used in placeholders: `{fixture.NAME}`.
    pub name: Spanned<String>,
    /// How many instances (default 1), each on its own port.
    pub count: Option<Spanned<u32>>,
    /// `http`: the runner's built-in HTTP backend.
    pub builtin: Option<Spanned<String>>,
    /// Built-in backend: body size of each answer (default 1024).
    pub body_bytes: Option<Spanned<u64>>,
    /// Built-in backend: delay before each answer, in milliseconds (default 0).
    pub delay_ms: Option<Spanned<u64>>,
    /// A command that serves on `{port}` instead of the built-in backend.
    pub run: Option<Vec<Spanned<String>>>,
    /// Extra environment of the command.
    #[serde(default)]
    pub env: BTreeMap<String, Spanned<String>>,
}

/// The load: closed loop at each connection count, or open loop at a constant rate.
#[derive(Debug, Clone, Deserialize)]
pub struct RawLoad {
    /// Connection counts, one measured level each, e.g. `[16, 64, 256]`.
    pub connections: Vec<Spanned<u32>>,
    /// Which level is the headline (default: the last).
    pub headline_connections: Option<Spanned<u32>>,
    /// Measured seconds per level and round (default 10).
    pub duration: Option<Spanned<f64>>,
    /// Unmeasured seconds of load before each level's window (default 2).
    pub warmup: Option<Spanned<f64>>,
    /// Open loop: total requests per second; absent = closed loop.
    pub rate: Option<Spanned<f64>>,
    /// Seconds before an unanswered request counts as a timeout (default 5).
    pub timeout: Option<Spanned<f64>>,
    /// Threads of the load generator (default: half the CPUs, at least one).
    pub threads: Option<Spanned<u32>>,
    /// Largest fraction of failed requests (connect, timeout, closed, parse) for a valid round
    /// (default 0.001).
    pub max_error_rate: Option<Spanned<f64>>,
    /// The requests, cycled through.
    #[serde(default)]
    pub request: Vec<Spanned<RawRequest>>,
}

/// One HTTP request.
#[derive(Debug, Clone, Deserialize)]
pub struct RawRequest {
    /// Method (default GET).
    pub method: Option<Spanned<String>>,
    /// Path and query.
    pub path: Spanned<String>,
    /// Headers.
    #[serde(default)]
    pub headers: BTreeMap<String, Spanned<String>>,
    /// Body.
    pub body: Option<Spanned<String>>,
}

/// One step of an `http` check: a request and what its answer must be.
#[derive(Debug, Clone, Deserialize)]
pub struct RawStep {
    /// Shown in results (default: method and path).
    pub name: Option<Spanned<String>>,
    /// Method (default GET).
    pub method: Option<Spanned<String>>,
    /// Path and query.
    pub path: Spanned<String>,
    /// Request headers.
    #[serde(default)]
    pub headers: BTreeMap<String, Spanned<String>>,
    /// Request body.
    pub body: Option<Spanned<String>>,
    /// Send it this many times, each answer checked (default 1).
    pub repeat: Option<Spanned<u32>>,
    /// Expected status.
    pub status: Option<Spanned<u16>>,
    /// Expected header values (names case-insensitive, values exact).
    #[serde(default)]
    pub expect_headers: BTreeMap<String, Spanned<String>>,
    /// Expected body, exactly.
    pub body_equals: Option<Spanned<String>>,
    /// Text the body must contain.
    pub body_contains: Option<Spanned<String>>,
    /// JSON body fields (dotted paths) and their expected values.
    #[serde(default)]
    pub json: BTreeMap<String, Spanned<toml::Value>>,
}

/// `[docker]`: how the project runs under `--backend docker`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RawDocker {
    /// Run this project in Docker unless `--backend` says otherwise.
    pub default: Option<Spanned<bool>>,
    /// Memory limit of each container, e.g. `"512M"`, `"2G"` (swap off).
    pub memory: Option<Spanned<String>>,
    /// CPU limit of each container, in CPUs (e.g. `1.5`); default none.
    pub cpus: Option<Spanned<f64>>,
    /// How a service's container is reached: `"published"` (default) or `"host"`.
    pub network: Option<Spanned<String>>,
}

/// `[lang.<l>.docker]`: the implementation's image comes from its own Dockerfile.
#[derive(Debug, Clone, Deserialize)]
pub struct RawLangDocker {
    /// Dockerfile, relative to the implementation's folder (which is the build context).
    pub dockerfile: Spanned<String>,
    /// Where the program is inside the image (default `/bench/<artifact file name>`).
    pub program: Option<Spanned<String>>,
}

/// Name, one-line summary and the skill practised, in one language.
#[derive(Debug, Clone, Deserialize, serde::Serialize, PartialEq)]
pub struct Text {
    /// Project name.
    pub name: String,
    /// One-line summary of what the program does.
    pub summary: String,
    /// The skill the project practises (the seed's "ฝึก …").
    pub skill: String,
}

/// What the project needs from the machine, checked before it runs and installed by
/// `runner doctor --provision` (and `runner bench` as root).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Requires {
    /// Executables on PATH that no declared package brings: the pinned toolchains and the base
    /// system (`go`, `cargo`, `sh`, `sed`).
    #[serde(default)]
    pub executables: Vec<Spanned<String>>,
    /// Superseded by `[requires.apt.PACKAGE] pkg_config`; kept so the validator can say so.
    #[serde(default)]
    pub pkg_config: Vec<Spanned<String>>,
    /// Debian (and Ubuntu) packages, keyed by package name: what each one provides.
    #[serde(default)]
    pub apt: BTreeMap<String, Spanned<RawAptPackage>>,
    /// PyPI packages for Python oracles and references, keyed by name: the exact version.
    #[serde(default)]
    pub pypi: BTreeMap<String, Spanned<String>>,
}

/// What one Debian package provides; every item is checked on the machine.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RawAptPackage {
    /// Programs it installs on PATH (`/usr/sbin` included).
    #[serde(default)]
    pub executables: Vec<Spanned<String>>,
    /// `pkg-config` names it installs.
    #[serde(default)]
    pub pkg_config: Vec<Spanned<String>>,
    /// Absolute paths, `*` matching within one component; one of them must exist.
    #[serde(default)]
    pub files: Vec<Spanned<String>>,
    /// Python modules `python3` can import once it is installed.
    #[serde(default)]
    pub python_modules: Vec<Spanned<String>>,
}

/// `[quick]`: what `runner bench --quick` uses instead of the defaults — a first look in minutes.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RawQuick {
    /// Parameter values (each one declared in `[params]`).
    #[serde(default)]
    pub params: BTreeMap<String, Spanned<toml::Value>>,
}

/// One input file: generated by a command, or a file in the repository.
#[derive(Debug, Clone, Deserialize)]
pub struct RawInput {
    /// Command that writes the file to `{out}`; its argv and `sources` form the cache key.
    pub generate: Option<Vec<Spanned<String>>>,
    /// Command run once before `generate` (e.g. building the generator); not part of the key.
    pub prepare: Option<Vec<Spanned<String>>>,
    /// Files or folders whose contents are hashed into the cache key.
    #[serde(default)]
    pub sources: Vec<Spanned<String>>,
    /// A file in the repository, relative to the repository root.
    pub path: Option<Spanned<String>>,
}

/// One language's implementation.
#[derive(Debug, Clone, Deserialize)]
pub struct RawLang {
    /// Why this language has no implementation yet (the other fields are then not allowed).
    pub todo: Option<Spanned<String>>,
    /// Implementation folder, relative to the repository root.
    pub dir: Option<Spanned<String>>,
    /// Build command, run in `dir`.
    pub build: Option<Vec<Spanned<String>>>,
    /// The built program, relative to `dir`; its size is recorded.
    pub artifact: Option<Spanned<String>>,
    /// Run command with placeholders, run in `dir`.
    pub run: Option<Vec<Spanned<String>>>,
    /// The implementation's own unit tests (`runner test`), run in `dir`.
    pub test: Option<Vec<Spanned<String>>>,
    /// Extra environment for build and run.
    #[serde(default)]
    pub env: BTreeMap<String, Spanned<String>>,
    /// Under `--backend docker`: build the image from a Dockerfile instead of `FROM scratch`.
    pub docker: Option<Spanned<RawLangDocker>>,
    /// Extra builds of this language (`[[lang.<l>.variant]]`), measured beside it, never ranked.
    #[serde(default)]
    pub variant: Vec<Spanned<RawVariant>>,
}

/// `[[lang.<l>.variant]]`: another build of a language's implementation (another optimisation
/// mode, a library instead of hand-written code), measured and shown beside it but never ranked.
/// Keys left out are the language's own (`dir`, `run`; `env` is added to the language's).
#[derive(Debug, Clone, Deserialize)]
pub struct RawVariant {
    /// Display name, shown as `<lang> (<name>)`, e.g. `"ReleaseFast"`.
    pub name: Option<Spanned<String>>,
    /// Folder of this build, relative to the repository root (default: the language's `dir`).
    pub dir: Option<Spanned<String>>,
    /// Build command, run in `dir`.
    pub build: Option<Vec<Spanned<String>>>,
    /// The built program, relative to `dir`; must differ from the language's own.
    pub artifact: Option<Spanned<String>>,
    /// Run command (default: the language's `run`).
    pub run: Option<Vec<Spanned<String>>>,
    /// Environment added to the language's own for this build and its runs.
    #[serde(default)]
    pub env: BTreeMap<String, Spanned<String>>,
    /// What differs from the headline build: one text, or one per language code (`en`, `th`).
    pub note: Option<Spanned<RawNote>>,
}

/// A short text shown to readers: the same in every language, or one per language code.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum RawNote {
    /// One text for every page.
    Plain(String),
    /// Texts keyed by language code (`en`, `th`).
    ByLang(BTreeMap<String, String>),
}

/// A reference program (e.g. `sed -E`): measured beside the implementations, not ranked.
#[derive(Debug, Clone, Deserialize)]
pub struct RawReference {
    /// Display name.
    pub name: Spanned<String>,
    /// Run command with placeholders, run in the repository root.
    pub run: Vec<Spanned<String>>,
    /// Whether the output checks apply to it (default false: shown as "not verified").
    #[serde(default)]
    pub verified: bool,
    /// Extra environment.
    #[serde(default)]
    pub env: BTreeMap<String, Spanned<String>>,
}

/// An output check. One flat table for every kind (serde's tagged enums lose TOML spans);
/// `validate/verify.rs` checks that each kind has exactly the fields it needs.
#[derive(Debug, Clone, Deserialize)]
pub struct RawCheck {
    /// `cross_language`, `exact`, `checksum`, `numeric` or `command`.
    pub kind: Spanned<String>,
    /// cross_language: file names inside `{out}` that must be byte-identical across languages.
    pub files: Option<Vec<Spanned<String>>>,
    /// cross_language: also compare standard output.
    pub stdout: Option<Spanned<bool>>,
    /// exact, checksum, numeric: a file name inside `{out}`, or `"stdout"`.
    pub file: Option<Spanned<String>>,
    /// exact: the expected file, relative to the repository root.
    pub expected: Option<Spanned<String>>,
    /// checksum: lower-case hex SHA-256 of `file`.
    pub sha256: Option<Spanned<String>>,
    /// checksum: the parameter values the checksum was computed for; with others in effect
    /// (`--quick`, `--param`) the check does not apply. Absent: it always applies.
    pub params: Option<BTreeMap<String, Spanned<toml::Value>>>,
    /// numeric: dotted paths of JSON numbers compared across languages, e.g. `"masked.card"`.
    pub fields: Option<Vec<Spanned<String>>>,
    /// numeric: largest allowed relative difference.
    pub tolerance: Option<Spanned<f64>>,
    /// command: argv with placeholders, run in the repository root; exit 0 means correct.
    pub run: Option<Vec<Spanned<String>>>,
    /// http: the requests sent in order to a fresh instance of the service, with expectations.
    pub step: Option<Vec<Spanned<RawStep>>>,
}

/// The headline metric.
#[derive(Debug, Clone, Deserialize)]
pub struct RawMetric {
    /// `wall_time`, `throughput`, `reported` or `requests` (services).
    pub headline: Spanned<String>,
    /// For `throughput`: the input whose size is divided by the wall time.
    pub input: Option<Spanned<String>>,
    /// For `reported`: dotted path of the number in the program's JSON stdout line.
    pub field: Option<Spanned<String>>,
    /// For `reported`: the unit shown.
    pub unit: Option<Spanned<String>>,
    /// For `reported`: `lower` or `higher` is better.
    pub better: Option<Spanned<String>>,
    /// Smallest relative difference called a difference (default 0.02).
    pub min_effect: Option<Spanned<f64>>,
    /// Also count each implementation's instructions once under callgrind after the timed runs
    /// (default false; command projects only).
    pub instructions: Option<Spanned<bool>>,
}

/// Sampling settings; every field has a default.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RawSampling {
    /// Unmeasured runs per language before measuring (default 1).
    pub warmup: Option<Spanned<u32>>,
    /// Least number of measured runs (default 10).
    pub min_runs: Option<Spanned<u32>>,
    /// Most measured runs (default 100).
    pub max_runs: Option<Spanned<u32>>,
    /// Least total measured time per language, in seconds (default 3).
    pub min_time: Option<Spanned<f64>>,
    /// Stop early once the relative standard error of the mean is at most this (default 0.01).
    pub target_rse: Option<Spanned<f64>>,
    /// Per-run timeout in seconds (default 60).
    pub timeout: Option<Spanned<f64>>,
    /// Fewer runs than `min_runs` that the published (committed) numbers may be measured with
    /// (`runner bench --runs N`), for a project whose runs are too long for `min_runs` on the
    /// publishing machine; absent: published numbers need `min_runs`.
    pub published_runs: Option<Spanned<u32>>,
}
