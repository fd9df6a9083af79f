//! Reports: the versioned JSON the runner writes (`schema.rs`), the host fingerprint
//! (`host.rs`), atomic writing of run files and per-project "latest" views (`store.rs`), reading
//! older schema versions (`upgrade.rs`), merging the reports of CI shards into one (`merge.rs`),
//! and comparing two reports (`diff/`, `runner compare`). The report owns every type it
//! serialises (`wire.rs`, converted from the internal types), so the JSON contract changes only
//! where this folder changes.
//! Documented for users in `docs/report.md`.

pub mod diff;
pub mod host;
pub mod merge;
pub mod schema;
pub mod store;
pub mod upgrade;
pub mod wire;

pub use schema::*;
pub use wire::{Better, Comparison, CpuTarget, Exit, Latency, Outliers, Placement, Summary, Text};

#[cfg(test)]
mod contract;
