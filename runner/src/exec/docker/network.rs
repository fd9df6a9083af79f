//! How a job's container is networked. A job without a port has no network (`none`). A server
//! ([`Network::Published`], the default) gets its own network namespace on the private bridge
//! [`SERVICE_NETWORK`] (made here on first use: no NAT, no traffic between containers), its port
//! published on 127.0.0.1 only; it listens on `0.0.0.0` inside, and its fixtures listen on the
//! bridge's host side. With [`Network::Host`] it shares this machine's network namespace and
//! listens on 127.0.0.1 like a native server. Also tells what forwards the published port
//! (`docker-proxy` or the kernel), for the report. Never creates a container.

use super::engine::LABEL;
use super::Docker;
use crate::exec::usage::find_process;
use crate::exec::{JobSetup, Network, Placement};
use bollard::models::PortBinding;
use bollard::query_parameters::ListNetworksOptionsBuilder;
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
    /// the bridge). Runners (or tests) starting at once may each create one: the engine lets two
    /// networks share a name, and then the name is ambiguous to every later call. So the network
    /// is looked up by listing, the oldest of that name is kept, and the others are removed again
    /// (a removal fails harmlessly while a container still uses one).
    fn service_network(&mut self) -> Result<IpAddr, String> {
        let client = &self.client;
        let kept = self.rt.block_on(async {
            let mut found = service_networks(client).await?;
            if found.is_empty() {
                let created = create_service_network(client).await;
                // Another runner may have made it meanwhile, whether or not this one could.
                found = service_networks(client).await?;
                if let (Err(e), true) = (created, found.is_empty()) {
                    return Err(format!("cannot create the network {SERVICE_NETWORK}: {e}"));
                }
            }
            let Some((kept, extra)) = found.split_first() else {
                return Err(format!("the network {SERVICE_NETWORK} vanished"));
            };
            for id in extra {
                let _ = client.remove_network(id).await;
            }
            Ok(kept.clone())
        })?;
        let net = self
            .rt
            .block_on(client.inspect_network(
                &kept,
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
}

/// The ids of the networks named [`SERVICE_NETWORK`], oldest first.
async fn service_networks(client: &bollard::Docker) -> Result<Vec<String>, String> {
    let filters = HashMap::from([("name".to_string(), vec![SERVICE_NETWORK.to_string()])]);
    let list = client
        .list_networks(Some(
            ListNetworksOptionsBuilder::new().filters(&filters).build(),
        ))
        .await
        .map_err(|e| format!("cannot list the networks: {e}"))?;
    // The engine's name filter also matches longer names.
    let mut named: Vec<_> = list
        .into_iter()
        .filter(|n| n.name.as_deref() == Some(SERVICE_NETWORK))
        .filter_map(|n| Some((n.created, n.id?)))
        .collect();
    named.sort();
    Ok(named.into_iter().map(|(_, id)| id).collect())
}

/// Creates [`SERVICE_NETWORK`]: a bridge without NAT and without traffic between containers.
async fn create_service_network(client: &bollard::Docker) -> Result<(), bollard::errors::Error> {
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
    client.create_network(req).await.map(|_| ())
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
