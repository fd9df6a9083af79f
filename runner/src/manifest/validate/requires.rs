//! Requirements (docs/manifest.md, "`[requires]`"): executables on PATH that no package brings,
//! Debian packages with what each provides, and pinned PyPI packages — the one declaration that
//! `runner doctor` checks and `runner doctor --provision` installs.
//!
//! Checked here: the names are well-formed, every package provides something that can be
//! checked, a program is declared once (by its package, not also in `executables`), and a PyPI
//! version is exact. Never looked for on the machine: that happens before a project runs.

use super::Validator;
use crate::manifest::schema::RawManifest;
use crate::prereq::{AptPackage, PypiPin, Requirements};
use toml::Spanned;

/// A Debian package name: lower-case letters, digits, `+`, `-`, `.`; at least two characters,
/// starting with a letter or digit (Debian Policy 5.6.1).
fn debian_name(s: &str) -> bool {
    s.len() >= 2
        && s.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "+-.".contains(c))
}

/// A PyPI project name (PEP 508): letters, digits, `.`, `_`, `-`, starting and ending with a
/// letter or digit.
fn pypi_name(s: &str) -> bool {
    let alnum = |c: char| c.is_ascii_alphanumeric();
    s.starts_with(alnum) && s.ends_with(alnum) && s.chars().all(|c| alnum(c) || "._-".contains(c))
}

/// An exact version (PEP 440 public version, loosely): starts with a digit, then digits,
/// letters, `.`, `+`, `!`, `-`; no comparison operator, no wildcard.
fn exact_version(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_digit())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || ".+!-".contains(c))
}

fn strings(list: &[Spanned<String>]) -> Vec<String> {
    list.iter().map(|s| s.get_ref().clone()).collect()
}

/// Checks `[requires]`; returns what the project needs.
pub(super) fn validate(v: &mut Validator<'_>, raw: &RawManifest) -> Requirements {
    let r = &raw.requires;
    for p in &r.pkg_config {
        v.err(
            p.span(),
            format!("pkg-config name `{}` without the package that brings it", p.get_ref()),
            "which package?",
            format!(
                "move it under its Debian package: [requires.apt.lib…-dev] pkg_config = [\"{}\"], so that `runner doctor` can install it",
                p.get_ref()
            ),
        );
    }
    let mut apt = Vec::new();
    for (name, pkg) in &r.apt {
        let p = pkg.get_ref();
        if !debian_name(name) {
            v.err(
                pkg.span(),
                format!("`{name}` is not a Debian package name"),
                "for this package",
                "use the name `apt-get install` takes: lower-case letters, digits, `+`, `-`, `.` (e.g. libavformat-dev)",
            );
        }
        let provides =
            p.executables.len() + p.pkg_config.len() + p.files.len() + p.python_modules.len();
        if provides == 0 {
            v.err(
                pkg.span(),
                format!("package `{name}` provides nothing the runner can check"),
                "empty",
                "list what it brings: executables = [\"…\"], pkg_config = [\"…\"], files = [\"/usr/lib/…\"] or python_modules = [\"…\"]",
            );
        }
        for f in &p.files {
            if !f.get_ref().starts_with('/') {
                v.err(
                    f.span(),
                    format!("file `{}` of package `{name}` is not an absolute path", f.get_ref()),
                    "not absolute",
                    "write the path the package installs, e.g. \"/usr/lib/llvm-*/lib/libclang.so*\" (`*` matches within one folder name)",
                );
            }
        }
        for e in &p.executables {
            if e.get_ref().contains('/') {
                v.err(
                    e.span(),
                    format!("executable `{}` of package `{name}` is a path", e.get_ref()),
                    "a name, not a path",
                    "give the program's name; the runner looks on PATH, /usr/sbin and /sbin included",
                );
            }
        }
        apt.push(AptPackage {
            name: name.clone(),
            executables: strings(&p.executables),
            pkg_config: strings(&p.pkg_config),
            files: strings(&p.files),
            python_modules: strings(&p.python_modules),
        });
    }
    for e in &r.executables {
        if let Some(p) = apt.iter().find(|p| p.executables.contains(e.get_ref())) {
            v.err(
                e.span(),
                format!(
                    "`{}` is declared twice: package `{}` provides it",
                    e.get_ref(),
                    p.name
                ),
                "also under [requires.apt]",
                "remove it here: `executables` lists only programs no declared package brings (pinned toolchains, the base system)",
            );
        }
    }
    let mut pypi = Vec::new();
    for (name, version) in &r.pypi {
        if !pypi_name(name) {
            v.err(
                version.span(),
                format!("`{name}` is not a PyPI project name"),
                "for this package",
                "use the name `pip install` takes, e.g. pyarrow",
            );
        }
        if !exact_version(version.get_ref()) {
            v.err(
                version.span(),
                format!(
                    "PyPI package `{name}` must be pinned to one version, not `{}`",
                    version.get_ref()
                ),
                "not an exact version",
                format!("write the version alone, e.g. {name} = \"1.2.3\": the same version on every machine"),
            );
        }
        pypi.push(PypiPin {
            name: name.clone(),
            version: version.get_ref().clone(),
        });
    }
    Requirements {
        executables: strings(&r.executables),
        apt,
        pypi,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_versions() {
        for (s, ok) in [
            ("libavformat-dev", true),
            ("g++", true),
            ("nginx-light", true),
            ("FFmpeg", false),
            ("x", false),
            ("-dev", false),
            ("lib_av", false),
        ] {
            assert_eq!(debian_name(s), ok, "{s}");
        }
        for (s, ok) in [
            ("pyarrow", true),
            ("sqlite-vec", true),
            ("a_b.c", true),
            ("-x", false),
            ("x y", false),
        ] {
            assert_eq!(pypi_name(s), ok, "{s}");
        }
        for (s, ok) in [
            ("17.0.0", true),
            ("1.0.0rc1", true),
            (">=1.0", false),
            ("1.*", false),
            ("", false),
        ] {
            assert_eq!(exact_version(s), ok, "{s}");
        }
    }
}
