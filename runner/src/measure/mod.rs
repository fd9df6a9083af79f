//! Measuring one project, start to finish: requirements → inputs → builds → verification →
//! warm-up → interleaved measured rounds → statistics. Every verdict is per job: a failed build,
//! a crash, a timeout or a wrong output stops that job only, and the others go on.
//!
//! This module never prints: it emits [`Event`]s and hands the growing [`ProjectReport`] to a
//! callback after every step, so the caller can write it to disk (a crash loses nothing).

mod build;
pub mod callgrind;
mod container;
mod sampler;
mod service;

use crate::event::{Event, EventSink};
use crate::exec::interrupt::Interrupt;
use crate::exec::{Backend, RunSpec};
use crate::input;
use crate::manifest::{Better, Lang, LangDef, Manifest, MetricKind};
use crate::plan::{self, Contender, Job, PlanContext};
use crate::report::{
    ComparisonReport, JobReport, JobStatus, MetricInfo, ProjectReport, ProjectStatus,
};
use crate::stats;
use crate::verify::{self, Outputs};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use sampler::Limits;

/// Settings of a bench that apply to every project.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Languages to run (others are reported as skipped).
    pub langs: Vec<Lang>,
    /// Exact number of measured runs, overriding the manifest.
    pub runs: Option<u32>,
    /// Warm-up runs, overriding the manifest.
    pub warmup: Option<u32>,
    /// Per-run timeout, overriding the manifest.
    pub timeout: Option<Duration>,
    /// Interleave rounds (default) or run each contender back to back.
    pub interleaved: bool,
    /// Seed of the round order.
    pub seed: u64,
    /// Parameter overrides (`--param k=v`).
    pub params: BTreeMap<String, String>,
    /// `--quick`: each manifest's `[quick]` parameters replace its defaults (`--param` still wins).
    pub quick: bool,
    /// Stdout/stderr cap per run.
    pub output_cap: u64,
    /// Build timeout.
    pub build_timeout: Duration,
    /// Skip reference rows.
    pub no_references: bool,
    /// The CPU level of every build.
    pub cpu: crate::toolchain::cpu::Level,
    /// Headline by wall-clock measures (default) or by instruction counts under callgrind.
    pub mode: Mode,
    /// Also count instructions once per verified job (an extra column).
    pub instructions: bool,
    /// Pin every measured run to this CPU.
    pub pin: Option<usize>,
    /// Services: measured seconds per load level, overriding the manifest's `[load] duration`.
    pub load_duration: Option<Duration>,
    /// Services: unmeasured seconds before each window, overriding `[load] warmup`.
    pub load_warmup: Option<Duration>,
    /// Container memory limit (`--memory`), overriding the manifest's `[docker] memory`.
    pub memory: Option<u64>,
    /// Container CPU limit (`--cpus`), overriding the manifest's `[docker] cpus`.
    pub cpus: Option<f64>,
    /// How a server in a container is reached (`--docker-network`), overriding `[docker] network`.
    pub network: Option<crate::exec::Network>,
}

/// What the headline metric counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// The manifest's metric (wall time, throughput or a reported value).
    #[default]
    Time,
    /// Instructions executed (callgrind's Ir): deterministic, for noisy CI machines.
    Instructions,
}

/// What measurement needs from its surroundings.
pub struct Context<'a> {
    /// Repository root.
    pub root: PathBuf,
    /// Scratch folder (outputs, logs).
    pub work: PathBuf,
    /// Input cache folder.
    pub cache: PathBuf,
    /// Environment of builds and runs (pinned toolchains on PATH).
    pub env: Vec<(String, String)>,
    /// The backend.
    pub backend: &'a mut dyn Backend,
    /// Ctrl-C state.
    pub interrupt: Interrupt,
    /// Where events go.
    pub events: &'a mut dyn EventSink,
}

/// A fresh report for `m`, before anything ran.
/// The headline metric of `m` under `mode`: the manifest's, or instruction counts.
pub fn effective_metric(m: &Manifest, mode: Mode) -> Option<crate::manifest::Metric> {
    let declared = m.metric.clone()?;
    Some(match mode {
        Mode::Time => declared,
        Mode::Instructions => crate::manifest::Metric {
            kind: MetricKind::Instructions,
            unit: "instr".into(),
            better: Better::Lower,
            min_effect: declared.min_effect,
        },
    })
}

