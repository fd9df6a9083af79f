//! What the machine is busy with, read from /proc: the CPU time of the whole machine
//! (`/proc/stat`, steal time included) and of every process (`/proc/<pid>/stat`), the load
//! average, and memory pressure (`/proc/pressure/memory`, with `MemAvailable` beside it). Two
//! [`Snapshot`]s a window apart give an [`Activity`]: how many CPUs were kept busy by processes
//! *outside* one process tree (the benchmark's own: the runner, its probe, the programs under
//! test, their fixtures, the load generator's threads), and who they were.
//!
//! Foreign CPU is the machine's busy time minus the tree's, so processes that started and ended
//! inside the window count too, and so do processes in other PID namespaces that `/proc` does not
//! list (only the naming of the top consumers is limited to what `/proc` shows). It only reads:
//! it never waits, judges or prints — the quiet-machine gate (`measure/quiet.rs`) does that.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Instant;

/// What the machine did over one window (the report keeps its own copy, `report::wire`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Activity {
    /// Length of the window, seconds.
    pub window_s: f64,
    /// Logical CPUs of the machine.
    pub cpus: usize,
    /// CPUs kept busy by processes outside the benchmark's own process tree (1.0 = one CPU's
    /// whole time over the window).
    pub foreign_cpus: f64,
    /// Time the hypervisor ran other guests on this machine's CPUs (steal), in percent of all
    /// CPU time over the window.
    pub steal_pct: f64,
    /// 1-minute load average at the end of the window.
    pub load_avg: f64,
    /// Memory pressure: the share of the last 10 s in which some task waited for memory
    /// (PSI `some avg10`), percent; `None` when the kernel has no PSI.
    pub memory_pressure_pct: Option<f64>,
    /// `MemAvailable` as a share of `MemTotal`, percent.
    pub memory_available_pct: f64,
    /// The biggest consumers outside the tree, grouped by process name, largest first (at
    /// most [`TOP`]; only those that used at least 0.02 CPUs).
    pub top: Vec<Consumer>,
}

/// Processes of one name outside the benchmark's tree and the CPU they used.
#[derive(Debug, Clone, PartialEq)]
pub struct Consumer {
    /// Process name (`comm`: at most 15 bytes, e.g. `rustc`, `cc1plus`).
    pub name: String,
    /// Their process ids, busiest first (at most 5).
    pub pids: Vec<i32>,
    /// CPUs they kept busy over the window, together.
    pub cpus: f64,
}

/// How many consumers an [`Activity`] names.
pub const TOP: usize = 5;

/// Busy, steal and total ticks of all CPUs, from the `cpu` line of `/proc/stat`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Ticks {
    busy: u64,
    steal: u64,
    total: u64,
}

/// One process as `/proc/<pid>/stat` shows it.
#[derive(Debug, Clone, PartialEq)]
struct Proc {
    ppid: i32,
    /// Start time after boot, ticks: tells a reused pid from the process it replaced.
    start: u64,
    name: String,
    /// utime + stime.
    own: u64,
    /// cutime + cstime: children it has reaped.
    reaped: u64,
}

/// The counters of one moment.
#[derive(Debug, Clone)]
pub struct Snapshot {
    at: Instant,
    ticks: Ticks,
    procs: HashMap<i32, Proc>,
}

impl Snapshot {
    /// Reads `/proc/stat` and every `/proc/<pid>/stat` now.
    pub fn take() -> Snapshot {
        let ticks = read("/proc/stat")
            .and_then(|s| parse_cpu_line(&s))
            .unwrap_or_default();
        let mut procs = HashMap::new();
        if let Ok(dir) = std::fs::read_dir("/proc") {
            for e in dir.flatten() {
                let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<i32>().ok()) else {
                    continue;
                };
                if let Some(p) = read(&format!("/proc/{pid}/stat")).and_then(|s| parse_stat(&s)) {
                    procs.insert(pid, p);
                }
            }
        }
        Snapshot {
            at: Instant::now(),
            ticks,
            procs,
        }
    }
}

