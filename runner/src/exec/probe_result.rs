//! The measuring probe's result: the one JSON line that `runner-probe` (also `runner __probe` and
//! `runner-probe-static`, all `crate::probe`) writes into its result file after a run, and that
//! the native and Docker backends read back. This file is the format's only definition:
//! [`ProbeResult::write`] writes it, [`ProbeResult::take`] reads it.
//!
//! The line is `{"wall_ns":…,"user_ns":…,"sys_ns":…,"max_rss_kb":…,"code":N}` (or `"signal":N`;
//! plus `"timed_out":true` and `"oom_kills":N` when they apply), or `{"spawn_error":"…"}` when the
//! program could not be started or waited for. It is a flat object of numbers, booleans and one
//! string, so it is written and read here by hand: `probe-static/` compiles this file (and
//! `crate::probe`) into a statically linked program that depends on libc alone. For the same
//! reason this file uses nothing but std. What a result means for a run (its outcome, an error,
//! an out-of-memory kill) is each backend's business, not this file's.

use std::io::Write;
use std::path::Path;

/// What the probe reports about one run of a program (the fields of its result line).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProbeResult {
    /// Wall-clock time from spawn to exit, nanoseconds.
    pub wall_ns: Option<u64>,
    /// User CPU time of the program and its waited-for children, nanoseconds.
    pub user_ns: Option<u64>,
    /// System CPU time, nanoseconds.
    pub sys_ns: Option<u64>,
    /// Peak resident set size, KiB (`ru_maxrss`).
    pub max_rss_kb: Option<u64>,
    /// The exit code, when the program exited.
    pub code: Option<i32>,
    /// The signal that killed it, when one did.
    pub signal: Option<i32>,
    /// Why the program could not be started or waited for (then no other field is set).
    pub spawn_error: Option<String>,
    /// Killed by the probe because `--timeout-ms` passed.
    pub timed_out: bool,
    /// OOM kills the kernel counted in the probe's cgroup during the run (`--cgroup-oom`).
    pub oom_kills: Option<u64>,
}

impl ProbeResult {
    /// A result saying that the program could not be started (or waited for): `message`.
    pub fn spawn_error(message: String) -> ProbeResult {
        ProbeResult {
            spawn_error: Some(message),
            ..ProbeResult::default()
        }
    }

    /// The result line, newline included: the fields that are set, in a fixed order.
    pub fn to_line(&self) -> String {
        let text = |n: Option<u64>| n.map(|v| v.to_string());
        let numbers = [
            ("wall_ns", text(self.wall_ns)),
            ("user_ns", text(self.user_ns)),
            ("sys_ns", text(self.sys_ns)),
            ("max_rss_kb", text(self.max_rss_kb)),
            ("code", self.code.map(|v| v.to_string())),
            ("signal", self.signal.map(|v| v.to_string())),
        ];
        let mut fields: Vec<String> = numbers
            .iter()
            .filter_map(|(key, value)| value.as_ref().map(|v| format!("\"{key}\":{v}")))
            .collect();
        if self.timed_out {
            fields.push("\"timed_out\":true".into());
        }
        if let Some(n) = self.oom_kills {
            fields.push(format!("\"oom_kills\":{n}"));
        }
        if let Some(e) = &self.spawn_error {
            fields.push(format!("\"spawn_error\":\"{}\"", escape(e)));
        }
        format!("{{{}}}\n", fields.join(","))
    }

    /// Replaces `path` with the result line, atomically (written beside it, then renamed), so a
    /// reader polling `path` never sees half a line.
    pub fn write(&self, path: &str) -> std::io::Result<()> {
        let tmp = format!("{path}.tmp");
        std::fs::File::create(&tmp)
            .and_then(|mut f| f.write_all(self.to_line().as_bytes()))
            .and_then(|_| std::fs::rename(&tmp, path))
    }

    /// Reads a result line; `None` when `line` is not one (unknown keys are ignored).
    pub fn parse(line: &str) -> Option<ProbeResult> {
        let mut rest = line.trim().strip_prefix('{')?.strip_suffix('}')?;
        let mut r = ProbeResult::default();
        while !rest.is_empty() {
            let (key, after) = rest.strip_prefix('"')?.split_once("\":")?;
            let (value, next) = match after.strip_prefix('"') {
                Some(s) => {
                    let end = closing_quote(s)?;
                    (Value::Text(unescape(&s[..end])), &s[end + 1..])
                }
                None => {
                    let end = after.find(',').unwrap_or(after.len());
                    (Value::Bare(&after[..end]), &after[end..])
                }
            };
            match (key, value) {
                ("wall_ns", Value::Bare(v)) => r.wall_ns = Some(v.parse().ok()?),
                ("user_ns", Value::Bare(v)) => r.user_ns = Some(v.parse().ok()?),
                ("sys_ns", Value::Bare(v)) => r.sys_ns = Some(v.parse().ok()?),
                ("max_rss_kb", Value::Bare(v)) => r.max_rss_kb = Some(v.parse().ok()?),
                ("code", Value::Bare(v)) => r.code = Some(v.parse().ok()?),
                ("signal", Value::Bare(v)) => r.signal = Some(v.parse().ok()?),
                ("timed_out", Value::Bare(v)) => r.timed_out = v.parse().ok()?,
                ("oom_kills", Value::Bare(v)) => r.oom_kills = Some(v.parse().ok()?),
                ("spawn_error", Value::Text(t)) => r.spawn_error = Some(t),
                (
                    "wall_ns" | "user_ns" | "sys_ns" | "max_rss_kb" | "code" | "signal"
                    | "timed_out" | "oom_kills" | "spawn_error",
                    _,
                ) => return None,
                _ => {}
            }
            rest = match next.strip_prefix(',') {
                Some(more) if !more.is_empty() => more,
                Some(_) => return None,
                None if next.is_empty() => next,
                None => return None,
            };
        }
        Some(r)
    }

