//! End-to-end tests of the `runner` binary on fixture manifests whose "implementations" are tiny
//! shell scripts that succeed, fail, crash, hang, flood stdout or break their build. Each test
//! copies its fixture tree to a temporary folder, so runs never write into the source tree.

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Duration;

mod common;
use common::{fixture, ANY_MACHINE};

fn manifests(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir.join("manifests"))
        .unwrap()
        .map(|e| format!("manifests/{}", e.unwrap().file_name().to_string_lossy()))
        .collect();
    v.sort();
    v
}

fn only_report(dir: &Path) -> Value {
    let runs: Vec<PathBuf> = std::fs::read_dir(dir.join("reports/runs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(runs.len(), 1, "one report per invocation: {runs:?}");
    serde_json::from_str(&std::fs::read_to_string(&runs[0]).unwrap())
        .expect("the report is valid JSON")
}

fn project<'a>(r: &'a Value, slug: &str) -> &'a Value {
    r["projects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["slug"] == slug)
        .unwrap_or_else(|| panic!("no project {slug}"))
}

fn job<'a>(p: &'a Value, name: &str) -> &'a Value {
    p["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .chain(p["references"].as_array().unwrap())
        .find(|j| j["name"] == name)
        .unwrap_or_else(|| panic!("no job {name}"))
}

fn status(p: &Value, name: &str) -> String {
    job(p, name)["status"].as_str().unwrap().to_string()
}

fn reason(p: &Value, name: &str) -> String {
    job(p, name)["reason"].as_str().unwrap_or("").to_string()
}

fn pid_gone(pid: i32) -> bool {
    // SAFETY: signal 0 only tests for existence.
    let alive = unsafe { libc::kill(pid, 0) } == 0;
    let zombie = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|s| s.contains(") Z"))
        .unwrap_or(true);
    !alive || zombie
}

