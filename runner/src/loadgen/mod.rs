//! HTTP load generation and the built-in HTTP backend fixture: the only module that knows tokio, hyper,
//! httparse and hdrhistogram.
//!
//! [`run`] drives one server from C keep-alive connections for a fixed time, closed loop (each
//! connection sends its next request when the previous answer has arrived) or open loop at a
//! constant total rate (wrk2-style: each request has an intended send time, and its latency is
//! also measured from that time, so a server that stalls is charged for the requests it kept
//! waiting — coordinated omission corrected). [`exchange`] sends one request and returns the
//! whole answer (verification scripts, through hyper's client). The measured path uses the lean
//! client of `wire.rs` (tokio + httparse), which leaves more of the CPU to the
//! server. `fixture.rs` is the built-in HTTP backend a project's service can be put in front of.
//!
//! Everything here blocks the caller on a private tokio runtime and never prints.

mod client;
pub mod fixture;
mod histogram;
mod wire;

pub use client::{exchange, run, Answer, LoadError, LoadSpec};
pub use histogram::Latency;

use std::collections::BTreeMap;
use std::time::Duration;

/// Client threads when none are asked for: half the CPUs (at least one), since the server under
/// test runs on the same machine and needs the rest.
pub fn default_threads() -> usize {
    (std::thread::available_parallelism().map_or(2, |n| n.get()) / 2).max(1)
}

/// One request to send, cycled through in order by every connection.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RequestTemplate {
    /// Method, e.g. `GET`.
    pub method: String,
    /// Path and query, e.g. `/api/items?id=3`.
    pub path: String,
    /// Header names and values (a `host` header is added when absent).
    pub headers: Vec<(String, String)>,
    /// Request body (empty: none).
    pub body: Vec<u8>,
}

/// What a load run measured in its measured window.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadResult {
    /// Length of the measured window.
    pub window: Duration,
    /// Responses completed inside the window.
    pub requests: u64,
    /// Response bytes (headers not counted: body bytes) received inside the window.
    pub body_bytes: u64,
    /// Responses by status code.
    pub statuses: BTreeMap<u16, u64>,
    /// Failed requests by kind (`connect`, `timeout`, `closed`, `parse`, `io`).
    pub errors: BTreeMap<String, u64>,
    /// Latency from the actual send (what a closed-loop client sees).
    pub latency: Latency,
    /// Open loop only: latency from the intended send time (coordinated omission corrected).
    pub latency_corrected: Option<Latency>,
}

impl LoadResult {
    /// Completed responses per second.
    pub fn rps(&self) -> f64 {
        self.requests as f64 / self.window.as_secs_f64().max(1e-9)
    }
    /// All failed requests.
    pub fn error_count(&self) -> u64 {
        self.errors.values().sum()
    }
}
