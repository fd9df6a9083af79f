//! `runner matrix`: the CI benchmark matrix as JSON (the selection rule is `crate::matrix`).

use super::{out, print_load_errors, OK, USAGE};
use crate::manifest::{self, Manifest};
use std::path::{Path, PathBuf};

/// `runner matrix`: prints the CI matrix JSON; 2 when a manifest or the change list is
/// unreadable.
pub fn matrix(paths: &[PathBuf], changed_files: Option<&Path>) -> i32 {
    let (ok, bad) = manifest::load_all(paths);
    if !bad.is_empty() {
        print_load_errors(&bad);
        return USAGE;
    }
    let changed: Option<Vec<String>> = match changed_files {
        None => None,
        Some(f) => match std::fs::read_to_string(f) {
            Ok(text) => Some(text.lines().map(String::from).collect()),
            Err(e) => {
                eprintln!("error: --changed-files {}: {e}", f.display());
                return USAGE;
            }
        },
    };
    let root = ok
        .first()
        .map(|m| manifest::root_of(&m.path))
        .unwrap_or_default();
    let projects: Vec<(&Manifest, String)> = ok
        .iter()
        .map(|m| {
            let abs = std::fs::canonicalize(&m.path).unwrap_or_else(|_| m.path.clone());
            let rel = abs.strip_prefix(&root).unwrap_or(&m.path);
            (m, rel.to_string_lossy().replace('\\', "/"))
        })
        .collect();
    let m = crate::matrix::select(&projects, changed.as_deref());
    out(&format!(
        "{}\n",
        serde_json::to_string(&m).unwrap_or_default()
    ));
    OK
}
