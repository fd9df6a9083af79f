//! `runner bench`: selects the manifests, opens a session, measures each project in turn
//! (`crate::measure::project`), writes the report after every step and each finished project's
//! latest view (unless the quiet-machine gate marked a job noisy and `--accept-noisy` is not
//! given), then the exports and the per-project tables. It never measures anything itself.

use super::args::{BenchArgs, BenchExports};
use super::session::{now, Session};
use super::{out, print_load_errors, settings, FAILED, INTERRUPTED, OK, USAGE};
use crate::event::{Event, EventSink};
use crate::manifest::{self, Manifest};
use crate::measure::{self, Context, Mode, Settings};
use crate::output::progress::Progress;
use crate::output::table;
use crate::report::{store, ProjectStatus, Report};
use std::path::{Path, PathBuf};

/// `runner bench`.
pub fn bench(args: &BenchArgs, argv: Vec<String>) -> i32 {
    let mut settings = match settings::settings(args) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return USAGE;
        }
    };
    let (all, bad) = manifest::load_all(&args.manifests);
    print_load_errors(&bad);
    let selected = match select(args, &settings, all) {
        Ok(s) => s,
        Err(message) => {
            eprintln!("error: {message}");
            return USAGE;
        }
    };
    if selected.is_empty() {
        eprintln!("error: no valid manifest to run");
        return if bad.is_empty() { USAGE } else { FAILED };
    }
    let root = manifest::root_of(&selected[0].path);
    let mut progress = Progress::new();
    let mut session = match Session::open(args, &selected, &root, &mut settings, &mut progress) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let (started, compact) = now();
    let mut report = session.new_report(&settings, &selected, argv, started);
    let out_dir = if args.out.is_absolute() {
        args.out.clone()
    } else {
        std::env::current_dir().unwrap_or_default().join(&args.out)
    };
    let mut saver = Saver {
        path: store::run_path(&out_dir, &compact, settings.seed),
        failed: false,
    };
    saver.save(&report, &mut progress);
    for (i, m) in selected.iter().enumerate() {
        if session.interrupt.is_set() {
            break;
        }
        measure_one(
            &mut session,
            &settings,
            m,
            i,
            &mut report,
            &saver.path,
            &mut progress,
        );
        saver.save(&report, &mut progress);
        if !args.no_latest {
            let accept_noisy = args.gate.accept_noisy;
            publish(
                &session,
                &settings,
                &report,
                i,
                &out_dir,
                accept_noisy,
                &mut progress,
            );
        }
    }
    session.close_report(&mut report, &settings, &mut progress);
    saver.save(&report, &mut progress);
    let exports = bench_targets(&args.export);
    if !exports.is_empty() {
        let done = crate::output::export::write_all(&report, &exports);
        for message in done.warnings {
            progress.emit(Event::Warning { message });
        }
        for e in done.errors {
            progress.emit(Event::Warning {
                message: format!("cannot write an export: {e}"),
            });
        }
    }
    out(&summary(&report));
    eprintln!("report: {}", saver.path.display());
    if report.interrupted {
        eprintln!("interrupted: the report keeps every run measured so far");
        return INTERRUPTED;
    }
    let failures = failures(&report);
    if !failures.is_empty() || !bad.is_empty() {
        if !failures.is_empty() {
            eprintln!("failed: {}", failures.join("; "));
        }
        return FAILED;
    }
    OK
}

/// The manifests `--only` selects; every `--only` and `--param` must name something selected.
fn select(
    args: &BenchArgs,
    settings: &Settings,
    all: Vec<Manifest>,
) -> Result<Vec<Manifest>, String> {
    let mut selected = all;
    if !args.only.is_empty() {
        for o in &args.only {
            if !selected.iter().any(|m| &m.id == o || &m.slug == o) {
                return Err(format!(
                    "--only {o}: no valid manifest has that id or slug (see `runner list {}`)",
                    args.manifests
                        .first()
                        .map(|p| p.display().to_string())
                        .unwrap_or_default()
                ));
            }
        }
        selected.retain(|m| args.only.iter().any(|o| o == &m.id || o == &m.slug));
    }
    for k in settings.params.keys() {
        if !selected.iter().any(|m| m.params.contains_key(k)) {
            return Err(format!(
                "--param {k}: no selected manifest declares a parameter `{k}`"
            ));
        }
    }
    Ok(selected)
}

