//! The Docker backend: each job runs in its own long-lived container, and each run is timed
//! *inside* it, so container start-up (hundreds of milliseconds) never enters a measurement.
//! This is the only module that knows bollard; its async calls run on a current-thread tokio
//! runtime owned by [`Docker`] (`block_on` at the [`Backend`] boundary).
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

use super::interrupt::Interrupt;
use super::native::Native;
use super::usage::{find_process, Members};
use super::{
    Backend, ExecError, Exit, JobSetup, Network, Placement, PrepareError, Prepared, RunOutcome,
    RunSpec,
};
use bollard::models::{ContainerCreateBody, HostConfig, Mount, MountType, PortBinding};
use bollard::query_parameters::{
    AttachContainerOptionsBuilder, BuildImageOptionsBuilder, CreateContainerOptionsBuilder,
    KillContainerOptionsBuilder, ListContainersOptionsBuilder, RemoveContainerOptionsBuilder,
};
use futures_util::StreamExt;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::time::{Duration, Instant};

/// Where the static probe is mounted inside every container.
pub const PROBE_PATH: &str = "/.runner-probe";
/// Label on every container and image the runner makes.
pub const LABEL: &str = "runner.managed";
/// Label naming the runner process that owns a container (`<pid>:<start time>`).
pub const OWNER_LABEL: &str = "runner.owner";
/// Default memory limit of a container when neither the manifest nor `--memory` gives one.
pub const DEFAULT_MEMORY: u64 = 4 << 30;
/// The network of containers that publish ports (service benchmarks): a bridge without NAT
/// (`enable_ip_masquerade=false`) and without inter-container traffic, so a server is reachable
/// from this machine's 127.0.0.1 but reaches nothing outside.
pub const SERVICE_NETWORK: &str = "runner-loopback";
/// The target triple static Rust builds (and the static probe) are built for.
pub const STATIC_TARGET: &str = "x86_64-unknown-linux-gnu";

/// The engine, as recorded in the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Engine {
    /// Where it was reached (`DOCKER_HOST` or the default socket).
    pub host: String,
    /// Engine version.
    pub version: String,
    /// API version negotiated.
    pub api_version: String,
}

/// Why the Docker backend cannot start.
#[derive(Debug, thiserror::Error)]
pub enum DockerError {
    /// The engine did not answer.
    #[error("cannot reach the Docker Engine at {host}: {message}\n  start it (e.g. `sudo systemctl start docker`, or `sudo dockerd &`), point DOCKER_HOST at a running engine, or measure without containers: --backend native")]
    Unreachable {
        /// Where the runner looked.
        host: String,
        /// What went wrong.
        message: String,
    },
    /// The static probe could not be found or built.
    #[error("{0}")]
    Probe(String),
    /// Anything else.
    #[error("docker: {0}")]
    Other(String),
}

/// A job's image.
struct Image {
    tag: String,
    id: String,
    cached: bool,
    /// `scratch` or `dockerfile`.
    source: &'static str,
    /// The program's path inside the image.
    program: String,
}

struct Container {
    id: String,
    /// `{artifact}` as the run command names it → the program's path in the image.
    rename: Option<(String, String)>,
    writable: PathBuf,
    memory: u64,
    /// Holding the container's standard input open keeps it alive (see the module docs).
    _lease: Option<Pin<Box<dyn tokio::io::AsyncWrite + Send>>>,
    /// Killed (timeout backstop, output cap, Ctrl-C): further runs cannot happen.
    dead: bool,
    /// The server's port and how it is reached (jobs prepared with a port).
    port: Option<(u16, Network)>,
    /// A server started by `start_service`.
    service: Option<Server>,
}

