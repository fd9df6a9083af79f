//! The pipeline of the benchmark runner:
//! manifest → plan → exec/measure → verify → stats → report → render.
//!
//! Dependencies point one way: `app` uses everything; `measure` uses `exec`, `plan`, `verify`,
//! `input`, `stats` and writes into `report` types; `plan` and `verify` use `manifest`; `stats`
//! uses nothing of ours. Measurement never prints: it emits `event`s that `progress` draws.
//! What the machine must have is declared once (`[requires]` of toolchains.toml and of each
//! manifest): `prereq` models, probes and installs it, `setup` applies it for `doctor` and `bench`.

pub mod cmd;
pub mod compare;
pub mod event;
pub mod exec;
pub mod export;
pub mod input;
pub mod load;
pub mod manifest;
pub mod matrix;
pub mod measure;
pub mod merge;
pub mod plan;
pub mod prereq;
pub mod probe;
pub mod progress;
pub mod render;
pub mod report;
pub mod setup;
pub mod stats;
pub mod table;
pub mod toolchain;
pub mod units;
pub mod verify;