#[test]
fn every_job_gets_its_own_verdict_and_the_suite_goes_on() {
    let dir = fixture("suite");
    let out = Command::cargo_bin("runner")
        .unwrap()
        .current_dir(dir.path())
        .arg("bench")
        .args(manifests(dir.path()))
        .args(["--seed", "1", "--output-cap", "200000", "--out", "reports"])
        .args(ANY_MACHINE)
        .timeout(common::WHOLE_RUN_LIMIT)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "failures give exit code 1\n{stderr}\n{stdout}"
    );
    let r = only_report(dir.path());
    assert_eq!(r["schema_version"], runner::report::SCHEMA_VERSION);
    assert_eq!(r["complete"], true);
    assert_eq!(r["schedule"]["seed"], 1);
    assert!(r["host"]["cores"].as_u64().unwrap() >= 1);

    let mixed = project(&r, "mixed");
    assert_eq!(
        status(mixed, "go"),
        "verify_failed",
        "two outputs disagree: no majority\n{mixed:#}"
    );
    assert!(
        reason(mixed, "go").contains("no majority") || reason(mixed, "go").contains("differs"),
        "{}",
        reason(mixed, "go")
    );
    assert_eq!(status(mixed, "rust"), "run_failed");
    assert!(
        reason(mixed, "rust").contains("SIGSEGV"),
        "{}",
        reason(mixed, "rust")
    );
    assert!(job(mixed, "rust")["stderr_tail"]
        .as_str()
        .unwrap()
        .contains("about to crash"));
    assert_eq!(status(mixed, "zig"), "verify_failed");
    assert!(
        job(mixed, "zig")["samples"].as_array().unwrap().is_empty(),
        "a wrong output gets no number"
    );
    assert_eq!(status(mixed, "reference ok"), "unverified");
    assert_eq!(
        job(mixed, "reference ok")["samples"]
            .as_array()
            .unwrap()
            .len(),
        3
    );

    let faults = project(&r, "faults");
    assert_eq!(status(faults, "go"), "timeout");
    assert!(reason(faults, "go").contains("timed out"));
    assert_eq!(status(faults, "rust"), "run_failed");
    assert!(
        reason(faults, "rust").contains("printed more than"),
        "{}",
        reason(faults, "rust")
    );
    assert_eq!(status(faults, "zig"), "build_failed");
    assert!(job(faults, "zig")["build"]["log_tail"]
        .as_str()
        .unwrap()
        .contains("expected expression"));
    assert_eq!(status(faults, "exits 3"), "run_failed");
    assert!(
        reason(faults, "exits 3").contains("exit code 3"),
        "{}",
        reason(faults, "exits 3")
    );
    assert!(job(faults, "exits 3")["stderr_tail"]
        .as_str()
        .unwrap()
        .contains("bad input"));
    // The hanging script's child was killed with its process group.
    let pidfile = dir.path().join(".runner/work/faults/go/sleeper.pid");
    let pid: i32 = std::fs::read_to_string(&pidfile)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    std::thread::sleep(Duration::from_millis(200));
    assert!(pid_gone(pid), "the sleeper {pid} outlived the timeout");

    let good = project(&r, "good");
    for lang in ["go", "rust", "zig"] {
        assert_eq!(status(good, lang), "ok", "{lang}: {}", reason(good, lang));
        let j = job(good, lang);
        assert_eq!(j["samples"].as_array().unwrap().len(), 4);
        assert_eq!(j["warmups"], 1);
        assert_eq!(j["summary"]["headline"]["mean"], 1.5);
        let checks: Vec<&str> = j["verification"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["check"].as_str().unwrap())
            .collect();
        assert!(
            checks.contains(&"cross_language result.txt")
                && checks.contains(&"numeric stdout score")
                && checks.contains(&"command"),
            "{checks:?}"
        );
    }
    let comparisons = good["comparisons"].as_array().unwrap();
    assert_eq!(comparisons.len(), 3);
    assert!(
        comparisons
            .iter()
            .all(|c| c["stats"]["significant"] == false && c["better"].is_null()),
        "equal scores are never a win"
    );

    let planned = project(&r, "planned");
    assert_eq!(planned["status"], "skipped");
    assert_eq!(status(planned, "go"), "not_implemented");
    let needs = project(&r, "needs-tool");
    assert_eq!(needs["status"], "skipped");
    assert!(needs["reason"]
        .as_str()
        .unwrap()
        .contains("definitely-not-installed-tool"));

    // Latest views exist for finished projects only.
    assert!(dir.path().join("reports/latest/good.json").exists());
    assert!(!dir.path().join("reports/latest/planned.json").exists());
    // The terminal table shows every project.
    for slug in ["mixed", "faults", "good", "planned", "needs-tool"] {
        assert!(stdout.contains(slug), "{slug} missing from\n{stdout}");
    }

    // `runner list` derives statuses from the latest views.
    let list = Command::cargo_bin("runner")
        .unwrap()
        .current_dir(dir.path())
        .arg("list")
        .args(manifests(dir.path()))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&list.stdout);
    assert!(list.status.success(), "{text}");
    let good_line = text.lines().find(|l| l.contains(" good ")).unwrap();
    assert!(good_line.contains("done"), "{good_line}");
    let planned_line = text.lines().find(|l| l.contains(" planned ")).unwrap();
    assert!(planned_line.contains("planned"), "{planned_line}");
}

#[test]
fn fake_backend_gives_a_deterministic_table() {
    let dir = fixture("fake");
    let run = || {
        Command::cargo_bin("runner")
            .unwrap()
            .current_dir(dir.path())
            .args([
                "bench",
                "manifests/fake.toml",
                "--backend",
                "fake",
                "--seed",
                "7",
                "--out",
                "reports",
                "--no-latest",
            ])
            .output()
            .unwrap()
    };
    let out = run();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let table = String::from_utf8_lossy(&out.stdout).to_string();
    insta::assert_snapshot!("fake_table", table);
    // Same seed, same numbers.
    let again = run();
    assert_eq!(String::from_utf8_lossy(&again.stdout), table);
}

