//! The measuring probe: `runner-probe [OPTIONS] RESULT_FILE PROGRAM [ARGS…]` (also reachable as
//! `runner __probe …` when the separate binary was not built, e.g. after `cargo run -p runner`;
//! and as `runner-probe-static`, the same source linked statically for containers): runs PROGRAM
//! (inheriting stdin/stdout/stderr and the process group unless told otherwise), waits for it
//! with `wait4`, and replaces RESULT_FILE with one JSON line (its format is
//! [`crate::exec::probe_result`]'s):
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

use crate::exec::probe_result::ProbeResult;
use std::io::Read;
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
/// `--connect PORT`); returns the process exit code.
pub fn run(args: Vec<String>) -> i32 {
    match args.first().map(String::as_str) {
        Some("--idle") => return idle(),
        Some("--signal") => return signal(&args[1..]),
        Some("--connect") => return connect(&args[1..]),
        _ => {}
    }
    let (o, rest) = match Options::parse(&args) {
        Ok(parsed) => parsed,
        Err(code) => return code,
    };
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
    match measure(&o, &rest[1..]) {
        Ok(r) => {
            if r.write(result).is_ok() {
                0
            } else {
                125
            }
        }
        Err(msg) => {
            let _ = ProbeResult::spawn_error(msg).write(result);
            127
        }
    }
}

impl Options {
    /// Reads the options before RESULT_FILE; returns them and the rest of `args`, or the exit
    /// code of a usage error (already explained on stderr).
    fn parse(args: &[String]) -> Result<(Options, &[String]), i32> {
        let mut o = Options::default();
        let mut rest = args;
        while let Some(flag) = rest.first().filter(|a| a.starts_with("--")) {
            let value = rest.get(1);
            let step = match flag.as_str() {
                "--cgroup-oom" => {
                    o.cgroup_oom = true;
                    1
                }
                "--cpu" => {
                    let Some(c) = value.and_then(|c| c.parse().ok()) else {
                        eprintln!("runner-probe: --cpu needs a CPU number");
                        return Err(2);
                    };
                    o.cpu = Some(c);
                    2
                }
                "--timeout-ms" => {
                    let Some(ms) = value.and_then(|c| c.parse().ok()) else {
                        eprintln!("runner-probe: --timeout-ms needs a number of milliseconds");
                        return Err(2);
                    };
                    o.timeout = Some(Duration::from_millis(ms));
                    2
                }
                "--stdin" | "--stdout" | "--stderr" | "--pidfile" => {
                    let Some(v) = value.cloned() else {
                        eprintln!("runner-probe: {flag} needs a value");
                        return Err(2);
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
                    return Err(2);
                }
            };
            rest = &rest[step.min(rest.len())..];
        }
        Ok((o, rest))
    }
}

/// Gives `cmd` the standard streams the options name (created or truncated for output).
fn redirect(cmd: &mut Command, o: &Options) -> Result<(), String> {
    let open = |path: &str, write: bool| {
        let f = if write {
            std::fs::File::create(path)
        } else {
            std::fs::File::open(path)
        };
        f.map(Stdio::from).map_err(|e| format!("{path}: {e}"))
    };
    if let Some(p) = &o.stdin {
        cmd.stdin(open(p, false)?);
    }
    if let Some(p) = &o.stdout {
        cmd.stdout(open(p, true)?);
    }
    if let Some(p) = &o.stderr {
        cmd.stderr(open(p, true)?);
    }
    Ok(())
}

/// Kills process group `pid` (SIGKILL) once `limit` has passed, unless the run ended first.
/// The timer kills the group only while the run is not over, under the lock; [`Timer::stop`]
/// marks it over under the same lock before the child is reaped, so the kill never reaches a
/// reused pid.
struct Timer(Arc<(Mutex<(bool, bool)>, Condvar)>);

impl Timer {
    fn start(pid: i32, limit: Option<Duration>) -> Timer {
        let state = Arc::new((Mutex::new((false, false)), Condvar::new()));
        if let Some(limit) = limit {
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
        Timer(state)
    }

    /// Marks the run over; returns whether the timer killed it.
    fn stop(&self) -> bool {
        let (lock, cv) = &*self.0;
        let mut g = lock.lock().unwrap_or_else(|e| e.into_inner());
        g.0 = true;
        cv.notify_all();
        g.1
    }
}

/// Waits until child `pid` has exited, without reaping it (so its group id stays ours).
fn wait_exit(pid: i32) {
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
}

/// Reaps child `pid`: its wait status and resource usage.
fn reap(pid: i32) -> Result<(i32, libc::rusage), String> {
    let mut status = 0;
    // SAFETY: rusage is plain old data; zeroed is valid.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: pid is our child; pointers are valid for writes.
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut ru) };
        if r < 0 && std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
            continue;
        }
        if r < 0 {
            return Err(format!("wait4: {}", std::io::Error::last_os_error()));
        }
        return Ok((status, ru));
    }
}

/// Spawns `argv` as the options say, waits for it and measures it; `Err` says why it could not
/// be started or waited for.
fn measure(o: &Options, argv: &[String]) -> Result<ProbeResult, String> {
    let mut cmd = Command::new(&argv[0]);
    cmd.args(&argv[1..]);
    redirect(&mut cmd, o)?;
    let own_group = o.timeout.is_some() || o.pidfile.is_some();
    if own_group {
        cmd.process_group(0);
    }
    let oom_before = if o.cgroup_oom { oom_kills() } else { None };
    let start = Instant::now();
    let child = cmd.spawn().map_err(|e| e.to_string())?;
    let pid = child.id() as i32;
    if let Some(f) = &o.pidfile {
        let tmp = format!("{f}.tmp");
        let _ = std::fs::write(&tmp, format!("{pid}\n")).and_then(|_| std::fs::rename(&tmp, f));
    }
    let timer = Timer::start(pid, o.timeout);
    wait_exit(pid);
    let wall = start.elapsed();
    let timed_out = timer.stop();
    if let Some(f) = &o.pidfile {
        let _ = std::fs::remove_file(f);
    }
    if own_group {
        // SAFETY: the leader is a zombie, so its pid (the group id) cannot have been reused.
        unsafe { libc::killpg(pid, libc::SIGKILL) };
    }
    let reaped = reap(pid);
    drop(child);
    let (status, ru) = reaped?;
    let ns = |t: libc::timeval| {
        (t.tv_sec.max(0) as u64) * 1_000_000_000 + (t.tv_usec.max(0) as u64) * 1000
    };
    let exited = libc::WIFEXITED(status);
    Ok(ProbeResult {
        wall_ns: Some(wall.as_nanos() as u64),
        user_ns: Some(ns(ru.ru_utime)),
        sys_ns: Some(ns(ru.ru_stime)),
        max_rss_kb: Some(ru.ru_maxrss.max(0) as u64),
        code: exited.then(|| libc::WEXITSTATUS(status)),
        signal: (!exited).then(|| libc::WTERMSIG(status)),
        spawn_error: None,
        timed_out,
        oom_kills: oom_before
            .zip(oom_kills())
            .map(|(before, after)| after.saturating_sub(before)),
    })
}
