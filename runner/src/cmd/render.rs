//! `runner render [--check]`: the status parts of the READMEs and the charts, regenerated from
//! the latest reports (see `crate::output::render`); `--check` writes nothing and prints a diff.

use super::args::RenderArgs;
use super::{out, print_load_errors, FAILED, OK, USAGE};

/// `runner render`: 0 written or up to date; 1 stale (with `--check`); 2 unreadable input.
pub fn render(args: &RenderArgs) -> i32 {
    let opts = crate::output::render::Options {
        manifests: args.manifests.clone(),
        charts: args
            .charts
            .clone()
            .unwrap_or_else(|| args.reports.join("charts")),
        reports: args.reports.clone(),
        readme: args.readme.clone(),
        readme_th: args.readme_th.clone(),
        templates: args.templates.clone(),
        check: args.check,
    };
    let outcome = match crate::output::render::run(&opts) {
        Ok(o) => o,
        Err(crate::output::render::RenderError::Manifests(bad)) => {
            print_load_errors(&bad);
            eprintln!("error: {} manifest(s) invalid: nothing rendered", bad.len());
            return USAGE;
        }
        Err(e) => {
            eprintln!("error: {e}");
            return USAGE;
        }
    };
    if args.check {
        let stale: Vec<_> = outcome.stale().collect();
        if stale.is_empty() {
            out(&format!("{} file(s) up to date\n", outcome.files.len()));
            return OK;
        }
        for f in &stale {
            match &f.diff {
                Some(d) => eprint!("{d}"),
                None => eprintln!("{}: stale", f.path.display()),
            }
        }
        eprintln!(
            "{} file(s) stale: {}\nrun: runner render",
            stale.len(),
            stale
                .iter()
                .map(|f| f.path.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
        return FAILED;
    }
    let mut text = String::new();
    for f in &outcome.files {
        let what = if f.changed { "updated" } else { "unchanged" };
        text.push_str(&format!("{what}: {}\n", f.path.display()));
    }
    out(&text);
    OK
}
