//! A job's long-lived container: how it is made (the static probe, the repository and the input
//! cache mounted read-only, the job's folder writable, all at their host paths; memory, CPU and
//! pids limits; a read-only root with a `/tmp` tmpfs; no capabilities; `no-new-privileges`; the
//! runner's labels), kept alive by holding its standard input, killed and removed. What runs in it
//! is `run.rs`'s and `server.rs`'s; which network it joins is `network.rs`'s.

use super::engine::{LABEL, OWNER_LABEL};
use super::image::tag_part;
use super::network::Attachment;
use super::probe::PROBE_PATH;
use super::server::Server;
use super::Docker;
use crate::exec::{JobSetup, Network};
use bollard::models::{ContainerCreateBody, HostConfig, Mount, MountType};
use bollard::query_parameters::{
    AttachContainerOptionsBuilder, CreateContainerOptionsBuilder, KillContainerOptionsBuilder,
    RemoveContainerOptionsBuilder,
};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::pin::Pin;

/// The container's standard input, held open by the runner: when it closes (the runner ends,
/// even by SIGKILL) the container's main process exits and the container is removed.
pub(super) type Lease = Pin<Box<dyn tokio::io::AsyncWrite + Send>>;

/// A prepared job's container.
pub(super) struct Container {
    pub id: String,
    /// `{artifact}` as the run command names it → the program's path in the image.
    pub rename: Option<(String, String)>,
    pub writable: PathBuf,
    pub memory: u64,
    /// Holding the container's standard input open keeps it alive (see the module docs).
    pub _lease: Option<Lease>,
    /// Killed (timeout backstop, output cap, Ctrl-C): further runs cannot happen.
    pub dead: bool,
    /// The server's port and how it is reached (jobs prepared with a port).
    pub port: Option<(u16, Network)>,
    /// A server started by `start_service`.
    pub service: Option<Server>,
}

/// Sends SIGKILL to container `id` (it is removed once it ends: `AutoRemove`).
pub(super) async fn kill_container(client: &bollard::Docker, id: &str) {
    let _ = client
        .kill_container(
            id,
            Some(KillContainerOptionsBuilder::new().signal("KILL").build()),
        )
        .await;
}

/// Removes container `id` whatever its state.
async fn remove_container(client: &bollard::Docker, id: &str) {
    let opts = RemoveContainerOptionsBuilder::new().force(true).build();
    let _ = client.remove_container(id, Some(opts)).await;
}

impl Docker {
    /// Creates and starts `job`'s container from image `tag`, attached as `attachment` says;
    /// returns its id and the lease on its standard input.
    pub(super) fn start_container(
        &mut self,
        job: &JobSetup,
        tag: &str,
        attachment: Attachment,
    ) -> Result<(String, Option<Lease>), String> {
        let bind = |src: &Path, target: &str, ro: bool| Mount {
            target: Some(target.to_string()),
            source: Some(src.display().to_string()),
            typ: Some(MountType::BIND),
            read_only: Some(ro),
            ..Default::default()
        };
        let mut mounts = vec![bind(&self.probe, PROBE_PATH, true)];
        for p in &job.read_only {
            if p.exists() {
                mounts.push(bind(p, &p.display().to_string(), true));
            }
        }
        mounts.push(bind(
            &job.writable,
            &job.writable.display().to_string(),
            false,
        ));
        let mut labels = HashMap::from([
            (LABEL.to_string(), "1".to_string()),
            (OWNER_LABEL.to_string(), self.owner.clone()),
            ("runner.job".to_string(), job.key.clone()),
        ]);
        labels.insert("runner.image".into(), tag.to_string());
        let memory = job.memory;
        let host_config = HostConfig {
            mounts: Some(mounts),
            readonly_rootfs: Some(true),
            tmpfs: Some(HashMap::from([(
                "/tmp".to_string(),
                "rw,nosuid,nodev,size=256m,mode=1777".to_string(),
            )])),
            memory: Some(memory as i64),
            memory_swap: Some(memory as i64),
            nano_cpus: job.cpus.map(|c| (c * 1e9) as i64),
            pids_limit: Some(4096),
            network_mode: Some(attachment.mode),
            port_bindings: attachment.port_bindings,
            auto_remove: Some(true),
            cap_drop: Some(vec!["ALL".into()]),
            security_opt: Some(vec!["no-new-privileges".into()]),
            ..Default::default()
        };
        let body = ContainerCreateBody {
            image: Some(tag.to_string()),
            entrypoint: Some(vec![PROBE_PATH.to_string()]),
            cmd: Some(vec!["--idle".into()]),
            user: Some(self.user.clone()),
            working_dir: Some("/".into()),
            open_stdin: Some(true),
            stdin_once: Some(true),
            attach_stdin: Some(true),
            labels: Some(labels),
            exposed_ports: attachment.exposed,
            host_config: Some(host_config),
            ..Default::default()
        };
        let name = format!(
            "runner-{}-{}-{}",
            std::process::id(),
            tag_part(&job.project),
            tag_part(&job.name)
        );
        let client = &self.client;
        self.rt.block_on(async {
            let created = client
                .create_container(
                    Some(CreateContainerOptionsBuilder::new().name(&name).build()),
                    body,
                )
                .await
                .map_err(|e| format!("cannot create the container from {tag}: {e}"))?;
            let id = created.id;
            let attach = client
                .attach_container(
                    &id,
                    Some(
                        AttachContainerOptionsBuilder::new()
                            .stdin(true)
                            .stream(true)
                            .build(),
                    ),
                )
                .await;
            let lease = match attach {
                Ok(a) => Some(a.input),
                Err(_) => None,
            };
            if let Err(e) = client
                .start_container(
                    &id,
                    None::<bollard::query_parameters::StartContainerOptions>,
                )
                .await
            {
                remove_container(client, &id).await;
                return Err(format!("cannot start the container from {tag}: {e}"));
            }
            Ok((id, lease))
        })
    }

    /// Kills job `key`'s container; its further runs fail.
    pub(super) fn kill(&mut self, key: &str) {
        if let Some(c) = self.jobs.get_mut(key) {
            c.dead = true;
            let id = c.id.clone();
            let client = &self.client;
            self.rt.block_on(kill_container(client, &id));
        }
    }

    /// Removes job `key`'s container, if it has one (a job prepared again).
    pub(super) fn remove(&mut self, key: &str) {
        if let Some(old) = self.jobs.remove(key) {
            let client = &self.client;
            self.rt.block_on(remove_container(client, &old.id));
        }
    }

    /// Removes every container of this runner ([`crate::exec::Backend::cleanup`]).
    pub(super) fn remove_all(&mut self) {
        if self.jobs.is_empty() {
            return;
        }
        let jobs: Vec<Container> = self.jobs.drain().map(|(_, c)| c).collect();
        let client = &self.client;
        self.rt.block_on(async {
            for c in &jobs {
                remove_container(client, &c.id).await;
            }
        });
        drop(jobs);
    }
}
