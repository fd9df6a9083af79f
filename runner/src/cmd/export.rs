//! `runner export`: a stored report written in other tools' formats (see `crate::export`).

use super::args::ExportArgs;
use super::{OK, USAGE};
use crate::report::store;

/// `runner export`: 0 written; 2 unreadable report, nothing asked for, or a file not writable.
pub fn export(args: &ExportArgs) -> i32 {
    let targets = crate::export::Targets {
        hyperfine: args.hyperfine.clone(),
        bmf: args.bmf.clone(),
        gab: args.gab.clone(),
        csv: args.csv.clone(),
        markdown: args.markdown.clone(),
    };
    if targets.is_empty() {
        eprintln!("error: nothing to export: give at least one of --hyperfine, --bmf, --gab, --csv, --markdown FILE");
        return USAGE;
    }
    let report = match store::read_report(&args.report) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return USAGE;
        }
    };
    match crate::export::write_all(&report, &targets) {
        Ok(paths) => {
            for p in paths {
                eprintln!("wrote {}", p.display());
            }
            OK
        }
        Err(e) => {
            eprintln!("error: {e}");
            USAGE
        }
    }
}
