//! Reports: the versioned JSON the runner writes (`schema.rs`), the host fingerprint
//! (`host.rs`), and atomic writing of run files and per-project "latest" views (`store.rs`).
//! Documented for users in `docs/report.md`.

pub mod host;
pub mod schema;
pub mod store;

pub use schema::*;
