//! The Docker engine as a whole: connecting to it (`DOCKER_HOST` or the local socket) and
//! recording what answered ([`Engine`]), the labels every container of the runner carries
//! ([`LABEL`], [`OWNER_LABEL`]), and removing containers whose runner process is gone. Says
//! nothing about a single job's image, container or runs (the sibling files do).

use super::image::check_static;
use super::user;
use super::Docker;
use crate::exec::interrupt::Interrupt;
use crate::exec::native::Native;
use bollard::query_parameters::{ListContainersOptionsBuilder, RemoveContainerOptionsBuilder};
use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

/// Label on every container and image the runner makes.
pub const LABEL: &str = "runner.managed";
/// Label naming the runner process that owns a container (`<pid>:<start time>`).
pub const OWNER_LABEL: &str = "runner.owner";

/// The engine, as recorded in the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Engine {
    /// Where it was reached (`DOCKER_HOST` or the default socket).
    pub host: String,
    /// Engine version.
    pub version: String,
    /// API version negotiated.
    pub api_version: String,
}

/// Why the Docker backend cannot start.
#[derive(Debug, thiserror::Error)]
pub enum DockerError {
    /// The engine did not answer.
    #[error("cannot reach the Docker Engine at {host}: {message}\n  start it (e.g. `sudo systemctl start docker`, or `sudo dockerd &`), point DOCKER_HOST at a running engine, or measure without containers: --backend native")]
    Unreachable {
        /// Where the runner looked.
        host: String,
        /// What went wrong.
        message: String,
    },
    /// The static probe could not be found or built.
    #[error("{0}")]
    Probe(String),
    /// Anything else.
    #[error("docker: {0}")]
    Other(String),
}

fn host_of_env() -> String {
    std::env::var("DOCKER_HOST").unwrap_or_else(|_| "unix:///var/run/docker.sock".into())
}

/// The start time of process `pid` (clock ticks since boot), to tell a live owner from a reused
/// pid.
fn process_start(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = stat.rsplit_once(')')?.1;
    after.split_whitespace().nth(19)?.parse().ok()
}

/// This runner's owner label value.
fn owner_id() -> String {
    let pid = std::process::id();
    format!("{pid}:{}", process_start(pid).unwrap_or(0))
}

/// Whether the runner process named by an owner label is still alive.
fn owner_alive(owner: &str) -> bool {
    let Some((pid, start)) = owner.split_once(':') else {
        return false;
    };
    match (pid.parse::<u32>(), start.parse::<u64>()) {
        (Ok(pid), Ok(start)) => process_start(pid) == Some(start),
        _ => false,
    }
}

impl Docker {
    /// Connects to the engine named by `DOCKER_HOST` (default: the local socket), checks that it
    /// answers, and removes containers left behind by runner processes that no longer exist.
    pub fn connect(
        interrupt: Interrupt,
        native: Native,
        probe: PathBuf,
    ) -> Result<Docker, DockerError> {
        let host = host_of_env();
        let unreachable = |message: String| DockerError::Unreachable {
            host: host.clone(),
            message,
        };
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| DockerError::Other(format!("cannot start the async runtime: {e}")))?;
        let client = bollard::Docker::connect_with_defaults()
            .map_err(|e| unreachable(e.to_string()))?
            .with_timeout(Duration::from_secs(3600));
        let (client, version) = rt.block_on(async {
            let probe_timeout = Duration::from_secs(10);
            let client = tokio::time::timeout(probe_timeout, client.negotiate_version())
                .await
                .map_err(|_| unreachable("no answer within 10 s".into()))?
                .map_err(|e| unreachable(e.to_string()))?;
            let version = tokio::time::timeout(probe_timeout, client.version())
                .await
                .map_err(|_| unreachable("no answer within 10 s".into()))?
                .map_err(|e| unreachable(e.to_string()))?;
            Ok::<_, DockerError>((client, version))
        })?;
        check_static(&probe).map_err(|e| DockerError::Probe(format!("the static probe: {e}")))?;
        let mut d = Docker {
            engine: Engine {
                host,
                version: version.version.unwrap_or_default(),
                api_version: client.client_version().to_string(),
            },
            rt,
            client,
            native,
            interrupt,
            probe,
            owner: owner_id(),
            user: user::containers_user(),
            jobs: HashMap::new(),
        };
        d.remove_leftovers()?;
        Ok(d)
    }

    /// The engine, for the report.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Removes containers labelled by runner processes that are gone; returns how many.
    pub fn remove_leftovers(&mut self) -> Result<usize, DockerError> {
        let client = &self.client;
        self.rt.block_on(async {
            let filters: HashMap<String, Vec<String>> =
                HashMap::from([("label".to_string(), vec![LABEL.to_string()])]);
            let list = client
                .list_containers(Some(
                    ListContainersOptionsBuilder::new()
                        .all(true)
                        .filters(&filters)
                        .build(),
                ))
                .await
                .map_err(|e| DockerError::Other(format!("cannot list containers: {e}")))?;
            let mut removed = 0;
            for c in list {
                let owner = c
                    .labels
                    .as_ref()
                    .and_then(|l| l.get(OWNER_LABEL))
                    .cloned()
                    .unwrap_or_default();
                if owner_alive(&owner) {
                    continue;
                }
                if let Some(id) = c.id {
                    let opts = RemoveContainerOptionsBuilder::new().force(true).build();
                    if client.remove_container(&id, Some(opts)).await.is_ok() {
                        removed += 1;
                    }
                }
            }
            Ok(removed)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owner_labels_name_live_processes_only() {
        assert!(owner_alive(&owner_id()));
        assert!(!owner_alive("999999999:1"));
        assert!(!owner_alive(""));
        let pid = std::process::id();
        assert!(
            !owner_alive(&format!("{pid}:1")),
            "a reused pid has another start time"
        );
    }
}
