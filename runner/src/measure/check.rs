//! Verification, one path for commands and services: a job's own checks on what its
//! verification run wrote ([`own_checks`]), then — once every job has run — the cross-language
//! comparisons of those folders and the decision per job ([`settle`]). A job is measured only
//! when every applicable check passed and at least one applied; references that are not
//! verified go on unchecked (and are never ranked).
//!
//! How a verification run is made (a timed command, or a live server instance that also answers
//! HTTP scripts) is the caller's; this file never starts a program other than check commands.

use super::{merged_env, verdict, Context};
use crate::event::{Event, EventSink};
use crate::manifest::Manifest;
use crate::plan::Job;
use crate::report::{CheckResult, JobReport, JobStatus, ProjectReport};
use crate::verify::{self, Outputs};

/// Why a job's verification failed: its verdict, the reason, the tail of its stderr, and the
/// checks that ran before it failed.
pub struct Failed {
    /// The verdict.
    pub status: JobStatus,
    /// Why.
    pub reason: String,
    /// The last lines it wrote to stderr.
    pub tail: Option<String>,
    /// Checks that ran before the failure.
    pub checks: Vec<CheckResult>,
}

/// How one job's verification went: its own check results (`None` for an unverified
/// reference, which goes on unchecked), or why it failed.
pub type Verified = Result<Option<Vec<CheckResult>>, Failed>;

/// Verifies each built job in turn with `verify` (which makes the verification run — a timed
/// command or a live server instance — and its own checks), in an emptied verification folder;
/// then [`settle`]s them all. Returns the jobs that may be measured.
pub fn verify_all(
    m: &Manifest,
    ctx: &mut Context<'_>,
    built: Vec<Job>,
    report: &mut ProjectReport,
    update: &mut dyn FnMut(&ProjectReport),
    verify: &mut dyn FnMut(&Job, &mut Context<'_>, &mut ProjectReport) -> Verified,
) -> Vec<Job> {
    let mut checked = Vec::new();
    for job in built {
        if ctx.interrupt.is_set() {
            break;
        }
        let _ = std::fs::remove_dir_all(&job.verify_dir);
        let _ = std::fs::create_dir_all(&job.verify_dir);
        match verify(&job, ctx, report) {
            Ok(results) => checked.push((job, results)),
            Err(f) => {
                let jr = verdict::job(report, &job.contender, &job.name);
                jr.verification = f.checks;
                verdict::fail(ctx.events, jr, f.status, f.reason, f.tail);
            }
        }
        update(report);
    }
    let contenders = settle(m, ctx.events, report, checked);
    update(report);
    contenders
}

/// What a job's verification run left: its output folder and captured stdout.
pub fn outputs(job: &Job) -> Outputs {
    Outputs {
        name: job.name.clone(),
        dir: job.verify_dir.clone(),
        stdout: job.log_dir.join("verify.stdout"),
        votes: !matches!(job.contender, crate::plan::Contender::Variant(..)),
    }
}

/// The manifest's per-job checks on `job`'s verification outputs, made with the parameters
/// `params`; `expand` fills the placeholders of check commands (`{out}`, `{artifact}`, and for a
/// live service `{port}`…).
pub fn own_checks(
    m: &Manifest,
    job: &Job,
    params: &std::collections::BTreeMap<String, String>,
    expand: verify::ExpandCommand<'_>,
    ctx: &mut Context<'_>,
) -> Vec<CheckResult> {
    let env = merged_env(&ctx.env, &job.env);
    verify::per_job(
        &m.checks,
        &outputs(job),
        params,
        &ctx.root,
        &env,
        expand,
        ctx.backend,
    )
}

/// Adds the cross-language comparisons to each verified job's own results and decides; returns
/// the jobs that may be measured, in the order given. `None` results: a job without checks (an
/// unverified reference), which goes on.
fn settle(
    m: &Manifest,
    events: &mut dyn EventSink,
    report: &mut ProjectReport,
    checked: Vec<(Job, Option<Vec<CheckResult>>)>,
) -> Vec<Job> {
    let outs: Vec<Outputs> = checked
        .iter()
        .filter(|(j, _)| j.verified)
        .map(|(j, _)| outputs(j))
        .collect();
    let mut cross = verify::across(&m.checks, &outs);
    let mut contenders = Vec::new();
    for (job, results) in checked {
        let jr = verdict::job(report, &job.contender, &job.name);
        match results {
            None => contenders.push(job),
            Some(mut results) => {
                results.extend(cross.remove(&job.name).unwrap_or_default());
                if decide(events, jr, results) {
                    contenders.push(job);
                }
            }
        }
    }
    contenders
}

/// Records a job's check results and decides: true when it may be measured (every applicable
/// check passed and at least one applied); otherwise fails it and says why.
fn decide(events: &mut dyn EventSink, jr: &mut JobReport, results: Vec<CheckResult>) -> bool {
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
            let tail = jr.stderr_tail.take();
            verdict::fail(events, jr, JobStatus::VerifyFailed, reason, tail);
            false
        }
        None => true,
    }
}
