//! The measuring probe: `runner-probe [--cpu N] RESULT_FILE PROGRAM [ARGS…]` (also reachable as
//! `runner __probe …` when the separate binary was not built, e.g. after `cargo run -p runner`): runs PROGRAM (pinned to CPU N with
//! `--cpu`) (inheriting stdin/stdout/stderr and
//! the process group), waits for it with `wait4`, and writes one JSON line to RESULT_FILE:
//! `{"wall_ns":…,"user_ns":…,"sys_ns":…,"max_rss_kb":…,"code":N}` (or `"signal":N`, or
//! `"spawn_error":"…"`).
//!
//! Why a separate process: Linux's `ru_maxrss` of a child includes the peak RSS of the address
//! space it replaced at `exec`. A child spawned straight from the runner (vfork/fork) would start
//! with the runner's own peak — tens of MiB — and every program would look that big. Spawned from
//! this small process, the floor is this process's own footprint (about a MiB).
//! Wall time is measured here, around spawn and wait, so starting the probe costs nothing.

use std::io::Write;
use std::process::Command;
use std::time::Instant;

/// Runs the probe with `args` as the command line after the program name
/// (`[--cpu N] RESULT_FILE PROGRAM [ARGS…]`); returns the process exit code.
pub fn run(args: Vec<String>) -> i32 {
    let mut args: Vec<String> = std::iter::once(String::from("runner-probe"))
        .chain(args)
        .collect();
    if args.get(1).map(String::as_str) == Some("--cpu") {
        let cpu: usize = match args.get(2).and_then(|c| c.parse().ok()) {
            Some(c) => c,
            None => {
                eprintln!("runner-probe: --cpu needs a CPU number");
                return 2;
            }
        };
        // SAFETY: cpu_set_t is plain data; the calls get valid pointers and sizes.
        let ok = unsafe {
            let mut set: libc::cpu_set_t = std::mem::zeroed();
            libc::CPU_SET(cpu, &mut set);
            libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set) == 0
        };
        if !ok {
            eprintln!(
                "runner-probe: cannot pin to CPU {cpu}: {}",
                std::io::Error::last_os_error()
            );
            return 2;
        }
        // The affinity is inherited by the program spawned below.
        args.drain(1..3);
    }
    if args.len() < 3 {
        eprintln!("usage: runner-probe [--cpu N] RESULT_FILE PROGRAM [ARGS…]");
        return 2;
    }
    let result = &args[1];
    let start = Instant::now();
    let child = match Command::new(&args[2]).args(&args[3..]).spawn() {
        Ok(c) => c,
        Err(e) => {
            let msg = e.to_string().replace('\\', "\\\\").replace('"', "\\\"");
            let _ = std::fs::write(result, format!("{{\"spawn_error\":\"{msg}\"}}\n"));
            return 127;
        }
    };
    let pid = child.id() as i32;
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
    let wall = start.elapsed();
    if r < 0 {
        let _ = std::fs::write(
            result,
            format!(
                "{{\"spawn_error\":\"wait4: {}\"}}\n",
                std::io::Error::last_os_error()
            ),
        );
        return 127;
    }
    let ns = |t: libc::timeval| {
        (t.tv_sec.max(0) as u64) * 1_000_000_000 + (t.tv_usec.max(0) as u64) * 1000
    };
    let end = if libc::WIFEXITED(status) {
        format!("\"code\":{}", libc::WEXITSTATUS(status))
    } else {
        format!("\"signal\":{}", libc::WTERMSIG(status))
    };
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
