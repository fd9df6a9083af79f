//! Building one implementation: runs its build command in its folder with the pinned toolchains,
//! records the build time and the artifact's size, and keeps the tail of the log on failure.

use super::{merged_env, Context, Settings};
use crate::event::Event;
use crate::exec::RunSpec;
use crate::input::tail_of;
use crate::plan::Job;
use crate::report::BuildReport;
use crate::toolchain::static_link;

/// The outcome of a build.
pub struct Built {
    /// The build record (absent for jobs without a build step).
    pub build: Option<BuildReport>,
    /// Artifact size when the build succeeded and the artifact exists.
    pub artifact_bytes: Option<u64>,
    /// Where the artifact is (a static build for containers may write elsewhere than `artifact`).
    pub artifact_path: Option<std::path::PathBuf>,
    /// Why it failed.
    pub reason: Option<String>,
}

/// Builds `job`. `Err` carries a reason when the build could not even start.
pub fn build(job: &Job, settings: &Settings, ctx: &mut Context<'_>) -> Result<Built, String> {
    let Some((argv, dir)) = &job.build else {
        return Ok(Built {
            build: None,
            artifact_bytes: None,
            artifact_path: None,
            reason: None,
        });
    };
    ctx.events.emit(Event::BuildStarted {
        job: job.name.clone(),
    });
    std::fs::create_dir_all(&job.log_dir)
        .map_err(|e| format!("cannot create {}: {e}", job.log_dir.display()))?;
    // Containers from `FROM scratch` images need static programs (see `toolchain::static_link`).
    let static_lang = job.contender.lang().filter(|_| ctx.backend.static_builds());
    let mut base = settings.cpu.build_env();
    if let Some(l) = static_lang {
        static_link::add_env(l, &mut base);
    }
    let spec = RunSpec {
        argv: argv.clone(),
        cwd: dir.clone(),
        // The suite's one CPU level (GOAMD64, RUSTFLAGS) comes before the job's own env.
        env: merged_env(&merged_env(&ctx.env, &base), &job.env),
        stdin: None,
        stdout: job.log_dir.join("build.stdout"),
        stderr: job.log_dir.join("build.stderr"),
        timeout: settings.build_timeout,
        output_cap: 64 << 20,
        pin: None,
    };
    let outcome = ctx.backend.run(&spec).map_err(|e| {
        format!(
            "build command could not start: {e} (is the toolchain installed? try `runner doctor`)"
        )
    })?;
    let artifact = job.artifact.clone().unwrap_or_default();
    let artifact = match static_lang {
        Some(l) => static_link::artifact(l, dir, &artifact),
        None => artifact,
    };
    let ok = outcome.exit.success() && !outcome.timed_out && !outcome.interrupted;
    let artifact_bytes = if ok {
        std::fs::metadata(&artifact).ok().map(|m| m.len())
    } else {
        None
    };
    let tail = || {
        let err = tail_of(&spec.stderr, 20);
        if err.is_empty() {
            tail_of(&spec.stdout, 20)
        } else {
            err
        }
    };
    let reason = if outcome.interrupted {
        Some("interrupted".to_string())
    } else if outcome.timed_out {
        Some(format!(
            "build timed out after {:?}",
            settings.build_timeout
        ))
    } else if !outcome.exit.success() {
        Some(format!(
            "`{}` failed ({}):\n{}",
            argv.join(" "),
            outcome.exit,
            tail()
        ))
    } else if artifact_bytes.is_none() {
        Some(format!(
            "build succeeded but the artifact {} does not exist: check `artifact` in the manifest",
            artifact.display()
        ))
    } else {
        None
    };
    ctx.events.emit(Event::BuildFinished {
        job: job.name.clone(),
        ok: reason.is_none(),
        seconds: outcome.wall.as_secs_f64(),
    });
    Ok(Built {
        build: Some(BuildReport {
            command: argv.clone(),
            wall_ns: outcome.wall.as_nanos() as u64,
            exit: outcome.exit.into(),
            artifact: artifact.display().to_string(),
            artifact_bytes,
            log_tail: reason.as_ref().map(|_| tail()),
        }),
        artifact_bytes,
        artifact_path: Some(artifact),
        reason,
    })
}
