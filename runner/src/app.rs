//! One function per subcommand; the only file that names every module. Each returns the exit
//! code it wants; `main.rs` only prints and exits.
//!
//! Exit codes: 0 all good; 1 a job failed or a manifest is invalid; 2 bad usage or configuration;
//! 130 interrupted (Ctrl-C / SIGTERM).

use crate::cli::{BenchArgs, BenchExports, Cli, Cmd, CompareArgs, ExportArgs, RenderArgs};
use crate::event::{Event, EventSink};
use crate::exec::fake::Fake;
use crate::exec::interrupt::Interrupt;
use crate::exec::native::Native;
use crate::exec::Backend;
use crate::manifest::{self, Lang, LoadError, Manifest};
use crate::measure::{self, Context};
use crate::prereq::Missing;
use crate::progress::Progress;
use crate::report::host::{self, Host};
use crate::report::{
    store, Git, ProjectReport, ProjectStatus, Report, ScheduleInfo, SCHEMA_VERSION,
};
use crate::toolchain::{Pins, Toolchains};
use crate::{options, table};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Exit code: success.
pub const OK: i32 = 0;
/// Exit code: a job failed or a manifest is invalid.
pub const FAILED: i32 = 1;
/// Exit code: bad usage or configuration.
pub const USAGE: i32 = 2;
/// Exit code: interrupted.
pub const INTERRUPTED: i32 = 130;

/// Writes to stdout, treating a closed pipe (`runner list | head`) as success.
pub fn out(text: &str) {
    let mut o = std::io::stdout().lock();
    let _ = o.write_all(text.as_bytes());
    let _ = o.flush();
}

/// Runs the parsed command line.
pub fn run(cli: Cli, argv: Vec<String>) -> i32 {
    match cli.command {
        Cmd::Check { manifests } => check(&manifests),
        Cmd::Test {
            manifests,
            only,
            lang,
        } => test(&manifests, &only, &lang),
        Cmd::List { manifests, reports } => list(&manifests, &reports),
        Cmd::Render(args) => render(&args),
        Cmd::Doctor {
            provision,
            root,
            manifests,
        } => doctor(&root, provision, &manifests),
        Cmd::Matrix {
            manifests,
            changed_files,
            all: _,
        } => matrix(&manifests, changed_files.as_deref()),
        Cmd::Merge { reports, out } => merge(&reports, &out, argv),
        Cmd::Bench(args) => bench(&args, argv),
        Cmd::Compare(args) => compare(&args),
        Cmd::Export(args) => export(&args),
        Cmd::Load(args) => load(&args),
    }
}

/// Parses `http://HOST:PORT/path` where HOST is a loopback address (or `localhost`).
fn loopback_url(url: &str) -> Result<(std::net::SocketAddr, String), String> {
    let rest = url
        .strip_prefix("http://")
        .ok_or("only http:// URLs are supported")?;
    let (hostport, path) = match rest.find('/') {
        Some(i) => (&rest[..i], rest[i..].to_string()),
        None => (rest, "/".to_string()),
    };
    let hostport = hostport.replacen("localhost", "127.0.0.1", 1);
    let addr: std::net::SocketAddr = hostport
        .parse()
        .map_err(|_| format!("`{hostport}` is not IP:PORT (e.g. 127.0.0.1:8080)"))?;
    if !addr.ip().is_loopback() {
        return Err(format!(
            "{} is not a loopback address: runner load sends traffic only to this machine (127.0.0.0/8, ::1)",
            addr.ip()
        ));
    }
    Ok((addr, path))
}

/// `runner load`: the built-in load generator on its own.
pub fn load(args: &crate::cli::LoadArgs) -> i32 {
    let usage = |flag: &str, msg: String| {
        eprintln!("error: {flag}: {msg}");
        USAGE
    };
    let (addr, path) = match loopback_url(&args.url) {
        Ok(x) => x,
        Err(e) => return usage(&args.url, e),
    };
    let mut headers = Vec::new();
    for h in &args.headers {
        match h.split_once(':') {
            Some((k, v)) => headers.push((k.trim().to_string(), v.trim().to_string())),
            None => return usage("--header", format!("`{h}` is not `Name: value`")),
        }
    }
    for (flag, v, zero_ok) in [
        ("--duration", args.duration, false),
        ("--warmup", args.warmup, true),
        ("--timeout", args.timeout, false),
    ] {
        if !(v.is_finite() && (v > 0.0 || (zero_ok && v == 0.0))) {
            return usage(flag, "must be a positive number of seconds".into());
        }
    }
    if args.connections == 0 {
        return usage("--connections", "must be at least 1".into());
    }
    if let Some(r) = args.rate {
        if !(r > 0.0 && r.is_finite()) {
            return usage("--rate", "must be a positive number of requests/s".into());
        }
    }
    let spec = crate::load::LoadSpec {
        addr,
        connections: args.connections as usize,
        warmup: std::time::Duration::from_secs_f64(args.warmup),
        duration: std::time::Duration::from_secs_f64(args.duration),
        rate: args.rate,
        requests: vec![crate::load::RequestTemplate {
            method: args.method.clone(),
            path,
            headers,
            body: args.body.clone().unwrap_or_default().into_bytes(),
        }],
        timeout: std::time::Duration::from_secs_f64(args.timeout),
        threads: args
            .threads
            .unwrap_or_else(crate::load::default_threads)
            .max(1),
    };
    let interrupt = Interrupt::install().unwrap_or_else(|_| Interrupt::none());
    match crate::load::run(&spec, &interrupt.flag()) {
        Err(e) => {
            eprintln!("error: {e}");
            FAILED
        }
        Ok(r) => {
            if args.json {
                let round = serde_json::json!({
                    "url": args.url,
                    "connections": spec.connections,
                    "threads": spec.threads,
                    "rate": spec.rate,
                    "window_s": r.window.as_secs_f64(),
                    "requests": r.requests,
                    "rps": r.rps(),
                    "body_bytes": r.body_bytes,
                    "latency": r.latency,
                    "latency_corrected": r.latency_corrected,
                    "statuses": r.statuses,
                    "errors": r.errors,
                });
                out(&format!("{round}\n"));
            } else {
                out(&table::load_result(&args.url, &spec, &r));
            }
            if interrupt.is_set() {
                INTERRUPTED
            } else if r.requests == 0 {
                eprintln!("error: no response completed");
                FAILED
            } else {
                OK
            }
        }
    }
}

