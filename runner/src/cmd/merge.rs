//! `runner merge`: the reports of CI shards merged into one (see `crate::merge`).

use super::{OK, USAGE};
use std::path::{Path, PathBuf};

/// `runner merge`: 0 merged; 2 unreadable reports or mixed schema versions / modes.
pub fn merge(reports: &[PathBuf], out_dir: &Path, argv: Vec<String>) -> i32 {
    match crate::report::merge::run(reports, out_dir, argv) {
        Ok((path, latest)) => {
            eprintln!(
                "merged {} report(s) into {}; latest views: {}",
                reports.len(),
                path.display(),
                if latest.is_empty() {
                    "none".to_string()
                } else {
                    latest.join(", ")
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
