//! System prerequisites, declared once: each manifest's `[requires]` (and the runner's own, in
//! `toolchains.toml`) names Debian packages with what each provides (executables, pkg-config
//! names, files, Python modules, so a machine can be checked without asking its package manager)
//! and pinned PyPI packages (installed into the runner's venv under `.toolchains/`).
//!
//! This module owns that model and the question "what is missing, for whom, and which package
//! brings it"; [`probe`] answers what this machine has, [`provision`] installs. It never decides
//! whether a project is skipped or a command fails: that belongs to its callers.

pub mod declared;
pub mod probe;
pub mod provision;

use std::collections::BTreeMap;
use std::fmt;

/// What one Debian (or Ubuntu) package provides; each item is checked on this machine.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AptPackage {
    /// The package name, e.g. `ffmpeg`.
    pub name: String,
    /// Programs it puts on PATH (`/usr/sbin` included), e.g. `ffprobe`.
    pub executables: Vec<String>,
    /// `pkg-config` names it installs, e.g. `libavformat`.
    pub pkg_config: Vec<String>,
    /// Absolute paths (`*` matches within one path component) of which one must exist.
    pub files: Vec<String>,
    /// Python modules `python3` must then import, e.g. `ensurepip`.
    pub python_modules: Vec<String>,
}

/// One pinned PyPI package for a Python oracle or reference.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct PypiPin {
    /// The distribution name, e.g. `pyarrow`.
    pub name: String,
    /// The exact version, e.g. `17.0.0`.
    pub version: String,
}

impl fmt::Display for PypiPin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}=={}", self.name, self.version)
    }
}

/// Everything one owner (a project, or the runner itself) needs from the machine.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Requirements {
    /// Programs on PATH that no declared package brings: the pinned toolchains (`go`, `zig`,
    /// `cargo`) and the base system (`sh`, `sed`).
    pub executables: Vec<String>,
    /// Debian packages.
    pub apt: Vec<AptPackage>,
    /// PyPI packages.
    pub pypi: Vec<PypiPin>,
}

impl Requirements {
    /// True when nothing is declared.
    pub fn is_empty(&self) -> bool {
        self.executables.is_empty() && self.apt.is_empty() && self.pypi.is_empty()
    }
}

/// Who needs a requirement: a project (`"3.2 vector-ingester"`) or `"the runner"`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Owner(pub String);

impl Owner {
    /// The runner's own needs (valgrind, pkg-config, python3-venv…).
    pub fn runner() -> Owner {
        Owner("the runner".into())
    }

    /// A project, as its id and slug.
    pub fn project(id: &str, slug: &str) -> Owner {
        Owner(format!("{id} {slug}"))
    }
}

impl fmt::Display for Owner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One thing the machine lacks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Missing {
    /// A Debian package, and which of the things it provides are absent.
    Apt {
        /// The package.
        package: String,
        /// What was looked for and not found, e.g. "executable `ffprobe`".
        absent: Vec<String>,
    },
    /// A PyPI package absent from the venv, or at another version.
    Pypi {
        /// The pin.
        pin: PypiPin,
        /// The version found, if any.
        found: Option<String>,
    },
    /// A program on PATH that no declared package provides.
    Executable {
        /// Its name.
        name: String,
    },
}

impl Missing {
    /// How to get it, in words a person can act on.
    pub fn fix(&self) -> String {
        match self {
            Missing::Apt { package, .. } => {
                format!("apt-get install {package} (`runner doctor --provision` does it)")
            }
            Missing::Pypi { pin, .. } => format!(
                "pip install {pin} into .toolchains/venv (`runner doctor --provision` does it)"
            ),
            Missing::Executable { name } => match name.as_str() {
                "go" | "zig" => "`runner doctor --provision` (pinned in toolchains.toml)".into(),
                "cargo" | "rustc" | "rustup" => "install Rust with rustup".into(),
                _ => format!("no declared package provides `{name}`: name the Debian package that ships it in the manifest's [requires.apt]"),
            },
        }
    }
}

