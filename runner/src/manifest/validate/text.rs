//! Display texts (docs/manifest.md, "`[text.en]` and `[text.th]`" and "`notes`"): both text
//! tables are present and no other language is; `notes` is keyed by the same languages.
//!
//! The texts' own keys (`name`, `summary`, `skill`) and their types are the TOML parser's to
//! check; this file never looks inside a text. It never touches the disk.

use super::Validator;
use crate::manifest::schema::{RawManifest, Text};
use std::collections::BTreeMap;

/// The languages of texts and notes.
const LANGUAGES: [&str; 2] = ["en", "th"];

/// Checks `[text.*]` and `notes`; returns the texts and the notes, both by language code.
pub(super) fn validate(
    v: &mut Validator<'_>,
    raw: &RawManifest,
) -> (BTreeMap<String, Text>, BTreeMap<String, String>) {
    let mut text = BTreeMap::new();
    for (code, t) in &raw.text {
        if !LANGUAGES.contains(&code.as_str()) {
            v.err(
                t.span(),
                format!("unknown text language `{code}`"),
                "unknown",
                "texts are [text.en] and [text.th]",
            );
        }
        text.insert(code.clone(), t.get_ref().clone());
    }
    for code in LANGUAGES {
        if !raw.text.contains_key(code) {
            v.err(
                raw.id.span(),
                format!("missing [text.{code}]"),
                "in this manifest",
                format!("add [text.{code}] with name, summary and skill"),
            );
        }
    }

    // Notes.
    if let Some(notes) = &raw.notes {
        for code in notes.keys() {
            if !LANGUAGES.contains(&code.as_str()) {
                v.err(
                    raw.id.span(),
                    format!("unknown notes language `{code}`"),
                    "in this manifest",
                    "notes are keyed by en and th",
                );
            }
        }
    }
    (text, raw.notes.clone().unwrap_or_default())
}
