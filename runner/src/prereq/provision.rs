//! Installs what [`super::missing`] found lacking: Debian packages with `apt-get` (as root, or
//! through `sudo -n` when that needs no password), PyPI pins with the venv's `pip`. When it may
//! not install, it says the one command that would.
//!
//! It never decides what is needed (the declarations do) and never installs by other means.

use super::PypiPin;
use std::path::Path;
use std::process::{Command, Stdio};

/// How this process may install system packages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Privilege {
    /// Running as root: `apt-get` directly.
    Root,
    /// `sudo -n` works without a password.
    Sudo,
    /// Neither: print the command instead.
    None,
}

impl Privilege {
    /// What this process has.
    pub fn detect() -> Privilege {
        // SAFETY: geteuid has no preconditions and cannot fail.
        if unsafe { libc::geteuid() } == 0 {
            return Privilege::Root;
        }
        let sudo = Command::new("sudo")
            .args(["-n", "true"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if sudo {
            Privilege::Sudo
        } else {
            Privilege::None
        }
    }
}

/// Why an installation failed; `command` is what a person can run instead.
#[derive(Debug, thiserror::Error)]
#[error("cannot install {what}: {message}\n  run: {command}")]
pub struct ProvisionError {
    /// What was being installed.
    pub what: String,
    /// The tail of the installer's output.
    pub message: String,
    /// The command that installs it by hand.
    pub command: String,
}

/// The one command a person runs to install `packages` (sorted, each once).
pub fn apt_command(packages: &[String], privilege: Privilege) -> String {
    let sudo = if privilege == Privilege::Root {
        ""
    } else {
        "sudo "
    };
    format!(
        "{sudo}apt-get update && {sudo}apt-get install -y {}",
        packages.join(" ")
    )
}

/// The command that installs `pins` into the venv at `venv` (relative to the repository root).
pub fn pip_command(venv: &Path, pins: &[PypiPin]) -> String {
    let pins: Vec<String> = pins.iter().map(|p| p.to_string()).collect();
    format!(
        "python3 -m venv {v} && {v}/bin/pip install {}",
        pins.join(" "),
        v = venv.display()
    )
}

/// Installs Debian packages with apt-get (root) or `sudo -n apt-get`; refuses without either.
pub fn install_apt(packages: &[String], privilege: Privilege) -> Result<(), ProvisionError> {
    let fail = |message: String| ProvisionError {
        what: format!("the Debian packages {}", packages.join(" ")),
        message,
        command: apt_command(packages, Privilege::None),
    };
    let prefix: &[&str] = match privilege {
        Privilege::Root => &[],
        Privilege::Sudo => &["sudo", "-n"],
        Privilege::None => {
            return Err(fail(
                "not root, and sudo asks for a password (or is not installed)".into(),
            ))
        }
    };
    let apt = |args: &[&str]| {
        let mut argv: Vec<&str> = prefix.to_vec();
        argv.extend(["env", "DEBIAN_FRONTEND=noninteractive", "apt-get"]);
        argv.extend(args);
        let mut cmd = Command::new(argv[0]);
        cmd.args(&argv[1..]).stdin(Stdio::null());
        run(&mut cmd)
    };
    apt(&["update", "-q"]).map_err(fail)?;
    let mut install = vec!["install", "-y", "-q"];
    install.extend(packages.iter().map(String::as_str));
    apt(&install).map_err(fail)
}

/// Installs PyPI pins into the venv at `venv` (which must exist).
pub fn install_pypi(venv: &Path, pins: &[PypiPin]) -> Result<(), ProvisionError> {
    let mut cmd = Command::new(venv.join("bin").join("pip"));
    cmd.args(["install", "--quiet", "--disable-pip-version-check"])
        .args(pins.iter().map(|p| p.to_string()))
        .stdin(Stdio::null());
    run(&mut cmd).map_err(|message| ProvisionError {
        what: format!(
            "the PyPI packages {}",
            pins.iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
                .join(" ")
        ),
        message,
        command: pip_command(venv, pins),
    })
}

/// Runs a command to the end; on failure, the last lines of its output.
fn run(cmd: &mut Command) -> Result<(), String> {
    match cmd.output() {
        Ok(o) if o.status.success() => Ok(()),
        Ok(o) => {
            let mut text = String::from_utf8_lossy(&o.stdout).to_string();
            text.push_str(&String::from_utf8_lossy(&o.stderr));
            let tail: Vec<&str> = text.lines().rev().take(10).collect();
            Err(format!(
                "{} ({})",
                tail.into_iter().rev().collect::<Vec<_>>().join("\n"),
                o.status
            ))
        }
        Err(e) => Err(format!("{}: {e}", cmd.get_program().to_string_lossy())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_printed_commands_are_exact() {
        let pk = vec!["ffmpeg".to_string(), "valgrind".to_string()];
        assert_eq!(
            apt_command(&pk, Privilege::Root),
            "apt-get update && apt-get install -y ffmpeg valgrind"
        );
        assert_eq!(
            apt_command(&pk, Privilege::None),
            "sudo apt-get update && sudo apt-get install -y ffmpeg valgrind"
        );
        let pins = vec![PypiPin {
            name: "pyarrow".into(),
            version: "17.0.0".into(),
        }];
        assert_eq!(
            pip_command(Path::new(".toolchains/venv"), &pins),
            "python3 -m venv .toolchains/venv && .toolchains/venv/bin/pip install pyarrow==17.0.0"
        );
    }

    #[test]
    fn without_privilege_nothing_runs_and_the_error_gives_the_command() {
        let e = install_apt(&["nginx-light".into()], Privilege::None).unwrap_err();
        let text = e.to_string();
        assert!(text.contains("nginx-light"), "{text}");
        assert!(
            text.contains("run: sudo apt-get update && sudo apt-get install -y nginx-light"),
            "{text}"
        );
    }

    #[test]
    fn a_failing_installer_reports_its_output() {
        let d = tempfile::tempdir().unwrap();
        let e = install_pypi(d.path(), &[]).unwrap_err().to_string();
        assert!(e.contains("pip"), "{e}");
    }
}