/// `runner __backend PORT BODY_BYTES DELAY_MS INDEX [HOST]`: the built-in HTTP backend fixture
/// (HOST defaults to 127.0.0.1; a containerised service's fixtures listen on its bridge's host
/// side).
pub fn backend(args: &[String]) -> i32 {
    let num = |i: usize| args.get(i).and_then(|a| a.parse::<u64>().ok());
    let host = match args.get(4).map(|h| h.parse::<std::net::IpAddr>()) {
        None => Some(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST)),
        Some(Ok(h)) => Some(h),
        Some(Err(_)) => None,
    };
    let (Some(port), Some(body), Some(delay), Some(index), Some(host)) =
        (num(0), num(1), num(2), num(3), host)
    else {
        eprintln!("usage: runner __backend PORT BODY_BYTES DELAY_MS INDEX [HOST] (started by runner bench for [[fixture]] builtin = \"http\")");
        return USAGE;
    };
    let listen = std::net::SocketAddr::new(host, port as u16);
    let cfg = crate::load::backend::BackendConfig {
        listen,
        body_bytes: body as usize,
        delay: std::time::Duration::from_millis(delay),
        index: index as usize,
    };
    match crate::load::backend::serve(cfg) {
        Ok(()) => OK,
        Err(e) => {
            eprintln!("runner __backend: cannot serve on {listen}: {e}");
            FAILED
        }
    }
}

fn print_load_errors(errors: &[LoadError]) {
    for e in errors {
        match e {
            LoadError::Read { .. } => eprintln!("error: {e}\n"),
            LoadError::Invalid { path, errors } => {
                eprintln!(
                    "error: {} has {} problem(s):\n",
                    path.display(),
                    errors.len()
                );
                eprint!("{}", manifest::error::render(errors));
            }
        }
    }
}

/// `runner check`.
pub fn check(paths: &[PathBuf]) -> i32 {
    let (ok, bad) = manifest::load_all(paths);
    print_load_errors(&bad);
    let problems: usize = bad
        .iter()
        .map(|e| match e {
            LoadError::Invalid { errors, .. } => errors.len(),
            LoadError::Read { .. } => 1,
        })
        .sum();
    if bad.is_empty() {
        out(&format!("{} manifest(s) OK\n", ok.len()));
        OK
    } else {
        eprintln!(
            "{} of {} manifest(s) invalid, {problems} problem(s) in all",
            bad.len(),
            paths.len()
        );
        FAILED
    }
}

