//! `runner doctor`: the pinned toolchains against what is installed, then what the runner and
//! each project need from the machine (the `[requires]` of toolchains.toml and of the manifests)
//! and lack, naming the project and the package, and every program a manifest starts without
//! declaring it; `--provision` installs what is missing first (through `setup`). It never builds
//! or measures.

use super::{out, print_load_errors, FAILED, OK, USAGE};
use crate::manifest;
use crate::prereq::Missing;
use crate::report::host::Host;
use crate::toolchain::{Pins, Toolchains};
use std::path::{Path, PathBuf};

/// `runner doctor`: the pinned toolchains, then what the runner and each project need from the
/// machine (their `[requires]`) and lack, naming the project and the package; with
/// `--provision`, installs it first (Debian packages as root or through `sudo -n`, else the
/// command to run is printed). Exit 1 while anything is missing.
pub fn doctor(root: &Path, provision: bool, manifests: &[PathBuf]) -> i32 {
    let pins = match Pins::load(root) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}\n  run `runner doctor` from the repository root, or pass --root");
            return USAGE;
        }
    };
    let paths: Vec<PathBuf> = if manifests.is_empty() {
        let mut v: Vec<PathBuf> = std::fs::read_dir(root.join("manifests"))
            .map(|d| {
                d.flatten()
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    } else {
        manifests.to_vec()
    };
    let (loaded, bad) = manifest::load_all(&paths);
    print_load_errors(&bad);
    let tc = Toolchains::new(root, pins.clone());
    let owners = match crate::setup::declarations(&pins, &loaded) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}");
            return USAGE;
        }
    };
    let privilege = crate::prereq::provision::Privilege::detect();
    let mut failed = !bad.is_empty();
    if provision {
        eprintln!(
            "provisioning what toolchains.toml and {} manifest(s) declare, into {} and the system …",
            loaded.len(),
            root.join(".toolchains").display()
        );
        let mut note = |n: String| eprintln!("  {n}");
        if let Err(e) = crate::setup::provision(&owners, &tc, privilege, true, &mut note) {
            eprintln!("error: {e}");
            failed = true;
        }
    }
    let mut text = String::from("toolchains (pinned in toolchains.toml):\n");
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
            failed = true;
            if let Some(fix) = s.fix {
                text.push_str(&format!("         fix: {fix}\n"));
            }
        }
    }
    text.push_str("prerequisites ([requires] of toolchains.toml and of each manifest):\n");
    // The pinned toolchains are reported above, with their fix.
    let missing: Vec<_> = crate::setup::missing(&owners, &tc)
        .into_iter()
        .map(|(o, m)| {
            let m: Vec<Missing> = m
                .into_iter()
                .filter(
                    |m| !matches!(m, Missing::Executable { name } if name == "go" || name == "zig"),
                )
                .collect();
            (o, m)
        })
        .filter(|(_, m)| !m.is_empty())
        .collect();
    let incomplete = crate::setup::incomplete(&owners, &loaded);
    for (owner, req) in &owners {
        let lacks = missing.iter().find(|(o, _)| o == owner).map(|(_, m)| m);
        let undeclared = incomplete.iter().find(|(o, _)| o == owner).map(|(_, u)| u);
        if lacks.is_none() && undeclared.is_none() {
            let n = req.apt.len() + req.pypi.len();
            if n > 0 {
                text.push_str(&format!("  [ok ] {owner} ({n} package(s))\n"));
            }
            continue;
        }
        failed = true;
        for m in lacks.into_iter().flatten() {
            match m {
                // One install command for all of them follows.
                Missing::Apt { .. } => text.push_str(&format!("  [BAD] {owner} lacks {m}\n")),
                _ => text.push_str(&format!(
                    "  [BAD] {owner} lacks {m}\n         fix: {}\n",
                    m.fix()
                )),
            }
        }
        for u in undeclared.into_iter().flatten() {
            text.push_str(&format!("  [BAD] {owner}: {u}\n"));
        }
    }
    let quiet = owners
        .iter()
        .filter(|(o, r)| {
            *o != crate::prereq::Owner::runner()
                && r.apt.is_empty()
                && r.pypi.is_empty()
                && !missing.iter().any(|(m, _)| m == o)
                && !incomplete.iter().any(|(m, _)| m == o)
        })
        .count();
    if quiet > 0 {
        text.push_str(&format!("  [ok ] {quiet} other project(s) need nothing beyond the toolchains and the base system\n"));
    }
    if let Some(cmd) = crate::setup::apt_command(&missing, privilege) {
        text.push_str(&format!(
            "to install the missing Debian packages: {cmd}\n  (`runner doctor --provision` runs it when root or when sudo needs no password)\n"
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
    if failed {
        FAILED
    } else {
        OK
    }
}
