//! `runner check`: validates manifests and prints every problem with its snippet.

use super::{out, print_load_errors, FAILED, OK};
use crate::manifest::{self, LoadError};
use std::path::PathBuf;

/// `runner check`.
pub fn check(paths: &[PathBuf]) -> i32 {
    let (ok, bad) = manifest::load_all(paths);
    print_load_errors(&bad);
    let problems: usize = bad
        .iter()
        .map(|e| match e {
            LoadError::Invalid { errors, .. } => errors.len(),
            LoadError::Read { .. } => 1,
        })
        .sum();
    if bad.is_empty() {
        out(&format!("{} manifest(s) OK\n", ok.len()));
        OK
    } else {
        eprintln!(
            "{} of {} manifest(s) invalid, {problems} problem(s) in all",
            bad.len(),
            paths.len()
        );
        FAILED
    }
}