/// `runner test`: each implementation's own unit tests, through the pinned toolchains.
pub fn test(paths: &[PathBuf], only: &[String], lang: &str) -> i32 {
    let langs: Vec<Lang> = match lang
        .split(',')
        .map(|l| Lang::parse(l.trim()).ok_or(l))
        .collect()
    {
        Ok(l) => l,
        Err(bad) => {
            eprintln!("error: --lang: unknown language `{bad}`: use go, rust, zig");
            return USAGE;
        }
    };
    let (all, bad) = manifest::load_all(paths);
    print_load_errors(&bad);
    let selected: Vec<&Manifest> = all
        .iter()
        .filter(|m| only.is_empty() || only.iter().any(|o| o == &m.id || o == &m.slug))
        .collect();
    let Some(first) = selected.first() else {
        eprintln!("error: no valid manifest selected");
        return USAGE;
    };
    let root = manifest::root_of(&first.path);
    let (tc, cpu) = match Pins::find(&root) {
        Ok((p, dir)) => {
            let cpu = p.cpu.level;
            (Toolchains::new(&dir, p), cpu)
        }
        Err(e) => {
            eprintln!("error: {e}");
            return USAGE;
        }
    };
    if let Err(e) = tc.provision() {
        eprintln!("warning: {e}");
    }
    // Tests build with the same CPU level as benches, so compiled dependencies are shared.
    let mut base_env = measure::merged_env(&tc.env(), &cpu.build_env());
    // A cached pass says nothing about files a test reads at run time (shared testdata): Go's
    // test cache is off here (Zig projects mark their test run step as having side effects).
    let goflags = base_env
        .iter()
        .rev()
        .find(|(k, _)| k == "GOFLAGS")
        .map(|(_, v)| v.clone())
        .or_else(|| std::env::var("GOFLAGS").ok())
        .unwrap_or_default();
    base_env.push((
        "GOFLAGS".into(),
        format!("{goflags} -count=1").trim().to_string(),
    ));
    let interrupt = Interrupt::install().unwrap_or_else(|_| Interrupt::none());
    let mut backend = Native::new(interrupt.clone(), None);
    let (mut passed, mut failed) = (0, 0);
    for m in selected {
        for (l, imp) in m.implemented() {
            if !langs.contains(&l) || interrupt.is_set() {
                continue;
            }
            let Some(argv) = &imp.test else {
                out(&format!("{} {l}: no test command in the manifest\n", m.id));
                continue;
            };
            let dir = root.join(&imp.dir);
            let look = |n: &str| match n {
                "dir" => Some(dir.display().to_string()),
                "root" => Some(root.display().to_string()),
                _ => n
                    .strip_prefix("param.")
                    .and_then(|p| m.params.get(p).cloned()),
            };
            let argv: Result<Vec<String>, _> = argv
                .iter()
                .map(|a| manifest::placeholder::expand(a, &look))
                .collect();
            let Ok(argv) = argv else {
                out(&format!(
                    "{} {l}: FAILED: bad placeholder in the test command\n",
                    m.id
                ));
                failed += 1;
                continue;
            };
            let logs = root
                .join(".runner")
                .join("work")
                .join(&m.slug)
                .join(l.as_str());
            let _ = std::fs::create_dir_all(&logs);
            let spec = crate::exec::RunSpec {
                argv: argv.clone(),
                cwd: dir,
                env: measure::merged_env(
                    &base_env,
                    &imp.env
                        .iter()
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect::<Vec<_>>(),
                ),
                stdin: None,
                stdout: logs.join("test.stdout"),
                stderr: logs.join("test.stderr"),
                timeout: std::time::Duration::from_secs(1800),
                output_cap: 64 << 20,
                pin: None,
            };
            match backend.run(&spec) {
                Ok(o) if o.exit.success() => {
                    passed += 1;
                    out(&format!(
                        "{} {l}: ok ({}) `{}`\n",
                        m.id,
                        crate::units::duration(o.wall),
                        argv.join(" ")
                    ));
                }
                Ok(o) => {
                    failed += 1;
                    let mut tail = crate::input::tail_of(&spec.stderr, 15);
                    if tail.trim().is_empty() {
                        tail = crate::input::tail_of(&spec.stdout, 15);
                    }
                    let how = if o.timed_out {
                        "timed out".to_string()
                    } else {
                        o.exit.to_string()
                    };
                    out(&format!(
                        "{} {l}: FAILED ({how}) `{}`\n{tail}\n",
                        m.id,
                        argv.join(" ")
                    ));
                }
                Err(e) => {
                    failed += 1;
                    out(&format!(
                        "{} {l}: FAILED to start `{}`: {e}\n",
                        m.id,
                        argv.join(" ")
                    ));
                }
            }
        }
    }
    out(&format!("{passed} passed, {failed} failed\n"));
    if failed > 0 || !bad.is_empty() {
        FAILED
    } else {
        OK
    }
}

/// `runner list`.
pub fn list(paths: &[PathBuf], reports: &Path) -> i32 {
    let (ok, bad) = manifest::load_all(paths);
    print_load_errors(&bad);
    let mut rows = Vec::new();
    for m in &ok {
        let latest = store::read_report(&store::latest_path(reports, &m.slug)).ok();
        let proj = latest
            .as_ref()
            .and_then(|r| r.projects.iter().find(|p| p.slug == m.slug));
        let lang_cell = |l: Lang| -> String {
            match (
                m.langs.get(&l),
                proj.and_then(|p| p.jobs.iter().find(|j| j.name == l.as_str())),
            ) {
                (Some(manifest::LangDef::Impl(_)), Some(j)) => serde_json::to_value(j.status)
                    .ok()
                    .and_then(|v| v.as_str().map(String::from))
                    .unwrap_or_default(),
                (Some(manifest::LangDef::Impl(_)), None) => "not measured".into(),
                _ => "—".into(),
            }
        };
        let name = m.text.get("en").map(|t| t.name.clone()).unwrap_or_default();
        rows.push(vec![
            m.id.clone(),
            m.slug.clone(),
            name,
            lang_cell(Lang::Go),
            lang_cell(Lang::Rust),
            lang_cell(Lang::Zig),
            crate::render::model::derived_status(m, proj)
                .as_str()
                .to_string(),
            latest.map(|r| r.started_at).unwrap_or_default(),
        ]);
    }
    out(&table::list(&rows));
    if bad.is_empty() {
        OK
    } else {
        FAILED
    }
}

