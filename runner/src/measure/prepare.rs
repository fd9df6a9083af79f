//! Everything before a project's first verification run: which jobs take part (`--lang`,
//! `--no-references`), whether the project can run here at all (requirements, mode), its inputs
//! (generated or found, cached by content), its plan (commands expanded), and each job's build
//! and run environment (`environment.rs`). A job that cannot go on gets its verdict here and is
//! left out of what is handed on; the others go on. It never measures.

use super::{environment, verdict, Context, Mode, Settings};
use crate::event::Event;
use crate::input::{self, Resolved};
use crate::manifest::Manifest;
use crate::plan::{self, Contender, Job, PlanContext};
use crate::report::{JobStatus, ProjectReport, ProjectStatus};
use std::collections::BTreeMap;
use std::path::Path;

/// Marks the jobs `--lang` and `--no-references` leave out as skipped (a variant goes with its
/// language).
pub(super) fn select(settings: &Settings, report: &mut ProjectReport) {
    for j in report.jobs.iter_mut() {
        let lang = j.variant_of.as_deref().unwrap_or(&j.name);
        if j.status == JobStatus::Pending && !settings.langs.iter().any(|l| l.as_str() == lang) {
            j.status = JobStatus::Skipped;
            j.reason = Some("not selected (--lang)".into());
        }
    }
    if settings.no_references {
        for r in report.references.iter_mut() {
            r.status = JobStatus::Skipped;
            r.reason = Some("references disabled (--no-references)".into());
        }
    }
}

/// Why the project does not run at all, first reason wins: nothing selected is implemented, a
/// service under instruction counting, or a missing requirement.
pub(super) fn why_not(
    m: &Manifest,
    settings: &Settings,
    env: &[(String, String)],
    root: &Path,
    report: &ProjectReport,
) -> Option<String> {
    if !report.jobs.iter().any(|j| j.status == JobStatus::Pending) {
        return Some(if m.implemented().next().is_none() {
            "no implementation yet".into()
        } else {
            "no selected language is implemented".into()
        });
    }
    if m.service.is_some() && settings.mode == Mode::Instructions {
        return Some("a service is measured in requests per second: instruction counts (--mode instructions) do not apply".into());
    }
    let missing = missing_requirements(m, env, root);
    (!missing.is_empty()).then(|| format!("missing requirement: {}", missing.join("; ")))
}

/// Every job not yet decided gets `reason` as its skip reason; the project gets `status`.
pub(super) fn skip_all(report: &mut ProjectReport, reason: String, status: ProjectStatus) {
    for j in report.jobs.iter_mut().chain(report.references.iter_mut()) {
        if j.status == JobStatus::Pending {
            j.status = JobStatus::Skipped;
            j.reason = Some(reason.clone());
        }
    }
    report.status = status;
    report.reason = Some(reason);
}

/// Requirements of `m` (its `[requires]`) that are missing on this machine, each with the
/// package that brings it and the fix, as human-readable reasons. `env` is the environment
/// commands run with (its PATH is searched); `root` holds the runner's venv.
pub fn missing_requirements(m: &Manifest, env: &[(String, String)], root: &Path) -> Vec<String> {
    let probe = crate::prereq::probe::System::new(env, crate::toolchain::venv_python(root));
    crate::prereq::missing(&m.requires, &probe)
        .iter()
        .map(|x| format!("{x} — fix: {}", x.fix()))
        .collect()
}

/// The project's inputs, made or found; `None` when one could not be made (then the project
/// has failed, with the reason).
pub(super) fn inputs(
    m: &Manifest,
    params: &BTreeMap<String, String>,
    ctx: &mut Context<'_>,
    report: &mut ProjectReport,
) -> Option<BTreeMap<String, Resolved>> {
    let events = &mut *ctx.events;
    let resolved = input::resolve(
        m,
        &ctx.root,
        &ctx.cache,
        params,
        &ctx.env,
        ctx.backend,
        &mut |name| {
            events.emit(Event::InputGenerating {
                name: name.to_string(),
            })
        },
    );
    let resolved = match resolved {
        Ok(r) => r,
        Err(e) => {
            let reason = format!("inputs could not be made: {e}");
            skip_all(report, reason, ProjectStatus::Failed);
            return None;
        }
    };
    for r in resolved.values() {
        ctx.events.emit(Event::InputReady {
            name: r.report.name.clone(),
            bytes: r.report.bytes,
            cached: r.report.cached,
        });
        report.inputs.push(r.report.clone());
    }
    Some(resolved)
}

