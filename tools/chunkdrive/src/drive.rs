//! Spawns the chunker, feeds it paced blocks, times every block and every record on one
//! monotonic clock, and summarises the latencies and the program's own CPU time (wait4).

use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::os::fd::{AsRawFd, RawFd};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

/// Samples per second of the stream.
const RATE: u64 = 16_000;
const HEADER: usize = 24;
const MAGIC: &[u8; 4] = b"ACHK";

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Pace {
    /// Every block as soon as the previous write returned.
    Fast,
    /// Blocks due at `speed` × real time (1 = real time).
    Speed(u32),
}

impl Pace {
    pub fn parse(s: &str) -> Option<Pace> {
        match s {
            "fast" => Some(Pace::Fast),
            "realtime" => Some(Pace::Speed(1)),
            _ => s
                .strip_suffix('x')?
                .parse::<u32>()
                .ok()
                .filter(|&n| n > 0)
                .map(Pace::Speed),
        }
    }

    fn name(self) -> String {
        match self {
            Pace::Fast => "fast".into(),
            Pace::Speed(1) => "realtime".into(),
            Pace::Speed(n) => format!("{n}x"),
        }
    }
}

pub struct Options {
    pub pace: Pace,
    /// Samples per write.
    pub block: usize,
    pub input: PathBuf,
    pub out: PathBuf,
    pub program: Vec<String>,
}

/// What the reader saw of one record.
struct Seen {
    start: u64,
    length: u32,
    reason: u8,
    /// Nanoseconds since spawn when its last byte had been read.
    at: u64,
}

struct ReaderResult {
    records: Vec<Seen>,
    sha256: String,
}

fn ns(since: Instant) -> u64 {
    since.elapsed().as_nanos() as u64
}

/// Reads exactly `buf.len()` bytes; `Ok(false)` at a clean end of stream before the first byte.
fn read_full(r: &mut impl Read, buf: &mut [u8]) -> io::Result<bool> {
    let mut got = 0;
    while got < buf.len() {
        match r.read(&mut buf[got..]) {
            Ok(0) if got == 0 => return Ok(false),
            Ok(0) => {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "record cut short",
                ))
            }
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(true)
}

/// The reader thread: parses, checks, times and copies the records.
fn read_records(
    mut from: impl Read,
    to: &Path,
    samples: u64,
    base: Instant,
) -> Result<ReaderResult, String> {
    let file = File::create(to).map_err(|e| format!("{}: {e}", to.display()))?;
    let mut file = BufWriter::with_capacity(1 << 16, file);
    let mut sha = Sha256::new();
    let mut records = Vec::new();
    let mut header = [0u8; HEADER];
    let mut payload = Vec::new();
    loop {
        let more = read_full(&mut from, &mut header)
            .map_err(|e| format!("reading the program's output: {e}"))?;
        if !more {
            break;
        }
        let seq = u32::from_le_bytes(header[4..8].try_into().unwrap());
        let start = u64::from_le_bytes(header[8..16].try_into().unwrap());
        let length = u32::from_le_bytes(header[16..20].try_into().unwrap());
        let reason = header[20];
        let n = records.len();
        if &header[0..4] != MAGIC || header[21] != 0 || reason > 2 {
            return Err(format!("record {n}: bad header {header:02x?}"));
        }
        if seq as usize != n {
            return Err(format!("record {n} has sequence number {seq}"));
        }
        if length == 0
            || start
                .checked_add(length as u64)
                .is_none_or(|end| end > samples)
        {
            return Err(format!("record {n}: chunk [{start}, +{length}) is not within the {samples} samples of the input"));
        }
        payload.resize(2 * length as usize, 0);
        if !read_full(&mut from, &mut payload).map_err(|e| format!("reading record {n}: {e}"))? {
            return Err(format!("record {n}: payload missing"));
        }
        let at = ns(base);
        sha.update(header);
        sha.update(&payload);
        file.write_all(&header)
            .and_then(|()| file.write_all(&payload))
            .map_err(|e| format!("{}: {e}", to.display()))?;
        records.push(Seen {
            start,
            length,
            reason,
            at,
        });
    }
    file.flush().map_err(|e| format!("{}: {e}", to.display()))?;
    let sha256 = sha.finalize().iter().map(|b| format!("{b:02x}")).collect();
    Ok(ReaderResult { records, sha256 })
}

