//! Long-running programs on this machine: a server under test (started by the native backend)
//! or a fixture it needs (an upstream backend).
//!
//! [`Service::start`] spawns the command in its own process group with stdout/stderr going to
//! files, then waits until it is ready (a TCP connect, or an HTTP GET answered with the expected
//! status) or the deadline passes or the process exits — whichever comes first
//! ([`Service::spawn`] does not wait). While it runs, [`Service::usage`] reads the CPU time and
//! peak RSS of every process in its group from `/proc` (`usage.rs`). [`Service::stop`] sends
//! SIGTERM to the group, waits for the grace period, then SIGKILLs whatever is left; dropping a
//! `Service` kills the group at once. No process of a service outlives it.
//!
//! The readiness loop ([`wait_ready`]) also serves a server that a backend started elsewhere (in
//! a container): the caller supplies how to tell that it ended and whether it accepts.

use super::interrupt::Interrupt;
use super::usage::{group_alive, usage_of, Members, Usage};
use super::Exit;
use std::fs::File;
use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How readiness is decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ready {
    /// A TCP connection to the port is accepted.
    Tcp,
    /// `GET path` is answered with this status.
    Http {
        /// Path to request.
        path: String,
        /// Expected status code.
        status: u16,
    },
}

/// One service to start.
#[derive(Debug, Clone)]
pub struct ServiceSpec {
    /// What it is, for messages: `go`, `fixture backend #2`…
    pub label: String,
    /// Program and arguments, placeholders expanded.
    pub argv: Vec<String>,
    /// Working directory.
    pub cwd: PathBuf,
    /// Environment added to the runner's own.
    pub env: Vec<(String, String)>,
    /// The address it must listen on (127.0.0.1, or for fixtures of a containerised service the
    /// host side of the containers' bridge).
    pub host: IpAddr,
    /// The port it must listen on.
    pub port: u16,
    /// Readiness probe.
    pub ready: Ready,
    /// How long to wait for readiness.
    pub ready_timeout: Duration,
    /// Between SIGTERM and SIGKILL at teardown.
    pub grace: Duration,
    /// Standard output file.
    pub stdout: PathBuf,
    /// Standard error file.
    pub stderr: PathBuf,
}

/// Why a service could not be brought up.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The program could not be started.
    #[error("{label}: cannot start `{program}`: {source}")]
    Spawn {
        /// Which service.
        label: String,
        /// The program.
        program: String,
        /// OS error.
        source: std::io::Error,
    },
    /// Output files could not be created.
    #[error("{label}: cannot create {path}: {source}")]
    Io {
        /// Which service.
        label: String,
        /// The file.
        path: PathBuf,
        /// OS error.
        source: std::io::Error,
    },
    /// It exited before it was ready.
    #[error("{label}: exited before it was ready ({exit}){hint}")]
    Exited {
        /// Which service.
        label: String,
        /// How it ended.
        exit: Exit,
        /// A hint, e.g. about the port.
        hint: String,
    },
    /// It did not become ready in time.
    #[error("{label}: not ready after {secs:.1} s ({probe} on {addr}); it was stopped — check that it listens on the address it is given ({{bind}}:{{port}}), or raise [service] ready_timeout")]
    NotReady {
        /// Which service.
        label: String,
        /// The deadline.
        secs: f64,
        /// What was tried.
        probe: String,
        /// Where.
        addr: SocketAddr,
    },
    /// Ctrl-C while waiting.
    #[error("{label}: interrupted (Ctrl-C) while starting")]
    Interrupted {
        /// Which service.
        label: String,
    },
}

/// A running service. Dropping it kills its process group.
#[derive(Debug)]
pub struct Service {
    label: String,
    child: Option<Child>,
    pgid: i32,
    grace: Duration,
    /// The port it listens on.
    pub port: u16,
    /// Its stderr file.
    pub stderr: PathBuf,
    exited: Option<Exit>,
}

/// A free port on 127.0.0.1 (bound, then released: another program could take it in between,
/// which a service reports as failing to bind).
pub fn free_port() -> std::io::Result<u16> {
    free_port_on(IpAddr::V4(Ipv4Addr::LOCALHOST))
}

/// Whether a TCP connection to 127.0.0.1:`port` is accepted within 200 ms.
pub fn loopback_accepts(port: u16) -> bool {
    TcpStream::connect_timeout(
        &SocketAddr::from(([127, 0, 0, 1], port)),
        Duration::from_millis(200),
    )
    .is_ok()
}

/// A free port on `host` (one of this machine's addresses).
pub fn free_port_on(host: IpAddr) -> std::io::Result<u16> {
    Ok(TcpListener::bind((host, 0))?.local_addr()?.port())
}

fn exit_of(s: std::process::ExitStatus) -> Exit {
    match (s.code(), s.signal()) {
        (Some(c), _) => Exit::Code(c),
        (None, Some(sig)) => Exit::Signal(sig),
        _ => Exit::Code(-1),
    }
}

