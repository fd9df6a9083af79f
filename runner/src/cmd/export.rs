//! `runner export`: a stored report written in other tools' formats (see `crate::output::export`).

use super::args::ExportArgs;
use super::{OK, USAGE};
use crate::report::store;

/// `runner export`: 0 written; 2 unreadable report, nothing asked for, a file not writable, or a
/// format with nothing to hold (the other formats are still written).
pub fn export(args: &ExportArgs) -> i32 {
    let targets = crate::output::export::Targets {
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
    let done = crate::output::export::write_all(&report, &targets);
    for p in &done.paths {
        eprintln!("wrote {}", p.display());
    }
    for w in &done.warnings {
        eprintln!("warning: {w}");
    }
    for e in &done.errors {
        eprintln!("error: {e}");
    }
    if done.errors.is_empty() {
        OK
    } else {
        USAGE
    }
}
