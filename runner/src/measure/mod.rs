//! Measuring one project, start to finish: requirements → a quiet machine → inputs → builds →
//! verification → warm-up → interleaved measured rounds → statistics. Every verdict is per job:
//! a failed build, a crash, a timeout or a wrong output stops that job only, and the others go
//! on.
//!
//! [`project`] reads as that list. `prepare.rs` is everything before the first verification run
//! (selection, requirements, inputs, plan, builds, with `build.rs` and `environment.rs` for a job's
//! run environment); `command.rs` and `service.rs` verify and measure the two kinds of project
//! (`instance.rs` starts a server with its fixtures through the backend); `check.rs` is the one
//! verification path both use, `rounds.rs` the one round driver (which asks the quiet-machine
//! gate, `quiet.rs`, before every measured round), `verdict.rs` the one way to fail a job,
//! `finish.rs` the statistics and verdicts at the end.
//!
//! This module never prints: it emits [`Event`]s and hands the growing [`ProjectReport`] to a
//! callback after every step, so the caller can write it to disk (a crash loses nothing).

mod build;
pub mod callgrind;
mod check;
mod command;
mod environment;
mod finish;
mod instance;
mod prepare;
pub mod quiet;
mod rounds;
mod service;
mod verdict;

use crate::event::{Event, EventSink};
use crate::exec::interrupt::Interrupt;
use crate::exec::Backend;
use crate::manifest::{Better, Lang, LangDef, Manifest, MetricKind};
use crate::plan::PlanContext;
use crate::report::{JobReport, JobStatus, MetricInfo, ProjectReport, ProjectStatus};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

pub use environment::job_key;
pub use finish::summarize;
pub use prepare::missing_requirements;
pub use quiet::Gate;
pub use rounds::Limits;

/// Settings of a bench that apply to every project.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Languages to run, with their variants (others are reported as skipped).
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
    /// Which projects also count instructions once per verified job, after the timed runs.
    pub instructions: Counting,
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
    /// The quiet-machine gate's limits (`--gate-*`); `None`: off (fake backend, instruction
    /// counts).
    pub gate: Option<crate::report::GateLimits>,
}

/// Which projects of a time-mode bench also count instructions: one run of each verified job
/// under callgrind after the timed runs, recorded as the job's `instructions`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Counting {
    /// None (the fake backend, containers, or no valgrind).
    Off,
    /// Those whose manifest asks (`[metric] instructions = true`): every normal bench.
    #[default]
    Declared,
    /// Every command project (`--instructions`).
    All,
}

impl Counting {
    /// Whether a bench counts the instructions of `m`'s jobs. Services never: they serve
    /// until stopped.
    pub fn applies(self, m: &Manifest) -> bool {
        m.service.is_none()
            && match self {
                Counting::Off => false,
                Counting::Declared => m.metric.as_ref().is_some_and(|x| x.instructions),
                Counting::All => true,
            }
    }
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
    /// The quiet-machine gate.
    pub gate: Gate,
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
            instructions: false,
        },
    })
}