/// A fresh report for `m`, before anything ran.
pub fn initial_report(
    m: &Manifest,
    params: &BTreeMap<String, String>,
    mode: Mode,
) -> ProjectReport {
    let jobs = Lang::ALL
        .iter()
        .map(|l| match m.langs.get(l) {
            Some(LangDef::Impl(_)) => JobReport::new(l.as_str(), false, JobStatus::Pending),
            Some(LangDef::Todo(why)) => {
                let mut j = JobReport::new(l.as_str(), false, JobStatus::NotImplemented);
                j.reason = Some(why.clone());
                j
            }
            None => {
                let mut j = JobReport::new(l.as_str(), false, JobStatus::NotImplemented);
                j.reason = Some("not implemented yet".into());
                j
            }
        })
        .collect();
    ProjectReport {
        id: m.id.clone(),
        slug: m.slug.clone(),
        group: m.group,
        manifest: m.path.display().to_string(),
        manifest_sha256: m.sha256.clone(),
        text: m.text.clone(),
        metric: effective_metric(m, mode).as_ref().map(|x| MetricInfo {
            name: x.name().to_string(),
            unit: x.unit.clone(),
            better: x.better,
            min_effect: x.min_effect,
        }),
        params: params.clone(),
        inputs: Vec::new(),
        status: ProjectStatus::Pending,
        reason: None,
        jobs,
        references: m
            .references
            .iter()
            .map(|r| JobReport::new(&r.name, true, JobStatus::Pending))
            .collect(),
        comparisons: Vec::new(),
        warnings: Vec::new(),
    }
}

/// The parameters of `m`: its defaults, then its `[quick]` values when `quick`, then `--param`
/// overrides (unknown overrides are ignored here; the CLI layer rejects names no selected
/// manifest declares).
pub fn effective_params(
    m: &Manifest,
    overrides: &BTreeMap<String, String>,
    quick: bool,
) -> BTreeMap<String, String> {
    let mut p = m.params.clone();
    if quick {
        p.extend(m.quick_params.clone());
    }
    for (k, v) in overrides {
        if p.contains_key(k) {
            p.insert(k.clone(), v.clone());
        }
    }
    p
}

/// Requirements of `m` that are missing on this machine, each with the package that brings it
/// and the fix, as human-readable reasons. `env` is the environment commands run with (its PATH
/// is searched); `root` holds the runner's venv.
pub fn missing_requirements(m: &Manifest, env: &[(String, String)], root: &Path) -> Vec<String> {
    let probe = crate::prereq::probe::System::new(env, crate::toolchain::venv_python(root));
    crate::prereq::missing(&m.requires, &probe)
        .iter()
        .map(|x| format!("{x} — fix: {}", x.fix()))
        .collect()
}

fn set_job<'r>(report: &'r mut ProjectReport, c: &Contender, name: &str) -> &'r mut JobReport {
    match c {
        Contender::Lang(_) => report
            .jobs
            .iter_mut()
            .find(|j| j.name == name)
            .expect("every language has a job report"),
        Contender::Reference(i) => &mut report.references[*i],
    }
}

