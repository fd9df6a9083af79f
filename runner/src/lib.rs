//! The benchmark runner, one pipeline:
//!
//! ```text
//! manifest → plan → measure (exec, loadgen, verify, stats) → report → output
//! ```
//!
//! A map, one line per module (docs/architecture.md has the longer version, with what each one
//! never does):
//!
//! - `cmd/` — one file per subcommand; the only module that names every other one.
//! - `manifest/` — TOML manifests: raw schema → validation with spans (`validate/`, one file per
//!   docs/manifest.md section) → typed model.
//! - `plan/` — jobs with every command expanded, and the seeded round order. No I/O.
//! - `measure/` — one project start to finish: prepare, verify (`check.rs`), the round driver
//!   (`rounds.rs`) and the quiet-machine gate it asks (`quiet.rs`), commands and services,
//!   verdicts, statistics at the end. Never prints: it emits `event`s.
//! - `exec/` — the `Backend` trait (run, prepare, start/watch/stop a server) and its native,
//!   Docker and fake implementations; long-running processes and their `/proc` accounting.
//! - `loadgen/` — the HTTP load generator and the built-in HTTP backend fixture.
//! - `verify/` — output checks and HTTP scripts.
//! - `stats/` — pure statistics, tested against scipy; uses nothing of ours.
//! - `report/` — the versioned JSON contract, storage, merging shards, comparing two reports.
//! - `output/` — what people read: README rendering, exports, terminal tables, progress.
//! - `input/` — generated and committed inputs, cached by content.
//! - `toolchain/` — pinned Go, Zig and Rust, provisioning, CPU levels.
//! - `activity.rs` — what the machine is busy with, from /proc (for the quiet-machine gate).
//! - `prereq/` — what the machine must have, declared once (`[requires]` of toolchains.toml and of
//!   each manifest): the model, what is missing for whom, probing, installing.
//! - `setup.rs` — applies those declarations for `runner doctor` and before a bench.
//! - `probe.rs` — the measuring probe (`runner-probe`, `runner __probe`, the static probe).
//! - `matrix.rs` — which projects a CI change list selects.
//! - `event.rs`, `units.rs` — measurement events; units and their human formatting.
//!
//! Dependencies point one way: `cmd` uses everything; `measure` uses `exec`, `plan`, `verify`,
//! `input`, `loadgen`, `stats` and writes into `report` types; `plan` and `verify` use
//! `manifest`; `output` reads reports and events only; `stats` uses nothing of ours.

pub mod activity;
pub mod cmd;
pub mod event;
pub mod exec;
pub mod input;
pub mod loadgen;
pub mod manifest;
pub mod matrix;
pub mod measure;
pub mod output;
pub mod plan;
pub mod prereq;
pub mod probe;
pub mod report;
pub mod setup;
pub mod stats;
pub mod toolchain;
pub mod units;
pub mod verify;
