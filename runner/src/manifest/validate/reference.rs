//! Reference programs (docs/manifest.md, "`[[reference]]`"): each `run` is a command with the
//! placeholders of a reference (no `{artifact}`, no `{dir}`).
//!
//! `name`, `verified` and `env` are taken as written. It never touches the disk and never decides
//! whether a reference runs (`--no-references` and the Docker backend are decided later).

use super::{unspanned, Ctx, Validator};
use crate::manifest::model::ReferenceDef;
use crate::manifest::schema::RawManifest;

/// Checks every `[[reference]]`; returns them in the manifest's order.
pub(super) fn validate(v: &mut Validator<'_>, raw: &RawManifest) -> Vec<ReferenceDef> {
    let mut references = Vec::new();
    for r in &raw.reference {
        let rr = r.get_ref();
        let run = v.command(
            &format!("reference `{}`", rr.name.get_ref()),
            &rr.run,
            Ctx::Reference,
            r.span(),
        );
        references.push(ReferenceDef {
            name: rr.name.get_ref().clone(),
            run,
            verified: rr.verified,
            env: unspanned(&rr.env),
        });
    }
    references
}