/// A server running in a job's container.
struct Server {
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

fn host_of_env() -> String {
    std::env::var("DOCKER_HOST").unwrap_or_else(|_| "unix:///var/run/docker.sock".into())
}

/// The start time of process `pid` (clock ticks since boot), to tell a live owner from a reused
/// pid.
fn process_start(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = stat.rsplit_once(')')?.1;
    after.split_whitespace().nth(19)?.parse().ok()
}

/// This runner's owner label value.
fn owner_id() -> String {
    let pid = std::process::id();
    format!("{pid}:{}", process_start(pid).unwrap_or(0))
}

/// Whether the runner process named by an owner label is still alive.
fn owner_alive(owner: &str) -> bool {
    let Some((pid, start)) = owner.split_once(':') else {
        return false;
    };
    match (pid.parse::<u32>(), start.parse::<u64>()) {
        (Ok(pid), Ok(start)) => process_start(pid) == Some(start),
        _ => false,
    }
}

/// Checks that `path` is an ELF program that needs no dynamic loader (so it runs in an image
/// `FROM scratch`).
pub fn check_static(path: &Path) -> Result<(), String> {
    let mut f = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut bytes = Vec::new();
    f.by_ref()
        .take(1 << 20)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let u16_at = |o: usize| {
        bytes
            .get(o..o + 2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]))
    };
    let u32_at = |o: usize| {
        bytes
            .get(o..o + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    let u64_at = |o: usize| {
        bytes
            .get(o..o + 8)
            .map(|b| u64::from_le_bytes(b.try_into().unwrap_or([0; 8])))
    };
    if bytes.get(..4) != Some(b"\x7fELF") || bytes.get(4) != Some(&2) {
        return Err(format!(
            "{} is not a 64-bit ELF program (a script needs an interpreter, which an image FROM scratch does not have)",
            path.display()
        ));
    }
    let (Some(phoff), Some(phentsize), Some(phnum)) = (u64_at(0x20), u16_at(0x36), u16_at(0x38))
    else {
        return Err(format!("{}: truncated ELF header", path.display()));
    };
    for i in 0..phnum as usize {
        let at = phoff as usize + i * phentsize as usize;
        if u32_at(at) == Some(3) {
            return Err(format!(
                "{} is dynamically linked (it needs a loader and shared libraries, which an image FROM scratch does not have)",
                path.display()
            ));
        }
    }
    Ok(())
}

/// The static probe: `RUNNER_PROBE_STATIC` when set; else built from the runner's own sources
/// when they are at hand (a few seconds the first time, it depends on `libc` only; a no-op
/// afterwards, and never stale); else `runner-probe-static` found in the runner's target folder.
/// `announce` is called before a build that may take a while.
pub fn static_probe(announce: &mut dyn FnMut()) -> Result<PathBuf, String> {
    if let Some(p) = std::env::var_os("RUNNER_PROBE_STATIC") {
        return Ok(PathBuf::from(p));
    }
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let exe = std::env::current_exe().map_err(|e| format!("cannot find the runner: {e}"))?;
    let target_dir = exe
        .ancestors()
        .find(|a| a.file_name().is_some_and(|n| n == "target"))
        .map(Path::to_path_buf)
        .unwrap_or_else(|| workspace.join("target"));
    let built = target_dir
        .join(STATIC_TARGET)
        .join("release")
        .join("runner-probe-static");
    if !workspace.join("probe-static").join("Cargo.toml").is_file() {
        return if built.is_file() {
            Ok(built)
        } else {
            Err(format!(
                "the static probe (runner-probe-static) is not built and its sources are not at {}: build it with `RUSTFLAGS=\"-C target-feature=+crt-static\" cargo build --release -p probe-static --target {STATIC_TARGET}`, or set RUNNER_PROBE_STATIC to its path",
                workspace.join("probe-static").display()
            ))
        };
    }
    if !built.is_file() {
        announce();
    }
    let out = std::process::Command::new("cargo")
        .current_dir(&workspace)
        .args([
            "build",
            "--release",
            "--quiet",
            "-p",
            "probe-static",
            "--target",
            STATIC_TARGET,
        ])
        .env("RUSTFLAGS", "-C target-feature=+crt-static")
        .env("CARGO_TARGET_DIR", &target_dir)
        .output()
        .map_err(|e| format!("cannot run cargo to build the static probe: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "building the static probe failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    check_static(&built)?;
    Ok(built)
}

fn tar_header(path: &str, size: u64, mode: u32, kind: tar::EntryType) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(kind);
    let _ = h.set_path(path);
    h.set_size(size);
    h.set_mode(mode);
    h.set_mtime(0);
    h.set_uid(0);
    h.set_gid(0);
    h.set_cksum();
    h
}

/// A reproducible tar (sorted names, zero times and owners) of `files`.
fn tar_of(files: &[(String, Vec<u8>, u32)]) -> std::io::Result<Vec<u8>> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, data, mode) in files {
        let h = tar_header(name, data.len() as u64, *mode, tar::EntryType::Regular);
        b.append(&h, data.as_slice())?;
    }
    b.into_inner()
}

