//! Instruction counts under valgrind's callgrind: deterministic numbers for noisy machines (the
//! approach of CodSpeed and iai-callgrind). Hardware counters are not available on these VMs.
//!
//! Fixed settings: no cache or branch simulation (Ir only, cheapest), one output file per run.
//! Go programs get `GODEBUG=asyncpreemptoff=1`: the Go runtime's signal-based preemption
//! otherwise makes runs under valgrind nondeterministic or hang. Even so, Go's background
//! runtime threads (sysmon, GC workers) run on timers: a Go program's count varies by about
//! 0.3% of a 6 M-instruction program (a fixed few thousand instructions), negligible on real
//! inputs; Rust and Zig counts are identical run to run. Zig's default `-mcpu=native`
//! would emit AVX-512, which valgrind cannot run: the suite's one CPU level (toolchains.toml)
//! keeps every build within what valgrind supports.

use std::path::Path;

/// `argv` run under callgrind, writing its profile to `out_file`.
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
        "--trace-children=no",
        "-q",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    v.push(format!("--callgrind-out-file={}", out_file.display()));
    v.extend(argv.iter().cloned());
    v
}

/// Environment every run under callgrind gets.
pub fn env() -> Vec<(String, String)> {
    vec![("GODEBUG".into(), "asyncpreemptoff=1".into())]
}

/// The total instruction count (Ir) of a callgrind profile.
pub fn read_ir(path: &Path) -> Result<u64, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("no callgrind profile at {}: {e}", path.display()))?;
    parse_ir(&text).ok_or_else(|| format!("{}: no `summary:` or `totals:` line", path.display()))
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
            panic!("valgrind is required (apt-get install valgrind)");
        }
        let dir = tempfile::tempdir().unwrap();
        let count = |i: usize| {
            let out = dir.path().join(format!("cg.{i}"));
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
