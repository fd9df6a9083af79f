//! The measuring probe: `runner-probe [OPTIONS] RESULT_FILE PROGRAM [ARGS…]` (also reachable as
//! `runner __probe …` when the separate binary was not built, e.g. after `cargo run -p runner`;
//! and as `runner-probe-static`, the same source linked statically for containers): runs PROGRAM
//! (inheriting stdin/stdout/stderr and the process group unless told otherwise), waits for it
//! with `wait4`, and writes one JSON line to RESULT_FILE:
//! `{"wall_ns":…,"user_ns":…,"sys_ns":…,"max_rss_kb":…,"code":N}` (or `"signal":N`, or
//! `"spawn_error":"…"`; plus `"timed_out":true` and `"oom_kills":N` when asked for).
//!
//! Options (all optional, before RESULT_FILE):
//! - `--cpu N`: pin to CPU N (inherited by the program).
//! - `--stdin PATH`, `--stdout PATH`, `--stderr PATH`: the program's standard streams (created
//!   or truncated for output), so that a program in a container writes straight to files the
//!   runner reads, with nothing copied through the Docker API during the timed run.
//! - `--timeout-ms N`: the program runs in its own process group, which is killed (SIGKILL) after
//!   N ms; the result says `"timed_out":true`. After every exit the group is swept once more.
//! - `--cgroup-oom`: counts the kernel's OOM kills in the probe's own cgroup (v1
//!   `memory.oom_control` or v2 `memory.events`) before and after the run; a container's
//!   out-of-memory kill shows as `"oom_kills":1`.
//! - `--pidfile PATH`: the program runs in its own process group, whose id is written to PATH
//!   once it started (a server in a container, stopped later with `--signal`).
//!
//! `runner-probe --signal PIDFILE SIGNAL` sends SIGNAL (`TERM`, `KILL`, `INT` or a number) to the
//! process group named in PIDFILE: how the runner stops a server it started in a container,
//! where Docker has no way to signal one exec.
//!
//! `runner-probe --connect PORT` exits 0 when a TCP connection to 127.0.0.1:PORT succeeds within
//! a second, 1 otherwise: the readiness check of a server in a container, tried inside it
//! (Docker's port forwarding on the host accepts connections before the server listens).
//!
//! `runner-probe --idle` is the long-lived main process of a container: it reaps orphans and
//! exits when its standard input reaches end of file (the runner holds it open; when the runner
//! goes away, even by SIGKILL, the container ends).
//!
//! Why a separate process: Linux's `ru_maxrss` of a child includes the peak RSS of the address
//! space it replaced at `exec`. A child spawned straight from the runner (vfork/fork) would start
//! with the runner's own peak — tens of MiB — and every program would look that big. Spawned from
//! this small process, the floor is this process's own footprint (about a MiB).
//! Wall time is measured here, around spawn and wait, so starting the probe costs nothing.

use std::io::{Read, Write};
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

#[derive(Default)]
struct Options {
    cpu: Option<usize>,
    stdin: Option<String>,
    stdout: Option<String>,
    stderr: Option<String>,
    timeout: Option<Duration>,
    cgroup_oom: bool,
    pidfile: Option<String>,
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', " ")
}

fn pin(cpu: usize) -> Result<(), String> {
    // SAFETY: cpu_set_t is plain data; the calls get valid pointers and sizes.
    let ok = unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(cpu, &mut set);
        libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set) == 0
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "cannot pin to CPU {cpu}: {}",
            std::io::Error::last_os_error()
        ))
    }
}

/// The number of OOM kills the kernel counted in this process's memory cgroup, if readable.
fn oom_kills() -> Option<u64> {
    let field = |text: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix("oom_kill "))
            .and_then(|v| v.trim().parse().ok())
    };
    [
        "/sys/fs/cgroup/memory.events",
        "/sys/fs/cgroup/memory/memory.oom_control",
    ]
    .iter()
    .find_map(|p| std::fs::read_to_string(p).ok().and_then(|t| field(&t)))
}

/// The container's main process: reap orphans until standard input closes.
fn idle() -> i32 {
    std::thread::spawn(|| {
        let mut buf = [0u8; 256];
        let mut stdin = std::io::stdin();
        loop {
            match stdin.read(&mut buf) {
                Ok(0) => std::process::exit(0),
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => std::process::exit(0),
            }
        }
    });
    loop {
        // SAFETY: waiting for any child with a null status pointer is always valid.
        if unsafe { libc::wait(std::ptr::null_mut()) } < 0 {
            std::thread::sleep(Duration::from_secs(1));
        }
    }
}