#[test]
fn a_variant_is_measured_and_verified_beside_its_language_but_never_ranked() {
    let dir = fixture("fake");
    let bench = |extra: &[&str]| {
        let _ = std::fs::remove_dir_all(dir.path().join("reports"));
        Command::cargo_bin("runner")
            .unwrap()
            .current_dir(dir.path())
            .args(["bench", "manifests/variants.toml", "--backend", "fake"])
            .args(["--seed", "7", "--out", "reports", "--no-latest"])
            .args(extra)
            .output()
            .unwrap()
    };
    let out = bench(&[]);
    // go's "broken" variant fails verification, and that is a failed job like any other.
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("failed: 3.4 go (broken): verify_failed"));
    let table = String::from_utf8_lossy(&out.stdout).to_string();
    insta::assert_snapshot!("variants_table", table);

    let r = only_report(dir.path());
    assert_eq!(r["schema_version"], runner::report::SCHEMA_VERSION);
    let p = project(&r, "variants");
    let names: Vec<&str> = p["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["go", "go (broken)", "rust", "zig", "zig (ReleaseFast)"],
        "each language is followed by its variants"
    );
    let fast = job(p, "zig (ReleaseFast)");
    assert_eq!(fast["variant_of"], "zig");
    assert_eq!(fast["status"], "ok");
    assert_eq!(fast["samples"].as_array().unwrap().len(), 10, "same rounds");
    assert_eq!(fast["verification"][0]["passed"], true);
    assert!(fast["build"]["artifact"]
        .as_str()
        .unwrap()
        .ends_with("impl/fast.bin"));
    assert!(job(p, "zig").get("variant_of").is_none());
    // A variant that disagrees fails, and cannot make go, rust and zig's majority a tie.
    assert_eq!(status(p, "go (broken)"), "verify_failed");
    assert!(reason(p, "go (broken)").contains("differs from go, rust, zig"));
    for lang in ["go", "rust", "zig"] {
        assert_eq!(status(p, lang), "ok");
    }
    // Rankings are between languages only; the variant is compared with its own language.
    let pairs = |key: &str| -> Vec<(String, String)> {
        p[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["a"].as_str().unwrap().into(),
                    c["b"].as_str().unwrap().into(),
                )
            })
            .collect()
    };
    let ranked = pairs("comparisons");
    assert_eq!(ranked.len(), 3);
    assert!(
        ranked
            .iter()
            .all(|(a, b)| !a.contains('(') && !b.contains('(')),
        "{ranked:?}"
    );
    let own = &fast["against_headline"];
    assert_eq!(
        (own["a"].as_str(), own["b"].as_str()),
        (Some("zig (ReleaseFast)"), Some("zig"))
    );
    assert_eq!(own["better"], "zig (ReleaseFast)");

    // --lang selects a language with its variants.
    let out = bench(&["--lang", "go,rust"]);
    assert_eq!(out.status.code(), Some(1));
    let r = only_report(dir.path());
    let p = project(&r, "variants");
    assert_eq!(status(p, "zig (ReleaseFast)"), "skipped");
    assert_eq!(reason(p, "zig (ReleaseFast)"), "not selected (--lang)");
    assert_eq!(status(p, "go (broken)"), "verify_failed");
}

#[test]
fn ctrl_c_keeps_what_was_measured_and_leaves_no_process() {
    let dir = fixture("suite");
    let m = std::fs::read_to_string(dir.path().join("manifests/faults.toml"))
        .unwrap()
        .replace("timeout = 1", "timeout = 120");
    std::fs::write(dir.path().join("manifests/faults.toml"), m).unwrap();
    let bin = assert_cmd::cargo::cargo_bin("runner");
    let mut child = std::process::Command::new(bin)
        .current_dir(dir.path())
        .args([
            "bench",
            "manifests/mixed.toml",
            "manifests/faults.toml",
            "manifests/good.toml",
            "--seed",
            "3",
            "--out",
            "reports",
            "--output-cap",
            "200000",
            // The fixtures build with `true`: provisioning Go and Zig from PyPI into the
            // temporary folder would only eat into the 60 s this test waits for the hang.
        ])
        .args(ANY_MACHINE)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pidfile = dir.path().join(".runner/work/faults/go/sleeper.pid");
    let t = std::time::Instant::now();
    while !pidfile.exists() && t.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(pidfile.exists(), "the hanging job never started");
    std::thread::sleep(Duration::from_millis(300));
    // SAFETY: sending SIGINT to our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let exit = child.wait().unwrap();
    assert_eq!(exit.code(), Some(130));
    let r = only_report(dir.path());
    assert_eq!(r["interrupted"], true);
    assert_eq!(r["complete"], false);
    // Projects run in id order: mixed (1.1) finished before faults (1.2) was interrupted.
    let mixed = project(&r, "mixed");
    assert_eq!(mixed["status"], "finished");
    assert_eq!(
        job(mixed, "reference ok")["samples"]
            .as_array()
            .unwrap()
            .len(),
        3,
        "results measured before Ctrl-C are kept"
    );
    assert_eq!(project(&r, "faults")["status"], "interrupted");
    assert_eq!(
        project(&r, "good")["status"],
        "pending",
        "projects after the interrupt are not started"
    );
    let pid: i32 = std::fs::read_to_string(&pidfile)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    std::thread::sleep(Duration::from_millis(200));
    assert!(
        pid_gone(pid),
        "the hanging job's child {pid} survived Ctrl-C"
    );
}