    /// Reads the result in `path` and removes the file; `None` (the file left alone) while there
    /// is no complete result in it.
    pub fn take(path: &Path) -> Option<ProbeResult> {
        let r = Self::parse(&std::fs::read_to_string(path).ok()?)?;
        let _ = std::fs::remove_file(path);
        Some(r)
    }
}

/// A field's value in the line: a string (unescaped), or a number or boolean as written.
enum Value<'a> {
    Text(String),
    Bare(&'a str),
}

/// A string's characters as a JSON string holds them (newlines and other control characters
/// become spaces: a message stays one line).
fn escape(s: &str) -> String {
    s.chars()
        .flat_map(|c| match c {
            '\\' | '"' => vec!['\\', c],
            c if c.is_control() => vec![' '],
            c => vec![c],
        })
        .collect()
}

/// The inverse of [`escape`] (a backslash takes the next character as it is).
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        out.push(if c == '\\' {
            chars.next().unwrap_or(c)
        } else {
            c
        });
    }
    out
}

/// Where the string that `s` starts inside of ends: its first quote not escaped by a backslash.
fn closing_quote(s: &str) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return Some(i),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ran() -> ProbeResult {
        ProbeResult {
            wall_ns: Some(1_500_000),
            user_ns: Some(1_000),
            sys_ns: Some(0),
            max_rss_kb: Some(1_234),
            code: Some(0),
            ..ProbeResult::default()
        }
    }

    #[test]
    fn lines_are_written_as_the_probe_always_wrote_them() {
        let killed = ProbeResult {
            code: None,
            signal: Some(9),
            timed_out: true,
            oom_kills: Some(1),
            ..ran()
        };
        let cases = [
            (
                ran(),
                "{\"wall_ns\":1500000,\"user_ns\":1000,\"sys_ns\":0,\"max_rss_kb\":1234,\"code\":0}\n",
            ),
            (
                killed,
                "{\"wall_ns\":1500000,\"user_ns\":1000,\"sys_ns\":0,\"max_rss_kb\":1234,\"signal\":9,\"timed_out\":true,\"oom_kills\":1}\n",
            ),
            (
                ProbeResult::spawn_error("no \"such\" \\ file".into()),
                "{\"spawn_error\":\"no \\\"such\\\" \\\\ file\"}\n",
            ),
        ];
        for (result, line) in cases {
            assert_eq!(result.to_line(), line);
            assert_eq!(ProbeResult::parse(line), Some(result), "{line}");
        }
        // A message stays on its one line.
        assert_eq!(
            ProbeResult::spawn_error("a\nb\tc".into()).to_line(),
            "{\"spawn_error\":\"a b c\"}\n"
        );
    }

    #[test]
    fn every_field_survives_a_round_trip() {
        let all = ProbeResult {
            code: Some(-1),
            signal: Some(15),
            spawn_error: Some("a\\b\"c,d}e:".into()),
            timed_out: true,
            oom_kills: Some(0),
            ..ran()
        };
        assert_eq!(ProbeResult::parse(&all.to_line()), Some(all));
        assert_eq!(
            ProbeResult::parse("{}"),
            Some(ProbeResult::default()),
            "no field set"
        );
        assert_eq!(
            ProbeResult::parse("{\"later\":7,\"code\":3}").and_then(|r| r.code),
            Some(3),
            "unknown keys are ignored"
        );
    }

    #[test]
    fn anything_else_is_no_result() {
        for bad in [
            "",
            "{\"wall_ns\":1",
            "{\"wall_ns\":-1}",
            "{\"code\":\"0\"}",
            "{\"spawn_error\":\"unterminated}",
            "{\"code\":0,}",
            "{\"code\":0\"signal\":1}",
            "[1]",
        ] {
            assert_eq!(ProbeResult::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_result_is_taken_once_and_only_when_complete() {
        // std only: `probe-static` compiles these tests too, without runner's dev-dependencies.
        let dir = std::env::temp_dir().join(format!("probe-result-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("r.probe.json");
        let p = path.to_str().unwrap();
        assert_eq!(ProbeResult::take(&path), None, "no file yet");
        std::fs::write(&path, "{\"wall_ns\":1").unwrap();
        assert_eq!(ProbeResult::take(&path), None, "half a line");
        assert!(
            path.exists(),
            "a half-written result is left for the next look"
        );
        ran().write(p).unwrap();
        assert!(!dir.join("r.probe.json.tmp").exists());
        assert_eq!(ProbeResult::take(&path), Some(ran()));
        assert!(!path.exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