/// `--signal PIDFILE SIGNAL`: signals the process group named in PIDFILE.
fn signal(args: &[String]) -> i32 {
    let (Some(file), Some(sig)) = (args.first(), args.get(1)) else {
        eprintln!("usage: runner-probe --signal PIDFILE SIGNAL");
        return 2;
    };
    let sig = match sig.as_str() {
        "TERM" => libc::SIGTERM,
        "KILL" => libc::SIGKILL,
        "INT" => libc::SIGINT,
        n => match n.parse() {
            Ok(n) => n,
            Err(_) => {
                eprintln!("runner-probe: unknown signal {n}");
                return 2;
            }
        },
    };
    let pid: i32 = match std::fs::read_to_string(file).map(|t| t.trim().parse()) {
        Ok(Ok(p)) if p > 1 => p,
        _ => {
            eprintln!("runner-probe: {file} holds no process id");
            return 1;
        }
    };
    // SAFETY: sending a signal has no memory-safety preconditions.
    if unsafe { libc::killpg(pid, sig) } == 0 {
        0
    } else {
        1
    }
}

fn connect(args: &[String]) -> i32 {
    let Some(port) = args.first().and_then(|p| p.parse::<u16>().ok()) else {
        eprintln!("usage: runner-probe --connect PORT");
        return 2;
    };
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    match std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(1)) {
        Ok(_) => 0,
        Err(_) => 1,
    }
}

