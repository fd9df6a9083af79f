//! `runner doctor`: pinned against installed toolchains, the tools the runner uses, and the
//! host; `--provision` installs the pinned toolchains first. It never builds or measures.

use super::{out, FAILED, OK, USAGE};
use crate::report::host::Host;
use crate::toolchain::{Pins, Toolchains};
use std::path::Path;

/// `runner doctor`.
pub fn doctor(root: &Path, provision: bool) -> i32 {
    let pins = match Pins::load(root) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}\n  run `runner doctor` from the repository root, or pass --root");
            return USAGE;
        }
    };
    let tc = Toolchains::new(root, pins);
    if provision {
        eprintln!(
            "provisioning pinned toolchains into {} …",
            root.join(".toolchains").display()
        );
        if let Err(e) = tc.provision() {
            eprintln!("error: {e}");
            return FAILED;
        }
    }
    let mut text = String::from("toolchains (pinned in toolchains.toml):\n");
    let mut all_ok = true;
    for s in tc.status() {
        let found = s
            .found
            .as_deref()
            .map(|f| f.lines().next().unwrap_or("").to_string())
            .unwrap_or_else(|| "missing".into());
        let mark = if s.ok { "ok " } else { "BAD" };
        text.push_str(&format!(
            "  [{mark}] {:<5} pinned {:<8} found: {found}\n",
            s.name,
            s.pinned.unwrap_or_default()
        ));
        if !s.ok {
            all_ok = false;
            if let Some(fix) = s.fix {
                text.push_str(&format!("         fix: {fix}\n"));
            }
        }
    }
    text.push_str("tools:\n");
    for (tool, why, fix) in [
        (
            "python3",
            "provisions Go and Zig from PyPI",
            "apt-get install python3 python3-venv",
        ),
        (
            "pkg-config",
            "checks C library requirements",
            "apt-get install pkg-config",
        ),
        (
            "git",
            "records the commit in reports",
            "apt-get install git",
        ),
        (
            "sed",
            "reference row of the log masker",
            "apt-get install sed",
        ),
        (
            "hyperfine",
            "optional: cross-checks the runner's timings",
            "apt-get install hyperfine",
        ),
        (
            "valgrind",
            "optional: instruction counts",
            "apt-get install valgrind",
        ),
    ] {
        let found = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("command -v {tool}"))
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false);
        let mark = if found { "ok " } else { "-- " };
        text.push_str(&format!(
            "  [{mark}] {tool:<10} {why}{}\n",
            if found {
                String::new()
            } else {
                format!(" (fix: {fix})")
            }
        ));
    }
    let h = Host::detect();
    text.push_str(&format!(
        "host: {} · {} cores · {} · governor {} · {}{}\n",
        h.cpu_model,
        h.cores,
        crate::units::bytes(h.memory_bytes as f64),
        h.governor,
        h.os,
        if h.virtualized {
            " · virtual machine"
        } else {
            ""
        }
    ));
    out(&text);
    if all_ok {
        OK
    } else {
        FAILED
    }
}
