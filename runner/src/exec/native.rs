//! The native backend: runs a process on this machine, in its own process group, and measures it.
//!
//! - Wall time: `Instant` just before spawn to the moment the kernel reports the exit (a pidfd
//!   becomes readable), so no polling delay inflates it.
//! - CPU and memory: `wait4` on that one child gives user/sys time and peak RSS **of this run**
//!   (not the runner's accumulated RUSAGE_CHILDREN).
//! - Timeout, output cap and Ctrl-C kill the **whole process group** (SIGKILL); after every run
//!   the group is swept once more, while the leader is still a zombie (so its id cannot have been
//!   reused), and only then reaped: no grandchild outlives its run.
//! - Peak RSS: the program is started through `runner-probe` (a tiny binary built beside the
//!   runner), which spawns it, waits with `wait4` and reports wall/user/sys/max RSS. Linux counts
//!   the peak of the address space replaced at `exec` into `ru_maxrss`, so a program spawned
//!   straight from the (larger) runner would inherit the runner's peak; from the probe, the floor
//!   is about a MiB. Without the probe the backend falls back to direct spawning and says so.
//! - stdout/stderr go to files (no reader threads, so tiny programs are timed as precisely as by
//!   `hyperfine -N`); their size is checked every 100 ms against the cap.

use super::interrupt::Interrupt;
use super::probe_result::ProbeResult;
use super::server::{Ready, Service, ServiceError, ServiceSpec};
use super::usage::Members;
use super::{Backend, ExecError, Exit, RunOutcome, RunSpec};
use std::collections::HashMap;
use std::fs::File;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Runs processes on this machine.
#[derive(Debug)]
pub struct Native {
    interrupt: Interrupt,
    probe: Option<Probe>,
    /// Servers started by [`Backend::start_service`], by job key.
    services: HashMap<String, Service>,
}

/// How to start the probe: a program and the arguments before its own.
#[derive(Debug, Clone)]
pub struct Probe {
    /// `runner-probe`, or the runner itself.
    pub program: PathBuf,
    /// `[]` for `runner-probe`, `["__probe"]` for the runner.
    pub prefix: Vec<String>,
}

impl Native {
    /// A native backend that stops the current run when `interrupt` fires, measuring through
    /// `probe` when given.
    pub fn new(interrupt: Interrupt, probe: Option<Probe>) -> Self {
        Native {
            interrupt,
            probe,
            services: HashMap::new(),
        }
    }

    /// Whether peak-RSS figures are exact (the probe is in use).
    pub fn has_probe(&self) -> bool {
        self.probe.is_some()
    }
}

/// Finds `runner-probe` beside the running executable (or one folder up, for test binaries);
/// failing that, the runner itself (`runner __probe …`), whose start-up footprint is a little
/// larger but still far below the runner's peak.
pub fn find_probe() -> Option<Probe> {
    let exe = std::env::current_exe().ok()?;
    let dir = exe.parent()?;
    let beside = [dir.join("runner-probe"), dir.parent()?.join("runner-probe")]
        .into_iter()
        .find(|p| p.is_file());
    match beside {
        Some(program) => Some(Probe {
            program,
            prefix: Vec::new(),
        }),
        None if exe.file_name().is_some_and(|n| n == "runner") => Some(Probe {
            program: exe,
            prefix: vec!["__probe".into()],
        }),
        None => None,
    }
}

fn pidfd_open(pid: i32) -> std::io::Result<i32> {
    // SAFETY: plain syscall with integer arguments; the result is checked.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    if fd < 0 {
        Err(std::io::Error::last_os_error())
    } else {
        Ok(fd as i32)
    }
}

fn killpg(pgid: i32) {
    // SAFETY: sending a signal has no memory-safety preconditions; errors (ESRCH) are fine.
    unsafe {
        libc::killpg(pgid, libc::SIGKILL);
    }
}

fn tv(t: libc::timeval) -> Duration {
    Duration::from_secs(t.tv_sec.max(0) as u64) + Duration::from_micros(t.tv_usec.max(0) as u64)
}

/// How the watch of a run ended.
struct Watched {
    /// When the exit (or the last poll) was seen.
    end: Instant,
    timed_out: bool,
    output_overflow: bool,
    interrupted: bool,
}