/// What happened between `a` and `b` (taken later), with `root` and its descendants counted as
/// the benchmark's own; the load average and memory figures are read now.
pub fn between(a: &Snapshot, b: &Snapshot, root: i32) -> Activity {
    let window = b.at.saturating_duration_since(a.at).as_secs_f64();
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let meminfo = read("/proc/meminfo").unwrap_or_default();
    let available = meminfo_kb(&meminfo, "MemAvailable:");
    let total = meminfo_kb(&meminfo, "MemTotal:");
    Activity {
        memory_pressure_pct: read("/proc/pressure/memory").and_then(|s| parse_psi_some_avg10(&s)),
        memory_available_pct: match (available, total) {
            (Some(a), Some(t)) if t > 0 => a as f64 * 100.0 / t as f64,
            _ => 100.0,
        },
        load_avg: load_avg(),
        ..account(a, b, root, window, cpus, hz())
    }
}

/// The current 1-minute load average (0 when unreadable).
pub fn load_avg() -> f64 {
    read("/proc/loadavg")
        .and_then(|s| s.split_whitespace().next().and_then(|v| v.parse().ok()))
        .unwrap_or(0.0)
}

/// Clock ticks per second of `/proc` CPU times (USER_HZ).
fn hz() -> f64 {
    // SAFETY: sysconf has no preconditions.
    (unsafe { libc::sysconf(libc::_SC_CLK_TCK) }).max(1) as f64
}

fn read(path: &str) -> Option<String> {
    std::fs::read_to_string(path).ok()
}

/// The CPU figures of [`Activity`] from two snapshots: pure, so tests can feed it made-up
/// counters. `window` in seconds, `hz` ticks per second.
fn account(a: &Snapshot, b: &Snapshot, root: i32, window: f64, cpus: usize, hz: f64) -> Activity {
    let ours = tree(b, root)
        .union(&tree(a, root))
        .copied()
        .collect::<HashSet<i32>>();
    // Ticks a process used in the window: the difference for one seen twice, everything for
    // one that started inside it (or whose pid was reused), nothing for one that ended (the
    // machine's counter has it; its name is lost).
    let used = |pid: &i32, p: &Proc| -> u64 {
        match a.procs.get(pid) {
            Some(q) if q.start == p.start => p.own.saturating_sub(q.own),
            _ => p.own,
        }
    };
    let mut our_ticks = 0u64;
    for pid in &ours {
        if let Some(p) = b.procs.get(pid) {
            our_ticks += used(pid, p);
            // Children of ours reaped in the window; never larger than what they could use.
            if let Some(q) = a.procs.get(pid).filter(|q| q.start == p.start) {
                our_ticks += p.reaped.saturating_sub(q.reaped);
            }
        }
    }
    let busy = b.ticks.busy.saturating_sub(a.ticks.busy);
    let total = b.ticks.total.saturating_sub(a.ticks.total);
    let steal = b.ticks.steal.saturating_sub(a.ticks.steal);
    let per_cpu = |ticks: u64| {
        if window > 0.0 {
            ticks as f64 / hz / window
        } else {
            0.0
        }
    };
    let mut by_name: BTreeMap<&str, Vec<(i32, u64)>> = BTreeMap::new();
    for (pid, p) in &b.procs {
        if ours.contains(pid) {
            continue;
        }
        let t = used(pid, p);
        if t > 0 {
            by_name.entry(&p.name).or_default().push((*pid, t));
        }
    }
    let mut top: Vec<Consumer> = by_name
        .into_iter()
        .map(|(name, mut v)| {
            v.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
            Consumer {
                name: name.to_string(),
                cpus: per_cpu(v.iter().map(|x| x.1).sum()),
                pids: v.iter().take(5).map(|x| x.0).collect(),
            }
        })
        .filter(|c| c.cpus >= 0.02)
        .collect();
    top.sort_by(|x, y| y.cpus.total_cmp(&x.cpus).then(x.name.cmp(&y.name)));
    top.truncate(TOP);
    Activity {
        window_s: window,
        cpus,
        foreign_cpus: per_cpu(busy.saturating_sub(our_ticks)),
        steal_pct: if total > 0 {
            steal as f64 * 100.0 / total as f64
        } else {
            0.0
        },
        top,
        ..Activity::default()
    }
}

