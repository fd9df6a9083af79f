//! The static probe inside containers: `runner-probe-static` (the `runner-probe` source linked
//! statically, see `probe-static/`) is found or built here ([`static_probe`]), bind-mounted into
//! every container at [`PROBE_PATH`], and each run in a container is a command line of it
//! ([`probe_command`]); its result file (`crate::exec::probe_result`) becomes the run's
//! [`RunOutcome`] ([`read_result`]).
//! Never talks to the engine (`run.rs` starts the execs).

use super::image::check_static;
use crate::exec::probe_result::ProbeResult;
use crate::exec::{ExecError, Exit, RunOutcome, RunSpec};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Where the static probe is mounted inside every container.
pub const PROBE_PATH: &str = "/.runner-probe";
/// The target triple static Rust builds (and the static probe) are built for.
pub const STATIC_TARGET: &str = "x86_64-unknown-linux-gnu";

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

/// The probe's command line in the container for `spec`, with `{artifact}` renamed to the
/// program's path in the image. Clears the output and result files first (the container's user
/// must be able to create them).
pub(super) fn probe_command(
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
pub(super) fn read_result(
    result_file: &Path,
    program: &str,
    memory: u64,
) -> Option<Result<RunOutcome, ExecError>> {
    let p = ProbeResult::take(result_file)?;
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
