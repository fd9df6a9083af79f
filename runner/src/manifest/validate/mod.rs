//! Semantic checks of one parsed manifest: turns a `RawManifest` into a `Manifest`, collecting
//! **every** problem (not only the first), each with its span and a fix.
//!
//! Syntax, unknown keys and wrong types are found earlier (in `mod.rs`, by the TOML parser);
//! problems that span several manifests (duplicate ids) are found by `load_all`.

use super::error::{ManifestError, SourceFile};
use super::model::*;
use super::schema::*;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::Path;
use toml::Spanned;

mod identity;
mod inputs;
mod lang;
mod metric;
mod params;
mod placeholders;
mod reference;
mod requires;
mod sampling;
mod service;
mod text;
mod verify;

use placeholders::Ctx;

struct Validator<'a> {
    src: &'a SourceFile,
    root: &'a Path,
    errors: Vec<ManifestError>,
    params: BTreeSet<String>,
    inputs: BTreeSet<String>,
    /// The manifest declares [service].
    service: bool,
    /// Fixture names and instance counts.
    fixtures: BTreeMap<String, u32>,
}

impl<'a> Validator<'a> {
    fn err(
        &mut self,
        span: Range<usize>,
        msg: impl Into<String>,
        label: &str,
        help: impl Into<String>,
    ) {
        let help = help.into();
        let help = (!help.is_empty()).then_some(help);
        let e = self.src.error(Some(span), msg, label, help);
        self.errors.push(e);
    }

    fn rel_path(&mut self, what: &str, p: &Spanned<String>, must_exist: bool) -> String {
        let s = p.get_ref();
        let path = Path::new(s);
        if !inside(s) {
            self.err(
                p.span(),
                format!("{what} must be a relative path inside the repository"),
                "not a relative path",
                "write it relative to the repository root, without `..`",
            );
        } else if must_exist && !self.root.join(path).exists() {
            self.err(p.span(), format!("{what} `{s}` does not exist"), "not found", "paths are relative to the repository root (the folder above the manifest's folder)".to_string());
        }
        s.clone()
    }
}

/// Whether `path` is a relative path that stays inside its folder: not empty, not absolute,
/// without a `..` component.
fn inside(path: &str) -> bool {
    let p = Path::new(path);
    !path.is_empty()
        && !p.is_absolute()
        && !p
            .components()
            .any(|c| matches!(c, std::path::Component::ParentDir))
}

/// The names of the keys that are absent, in the order given: `keys` pairs each name with
/// whether the key is present.
fn missing<'k>(keys: &[(&'k str, bool)]) -> Vec<&'k str> {
    keys.iter()
        .filter(|(_, present)| !present)
        .map(|(name, _)| *name)
        .collect()
}

/// A table of strings (an `env`, a request's headers) without the spans of its values.
fn unspanned<C: FromIterator<(String, String)>>(table: &BTreeMap<String, Spanned<String>>) -> C {
    table
        .iter()
        .map(|(k, v)| (k.clone(), v.get_ref().clone()))
        .collect()
}

fn join(set: &BTreeSet<String>) -> String {
    if set.is_empty() {
        "none".to_string()
    } else {
        set.iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Validates `raw`, read from `src`; paths are checked against `root`.
pub fn validate(
    src: &SourceFile,
    raw: RawManifest,
    root: &Path,
    path: &Path,
) -> Result<Manifest, Vec<ManifestError>> {
    let mut v = Validator {
        src,
        root,
        errors: Vec::new(),
        params: raw.params.keys().cloned().collect(),
        inputs: raw.inputs.keys().cloned().collect(),
        service: raw.service.is_some(),
        fixtures: raw
            .fixture
            .iter()
            .map(|f| {
                let f = f.get_ref();
                (
                    f.name.get_ref().clone(),
                    f.count.as_ref().map_or(1, |c| *c.get_ref()),
                )
            })
            .collect(),
    };

    let (id, slug) = identity::validate(&mut v, &raw, path);
    let (text, notes) = text::validate(&mut v, &raw);
    let params = params::validate(&mut v, &raw);
    let (executables, pkg_config) = requires::validate(&raw);

    let inputs = inputs::validate(&mut v, &raw);
    let langs = lang::validate(&mut v, &raw);
    let any_impl = langs.values().any(|d| matches!(d, LangDef::Impl(_)));
    let references = reference::validate(&mut v, &raw);

    let checks = verify::validate(&mut v, &raw, any_impl);
    let metric = metric::validate(&mut v, &raw, any_impl);
    let sampling = sampling::validate(&mut v, &raw);

    // Services, fixtures and load.
    let (service, fixtures, load) = service::validate(&mut v, &raw, any_impl, metric.as_ref());
    // Docker.
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

    if !v.errors.is_empty() {
        let mut errors = v.errors;
        errors.sort_by_key(|e| e.offset());
        return Err(errors);
    }
    Ok(Manifest {
        path: path.to_path_buf(),
        sha256: String::new(),
        id,
        slug,
        group: *raw.group.get_ref(),
        text,
        notes,
        executables,
        pkg_config,
        params,
        inputs,
        langs,
        references,
        checks,
        metric,
        sampling,
        service,
        fixtures,
        load,
        docker,
    })
}
