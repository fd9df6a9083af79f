//! Setting up this machine from the declarations, for `runner doctor --provision` and before a
//! bench: who needs what (the runner's `[requires]` in toolchains.toml, then each manifest's),
//! what is missing, and installing it in the order that works on a bare system — Debian
//! packages first (python3-venv among them), then the pinned Go and Zig from PyPI, then the PyPI
//! pins of Python oracles, all into `.toolchains/`.
//!
//! It decides nothing about projects (skipping is `measure`'s) and prints nothing: the caller
//! receives notes and the outcome.

use crate::manifest::Manifest;
use crate::prereq::declared::{undeclared, Undeclared};
use crate::prereq::probe::System;
use crate::prereq::provision::{self, Privilege};
use crate::prereq::{merged_pypi, survey, Missing, Owner, Requirements};
use crate::toolchain::{venv_python, Pins, Toolchains};

/// Every owner's requirements: the runner's first, then the manifests' in the order given.
pub fn declarations(
    pins: &Pins,
    manifests: &[Manifest],
) -> Result<Vec<(Owner, Requirements)>, String> {
    let runner = pins
        .requires
        .resolve()
        .map_err(|e| format!("toolchains.toml: {e}"))?;
    let mut owners = vec![(Owner::runner(), runner)];
    owners.extend(
        manifests
            .iter()
            .map(|m| (Owner::project(&m.id, &m.slug), m.requires.clone())),
    );
    Ok(owners)
}

/// Programs the manifests' commands start without declaring them, per project.
pub fn incomplete(
    owners: &[(Owner, Requirements)],
    manifests: &[Manifest],
) -> Vec<(Owner, Vec<Undeclared>)> {
    let all: Vec<(Owner, &Requirements)> = owners.iter().map(|(o, r)| (o.clone(), r)).collect();
    manifests
        .iter()
        .map(|m| (Owner::project(&m.id, &m.slug), undeclared(m, &all)))
        .filter(|(_, u)| !u.is_empty())
        .collect()
}

/// What is missing on this machine, per owner (owners lacking nothing are left out).
pub fn missing(owners: &[(Owner, Requirements)], tc: &Toolchains) -> Vec<(Owner, Vec<Missing>)> {
    let probe = System::new(&tc.env(), venv_python(tc.root()));
    survey(owners.iter().map(|(o, r)| (o.clone(), r)), &probe)
}

/// The Debian packages among `missing`, sorted, each once.
pub fn apt_packages(missing: &[(Owner, Vec<Missing>)]) -> Vec<String> {
    let mut pk: Vec<String> = missing
        .iter()
        .flat_map(|(_, m)| m.iter())
        .filter_map(|m| match m {
            Missing::Apt { package, .. } => Some(package.clone()),
            _ => None,
        })
        .collect();
    pk.sort();
    pk.dedup();
    pk
}

/// The one command a person runs to install every Debian package `missing` names.
pub fn apt_command(missing: &[(Owner, Vec<Missing>)], privilege: Privilege) -> Option<String> {
    let pk = apt_packages(missing);
    (!pk.is_empty()).then(|| provision::apt_command(&pk, privilege))
}

/// Installs what `owners` lack and this process may install: Debian packages when `privilege`
/// allows (else nothing at all, and the caller prints [`apt_command`]), Go and Zig when `toolchains`
/// (a bench that builds Go or Zig, or doctor), and the PyPI pins. `note` hears each step.
/// Returns what is still missing afterwards.
pub fn provision(
    owners: &[(Owner, Requirements)],
    tc: &Toolchains,
    privilege: Privilege,
    toolchains: bool,
    note: &mut dyn FnMut(String),
) -> Result<Vec<(Owner, Vec<Missing>)>, String> {
    let before = missing(owners, tc);
    let packages = apt_packages(&before);
    if !packages.is_empty() && privilege == Privilege::None {
        // Nothing else first: the caller stops with the one command (and python3-venv, which
        // the steps below need, may be among the packages).
        return Ok(before);
    }
    if !packages.is_empty() {
        note(format!(
            "installing Debian packages with apt-get: {}",
            packages.join(" ")
        ));
        provision::install_apt(&packages, privilege).map_err(|e| e.to_string())?;
    }
    if toolchains {
        let stale: Vec<String> = tc
            .status()
            .into_iter()
            .filter(|s| !s.ok && s.name != "rust")
            .map(|s| format!("{} {}", s.name, s.pinned.unwrap_or_default()))
            .collect();
        if !stale.is_empty() {
            note(format!(
                "installing {} from PyPI into .toolchains/",
                stale.join(", ")
            ));
            // Not fatal: a project whose toolchain is missing then fails with that reason.
            if let Err(e) = tc.provision() {
                note(format!("warning: {e}"));
            }
        }
    }
    let pins = merged_pypi(owners.iter().map(|(o, r)| (o.clone(), r)))?;
    let any_pins = !pins.is_empty();
    let after = missing(owners, tc);
    let wanted: Vec<_> = pins
        .into_iter()
        .filter(|p| {
            after.iter().any(|(_, m)| {
                m.iter()
                    .any(|x| matches!(x, Missing::Pypi { pin, .. } if pin == p))
            })
        })
        .collect();
    if !wanted.is_empty() {
        let list: Vec<String> = wanted.iter().map(|p| p.to_string()).collect();
        note(format!(
            "installing PyPI packages into .toolchains/venv: {}",
            list.join(" ")
        ));
        tc.ensure_venv().map_err(|e| e.to_string())?;
        provision::install_pypi(&tc.venv(), &wanted).map_err(|e| e.to_string())?;
        tc.link_venv_python().map_err(|e| e.to_string())?;
        return Ok(missing(owners, tc));
    }
    if any_pins {
        // Installed earlier (or by hand): python3 on PATH must still be the venv's.
        tc.link_venv_python().map_err(|e| e.to_string())?;
    }
    Ok(after)
}
