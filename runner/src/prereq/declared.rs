//! Where requirements are declared and whether the declarations are complete: the runner's own
//! `[requires]` in `toolchains.toml` (the same format as a manifest's, read without spans), and
//! the programs a manifest's commands start that its `[requires]` does not declare.
//!
//! A manifest's `[requires]` is validated with spans by `manifest::validate`; this file only
//! reads the runner's, and compares commands with declarations. It never probes the machine.

use super::{AptPackage, Owner, PypiPin, Requirements};
use crate::manifest::{Check, FixtureKind, InputDef, LangDef, Manifest};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `[requires]` as `toolchains.toml` writes it: what the runner itself needs.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RawRequirements {
    /// Programs no declared package brings.
    #[serde(default)]
    pub executables: Vec<String>,
    /// Debian packages by name: what each provides.
    #[serde(default)]
    pub apt: BTreeMap<String, RawProvides>,
    /// PyPI packages by name: the exact version.
    #[serde(default)]
    pub pypi: BTreeMap<String, String>,
}

/// What one package provides (see [`AptPackage`]).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RawProvides {
    /// Programs on PATH.
    #[serde(default)]
    pub executables: Vec<String>,
    /// pkg-config names.
    #[serde(default)]
    pub pkg_config: Vec<String>,
    /// Absolute path patterns, one of which must exist.
    #[serde(default)]
    pub files: Vec<String>,
    /// Importable Python modules.
    #[serde(default)]
    pub python_modules: Vec<String>,
}

impl RawRequirements {
    /// The typed requirements, or what is wrong (a package that provides nothing to check).
    pub fn resolve(&self) -> Result<Requirements, String> {
        let mut apt = Vec::new();
        for (name, p) in &self.apt {
            let n =
                p.executables.len() + p.pkg_config.len() + p.files.len() + p.python_modules.len();
            if n == 0 {
                return Err(format!(
                    "[requires.apt] {name}: lists nothing the runner can check (executables, pkg_config, files or python_modules)"
                ));
            }
            apt.push(AptPackage {
                name: name.clone(),
                executables: p.executables.clone(),
                pkg_config: p.pkg_config.clone(),
                files: p.files.clone(),
                python_modules: p.python_modules.clone(),
            });
        }
        Ok(Requirements {
            executables: self.executables.clone(),
            apt,
            pypi: self
                .pypi
                .iter()
                .map(|(name, version)| PypiPin {
                    name: name.clone(),
                    version: version.clone(),
                })
                .collect(),
        })
    }
}

/// A program a command starts that the manifest's `[requires]` does not declare.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Undeclared {
    /// The program, e.g. `ffmpeg`.
    pub program: String,
    /// Which command starts it, e.g. "the generate command of input `video`".
    pub used_by: String,
    /// Debian packages another owner declares that provide it, with that owner.
    pub known: Vec<(String, Owner)>,
}

impl std::fmt::Display for Undeclared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "`{}` ({}) is not declared in [requires]",
            self.program, self.used_by
        )?;
        match self.known.first() {
            Some((pkg, owner)) => write!(
                f,
                "; Debian package `{pkg}` provides it ({owner} declares it): add [requires.apt] {pkg} = {{ executables = [\"{}\"] }}",
                self.program
            ),
            None => write!(
                f,
                "; add the Debian package that ships it under [requires.apt], or list it in `executables` when the base system or a pinned toolchain brings it"
            ),
        }
    }
}

/// The commands of `m` that start a program by name, with what each is.
fn commands(m: &Manifest) -> Vec<(String, &[String])> {
    let mut out: Vec<(String, &[String])> = Vec::new();
    for (lang, def) in &m.langs {
        if let LangDef::Impl(i) = def {
            out.push((format!("the build command of {lang}"), &i.build));
            out.push((format!("the run command of {lang}"), &i.run));
            if let Some(t) = &i.test {
                out.push((format!("the test command of {lang}"), t));
            }
        }
    }
    for (name, input) in &m.inputs {
        if let InputDef::Generated {
            prepare, generate, ..
        } = input
        {
            out.push((format!("the generate command of input `{name}`"), generate));
            if let Some(p) = prepare {
                out.push((format!("the prepare command of input `{name}`"), p));
            }
        }
    }
    for r in &m.references {
        out.push((format!("reference `{}`", r.name), &r.run));
    }
    for (i, c) in m.checks.iter().enumerate() {
        if let Check::Command(argv) = c {
            out.push((format!("the command of [[verify]] check {}", i + 1), argv));
        }
    }
    for f in &m.fixtures {
        if let FixtureKind::Command { run, .. } = &f.kind {
            out.push((format!("fixture `{}`", f.name), run));
        }
    }
    out
}

/// Programs that `m`'s commands start by name (not a path, not a placeholder) and that its
/// `[requires]` does not declare. `others` are every owner's declarations, to name the package
/// that provides a program when someone else declares it.
pub fn undeclared(m: &Manifest, others: &[(Owner, &Requirements)]) -> Vec<Undeclared> {
    let declared = |p: &str| {
        m.requires.executables.iter().any(|e| e == p)
            || m.requires
                .apt
                .iter()
                .any(|a| a.executables.iter().any(|e| e == p))
    };
    let mut out: Vec<Undeclared> = Vec::new();
    for (used_by, argv) in commands(m) {
        let Some(program) = argv.first() else {
            continue;
        };
        if program.contains('/') || program.contains('{') || declared(program) {
            continue;
        }
        if out.iter().any(|u| &u.program == program) {
            continue;
        }
        let known = others
            .iter()
            .flat_map(|(o, r)| {
                r.apt
                    .iter()
                    .filter(|a| a.executables.contains(program))
                    .map(move |a| (a.name.clone(), o.clone()))
            })
            .collect();
        out.push(Undeclared {
            program: program.clone(),
            used_by,
            known,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_runners_declaration_reads_and_an_empty_package_is_refused() {
        let raw: RawRequirements = toml::from_str(
            "executables = [\"git\"]\n[apt]\nvalgrind = { executables = [\"valgrind\"] }\n[pypi]\nduckdb = \"1.1.3\"\n",
        )
        .unwrap();
        let r = raw.resolve().unwrap();
        assert_eq!(r.apt[0].name, "valgrind");
        assert_eq!(r.pypi[0].to_string(), "duckdb==1.1.3");
        let empty: RawRequirements = toml::from_str("[apt]\nnothing = {}\n").unwrap();
        assert!(empty.resolve().unwrap_err().contains("nothing"));
        assert!(toml::from_str::<RawRequirements>("[apt]\nx = { exe = [] }\n").is_err());
    }
}