/// Reads `dir` as a build context: every regular file, sorted, except `.git` and names listed in
/// `.dockerignore` (one relative path or name per line; a simplified subset).
fn context_files(dir: &Path) -> std::io::Result<Vec<(String, Vec<u8>, u32)>> {
    use std::os::unix::fs::PermissionsExt;
    let ignore: Vec<String> = std::fs::read_to_string(dir.join(".dockerignore"))
        .unwrap_or_default()
        .lines()
        .map(|l| {
            l.trim()
                .trim_start_matches("./")
                .trim_end_matches('/')
                .to_string()
        })
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    let mut out = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        let mut entries: Vec<_> = std::fs::read_dir(dir.join(&rel))?.flatten().collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let name = e.file_name().to_string_lossy().to_string();
            let r = rel.join(&name);
            let rs = r.to_string_lossy().to_string();
            if name == ".git" || ignore.iter().any(|i| i == &rs || i == &name) {
                continue;
            }
            let meta = std::fs::metadata(e.path())?;
            if meta.is_dir() {
                stack.push(r);
            } else if meta.is_file() {
                let mode = if meta.permissions().mode() & 0o111 != 0 {
                    0o755
                } else {
                    0o644
                };
                out.push((rs, std::fs::read(e.path())?, mode));
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

fn tag_part(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

/// Makes every folder under `dir` writable by the container's user (runs as a non-root user,
/// while the runner may be root and re-creates `{out}` before every run).
fn open_up(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let _ = std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o777));
        if let Ok(rd) = std::fs::read_dir(&d) {
            for e in rd.flatten() {
                if e.file_type().is_ok_and(|t| t.is_dir()) {
                    stack.push(e.path());
                }
            }
        }
    }
}

/// The first folder on the way to `path` (or `path` itself) that a user who is neither its owner
/// nor in its group cannot enter (or, for `path`, list), with its mode.
fn closed_to_others(path: &Path) -> Option<(PathBuf, u32)> {
    use std::os::unix::fs::PermissionsExt;
    let mut ancestors: Vec<&Path> = path.ancestors().collect();
    ancestors.reverse();
    for a in ancestors {
        let mode = std::fs::metadata(a).ok()?.permissions().mode() & 0o7777;
        let need = if a == path { 0o005 } else { 0o001 };
        if mode & need != need {
            return Some((a.to_path_buf(), mode));
        }
    }
    None
}

#[derive(serde::Deserialize)]
struct ProbeResult {
    wall_ns: Option<u64>,
    user_ns: Option<u64>,
    sys_ns: Option<u64>,
    max_rss_kb: Option<u64>,
    code: Option<i32>,
    signal: Option<i32>,
    spawn_error: Option<String>,
    #[serde(default)]
    timed_out: bool,
    oom_kills: Option<u64>,
}

/// The probe's command line in the container for `spec`, with `{artifact}` renamed to the
/// program's path in the image. Clears the output and result files first (the container's user
/// must be able to create them).
fn probe_command(
    spec: &RunSpec,
    rename: Option<&(String, String)>,
    result_file: &Path,
    pidfile: Option<&Path>,
) -> Vec<String> {
    for p in [&spec.stdout, &spec.stderr, &result_file.to_path_buf()] {
        let _ = std::fs::remove_file(p);
    }
    let argv = spec.argv.iter().map(|a| match rename {
        Some((from, to)) if a.contains(from.as_str()) => a.replace(from.as_str(), to),
        _ => a.clone(),
    });
    let mut cmd = vec![
        PROBE_PATH.to_string(),
        "--cgroup-oom".into(),
        "--timeout-ms".into(),
        spec.timeout.as_millis().to_string(),
        "--stdout".into(),
        spec.stdout.display().to_string(),
        "--stderr".into(),
        spec.stderr.display().to_string(),
    ];
    if let Some(stdin) = &spec.stdin {
        cmd.push("--stdin".into());
        cmd.push(stdin.display().to_string());
    }
    if let Some(cpu) = spec.pin {
        cmd.push("--cpu".into());
        cmd.push(cpu.to_string());
    }
    if let Some(p) = pidfile {
        cmd.push("--pidfile".into());
        cmd.push(p.display().to_string());
    }
    cmd.push(result_file.display().to_string());
    cmd.extend(argv);
    cmd
}

/// The outcome the probe reported in `result_file` (removed after reading).
fn read_result(
    result_file: &Path,
    program: &str,
    memory: u64,
) -> Option<Result<RunOutcome, ExecError>> {
    let p = std::fs::read(result_file)
        .ok()
        .and_then(|b| serde_json::from_slice::<ProbeResult>(&b).ok())?;
    let _ = std::fs::remove_file(result_file);
    if let Some(e) = p.spawn_error {
        return Some(Err(ExecError::Spawn {
            program: program.to_string(),
            source: std::io::Error::other(format!("in the container: {e}")),
        }));
    }
    let exit = match (p.code, p.signal) {
        (Some(c), _) => Exit::Code(c),
        (None, Some(s)) => Exit::Signal(s),
        _ => Exit::Code(-1),
    };
    let oom = p.oom_kills.unwrap_or(0) > 0 && exit == Exit::Signal(libc::SIGKILL);
    Some(Ok(RunOutcome {
        wall: Duration::from_nanos(p.wall_ns.unwrap_or(0)),
        user: Duration::from_nanos(p.user_ns.unwrap_or(0)),
        sys: Duration::from_nanos(p.sys_ns.unwrap_or(0)),
        max_rss: p.max_rss_kb.unwrap_or(0) * 1024,
        exit,
        timed_out: p.timed_out,
        output_overflow: false,
        interrupted: false,
        out_of_memory: (oom && !p.timed_out).then_some(memory),
    }))
}

