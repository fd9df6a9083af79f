//! Asks this machine what it has: programs on the PATH the runner gives every command, pkg-config
//! names, files by a simple pattern, Python modules, and PyPI versions in the runner's venv.
//!
//! Read-only: it runs `pkg-config --exists` and `python3 -c` and lists folders, never installs.

use super::Probe;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The real machine, seen through the PATH of the runner's environment.
#[derive(Debug, Clone)]
pub struct System {
    path: String,
    venv_python: PathBuf,
}

impl System {
    /// `env` is the environment the runner gives builds and runs (its PATH is searched);
    /// `venv_python` the Python of the runner's venv (`.toolchains/venv/bin/python3`).
    pub fn new(env: &[(String, String)], venv_python: PathBuf) -> System {
        let path = env
            .iter()
            .find(|(k, _)| k == "PATH")
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| std::env::var("PATH").unwrap_or_default());
        System { path, venv_python }
    }

    fn quiet(cmd: &mut Command) -> bool {
        cmd.stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

impl Probe for System {
    fn executable(&self, name: &str) -> bool {
        if name.contains('/') {
            return is_executable(Path::new(name));
        }
        self.path
            .split(':')
            .filter(|d| !d.is_empty())
            .any(|d| is_executable(&Path::new(d).join(name)))
    }

    fn pkg_config(&self, name: &str) -> bool {
        Self::quiet(Command::new("pkg-config").args(["--exists", name]))
    }

    fn file(&self, pattern: &str) -> bool {
        matches_any(pattern)
    }

    fn python_module(&self, module: &str) -> bool {
        Self::quiet(Command::new("python3").args(["-c", &format!("import {module}")]))
    }

    fn pypi_version(&self, name: &str) -> Option<String> {
        let out = Command::new(&self.venv_python)
            .args([
                "-c",
                "import importlib.metadata as m, sys; print(m.version(sys.argv[1]))",
                name,
            ])
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    }
}

/// Whether a file matches `pattern`: an absolute path whose components may hold `*` (any run of
/// characters within that component), e.g. `/usr/lib/llvm-*/lib/libclang.so*`.
pub fn matches_any(pattern: &str) -> bool {
    let parts: Vec<&str> = pattern.split('/').filter(|c| !c.is_empty()).collect();
    walk(Path::new("/"), &parts)
}

fn walk(dir: &Path, parts: &[&str]) -> bool {
    let Some((first, rest)) = parts.split_first() else {
        return dir.exists();
    };
    if !first.contains('*') {
        return walk(&dir.join(first), rest);
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries.flatten().any(|e| {
        let name = e.file_name();
        wildcard(first, &name.to_string_lossy()) && walk(&dir.join(&name), rest)
    })
}

/// `*` matches any run of characters; everything else matches itself.
fn wildcard(pattern: &str, text: &str) -> bool {
    let pieces: Vec<&str> = pattern.split('*').collect();
    let (first, last) = (pieces[0], pieces[pieces.len() - 1]);
    if pieces.len() == 1 {
        return pattern == text;
    }
    if !text.starts_with(first) || text.len() < first.len() + last.len() {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    if !text.ends_with(last) {
        return false;
    }
    for piece in &pieces[1..pieces.len() - 1] {
        match rest.find(piece) {
            Some(i) => rest = &rest[i + piece.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_within_one_component() {
        for (p, t, want) in [
            ("libclang.so*", "libclang.so.14", true),
            ("libclang.so*", "libclang.so", true),
            ("libclang-*.so*", "libclang-14.so.1", true),
            ("libclang-*.so*", "libclang.so.1", false),
            ("llvm-*", "llvm-14", true),
            ("a*b*c", "abc", true),
            ("a*b*c", "acb", false),
            ("exact", "exact", true),
            ("exact", "exactly", false),
        ] {
            assert_eq!(wildcard(p, t), want, "{p} vs {t}");
        }
    }

    #[test]
    fn files_and_executables_are_found_on_disk() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("llvm-14/lib")).unwrap();
        std::fs::write(d.path().join("llvm-14/lib/libclang.so.1"), "").unwrap();
        let base = d.path().display();
        assert!(matches_any(&format!("{base}/llvm-*/lib/libclang.so*")));
        assert!(!matches_any(&format!("{base}/llvm-*/lib/libnothing*")));

        let bin = d.path().join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        let tool = bin.join("tool");
        std::fs::write(&tool, "#!/bin/sh\n").unwrap();
        let sys = System::new(
            &[("PATH".into(), format!("/nonexistent:{}", bin.display()))],
            PathBuf::from("/nonexistent/python3"),
        );
        assert!(!sys.executable("tool"), "not executable yet");
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&tool, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert!(sys.executable("tool"));
        assert!(sys.executable(&tool.display().to_string()));
        assert!(!sys.executable("no-such-tool"));
        assert_eq!(sys.pypi_version("anything"), None, "no venv, no version");
    }
}