fn killpg(pgid: i32, sig: i32) {
    // SAFETY: sending a signal has no memory-safety preconditions; ESRCH is fine.
    unsafe {
        libc::killpg(pgid, sig);
    }
}

/// One answer to `GET path` at `addr`, or `None` if the exchange failed.
fn http_status(addr: SocketAddr, path: &str, timeout: Duration) -> Option<u16> {
    let mut s = TcpStream::connect_timeout(&addr, timeout).ok()?;
    s.set_read_timeout(Some(timeout)).ok()?;
    s.set_write_timeout(Some(timeout)).ok()?;
    let req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    s.write_all(req.as_bytes()).ok()?;
    let mut buf = [0u8; 64];
    let mut n = 0;
    while n < 12 {
        let k = s.read(&mut buf[n..]).ok()?;
        if k == 0 {
            break;
        }
        n += k;
    }
    let head = std::str::from_utf8(&buf[..n]).ok()?;
    let mut parts = head.split(' ');
    let version = parts.next()?;
    if !version.starts_with("HTTP/1.") {
        return None;
    }
    parts.next()?.get(..3)?.parse().ok()
}

fn tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(8)..].join("\n")
}

impl Service {
    /// Starts `spec` and waits until it is ready (a TCP connection to `spec.host:spec.port`, or
    /// its HTTP probe).
    pub fn start(spec: &ServiceSpec, interrupt: &Interrupt) -> Result<Service, ServiceError> {
        let mut svc = Service::spawn(spec)?;
        let addr = SocketAddr::new(spec.host, spec.port);
        let child = &mut svc;
        wait_ready(spec, interrupt, &mut || child.exit(), &mut || {
            TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok()
        })?;
        Ok(svc)
    }

