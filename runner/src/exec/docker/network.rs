//! How a job's container is networked. A job without a port has no network (`none`). A server
//! ([`Network::Published`], the default) gets its own network namespace on the private bridge
//! [`SERVICE_NETWORK`] (made here on first use: no NAT, no traffic between containers), its port
//! published on 127.0.0.1 only; it listens on `0.0.0.0` inside, and its fixtures listen on the
//! bridge's host side. With [`Network::Host`] it shares this machine's network namespace and
//! listens on 127.0.0.1 like a native server. Also tells what forwards the published port
//! (`docker-proxy` or the kernel), for the report. Never creates a container.

use super::engine::LABEL;
use super::Docker;
use crate::exec::service::find_process;
use crate::exec::{JobSetup, Network, Placement};
use bollard::models::PortBinding;
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};

/// The network of containers that publish ports (service benchmarks): a bridge without NAT
/// (`enable_ip_masquerade=false`) and without inter-container traffic, so a server is reachable
/// from this machine's 127.0.0.1 but reaches nothing outside.
pub const SERVICE_NETWORK: &str = "runner-loopback";

/// What a container's creation needs to join its network.
pub(super) struct Attachment {
    /// `none`, `host` or [`SERVICE_NETWORK`].
    pub mode: String,
    /// The published port: `<port>/tcp` → 127.0.0.1:`<port>`.
    pub port_bindings: Option<HashMap<String, Option<Vec<PortBinding>>>>,
    /// `<port>/tcp`, when published.
    pub exposed: Option<Vec<String>>,
}

impl Docker {
    /// How `job`'s container joins a network, and where its server runs (jobs with a port).
    /// Creates [`SERVICE_NETWORK`] when a published job needs it first.
    pub(super) fn attachment(
        &mut self,
        job: &JobSetup,
    ) -> Result<(Attachment, Option<Placement>), String> {
        let localhost = IpAddr::V4(Ipv4Addr::LOCALHOST);
        let offline = |mode: &str| Attachment {
            mode: mode.to_string(),
            port_bindings: None,
            exposed: None,
        };
        Ok(match job.port {
            None => (offline("none"), None),
            Some(p) if job.network == Network::Host => (
                offline("host"),
                Some(Placement {
                    network: Network::Host,
                    port: p,
                    bind: "127.0.0.1".into(),
                    fixture_host: localhost,
                    client: localhost,
                    forwarding: "none".into(),
                }),
            ),
            Some(p) => {
                let map = HashMap::from([(
                    format!("{p}/tcp"),
                    Some(vec![PortBinding {
                        host_ip: Some("127.0.0.1".into()),
                        host_port: Some(p.to_string()),
                    }]),
                )]);
                let gateway = self.service_network()?;
                (
                    Attachment {
                        mode: SERVICE_NETWORK.to_string(),
                        port_bindings: Some(map),
                        exposed: Some(vec![format!("{p}/tcp")]),
                    },
                    Some(Placement {
                        network: Network::Published,
                        port: p,
                        bind: "0.0.0.0".into(),
                        fixture_host: gateway,
                        client: gateway,
                        forwarding: String::new(),
                    }),
                )
            }
        })
    }

    /// Creates [`SERVICE_NETWORK`] unless it exists; returns its gateway (the host's address on
    /// the bridge).
    fn service_network(&mut self) -> Result<IpAddr, String> {
        self.ensure_service_network()?;
        let client = &self.client;
        let net = self
            .rt
            .block_on(client.inspect_network(
                SERVICE_NETWORK,
                None::<bollard::query_parameters::InspectNetworkOptions>,
            ))
            .map_err(|e| format!("cannot inspect the network {SERVICE_NETWORK}: {e}"))?;
        net.ipam
            .and_then(|i| i.config)
            .unwrap_or_default()
            .iter()
            .filter_map(|c| c.gateway.as_deref())
            .find_map(|g| g.parse::<Ipv4Addr>().ok())
            .map(IpAddr::V4)
            .ok_or_else(|| format!("the network {SERVICE_NETWORK} has no IPv4 gateway"))
    }

    fn ensure_service_network(&mut self) -> Result<(), String> {
        let client = &self.client;
        self.rt.block_on(async {
            if client
                .inspect_network(
                    SERVICE_NETWORK,
                    None::<bollard::query_parameters::InspectNetworkOptions>,
                )
                .await
                .is_ok()
            {
                return Ok(());
            }
            let req = bollard::models::NetworkCreateRequest {
                name: SERVICE_NETWORK.into(),
                driver: Some("bridge".into()),
                labels: Some(HashMap::from([(LABEL.to_string(), "1".to_string())])),
                options: Some(HashMap::from([
                    (
                        "com.docker.network.bridge.enable_ip_masquerade".to_string(),
                        "false".to_string(),
                    ),
                    (
                        "com.docker.network.bridge.enable_icc".to_string(),
                        "false".to_string(),
                    ),
                ])),
                ..Default::default()
            };
            match client.create_network(req).await {
                Ok(_) => Ok(()),
                // Another runner made it meanwhile.
                Err(_)
                    if client
                        .inspect_network(
                            SERVICE_NETWORK,
                            None::<bollard::query_parameters::InspectNetworkOptions>,
                        )
                        .await
                        .is_ok() =>
                {
                    Ok(())
                }
                Err(e) => Err(format!("cannot create the network {SERVICE_NETWORK}: {e}")),
            }
        })
    }
}

/// What forwards 127.0.0.1:`port` to a published server: the engine does it either in user
/// space (a `docker-proxy` process per port, the default) or in the kernel
/// (`userland-proxy: false`, `iptables`).
pub(super) fn forwarder(port: u16) -> String {
    let port = port.to_string();
    let proxy = find_process(&|argv| {
        argv[0].ends_with("docker-proxy")
            && argv
                .windows(2)
                .any(|w| w[0] == "-host-port" && w[1] == port)
    });
    if proxy.is_some() {
        "docker-proxy".into()
    } else {
        "iptables".into()
    }
}
