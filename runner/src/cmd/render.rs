//! `runner render [--check]`: the status parts of the READMEs and the charts, regenerated from
//! the latest reports (see `crate::output::render`); `--check` writes nothing and prints a diff,
//! and also fails on a latest report with reduced sampling that the allowance file does not list.

use super::args::RenderArgs;
use super::{out, print_load_errors, FAILED, OK, USAGE};
use crate::output::render::reduced::{Judgement, Reduced, ALLOW_FILE};
use std::path::Path;

/// `runner render`: 0 written or up to date; 1 stale, or reduced sampling not allowed (with
/// `--check`); 2 unreadable input.
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
    let reduced_ok = say_reduced(&outcome.reduced, &args.reports, args.check);
    if args.check {
        let stale: Vec<_> = outcome.stale().collect();
        if stale.is_empty() {
            out(&format!("{} file(s) up to date\n", outcome.files.len()));
            return if reduced_ok { OK } else { FAILED };
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

/// Says which latest reports have reduced sampling: as errors when the allowance file does not
/// list them (`check`) or warnings (rendering), as notes when it does, and names the allowance's
/// stale lines. False when some are not allowed.
fn say_reduced(j: &Judgement, reports: &Path, check: bool) -> bool {
    let allow = reports.join(ALLOW_FILE);
    let list = |v: &[Reduced]| {
        v.iter()
            .map(|r| {
                format!(
                    "  {} {}: {} run(s), the manifest asks for {}",
                    r.id, r.slug, r.least, r.asked
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    if !j.failing.is_empty() {
        let what = if check { "error" } else { "warning" };
        eprintln!(
            "{what}: {} latest report(s) measured with fewer runs than their manifest asks of a published number:\n{}\n  measure them again without --runs (`runner bench --only ID manifests/*.toml`), or declare [sampling] published_runs in the manifest when fewer runs are the project's published setting",
            j.failing.len(),
            list(&j.failing)
        );
    }
    if !j.allowed.is_empty() {
        eprintln!(
            "note: {} latest report(s) with reduced sampling pass only because {} lists them:\n{}\n  measure them again and remove their lines",
            j.allowed.len(),
            allow.display(),
            list(&j.allowed)
        );
    }
    if !j.stale.is_empty() {
        eprintln!(
            "note: {}: no longer reduced (or no such project), remove these lines: {}",
            allow.display(),
            j.stale.join(", ")
        );
    }
    j.failing.is_empty()
}
