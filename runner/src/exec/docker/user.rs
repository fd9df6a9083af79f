//! The user the containers run as, and what it may read and write on this machine: the runner's
//! own uid and gid, or `nobody` (65534) when the runner runs as root; a check that the folders a
//! job's runs read are open to that user (a clone into `mktemp -d` is not); opening a job's
//! writable folder to it. Never changes the permissions of anything but a job's own folder.

use std::path::{Path, PathBuf};

/// The user the containers run as (`uid:gid`): the runner's own, or 65534 for a root runner.
pub(super) fn containers_user() -> String {
    // SAFETY: geteuid/getegid cannot fail.
    let (uid, gid) = unsafe { (libc::geteuid(), libc::getegid()) };
    if uid == 0 {
        "65534:65534".to_string()
    } else {
        format!("{uid}:{gid}")
    }
}

/// Checks that `user` (from [`containers_user`]) can read every existing folder of `read_only`;
/// the error names the folder that is closed and how to open it.
pub(super) fn check_readable(user: &str, read_only: &[PathBuf]) -> Result<(), String> {
    if !user.starts_with("65534:") {
        return Ok(());
    }
    for p in read_only {
        if let Some((dir, mode)) = p.exists().then(|| closed_to_others(p)).flatten() {
            return Err(format!(
                "{} is mode {mode:o}: the containers' user (uid 65534, as the runner runs as root) cannot read {}; make it readable (`chmod a+rx {}`) — a clone into `mktemp -d` is mode 700",
                dir.display(),
                p.display(),
                dir.display()
            ));
        }
    }
    Ok(())
}

/// Makes every folder under `dir` writable by the container's user (runs as a non-root user,
/// while the runner may be root and re-creates `{out}` before every run).
pub(super) fn open_up(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let _ = std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o777));
        if let Ok(rd) = std::fs::read_dir(&d) {
            for e in rd.flatten() {
                if e.file_type().is_ok_and(|t| t.is_dir()) {
                    stack.push(e.path());
                }
            }
        }
    }
}

/// The first folder on the way to `path` (or `path` itself) that a user who is neither its owner
/// nor in its group cannot enter (or, for `path`, list), with its mode.
fn closed_to_others(path: &Path) -> Option<(PathBuf, u32)> {
    use std::os::unix::fs::PermissionsExt;
    let mut ancestors: Vec<&Path> = path.ancestors().collect();
    ancestors.reverse();
    for a in ancestors {
        let mode = std::fs::metadata(a).ok()?.permissions().mode() & 0o7777;
        let need = if a == path { 0o005 } else { 0o001 };
        if mode & need != need {
            return Some((a.to_path_buf(), mode));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_closed_to_others_is_named_with_its_mode() {
        use std::os::unix::fs::PermissionsExt;
        let d = tempfile::tempdir().unwrap();
        let inner = d.path().join("a/b");
        std::fs::create_dir_all(&inner).unwrap();
        let set = |p: &Path, m: u32| {
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap()
        };
        set(d.path(), 0o755);
        set(&d.path().join("a"), 0o755);
        set(&inner, 0o755);
        assert_eq!(closed_to_others(&inner), None);
        set(&d.path().join("a"), 0o700);
        assert_eq!(closed_to_others(&inner), Some((d.path().join("a"), 0o700)));
        set(&d.path().join("a"), 0o711);
        assert_eq!(closed_to_others(&inner), None);
        set(&inner, 0o711);
        assert_eq!(closed_to_others(&inner), Some((inner.clone(), 0o711)));
    }
}
