//! The end of a project: the callgrind pass (one counted run per implementation, for the
//! `instructions` column), the final verdict of every job still in the race, the statistics of
//! each job's samples with outlier and noise warnings, and the pairwise comparisons that decide
//! the winners — between languages only; each variant is compared with its own language's
//! headline build, apart. Pure bookkeeping over the report except for the callgrind runs.

use super::rounds::Limits;
use super::{callgrind, merged_env, verdict, Context, Settings};
use crate::event::Event;
use crate::exec::RunSpec;
use crate::manifest::Better;
use crate::plan::{Contender, Job};
use crate::report::{ComparisonReport, JobReport, JobStatus, ProjectReport, ProjectStatus};
use crate::stats;
use std::time::Duration;

/// One run of each job still in the race under callgrind, for the `instructions` column.
pub(super) fn count_instructions(
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
            || verdict::job(report, &job.contender, &job.name).status != JobStatus::Pending
        {
            continue;
        }
        ctx.events.emit(Event::Counting {
            job: job.name.clone(),
        });
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
        let result = super::command::judge(ctx.backend.run(&spec), &spec, "callgrind run")
            .map_err(|(_, r, _)| r)
            .and_then(|_| callgrind::read_ir(&out));
        ctx.events.emit(Event::Counted {
            job: job.name.clone(),
            instructions: result.as_ref().ok().copied(),
        });
        match result {
            Ok(ir) => verdict::job(report, &job.contender, &job.name).instructions = Some(ir),
            Err(e) => report
                .warnings
                .push(format!("{}: no instruction count: {e}", job.name)),
        }
    }
}

/// Final verdicts of the jobs still in the race, their statistics, warnings about outliers and
/// noise, and the pairwise comparisons of the implementations.
pub(super) fn finish(
    report: &mut ProjectReport,
    metric: &crate::manifest::Metric,
    contenders: &[Job],
    interrupted: bool,
) {
    for job in contenders {
        let jr = verdict::job(report, &job.contender, &job.name);
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
    // Languages are ranked against each other; a variant only against its own language.
    let (variants, ok): (Vec<&JobReport>, Vec<&JobReport>) = report
        .jobs
        .iter()
        .filter(|j| j.status == JobStatus::Ok)
        .partition(|j| j.variant_of.is_some());
    let mut comparisons = Vec::new();
    for (i, a) in ok.iter().enumerate() {
        for b in &ok[i + 1..] {
            comparisons.extend(comparison(a, b, metric));
        }
    }
    let against: Vec<(String, ComparisonReport)> = variants
        .iter()
        .filter_map(|v| {
            let lang = ok.iter().find(|j| Some(&j.name) == v.variant_of.as_ref())?;
            Some((v.name.clone(), comparison(v, lang, metric)?))
        })
        .collect();
    report.comparisons = comparisons;
    for (name, c) in against {
        if let Some(v) = report.jobs.iter_mut().find(|j| j.name == name) {
            v.against_headline = Some(c);
        }
    }
    report.status = if interrupted {
        ProjectStatus::Interrupted
    } else {
        ProjectStatus::Finished
    };
}

/// The headline metric of `a` against `b`: `None` when either has too few samples or a mean
/// that is not positive (a zero or negative metric has no meaningful ratio).
fn comparison(
    a: &JobReport,
    b: &JobReport,
    metric: &crate::manifest::Metric,
) -> Option<ComparisonReport> {
    let (Ok(sa), Ok(sb)) = (headline_sample(a), headline_sample(b)) else {
        return None;
    };
    if stats::summarize(&sa).mean <= 0.0 || stats::summarize(&sb).mean <= 0.0 {
        return None;
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
    Some(ComparisonReport {
        a: a.name.clone(),
        b: b.name.clone(),
        stats: c.into(),
        better,
    })
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
        headline: stats::summarize(&headline).into(),
        wall_s: stats::summarize(&col(&|s| s.wall_ns as f64 * ns)?).into(),
        user_s: stats::summarize(&col(&|s| s.user_ns as f64 * ns)?).into(),
        sys_s: stats::summarize(&col(&|s| s.sys_ns as f64 * ns)?).into(),
        max_rss_bytes: stats::summarize(&col(&|s| s.max_rss_bytes as f64)?).into(),
        outliers: stats::detect(&headline).into(),
    })
}