/// `runner render`: 0 written or up to date; 1 stale (with `--check`); 2 unreadable input.
pub fn render(args: &RenderArgs) -> i32 {
    let opts = crate::render::Options {
        manifests: args.manifests.clone(),
        charts: args
            .charts
            .clone()
            .unwrap_or_else(|| args.reports.join("charts")),
        reports: args.reports.clone(),
        readme: args.readme.clone(),
        readme_th: args.readme_th.clone(),
        templates: args.templates.clone(),
        check: args.check,
    };
    let outcome = match crate::render::run(&opts) {
        Ok(o) => o,
        Err(crate::render::RenderError::Manifests(bad)) => {
            print_load_errors(&bad);
            eprintln!("error: {} manifest(s) invalid: nothing rendered", bad.len());
            return USAGE;
        }
        Err(e) => {
            eprintln!("error: {e}");
            return USAGE;
        }
    };
    if args.check {
        let stale: Vec<_> = outcome.stale().collect();
        if stale.is_empty() {
            out(&format!("{} file(s) up to date\n", outcome.files.len()));
            return OK;
        }
        for f in &stale {
            match &f.diff {
                Some(d) => eprint!("{d}"),
                None => eprintln!("{}: stale", f.path.display()),
            }
        }
        eprintln!(
            "{} file(s) stale: {}\nrun: runner render",
            stale.len(),
            stale
                .iter()
                .map(|f| f.path.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
        return FAILED;
    }
    let mut text = String::new();
    for f in &outcome.files {
        let what = if f.changed { "updated" } else { "unchanged" };
        text.push_str(&format!("{what}: {}\n", f.path.display()));
    }
    out(&text);
    OK
}

/// `runner doctor`: the pinned toolchains, then what the runner and each project need from the
/// machine (their `[requires]`) and lack, naming the project and the package; with
/// `--provision`, installs it first (Debian packages as root or through `sudo -n`, else the
/// command to run is printed). Exit 1 while anything is missing.
pub fn doctor(root: &Path, provision: bool, manifests: &[PathBuf]) -> i32 {
    let pins = match Pins::load(root) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}\n  run `runner doctor` from the repository root, or pass --root");
            return USAGE;
        }
    };
    let paths: Vec<PathBuf> = if manifests.is_empty() {
        let mut v: Vec<PathBuf> = std::fs::read_dir(root.join("manifests"))
            .map(|d| {
                d.flatten()
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    } else {
        manifests.to_vec()
    };
    let (loaded, bad) = manifest::load_all(&paths);
    print_load_errors(&bad);
    let tc = Toolchains::new(root, pins.clone());
    let owners = match crate::setup::declarations(&pins, &loaded) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}");
            return USAGE;
        }
    };
    let privilege = crate::prereq::provision::Privilege::detect();
    let mut failed = !bad.is_empty();
    if provision {
        eprintln!(
            "provisioning what toolchains.toml and {} manifest(s) declare, into {} and the system …",
            loaded.len(),
            root.join(".toolchains").display()
        );
        let mut note = |n: String| eprintln!("  {n}");
        if let Err(e) = crate::setup::provision(&owners, &tc, privilege, true, &mut note) {
            eprintln!("error: {e}");
            failed = true;
        }
    }
    let mut text = String::from("toolchains (pinned in toolchains.toml):\n");
    for s in tc.status() {
        let found = s
            .found
            .as_deref()
            .map(|f| f.lines().next().unwrap_or("").to_string())
            .unwrap_or_else(|| "missing".into());
        let mark = if s.ok { "ok " } else { "BAD" };
        text.push_str(&format!(
            "  [{mark}] {:<5} pinned {:<8} found: {found}\n",
            s.name,
            s.pinned.unwrap_or_default()
        ));
        if !s.ok {
            failed = true;
            if let Some(fix) = s.fix {
                text.push_str(&format!("         fix: {fix}\n"));
            }
        }
    }
    text.push_str("prerequisites ([requires] of toolchains.toml and of each manifest):\n");
    // The pinned toolchains are reported above, with their fix.
    let missing: Vec<_> = crate::setup::missing(&owners, &tc)
        .into_iter()
        .map(|(o, m)| {
            let m: Vec<Missing> = m
                .into_iter()
                .filter(
                    |m| !matches!(m, Missing::Executable { name } if name == "go" || name == "zig"),
                )
                .collect();
            (o, m)
        })
        .filter(|(_, m)| !m.is_empty())
        .collect();
    let incomplete = crate::setup::incomplete(&owners, &loaded);
    for (owner, req) in &owners {
        let lacks = missing.iter().find(|(o, _)| o == owner).map(|(_, m)| m);
        let undeclared = incomplete.iter().find(|(o, _)| o == owner).map(|(_, u)| u);
        if lacks.is_none() && undeclared.is_none() {
            let n = req.apt.len() + req.pypi.len();
            if n > 0 {
                text.push_str(&format!("  [ok ] {owner} ({n} package(s))\n"));
            }
            continue;
        }
        failed = true;
        for m in lacks.into_iter().flatten() {
            match m {
                // One install command for all of them follows.
                Missing::Apt { .. } => text.push_str(&format!("  [BAD] {owner} lacks {m}\n")),
                _ => text.push_str(&format!(
                    "  [BAD] {owner} lacks {m}\n         fix: {}\n",
                    m.fix()
                )),
            }
        }
        for u in undeclared.into_iter().flatten() {
            text.push_str(&format!("  [BAD] {owner}: {u}\n"));
        }
    }
    let quiet = owners
        .iter()
        .filter(|(o, r)| {
            r.apt.is_empty()
                && r.pypi.is_empty()
                && !missing.iter().any(|(m, _)| m == o)
                && !incomplete.iter().any(|(m, _)| m == o)
        })
        .count();
    if quiet > 0 {
        text.push_str(&format!("  [ok ] {quiet} other project(s) need nothing beyond the toolchains and the base system\n"));
    }
    if let Some(cmd) = crate::setup::apt_command(&missing, privilege) {
        text.push_str(&format!(
            "to install the missing Debian packages: {cmd}\n  (`runner doctor --provision` runs it when root or when sudo needs no password)\n"
        ));
    }
    let h = Host::detect();
    text.push_str(&format!(
        "host: {} · {} cores · {} · governor {} · {}{}\n",
        h.cpu_model,
        h.cores,
        crate::units::bytes(h.memory_bytes as f64),
        h.governor,
        h.os,
        if h.virtualized {
            " · virtual machine"
        } else {
            ""
        }
    ));
    out(&text);
    if failed {
        FAILED
    } else {
        OK
    }
}

