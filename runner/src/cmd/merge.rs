//! `runner merge`: the reports of CI shards merged into one (see `crate::merge`).

use super::{OK, USAGE};
use std::path::{Path, PathBuf};

/// `runner merge`: 0 merged; 2 unreadable reports or mixed schema versions / modes.
pub fn merge(reports: &[PathBuf], out_dir: &Path, accept_noisy: bool, argv: Vec<String>) -> i32 {
    match crate::report::merge::run(reports, out_dir, argv, accept_noisy) {
        Ok(w) => {
            for (slug, why) in &w.held {
                eprintln!("warning: {slug}: not promoted to latest/: {why}\n  re-run it on a quiet machine, or merge with --accept-noisy to publish it marked noisy");
            }
            eprintln!(
                "merged {} report(s) into {}; latest views: {}",
                reports.len(),
                w.path.display(),
                if w.latest.is_empty() {
                    "none".to_string()
                } else {
                    w.latest.join(", ")
                }
            );
            OK
        }
        Err(e) => {
            eprintln!("error: {e}");
            USAGE
        }
    }
}
