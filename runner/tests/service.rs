//! Service benchmarks end to end: tiny Python servers (tests/fixtures/service/impl/server.py)
//! that work, crash under load, answer garbage, stall, never listen, lose their port or lose a
//! fixture; the built-in HTTP backend; `runner load`. Every fault must end as a per-job verdict
//! with a clear reason, a valid report, and no process left behind.

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

mod common;
use common::{fixture, ANY_MACHINE};

fn report(dir: &Path) -> Value {
    let runs: Vec<PathBuf> = std::fs::read_dir(dir.join("reports/runs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(runs.len(), 1, "{runs:?}");
    serde_json::from_str(&std::fs::read_to_string(&runs[0]).unwrap()).unwrap()
}

fn job<'a>(r: &'a Value, slug: &str, name: &str) -> &'a Value {
    let p = r["projects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["slug"] == slug)
        .unwrap();
    p["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .chain(p["references"].as_array().unwrap())
        .find(|j| j["name"] == name)
        .unwrap()
}

fn verdict(r: &Value, slug: &str, name: &str) -> (String, String) {
    let j = job(r, slug, name);
    (
        j["status"].as_str().unwrap().to_string(),
        j["reason"].as_str().unwrap_or("").to_string(),
    )
}

/// Processes whose working directory is inside `dir` (services, fixtures, built-in backends).
fn left_behind(dir: &Path) -> Vec<String> {
    let dir = dir.canonicalize().unwrap();
    let mut v = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let p = e.path();
        if !e
            .file_name()
            .to_string_lossy()
            .bytes()
            .all(|b| b.is_ascii_digit())
        {
            continue;
        }
        let Ok(cwd) = std::fs::read_link(p.join("cwd")) else {
            continue;
        };
        let stat = std::fs::read_to_string(p.join("stat")).unwrap_or_default();
        if cwd.starts_with(&dir) && !stat.contains(") Z") {
            let cmd = std::fs::read(p.join("cmdline")).unwrap_or_default();
            v.push(String::from_utf8_lossy(&cmd).replace('\0', " "));
        }
    }
    v
}

fn bench(dir: &Path, manifest: &str, extra: &[&str]) -> std::process::Output {
    Command::cargo_bin("runner")
        .unwrap()
        .current_dir(dir)
        .args(["bench", manifest, "--seed", "1", "--out", "reports"])
        .args(ANY_MACHINE)
        .args(extra)
        .timeout(common::WHOLE_RUN_LIMIT)
        .output()
        .unwrap()
}

#[test]
fn a_service_is_verified_then_measured_and_each_fault_is_a_verdict() {
    let dir = fixture("service");
    let out = bench(dir.path(), "manifests/web.toml", &[]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    let r = report(dir.path());
    assert_eq!(r["complete"], true);

    // The good server: verified by the http script and the command check (which got {port}),
    // measured at both levels, two rounds each; the headline level's rounds are the samples.
    let go = job(&r, "web", "go");
    assert_eq!(go["status"], "ok", "{go:#}");
    let checks: Vec<&str> = go["verification"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["check"].as_str().unwrap())
        .collect();
    assert_eq!(checks, ["http", "command"]);
    assert_eq!(go["samples"].as_array().unwrap().len(), 2);
    let levels = go["load"].as_array().unwrap();
    assert_eq!(levels.len(), 2);
    assert_eq!(levels[0]["connections"], 2);
    assert_eq!(levels[1]["headline"], true);
    for l in levels {
        let rounds = l["rounds"].as_array().unwrap();
        assert_eq!(rounds.len(), 2);
        for round in rounds {
            assert!(round["requests"].as_u64().unwrap() > 0);
            assert_eq!(
                round["statuses"]["200"].as_u64(),
                round["requests"].as_u64(),
                "{round:#}"
            );
            let lat = &round["latency"];
            assert!(lat["p50_us"].as_f64().unwrap() > 0.0);
            assert!(lat["p99_us"].as_f64().unwrap() >= lat["p50_us"].as_f64().unwrap());
            assert!(round["server_max_rss_bytes"].as_u64().unwrap() > 1 << 20);
        }
        assert!(l["rps"]["mean"].as_f64().unwrap() > 0.0);
    }
    assert_eq!(
        go["samples"][0]["headline"].as_f64(),
        levels[1]["rounds"][0]["rps"].as_f64()
    );
    assert!(stdout.contains("per load level"), "{stdout}");

    // Crashes once it has answered 40 requests: during the load, not during verification.
    let (s, why) = verdict(&r, "web", "rust");
    assert_eq!(s, "run_failed");
    assert!(
        why.contains("during the load") && why.contains("exit code 3"),
        "{why}"
    );

    // Answers bytes that are not HTTP: caught by verification, no number.
    let (s, why) = verdict(&r, "web", "zig");
    assert_eq!(s, "verify_failed");
    assert!(why.contains("parse error"), "{why}");
    assert!(job(&r, "web", "zig")["samples"]
        .as_array()
        .unwrap()
        .is_empty());

    // Accepts and never answers (an unverified reference row, so it reaches the load).
    let (s, why) = verdict(&r, "web", "staller");
    assert_eq!(s, "run_failed");
    assert!(why.contains("does not answer"), "{why}");

    assert!(
        left_behind(dir.path()).is_empty(),
        "{:?}",
        left_behind(dir.path())
    );
}

#[test]
fn services_that_never_come_up_get_clear_verdicts() {
    let dir = fixture("service");
    // rust binds $FIXED_PORT: hold that port so its bind fails.
    let held = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = held.local_addr().unwrap().port();
    let m = dir.path().join("manifests/startup.toml");
    let text = std::fs::read_to_string(&m)
        .unwrap()
        .replace("TAKEN_PORT", &port.to_string());
    std::fs::write(&m, text).unwrap();
    let t = Instant::now();
    let out = bench(dir.path(), "manifests/startup.toml", &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(t.elapsed() < Duration::from_secs(30));
    let r = report(dir.path());

    let (s, why) = verdict(&r, "startup", "go");
    assert_eq!(s, "run_failed");
    assert!(why.contains("not ready after 1.5 s"), "{why}");

    let (s, why) = verdict(&r, "startup", "rust");
    assert_eq!(s, "run_failed");
    assert!(why.contains("exited before it was ready"), "{why}");
    assert!(why.contains("in use by another program"), "{why}");

    let (s, why) = verdict(&r, "startup", "zig");
    assert_eq!(s, "run_failed");
    assert!(
        why.contains("exit code 2") && why.contains("bad configuration"),
        "{why}"
    );
    assert!(job(&r, "startup", "zig")["stderr_tail"]
        .as_str()
        .unwrap()
        .contains("bad configuration"));
    drop(held);
    assert!(
        left_behind(dir.path()).is_empty(),
        "{:?}",
        left_behind(dir.path())
    );
}

#[test]
fn a_fixture_that_dies_during_the_load_fails_the_job_and_says_so() {
    let dir = fixture("service");
    let out = bench(dir.path(), "manifests/flaky.toml", &[]);
    assert_eq!(out.status.code(), Some(1));
    let r = report(dir.path());
    let (s, why) = verdict(&r, "flaky", "go");
    assert_eq!(s, "run_failed");
    assert!(
        why.contains("fixture `upstream` #0 exited (exit code 4)"),
        "{why}"
    );
    assert_eq!(job(&r, "flaky", "go")["verification"][0]["passed"], true);
    assert!(
        left_behind(dir.path()).is_empty(),
        "{:?}",
        left_behind(dir.path())
    );
}

#[test]
fn ctrl_c_during_the_load_stops_at_once_keeps_the_report_and_leaves_no_process() {
    let dir = fixture("service");
    let m = dir.path().join("manifests/web.toml");
    let text = std::fs::read_to_string(&m)
        .unwrap()
        .replace("duration = 0.5", "duration = 60");
    std::fs::write(&m, text).unwrap();
    let bin = assert_cmd::cargo::cargo_bin("runner");
    let mut child = std::process::Command::new(bin)
        .current_dir(dir.path())
        .args(["bench", "manifests/web.toml", "--seed", "1"])
        .args(["--out", "reports", "--lang", "go", "--no-references"])
        .args(ANY_MACHINE)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let log = dir.path().join(".runner/work/web/go/round.stderr");
    let t = Instant::now();
    while !log.exists() && t.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(log.exists(), "the load never started");
    std::thread::sleep(Duration::from_millis(800));
    // SAFETY: sending SIGINT to our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let t = Instant::now();
    let exit = child.wait().unwrap();
    assert!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());
    assert_eq!(exit.code(), Some(130));
    let r = report(dir.path());
    assert_eq!(r["interrupted"], true);
    let go = job(&r, "web", "go");
    assert_eq!(go["status"], "interrupted");
    assert_eq!(go["verification"][0]["passed"], true);
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        left_behind(dir.path()).is_empty(),
        "{:?}",
        left_behind(dir.path())
    );
}

#[test]
fn runner_load_drives_the_builtin_backend_and_refuses_other_hosts() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let bin = assert_cmd::cargo::cargo_bin("runner");
    let mut backend = std::process::Command::new(&bin)
        .args(["__backend", &port.to_string(), "100", "0", "7"])
        .spawn()
        .unwrap();
    let t = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            t.elapsed() < Duration::from_secs(10),
            "backend never listened"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let url = format!("http://127.0.0.1:{port}/x?y=1");
    let out = Command::new(&bin)
        .args([
            "load", &url, "-c", "4", "-d", "0.5", "--warmup", "0.1", "--json",
        ])
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let n = v["requests"].as_u64().unwrap();
    assert!(n > 10, "{v:#}");
    assert_eq!(v["statuses"]["200"].as_u64(), Some(n));
    assert!(v["errors"].as_object().unwrap().is_empty());
    assert!(v["latency"]["p99_us"].as_f64().unwrap() > 0.0);

    // Open loop: about the rate asked for, and a corrected latency as well.
    let out = Command::new(&bin)
        .args([
            "load", &url, "-c", "4", "-d", "1", "--warmup", "0.2", "-R", "200", "--json",
        ])
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rps = v["rps"].as_f64().unwrap();
    assert!((150.0..=250.0).contains(&rps), "{v:#}");
    assert!(v["latency_corrected"]["p50_us"].as_f64().unwrap() > 0.0);

    // The backend's own view: what it served, with its index.
    let stats = Command::new(&bin)
        .args([
            "load",
            &format!("http://127.0.0.1:{port}/__stats"),
            "-c",
            "1",
            "-d",
            "0.2",
            "--warmup",
            "0",
        ])
        .output()
        .unwrap();
    assert!(stats.status.success());
    backend.kill().unwrap();
    backend.wait().unwrap();

    let out = Command::new(&bin)
        .args(["load", "http://10.1.2.3:80/", "-d", "0.1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a loopback address"));
}
