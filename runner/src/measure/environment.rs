//! A job's run environment, made by the backend between its build and its first run: for the
//! Docker backend, the image and the long-lived container every run of the job executes in
//! (`exec::docker`); for the native backend, nothing. This file only translates a job into what
//! the backend needs ([`JobSetup`]) and the backend's answer into the job's verdict and report.
//! A service job's container gets its port here (free on 127.0.0.1, fixed for the container's
//! life); where the server ends up ([`crate::exec::Placement`]) is recorded on the job for `service.rs`.

use super::{Context, Settings};
use crate::exec::{JobSetup, Network, PrepareError};
use crate::manifest::{ImageDef, LangDef, Manifest};
use crate::plan::{Contender, Job};
use crate::report::{ImageReport, JobStatus};
use std::path::PathBuf;

/// The key naming a job's environment in `Backend::run_job`.
pub fn job_key(slug: &str, name: &str) -> String {
    format!("{slug}/{name}")
}

/// The job's own Dockerfile image, when the backend runs jobs in containers.
pub fn image_def<'m>(m: &'m Manifest, job: &Job, ctx: &Context<'_>) -> Option<&'m ImageDef> {
    if !ctx.backend.static_builds() {
        return None;
    }
    match &job.contender {
        Contender::Lang(l) => match m.langs.get(l) {
            Some(LangDef::Impl(i)) => i.docker.as_ref(),
            _ => None,
        },
        Contender::Reference(_) => None,
    }
}

/// Makes `job`'s environment; `artifact` is the built program on this machine; a containerised
/// server's [`crate::exec::Placement`] is stored in `job.placement`. `Err` carries the job's verdict and
/// reason.
pub fn prepare(
    m: &Manifest,
    job: &mut Job,
    artifact: Option<PathBuf>,
    settings: &Settings,
    ctx: &mut Context<'_>,
) -> Result<Option<ImageReport>, (JobStatus, String)> {
    let image = image_def(m, job, ctx).cloned();
    let network = settings.network.or(m.docker.network).unwrap_or_default();
    let port = if m.service.is_some() && ctx.backend.static_builds() {
        if network == Network::Published && job.template.0.iter().any(|a| a.contains("127.0.0.1")) {
            return Err((
                JobStatus::RunFailed,
                format!(
                    "its run command listens on 127.0.0.1, which inside its own container is unreachable through the port published on the host: write `{{bind}}:{{port}}` in {} (0.0.0.0 in a container, 127.0.0.1 natively), or run with --docker-network host",
                    m.path.display()
                ),
            ));
        }
        let p = crate::exec::server::free_port().map_err(|e| {
            (
                JobStatus::RunFailed,
                format!("no free port on 127.0.0.1: {e}"),
            )
        })?;
        Some(p)
    } else {
        None
    };
    let dir = job
        .build
        .as_ref()
        .map(|(_, d)| d.clone())
        .unwrap_or_else(|| job.cwd.clone());
    let setup = JobSetup {
        key: job_key(&m.slug, &job.name),
        project: m.slug.clone(),
        name: job.name.clone(),
        reference: matches!(job.contender, Contender::Reference(_)),
        dir,
        artifact: if image.is_some() { None } else { artifact },
        artifact_named: job.artifact.clone(),
        dockerfile: image.as_ref().map(|i| i.dockerfile.clone()),
        program: image.as_ref().and_then(|i| i.program.clone()),
        read_only: vec![ctx.root.clone(), ctx.cache.clone()],
        writable: job.log_dir.clone(),
        log: job.log_dir.join("image-build.log"),
        port,
        network,
        memory: settings
            .memory
            .or(m.docker.memory)
            .unwrap_or(JobSetup::DEFAULT_MEMORY),
        cpus: settings.cpus.or(m.docker.cpus),
    };
    match ctx.backend.prepare(&setup) {
        Ok(p) => Ok(p.map(|p| {
            job.placement = p.placement.clone();
            ImageReport {
                tag: p.image,
                id: p.image_id,
                source: p.source,
                cached: p.cached,
                build_ns: p.build_time.as_nanos() as u64,
                memory_limit_bytes: setup.memory,
                cpus: setup.cpus,
                network: p.placement,
            }
        })),
        Err(PrepareError::Unsupported(r)) => Err((JobStatus::Skipped, r)),
        Err(PrepareError::Failed(r)) => Err((JobStatus::BuildFailed, r)),
    }
}
