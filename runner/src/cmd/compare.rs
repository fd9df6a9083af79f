//! `runner compare`: two reports side by side, per project, language and metric (the rows and
//! their verdicts come from `crate::report::diff`; this file reads the reports and prints).

use super::args::CompareArgs;
use super::{out, FAILED, OK, USAGE};
use crate::report::store;
use std::path::Path;

/// `runner compare`: 0 compared; 1 a significant regression with `--fail-on-regression`;
/// 2 an unreadable report or reports of different schema versions.
pub fn compare(args: &CompareArgs) -> i32 {
    if let Some(min) = args.min_effect.filter(|m| !(*m >= 0.0 && m.is_finite())) {
        eprintln!("error: --min-effect {min}: use a fraction ≥ 0, e.g. 0.02 for 2%");
        return USAGE;
    }
    let read = |path: &Path| {
        store::read_report(path).map_err(|e| {
            eprintln!("error: {e}");
        })
    };
    let (Ok(baseline), Ok(current)) = (read(&args.baseline), read(&args.current)) else {
        return USAGE;
    };
    let rows = crate::report::diff::rows(&baseline, &current, args.min_effect);
    let conditions = crate::report::diff::conditions(&baseline, &current);
    out(&if args.markdown {
        crate::report::diff::markdown(&rows, &conditions, args.min_effect)
    } else {
        crate::report::diff::terminal(&rows, &conditions, args.min_effect)
    });
    if args.fail_on_regression && crate::report::diff::has_regression(&rows) {
        FAILED
    } else {
        OK
    }
}
