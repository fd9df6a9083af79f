//! The subcommands, one file each. This folder is the only place that names every module of the
//! runner: each subcommand turns its resolved flags into calls of the pipeline (manifest → plan →
//! measure → report → render) and returns the exit code it wants; `main.rs` only prints and
//! exits. Nothing here measures or computes a statistic itself.
//!
//! `args.rs` holds the raw flags (clap; no clap type leaves this folder), `settings.rs` resolves
//! `bench`'s flags once, `session.rs` opens a bench session (toolchains, probe, backend, report
//! header).
//!
//! Exit codes: 0 all good; 1 a job failed or a manifest is invalid; 2 bad usage or configuration;
//! 130 interrupted (Ctrl-C / SIGTERM).

pub mod args;
mod bench;
mod check;
mod compare;
mod doctor;
mod export;
mod fixture;
mod list;
mod load;
mod matrix;
mod merge;
mod render;
mod session;
pub mod settings;
mod test;

use crate::manifest::{self, LoadError};
use args::{Cli, Cmd};
use std::io::Write;

/// Exit code: success.
pub const OK: i32 = 0;
/// Exit code: a job failed or a manifest is invalid.
pub const FAILED: i32 = 1;
/// Exit code: bad usage or configuration.
pub const USAGE: i32 = 2;
/// Exit code: interrupted.
pub const INTERRUPTED: i32 = 130;

/// Writes to stdout, treating a closed pipe (`runner list | head`) as success.
pub fn out(text: &str) {
    let mut o = std::io::stdout().lock();
    let _ = o.write_all(text.as_bytes());
    let _ = o.flush();
}

/// Runs the parsed command line.
pub fn run(cli: Cli, argv: Vec<String>) -> i32 {
    match cli.command {
        Cmd::Check { manifests } => check::check(&manifests),
        Cmd::Test {
            manifests,
            only,
            lang,
        } => test::test(&manifests, &only, &lang),
        Cmd::List { manifests, reports } => list::list(&manifests, &reports),
        Cmd::Render(args) => render::render(&args),
        Cmd::Doctor {
            provision,
            root,
            manifests,
        } => doctor::doctor(&root, provision, &manifests),
        Cmd::Matrix {
            manifests,
            changed_files,
            all: _,
        } => matrix::matrix(&manifests, changed_files.as_deref()),
        Cmd::Merge {
            reports,
            out,
            accept_noisy,
        } => merge::merge(&reports, &out, accept_noisy, argv),
        Cmd::Bench(args) => bench::bench(&args, argv),
        Cmd::Compare(args) => compare::compare(&args),
        Cmd::Export(args) => export::export(&args),
        Cmd::Load(args) => load::load(&args),
        Cmd::Backend(args) => fixture::backend(&args),
    }
}

/// Prints why manifests could not be loaded: each file's problems with their snippets.
fn print_load_errors(errors: &[LoadError]) {
    for e in errors {
        match e {
            LoadError::Read { .. } => eprintln!("error: {e}\n"),
            LoadError::Invalid { path, errors } => {
                eprintln!(
                    "error: {} has {} problem(s):\n",
                    path.display(),
                    errors.len()
                );
                eprint!("{}", manifest::error::render(errors));
            }
        }
    }
}