/// `root` and every process below it in `s`.
fn tree(s: &Snapshot, root: i32) -> HashSet<i32> {
    let mut children: HashMap<i32, Vec<i32>> = HashMap::new();
    for (pid, p) in &s.procs {
        children.entry(p.ppid).or_default().push(*pid);
    }
    let mut seen = HashSet::from([root]);
    let mut todo = vec![root];
    while let Some(pid) = todo.pop() {
        for c in children.get(&pid).into_iter().flatten() {
            if seen.insert(*c) {
                todo.push(*c);
            }
        }
    }
    seen
}

/// The aggregate `cpu` line of `/proc/stat`: user nice system idle iowait irq softirq steal
/// guest guest_nice. Busy is user + nice + system + irq + softirq (guest time is already in
/// user); total is everything up to steal.
fn parse_cpu_line(stat: &str) -> Option<Ticks> {
    let line = stat.lines().find(|l| l.starts_with("cpu "))?;
    let f: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .map(|x| x.parse().unwrap_or(0))
        .collect();
    let at = |i: usize| f.get(i).copied().unwrap_or(0);
    Some(Ticks {
        busy: at(0) + at(1) + at(2) + at(5) + at(6),
        steal: at(7),
        total: (0..8).map(at).sum(),
    })
}

/// `/proc/<pid>/stat`: the name sits in parentheses and may hold spaces or parentheses itself,
/// so fields are counted after the last `)`: state, ppid (4), …, utime (14), stime (15),
/// cutime (16), cstime (17), …, starttime (22).
fn parse_stat(stat: &str) -> Option<Proc> {
    let open = stat.find('(')?;
    let close = stat.rfind(')')?;
    let name = stat.get(open + 1..close)?.to_string();
    let f: Vec<&str> = stat.get(close + 1..)?.split_whitespace().collect();
    let n = |i: usize| f.get(i).and_then(|x| x.parse::<u64>().ok()).unwrap_or(0);
    Some(Proc {
        ppid: f.get(1)?.parse().ok()?,
        start: n(19),
        name,
        own: n(11) + n(12),
        reaped: n(13) + n(14),
    })
}

/// `some avg10=…` of a PSI file.
fn parse_psi_some_avg10(psi: &str) -> Option<f64> {
    psi.lines()
        .find(|l| l.starts_with("some "))?
        .split_whitespace()
        .find_map(|kv| kv.strip_prefix("avg10="))?
        .parse()
        .ok()
}

