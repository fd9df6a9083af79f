//! The project's identity (docs/manifest.md, "Identity: `id`, `slug`, `group`"): `id` is
//! `GROUP.NUMBER`, `group` is the number before its dot, `slug` is lower-case letters, digits and
//! dashes and equals the manifest's file name without `.toml`.
//!
//! It compares the file name it is given and never touches the disk. Ids and slugs that repeat
//! across manifests are `load_all`'s to find, not this file's: it sees one manifest.

use super::Validator;
use crate::manifest::schema::RawManifest;
use std::path::Path;

/// Checks `id`, `group` and `slug` of the manifest read from `path`; returns the id and the slug.
pub(super) fn validate(v: &mut Validator<'_>, raw: &RawManifest, path: &Path) -> (String, String) {
    let id = raw.id.get_ref().clone();
    let id_ok = id.split_once('.').is_some_and(|(a, b)| {
        !a.is_empty()
            && !b.is_empty()
            && a.bytes().all(|c| c.is_ascii_digit())
            && b.bytes().all(|c| c.is_ascii_digit())
    });
    if !id_ok {
        v.err(
            raw.id.span(),
            format!("id `{id}` is not of the form GROUP.NUMBER"),
            "bad id",
            "write e.g. id = \"3.3\"",
        );
    } else if id.split('.').next().and_then(|g| g.parse::<u32>().ok()) != Some(*raw.group.get_ref())
    {
        v.err(
            raw.group.span(),
            format!("group {} does not match id `{id}`", raw.group.get_ref()),
            "group differs from the id's prefix",
            "the group is the number before the dot of the id",
        );
    }
    let slug = raw.slug.get_ref().clone();
    let slug_ok = !slug.is_empty()
        && slug
            .bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
        && !slug.starts_with('-');
    if !slug_ok {
        v.err(
            raw.slug.span(),
            format!("slug `{slug}` must be lowercase letters, digits and dashes"),
            "bad slug",
            "write e.g. slug = \"log-masker\"",
        );
    }
    if let Some(stem) = path.file_stem().and_then(|s| s.to_str()) {
        if slug_ok && stem != slug {
            v.err(
                raw.slug.span(),
                format!("slug `{slug}` differs from the file name `{stem}.toml`"),
                "does not match the file name",
                format!("rename the file to {slug}.toml or change the slug"),
            );
        }
    }
    (id, slug)
}