/// Runs the probe with `args` as the command line after the program name
/// (`[OPTIONS] RESULT_FILE PROGRAM [ARGS…]`, `--idle`, `--signal PIDFILE SIGNAL` or
/// `--connect PORT`); returns
/// the process exit code.
pub fn run(args: Vec<String>) -> i32 {
    match args.first().map(String::as_str) {
        Some("--idle") => return idle(),
        Some("--signal") => return signal(&args[1..]),
        Some("--connect") => return connect(&args[1..]),
        _ => {}
    }
    let mut o = Options::default();
    let mut rest = args.as_slice();
    while let Some(flag) = rest.first().filter(|a| a.starts_with("--")) {
        let value = rest.get(1);
        let need = |v: Option<&String>| -> Result<String, i32> {
            v.cloned().ok_or_else(|| {
                eprintln!("runner-probe: {flag} needs a value");
                2
            })
        };
        let step = match flag.as_str() {
            "--cgroup-oom" => {
                o.cgroup_oom = true;
                1
            }
            "--cpu" => match value.and_then(|c| c.parse().ok()) {
                Some(c) => {
                    o.cpu = Some(c);
                    2
                }
                None => {
                    eprintln!("runner-probe: --cpu needs a CPU number");
                    return 2;
                }
            },
            "--timeout-ms" => match value.and_then(|c| c.parse().ok()) {
                Some(ms) => {
                    o.timeout = Some(Duration::from_millis(ms));
                    2
                }
                None => {
                    eprintln!("runner-probe: --timeout-ms needs a number of milliseconds");
                    return 2;
                }
            },
            "--stdin" | "--stdout" | "--stderr" | "--pidfile" => {
                let v = match need(value) {
                    Ok(v) => v,
                    Err(code) => return code,
                };
                match flag.as_str() {
                    "--stdin" => o.stdin = Some(v),
                    "--stdout" => o.stdout = Some(v),
                    "--pidfile" => o.pidfile = Some(v),
                    _ => o.stderr = Some(v),
                }
                2
            }
            _ => {
                eprintln!("runner-probe: unknown option {flag}");
                return 2;
            }
        };
        rest = &rest[step.min(rest.len())..];
    }
    if rest.len() < 2 {
        eprintln!("usage: runner-probe [--cpu N] [--timeout-ms N] [--stdin F] [--stdout F] [--stderr F] [--pidfile F] [--cgroup-oom] RESULT_FILE PROGRAM [ARGS…]");
        return 2;
    }
    let result = &rest[0];
    if let Some(cpu) = o.cpu {
        if let Err(e) = pin(cpu) {
            eprintln!("runner-probe: {e}");
            return 2;
        }
    }
    let fail = |msg: String| {
        let _ = std::fs::write(
            result,
            format!("{{\"spawn_error\":\"{}\"}}\n", escape(&msg)),
        );
        127
    };
    let mut cmd = Command::new(&rest[1]);
    cmd.args(&rest[2..]);
    let open = |path: &str, write: bool| {
        let f = if write {
            std::fs::File::create(path)
        } else {
            std::fs::File::open(path)
        };
        f.map(Stdio::from).map_err(|e| format!("{path}: {e}"))
    };
    for (path, write, which) in [
        (&o.stdin, false, 0),
        (&o.stdout, true, 1),
        (&o.stderr, true, 2),
    ] {
        if let Some(p) = path {
            match open(p, write) {
                Ok(s) if which == 0 => {
                    cmd.stdin(s);
                }
                Ok(s) if which == 1 => {
                    cmd.stdout(s);
                }
                Ok(s) => {
                    cmd.stderr(s);
                }
                Err(e) => return fail(e),
            }
        }
    }
    let own_group = o.timeout.is_some() || o.pidfile.is_some();
    if own_group {
        cmd.process_group(0);
    }
    let oom_before = if o.cgroup_oom { oom_kills() } else { None };
    let start = Instant::now();
    let child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => return fail(e.to_string()),
    };
    let pid = child.id() as i32;
    if let Some(f) = &o.pidfile {
        let tmp = format!("{f}.tmp");
        let _ = std::fs::write(&tmp, format!("{pid}\n")).and_then(|_| std::fs::rename(&tmp, f));
    }
    // The timer kills the group only while `done` is false, under the lock; the main thread sets
    // `done` under the same lock before reaping, so the kill never reaches a reused pid.
    let state = Arc::new((Mutex::new((false, false)), Condvar::new()));
    if let Some(limit) = o.timeout {
        let state = state.clone();
        std::thread::spawn(move || {
            let (lock, cv) = &*state;
            let guard = lock.lock().unwrap_or_else(|e| e.into_inner());
            let (mut guard, _) = cv
                .wait_timeout_while(guard, limit, |(done, _)| !*done)
                .unwrap_or_else(|e| e.into_inner());
            if !guard.0 {
                // SAFETY: the child is not reaped yet (done is false), so pid names our group.
                unsafe { libc::killpg(pid, libc::SIGKILL) };
                guard.1 = true;
            }
        });
    }
    // Wait for the exit without reaping, so the group id stays ours for the sweep below.
    loop {
        // SAFETY: siginfo_t is plain data; waitid gets valid pointers.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        let r = unsafe {
            libc::waitid(
                libc::P_PID,
                pid as libc::id_t,
                &mut info,
                libc::WEXITED | libc::WNOWAIT,
            )
        };
        if r < 0 && std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
            continue;
        }
        break;
    }
    let wall = start.elapsed();
    let timed_out = {
        let (lock, cv) = &*state;
        let mut g = lock.lock().unwrap_or_else(|e| e.into_inner());
        g.0 = true;
        cv.notify_all();
        g.1
    };
    if let Some(f) = &o.pidfile {
        let _ = std::fs::remove_file(f);
    }
    if own_group {
        // SAFETY: the leader is a zombie, so its pid (the group id) cannot have been reused.
        unsafe { libc::killpg(pid, libc::SIGKILL) };
    }
    let mut status = 0;
    // SAFETY: rusage is plain old data; zeroed is valid.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    let r = loop {
        // SAFETY: pid is our child; pointers are valid for writes.
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut ru) };
        if r < 0 && std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
            continue;
        }
        break r;
    };
    drop(child);
    if r < 0 {
        return fail(format!("wait4: {}", std::io::Error::last_os_error()));
    }
    let ns = |t: libc::timeval| {
        (t.tv_sec.max(0) as u64) * 1_000_000_000 + (t.tv_usec.max(0) as u64) * 1000
    };
    let mut end = if libc::WIFEXITED(status) {
        format!("\"code\":{}", libc::WEXITSTATUS(status))
    } else {
        format!("\"signal\":{}", libc::WTERMSIG(status))
    };
    if timed_out {
        end.push_str(",\"timed_out\":true");
    }
    if let (Some(before), Some(after)) = (oom_before, oom_kills()) {
        end.push_str(&format!(",\"oom_kills\":{}", after.saturating_sub(before)));
    }
    let line = format!(
        "{{\"wall_ns\":{},\"user_ns\":{},\"sys_ns\":{},\"max_rss_kb\":{},{end}}}\n",
        wall.as_nanos(),
        ns(ru.ru_utime),
        ns(ru.ru_stime),
        ru.ru_maxrss.max(0)
    );
    let tmp = format!("{result}.tmp");
    let ok = std::fs::File::create(&tmp)
        .and_then(|mut f| f.write_all(line.as_bytes()))
        .and_then(|_| std::fs::rename(&tmp, result));
    if ok.is_ok() {
        0
    } else {
        125
    }
}