impl fmt::Display for Missing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Missing::Apt { package, absent } => {
                write!(f, "Debian package `{package}` ({})", absent.join(", "))
            }
            Missing::Pypi { pin, found: None } => write!(f, "PyPI package `{pin}` (not installed)"),
            Missing::Pypi {
                pin,
                found: Some(v),
            } => write!(f, "PyPI package `{pin}` (found {v})"),
            Missing::Executable { name } => write!(f, "executable `{name}` (not on PATH)"),
        }
    }
}

/// What the machine can tell about itself; [`probe::System`] asks it for real, tests use a table.
pub trait Probe {
    /// Whether `name` is an executable file on PATH (or, containing `/`, at that path).
    fn executable(&self, name: &str) -> bool;
    /// Whether `pkg-config --exists name` succeeds.
    fn pkg_config(&self, name: &str) -> bool;
    /// Whether a file matching `pattern` exists.
    fn file(&self, pattern: &str) -> bool;
    /// Whether `python3 -c "import module"` succeeds.
    fn python_module(&self, module: &str) -> bool;
    /// The installed version of a PyPI distribution in the runner's venv.
    fn pypi_version(&self, name: &str) -> Option<String>;
}

/// What of `req` is missing on this machine, in declaration order.
pub fn missing(req: &Requirements, probe: &dyn Probe) -> Vec<Missing> {
    let mut out = Vec::new();
    for p in &req.apt {
        let mut absent = Vec::new();
        for e in &p.executables {
            if !probe.executable(e) {
                absent.push(format!("executable `{e}`"));
            }
        }
        for n in &p.pkg_config {
            if !probe.pkg_config(n) {
                absent.push(format!("pkg-config `{n}`"));
            }
        }
        if !p.files.is_empty() && !p.files.iter().any(|f| probe.file(f)) {
            absent.push(format!("file {}", p.files.join(" or ")));
        }
        for m in &p.python_modules {
            if !probe.python_module(m) {
                absent.push(format!("Python module `{m}`"));
            }
        }
        if !absent.is_empty() {
            out.push(Missing::Apt {
                package: p.name.clone(),
                absent,
            });
        }
    }
    for e in &req.executables {
        // A package declared above that provides it is already reported, with its name.
        let by_package = req.apt.iter().any(|p| p.executables.contains(e));
        if !by_package && !probe.executable(e) {
            out.push(Missing::Executable { name: e.clone() });
        }
    }
    for pin in &req.pypi {
        let found = probe.pypi_version(&pin.name);
        if found.as_deref() != Some(pin.version.as_str()) {
            out.push(Missing::Pypi {
                pin: pin.clone(),
                found,
            });
        }
    }
    out
}

/// The missing requirements of several owners: for each, what it lacks.
pub fn survey<'a>(
    owners: impl IntoIterator<Item = (Owner, &'a Requirements)>,
    probe: &dyn Probe,
) -> Vec<(Owner, Vec<Missing>)> {
    owners
        .into_iter()
        .map(|(o, r)| (o, missing(r, probe)))
        .filter(|(_, m)| !m.is_empty())
        .collect()
}