impl Native {
    /// The command that runs `spec` (through the probe when there is one, which writes its
    /// result to `probe_out`), and its opened stdout and stderr files.
    fn command(
        &self,
        spec: &RunSpec,
        probe_out: &Path,
    ) -> Result<(Command, File, File), ExecError> {
        let open = |p: &Path| {
            File::create(p).map_err(|source| ExecError::Io {
                path: p.to_path_buf(),
                source,
            })
        };
        let out = open(&spec.stdout)?;
        let err = open(&spec.stderr)?;
        let stdin = match &spec.stdin {
            Some(p) => Stdio::from(File::open(p).map_err(|source| ExecError::Io {
                path: p.clone(),
                source,
            })?),
            None => Stdio::null(),
        };
        let _ = std::fs::remove_file(probe_out);
        let mut cmd = match &self.probe {
            Some(probe) => {
                let mut c = Command::new(&probe.program);
                c.args(&probe.prefix);
                if let Some(cpu) = spec.pin {
                    c.arg("--cpu").arg(cpu.to_string());
                }
                c.arg(probe_out).args(&spec.argv);
                c
            }
            None => {
                let mut c = Command::new(&spec.argv[0]);
                c.args(&spec.argv[1..]);
                c
            }
        };
        cmd.current_dir(&spec.cwd)
            .envs(spec.env.iter().map(|(k, v)| (k, v)))
            .stdin(stdin)
            .stdout(out.try_clone().map_err(|source| ExecError::Io {
                path: spec.stdout.clone(),
                source,
            })?)
            .stderr(err.try_clone().map_err(|source| ExecError::Io {
                path: spec.stderr.clone(),
                source,
            })?)
            .process_group(0);
        Ok((cmd, out, err))
    }

    /// Waits for the exit of child `pid` (readable `pidfd`), killing its process group on the
    /// timeout, on Ctrl-C, or when `out` or `err` grows past the cap.
    fn watch(
        &self,
        spec: &RunSpec,
        pid: i32,
        pidfd: i32,
        start: Instant,
        out: &File,
        err: &File,
    ) -> Watched {
        let deadline = start + spec.timeout;
        let mut timed_out = false;
        let mut output_overflow = false;
        let mut interrupted = false;
        let mut end;
        loop {
            let now = Instant::now();
            if now >= deadline {
                timed_out = true;
                killpg(pid);
            }
            let slice = deadline
                .saturating_duration_since(now)
                .min(Duration::from_millis(100));
            let mut fds = [
                libc::pollfd {
                    fd: pidfd,
                    events: libc::POLLIN,
                    revents: 0,
                },
                libc::pollfd {
                    fd: self.interrupt.wake_fd().unwrap_or(-1),
                    events: libc::POLLIN,
                    revents: 0,
                },
            ];
            let ms = if timed_out {
                1000
            } else {
                slice.as_millis().max(1) as i32
            };
            // SAFETY: `fds` is a valid array of two pollfd structs for the duration of the call.
            let n = unsafe { libc::poll(fds.as_mut_ptr(), 2, ms) };
            end = Instant::now();
            if n > 0 && fds[0].revents != 0 {
                break;
            }
            if n > 0 && fds[1].revents != 0 || self.interrupt.is_set() {
                interrupted = true;
                killpg(pid);
                continue;
            }
            let too_big = |f: &File| {
                f.metadata()
                    .map(|m| m.len() > spec.output_cap)
                    .unwrap_or(false)
            };
            if !output_overflow && (too_big(out) || too_big(err)) {
                output_overflow = true;
                killpg(pid);
            }
        }
        Watched {
            end,
            timed_out,
            output_overflow,
            interrupted,
        }
    }
}

/// `outcome` with the probe's own figures of the program in place of the outer ones (which
/// include the probe); an error when the probe could not start the program.
fn with_probe_figures(
    mut outcome: RunOutcome,
    p: ProbeResult,
    program: &str,
) -> Result<RunOutcome, ExecError> {
    if let Some(e) = p.spawn_error {
        return Err(ExecError::Spawn {
            program: program.to_string(),
            source: std::io::Error::other(e),
        });
    }
    if let (Some(w), Some(u), Some(sy), Some(rss)) = (p.wall_ns, p.user_ns, p.sys_ns, p.max_rss_kb)
    {
        outcome.wall = Duration::from_nanos(w);
        outcome.user = Duration::from_nanos(u);
        outcome.sys = Duration::from_nanos(sy);
        outcome.max_rss = rss * 1024;
        outcome.exit = match (p.code, p.signal) {
            (Some(c), _) => Exit::Code(c),
            (None, Some(s)) => Exit::Signal(s),
            _ => outcome.exit,
        };
    }
    Ok(outcome)
}

