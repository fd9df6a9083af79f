//! `runner bench --backend docker` against the real Docker Engine. No image can be pulled here,
//! so every image is built by the runner itself: `FROM scratch` around the fixture's tiny Rust
//! program (`tests/fixtures/docker`), which the runner builds statically.
//!
//! Without an engine these tests skip loudly — unless `RUNNER_REQUIRE_DOCKER=1` (CI), where an
//! unreachable engine fails them. The engine is queried directly over its socket (HTTP/1.0 on
//! the Unix socket of `DOCKER_HOST`), so the tests need no `docker` CLI.

use assert_cmd::Command;
use serde_json::Value;
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

mod common;
use common::{fixture, ANY_MACHINE};

fn socket() -> PathBuf {
    let host =
        std::env::var("DOCKER_HOST").unwrap_or_else(|_| "unix:///var/run/docker.sock".into());
    PathBuf::from(host.strip_prefix("unix://").unwrap_or(&host))
}

/// One request to the engine's API: (status, body).
fn api(method: &str, path: &str, body: Option<&str>) -> std::io::Result<(u16, String)> {
    let mut s = UnixStream::connect(socket())?;
    s.set_read_timeout(Some(Duration::from_secs(30)))?;
    let body = body.unwrap_or("");
    write!(
        s,
        "{method} {path} HTTP/1.0\r\nHost: docker\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )?;
    let mut resp = String::new();
    s.read_to_string(&mut resp)?;
    let status = resp
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = resp
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Ok((status, body))
}

/// True when the engine answers. Unreachable: panics under `RUNNER_REQUIRE_DOCKER=1`, else says
/// loudly that the test is skipped.
fn engine() -> bool {
    match api("GET", "/_ping", None) {
        Ok((200, _)) => true,
        other => {
            let why = format!(
                "the Docker Engine at {} is unreachable ({other:?})",
                socket().display()
            );
            if std::env::var("RUNNER_REQUIRE_DOCKER").as_deref() == Ok("1") {
                panic!("{why}, and RUNNER_REQUIRE_DOCKER=1: start it (`sudo dockerd &`) or unset the variable");
            }
            eprintln!(
                "SKIPPED (not passed): {why}; set RUNNER_REQUIRE_DOCKER=1 to make this a failure"
            );
            false
        }
    }
}

/// Containers with the runner's label, as (id, name, labels).
fn runner_containers() -> Vec<(String, String, Value)> {
    let filters = "%7B%22label%22%3A%5B%22runner.managed%22%5D%7D";
    let (status, body) = api(
        "GET",
        &format!("/containers/json?all=1&filters={filters}"),
        None,
    )
    .expect("list containers");
    assert_eq!(status, 200, "{body}");
    let list: Vec<Value> = serde_json::from_str(&body).unwrap();
    list.into_iter()
        .map(|c| {
            (
                c["Id"].as_str().unwrap_or_default().to_string(),
                c["Names"][0].as_str().unwrap_or_default().to_string(),
                c["Labels"].clone(),
            )
        })
        .collect()
}

/// Containers made by the runner process `pid` (their names start with `runner-<pid>-`).
fn containers_of(pid: u32) -> Vec<String> {
    let prefix = format!("/runner-{pid}-");
    runner_containers()
        .into_iter()
        .filter(|(_, name, _)| name.starts_with(&prefix))
        .map(|(_, name, _)| name)
        .collect()
}

fn wait_until(limit: Duration, mut f: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if f() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    f()
}

fn args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec![
        "bench",
        "manifests/tiny.toml",
        "--backend",
        "docker",
        "--out",
        "reports",
        "--no-latest",
        "--seed",
        "1",
    ];
    v.extend_from_slice(&ANY_MACHINE);
    v.extend_from_slice(extra);
    v
}

