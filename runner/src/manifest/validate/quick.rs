//! The quick profile (docs/manifest.md, "`[quick]`"): the parameter values `runner bench --quick`
//! uses instead of `[params]`' defaults — small inputs, for a first look in minutes and for CI's
//! smoke bench.
//!
//! Checked here: each one is a declared parameter and a scalar. How many runs and how long the
//! load windows are in the quick profile is the runner's (`cmd`'s settings), not the manifest's.

use super::Validator;
use crate::manifest::schema::RawManifest;
use std::collections::BTreeMap;

/// Checks `[quick]` against the declared `params`; returns its values as text.
pub(super) fn validate(
    v: &mut Validator<'_>,
    raw: &RawManifest,
    params: &BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    let mut quick = BTreeMap::new();
    let Some(q) = &raw.quick else {
        return quick;
    };
    for (k, val) in &q.get_ref().params {
        if !raw.params.contains_key(k) {
            let known: Vec<&str> = raw.params.keys().map(String::as_str).collect();
            v.err(
                val.span(),
                format!("[quick] sets parameter `{k}`, which [params] does not declare"),
                "unknown parameter",
                format!(
                    "declare it under [params] with its default, or remove it here; declared: {}",
                    if known.is_empty() {
                        "none".to_string()
                    } else {
                        known.join(", ")
                    }
                ),
            );
            continue;
        }
        let text = match val.get_ref() {
            toml::Value::String(s) => s.clone(),
            toml::Value::Integer(i) => i.to_string(),
            toml::Value::Float(f) => f.to_string(),
            toml::Value::Boolean(b) => b.to_string(),
            _ => {
                v.err(
                    val.span(),
                    format!("quick parameter `{k}` must be a string, number or boolean"),
                    "not a scalar",
                    "",
                );
                continue;
            }
        };
        if params.get(k) == Some(&text) {
            v.err(
                val.span(),
                format!("[quick] sets `{k}` to its default, {text}"),
                "same as [params]",
                "remove it here, or give the smaller value a quick look needs",
            );
            continue;
        }
        quick.insert(k.clone(), text);
    }
    quick
}
