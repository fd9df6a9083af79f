//! Reports: the versioned JSON the runner writes (`schema.rs`), the host fingerprint
//! (`host.rs`), atomic writing of run files and per-project "latest" views (`store.rs`), and
//! reading older schema versions (`upgrade.rs`), and merging the reports of CI shards into one
//! (`merge.rs`).
//! Documented for users in `docs/report.md`.

pub mod diff;
pub mod host;
pub mod merge;
pub mod schema;
pub mod store;
pub mod upgrade;

pub use schema::*;
