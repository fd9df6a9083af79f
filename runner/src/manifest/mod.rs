//! Project manifests: reading `manifests/<slug>.toml`, reporting every problem with its position,
//! and handing the rest of the runner a validated [`Manifest`].
//!
//! `schema.rs` is the serialized shape, `validate/` the checks (one file per section of
//! docs/manifest.md), `error.rs` the diagnostics, `model.rs` the validated types, `placeholder.rs`
//! the `{name}` syntax. Reading files is the only I/O done here (plus existence checks of paths
//! the manifest names).

pub mod error;
pub mod model;
pub mod placeholder;
pub mod schema;
pub mod validate;

pub use error::{LoadError, ManifestError, SourceFile};
pub use model::*;

use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The repository root a manifest's paths are relative to: the folder above the manifest's own
/// folder (`manifests/x.toml` → `.`).
pub fn root_of(path: &Path) -> PathBuf {
    let dir = path.parent().unwrap_or(Path::new("."));
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let abs = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    abs.parent().map(Path::to_path_buf).unwrap_or(abs)
}

/// Reads and validates one manifest.
pub fn load(path: &Path) -> Result<Manifest, LoadError> {
    let text = std::fs::read_to_string(path).map_err(|source| LoadError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse(path, text, &root_of(path))
}

/// Parses and validates manifest `text` that was read from `path`.
pub fn parse(path: &Path, text: String, root: &Path) -> Result<Manifest, LoadError> {
    let sha256 = hex::encode(Sha256::digest(text.as_bytes()));
    let src = SourceFile::new(path, text);
    let invalid = |errors| LoadError::Invalid {
        path: path.to_path_buf(),
        errors,
    };

    let mut unknown: Vec<Vec<String>> = Vec::new();
    let de = toml::Deserializer::new(src.text());
    let parsed: Result<schema::RawManifest, toml::de::Error> =
        serde_ignored::deserialize(de, |p| unknown.push(segments(&p)));
    let mut errors: Vec<ManifestError> = Vec::new();
    // Unknown keys are collected all at once (serde_ignored), wherever they are.
    for keys in &unknown {
        let name = keys.last().cloned().unwrap_or_default();
        let span = key_span(src.text(), keys);
        errors.push(src.error(
            span,
            format!("unknown key `{}`", keys.join(".")),
            "unknown key",
            Some(known_keys_hint(keys)),
        ));
        let _ = name;
    }
    let raw = match parsed {
        Ok(raw) => raw,
        Err(e) => {
            let message = plain_types(e.message());
            // A missing top-level key has no position worth pointing at.
            let span = e
                .span()
                .filter(|s| !(message.starts_with("missing key") && s.start == 0));
            errors.push(src.error(span, message.clone(), "here", Some(type_hint(&message))));
            errors.sort_by_key(|e| e.offset());
            return Err(invalid(errors));
        }
    };
    match validate::validate(&src, raw, root, path) {
        Ok(mut m) if errors.is_empty() => {
            m.sha256 = sha256;
            Ok(m)
        }
        Ok(_) => Err(invalid(errors)),
        Err(more) => {
            errors.extend(more);
            errors.sort_by_key(|e| e.offset());
            Err(invalid(errors))
        }
    }
}

/// Loads many manifests, keeping going past bad ones, and checks ids and slugs are unique.
pub fn load_all(paths: &[PathBuf]) -> (Vec<Manifest>, Vec<LoadError>) {
    let mut ok: Vec<Manifest> = Vec::new();
    let mut bad = Vec::new();
    for p in paths {
        match load(p) {
            Ok(m) => ok.push(m),
            Err(e) => bad.push(e),
        }
    }
    let mut seen: BTreeMap<(String, String), PathBuf> = BTreeMap::new();
    let mut keep = Vec::new();
    for m in ok {
        let dup = [("id", m.id.clone()), ("slug", m.slug.clone())]
            .into_iter()
            .find_map(|(k, v)| {
                seen.get(&(k.to_string(), v.clone()))
                    .map(|first| (k, v, first.clone()))
            });
        if let Some((k, v, first)) = dup {
            let text = std::fs::read_to_string(&m.path).unwrap_or_default();
            let src = SourceFile::new(&m.path, text.clone());
            let span = find_value(&text, k);
            bad.push(LoadError::Invalid {
                path: m.path.clone(),
                errors: vec![src.error(
                    span,
                    format!("duplicate {k} `{v}`: {} already uses it", first.display()),
                    "duplicate",
                    Some(format!("every project needs its own {k}")),
                )],
            });
            continue;
        }
        seen.insert(("id".into(), m.id.clone()), m.path.clone());
        seen.insert(("slug".into(), m.slug.clone()), m.path.clone());
        keep.push(m);
    }
    keep.sort_by_key(|m| id_key(&m.id));
    (keep, bad)
}

/// Sort key for ids like "3.10" (numeric, not lexicographic).
pub fn id_key(id: &str) -> (u32, u32) {
    let mut it = id.split('.').map(|p| p.parse::<u32>().unwrap_or(u32::MAX));
    (it.next().unwrap_or(u32::MAX), it.next().unwrap_or(u32::MAX))
}

fn segments(p: &serde_ignored::Path<'_>) -> Vec<String> {
    use serde_ignored::Path as P;
    let mut out = match p {
        P::Root => return Vec::new(),
        P::Seq { parent, index } => {
            let mut v = segments(parent);
            v.push(index.to_string());
            v
        }
        P::Map { parent, key } => {
            let mut v = segments(parent);
            v.push(key.to_string());
            v
        }
        P::Some { parent } | P::NewtypeStruct { parent } | P::NewtypeVariant { parent } => {
            segments(parent)
        }
    };
    out.retain(|s| !s.starts_with("$__"));
    out
}

fn key_span(text: &str, keys: &[String]) -> Option<std::ops::Range<usize>> {
    use toml_edit::{Item, Value};
    let doc = toml_edit::ImDocument::parse(text.to_string()).ok()?;
    let mut item: &Item = doc.as_item();
    let mut last_key_span = None;
    for (i, k) in keys.iter().enumerate() {
        let last = i + 1 == keys.len();
        match item {
            Item::Table(t) => {
                last_key_span = t.key(k).and_then(|key| key.span());
                item = t.get(k)?;
            }
            Item::Value(Value::InlineTable(t)) => {
                last_key_span = t.key(k).and_then(|key| key.span());
                let v = t.get(k)?;
                if last {
                    return last_key_span.or_else(|| v.span());
                }
                // Step into inline values by re-wrapping is not possible without cloning; stop here.
                return last_key_span.or_else(|| v.span());
            }
            Item::ArrayOfTables(a) => {
                let idx: usize = k.parse().ok()?;
                let t = a.get(idx)?;
                last_key_span = t.span();
                // Continue inside the table.
                let rest = &keys[i + 1..];
                let mut inner = t;
                for (j, kk) in rest.iter().enumerate() {
                    last_key_span = inner.key(kk).and_then(|key| key.span());
                    match inner.get(kk)? {
                        Item::Table(tt) if j + 1 < rest.len() => inner = tt,
                        _ => break,
                    }
                }
                return last_key_span;
            }
            Item::Value(Value::Array(a)) => {
                let idx: usize = k.parse().ok()?;
                let v = a.get(idx)?;
                return v.span();
            }
            _ => return last_key_span,
        }
    }
    last_key_span
}

fn find_value(text: &str, key: &str) -> Option<std::ops::Range<usize>> {
    let doc = toml_edit::ImDocument::parse(text.to_string()).ok()?;
    doc.as_table().get(key).and_then(|i| i.span())
}

fn known_keys_hint(keys: &[String]) -> String {
    let parent: Vec<&str> = keys
        .iter()
        .take(keys.len().saturating_sub(1))
        .map(|s| s.as_str())
        .collect();
    let known: &[&str] = match parent.as_slice() {
        [] => &[
            "id",
            "slug",
            "group",
            "text",
            "notes",
            "requires",
            "params",
            "quick",
            "inputs",
            "lang",
            "reference",
            "verify",
            "metric",
            "sampling",
            "docker",
            "service",
            "fixture",
            "load",
        ],
        ["docker"] => &["default", "memory", "cpus"],
        ["service"] => &[
            "ready",
            "ready_path",
            "ready_status",
            "ready_timeout",
            "grace",
        ],
        ["fixture", _] => &[
            "name",
            "count",
            "builtin",
            "body_bytes",
            "delay_ms",
            "run",
            "env",
        ],
        ["load"] => &[
            "connections",
            "headline_connections",
            "duration",
            "warmup",
            "rate",
            "timeout",
            "threads",
            "max_error_rate",
            "request",
        ],
        ["load", "request", _] => &["method", "path", "headers", "body"],
        ["verify", _, "step", _] => &[
            "name",
            "method",
            "path",
            "headers",
            "body",
            "repeat",
            "status",
            "expect_headers",
            "body_equals",
            "body_contains",
            "json",
        ],
        ["lang", _, "docker"] => &["dockerfile", "program"],
        ["text", _] => &["name", "summary", "skill"],
        ["requires"] => &["executables", "apt", "pypi"],
        ["requires", "apt", _] => &["executables", "pkg_config", "files", "python_modules"],
        ["quick"] => &["params"],
        ["inputs", _] => &["generate", "prepare", "sources", "path"],
        ["lang", _] => &[
            "todo", "dir", "build", "artifact", "run", "test", "env", "docker", "variant",
        ],
        ["lang", _, "variant", _] => &["name", "dir", "build", "artifact", "run", "env", "note"],
        ["reference", _] => &["name", "run", "verified", "env"],
        ["verify", _] => &[
            "kind",
            "files",
            "stdout",
            "file",
            "expected",
            "sha256",
            "params",
            "fields",
            "tolerance",
            "run",
            "step",
        ],
        ["metric"] => &[
            "headline",
            "input",
            "field",
            "unit",
            "better",
            "min_effect",
            "instructions",
        ],
        ["sampling"] => &[
            "warmup",
            "min_runs",
            "max_runs",
            "min_time",
            "target_rse",
            "timeout",
        ],
        _ => &[],
    };
    if known.is_empty() {
        "remove it; see docs/manifest.md for the format".to_string()
    } else {
        format!(
            "known keys here: {} (see docs/manifest.md)",
            known.join(", ")
        )
    }
}

/// serde's wording with Rust type names replaced by what a manifest author writes.
fn plain_types(message: &str) -> String {
    let mut m = message.trim().replace("missing field", "missing key");
    for (rust, plain) in [
        ("expected u32", "expected a whole number ≥ 0"),
        ("expected u64", "expected a whole number ≥ 0"),
        ("expected f64", "expected a number"),
        ("expected a sequence", "expected an array"),
        ("expected a boolean", "expected true or false"),
    ] {
        m = m.replace(rust, plain);
    }
    m
}

fn type_hint(message: &str) -> String {
    if message.contains("missing key") {
        "add the missing key; docs/manifest.md lists every key with an example".to_string()
    } else if message.contains("invalid type") || message.contains("invalid value") {
        "give the value the type docs/manifest.md shows for this key".to_string()
    } else {
        "fix the TOML syntax at the caret (see https://toml.io)".to_string()
    }
}
