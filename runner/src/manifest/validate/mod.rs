//! Semantic checks of one parsed manifest: turns a `RawManifest` into a `Manifest`, collecting
//! **every** problem (not only the first), each with its span and a fix.
//!
//! This file is the entry point ([`validate`]), the context every check writes its problems to
//! (`Validator`, with the names the placeholders may refer to) and the order in which the
//! sections run. Each section of docs/manifest.md has its own file, which checks that section and
//! returns its part of the typed model; [`validate`] assembles the parts into a `Manifest` only
//! when no section found a problem. `placeholders.rs` checks commands for all of them.
//!
//! Problems are sorted by their position in the file, so the order of the sections only decides
//! between problems at the same position; keep it when adding one.
//!
//! Syntax, unknown keys and wrong types are found earlier (in `mod.rs`, by the TOML parser);
//! problems that span several manifests (duplicate ids) are found by `load_all`. The only disk
//! access here is checking that the paths a manifest names exist (`dir`, inputs, an `exact`
//! check's `expected`, a Dockerfile): no file is read and nothing is run.

use super::error::{ManifestError, SourceFile};
use super::model::*;
use super::schema::*;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::Path;
use toml::Spanned;

mod docker;
mod identity;
mod inputs;
mod lang;
mod metric;
mod params;
mod placeholders;
mod quick;
mod reference;
mod requires;
mod sampling;
mod service;
mod text;
mod variant;
mod verify;

use placeholders::Ctx;

/// What every check shares: the source the spans point into, the repository root, the problems
/// found so far, and the names declared elsewhere in the manifest that commands may refer to.
struct Validator<'a> {
    src: &'a SourceFile,
    root: &'a Path,
    errors: Vec<ManifestError>,
    /// Declared parameter names, for `{param.NAME}`.
    params: BTreeSet<String>,
    /// Declared input names, for `{input.NAME}` and a throughput metric.
    inputs: BTreeSet<String>,
    /// The manifest declares [service].
    service: bool,
    /// Fixture names and instance counts.
    fixtures: BTreeMap<String, u32>,
}

impl<'a> Validator<'a> {
    /// A context for `raw`, read from `src`, whose paths are relative to `root`.
    fn new(src: &'a SourceFile, root: &'a Path, raw: &RawManifest) -> Self {
        Validator {
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
        }
    }

    /// Records a problem at `span`: `msg` says what is wrong, `label` is written under the caret,
    /// `help` says what to do (none when empty).
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

    /// A path relative to the repository root (`what` names it in messages); with `must_exist`,
    /// it must exist now. Returns it as written.
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

/// The names in `set`, comma-separated, or "none": the "known: …" part of a hint.
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
    let mut v = Validator::new(src, root, &raw);

    // The sections, in the order of docs/manifest.md.
    let (id, slug) = identity::validate(&mut v, &raw, path);
    let (text, notes) = text::validate(&mut v, &raw);
    let requires = requires::validate(&mut v, &raw);
    let params = params::validate(&mut v, &raw);
    let quick_params = quick::validate(&mut v, &raw, &params);

    let inputs = inputs::validate(&mut v, &raw);
    let langs = lang::validate(&mut v, &raw);
    let any_impl = langs.values().any(|d| matches!(d, LangDef::Impl(_)));
    let references = reference::validate(&mut v, &raw);

    let checks = verify::validate(&mut v, &raw, any_impl);
    let metric = metric::validate(&mut v, &raw, any_impl);
    let sampling = sampling::validate(&mut v, &raw);

    let (service, fixtures, load) = service::validate(&mut v, &raw, any_impl, metric.as_ref());
    let docker = docker::validate(&mut v, &raw);

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
        requires,
        params,
        quick_params,
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