/// A `/proc/meminfo` field in kB.
fn meminfo_kb(meminfo: &str, key: &str) -> Option<u64> {
    meminfo
        .lines()
        .find(|l| l.starts_with(key))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn proc(ppid: i32, name: &str, own: u64) -> Proc {
        Proc {
            ppid,
            start: 1,
            name: name.into(),
            own,
            reaped: 0,
        }
    }

    fn snap(at: Instant, busy: u64, steal: u64, procs: &[(i32, Proc)]) -> Snapshot {
        Snapshot {
            at,
            ticks: Ticks {
                busy,
                steal,
                total: busy + steal + 1000,
            },
            procs: procs.iter().cloned().collect(),
        }
    }

    #[test]
    fn foreign_cpu_is_the_machines_busy_time_minus_the_trees() {
        let t0 = Instant::now();
        // 100 ticks/s, 1 s window, 2 CPUs: the machine used 150 ticks = 1.5 CPUs; our tree
        // (1 → 2 → 3) used 10 + 20 + 0; `rustc` 60 + 40 in two processes, `cc1` 20, and an
        // unnamed rest (a process that ended inside the window) 0 + …
        let a = snap(
            t0,
            1000,
            0,
            &[
                (1, proc(0, "runner", 100)),
                (2, proc(1, "probe", 5)),
                (3, proc(2, "prog", 0)),
                (10, proc(0, "rustc", 100)),
                (11, proc(0, "rustc", 0)),
                (12, proc(0, "cc1", 0)),
                (13, proc(0, "idle", 7)),
            ],
        );
        let b = snap(
            t0 + Duration::from_secs(1),
            1150,
            0,
            &[
                (1, proc(0, "runner", 110)),
                (2, proc(1, "probe", 25)),
                (3, proc(2, "prog", 0)),
                (10, proc(0, "rustc", 160)),
                (11, proc(0, "rustc", 40)),
                (12, proc(0, "cc1", 20)),
                (13, proc(0, "idle", 8)),
            ],
        );
        let x = account(&a, &b, 1, 1.0, 2, 100.0);
        assert!((x.foreign_cpus - 1.2).abs() < 1e-9, "{x:?}");
        assert_eq!(x.top.len(), 2, "idle (0.01 CPUs) is not named: {x:?}");
        assert_eq!(x.top[0].name, "rustc");
        assert_eq!(x.top[0].pids, vec![10, 11]);
        assert!((x.top[0].cpus - 1.0).abs() < 1e-9);
        assert_eq!(x.top[1].name, "cc1");
    }

    #[test]
    fn a_reused_pid_counts_from_its_own_start() {
        let t0 = Instant::now();
        let mut old = proc(0, "old", 500);
        old.start = 1;
        let mut new = proc(0, "new", 30);
        new.start = 2;
        let a = snap(t0, 0, 0, &[(5, old)]);
        let b = snap(t0, 30, 0, &[(5, new)]);
        let x = account(&a, &b, 1, 1.0, 1, 100.0);
        assert_eq!(x.top[0].name, "new");
        assert!((x.top[0].cpus - 0.3).abs() < 1e-9);
    }

    #[test]
    fn steal_is_a_share_of_all_cpu_time() {
        let t0 = Instant::now();
        let a = snap(t0, 0, 0, &[]);
        let b = snap(t0, 0, 250, &[]);
        // total = busy + steal + 1000 idle per snapshot: deltas 250 steal of 250 total.
        let x = account(&a, &b, 1, 1.0, 1, 100.0);
        assert!((x.steal_pct - 100.0 * 250.0 / 250.0).abs() < 1e-9, "{x:?}");
    }

    #[test]
    fn parses_proc_files() {
        let stat = "cpu  10 2 3 100 4 5 6 7 8 9\ncpu0 1 1 1 1 1 1 1 1 1 1\n";
        assert_eq!(
            parse_cpu_line(stat),
            Some(Ticks {
                busy: 10 + 2 + 3 + 5 + 6,
                steal: 7,
                total: 10 + 2 + 3 + 100 + 4 + 5 + 6 + 7,
            })
        );
        let p = parse_stat(
            "42 (a (weird) name) R 7 42 42 0 -1 4194304 100 0 0 0 11 12 13 14 20 0 1 0 99 0 0",
        )
        .unwrap();
        assert_eq!(p.name, "a (weird) name");
        assert_eq!((p.ppid, p.own, p.reaped, p.start), (7, 23, 27, 99));
        let psi = "some avg10=1.50 avg60=0.10 avg300=0.00 total=123\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n";
        assert_eq!(parse_psi_some_avg10(psi), Some(1.5));
        let mem = "MemTotal:       1000 kB\nMemFree:         10 kB\nMemAvailable:    250 kB\n";
        assert_eq!(meminfo_kb(mem, "MemAvailable:"), Some(250));
    }

    /// A busy shell, killed when dropped (also when an assertion fails).
    struct Hog(std::process::Child);

    impl Drop for Hog {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }

    #[test]
    fn a_child_is_ours_and_anyone_elses_is_foreign_and_named() {
        let hog = Hog(std::process::Command::new("sh")
            .args(["-c", "while :; do :; done"])
            .spawn()
            .unwrap());
        let pid = hog.0.id() as i32;
        let a = Snapshot::take();
        std::thread::sleep(Duration::from_millis(700));
        let b = Snapshot::take();
        let x = between(&a, &b, std::process::id() as i32);
        drop(hog);
        assert!(x.window_s >= 0.6, "{x:?}");
        assert!(x.cpus >= 1);
        assert!(
            !x.top.iter().any(|c| c.pids.contains(&pid)),
            "a child of ours is ours: {x:?}"
        );
        // Counted from a root that owns nothing, the same process is foreign, and named (the
        // snapshots cut down to it: on a busy machine it need not be among the top five).
        let only = |s: &Snapshot| Snapshot {
            procs: s
                .procs
                .iter()
                .filter(|(p, _)| **p == pid)
                .map(|(p, q)| (*p, q.clone()))
                .collect(),
            ..s.clone()
        };
        let y = account(&only(&a), &only(&b), -1, x.window_s, x.cpus, hz());
        assert_eq!(y.top.len(), 1, "{y:?}");
        assert_eq!(
            (y.top[0].name.as_str(), y.top[0].pids.as_slice()),
            ("sh", &[pid][..])
        );
    }
}