/// Creates an exec of `cmd` in container `id` (with `env` and `cwd` when given; output attached
/// when `attach`); returns its id.
async fn new_exec(
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

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

impl Docker {
    /// Connects to the engine named by `DOCKER_HOST` (default: the local socket), checks that it
    /// answers, and removes containers left behind by runner processes that no longer exist.
    pub fn connect(
        interrupt: Interrupt,
        native: Native,
        probe: PathBuf,
    ) -> Result<Docker, DockerError> {
        let host = host_of_env();
        let unreachable = |message: String| DockerError::Unreachable {
            host: host.clone(),
            message,
        };
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| DockerError::Other(format!("cannot start the async runtime: {e}")))?;
        let client = bollard::Docker::connect_with_defaults()
            .map_err(|e| unreachable(e.to_string()))?
            .with_timeout(Duration::from_secs(3600));
        let (client, version) = rt.block_on(async {
            let probe_timeout = Duration::from_secs(10);
            let client = tokio::time::timeout(probe_timeout, client.negotiate_version())
                .await
                .map_err(|_| unreachable("no answer within 10 s".into()))?
                .map_err(|e| unreachable(e.to_string()))?;
            let version = tokio::time::timeout(probe_timeout, client.version())
                .await
                .map_err(|_| unreachable("no answer within 10 s".into()))?
                .map_err(|e| unreachable(e.to_string()))?;
            Ok::<_, DockerError>((client, version))
        })?;
        check_static(&probe).map_err(|e| DockerError::Probe(format!("the static probe: {e}")))?;
        // SAFETY: geteuid/getegid cannot fail.
        let (uid, gid) = unsafe { (libc::geteuid(), libc::getegid()) };
        let user = if uid == 0 {
            "65534:65534".to_string()
        } else {
            format!("{uid}:{gid}")
        };
        let mut d = Docker {
            engine: Engine {
                host,
                version: version.version.unwrap_or_default(),
                api_version: client.client_version().to_string(),
            },
            rt,
            client,
            native,
            interrupt,
            probe,
            owner: owner_id(),
            user,
            jobs: HashMap::new(),
        };
        d.remove_leftovers()?;
        Ok(d)
    }

    /// The engine, for the report.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Removes containers labelled by runner processes that are gone; returns how many.
    pub fn remove_leftovers(&mut self) -> Result<usize, DockerError> {
        let client = &self.client;
        self.rt.block_on(async {
            let filters: HashMap<String, Vec<String>> =
                HashMap::from([("label".to_string(), vec![LABEL.to_string()])]);
            let list = client
                .list_containers(Some(
                    ListContainersOptionsBuilder::new()
                        .all(true)
                        .filters(&filters)
                        .build(),
                ))
                .await
                .map_err(|e| DockerError::Other(format!("cannot list containers: {e}")))?;
            let mut removed = 0;
            for c in list {
                let owner = c
                    .labels
                    .as_ref()
                    .and_then(|l| l.get(OWNER_LABEL))
                    .cloned()
                    .unwrap_or_default();
                if owner_alive(&owner) {
                    continue;
                }
                if let Some(id) = c.id {
                    let opts = RemoveContainerOptionsBuilder::new().force(true).build();
                    if client.remove_container(&id, Some(opts)).await.is_ok() {
                        removed += 1;
                    }
                }
            }
            Ok(removed)
        })
    }

    /// Builds (or finds in the engine's cache) the image of `job`.
    fn image(&mut self, job: &JobSetup) -> Result<Image, PrepareError> {
        let failed = PrepareError::Failed;
        let (files, dockerfile, program, source) = match &job.dockerfile {
            Some(df) => {
                let files = context_files(&job.dir).map_err(|e| {
                    failed(format!(
                        "cannot read the build context {}: {e}",
                        job.dir.display()
                    ))
                })?;
                let name = job
                    .artifact_named
                    .as_ref()
                    .and_then(|a| a.file_name())
                    .map(|n| n.to_string_lossy().to_string())
                    .unwrap_or_else(|| job.name.clone());
                let program = job
                    .program
                    .clone()
                    .unwrap_or_else(|| format!("/bench/{name}"));
                (files, df.clone(), program, "dockerfile")
            }
            None => {
                let artifact = job.artifact.as_ref().ok_or_else(|| {
                    PrepareError::Unsupported(
                        "nothing to put in an image: no artifact and no [lang.*.docker] dockerfile"
                            .into(),
                    )
                })?;
                check_static(artifact).map_err(|e| {
                    failed(format!(
                        "{e}.\n  The Docker backend assembles a minimal image FROM scratch that holds only the program: build it statically (Go: CGO_ENABLED=0; Rust: the runner adds -C target-feature=+crt-static; Zig: the default target links no libc, or -Dtarget=x86_64-linux-musl), or give [lang.{}.docker] dockerfile = \"Dockerfile\" with an image that holds its libraries",
                        job.name
                    ))
                })?;
                let name = artifact
                    .file_name()
                    .map(|n| n.to_string_lossy().to_string())
                    .unwrap_or_else(|| "program".into());
                let data = std::fs::read(artifact)
                    .map_err(|e| failed(format!("cannot read {}: {e}", artifact.display())))?;
                let dockerfile =
                    format!("FROM scratch\nCOPY program /bench/{name}\nLABEL {LABEL}=1\n");
                let files = vec![
                    ("Dockerfile".to_string(), dockerfile.into_bytes(), 0o644),
                    ("program".to_string(), data, 0o755),
                ];
                (
                    files,
                    "Dockerfile".to_string(),
                    format!("/bench/{name}"),
                    "scratch",
                )
            }
        };
        let tar = tar_of(&files)
            .map_err(|e| failed(format!("cannot assemble the build context: {e}")))?;
        let mut h = Sha256::new();
        h.update(dockerfile.as_bytes());
        h.update([0]);
        h.update(&tar);
        let hash = hex::encode(h.finalize());
        let tag = format!(
            "runner/{}-{}:{}",
            tag_part(&job.project),
            tag_part(&job.name),
            &hash[..16]
        );
        let client = &self.client;
        let log_path = job.log.clone();
        let result = self.rt.block_on(async {
            if let Ok(img) = client.inspect_image(&tag).await {
                return Ok((img.id.unwrap_or_default(), true));
            }
            let labels = HashMap::from([(LABEL, "1")]);
            let opts = BuildImageOptionsBuilder::new()
                .dockerfile(&dockerfile)
                .t(&tag)
                .rm(true)
                .forcerm(true)
                .labels(&labels)
                .build();
            let mut stream = client.build_image(opts, None, Some(bollard::body_full(tar.into())));
            let mut log = String::new();
            let mut error: Option<String> = None;
            while let Some(item) = stream.next().await {
                match item {
                    Ok(info) => {
                        if let Some(s) = info.stream {
                            log.push_str(&s);
                        }
                        if let Some(e) = info.error_detail.and_then(|d| d.message) {
                            log.push_str(&e);
                            log.push('\n');
                            error = Some(e);
                        }
                    }
                    Err(e) => {
                        let msg = e.to_string();
                        log.push_str(&msg);
                        log.push('\n');
                        error = Some(msg);
                        break;
                    }
                }
            }
            let _ = std::fs::write(&log_path, &log);
            if let Some(e) = error {
                return Err(format!(
                    "building image {tag} failed: {e}\n  last lines of the build log ({}):\n{}",
                    log_path.display(),
                    tail(&log, 15)
                ));
            }
            let id = client
                .inspect_image(&tag)
                .await
                .map_err(|e| format!("image {tag} was built but cannot be inspected: {e}"))?
                .id
                .unwrap_or_default();
            Ok((id, false))
        });
        let (id, cached) = result.map_err(failed)?;
        Ok(Image {
            tag,
            id,
            cached,
            source,
            program,
        })
    }

    /// Creates [`SERVICE_NETWORK`] unless it exists; returns its gateway (the host's address on
    /// the bridge).
    fn service_network(&mut self) -> Result<std::net::IpAddr, String> {
        self.ensure_service_network()?;
        let client = &self.client;
        let net = self
            .rt
            .block_on(client.inspect_network(
                SERVICE_NETWORK,
                None::<bollard::query_parameters::InspectNetworkOptions>,
            ))
            .map_err(|e| format!("cannot inspect the network {SERVICE_NETWORK}: {e}"))?;
        net.ipam
            .and_then(|i| i.config)
            .unwrap_or_default()
            .iter()
            .filter_map(|c| c.gateway.as_deref())
            .find_map(|g| g.parse::<std::net::Ipv4Addr>().ok())
            .map(std::net::IpAddr::V4)
            .ok_or_else(|| format!("the network {SERVICE_NETWORK} has no IPv4 gateway"))
    }

    fn ensure_service_network(&mut self) -> Result<(), String> {
        let client = &self.client;
        self.rt.block_on(async {
            if client
                .inspect_network(
                    SERVICE_NETWORK,
                    None::<bollard::query_parameters::InspectNetworkOptions>,
                )
                .await
                .is_ok()
            {
                return Ok(());
            }
            let req = bollard::models::NetworkCreateRequest {
                name: SERVICE_NETWORK.into(),
                driver: Some("bridge".into()),
                labels: Some(HashMap::from([(LABEL.to_string(), "1".to_string())])),
                options: Some(HashMap::from([
                    (
                        "com.docker.network.bridge.enable_ip_masquerade".to_string(),
                        "false".to_string(),
                    ),
                    (
                        "com.docker.network.bridge.enable_icc".to_string(),
                        "false".to_string(),
                    ),
                ])),
                ..Default::default()
            };
            match client.create_network(req).await {
                Ok(_) => Ok(()),
                // Another runner made it meanwhile.
                Err(_)
                    if client
                        .inspect_network(
                            SERVICE_NETWORK,
                            None::<bollard::query_parameters::InspectNetworkOptions>,
                        )
                        .await
                        .is_ok() =>
                {
                    Ok(())
                }
                Err(e) => Err(format!("cannot create the network {SERVICE_NETWORK}: {e}")),
            }
        })
    }

    /// Runs a short command in the container and waits for it; returns its exit code.
    fn exec_short(&mut self, id: &str, cmd: Vec<String>) -> Result<i64, String> {
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

    fn kill(&mut self, key: &str) {
        if let Some(c) = self.jobs.get_mut(key) {
            c.dead = true;
            let id = c.id.clone();
            let client = &self.client;
            self.rt.block_on(async {
                let _ = client
                    .kill_container(
                        &id,
                        Some(KillContainerOptionsBuilder::new().signal("KILL").build()),
                    )
                    .await;
            });
        }
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
        if job.reference {
            return Err(PrepareError::Unsupported(
                "reference programs run only with --backend native (no image holds them)".into(),
            ));
        }
        if let Some(old) = self.jobs.remove(&job.key) {
            let client = &self.client;
            self.rt.block_on(async {
                let opts = RemoveContainerOptionsBuilder::new().force(true).build();
                let _ = client.remove_container(&old.id, Some(opts)).await;
            });
        }
        let started = Instant::now();
        let Image {
            tag,
            id: image_id,
            cached,
            source,
            program,
        } = self.image(job)?;
        let build_time = started.elapsed();
        if self.user.starts_with("65534:") {
            for p in &job.read_only {
                if let Some((dir, mode)) = p.exists().then(|| closed_to_others(p)).flatten() {
                    return Err(PrepareError::Failed(format!(
                        "{} is mode {mode:o}: the containers' user (uid 65534, as the runner runs as root) cannot read {}; make it readable (`chmod a+rx {}`) — a clone into `mktemp -d` is mode 700",
                        dir.display(),
                        p.display(),
                        dir.display()
                    )));
                }
            }
        }
        std::fs::create_dir_all(&job.writable).map_err(|e| {
            PrepareError::Failed(format!("cannot create {}: {e}", job.writable.display()))
        })?;
        open_up(&job.writable);

        let bind = |src: &Path, target: &str, ro: bool| Mount {
            target: Some(target.to_string()),
            source: Some(src.display().to_string()),
            typ: Some(MountType::BIND),
            read_only: Some(ro),
            ..Default::default()
        };
        let mut mounts = vec![bind(&self.probe, PROBE_PATH, true)];
        for p in &job.read_only {
            if p.exists() {
                mounts.push(bind(p, &p.display().to_string(), true));
            }
        }
        mounts.push(bind(
            &job.writable,
            &job.writable.display().to_string(),
            false,
        ));
        let mut labels = HashMap::from([
            (LABEL.to_string(), "1".to_string()),
            (OWNER_LABEL.to_string(), self.owner.clone()),
            ("runner.job".to_string(), job.key.clone()),
        ]);
        labels.insert("runner.image".into(), tag.clone());
        let localhost = std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);
        let (network_mode, port_bindings, exposed, mut placement) = match job.port {
            None => ("none".to_string(), None, None, None),
            Some(p) if job.network == Network::Host => (
                "host".to_string(),
                None,
                None,
                Some(Placement {
                    network: Network::Host,
                    port: p,
                    bind: "127.0.0.1".into(),
                    fixture_host: localhost,
                    client: localhost,
                    forwarding: "none".into(),
                }),
            ),
            Some(p) => {
                let map = HashMap::from([(
                    format!("{p}/tcp"),
                    Some(vec![PortBinding {
                        host_ip: Some("127.0.0.1".into()),
                        host_port: Some(p.to_string()),
                    }]),
                )]);
                let gateway = self.service_network().map_err(PrepareError::Failed)?;
                (
                    SERVICE_NETWORK.to_string(),
                    Some(map),
                    Some(vec![format!("{p}/tcp")]),
                    Some(Placement {
                        network: Network::Published,
                        port: p,
                        bind: "0.0.0.0".into(),
                        fixture_host: gateway,
                        client: gateway,
                        forwarding: String::new(),
                    }),
                )
            }
        };
        let memory = job.memory;
        let host_config = HostConfig {
            mounts: Some(mounts),
            readonly_rootfs: Some(true),
            tmpfs: Some(HashMap::from([(
                "/tmp".to_string(),
                "rw,nosuid,nodev,size=256m,mode=1777".to_string(),
            )])),
            memory: Some(memory as i64),
            memory_swap: Some(memory as i64),
            nano_cpus: job.cpus.map(|c| (c * 1e9) as i64),
            pids_limit: Some(4096),
            network_mode: Some(network_mode),
            port_bindings,
            auto_remove: Some(true),
            cap_drop: Some(vec!["ALL".into()]),
            security_opt: Some(vec!["no-new-privileges".into()]),
            ..Default::default()
        };
        let body = ContainerCreateBody {
            image: Some(tag.clone()),
            entrypoint: Some(vec![PROBE_PATH.to_string()]),
            cmd: Some(vec!["--idle".into()]),
            user: Some(self.user.clone()),
            working_dir: Some("/".into()),
            open_stdin: Some(true),
            stdin_once: Some(true),
            attach_stdin: Some(true),
            labels: Some(labels),
            exposed_ports: exposed,
            host_config: Some(host_config),
            ..Default::default()
        };
        let name = format!(
            "runner-{}-{}-{}",
            std::process::id(),
            tag_part(&job.project),
            tag_part(&job.name)
        );
        let client = &self.client;
        let started = self.rt.block_on(async {
            let created = client
                .create_container(
                    Some(CreateContainerOptionsBuilder::new().name(&name).build()),
                    body,
                )
                .await
                .map_err(|e| format!("cannot create the container from {tag}: {e}"))?;
            let id = created.id;
            let attach = client
                .attach_container(
                    &id,
                    Some(
                        AttachContainerOptionsBuilder::new()
                            .stdin(true)
                            .stream(true)
                            .build(),
                    ),
                )
                .await;
            let lease = match attach {
                Ok(a) => Some(a.input),
                Err(_) => None,
            };
            if let Err(e) = client
                .start_container(
                    &id,
                    None::<bollard::query_parameters::StartContainerOptions>,
                )
                .await
            {
                let opts = RemoveContainerOptionsBuilder::new().force(true).build();
                let _ = client.remove_container(&id, Some(opts)).await;
                return Err(format!("cannot start the container from {tag}: {e}"));
            }
            Ok((id, lease))
        });
        let (id, lease) = started.map_err(PrepareError::Failed)?;
        if let Some(p) = placement
            .as_mut()
            .filter(|p| p.network == Network::Published)
        {
            // The engine forwards 127.0.0.1:port either in user space (a docker-proxy process per
            // port, the default) or in the kernel (`userland-proxy: false`).
            let port = p.port.to_string();
            let proxy = find_process(&|argv| {
                argv[0].ends_with("docker-proxy")
                    && argv
                        .windows(2)
                        .any(|w| w[0] == "-host-port" && w[1] == port)
            });
            p.forwarding = if proxy.is_some() {
                "docker-proxy".into()
            } else {
                "iptables".into()
            };
        }
        let rename = job
            .artifact_named
            .as_ref()
            .map(|a| (a.display().to_string(), program.clone()));
        self.jobs.insert(
            job.key.clone(),
            Container {
                id,
                rename,
                writable: job.writable.clone(),
                memory,
                _lease: lease,
                dead: false,
                port: job.port.map(|p| (p, job.network)),
                service: None,
            },
        );
        Ok(Some(Prepared {
            image: tag,
            image_id,
            source: source.into(),
            cached,
            build_time,
            placement,
        }))
    }

    fn run_job(&mut self, key: &str, spec: &RunSpec) -> Result<RunOutcome, ExecError> {
        let Some(c) = self.jobs.get(key) else {
            return Err(ExecError::Container(format!(
                "job {key} has no container (it was not prepared)"
            )));
        };
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

        let client = &self.client;
        let interrupt = self.interrupt.clone();
        let cap = spec.output_cap;
        let (stdout_path, stderr_path) = (spec.stdout.clone(), spec.stderr.clone());
        // The probe enforces the timeout; this backstop only catches a probe that cannot.
        let backstop = spec.timeout + Duration::from_secs(15);
        let start = Instant::now();
        #[derive(Default)]
        struct Ended {
            probe_output: String,
            exit_code: Option<i64>,
            interrupted: bool,
            overflow: bool,
            stuck: bool,
        }
        let ended: Result<Ended, String> = self.rt.block_on(async {
            let exec = new_exec(client, &id, cmd, Some(env), Some(cwd), true).await?;
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
                            let big = |p: &Path| std::fs::metadata(p).map(|m| m.len() > cap).unwrap_or(false);
                            if interrupt.is_set() {
                                ended.interrupted = true;
                            } else if big(&stdout_path) || big(&stderr_path) {
                                ended.overflow = true;
                            } else if start.elapsed() > backstop {
                                ended.stuck = true;
                            } else {
                                continue;
                            }
                            // Docker cannot kill one exec: the container goes (the job is over).
                            let _ = client
                                .kill_container(&id, Some(KillContainerOptionsBuilder::new().signal("KILL").build()))
                                .await;
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
        });
        let elapsed = start.elapsed();
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

    fn start_service(&mut self, key: &str, spec: &RunSpec) -> Result<Members, ExecError> {
        let Some(c) = self.jobs.get(key) else {
            return Err(ExecError::Container(format!(
                "job {key} has no container (it was not prepared)"
            )));
        };
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

    fn service_exit(&mut self, key: &str) -> Option<Exit> {
        let c = self.jobs.get_mut(key)?;
        let memory = c.memory;
        match c.service.as_mut()?.poll(memory)? {
            Ok(o) => Some(o.exit),
            Err(_) => Some(Exit::Code(-1)),
        }
    }

    fn service_accepts(&mut self, key: &str, port: u16) -> bool {
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
            _ => super::server::loopback_accepts(port),
        }
    }

    fn stop_service(&mut self, key: &str, grace: Duration) -> Result<RunOutcome, ExecError> {
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

    fn cleanup(&mut self) {
        if self.jobs.is_empty() {
            return;
        }
        let jobs: Vec<Container> = self.jobs.drain().map(|(_, c)| c).collect();
        let client = &self.client;
        self.rt.block_on(async {
            for c in &jobs {
                let opts = RemoveContainerOptionsBuilder::new().force(true).build();
                let _ = client.remove_container(&c.id, Some(opts)).await;
            }
        });
        drop(jobs);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn static_check_tells_static_from_dynamic() {
        // The test binary itself is dynamically linked (the default gnu target).
        let me = std::env::current_exe().unwrap();
        let err = check_static(&me).unwrap_err();
        assert!(err.contains("dynamically linked"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("s.sh");
        std::fs::write(&script, "#!/bin/sh\necho hi\n").unwrap();
        assert!(check_static(&script)
            .unwrap_err()
            .contains("not a 64-bit ELF"));
    }

    #[test]
    fn owner_labels_name_live_processes_only() {
        assert!(owner_alive(&owner_id()));
        assert!(!owner_alive("999999999:1"));
        assert!(!owner_alive(""));
        let pid = std::process::id();
        assert!(
            !owner_alive(&format!("{pid}:1")),
            "a reused pid has another start time"
        );
    }

    #[test]
    fn a_folder_closed_to_others_is_named_with_its_mode() {
        use std::os::unix::fs::PermissionsExt;
        let d = tempfile::tempdir().unwrap();
        let inner = d.path().join("a/b");
        std::fs::create_dir_all(&inner).unwrap();
        let set = |p: &Path, m: u32| {
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap()
        };
        set(d.path(), 0o755);
        set(&d.path().join("a"), 0o755);
        set(&inner, 0o755);
        assert_eq!(closed_to_others(&inner), None);
        set(&d.path().join("a"), 0o700);
        assert_eq!(closed_to_others(&inner), Some((d.path().join("a"), 0o700)));
        set(&d.path().join("a"), 0o711);
        assert_eq!(closed_to_others(&inner), None);
        set(&inner, 0o711);
        assert_eq!(closed_to_others(&inner), Some((inner.clone(), 0o711)));
    }

    #[test]
    fn tars_are_reproducible() {
        let files = vec![("a".to_string(), b"x".to_vec(), 0o644)];
        assert_eq!(tar_of(&files).unwrap(), tar_of(&files).unwrap());
        assert_eq!(tag_part("sed -E"), "sed--e");
    }
}