    /// Starts `spec` in its own process group, without waiting for readiness.
    pub fn spawn(spec: &ServiceSpec) -> Result<Service, ServiceError> {
        let program = spec.argv.first().cloned().unwrap_or_default();
        let open = |p: &Path| {
            File::create(p).map_err(|source| ServiceError::Io {
                label: spec.label.clone(),
                path: p.to_path_buf(),
                source,
            })
        };
        let (out, err) = (open(&spec.stdout)?, open(&spec.stderr)?);
        let mut cmd = Command::new(&program);
        cmd.args(&spec.argv[1.min(spec.argv.len())..])
            .current_dir(&spec.cwd)
            .envs(spec.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .process_group(0);
        let child = cmd.spawn().map_err(|source| ServiceError::Spawn {
            label: spec.label.clone(),
            program: program.clone(),
            source,
        })?;
        let pgid = child.id() as i32;
        Ok(Service {
            label: spec.label.clone(),
            child: Some(child),
            pgid,
            grace: spec.grace,
            port: spec.port,
            stderr: spec.stderr.clone(),
            exited: None,
        })
    }

    /// The exit status if the leader has exited (checked without blocking).
    pub fn exit(&mut self) -> Option<Exit> {
        if self.exited.is_none() {
            if let Some(c) = self.child.as_mut() {
                if let Ok(Some(s)) = c.try_wait() {
                    self.exited = Some(exit_of(s));
                }
            }
        }
        self.exited
    }

    /// Which service this is.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// CPU and peak memory of the live processes in the group.
    pub fn usage(&self) -> Usage {
        usage_of(&self.members())
    }

    /// Its processes, for [`usage_of`].
    pub fn members(&self) -> Members {
        Members::Group(self.pgid)
    }

    /// SIGTERM, up to `grace` for the group to exit, then SIGKILL. Returns how the leader ended
    /// and whether it had to be killed.
    pub fn stop(self) -> (Option<Exit>, bool) {
        let grace = self.grace;
        self.stop_within(grace)
    }

    /// [`Service::stop`] with this grace period instead of the spec's.
    pub fn stop_within(mut self, grace: Duration) -> (Option<Exit>, bool) {
        let already = self.exit();
        killpg(self.pgid, libc::SIGTERM);
        let deadline = Instant::now() + grace;
        let mut killed = false;
        loop {
            let leader_done = self.exit().is_some();
            if leader_done && !group_alive(self.pgid) {
                break;
            }
            if Instant::now() >= deadline {
                killpg(self.pgid, libc::SIGKILL);
                killed = true;
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        if let Some(mut c) = self.child.take() {
            if let Ok(s) = c.wait() {
                self.exited.get_or_insert(exit_of(s));
            }
        }
        killpg(self.pgid, libc::SIGKILL);
        (already.or(self.exited), killed)
    }
}

/// Waits until the server `spec` describes is ready: `exited` says whether it has ended (then
/// its stderr file explains why), `accepts` whether a TCP connection to it succeeds (how depends
/// on where it runs); an HTTP probe goes to `spec.host:spec.port` from here.
pub fn wait_ready(
    spec: &ServiceSpec,
    interrupt: &Interrupt,
    exited: &mut dyn FnMut() -> Option<Exit>,
    accepts: &mut dyn FnMut() -> bool,
) -> Result<(), ServiceError> {
    let addr = SocketAddr::new(spec.host, spec.port);
    let deadline = Instant::now() + spec.ready_timeout;
    let mut wait = Duration::from_millis(5);
    loop {
        if let Some(exit) = exited() {
            let text = tail(&spec.stderr);
            let hint = if text.to_lowercase().contains("in use") {
                format!(
                    "; an address it tried to bind is in use by another program (it was given port {})",
                    spec.port
                )
            } else {
                String::new()
            };
            return Err(ServiceError::Exited {
                label: spec.label.clone(),
                exit,
                hint,
            });
        }
        if interrupt.is_set() {
            return Err(ServiceError::Interrupted {
                label: spec.label.clone(),
            });
        }
        let ok = match &spec.ready {
            Ready::Tcp => accepts(),
            Ready::Http { path, status } => {
                http_status(addr, path, Duration::from_millis(500)) == Some(*status)
            }
        };
        // A program that lost the race for its port may still be alive for a moment:
        // readiness counts only if it is still running afterwards.
        if ok && exited().is_none() {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(ServiceError::NotReady {
                label: spec.label.clone(),
                secs: spec.ready_timeout.as_secs_f64(),
                probe: match &spec.ready {
                    Ready::Tcp => "TCP connect".into(),
                    Ready::Http { path, status } => format!("GET {path} → {status}"),
                },
                addr,
            });
        }
        std::thread::sleep(wait);
        wait = (wait * 2).min(Duration::from_millis(50));
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            killpg(self.pgid, libc::SIGKILL);
            let _ = c.wait();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(argv: &[&str], ready: Ready, dir: &Path, port: u16) -> ServiceSpec {
        ServiceSpec {
            label: "test".into(),
            argv: argv.iter().map(|s| s.to_string()).collect(),
            cwd: dir.to_path_buf(),
            env: vec![],
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port,
            ready,
            ready_timeout: Duration::from_millis(700),
            grace: Duration::from_millis(500),
            stdout: dir.join("out"),
            stderr: dir.join("err"),
        }
    }

    #[test]
    fn exits_before_ready_is_reported_with_its_status() {
        let d = tempfile::tempdir().unwrap();
        let s = spec(
            &["sh", "-c", "echo boom >&2; exit 3"],
            Ready::Tcp,
            d.path(),
            1,
        );
        let e = Service::start(&s, &Interrupt::none()).unwrap_err();
        assert!(
            matches!(
                e,
                ServiceError::Exited {
                    exit: Exit::Code(3),
                    ..
                }
            ),
            "{e}"
        );
    }

    #[test]
    fn never_ready_times_out_and_leaves_nothing_behind() {
        let d = tempfile::tempdir().unwrap();
        let port = free_port().unwrap();
        let s = spec(&["sleep", "30"], Ready::Tcp, d.path(), port);
        let t = Instant::now();
        let e = Service::start(&s, &Interrupt::none()).unwrap_err();
        assert!(matches!(e, ServiceError::NotReady { .. }), "{e}");
        assert!(t.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn ready_when_listening_and_stopped_by_sigterm() {
        let d = tempfile::tempdir().unwrap();
        let port = free_port().unwrap();
        let script = format!(
            "import socket,time\ns=socket.socket()\ns.bind(('127.0.0.1',{port}))\ns.listen()\ntime.sleep(30)"
        );
        let mut s = spec(&["python3", "-c", &script], Ready::Tcp, d.path(), port);
        // Python may take a while to start on a busy machine.
        s.ready_timeout = Duration::from_secs(10);
        let svc = Service::start(&s, &Interrupt::none()).unwrap();
        let pgid = svc.pgid;
        assert!(svc.usage().max_rss > 0);
        let (exit, killed) = svc.stop();
        assert_eq!(exit, Some(Exit::Signal(libc::SIGTERM)));
        assert!(!killed);
        assert!(!group_alive(pgid));
    }

    #[test]
    fn a_process_ignoring_sigterm_is_killed_after_the_grace_period() {
        let d = tempfile::tempdir().unwrap();
        let port = free_port().unwrap();
        let script = format!(
            "import socket,time,signal\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\ns=socket.socket()\ns.bind(('127.0.0.1',{port}))\ns.listen()\ntime.sleep(30)"
        );
        let mut s = spec(&["python3", "-c", &script], Ready::Tcp, d.path(), port);
        // Python may take a while to start on a busy machine.
        s.ready_timeout = Duration::from_secs(10);
        let svc = Service::start(&s, &Interrupt::none()).unwrap();
        let pgid = svc.pgid;
        let (exit, killed) = svc.stop();
        assert!(killed);
        assert_eq!(exit, Some(Exit::Signal(libc::SIGKILL)));
        assert!(!group_alive(pgid));
    }
}
