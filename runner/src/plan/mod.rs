//! Planning, without I/O: which jobs a bench runs, with every placeholder expanded, and the
//! order of runs in each round.
//!
//! `job.rs` turns a manifest plus resolved paths into concrete commands; `schedule.rs` decides the
//! interleaved, seeded order of runs.

pub mod job;
pub mod schedule;

pub use job::*;
pub use schedule::Schedule;