/// A fresh report for `m`, before anything ran.
pub fn initial_report(
    m: &Manifest,
    params: &BTreeMap<String, String>,
    mode: Mode,
) -> ProjectReport {
    let mut jobs = Vec::new();
    for l in Lang::ALL {
        jobs.push(match m.langs.get(&l) {
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
        });
        // Each language's variants follow it.
        for (_, _, v) in m.variants().filter(|(vl, _, _)| *vl == l) {
            let name = crate::manifest::variant_job_name(l, &v.name);
            let mut j = JobReport::new(&name, false, JobStatus::Pending);
            j.variant_of = Some(l.as_str().to_string());
            jobs.push(j);
        }
    }
    ProjectReport {
        id: m.id.clone(),
        slug: m.slug.clone(),
        group: m.group,
        manifest: m.path.display().to_string(),
        manifest_sha256: m.sha256.clone(),
        text: crate::report::wire::texts(&m.text),
        metric: effective_metric(m, mode).as_ref().map(|x| MetricInfo {
            name: x.name().to_string(),
            unit: x.unit.clone(),
            better: x.better.into(),
            min_effect: x.min_effect,
        }),
        params: params.clone(),
        param_defaults: BTreeMap::new(),
        sampling: None,
        gate: Vec::new(),
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
    prepare::select(settings, &mut report);
    if let Some(reason) = prepare::why_not(m, settings, &ctx.env, &ctx.root, &report) {
        prepare::skip_all(&mut report, reason.clone(), ProjectStatus::Skipped);
        ctx.events.emit(Event::ProjectSkipped {
            id: m.id.clone(),
            reason,
        });
        update(&report);
        return report;
    }
    report.status = ProjectStatus::Running;
    report.param_defaults = m
        .params
        .iter()
        .filter(|(k, v)| params.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    report.sampling = Some(Limits::from(&m.sampling, settings).report(&m.sampling, settings));
    if let Some(check) = ctx.gate.before_project(&mut *ctx.events, &ctx.interrupt) {
        quiet::Record::record(&mut report, check);
    }
    update(&report);
    let Some(resolved) = prepare::inputs(m, &params, ctx, &mut report) else {
        update(&report);
        return report;
    };
    update(&report);
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
    let jobs = prepare::plan_jobs(m, &pctx, &mut report);
    let built = prepare::build_all(m, jobs, settings, ctx, &mut report, update);
    let metric =
        effective_metric(m, settings.mode).expect("validated: implemented projects have a metric");
    let contenders = if m.service.is_some() {
        service::run(m, settings, ctx, &pctx, built, &mut report, update)
    } else {
        let input_bytes = match &metric.kind {
            MetricKind::Throughput { input } => resolved.get(input).map(|r| r.report.bytes),
            _ => None,
        };
        command::run(
            m,
            settings,
            ctx,
            &pctx,
            built,
            &metric,
            input_bytes,
            &mut report,
            update,
        )
    };
    // Containers (Docker) go as soon as the project's runs are done, also after Ctrl-C.
    ctx.backend.cleanup();
    finish::finish(&mut report, &metric, &contenders, ctx.interrupt.is_set());
    ctx.events.emit(Event::ProjectFinished { id: m.id.clone() });
    update(&report);
    report
}

/// The runner's environment plus a job's own.
pub fn merged_env(base: &[(String, String)], extra: &[(String, String)]) -> Vec<(String, String)> {
    let mut env = base.to_vec();
    env.extend(extra.iter().cloned());
    env
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

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

    /// `[metric] instructions = true` (the CPU-bound projects) is counted by every normal bench;
    /// `--instructions` counts every command project; a service never, and nothing when off.
    #[test]
    fn instructions_are_counted_where_the_manifest_asks_or_the_flag_says() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let paths = [
            "log-masker",
            "bytecode-vm",
            "audio-chunker",
            "reverse-proxy",
        ]
        .map(|s| root.join(format!("manifests/{s}.toml")));
        let (ok, bad) = crate::manifest::load_all(&paths);
        assert!(bad.is_empty(), "{bad:?}");
        let asks = |slug: &str| ok.iter().find(|m| m.slug == slug).unwrap();
        for (slug, declared, all) in [
            ("log-masker", true, true),
            ("bytecode-vm", true, true),
            ("audio-chunker", false, true),
            ("reverse-proxy", false, false),
        ] {
            let m = asks(slug);
            assert_eq!(m.metric.as_ref().unwrap().instructions, declared, "{slug}");
            assert_eq!(Counting::Declared.applies(m), declared, "{slug}");
            assert_eq!(Counting::All.applies(m), all, "{slug}");
            assert!(!Counting::Off.applies(m), "{slug}");
        }
        assert_eq!(Counting::default(), Counting::Declared);
    }
}
