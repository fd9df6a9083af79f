//! Parameters (docs/manifest.md, "`[params]`"): each value is a string, a number or a boolean,
//! and is rendered as the text that `{param.NAME}` stands for.
//!
//! Whether a `{param.NAME}` names a declared parameter is `placeholders.rs`'s check; `--param`
//! overrides are applied later, outside `manifest/`. This file never touches the disk.

use super::Validator;
use crate::manifest::schema::RawManifest;
use std::collections::BTreeMap;

/// Checks `[params]`; returns each parameter's value as text.
pub(super) fn validate(v: &mut Validator<'_>, raw: &RawManifest) -> BTreeMap<String, String> {
    let mut params = BTreeMap::new();
    for (k, val) in &raw.params {
        let s = match scalar_text(val.get_ref()) {
            Some(s) => s,
            None => {
                v.err(
                    val.span(),
                    format!("parameter `{k}` must be a string, number or boolean"),
                    "not a scalar",
                    "",
                );
                continue;
            }
        };
        params.insert(k.clone(), s);
    }
    params
}

/// The text a scalar parameter value stands for (`{param.NAME}`); `None` for a table or array.
pub(super) fn scalar_text(val: &toml::Value) -> Option<String> {
    Some(match val {
        toml::Value::String(s) => s.clone(),
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::Float(f) => f.to_string(),
        toml::Value::Boolean(b) => b.to_string(),
        _ => return None,
    })
}