/// `runner matrix`: prints the CI matrix JSON; 2 when a manifest or the change list is
/// unreadable.
pub fn matrix(paths: &[PathBuf], changed_files: Option<&Path>) -> i32 {
    let (ok, bad) = manifest::load_all(paths);
    if !bad.is_empty() {
        print_load_errors(&bad);
        return USAGE;
    }
    let changed: Option<Vec<String>> = match changed_files {
        None => None,
        Some(f) => match std::fs::read_to_string(f) {
            Ok(text) => Some(text.lines().map(String::from).collect()),
            Err(e) => {
                eprintln!("error: --changed-files {}: {e}", f.display());
                return USAGE;
            }
        },
    };
    let root = ok
        .first()
        .map(|m| manifest::root_of(&m.path))
        .unwrap_or_default();
    let projects: Vec<(&Manifest, String)> = ok
        .iter()
        .map(|m| {
            let abs = std::fs::canonicalize(&m.path).unwrap_or_else(|_| m.path.clone());
            let rel = abs.strip_prefix(&root).unwrap_or(&m.path);
            (m, rel.to_string_lossy().replace('\\', "/"))
        })
        .collect();
    let m = crate::matrix::select(&projects, changed.as_deref());
    out(&format!(
        "{}\n",
        serde_json::to_string(&m).unwrap_or_default()
    ));
    OK
}

/// `runner merge`: 0 merged; 2 unreadable reports or mixed schema versions / modes.
pub fn merge(reports: &[PathBuf], out_dir: &Path, argv: Vec<String>) -> i32 {
    match crate::merge::run(reports, out_dir, argv) {
        Ok((path, latest)) => {
            eprintln!(
                "merged {} report(s) into {}; latest views: {}",
                reports.len(),
                path.display(),
                if latest.is_empty() {
                    "none".to_string()
                } else {
                    latest.join(", ")
                }
            );
            OK
        }
        Err(e) => {
            eprintln!("error: {e}");
            USAGE
        }
    }
}

