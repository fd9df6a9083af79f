//! Instruction counts under valgrind's callgrind: deterministic numbers for noisy machines (the
//! approach of CodSpeed and iai-callgrind). Hardware counters are not available on these VMs.
//!
//! Fixed settings: no cache or branch simulation (Ir only, cheapest). Children are traced (a
//! `sh -c` wrapper counts what it runs) and the profiles of all processes of a run are summed.
//! Go programs get `GODEBUG=asyncpreemptoff=1`: the Go runtime's signal-based preemption
//! otherwise makes runs under valgrind nondeterministic or hang. Even so, Go's background
//! runtime threads (sysmon, GC workers) run on timers: a Go program's count varies by some
//! 10^4–10^5 instructions per run (over 1% of a 6 M-instruction toy, ~0.001% of the log
//! masker's 5 G); Rust and Zig counts are identical run to run. Zig's default `-mcpu=native`
//! would emit AVX-512, which valgrind cannot run: the suite's one CPU level (toolchains.toml)
//! keeps every build within what valgrind supports.

use std::path::Path;

/// `argv` run under callgrind, writing one profile per process to `<out_file>.<pid>`.
pub fn wrap(argv: &[String], out_file: &Path) -> Vec<String> {
    let mut v: Vec<String> = [
        "valgrind",
        "--tool=callgrind",
        "--cache-sim=no",
        "--branch-sim=no",
        "--dump-instr=no",
        "--dump-line=no",
        "--compress-strings=no",
        "--compress-pos=no",
        "--trace-children=yes",
        "-q",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    v.push(format!("--callgrind-out-file={}.%p", out_file.display()));
    v.extend(argv.iter().cloned());
    v
}

/// Environment every run under callgrind gets.
pub fn env() -> Vec<(String, String)> {
    vec![("GODEBUG".into(), "asyncpreemptoff=1".into())]
}

/// Removes the profiles a previous run left at `out_file` (call before each run).
pub fn clear(out_file: &Path) {
    for p in profiles(out_file) {
        let _ = std::fs::remove_file(p);
    }
}

fn profiles(out_file: &Path) -> Vec<std::path::PathBuf> {
    let (Some(dir), Some(name)) = (
        out_file.parent(),
        out_file.file_name().and_then(|n| n.to_str()),
    ) else {
        return Vec::new();
    };
    let prefix = format!("{name}.");
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter(|e| {
                    e.file_name()
                        .to_str()
                        .is_some_and(|n| n.starts_with(&prefix))
                })
                .map(|e| e.path())
                .collect()
        })
        .unwrap_or_default()
}

/// The total instruction count (Ir) of a run: the sum over the profiles of all its processes.
pub fn read_ir(out_file: &Path) -> Result<u64, String> {
    let files = profiles(out_file);
    if files.is_empty() {
        return Err(format!(
            "no callgrind profile at {}.<pid>",
            out_file.display()
        ));
    }
    let mut total = 0u64;
    for f in files {
        let text = std::fs::read_to_string(&f).map_err(|e| format!("{}: {e}", f.display()))?;
        total += parse_ir(&text)
            .ok_or_else(|| format!("{}: no `summary:` or `totals:` line", f.display()))?;
    }
    Ok(total)
}

fn parse_ir(text: &str) -> Option<u64> {
    let line = text
        .lines()
        .find(|l| l.starts_with("summary:"))
        .or_else(|| text.lines().find(|l| l.starts_with("totals:")))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_summary_and_totals() {
        assert_eq!(
            parse_ir("version: 1\nevents: Ir\nsummary: 123456\ntotals: 123456\n"),
            Some(123456)
        );
        assert_eq!(parse_ir("events: Ir\ntotals: 42\n"), Some(42));
        assert_eq!(parse_ir("events: Ir\n"), None);
    }

    #[test]
    fn counts_are_identical_across_runs() {
        if std::process::Command::new("valgrind")
            .arg("--version")
            .output()
            .is_err()
        {
            // Strict on purpose: a skipped test would pass on a machine that cannot count.
            panic!(
                "valgrind is required, and it is the runner's own declared prerequisite \
                 (toolchains.toml [requires.apt] valgrind): `runner doctor --provision` installs it, \
                 as does the README's first command (`cargo run --release -p runner -- bench …`) \
                 run as root; by hand: apt-get install valgrind"
            );
        }
        let dir = tempfile::tempdir().unwrap();
        let count = |i: usize| {
            let out = dir.path().join(format!("cg{i}"));
            let argv = wrap(
                &[
                    "sh".to_string(),
                    "-c".to_string(),
                    "i=0; while [ $i -lt 200 ]; do i=$((i+1)); done".to_string(),
                ],
                &out,
            );
            let st = std::process::Command::new(&argv[0])
                .args(&argv[1..])
                .envs(env())
                .status()
                .unwrap();
            assert!(st.success());
            read_ir(&out).unwrap()
        };
        let (a, b) = (count(1), count(2));
        assert!(a > 10_000, "{a}");
        assert_eq!(a, b, "instruction counts must not drift between runs");
    }
}