/// The jobs still pending, with their commands expanded (and recorded in the report); a job
/// whose command cannot be expanded fails.
pub(super) fn plan_jobs(m: &Manifest, pctx: &PlanContext, report: &mut ProjectReport) -> Vec<Job> {
    let mut jobs: Vec<Job> = Vec::new();
    let mut planned = Vec::new();
    for (lang, imp) in m.implemented() {
        let pending = report
            .jobs
            .iter()
            .any(|j| j.name == lang.as_str() && j.status == JobStatus::Pending);
        if pending {
            planned.push((
                Contender::Lang(lang),
                lang.as_str().to_string(),
                plan::lang_job(m, lang, imp, pctx),
            ));
        }
    }
    for (lang, index, v) in m.variants() {
        let name = crate::manifest::variant_job_name(lang, &v.name);
        let pending = report
            .jobs
            .iter()
            .any(|j| j.name == name && j.status == JobStatus::Pending);
        if pending {
            planned.push((
                Contender::Variant(lang, index),
                name,
                plan::variant_job(m, lang, index, v, pctx),
            ));
        }
    }
    for (i, r) in m.references.iter().enumerate() {
        if report.references[i].status == JobStatus::Pending {
            planned.push((
                Contender::Reference(i),
                r.name.clone(),
                plan::reference_job(m, i, r, pctx),
            ));
        }
    }
    for (contender, name, job) in planned {
        let jr = verdict::job(report, &contender, &name);
        match job {
            Ok(j) => {
                jr.command = j.run.clone();
                jobs.push(j);
            }
            Err(e) => {
                jr.status = JobStatus::RunFailed;
                jr.reason = Some(e.to_string());
            }
        }
    }
    jobs
}

/// Builds each job and makes its run environment; returns the jobs ready to run.
pub(super) fn build_all(
    m: &Manifest,
    jobs: Vec<Job>,
    settings: &Settings,
    ctx: &mut Context<'_>,
    report: &mut ProjectReport,
    update: &mut dyn FnMut(&ProjectReport),
) -> Vec<Job> {
    let mut built: Vec<Job> = Vec::new();
    for mut job in jobs {
        if ctx.interrupt.is_set() {
            break;
        }
        match build_one(m, &mut job, settings, ctx, report) {
            Ok(()) => built.push(job),
            Err((status, reason)) => {
                let jr = verdict::job(report, &job.contender, &job.name);
                verdict::fail(ctx.events, jr, status, reason, None);
            }
        }
        update(report);
    }
    built
}

/// Builds `job` (unless its own Dockerfile image builds it) and prepares its environment.
fn build_one(
    m: &Manifest,
    job: &mut Job,
    settings: &Settings,
    ctx: &mut Context<'_>,
    report: &mut ProjectReport,
) -> Result<(), (JobStatus, String)> {
    // A job with its own Dockerfile is built by the image build (in `environment::prepare`).
    let own_image = environment::image_def(m, job, ctx).is_some();
    let b = if own_image {
        super::build::Built {
            build: None,
            artifact_bytes: None,
            artifact_path: None,
            reason: None,
        }
    } else {
        super::build::build(job, settings, ctx).map_err(|r| (JobStatus::BuildFailed, r))?
    };
    let ok = b.artifact_bytes.is_some() || job.build.is_none() || own_image;
    verdict::job(report, &job.contender, &job.name).build = b.build;
    if !ok {
        return Err((
            JobStatus::BuildFailed,
            b.reason.unwrap_or_else(|| "build failed".into()),
        ));
    }
    job.built_artifact = b
        .artifact_path
        .clone()
        .filter(|p| Some(p) != job.artifact.as_ref());
    let image = environment::prepare(m, job, b.artifact_path, settings, ctx)?;
    verdict::job(report, &job.contender, &job.name).image = image;
    Ok(())
}