fn git_info(root: &Path) -> Git {
    let run = |args: &[&str]| {
        std::process::Command::new("git")
            .arg("-C")
            .arg(root)
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    Git {
        commit: run(&["rev-parse", "HEAD"]),
        dirty: run(&["status", "--porcelain", "--untracked-files=no"])
            .is_some_and(|s| !s.is_empty()),
    }
}

fn now() -> (String, String) {
    let t = time::OffsetDateTime::now_utc();
    let rfc = t
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let compact = t
        .format(time::macros::format_description!(
            "[year][month][day]T[hour][minute][second]Z"
        ))
        .unwrap_or_default();
    (rfc, compact)
}

/// `runner bench`.
pub fn bench(args: &BenchArgs, argv: Vec<String>) -> i32 {
    let mut settings = match options::settings(args) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return USAGE;
        }
    };
    let (all, bad) = manifest::load_all(&args.manifests);
    print_load_errors(&bad);
    let mut selected: Vec<Manifest> = all;
    if !args.only.is_empty() {
        for o in &args.only {
            if !selected.iter().any(|m| &m.id == o || &m.slug == o) {
                eprintln!("error: --only {o}: no valid manifest has that id or slug (see `runner list {}`)", args.manifests.first().map(|p| p.display().to_string()).unwrap_or_default());
                return USAGE;
            }
        }
        selected.retain(|m| args.only.iter().any(|o| o == &m.id || o == &m.slug));
    }
    for k in settings.params.keys() {
        if !selected.iter().any(|m| m.params.contains_key(k)) {
            eprintln!("error: --param {k}: no selected manifest declares a parameter `{k}`");
            return USAGE;
        }
    }
    if selected.is_empty() {
        eprintln!("error: no valid manifest to run");
        return if bad.is_empty() { USAGE } else { FAILED };
    }
    let root = manifest::root_of(&selected[0].path);
    let (pins, pins_root) = match Pins::find(&root) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}\n  the runner reads the pinned toolchain versions from toolchains.toml at the repository root");
            return USAGE;
        }
    };
    let tc = Toolchains::new(&pins_root, pins.clone());
    let mut progress = Progress::new();
    let backend_name = match options::backend(args, &selected) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: {e}");
            return USAGE;
        }
    };
    let fake = backend_name == "fake";
    let docker = backend_name == "docker";
    if docker && (settings.mode == measure::Mode::Instructions || settings.instructions) {
        eprintln!("error: instruction counts run under valgrind on this machine, not in containers: use --backend native with --mode instructions or --instructions");
        return USAGE;
    }
    let needs_pinned = selected.iter().any(|m| {
        m.implemented()
            .any(|(l, _)| l != Lang::Rust && settings.langs.contains(&l))
    });
    settings.cpu = args
        .cpu
        .as_deref()
        .and_then(crate::toolchain::cpu::Level::parse)
        .unwrap_or(pins.cpu.level);
    if !fake && (settings.mode == measure::Mode::Instructions || settings.instructions) {
        let has_valgrind = std::process::Command::new("valgrind")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
        if !has_valgrind {
            eprintln!(
                "error: instruction counts need valgrind (callgrind): apt-get install valgrind"
            );
            return USAGE;
        }
        if settings.cpu == crate::toolchain::cpu::Level::V4 {
            eprintln!("error: valgrind cannot run AVX-512 code: use --cpu x86-64-v3 or lower with --mode instructions");
            return USAGE;
        }
    }
    if !fake {
        // The declarations of the runner and of the selected projects: complete, then provided.
        let owners = match crate::setup::declarations(&pins, &selected) {
            Ok(o) => o,
            Err(e) => {
                eprintln!("error: {e}");
                return USAGE;
            }
        };
        // Not fatal here (a program of the base system may be left undeclared by a fixture),
        // but `runner doctor` fails on it.
        for (owner, list) in crate::setup::incomplete(&owners, &selected) {
            for u in list {
                progress.emit(Event::Warning {
                    message: format!("{owner}: {u}"),
                });
            }
        }
        if !args.no_provision {
            let privilege = crate::prereq::provision::Privilege::detect();
            let mut note = |what: String| progress.emit(Event::Provisioning { what });
            match crate::setup::provision(&owners, &tc, privilege, needs_pinned, &mut note) {
                Err(e) => {
                    eprintln!("error: {e}");
                    return FAILED;
                }
                Ok(left) => {
                    if let Some(cmd) = crate::setup::apt_command(&left, privilege) {
                        let mut text = String::from(
                            "error: Debian packages are missing and this process may not install them (not root, and sudo asks for a password):\n",
                        );
                        for (owner, list) in &left {
                            for m in list
                                .iter()
                                .filter(|m| matches!(m, crate::prereq::Missing::Apt { .. }))
                            {
                                text.push_str(&format!("  {owner}: {m}\n"));
                            }
                        }
                        text.push_str(&format!("  run: {cmd}\n  then this command again; or add --no-provision to skip the projects that need them"));
                        eprintln!("{text}");
                        return FAILED;
                    }
                }
            }
        }
    }
    if !fake {
        if let Some(rust) = tc.status().into_iter().find(|s| s.name == "rust" && !s.ok) {
            progress.emit(Event::Warning {
                message: format!(
                    "rustc is not the pinned {} (found {}); the report records the version used",
                    rust.pinned.unwrap_or_default(),
                    rust.found
                        .unwrap_or_else(|| "none".into())
                        .lines()
                        .next()
                        .unwrap_or("")
                ),
            });
        }
    }

    let interrupt = if fake {
        Interrupt::none()
    } else {
        match Interrupt::install() {
            Ok(i) => i,
            Err(e) => {
                eprintln!("error: cannot install the Ctrl-C handler: {e}");
                return USAGE;
            }
        }
    };
    let probe = crate::exec::native::find_probe();
    let probe_name = match &probe {
        _ if fake => "none (fake backend)".to_string(),
        _ if docker => "runner-probe-static (in each container)".to_string(),
        None => "none".to_string(),
        Some(p) if p.prefix.is_empty() => "runner-probe".to_string(),
        Some(_) => "runner __probe".to_string(),
    };
    match &probe {
        _ if fake => {}
        None => progress.emit(Event::Warning { message: "runner-probe was not found beside the runner (build it with `cargo build --release -p runner`): peak RSS figures will include the runner's own memory".into() }),
        Some(p) if !p.prefix.is_empty() => progress.emit(Event::Warning { message: "runner-probe is not built (`cargo run` builds only the runner): the runner measures through itself, whose start-up adds ~0.7 MiB to every peak-RSS figure; `cargo build --release -p runner` builds the probe".into() }),
        Some(_) => {}
    }
    let mut docker_info = None;
    let mut backend: Box<dyn Backend> = if fake {
        Box::new(Fake::new())
    } else if docker {
        let native = Native::new(interrupt.clone(), probe);
        match connect_docker(interrupt.clone(), native, &mut progress) {
            Ok(d) => {
                let e = d.engine();
                docker_info = Some(crate::report::DockerInfo {
                    host: e.host.clone(),
                    engine_version: e.version.clone(),
                    api_version: e.api_version.clone(),
                    network: "none".into(),
                });
                Box::new(d)
            }
            Err(e) => {
                eprintln!("error: {e}");
                return USAGE;
            }
        }
    } else {
        Box::new(Native::new(interrupt.clone(), probe))
    };
    let (started, compact) = now();
    let mut report = Report {
        schema_version: SCHEMA_VERSION,
        runner_version: env!("CARGO_PKG_VERSION").to_string(),
        started_at: started,
        finished_at: None,
        complete: false,
        interrupted: false,
        command: argv,
        backend: backend.name().to_string(),
        host: Host::detect(),
        toolchains: if fake {
            Default::default()
        } else {
            tc.versions()
        },
        pins: [
            ("go", &pins.go.version),
            ("zig", &pins.zig.version),
            ("rust", &pins.rust.version),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect(),
        git: git_info(&root),
        cpu_target: Some(settings.cpu.target()),
        probe: probe_name,
        mode: if settings.mode == measure::Mode::Instructions {
            "instructions".into()
        } else {
            "time".into()
        },
        pinned_cpu: settings.pin,
        load_avg_end: None,
        environment: Vec::new(),
        schedule: ScheduleInfo {
            seed: settings.seed,
            interleaved: settings.interleaved,
        },
        projects: selected
            .iter()
            .map(|m| {
                measure::initial_report(
                    m,
                    &measure::effective_params(m, &settings.params, settings.quick),
                    settings.mode,
                )
            })
            .collect(),
        shards: Vec::new(),
        docker: docker_info,
    };
    let out_dir = if args.out.is_absolute() {
        args.out.clone()
    } else {
        std::env::current_dir().unwrap_or_default().join(&args.out)
    };
    let path = store::run_path(&out_dir, &compact, settings.seed);
    let mut write_failed = false;
    let mut save = |report: &Report, progress: &mut Progress| {
        if let Err(e) = store::write_report(&path, report) {
            if !write_failed {
                progress.emit(Event::Warning {
                    message: format!("cannot write the report: {e}"),
                });
            }
            write_failed = true;
        }
    };
    save(&report, &mut progress);

    let work = root.join(".runner").join("work");
    let cache = root.join(".runner").join("inputs");
    for (i, m) in selected.iter().enumerate() {
        if interrupt.is_set() {
            break;
        }
        let mut ctx = Context {
            root: root.clone(),
            work: work.clone(),
            cache: cache.clone(),
            env: tc.env(),
            backend: backend.as_mut(),
            interrupt: interrupt.clone(),
            events: &mut progress,
        };
        let mut snapshot: Option<ProjectReport> = None;
        let result = measure::project(m, &settings, &mut ctx, &mut |p| {
            snapshot = Some(p.clone());
            let mut r = report.clone();
            r.projects[i] = p.clone();
            // Written after every step: a crash or Ctrl-C keeps everything measured so far.
            let _ = store::write_report(&path, &r);
        });
        let _ = snapshot;
        report.projects[i] = result;
        save(&report, &mut progress);
        let p = &report.projects[i];
        // latest/ feeds the README, whose headline is each manifest's own metric: instruction
        // counts stay in the run report only.
        if !args.no_latest
            && settings.mode == measure::Mode::Time
            && p.status == ProjectStatus::Finished
        {
            if let Err(e) = store::write_latest(&out_dir, &report, &m.slug) {
                progress.emit(Event::Warning {
                    message: format!("cannot write the latest view: {e}"),
                });
            }
        }
    }
    let interrupted = interrupt.is_set();
    report.interrupted = interrupted;
    report.complete = !interrupted;
    report.finished_at = Some(now().0);
    report.host.load_avg_start = report.host.load_avg_start.max(0.0);
    let load_end = host::load_avg();
    report.load_avg_end = Some(load_end);
    if !fake {
        report.environment = host::environment_warnings(
            &report.host,
            load_end,
            settings.mode == measure::Mode::Instructions,
        );
        for w in &report.environment {
            progress.emit(Event::Warning { message: w.clone() });
        }
    }
    save(&report, &mut progress);
    let exports = bench_targets(&args.export);
    if !exports.is_empty() {
        if let Err(e) = crate::export::write_all(&report, &exports) {
            progress.emit(Event::Warning {
                message: format!("cannot write an export: {e}"),
            });
        }
    }

    let mut text = String::new();
    let mut planned = Vec::new();
    for p in &report.projects {
        if p.metric.is_none() {
            planned.push(format!("{} {}", p.id, p.slug));
            continue;
        }
        text.push_str(&table::project(p));
        text.push('\n');
    }
    if !planned.is_empty() {
        text.push_str(&format!(
            "planned, no implementation yet ({}): {}\n",
            planned.len(),
            planned.join(", ")
        ));
    }
    out(&text);
    eprintln!("report: {}", path.display());
    if interrupted {
        eprintln!("interrupted: the report keeps every run measured so far");
        return INTERRUPTED;
    }
    let failures: Vec<String> = report
        .projects
        .iter()
        .flat_map(|p| {
            p.jobs
                .iter()
                .filter(|j| j.status.is_failure())
                .map(move |j| {
                    format!(
                        "{} {}: {}",
                        p.id,
                        j.name,
                        serde_json::to_value(j.status)
                            .ok()
                            .and_then(|v| v.as_str().map(String::from))
                            .unwrap_or_default()
                    )
                })
        })
        .chain(
            report
                .projects
                .iter()
                .filter(|p| p.status == ProjectStatus::Failed)
                .map(|p| format!("{}: {}", p.id, p.reason.clone().unwrap_or_default())),
        )
        .collect();
    if !failures.is_empty() || !bad.is_empty() {
        if !failures.is_empty() {
            eprintln!("failed: {}", failures.join("; "));
        }
        return FAILED;
    }
    OK
}