/// Measures one project. `update` receives the report after every step.
pub fn project(
    m: &Manifest,
    settings: &Settings,
    ctx: &mut Context<'_>,
    update: &mut dyn FnMut(&ProjectReport),
) -> ProjectReport {
    let params = effective_params(m, &settings.params, settings.quick);
    let mut report = initial_report(m, &params, settings.mode);
    ctx.events.emit(Event::ProjectStarted {
        id: m.id.clone(),
        slug: m.slug.clone(),
    });

    // Language filter.
    for j in report.jobs.iter_mut() {
        if j.status == JobStatus::Pending && !settings.langs.iter().any(|l| l.as_str() == j.name) {
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
    let skip_all = |report: &mut ProjectReport, reason: String, status: ProjectStatus| {
        for j in report.jobs.iter_mut().chain(report.references.iter_mut()) {
            if j.status == JobStatus::Pending {
                j.status = JobStatus::Skipped;
                j.reason = Some(reason.clone());
            }
        }
        report.status = status;
        report.reason = Some(reason);
    };
    if !report.jobs.iter().any(|j| j.status == JobStatus::Pending) {
        let reason = if m.implemented().next().is_none() {
            "no implementation yet"
        } else {
            "no selected language is implemented"
        };
        skip_all(&mut report, reason.into(), ProjectStatus::Skipped);
        ctx.events.emit(Event::ProjectSkipped {
            id: m.id.clone(),
            reason: reason.into(),
        });
        update(&report);
        return report;
    }
    // Reasons not to run the project at all, first one wins.
    let missing = missing_requirements(m, &ctx.env, &ctx.root);
    let skip = if m.service.is_some() && settings.mode == Mode::Instructions {
        Some("a service is measured in requests per second: instruction counts (--mode instructions) do not apply".to_string())
    } else if !missing.is_empty() {
        Some(format!("missing requirement: {}", missing.join("; ")))
    } else {
        None
    };
    if let Some(reason) = skip {
        skip_all(&mut report, reason.clone(), ProjectStatus::Skipped);
        ctx.events.emit(Event::ProjectSkipped {
            id: m.id.clone(),
            reason,
        });
        update(&report);
        return report;
    }
    report.status = ProjectStatus::Running;
    update(&report);

    // Inputs.
    let events = &mut *ctx.events;
    let resolved = input::resolve(
        m,
        &ctx.root,
        &ctx.cache,
        &params,
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
            skip_all(
                &mut report,
                format!("inputs could not be made: {e}"),
                ProjectStatus::Failed,
            );
            update(&report);
            return report;
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
    update(&report);

    // Plan.
    let pctx = PlanContext {
        root: ctx.root.clone(),
        work: ctx.work.clone(),
        inputs: resolved
            .iter()
            .map(|(k, v)| (k.clone(), v.path.clone()))
            .collect(),
        params: params.clone(),
        cpu: settings.cpu,
    };
    let mut jobs: Vec<Job> = Vec::new();
    for (lang, imp) in m.implemented() {
        let name = lang.as_str();
        if report
            .jobs
            .iter()
            .any(|j| j.name == name && j.status == JobStatus::Pending)
        {
            match plan::lang_job(m, lang, imp, &pctx) {
                Ok(j) => jobs.push(j),
                Err(e) => {
                    let jr = set_job(&mut report, &Contender::Lang(lang), name);
                    jr.status = JobStatus::RunFailed;
                    jr.reason = Some(e.to_string());
                }
            }
        }
    }
    for (i, r) in m.references.iter().enumerate() {
        if report.references[i].status == JobStatus::Pending {
            match plan::reference_job(m, i, r, &pctx) {
                Ok(j) => jobs.push(j),
                Err(e) => {
                    report.references[i].status = JobStatus::RunFailed;
                    report.references[i].reason = Some(e.to_string());
                }
            }
        }
    }
    for j in &jobs {
        set_job(&mut report, &j.contender, &j.name).command = j.run.clone();
    }

    // Builds.
    let mut built: Vec<Job> = Vec::new();
    for mut job in jobs {
        if ctx.interrupt.is_set() {
            break;
        }
        // A job with its own Dockerfile is built by the image build (in `container::prepare`).
        let own_image = container::image_def(m, &job, ctx).is_some();
        let outcome = if own_image {
            Ok(build::Built {
                build: None,
                artifact_bytes: None,
                artifact_path: None,
                reason: None,
            })
        } else {
            build::build(&job, settings, ctx)
        };
        match outcome {
            Ok(b) => {
                let ok = b.artifact_bytes.is_some() || job.build.is_none() || own_image;
                set_job(&mut report, &job.contender, &job.name).build = b.build;
                if ok {
                    job.built_artifact = b
                        .artifact_path
                        .clone()
                        .filter(|p| Some(p) != job.artifact.as_ref());
                    match container::prepare(m, &mut job, b.artifact_path, settings, ctx) {
                        Ok(image) => {
                            set_job(&mut report, &job.contender, &job.name).image = image;
                            built.push(job);
                        }
                        Err((status, reason)) => {
                            let jr = set_job(&mut report, &job.contender, &job.name);
                            jr.status = status;
                            jr.reason = Some(reason);
                            emit_finished(ctx.events, jr);
                        }
                    }
                } else {
                    let jr = set_job(&mut report, &job.contender, &job.name);
                    jr.status = JobStatus::BuildFailed;
                    jr.reason = Some(b.reason.unwrap_or_else(|| "build failed".into()));
                    emit_finished(ctx.events, jr);
                }
            }
            Err(reason) => {
                let jr = set_job(&mut report, &job.contender, &job.name);
                jr.status = JobStatus::BuildFailed;
                jr.reason = Some(reason);
                emit_finished(ctx.events, jr);
            }
        }
        update(&report);
    }

    if m.service.is_some() {
        let contenders = service::run(m, settings, ctx, &pctx, built, &mut report, update);
        let metric = effective_metric(m, settings.mode)
            .expect("validated: implemented projects have a metric");
        finish(&mut report, &metric, &contenders, ctx.interrupt.is_set());
        ctx.events.emit(Event::ProjectFinished { id: m.id.clone() });
        update(&report);
        return report;
    }

    // Verification runs.
    let limits = Limits::from(&m.sampling, settings);
    let mut ran: Vec<Job> = Vec::new();
    for job in built {
        if ctx.interrupt.is_set() {
            break;
        }
        let _ = std::fs::remove_dir_all(&job.verify_dir);
        let _ = std::fs::create_dir_all(&job.verify_dir);
        let spec = RunSpec {
            argv: plan::verify_argv(&job),
            cwd: job.cwd.clone(),
            env: merged_env(&ctx.env, &job.env),
            stdin: None,
            stdout: job.log_dir.join("verify.stdout"),
            stderr: job.log_dir.join("verify.stderr"),
            timeout: limits.timeout,
            output_cap: settings.output_cap,
            pin: None,
        };
        let key = container::job_key(&m.slug, &job.name);
        match sampler::judge(ctx.backend.run_job(&key, &spec), &spec, "verification run") {
            Ok(_) => ran.push(job),
            Err((status, reason, tail)) => {
                let jr = set_job(&mut report, &job.contender, &job.name);
                jr.status = status;
                jr.reason = Some(reason);
                jr.stderr_tail = tail;
                emit_finished(ctx.events, jr);
            }
        }
        update(&report);
    }

    // Checks. Per-job checks first (a check command may derive files in {out}, e.g. a
    // canonical dump of a database), then the cross-language comparisons of those folders.
    let mut per_job: Vec<Option<Vec<crate::report::CheckResult>>> = Vec::new();
    for job in &ran {
        per_job.push(job.verified.then(|| {
            let out = Outputs {
                name: job.name.clone(),
                dir: job.verify_dir.clone(),
                stdout: job.log_dir.join("verify.stdout"),
            };
            let expand =
                |argv: &[String]| plan::check_command(argv, job, &pctx).map_err(|e| e.to_string());
            let env = merged_env(&ctx.env, &job.env);
            verify::per_job(&m.checks, &out, &ctx.root, &env, &expand, ctx.backend)
        }));
    }
    let outs: Vec<Outputs> = ran
        .iter()
        .filter(|j| j.verified)
        .map(|j| Outputs {
            name: j.name.clone(),
            dir: j.verify_dir.clone(),
            stdout: j.log_dir.join("verify.stdout"),
        })
        .collect();
    let mut cross = verify::across(&m.checks, &outs);
    let mut contenders: Vec<Job> = Vec::new();
    for (job, results) in ran.iter().zip(per_job) {
        let jr = set_job(&mut report, &job.contender, &job.name);
        match results {
            None => {
                jr.status = JobStatus::Pending;
                contenders.push(job.clone());
            }
            Some(mut results) => {
                results.extend(cross.remove(&job.name).unwrap_or_default());
                if settle_verification(ctx.events, jr, results) {
                    contenders.push(job.clone());
                }
            }
        }
    }
    update(&report);

    // Measurement.
    let metric =
        effective_metric(m, settings.mode).expect("validated: implemented projects have a metric");
    let input_bytes = match &metric.kind {
        MetricKind::Throughput { input } => resolved.get(input).map(|r| r.report.bytes),
        _ => None,
    };
    sampler::sample(
        &contenders,
        &metric,
        input_bytes,
        &limits,
        settings,
        ctx,
        &mut report,
        update,
    );

    if settings.instructions && settings.mode == Mode::Time && !ctx.interrupt.is_set() {
        count_instructions(&contenders, &limits, settings, ctx, &mut report);
    }
    // Containers (Docker) go as soon as the project's runs are done, also after Ctrl-C.
    ctx.backend.cleanup();

    // Statistics and verdicts.
    finish(&mut report, &metric, &contenders, ctx.interrupt.is_set());
    ctx.events.emit(Event::ProjectFinished { id: m.id.clone() });
    update(&report);
    report
}

/// Records a job's check results and decides: true when it may be measured (every applicable
/// check passed and at least one applied); otherwise sets its verdict and says why.
fn settle_verification(
    events: &mut dyn EventSink,
    jr: &mut JobReport,
    results: Vec<crate::report::CheckResult>,
) -> bool {
    let failed: Vec<String> = results
        .iter()
        .filter(|r| r.passed == Some(false))
        .map(|r| format!("{}: {}", r.check, r.detail))
        .collect();
    let passed = results.iter().any(|r| r.passed == Some(true));
    jr.verification = results;
    let problem = if !failed.is_empty() {
        Some(failed.join("; "))
    } else if !passed {
        Some("no check could be applied (e.g. cross-language with only one language built): outputs unverified".to_string())
    } else {
        None
    };
    events.emit(Event::Verified {
        job: jr.name.clone(),
        ok: problem.is_none(),
        detail: problem.clone().unwrap_or_default(),
    });
    match problem {
        Some(reason) => {
            jr.status = JobStatus::VerifyFailed;
            jr.reason = Some(reason);
            emit_finished(events, jr);
            false
        }
        None => true,
    }
}

fn emit_finished(events: &mut dyn EventSink, jr: &JobReport) {
    let status = serde_json::to_value(jr.status)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default();
    events.emit(Event::JobFinished {
        job: jr.name.clone(),
        status,
        reason: jr.reason.clone(),
    });
}

/// The runner's environment plus a job's own.
pub fn merged_env(base: &[(String, String)], extra: &[(String, String)]) -> Vec<(String, String)> {
    let mut env = base.to_vec();
    env.extend(extra.iter().cloned());
    env
}

/// One run of each job still in the race under callgrind, for the `instructions` column.
fn count_instructions(
    jobs: &[Job],
    limits: &Limits,
    settings: &Settings,
    ctx: &mut Context<'_>,
    report: &mut ProjectReport,
) {
    for job in jobs {
        // Reference rows are not ranked, so they are not counted (a slow tool like sed would
        // take many minutes under valgrind).
        if matches!(job.contender, Contender::Reference(_))
            || ctx.interrupt.is_set()
            || set_job(report, &job.contender, &job.name).status != JobStatus::Pending
        {
            continue;
        }
        let out = job.log_dir.join("callgrind.out");
        callgrind::clear(&out);
        let _ = std::fs::remove_dir_all(&job.out_dir);
        let _ = std::fs::create_dir_all(&job.out_dir);
        let spec = RunSpec {
            argv: callgrind::wrap(&job.run, &out),
            cwd: job.cwd.clone(),
            env: merged_env(&merged_env(&ctx.env, &callgrind::env()), &job.env),
            stdin: None,
            stdout: job.log_dir.join("callgrind.stdout"),
            stderr: job.log_dir.join("callgrind.stderr"),
            timeout: (limits.timeout * 100).min(Duration::from_secs(3 * 3600)),
            output_cap: settings.output_cap,
            pin: settings.pin,
        };
        let result = sampler::judge(ctx.backend.run(&spec), &spec, "callgrind run")
            .map_err(|(_, r, _)| r)
            .and_then(|_| callgrind::read_ir(&out));
        match result {
            Ok(ir) => set_job(report, &job.contender, &job.name).instructions = Some(ir),
            Err(e) => report
                .warnings
                .push(format!("{}: no instruction count: {e}", job.name)),
        }
    }
}

fn finish(
    report: &mut ProjectReport,
    metric: &crate::manifest::Metric,
    contenders: &[Job],
    interrupted: bool,
) {
    for job in contenders {
        let jr = set_job(report, &job.contender, &job.name);
        if jr.status == JobStatus::Pending {
            jr.status = if interrupted {
                JobStatus::Interrupted
            } else if job.verified {
                JobStatus::Ok
            } else {
                JobStatus::Unverified
            };
            if jr.status == JobStatus::Unverified {
                jr.reason =
                    Some("reference row: shown for comparison, not verified, not ranked".into());
            }
            if jr.status == JobStatus::Interrupted {
                jr.reason = Some("interrupted (Ctrl-C) before measuring finished".into());
            }
        }
    }
    let mut warnings = Vec::new();
    for jr in report.jobs.iter_mut().chain(report.references.iter_mut()) {
        jr.summary = summarize(jr);
        if let Some(s) = &jr.summary {
            let runs = |v: &[usize]| {
                v.iter()
                    .map(|i| (i + 1).to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            if !s.outliers.mad.is_empty() {
                warnings.push(format!("{}: {} outlier(s) by modified z-score (MAD) at run(s) {}; kept in the statistics", jr.name, s.outliers.mad.len(), runs(&s.outliers.mad)));
            }
            if !s.outliers.tukey_severe.is_empty() {
                warnings.push(format!(
                    "{}: {} severe outlier(s) beyond Tukey's 3×IQR fences at run(s) {}",
                    jr.name,
                    s.outliers.tukey_severe.len(),
                    runs(&s.outliers.tukey_severe)
                ));
            }
            if s.headline.rel_stderr > 0.02 {
                warnings.push(format!("{}: noisy: relative standard error {:.1}% — compare with care, or quiet the machine", jr.name, s.headline.rel_stderr * 100.0));
            }
        }
    }
    report.warnings.extend(warnings);
    let ok: Vec<&JobReport> = report
        .jobs
        .iter()
        .filter(|j| j.status == JobStatus::Ok)
        .collect();
    let mut comparisons = Vec::new();
    for (i, a) in ok.iter().enumerate() {
        for b in &ok[i + 1..] {
            let (Ok(sa), Ok(sb)) = (headline_sample(a), headline_sample(b)) else {
                continue;
            };
            // A ratio needs positive means (a zero or negative metric has no meaningful ratio).
            if stats::summarize(&sa).mean <= 0.0 || stats::summarize(&sb).mean <= 0.0 {
                continue;
            }
            let c = stats::compare(&sa, &sb, metric.min_effect);
            let better = c.significant.then(|| {
                let a_higher = c.ratio > 1.0;
                if a_higher == (metric.better == Better::Higher) {
                    a.name.clone()
                } else {
                    b.name.clone()
                }
            });
            comparisons.push(ComparisonReport {
                a: a.name.clone(),
                b: b.name.clone(),
                stats: c,
                better,
            });
        }
    }
    report.comparisons = comparisons;
    report.status = if interrupted {
        ProjectStatus::Interrupted
    } else {
        ProjectStatus::Finished
    };
}

fn headline_sample(j: &JobReport) -> Result<stats::Sample, stats::SampleError> {
    stats::Sample::new(j.samples.iter().map(|s| s.headline).collect())
}

/// Statistics over a job's samples (`None` without samples).
pub fn summarize(j: &JobReport) -> Option<crate::report::JobSummary> {
    let col = |f: &dyn Fn(&crate::report::SampleReport) -> f64| {
        stats::Sample::new(j.samples.iter().map(f).collect()).ok()
    };
    let headline = col(&|s| s.headline)?;
    let ns = 1e-9;
    Some(crate::report::JobSummary {
        headline: stats::summarize(&headline),
        wall_s: stats::summarize(&col(&|s| s.wall_ns as f64 * ns)?),
        user_s: stats::summarize(&col(&|s| s.user_ns as f64 * ns)?),
        sys_s: stats::summarize(&col(&|s| s.sys_ns as f64 * ns)?),
        max_rss_bytes: stats::summarize(&col(&|s| s.max_rss_bytes as f64)?),
        outliers: stats::detect(&headline),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quick_parameters_replace_the_defaults_and_param_overrides_win() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let (ok, bad) = crate::manifest::load_all(&[root.join("manifests/log-masker.toml")]);
        assert!(bad.is_empty(), "{bad:?}");
        let m = &ok[0];
        let none = BTreeMap::new();
        assert_eq!(effective_params(m, &none, false)["size"], "200M");
        assert_eq!(effective_params(m, &none, true)["size"], "8M");
        let mut over = BTreeMap::new();
        over.insert("size".to_string(), "16M".to_string());
        over.insert("nosuch".to_string(), "1".to_string());
        let p = effective_params(m, &over, true);
        assert_eq!(p["size"], "16M");
        assert!(!p.contains_key("nosuch"));
    }
}