/// The PyPI pins of several owners merged, or the first conflict: one package pinned at two
/// versions (one venv serves every project).
pub fn merged_pypi<'a>(
    owners: impl IntoIterator<Item = (Owner, &'a Requirements)>,
) -> Result<Vec<PypiPin>, String> {
    let mut pins: BTreeMap<String, (String, Owner)> = BTreeMap::new();
    for (owner, req) in owners {
        for p in &req.pypi {
            match pins.get(&p.name) {
                Some((v, first)) if v != &p.version => {
                    return Err(format!(
                        "PyPI package `{}` is pinned at {v} by {first} and at {} by {owner}: one venv serves every project, pin one version",
                        p.name, p.version
                    ))
                }
                Some(_) => {}
                None => {
                    pins.insert(p.name.clone(), (p.version.clone(), owner.clone()));
                }
            }
        }
    }
    Ok(pins
        .into_iter()
        .map(|(name, (version, _))| PypiPin { name, version })
        .collect())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// A machine described by what it has.
    #[derive(Default)]
    pub(crate) struct Table {
        pub has: BTreeSet<String>,
        pub pypi: BTreeMap<String, String>,
    }

    impl Probe for Table {
        fn executable(&self, name: &str) -> bool {
            self.has.contains(&format!("exe:{name}"))
        }
        fn pkg_config(&self, name: &str) -> bool {
            self.has.contains(&format!("pc:{name}"))
        }
        fn file(&self, pattern: &str) -> bool {
            self.has.contains(&format!("file:{pattern}"))
        }
        fn python_module(&self, module: &str) -> bool {
            self.has.contains(&format!("py:{module}"))
        }
        fn pypi_version(&self, name: &str) -> Option<String> {
            self.pypi.get(name).cloned()
        }
    }

    fn ffmpeg() -> AptPackage {
        AptPackage {
            name: "ffmpeg".into(),
            executables: vec!["ffmpeg".into(), "ffprobe".into()],
            ..Default::default()
        }
    }

    #[test]
    fn a_package_is_missing_when_one_thing_it_provides_is() {
        let req = Requirements {
            executables: vec!["sh".into(), "ffprobe".into()],
            apt: vec![ffmpeg()],
            pypi: vec![],
        };
        let mut t = Table::default();
        t.has.insert("exe:sh".into());
        t.has.insert("exe:ffmpeg".into());
        let m = missing(&req, &t);
        // ffprobe is reported once, under the package that ships it.
        assert_eq!(
            m,
            vec![Missing::Apt {
                package: "ffmpeg".into(),
                absent: vec!["executable `ffprobe`".into()]
            }]
        );
        assert_eq!(
            m[0].to_string(),
            "Debian package `ffmpeg` (executable `ffprobe`)"
        );
        t.has.insert("exe:ffprobe".into());
        assert!(missing(&req, &t).is_empty());
    }

    #[test]
    fn files_are_alternatives_and_modules_and_pins_are_checked() {
        let req = Requirements {
            executables: vec!["go".into()],
            apt: vec![
                AptPackage {
                    name: "libclang-dev".into(),
                    files: vec!["/a/*.so".into(), "/b/*.so".into()],
                    ..Default::default()
                },
                AptPackage {
                    name: "python3-venv".into(),
                    python_modules: vec!["ensurepip".into()],
                    ..Default::default()
                },
            ],
            pypi: vec![PypiPin {
                name: "pyarrow".into(),
                version: "17.0.0".into(),
            }],
        };
        let mut t = Table::default();
        t.has.insert("file:/b/*.so".into());
        t.pypi.insert("pyarrow".into(), "16.1.0".into());
        let m = missing(&req, &t);
        let text: Vec<String> = m.iter().map(|m| m.to_string()).collect();
        assert_eq!(
            text,
            [
                "Debian package `python3-venv` (Python module `ensurepip`)",
                "executable `go` (not on PATH)",
                "PyPI package `pyarrow==17.0.0` (found 16.1.0)",
            ]
        );
        assert!(m[1].fix().contains("runner doctor --provision"));
    }

    #[test]
    fn survey_names_each_owner_and_skips_the_satisfied() {
        let a = Requirements {
            apt: vec![ffmpeg()],
            ..Default::default()
        };
        let b = Requirements {
            executables: vec!["sh".into()],
            ..Default::default()
        };
        let mut t = Table::default();
        t.has.insert("exe:sh".into());
        let s = survey(
            [
                (Owner::project("1.1", "video-frame-extractor"), &a),
                (Owner::runner(), &b),
            ],
            &t,
        );
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].0.to_string(), "1.1 video-frame-extractor");
    }

    #[test]
    fn two_pins_of_one_package_conflict() {
        let pin = |v: &str| Requirements {
            pypi: vec![PypiPin {
                name: "duckdb".into(),
                version: v.into(),
            }],
            ..Default::default()
        };
        let (a, b, c) = (pin("1.0.0"), pin("1.0.0"), pin("1.1.0"));
        let ok = merged_pypi([(Owner::runner(), &a), (Owner::project("8.1", "x"), &b)]).unwrap();
        assert_eq!(ok.len(), 1);
        let e = merged_pypi([
            (Owner::project("8.1", "x"), &a),
            (Owner::project("8.2", "y"), &c),
        ])
        .unwrap_err();
        assert!(
            e.contains("8.1 x") && e.contains("8.2 y") && e.contains("1.1.0"),
            "{e}"
        );
    }
}
