//! Docker settings (docs/manifest.md, "`[docker]`"): `memory` is a size of at least 6 MiB,
//! `cpus` a positive number, `network` a known network mode; `default` is taken as written.
//!
//! It never talks to Docker, never builds an image and never touches the disk; the command-line
//! overrides (`--memory`, `--cpus`, `--docker-network`, `--backend`) are applied later, outside
//! `manifest/`. `[lang.*.docker]` (an implementation's own Dockerfile) is `lang.rs`'s.

use super::Validator;
use crate::manifest::model::DockerSettings;
use crate::manifest::schema::RawManifest;

/// Checks `[docker]`; returns the settings, the defaults where it is absent.
pub(super) fn validate(v: &mut Validator<'_>, raw: &RawManifest) -> DockerSettings {
    let mut docker = DockerSettings::default();
    if let Some(d) = &raw.docker {
        let d = d.get_ref();
        docker.default = d.default.as_ref().is_some_and(|x| *x.get_ref());
        if let Some(m) = &d.memory {
            match crate::units::parse_bytes(m.get_ref()) {
                Some(b) if b >= 6 << 20 => docker.memory = Some(b),
                _ => v.err(
                    m.span(),
                    format!(
                        "docker.memory `{}` is not a size of at least 6M",
                        m.get_ref()
                    ),
                    "not a size",
                    "e.g. memory = \"512M\" or \"2G\" (Docker needs at least 6 MiB)",
                ),
            }
        }
        if let Some(c) = &d.cpus {
            let n = *c.get_ref();
            if n > 0.0 && n.is_finite() {
                docker.cpus = Some(n);
            } else {
                v.err(
                    c.span(),
                    "docker.cpus must be a positive number of CPUs",
                    "not positive",
                    "e.g. cpus = 1.5",
                );
            }
        }
        if let Some(n) = &d.network {
            match n.get_ref().parse::<crate::exec::Network>() {
                Ok(net) => docker.network = Some(net),
                Err(_) => v.err(
                    n.span(),
                    format!("docker.network `{}` is not a network mode", n.get_ref()),
                    "unknown mode",
                    "network = \"published\" (own network namespace, port published on 127.0.0.1) or \"host\" (the host's network namespace)",
                ),
            }
        }
    }
    docker
}