/// Connects the Docker backend: finds (or builds, in seconds) the static probe, reaches the
/// engine and removes containers left behind by runners that crashed.
fn connect_docker(
    interrupt: Interrupt,
    native: Native,
    progress: &mut Progress,
) -> Result<crate::exec::docker::Docker, crate::exec::docker::DockerError> {
    use crate::exec::docker;
    let probe = docker::static_probe(&mut || {
        progress.emit(Event::Provisioning {
            what: "the static probe for containers (runner-probe-static)".into(),
        })
    })
    .map_err(docker::DockerError::Probe)?;
    docker::Docker::connect(interrupt, native, probe)
}

fn bench_targets(e: &BenchExports) -> crate::export::Targets {
    crate::export::Targets {
        hyperfine: e.export_hyperfine.clone(),
        bmf: e.export_bmf.clone(),
        gab: e.export_gab.clone(),
        csv: e.export_csv.clone(),
        markdown: e.export_markdown.clone(),
    }
}

/// `runner export`: 0 written; 2 unreadable report, nothing asked for, or a file not writable.
pub fn export(args: &ExportArgs) -> i32 {
    let targets = crate::export::Targets {
        hyperfine: args.hyperfine.clone(),
        bmf: args.bmf.clone(),
        gab: args.gab.clone(),
        csv: args.csv.clone(),
        markdown: args.markdown.clone(),
    };
    if targets.is_empty() {
        eprintln!("error: nothing to export: give at least one of --hyperfine, --bmf, --gab, --csv, --markdown FILE");
        return USAGE;
    }
    let report = match store::read_report(&args.report) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return USAGE;
        }
    };
    match crate::export::write_all(&report, &targets) {
        Ok(paths) => {
            for p in paths {
                eprintln!("wrote {}", p.display());
            }
            OK
        }
        Err(e) => {
            eprintln!("error: {e}");
            USAGE
        }
    }
}

/// `runner compare`: 0 compared; 1 a significant regression with `--fail-on-regression`;
/// 2 an unreadable report or reports of different schema versions.
pub fn compare(args: &CompareArgs) -> i32 {
    if !(args.min_effect >= 0.0 && args.min_effect.is_finite()) {
        eprintln!(
            "error: --min-effect {}: use a fraction ≥ 0, e.g. 0.02 for 2%",
            args.min_effect
        );
        return USAGE;
    }
    let read = |path: &Path| {
        store::read_report(path).map_err(|e| {
            eprintln!("error: {e}");
        })
    };
    let (Ok(baseline), Ok(current)) = (read(&args.baseline), read(&args.current)) else {
        return USAGE;
    };
    let rows = crate::compare::rows(&baseline, &current, args.min_effect);
    out(&if args.markdown {
        crate::compare::markdown(&rows, args.min_effect)
    } else {
        crate::compare::terminal(&rows, args.min_effect)
    });
    if args.fail_on_regression && crate::compare::has_regression(&rows) {
        FAILED
    } else {
        OK
    }
}