/// Runs the program once; returns the JSON summary line.
pub fn run(opts: &Options) -> Result<String, String> {
    let mut input =
        File::open(&opts.input).map_err(|e| format!("{}: {e}", opts.input.display()))?;
    let size = input
        .metadata()
        .map_err(|e| format!("{}: {e}", opts.input.display()))?
        .len();
    let samples = size / 2;
    let block_bytes = 2 * opts.block;
    let blocks = size.div_ceil(block_bytes as u64) as usize;
    let part = {
        let mut p = opts.out.clone().into_os_string();
        p.push(".part");
        PathBuf::from(p)
    };

    let base = Instant::now();
    let mut child = Command::new(&opts.program[0])
        .args(&opts.program[1..])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("{}: {e}", opts.program[0]))?;
    let pid = child.id() as libc::pid_t;
    // The writer sleeps to the µs, not to the default 50 µs of timer slack: at 100x a block is
    // due every 100 µs. Set after the spawn, as a child inherits its parent's slack.
    // SAFETY: PR_SET_TIMERSLACK takes one integer argument and affects this thread only.
    unsafe { libc::prctl(libc::PR_SET_TIMERSLACK, 1 as libc::c_ulong) };
    let mut stdin = child.stdin.take().expect("piped stdin");
    let stdout = child.stdout.take().expect("piped stdout");
    let reader = {
        let part = part.clone();
        thread::spawn(move || read_records(stdout, &part, samples, base))
    };

    // The writer: block i due at t0 + i·block/(RATE·speed); its clock read just before write.
    let mut written = Vec::with_capacity(blocks);
    let mut write_error = None;
    let mut buf = vec![0u8; (64 * 1024 / block_bytes).max(1) * block_bytes];
    let (mut filled, mut pos) = (0usize, 0usize);
    let t0 = Instant::now();
    for i in 0..blocks {
        if pos == filled {
            filled = read_some(&mut input, &mut buf)
                .map_err(|e| format!("{}: {e}", opts.input.display()))?;
            pos = 0;
            if filled == 0 {
                return Err(format!("{}: shorter than its size", opts.input.display()));
            }
        }
        let end = (pos + block_bytes).min(filled);
        if let Pace::Speed(speed) = opts.pace {
            let due = t0
                + Duration::from_nanos(
                    (i as u64 * opts.block as u64 * 1_000_000_000) / (RATE * speed as u64),
                );
            let now = Instant::now();
            if due > now {
                thread::sleep(due - now);
            }
        }
        written.push(ns(base));
        // Paced: one block in the pipe at a time, so that the program reads every block on its
        // own, as from a live source, however busy the machine (its reads, and so its CPU time,
        // are then fixed by the input). Waiting counts as latency, like a full pipe would.
        if opts.pace != Pace::Fast && !wait_drained(stdin.as_raw_fd()) {
            write_error = Some(io::Error::from(io::ErrorKind::BrokenPipe));
            break;
        }
        if let Err(e) = stdin.write_all(&buf[pos..end]) {
            write_error = Some(e);
            break;
        }
        pos = end;
    }
    // The program's own peak RSS, read before the end of its input (its memory is bounded, so
    // it is at its peak by then). wait4's ru_maxrss would not do: it includes the driver's
    // pages the child had between fork and exec.
    let hwm_kib = vm_hwm_kib(pid);
    let reads = proc_field(pid, "io", "syscr:");
    // Read the clock before closing, as before a write: the program may answer at once.
    let closed = ns(base);
    drop(stdin);

    let read = reader
        .join()
        .map_err(|_| "the reader thread panicked".to_string())?;
    let (status, user_s, sys_s) =
        wait4(pid).map_err(|e| format!("waiting for {}: {e}", opts.program[0]))?;
    let exited = ns(base);
    // Every problem is reported: a malformed record makes the driver stop reading, which in
    // turn makes the program fail on its next write.
    let mut problems = Vec::new();
    if let Err(e) = &read {
        problems.push(e.clone());
    }
    if libc::WIFSIGNALED(status) {
        problems.push(format!(
            "{} was killed by signal {}",
            opts.program[0],
            libc::WTERMSIG(status)
        ));
    } else if libc::WEXITSTATUS(status) != 0 {
        problems.push(format!(
            "{} exited with status {}",
            opts.program[0],
            libc::WEXITSTATUS(status)
        ));
    }
    if let Some(e) = write_error {
        problems.push(format!("writing to {}: {e}", opts.program[0]));
    }
    let outcome = if problems.is_empty() {
        read
    } else {
        Err(problems.join("; "))
    };
    let result = match outcome {
        Ok(r) => r,
        Err(e) => {
            let _ = std::fs::remove_file(&part);
            return Err(e);
        }
    };

    let mut latencies = Vec::with_capacity(result.records.len());
    for (n, r) in result.records.iter().enumerate() {
        let reference = if r.reason == 2 {
            closed
        } else {
            let last = r.start + r.length as u64 - 1;
            written[(last as usize * 2) / block_bytes]
        };
        if r.at < reference {
            let _ = std::fs::remove_file(&part);
            return Err(format!(
                "record {n} arrived before the sample that decides it was written"
            ));
        }
        latencies.push(r.at - reference);
    }
    std::fs::rename(&part, &opts.out).map_err(|e| format!("{}: {e}", opts.out.display()))?;

    let audio_s = samples as f64 / RATE as f64;
    let wall_s = exited as f64 / 1e9;
    Ok(format!(
        "{{\"chunks\":{},\"cpu_us_per_audio_s\":{:.3},\"cpu_s\":{{\"user\":{:.6},\"sys\":{:.6}}},\"latency_us\":{},\"realtime_factor\":{:.3},\"audio_s\":{:.3},\"wall_s\":{:.6},\"pace\":\"{}\",\"block\":{},\"child_hwm_kib\":{},\"child_reads\":{},\"records_sha256\":\"{}\"}}",
        result.records.len(),
        (user_s + sys_s) * 1e6 / audio_s,
        user_s,
        sys_s,
        latency_json(&mut latencies),
        audio_s / wall_s,
        audio_s,
        wall_s,
        opts.pace.name(),
        opts.block,
        hwm_kib.map_or("null".to_string(), |k| k.to_string()),
        reads.map_or("null".to_string(), |k| k.to_string()),
        result.sha256
    ))
}

