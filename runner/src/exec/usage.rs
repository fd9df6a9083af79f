//! What a running server costs, read from this machine's `/proc`: the CPU time and peak
//! resident memory of the processes that are its own ([`Members`]: a process group the runner
//! spawned, or every process below a probe that started the server in a container — a
//! container's processes are still this machine's), and finding such a probe by its command
//! line. It never starts or stops a process.

use std::time::Duration;

/// CPU time and peak memory of a service's process group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Usage {
    /// User CPU time so far (live processes of the group).
    pub user: Duration,
    /// System CPU time so far.
    pub sys: Duration,
    /// Sum over the group's processes of each one's peak RSS (`VmHWM`), bytes.
    pub max_rss: u64,
}

/// Which processes belong to a running server, for [`usage_of`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Members {
    /// Every process of this process group (a server this runner spawned).
    Group(i32),
    /// Every descendant of this process, not itself (a server a probe started in a container:
    /// the probe's host pid).
    Under(i32),
    /// Not visible from here (e.g. a Docker engine on another machine): usage reads as zero.
    Unknown,
}

/// Live processes with their `/proc/<pid>/stat` fields after the command name
/// (`[0]` state, `[1]` parent pid, `[2]` process group).
fn processes() -> Vec<(i32, Vec<String>)> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for e in dir.flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<i32>().ok()) else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // The command name is in parentheses and may contain spaces: split after the last ')'.
        let Some(rest) = stat.rfind(')').map(|i| &stat[i + 1..]) else {
            continue;
        };
        let fields: Vec<String> = rest.split_whitespace().map(String::from).collect();
        if fields.first().is_some_and(|s| s != "Z") {
            out.push((pid, fields));
        }
    }
    out
}

fn field(f: &[String], i: usize) -> Option<i32> {
    f.get(i).and_then(|g| g.parse::<i32>().ok())
}

/// The live processes that `m` names.
fn members_of(m: &Members) -> Vec<(i32, Vec<String>)> {
    match *m {
        Members::Group(pgid) => processes()
            .into_iter()
            .filter(|(_, f)| field(f, 2) == Some(pgid))
            .collect(),
        Members::Under(root) => {
            let all = processes();
            let mut inside = vec![root];
            let mut out = Vec::new();
            // Parents before children is not guaranteed by pid order: grow to a fixed point.
            loop {
                let before = out.len();
                for (pid, f) in &all {
                    if !inside.contains(pid) && field(f, 1).is_some_and(|pp| inside.contains(&pp)) {
                        inside.push(*pid);
                        out.push((*pid, f.clone()));
                    }
                }
                if out.len() == before {
                    return out;
                }
            }
        }
        Members::Unknown => Vec::new(),
    }
}

/// The pid of a live process whose command line (`/proc/<pid>/cmdline`, readable for every
/// user's processes) satisfies `pred`.
pub fn find_process(pred: &dyn Fn(&[String]) -> bool) -> Option<i32> {
    let dir = std::fs::read_dir("/proc").ok()?;
    for e in dir.flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<i32>().ok()) else {
            continue;
        };
        let Ok(raw) = std::fs::read(format!("/proc/{pid}/cmdline")) else {
            continue;
        };
        let argv: Vec<String> = raw
            .split(|&b| b == 0)
            .filter(|a| !a.is_empty())
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        if !argv.is_empty() && pred(&argv) {
            return Some(pid);
        }
    }
    None
}

pub(super) fn group_alive(pgid: i32) -> bool {
    !members_of(&Members::Group(pgid)).is_empty()
}

/// CPU time and peak memory (sum of each process's `VmHWM`) of the live processes `m` names.
pub fn usage_of(m: &Members) -> Usage {
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
    let ticks = |t: u64| Duration::from_secs_f64(t as f64 / hz);
    let mut u = Usage::default();
    for (pid, f) in members_of(m) {
        // After the name: [11] utime, [12] stime (stat fields 14 and 15).
        let n = |i: usize| f.get(i).and_then(|x| x.parse::<u64>().ok()).unwrap_or(0);
        u.user += ticks(n(11));
        u.sys += ticks(n(12));
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        if let Some(kb) = status
            .lines()
            .find(|l| l.starts_with("VmHWM:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|x| x.parse::<u64>().ok())
        {
            u.max_rss += kb * 1024;
        }
    }
    u
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::process::CommandExt;
    use std::process::Command;
    use std::time::Instant;

    #[test]
    fn a_server_below_a_process_is_found_by_its_command_line_and_measured() {
        // `sh` stands for the probe: a marker on its command line, the server its child.
        let marker = format!("runner-test-marker-{}", std::process::id());
        let mut sh = Command::new("sh")
            .args(["-c", "sleep 30 & sleep 30; : MARKER"])
            .arg0(&marker)
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(5);
        let pid = loop {
            if let Some(p) = find_process(&|argv| argv[0] == marker) {
                break p;
            }
            assert!(
                Instant::now() < deadline,
                "the marked process was not found"
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        assert_eq!(pid, sh.id() as i32);
        let deadline = Instant::now() + Duration::from_secs(5);
        while members_of(&Members::Under(pid)).len() < 2 {
            assert!(Instant::now() < deadline, "the two children were not found");
            std::thread::sleep(Duration::from_millis(20));
        }
        let under = members_of(&Members::Under(pid));
        assert!(
            under.iter().all(|(p, _)| *p != pid),
            "the root is not counted"
        );
        assert!(usage_of(&Members::Under(pid)).max_rss > 0);
        assert_eq!(usage_of(&Members::Unknown), Usage::default());
        let _ = sh.kill();
        let _ = sh.wait();
        for (p, _) in under {
            // SAFETY: signalling our own grandchildren.
            unsafe { libc::kill(p, libc::SIGKILL) };
        }
    }
}