#[test]
fn bad_flags_are_usage_errors_naming_the_flag() {
    let dir = fixture("suite");
    let cases: &[(&[&str], &str)] = &[
        (&["--lang", "cobol"], "--lang: unknown language `cobol`"),
        (&["--only", "7.7"], "--only 7.7: no valid manifest"),
        (&["--param", "nosuch=1"], "--param nosuch"),
        (&["--param", "broken"], "`broken` is not NAME=VALUE"),
        (&["--runs", "0"], "--runs: must be at least 1"),
    ];
    for (flags, want) in cases {
        let out = Command::cargo_bin("runner")
            .unwrap()
            .current_dir(dir.path())
            .args(["bench", "manifests/good.toml"])
            .args(*flags)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{flags:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(want), "{flags:?}: {err}");
    }
}

#[test]
fn a_missing_manifest_is_named() {
    let out = Command::cargo_bin("runner")
        .unwrap()
        .args(["check", "no/such/manifest.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("no/such/manifest.toml: cannot read manifest"));
}

#[test]
fn implementations_pass_their_own_tests() {
    // Every implementation of every real manifest, through the pinned toolchains.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let mut args = vec!["test".to_string()];
    args.extend(manifests(root));
    let out = Command::cargo_bin("runner")
        .unwrap()
        .current_dir(root)
        .args(&args)
        .timeout(Duration::from_secs(1500))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains(" 0 failed"), "{text}");
    assert!(
        !text.contains("no test command"),
        "every implementation declares its tests:\n{text}"
    );
}

/// The repository's own pinned Go and Zig, provisioned once, put first on PATH for fixtures.
fn path_with_toolchains() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let out = Command::cargo_bin("runner")
        .unwrap()
        .args(["doctor", "--provision", "--root"])
        .arg(root)
        .output()
        .unwrap();
    assert!(
        root.join(".toolchains/bin/go").exists(),
        "provisioning failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    format!(
        "{}:{}",
        root.join(".toolchains/bin").display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

/// Benches the `cpu` fixture (Go, Rust, Zig twins) with `extra` flags through the repository's
/// pinned toolchains; asserts success and returns the PATH used, the folder and the report.
fn bench_cpu_fixture(extra: &[&str]) -> (String, tempfile::TempDir, Value) {
    let path = path_with_toolchains();
    let dir = fixture("cpu");
    let out = Command::cargo_bin("runner")
        .unwrap()
        .current_dir(dir.path())
        .env("PATH", &path)
        .args([
            "bench",
            "manifests/cpu.toml",
            "--out",
            "reports",
            "--seed",
            "1",
        ])
        .args(ANY_MACHINE)
        .args(extra)
        .timeout(Duration::from_secs(900))
        .output()
        .unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).to_string();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let r = only_report(dir.path());
    (path, dir, r)
}

#[test]
fn the_cpu_level_reaches_every_build() {
    let (path, dir, r) = bench_cpu_fixture(&["--cpu", "x86-64-v2"]);
    assert_eq!(r["cpu_target"]["level"], "x86-64-v2");
    let flags = |lang: &str| {
        std::fs::read_to_string(dir.path().join("impl").join(lang).join("flags.txt")).unwrap()
    };
    assert_eq!(flags("go").trim(), "v2");
    assert!(
        flags("rust").trim().ends_with("-C target-cpu=x86-64-v2"),
        "{}",
        flags("rust")
    );
    assert_eq!(flags("zig").trim(), "x86_64_v2");
    // Go records GOAMD64 in the binary's build info.
    let info = std::process::Command::new("go")
        .env("PATH", &path)
        .env("GOTOOLCHAIN", "local")
        .args(["version", "-m"])
        .arg(dir.path().join("impl/go/bin/sum"))
        .output()
        .unwrap();
    let info = String::from_utf8_lossy(&info.stdout);
    assert!(info.contains("GOAMD64=v2"), "{info}");
}

#[test]
fn instruction_counts_are_deterministic_in_every_language() {
    let (_, _dir, r) = bench_cpu_fixture(&["--mode", "instructions"]);
    assert_eq!(r["mode"], "instructions");
    let p = project(&r, "cpu");
    assert_eq!(p["metric"]["name"], "instructions");
    for lang in ["go", "rust", "zig"] {
        let j = job(p, lang);
        assert_eq!(
            status(p, lang),
            "ok",
            "{lang} under callgrind: {}",
            reason(p, lang)
        );
        let counts: Vec<f64> = j["samples"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["headline"].as_f64().unwrap())
            .collect();
        assert_eq!(counts.len(), 2);
        assert!(counts[0] > 10_000.0, "{lang}: {counts:?}");
        if lang == "go" {
            // Go's runtime threads (sysmon, GC workers) run on timers, so a Go program's count
            // varies by some 10^4–10^5 instructions (~0.1% of this program; negligible on real inputs).
            let drift = (counts[0] - counts[1]).abs() / counts[0];
            assert!(drift < 0.01, "go: counts drifted by {:.3}%", drift * 100.0);
        } else {
            assert_eq!(counts[0], counts[1], "{lang}: counts drifted between runs");
        }
    }
}

#[test]
fn the_runner_doubles_as_its_probe() {
    // `cargo run -p runner` builds only the runner: it then measures through `runner __probe`.
    let dir = tempfile::tempdir().unwrap();
    let result = dir.path().join("r.json");
    let out = Command::cargo_bin("runner")
        .unwrap()
        .arg("__probe")
        .arg(&result)
        .args(["sh", "-c", "exit 7"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&result).unwrap()).unwrap();
    assert_eq!(v["code"], 7);
    assert!(v["wall_ns"].as_u64().unwrap() > 0 && v["max_rss_kb"].as_u64().unwrap() > 0);
}

/// CPU hogs for the quiet-machine gate's test: shell loops named `hog.sh`, each busy for at most
/// 60 s, killed when dropped (also when an assertion fails).
struct Hogs(Vec<std::process::Child>);

impl Hogs {
    /// One hog per CPU, so they stand out among the busiest processes even on a busy machine.
    fn start(dir: &Path) -> Hogs {
        let script = dir.join("hog.sh");
        std::fs::write(
            &script,
            "#!/bin/sh\n# Busy for at most 60 s.\nend=$(( $(date +%s) + 60 ))\nwhile [ \"$(date +%s)\" -lt \"$end\" ]; do\n  i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done\ndone\n",
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
        let hogs = (0..cpus.max(2))
            .map(|_| std::process::Command::new(&script).spawn().unwrap())
            .collect();
        // Let them spin up before the bench's first look.
        std::thread::sleep(Duration::from_millis(300));
        Hogs(hogs)
    }
}

impl Drop for Hogs {
    fn drop(&mut self) {
        for h in &mut self.0 {
            let _ = h.kill();
            let _ = h.wait();
        }
    }
}

/// `runner bench` of the `good` suite project with the gate's `limits`; returns the exit code,
/// stderr and the run report.
fn gated_bench(dir: &Path, limits: &[&str]) -> (Option<i32>, String, Value) {
    let _ = std::fs::remove_dir_all(dir.join("reports/runs"));
    let out = Command::cargo_bin("runner")
        .unwrap()
        .current_dir(dir)
        .args([
            "bench",
            "manifests/good.toml",
            "--seed",
            "1",
            "--out",
            "reports",
            "--no-provision",
        ])
        .args(limits)
        .timeout(common::WHOLE_RUN_LIMIT)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    (out.status.code(), stderr, only_report(dir))
}

#[test]
fn a_cpu_hog_makes_the_gate_wait_then_keeps_the_noisy_project_out_of_latest() {
    let dir = fixture("suite");
    let latest = dir.path().join("reports/latest/good.json");
    // Strict on foreign CPU only (steal, load and memory are whatever this machine has), a
    // 2 s wait, short looks.
    let strict = [
        "--gate-cpu",
        "0.1",
        "--gate-steal",
        "100",
        "--gate-load",
        "1000",
        "--gate-memory",
        "100",
        "--gate-wait",
        "2",
        "--gate-window",
        "0.3",
    ];
    let hogs = Hogs::start(dir.path());
    let (code, stderr, r) = gated_bench(dir.path(), &strict);
    assert_eq!(code, Some(0), "noisy numbers are not a failure\n{stderr}");
    // The gate said what is busy, by name and pid, and waited.
    let waiting = stderr
        .lines()
        .find(|l| l.contains("machine busy before project"))
        .unwrap_or_else(|| panic!("no waiting line\n{stderr}"));
    assert!(waiting.contains("other processes used"), "{waiting}");
    assert!(
        waiting.contains("hog.sh (pid"),
        "the hogs are named: {waiting}"
    );
    assert!(waiting.contains("waiting for it to calm down"), "{waiting}");
    assert!(stderr.contains("its numbers are marked noisy"), "{stderr}");
    assert!(
        stderr.contains("2.1 good: not promoted to latest/: noisy job(s) go, rust, zig"),
        "{stderr}"
    );
    assert!(!latest.exists(), "a noisy project stays out of latest/");
    let p = project(&r, "good");
    assert_eq!(r["gate"]["foreign_cpus"], 0.1);
    let gate = p["gate"].as_array().unwrap();
    assert_eq!(gate[0]["before"], "project");
    assert!(
        gate[0]["waited_s"].as_f64().unwrap() >= 1.9,
        "{:#}",
        gate[0]
    );
    // One look before each measured round (4 runs each, interleaved) and one back over it,
    // each with its figures.
    let rounds: Vec<&Value> = gate[1..].iter().collect();
    let before: Vec<&str> = rounds
        .iter()
        .map(|g| g["before"].as_str().unwrap())
        .collect();
    assert_eq!(
        before,
        [
            "round 1",
            "during round 1",
            "round 2",
            "during round 2",
            "round 3",
            "during round 3",
            "round 4",
            "during round 4"
        ],
        "{gate:#?}"
    );
    for g in &rounds {
        assert!(
            g["activity"]["foreign_cpus"].as_f64().unwrap() > 0.1,
            "{g:#}"
        );
        assert!(!g["busy"].as_array().unwrap().is_empty(), "{g:#}");
        assert_eq!(g["jobs"].as_array().unwrap().len(), 3, "{g:#}");
    }
    for lang in ["go", "rust", "zig"] {
        assert_eq!(status(p, lang), "ok");
        let noisy = job(p, lang)["noisy"].as_str().unwrap_or("");
        assert!(
            noisy
                .starts_with("the machine was busy before round 1, during round 1, before round 2"),
            "{lang}: {noisy}"
        );
    }

    // --accept-noisy publishes it, marked.
    let (code, stderr, _) = gated_bench(dir.path(), &[&strict[..], &["--accept-noisy"]].concat());
    assert_eq!(code, Some(0), "{stderr}");
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&latest).unwrap()).unwrap();
    assert!(job(project(&v, "good"), "go")["noisy"].is_string());
    drop(hogs);

    // Without the hogs, with limits this (shared, busy) machine meets: published, not noisy,
    // and the latest view carries the machine's conditions and the gate's figures.
    std::fs::remove_file(&latest).unwrap();
    let (code, stderr, r) = gated_bench(
        dir.path(),
        &[
            "--gate-cpu",
            "1000",
            "--gate-steal",
            "100",
            "--gate-load",
            "1000",
            "--gate-memory",
            "100",
            "--gate-window",
            "0.3",
        ],
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!stderr.contains("machine busy"), "{stderr}");
    let p = project(&r, "good");
    assert!(p["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .all(|j| j["noisy"].is_null()));
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&latest).unwrap()).unwrap();
    assert!(v["load_avg_end"].as_f64().is_some(), "{v:#}");
    assert!(v["environment"].is_array());
    assert_eq!(v["gate"]["foreign_cpus"], 1000.0);
    let gate = project(&v, "good")["gate"].as_array().unwrap().clone();
    assert_eq!(
        gate.len(),
        9,
        "the project's look, one before each round and one back over it"
    );
    assert!(gate
        .iter()
        .all(|g| g["busy"].as_array().unwrap().is_empty()));
    assert!(gate[1]["activity"]["window_s"].as_f64().unwrap() >= 0.29);
}