/// Waits until the pipe behind `fd` (its write end) holds no unread byte; `false` when the
/// program closed its end first.
fn wait_drained(fd: RawFd) -> bool {
    loop {
        let mut unread: libc::c_int = 0;
        // SAFETY: FIONREAD on a pipe writes one int to a valid pointer.
        if unsafe { libc::ioctl(fd, libc::FIONREAD, &mut unread) } != 0 || unread == 0 {
            return true;
        }
        let mut p = libc::pollfd {
            fd,
            events: libc::POLLOUT,
            revents: 0,
        };
        // SAFETY: one valid pollfd, no waiting. A pipe without readers reports POLLERR.
        if unsafe { libc::poll(&mut p, 1, 0) } > 0 && p.revents & libc::POLLERR != 0 {
            return false;
        }
        thread::sleep(Duration::from_micros(5));
    }
}

fn read_some(r: &mut File, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match r.read(buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

/// Nearest-rank percentiles and the mean, in µs; `null`s without any latency.
pub fn latency_json(lat: &mut [u64]) -> String {
    if lat.is_empty() {
        return "{\"p50\":null,\"p90\":null,\"p99\":null,\"max\":null,\"mean\":null}".into();
    }
    lat.sort_unstable();
    let rank = |p: u64| lat[((p * lat.len() as u64).div_ceil(100) as usize).max(1) - 1];
    let us = |v: u64| v as f64 / 1000.0;
    let mean = lat.iter().map(|&v| v as f64).sum::<f64>() / lat.len() as f64 / 1000.0;
    format!(
        "{{\"p50\":{:.3},\"p90\":{:.3},\"p99\":{:.3},\"max\":{:.3},\"mean\":{:.3}}}",
        us(rank(50)),
        us(rank(90)),
        us(rank(99)),
        us(*lat.last().unwrap()),
        mean
    )
}

/// `VmHWM` of a live process, KiB.
fn vm_hwm_kib(pid: libc::pid_t) -> Option<u64> {
    proc_field(pid, "status", "VmHWM:")
}

/// The first number after `key` on its line of `/proc/PID/FILE`.
fn proc_field(pid: libc::pid_t, file: &str, key: &str) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/{file}")).ok()?;
    let line = text.lines().find(|l| l.starts_with(key))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Waits for the child; returns its status and its own CPU time (user, system) in seconds.
/// `wait4`'s rusage is the child's alone (and its waited-for children's; the programs have none):
/// not the driver's threads, unlike the runner's measurement of the whole process tree.
fn wait4(pid: libc::pid_t) -> io::Result<(libc::c_int, f64, f64)> {
    let mut status = 0;
    // SAFETY: rusage is plain old data; zeroed is a valid initial value.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    loop {
        // SAFETY: waits for our own child, with a valid status and rusage to fill.
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut ru) };
        if r == pid {
            return Ok((status, secs(ru.ru_utime), secs(ru.ru_stime)));
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pace_parsing() {
        assert_eq!(Pace::parse("fast"), Some(Pace::Fast));
        assert_eq!(Pace::parse("realtime"), Some(Pace::Speed(1)));
        assert_eq!(Pace::parse("20x"), Some(Pace::Speed(20)));
        assert_eq!(Pace::parse("0x"), None);
        assert_eq!(Pace::parse("x"), None);
        assert_eq!(Pace::parse("slow"), None);
    }

    #[test]
    fn nearest_rank_percentiles() {
        let mut v: Vec<u64> = (1..=100).map(|i| i * 1000).collect();
        assert_eq!(
            latency_json(&mut v),
            "{\"p50\":50.000,\"p90\":90.000,\"p99\":99.000,\"max\":100.000,\"mean\":50.500}"
        );
        let mut one = vec![1500];
        assert_eq!(
            latency_json(&mut one),
            "{\"p50\":1.500,\"p90\":1.500,\"p99\":1.500,\"max\":1.500,\"mean\":1.500}"
        );
        assert!(latency_json(&mut []).contains("\"p50\":null"));
    }
}