impl Backend for Native {
    fn name(&self) -> &'static str {
        "native"
    }

    fn run(&mut self, spec: &RunSpec) -> Result<RunOutcome, ExecError> {
        let program = spec.argv.first().ok_or(ExecError::Empty)?;
        let probe_out = spec.stdout.with_extension("probe.json");
        let (mut cmd, out, err) = self.command(spec, &probe_out)?;
        let start = Instant::now();
        let child = cmd.spawn().map_err(|source| ExecError::Spawn {
            program: program.clone(),
            source,
        })?;
        let pid = child.id() as i32;
        let pidfd = pidfd_open(pid).map_err(|source| ExecError::Spawn {
            program: program.clone(),
            source,
        })?;
        let watched = self.watch(spec, pid, pidfd, start, &out, &err);
        let wall = watched.end.duration_since(start);
        // The leader has exited but is not reaped: its pid (= the group id) cannot be reused yet,
        // so this sweep only reaches this run's own leftover processes.
        killpg(pid);
        let mut status = 0;
        // SAFETY: rusage is plain old data; zeroed is a valid initial value.
        let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: pid is our own child; status and ru are valid for writes.
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut ru) };
        // SAFETY: closing the fd we opened above.
        unsafe { libc::close(pidfd) };
        drop(child);
        if r < 0 {
            return Err(ExecError::Spawn {
                program: program.clone(),
                source: std::io::Error::last_os_error(),
            });
        }
        let exit = if libc::WIFEXITED(status) {
            Exit::Code(libc::WEXITSTATUS(status))
        } else {
            Exit::Signal(libc::WTERMSIG(status))
        };
        let outcome = RunOutcome {
            wall,
            user: tv(ru.ru_utime),
            sys: tv(ru.ru_stime),
            max_rss: (ru.ru_maxrss.max(0) as u64) * 1024,
            exit,
            timed_out: watched.timed_out,
            output_overflow: watched.output_overflow,
            interrupted: watched.interrupted,
            out_of_memory: None,
        };
        // The probe's own figures are the program's; without them (killed on timeout or Ctrl-C)
        // the outer measurement above stands.
        match self
            .probe
            .as_ref()
            .and_then(|_| ProbeResult::take(&probe_out))
        {
            Some(p) => with_probe_figures(outcome, p, program),
            None => Ok(outcome),
        }
    }

    /// Spawns the server in its own process group on this machine; its processes are that group.
    fn start_service(&mut self, key: &str, spec: &RunSpec) -> Result<Members, ExecError> {
        if let Some(old) = self.services.remove(key) {
            old.stop_within(Duration::ZERO);
        }
        let service = Service::spawn(&ServiceSpec {
            label: key.to_string(),
            argv: spec.argv.clone(),
            cwd: spec.cwd.clone(),
            env: spec.env.clone(),
            host: std::net::Ipv4Addr::LOCALHOST.into(),
            port: 0,
            ready: Ready::Tcp,
            ready_timeout: Duration::ZERO,
            grace: Duration::ZERO,
            stdout: spec.stdout.clone(),
            stderr: spec.stderr.clone(),
        })
        .map_err(|e| match e {
            ServiceError::Spawn {
                program, source, ..
            } => ExecError::Spawn { program, source },
            ServiceError::Io { path, source, .. } => ExecError::Io { path, source },
            other => ExecError::Container(other.to_string()),
        })?;
        let members = service.members();
        self.services.insert(key.to_string(), service);
        Ok(members)
    }

    fn service_exit(&mut self, key: &str) -> Option<Exit> {
        self.services.get_mut(key).and_then(Service::exit)
    }

    /// SIGTERM to the group, SIGKILL after `grace`. Only the exit is known here (the server's
    /// CPU and memory are read from /proc while it runs): a server that had to be killed reads as
    /// killed by SIGKILL.
    fn stop_service(&mut self, key: &str, grace: Duration) -> Result<RunOutcome, ExecError> {
        let service = self
            .services
            .remove(key)
            .ok_or_else(|| ExecError::Container(format!("no service `{key}` is running")))?;
        let (exit, killed) = service.stop_within(grace);
        Ok(RunOutcome {
            wall: Duration::ZERO,
            user: Duration::ZERO,
            sys: Duration::ZERO,
            max_rss: 0,
            exit: if killed {
                Exit::Signal(libc::SIGKILL)
            } else {
                exit.unwrap_or(Exit::Signal(libc::SIGKILL))
            },
            timed_out: false,
            output_overflow: false,
            interrupted: false,
            out_of_memory: None,
        })
    }

    fn cleanup(&mut self) {
        for (_, s) in self.services.drain() {
            s.stop_within(Duration::ZERO);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(dir: &std::path::Path, argv: &[&str], timeout_ms: u64) -> RunSpec {
        RunSpec {
            argv: argv.iter().map(|s| s.to_string()).collect(),
            cwd: dir.to_path_buf(),
            env: vec![],
            stdin: None,
            stdout: dir.join("out"),
            stderr: dir.join("err"),
            timeout: Duration::from_millis(timeout_ms),
            output_cap: 1 << 20,
            pin: None,
        }
    }

    #[test]
    fn measures_exit_codes_signals_timeouts_and_caps() {
        let dir = tempfile::tempdir().unwrap();
        let mut b = Native::new(Interrupt::none(), find_probe());
        let ok = b
            .run(&spec(dir.path(), &["sh", "-c", "echo hi"], 5000))
            .unwrap();
        assert_eq!(ok.exit, Exit::Code(0));
        assert_eq!(
            std::fs::read_to_string(dir.path().join("out")).unwrap(),
            "hi\n"
        );
        let fail = b
            .run(&spec(dir.path(), &["sh", "-c", "exit 3"], 5000))
            .unwrap();
        assert_eq!(fail.exit, Exit::Code(3));
        let crash = b
            .run(&spec(dir.path(), &["sh", "-c", "kill -SEGV $$"], 5000))
            .unwrap();
        assert_eq!(crash.exit, Exit::Signal(libc::SIGSEGV));
        let t = Instant::now();
        let hang = b
            .run(&spec(dir.path(), &["sh", "-c", "sleep 30"], 200))
            .unwrap();
        assert!(hang.timed_out);
        assert!(t.elapsed() < Duration::from_secs(5));
        let loud = b
            .run(&spec(dir.path(), &["sh", "-c", "yes"], 20000))
            .unwrap();
        assert!(loud.output_overflow);
        assert!(b
            .run(&spec(dir.path(), &["/nonexistent/prog"], 1000))
            .is_err());
    }

    #[test]
    fn peak_rss_is_this_runs_own() {
        let dir = tempfile::tempdir().unwrap();
        let mut b = Native::new(Interrupt::none(), find_probe());
        // python allocating ~200 MB, then a tiny program: the second must not inherit the first's peak.
        let big = b
            .run(&spec(
                dir.path(),
                &[
                    "python3",
                    "-c",
                    "b = bytearray(200_000_000); b[::4096] = b'x' * len(b[::4096])",
                ],
                30000,
            ))
            .unwrap();
        let small = b.run(&spec(dir.path(), &["true"], 5000)).unwrap();
        assert!(big.max_rss > 150_000_000, "big rss {}", big.max_rss);
        assert!(
            find_probe().is_some(),
            "runner-probe must be built beside the tests"
        );
        assert!(
            small.max_rss < 8_000_000,
            "small rss {} (inherited the parent's peak?)",
            small.max_rss
        );
    }

    #[test]
    fn pins_the_program_to_one_cpu() {
        let dir = tempfile::tempdir().unwrap();
        let mut b = Native::new(Interrupt::none(), find_probe());
        let mut s = spec(
            dir.path(),
            &["sh", "-c", "grep Cpus_allowed_list /proc/self/status"],
            5000,
        );
        s.pin = Some(0);
        let r = b.run(&s).unwrap();
        assert_eq!(r.exit, Exit::Code(0));
        let out = std::fs::read_to_string(dir.path().join("out")).unwrap();
        assert_eq!(out.split_whitespace().last(), Some("0"), "{out}");
    }

    #[test]
    fn kills_grandchildren_left_behind() {
        let dir = tempfile::tempdir().unwrap();
        let mut b = Native::new(Interrupt::none(), find_probe());
        let pidfile = dir.path().join("pid");
        let script = format!("sleep 60 & echo $! > {}; exit 0", pidfile.display());
        let r = b
            .run(&spec(dir.path(), &["sh", "-c", &script], 5000))
            .unwrap();
        assert_eq!(r.exit, Exit::Code(0));
        let pid: i32 = std::fs::read_to_string(&pidfile)
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        std::thread::sleep(Duration::from_millis(100));
        // SAFETY: signal 0 only checks existence.
        let alive = unsafe { libc::kill(pid, 0) } == 0;
        let zombie = std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .map(|s| s.contains(") Z"))
            .unwrap_or(true);
        assert!(!alive || zombie, "grandchild {pid} survived its run");
    }
}