fn only_report(dir: &Path) -> Value {
    let runs: Vec<PathBuf> = std::fs::read_dir(dir.join("reports/runs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(runs.len(), 1, "one report per invocation: {runs:?}");
    serde_json::from_str(&std::fs::read_to_string(&runs[0]).unwrap()).unwrap()
}

fn rust_job(r: &Value) -> &Value {
    r["projects"][0]["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["name"] == "rust")
        .unwrap()
}

/// Runs the fixture bench; returns (exit code, stderr, report).
fn bench(dir: &Path, extra: &[&str]) -> (i32, String, Value) {
    let out = Command::cargo_bin("runner")
        .unwrap()
        .current_dir(dir)
        .args(args(extra))
        .timeout(common::WHOLE_RUN_LIMIT)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    (out.status.code().unwrap_or(-1), stderr, only_report(dir))
}

/// Builds the fixture's tiny program statically at `imp/bin/tiny`, as the runner would.
fn build_tiny_static(imp: &Path) {
    std::fs::create_dir_all(imp.join("bin")).unwrap();
    let built = std::process::Command::new("rustc")
        .current_dir(imp)
        .args([
            "-O",
            "-C",
            "target-feature=+crt-static",
            "main.rs",
            "-o",
            "bin/tiny",
        ])
        .status()
        .unwrap();
    assert!(built.success());
}

/// Writes a variant of the fixture manifest with `extra` appended to its `[lang.rust]`.
fn with_rust_docker(dir: &Path, extra: &str) {
    let path = dir.join("manifests/tiny.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let text = text.replace("[lang.zig]", &format!("{extra}\n[lang.zig]"));
    std::fs::write(path, text).unwrap();
}

#[test]
fn runs_and_measures_a_static_program_in_an_isolated_container() {
    if !engine() {
        return;
    }
    let dir = fixture("docker");
    let (code, stderr, r) = bench(dir.path(), &["--param", "mode=inspect"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(r["backend"], "docker");
    assert!(
        r["docker"]["engine_version"]
            .as_str()
            .is_some_and(|v| !v.is_empty()),
        "{}",
        r["docker"]
    );
    let job = rust_job(&r);
    assert_eq!(job["status"], "ok", "{job}");
    assert_eq!(job["samples"].as_array().unwrap().len(), 3);
    for s in job["samples"].as_array().unwrap() {
        // Timed inside the container: a tiny program takes milliseconds, not the ~0.5 s of a
        // container start.
        assert!(s["wall_ns"].as_u64().unwrap() < 200_000_000, "{s}");
        assert!(s["max_rss_bytes"].as_u64().unwrap() > 0, "{s}");
    }
    let image = &job["image"];
    assert_eq!(image["source"], "scratch");
    assert!(
        image["tag"]
            .as_str()
            .unwrap()
            .starts_with("runner/tiny-rust:"),
        "{image}"
    );
    assert!(
        image["id"].as_str().unwrap().starts_with("sha256:"),
        "{image}"
    );
    assert_eq!(image["memory_limit_bytes"], 4u64 << 30);
    // What the program saw: a non-root user, a read-only root, a writable /tmp, loopback only;
    // and the input cache, mounted read-only at its host path.
    let seen =
        std::fs::read_to_string(dir.path().join(".runner/work/tiny/rust/verify/out.txt")).unwrap();
    assert!(seen.starts_with("hello from the input cache\n"), "{seen}");
    assert!(!seen.contains("uid=0\n"), "{seen}");
    assert!(seen.contains("root_writable=false"), "{seen}");
    assert!(seen.contains("tmp_writable=true"), "{seen}");
    assert!(seen.contains("net=lo\n"), "{seen}");
    assert!(
        containers_of(std::process::id()).is_empty() && !stderr.contains("runner-"),
        "{stderr}"
    );
}

#[test]
fn a_program_killed_at_the_memory_limit_is_out_of_memory() {
    if !engine() {
        return;
    }
    let dir = fixture("docker");
    let (code, stderr, r) = bench(
        dir.path(),
        &[
            "--param",
            "mode=alloc",
            "--param",
            "arg=256",
            "--memory",
            "64M",
        ],
    );
    assert_eq!(code, 1, "{stderr}");
    let job = rust_job(&r);
    assert_eq!(job["status"], "out_of_memory", "{job}");
    let reason = job["reason"].as_str().unwrap();
    assert!(
        reason.contains("out of memory") && reason.contains("64.0 MiB"),
        "{reason}"
    );
    assert_eq!(job["image"]["memory_limit_bytes"], 64u64 << 20);
}

#[test]
fn a_run_past_its_timeout_is_killed_inside_the_container() {
    if !engine() {
        return;
    }
    let dir = fixture("docker");
    let start = Instant::now();
    let (code, stderr, r) = bench(
        dir.path(),
        &[
            "--param",
            "mode=sleep",
            "--param",
            "arg=60",
            "--timeout",
            "1",
        ],
    );
    assert_eq!(code, 1, "{stderr}");
    let job = rust_job(&r);
    assert_eq!(job["status"], "timeout", "{job}");
    assert!(
        start.elapsed() < Duration::from_secs(40),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn an_image_from_the_implementations_dockerfile() {
    if !engine() {
        return;
    }
    let dir = fixture("docker");
    // No base image can be pulled here: the Dockerfile copies a static program built beforehand.
    build_tiny_static(&dir.path().join("impl"));
    with_rust_docker(
        dir.path(),
        "[lang.rust.docker]\ndockerfile = \"Dockerfile\"\nprogram = \"/bench/tiny\"",
    );
    let (code, stderr, r) = bench(dir.path(), &[]);
    assert_eq!(code, 0, "{stderr}");
    let job = rust_job(&r);
    assert_eq!(job["status"], "ok", "{job}");
    assert_eq!(job["image"]["source"], "dockerfile");
    assert!(
        job["build"].is_null(),
        "the image build is the build: {job}"
    );
}

#[test]
fn a_failing_image_build_shows_the_tail_of_its_log() {
    if !engine() {
        return;
    }
    let dir = fixture("docker");
    with_rust_docker(
        dir.path(),
        "[lang.rust.docker]\ndockerfile = \"Dockerfile.broken\"",
    );
    let (code, stderr, r) = bench(dir.path(), &[]);
    assert_eq!(code, 1, "{stderr}");
    let job = rust_job(&r);
    assert_eq!(job["status"], "build_failed", "{job}");
    let reason = job["reason"].as_str().unwrap();
    assert!(
        reason.contains("building image runner/tiny-rust:"),
        "{reason}"
    );
    assert!(reason.contains("no-such-file"), "{reason}");
    assert!(reason.contains("last lines of the build log"), "{reason}");
}

#[test]
fn an_unreachable_engine_says_how_to_start_it_or_run_natively() {
    // Needs no engine: it points DOCKER_HOST at a socket that does not exist.
    let dir = fixture("docker");
    let out = Command::cargo_bin("runner")
        .unwrap()
        .current_dir(dir.path())
        .env("DOCKER_HOST", "unix:///nonexistent/docker.sock")
        .args(args(&[]))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("cannot reach the Docker Engine at unix:///nonexistent/docker.sock"),
        "{stderr}"
    );
    assert!(stderr.contains("dockerd"), "{stderr}");
    assert!(stderr.contains("--backend native"), "{stderr}");

    // `[docker] default = true` chooses the backend when --backend is not given.
    let path = dir.path().join("manifests/tiny.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("{text}[docker]\ndefault = true\n")).unwrap();
    let out = Command::cargo_bin("runner")
        .unwrap()
        .current_dir(dir.path())
        .env("DOCKER_HOST", "unix:///nonexistent/docker.sock")
        .args([
            "bench",
            "manifests/tiny.toml",
            "--out",
            "reports",
            "--no-latest",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("cannot reach the Docker Engine"),
        "{stderr}"
    );
}

#[test]
fn leftovers_of_a_dead_runner_are_removed_on_the_next_start() {
    if !engine() {
        return;
    }
    let dir = fixture("docker");
    let (code, stderr, r) = bench(dir.path(), &[]);
    assert_eq!(code, 0, "{stderr}");
    let tag = rust_job(&r)["image"]["tag"].as_str().unwrap().to_string();
    // A container as a crashed runner (a pid that does not exist) would have left it.
    let body = format!(
        "{{\"Image\":\"{tag}\",\"Entrypoint\":[\"/nothing\"],\"Labels\":{{\"runner.managed\":\"1\",\"runner.owner\":\"999999999:1\"}}}}"
    );
    let (status, created) = api("POST", "/containers/create", Some(&body)).unwrap();
    assert_eq!(status, 201, "{created}");
    let id: Value = serde_json::from_str(&created).unwrap();
    let id = id["Id"].as_str().unwrap().to_string();
    assert!(runner_containers().iter().any(|(c, _, _)| c == &id));
    std::fs::remove_dir_all(dir.path().join("reports")).unwrap();
    let (code, stderr, _) = bench(dir.path(), &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        !runner_containers().iter().any(|(c, _, _)| c == &id),
        "the leftover container {id} is still there"
    );
}

/// Starts a bench whose verification run sleeps 30 s and waits until its container exists.
fn start_sleeping_bench(dir: &Path) -> std::process::Child {
    let exe = assert_cmd::cargo::cargo_bin("runner");
    let child = std::process::Command::new(exe)
        .current_dir(dir)
        .args(args(&[
            "--param",
            "mode=sleep",
            "--param",
            "arg=30",
            "--timeout",
            "60",
        ]))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    assert!(
        wait_until(Duration::from_secs(60), || !containers_of(pid).is_empty()),
        "the runner made no container"
    );
    // Let the exec start.
    std::thread::sleep(Duration::from_millis(1500));
    child
}

#[test]
fn ctrl_c_mid_run_removes_the_container() {
    if !engine() {
        return;
    }
    let dir = fixture("docker");
    let mut child = start_sleeping_bench(dir.path());
    let pid = child.id();
    let start = Instant::now();
    // SAFETY: sending a signal to our own child.
    unsafe { libc::kill(pid as i32, libc::SIGINT) };
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert_eq!(status.code(), Some(130), "{stderr}");
    assert!(
        start.elapsed() < Duration::from_secs(15),
        "{:?}",
        start.elapsed()
    );
    assert!(
        wait_until(Duration::from_secs(10), || containers_of(pid).is_empty()),
        "containers left after Ctrl-C: {:?}",
        containers_of(pid)
    );
    let job = rust_job(&only_report(dir.path())).clone();
    assert_eq!(job["status"], "interrupted", "{job}");
}

#[test]
fn a_runner_killed_outright_leaves_no_container_behind() {
    if !engine() {
        return;
    }
    let dir = fixture("docker");
    let mut child = start_sleeping_bench(dir.path());
    let pid = child.id();
    // SIGKILL: no handler runs. The container's main process holds the runner's end of its
    // standard input and exits when it closes; AutoRemove does the rest.
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        wait_until(Duration::from_secs(20), || containers_of(pid).is_empty()),
        "containers left after SIGKILL: {:?}",
        containers_of(pid)
    );
}

#[test]
fn a_server_is_published_on_loopback_only_and_stopped() {
    use runner::exec::interrupt::Interrupt;
    use runner::exec::native::Native;
    use runner::exec::{docker, Backend, Exit, JobSetup, RunSpec};
    if !engine() {
        return;
    }
    let dir = fixture("docker");
    let root = dir.path().to_path_buf();
    let imp = root.join("impl");
    build_tiny_static(&imp);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let work = root.join(".runner/work/svc/rust");
    std::fs::create_dir_all(&work).unwrap();
    let probe = docker::static_probe(&mut || {}).unwrap();
    let mut d = docker::Docker::connect(
        Interrupt::none(),
        Native::new(Interrupt::none(), None),
        probe,
    )
    .unwrap();
    let artifact = imp.join("bin/tiny");
    d.prepare(&JobSetup {
        key: "svc/rust".into(),
        project: "svc".into(),
        name: "rust".into(),
        reference: false,
        dir: imp.clone(),
        artifact: Some(artifact.clone()),
        artifact_named: Some(artifact.clone()),
        dockerfile: None,
        program: None,
        read_only: vec![root.clone()],
        writable: work.clone(),
        log: work.join("image-build.log"),
        port: Some(port),
        network: runner::exec::Network::Published,
        memory: 256 << 20,
        cpus: None,
    })
    .unwrap();
    let input = imp.join("data/input.txt");
    let spec = RunSpec {
        argv: vec![
            artifact.display().to_string(),
            "serve".into(),
            port.to_string(),
            input.display().to_string(),
            work.join("out.txt").display().to_string(),
        ],
        cwd: imp.clone(),
        env: Vec::new(),
        stdin: None,
        stdout: work.join("server.stdout"),
        stderr: work.join("server.stderr"),
        timeout: Duration::from_secs(60),
        output_cap: 1 << 20,
        pin: None,
    };
    let members = d.start_service("svc/rust", &spec).unwrap();
    // The server's processes are found in this machine's /proc, below the probe.
    assert!(
        matches!(members, runner::exec::Members::Under(_)),
        "{members:?}"
    );
    assert!(runner::exec::usage::usage_of(&members).max_rss > 0);
    let mut reply = String::new();
    assert!(
        wait_until(Duration::from_secs(15), || {
            reply.clear();
            std::net::TcpStream::connect(("127.0.0.1", port))
                .and_then(|mut s| s.read_to_string(&mut reply))
                .is_ok()
                && !reply.is_empty()
        }),
        "no answer on 127.0.0.1:{port}"
    );
    assert_eq!(reply, "hello from the input cache\n");
    // Published on 127.0.0.1 only.
    let ours: Vec<_> = runner_containers()
        .into_iter()
        .filter(|(_, _, labels)| labels["runner.job"] == "svc/rust")
        .collect();
    assert_eq!(ours.len(), 1);
    let (_, body) = api("GET", &format!("/containers/{}/json", ours[0].0), None).unwrap();
    let info: Value = serde_json::from_str(&body).unwrap();
    let bindings = &info["HostConfig"]["PortBindings"][format!("{port}/tcp")];
    assert_eq!(bindings[0]["HostIp"], "127.0.0.1", "{bindings}");
    assert_eq!(info["HostConfig"]["NetworkMode"], docker::SERVICE_NETWORK);
    let outcome = d.stop_service("svc/rust", Duration::from_secs(5)).unwrap();
    assert_eq!(outcome.exit, Exit::Signal(libc::SIGTERM), "{outcome:?}");
    assert!(outcome.wall > Duration::from_millis(1), "{outcome:?}");
    d.cleanup();
    let id = ours[0].0.clone();
    assert!(
        wait_until(Duration::from_secs(10), || !runner_containers()
            .iter()
            .any(|(c, _, _)| c == &id)),
        "the server's container is still there"
    );
}

/// Runs `manifests/web.toml` (a static HTTP server and a built-in backend fixture) in Docker;
/// returns (exit code, stderr, the rust job's report).
fn web_bench(dir: &Path, extra: &[&str]) -> (i32, String, Value) {
    let mut a = vec![
        "bench",
        "manifests/web.toml",
        "--backend",
        "docker",
        "--out",
        "reports",
        "--no-latest",
        "--seed",
        "1",
    ];
    a.extend_from_slice(&ANY_MACHINE);
    a.extend_from_slice(extra);
    let out = Command::cargo_bin("runner")
        .unwrap()
        .current_dir(dir)
        .args(&a)
        .timeout(Duration::from_secs(180))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let report = only_report(dir);
    let job = rust_job(&report).clone();
    (out.status.code().unwrap_or(-1), stderr, job)
}

/// The fixture folder, readable by the containers' user (a temporary folder is mode 700).
fn web_fixture() -> tempfile::TempDir {
    let dir = fixture("docker");
    let mut perms = std::fs::metadata(dir.path()).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(dir.path(), perms).unwrap();
    dir
}

/// No container of the fixture's job is left once the runner has exited.
fn no_web_container_left() {
    assert!(
        wait_until(Duration::from_secs(10), || !runner_containers()
            .iter()
            .any(|(_, _, labels)| labels["runner.job"] == "web/rust")),
        "a container of web/rust is still there"
    );
}

/// The job verified (all three http steps) and measured, with the server's CPU and memory
/// read from this machine's /proc over each window.
fn assert_verified_and_measured(job: &Value, stderr: &str) {
    assert_eq!(job["status"], "ok", "{job:#}\n{stderr}");
    let checks = job["verification"].as_array().unwrap();
    assert!(
        checks.iter().all(|c| c["passed"] == true) && !checks.is_empty(),
        "{checks:?}"
    );
    assert!(
        checks[0]["detail"]
            .as_str()
            .unwrap()
            .starts_with("3 step(s)"),
        "{checks:?}"
    );
    let rounds = job["load"][0]["rounds"].as_array().unwrap();
    assert_eq!(rounds.len(), 2, "{job:#}");
    for r in rounds {
        assert!(r["requests"].as_u64().unwrap() > 0, "{r}");
        let cpu = r["server_user_ns"].as_u64().unwrap() + r["server_sys_ns"].as_u64().unwrap();
        assert!(cpu > 0, "the server's CPU time was not found: {r}");
        assert!(r["server_max_rss_bytes"].as_u64().unwrap() > 0, "{r}");
    }
}

#[test]
fn a_server_in_its_own_network_namespace_is_published_on_loopback() {
    if !engine() {
        return;
    }
    let dir = web_fixture();
    let (code, stderr, job) = web_bench(dir.path(), &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_verified_and_measured(&job, &stderr);
    let net = &job["image"]["network"];
    assert_eq!(net["network"], "published", "{net}");
    assert_eq!(net["bind"], "0.0.0.0", "{net}");
    // The fixture listens on the bridge's host side, which is also where requests come from.
    assert_ne!(net["fixture_host"], "127.0.0.1", "{net}");
    assert_eq!(net["client"], net["fixture_host"], "{net}");
    assert!(
        net["forwarding"] == "docker-proxy" || net["forwarding"] == "iptables",
        "{net}"
    );
    no_web_container_left();
}

#[test]
fn a_server_on_the_host_network_listens_on_loopback_like_a_native_one() {
    if !engine() {
        return;
    }
    let dir = web_fixture();
    let (code, stderr, job) = web_bench(dir.path(), &["--docker-network", "host"]);
    assert_eq!(code, 0, "{stderr}");
    assert_verified_and_measured(&job, &stderr);
    let net = &job["image"]["network"];
    assert_eq!(net["network"], "host", "{net}");
    assert_eq!(net["bind"], "127.0.0.1", "{net}");
    assert_eq!(net["fixture_host"], "127.0.0.1", "{net}");
    assert_eq!(net["forwarding"], "none", "{net}");
    no_web_container_left();
}

#[test]
fn a_server_listening_on_127_0_0_1_in_its_own_container_is_told_to_use_bind() {
    if !engine() {
        return;
    }
    let dir = web_fixture();
    let path = dir.path().join("manifests/web.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("{bind}:{port}", "127.0.0.1:{port}")).unwrap();
    let (code, stderr, job) = web_bench(dir.path(), &[]);
    assert_ne!(code, 0, "{stderr}");
    assert_eq!(job["status"], "run_failed", "{job:#}");
    let reason = job["reason"].as_str().unwrap();
    assert!(
        reason.contains("{bind}:{port}") && reason.contains("web.toml"),
        "{reason}"
    );
    no_web_container_left();
}

#[test]
fn a_server_crashing_under_load_in_its_container_fails_its_job() {
    if !engine() {
        return;
    }
    let dir = web_fixture();
    with_web_env(dir.path(), "CRASH_AFTER = \"300\"");
    let (code, stderr, job) = web_bench(dir.path(), &[]);
    assert_ne!(code, 0, "{stderr}");
    assert_eq!(job["status"], "run_failed", "{job:#}");
    let reason = job["reason"].as_str().unwrap();
    assert!(
        reason.contains("the service exited (exit code 3)"),
        "{reason}"
    );
    no_web_container_left();
}

fn with_web_env(dir: &Path, env: &str) {
    let path = dir.join("manifests/web.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let text = text.replace(
        "run = [\"{artifact}\", \"{bind}:{port}\", \"{fixture.backend.0}\"]",
        &format!("run = [\"{{artifact}}\", \"{{bind}}:{{port}}\", \"{{fixture.backend.0}}\"]\nenv = {{ {env} }}"),
    );
    std::fs::write(path, text).unwrap();
}