/// Measures project `i` of the report; the run report on disk is rewritten after every step,
/// so a crash or Ctrl-C keeps everything measured so far.
fn measure_one(
    session: &mut Session,
    settings: &Settings,
    m: &Manifest,
    i: usize,
    report: &mut Report,
    path: &Path,
    progress: &mut Progress,
) {
    let root = session.root.clone();
    let mut ctx = Context {
        work: root.join(".runner").join("work"),
        cache: root.join(".runner").join("inputs"),
        root,
        env: session.toolchains.env(),
        backend: session.backend.as_mut(),
        interrupt: session.interrupt.clone(),
        events: progress,
        gate: std::mem::replace(&mut session.gate, measure::Gate::off()),
    };
    let result = measure::project(m, settings, &mut ctx, &mut |p| {
        let mut r = report.clone();
        r.projects[i] = p.clone();
        let _ = store::write_report(path, &r);
    });
    session.gate = ctx.gate;
    report.projects[i] = result;
}

/// Writes the latest view of project `i` when it may be published: finished, measured by the
/// manifest's own metric (instruction counts stay in the run report: the README's headline is
/// each manifest's metric), and with no noisy job unless `accept_noisy`. The view carries the
/// machine's conditions as of now.
fn publish(
    session: &Session,
    settings: &Settings,
    report: &Report,
    i: usize,
    out_dir: &Path,
    accept_noisy: bool,
    progress: &mut Progress,
) {
    let p = &report.projects[i];
    if settings.mode != Mode::Time || p.status != ProjectStatus::Finished {
        return;
    }
    if let Some(why) = p.noisy_reason().filter(|_| !accept_noisy) {
        progress.emit(Event::Warning {
            message: format!(
                "{} {}: not promoted to latest/: {why}\n  re-run it on a quiet machine, or pass --accept-noisy to publish it marked noisy",
                p.id, p.slug
            ),
        });
        return;
    }
    let mut view = report.clone();
    session.conditions(&mut view, settings);
    if let Err(e) = store::write_latest(out_dir, &view, &p.slug) {
        progress.emit(Event::Warning {
            message: format!("cannot write the latest view: {e}"),
        });
    }
}

/// Writes the run report, warning once when it cannot.
struct Saver {
    path: PathBuf,
    failed: bool,
}

impl Saver {
    fn save(&mut self, report: &Report, progress: &mut Progress) {
        if let Err(e) = store::write_report(&self.path, report) {
            if !self.failed {
                progress.emit(Event::Warning {
                    message: format!("cannot write the report: {e}"),
                });
            }
            self.failed = true;
        }
    }
}

/// One table per measured project, then the planned ones in a line.
fn summary(report: &Report) -> String {
    let mut text = String::new();
    let mut planned = Vec::new();
    for p in &report.projects {
        if p.metric.is_none() {
            planned.push(format!("{} {}", p.id, p.slug));
            continue;
        }
        text.push_str(&table::project(p));
        text.push('\n');
    }
    if !planned.is_empty() {
        text.push_str(&format!(
            "planned, no implementation yet ({}): {}\n",
            planned.len(),
            planned.join(", ")
        ));
    }
    text
}

/// `ID JOB: status` for every failed job, `ID: reason` for every failed project.
fn failures(report: &Report) -> Vec<String> {
    let status = |j: &crate::report::JobReport| {
        serde_json::to_value(j.status)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default()
    };
    report
        .projects
        .iter()
        .flat_map(|p| {
            p.jobs
                .iter()
                .filter(|j| j.status.is_failure())
                .map(move |j| format!("{} {}: {}", p.id, j.name, status(j)))
        })
        .chain(
            report
                .projects
                .iter()
                .filter(|p| p.status == ProjectStatus::Failed)
                .map(|p| format!("{}: {}", p.id, p.reason.clone().unwrap_or_default())),
        )
        .collect()
}

fn bench_targets(e: &BenchExports) -> crate::output::export::Targets {
    crate::output::export::Targets {
        hyperfine: e.export_hyperfine.clone(),
        bmf: e.export_bmf.clone(),
        gab: e.export_gab.clone(),
        csv: e.export_csv.clone(),
        markdown: e.export_markdown.clone(),
    }
}
