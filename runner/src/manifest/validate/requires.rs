//! Requirements (docs/manifest.md, "`[requires]`"): the executables and pkg-config packages every
//! job of the project needs, taken as written.
//!
//! Nothing here can be wrong once the TOML parser has accepted the types, so this file reports no
//! problem, and it never looks for the programs or packages: that happens before a project runs,
//! not when a manifest is checked.

use crate::manifest::schema::RawManifest;

/// Returns the required executables and pkg-config packages.
pub(super) fn validate(raw: &RawManifest) -> (Vec<String>, Vec<String>) {
    let executables = raw
        .requires
        .executables
        .iter()
        .map(|e| e.get_ref().clone())
        .collect();
    let pkg_config = raw
        .requires
        .pkg_config
        .iter()
        .map(|e| e.get_ref().clone())
        .collect();
    (executables, pkg_config)
}
