//! Helpers shared by the integration tests: fixture trees are copied to a temporary folder (with
//! the repository's pin file), so a test never writes into the source tree.

#![allow(dead_code)]

use std::path::Path;

/// Copies `src` into `dst` recursively.
pub fn copy_tree(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for e in std::fs::read_dir(src).unwrap() {
        let e = e.unwrap();
        let to = dst.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &to);
        } else {
            std::fs::copy(e.path(), &to).unwrap();
        }
    }
}

/// A temporary copy of `tests/fixtures/<name>` with `toolchains.toml` at its root: the
/// repository's pins without its `[requires]` tables, so that no test installs a system package
/// (a bench run as root installs what `[requires]` declares).
pub fn fixture(name: &str) -> tempfile::TempDir {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let dst = tempfile::tempdir().unwrap();
    copy_tree(&src, dst.path());
    let pins = Path::new(env!("CARGO_MANIFEST_DIR")).join("../toolchains.toml");
    let text = std::fs::read_to_string(pins).unwrap();
    std::fs::write(dst.path().join("toolchains.toml"), without_requires(&text)).unwrap();
    dst
}

/// Quiet-machine gate limits any machine meets, and short looks: for the tests that do not test
/// the gate (the machine running them may be busy, and a busy machine would otherwise make each
/// project wait a minute and keep it out of `latest/`). And no provisioning: the fixtures' fake
/// implementations need no pinned Go or Zig, and installing them from PyPI into every temporary
/// fixture cost minutes on a loaded machine (a whole-suite test once timed out doing only that).
pub const ANY_MACHINE: [&str; 13] = [
    "--no-provision",
    "--gate-cpu",
    "1000",
    "--gate-steal",
    "100",
    "--gate-load",
    "1000",
    "--gate-memory",
    "100",
    "--gate-wait",
    "0",
    "--gate-window",
    "0.05",
];

/// `toml` without its `[requires]` and `[requires.*]` tables.
pub fn without_requires(toml: &str) -> String {
    let mut out = String::new();
    let mut skip = false;
    for line in toml.lines() {
        let t = line.trim_start();
        if t.starts_with('[') {
            skip = t.starts_with("[requires]") || t.starts_with("[requires.");
        }
        if !skip {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// How [`as_service`] rewrites a report.
pub struct ServiceLoad {
    /// Length of each load window, seconds.
    pub window_s: f64,
    /// Share of each window the server spent on a CPU (user + system).
    pub cpu_share: f64,
    /// Relative spread of requests/s between rounds (0.002 = ±0.2%).
    pub noise: f64,
}

/// Rewrites the report at `path` (a fake-backend bench of the `fake` fixture) as the report of a
/// service measured under load: headline requests/s (Go 20,000, Rust 40,000, Zig 20,100, the
/// reference 5,000, each round off by up to 2 × `noise`), every sample one load window of
/// `window_s` seconds in which the server used `cpu_share` of a CPU. So CPU per request is
/// `cpu_share / rps` whatever the window. Summaries are recomputed with the runner's own
/// statistics; peak RSS is kept.
pub fn as_service(path: &Path, load: &ServiceLoad) {
    use runner::report::{store, Better, JobSummary, MetricInfo, SampleReport};
    use runner::stats::{summarize, Sample};
    let mut r = store::read_report(path).unwrap();
    for p in &mut r.projects {
        p.metric = Some(MetricInfo {
            name: "requests".into(),
            unit: "req/s".into(),
            better: Better::Higher,
            min_effect: 0.02,
        });
        for (i, j) in p.jobs.iter_mut().chain(p.references.iter_mut()).enumerate() {
            if j.samples.is_empty() {
                continue;
            }
            let rps = [20_000.0, 40_000.0, 20_100.0, 5_000.0][i.min(3)];
            for (k, s) in j.samples.iter_mut().enumerate() {
                let window = load.window_s * (1.0 + 1e-4 * (k % 2) as f64);
                s.headline = rps * (1.0 + load.noise * (k % 3) as f64);
                s.wall_ns = (window * 1e9) as u64;
                s.user_ns = (0.75 * load.cpu_share * window * 1e9) as u64;
                s.sys_ns = (0.25 * load.cpu_share * window * 1e9) as u64;
            }
            let of = |f: fn(&SampleReport) -> f64| {
                summarize(&Sample::new(j.samples.iter().map(f).collect()).unwrap()).into()
            };
            let kept = j.summary.take().unwrap();
            j.summary = Some(JobSummary {
                headline: of(|s| s.headline),
                wall_s: of(|s| s.wall_ns as f64 / 1e9),
                user_s: of(|s| s.user_ns as f64 / 1e9),
                sys_s: of(|s| s.sys_ns as f64 / 1e9),
                max_rss_bytes: kept.max_rss_bytes,
                outliers: kept.outliers,
            });
        }
    }
    store::write_report(path, &r).unwrap();
}

/// How long a test lets one whole `runner bench` of a fixture suite run before it calls it hung.
/// Generous on purpose: the same suite takes seconds on a quiet machine, but CI machines are
/// shared (two cores with builds beside them: 120 s was once not enough), and a limit that a
/// slow machine hits is a flaky test, not a hang detector. The runner's own per-job timeouts,
/// which the fixtures exercise, stay short.
pub const WHOLE_RUN_LIMIT: std::time::Duration = std::time::Duration::from_secs(900);
