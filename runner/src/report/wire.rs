//! The report's own copies of the values it records from other modules — how a run ended, a
//! project's texts, a metric's direction, statistics, comparisons, the CPU level, a server's
//! network placement, latency percentiles — each with a `From` conversion from the internal type
//! beside it. The JSON contract is written by these types alone, so a refactor of `exec`,
//! `manifest`, `stats`, `toolchain` or `loadgen` cannot change it silently: it has to change a
//! conversion here, which the snapshot test of `schema.rs` pins. Field names and serde
//! attributes mirror the internal types as they were at schema version 2; nothing here computes.

use crate::{exec, loadgen, manifest, stats, toolchain};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How a run ended (`{"code": 0}` or `{"signal": 9}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Exit {
    /// Exited with this code.
    Code(i32),
    /// Killed by this signal.
    Signal(i32),
}

impl From<exec::Exit> for Exit {
    fn from(e: exec::Exit) -> Self {
        match e {
            exec::Exit::Code(c) => Exit::Code(c),
            exec::Exit::Signal(s) => Exit::Signal(s),
        }
    }
}

/// A project's name, one-line summary and skill in one language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Text {
    /// Project name.
    pub name: String,
    /// One-line summary.
    pub summary: String,
    /// The skill the project practises.
    pub skill: String,
}

impl From<&manifest::schema::Text> for Text {
    fn from(t: &manifest::schema::Text) -> Self {
        Text {
            name: t.name.clone(),
            summary: t.summary.clone(),
            skill: t.skill.clone(),
        }
    }
}

/// A manifest's texts by language code, as the report records them.
pub fn texts(t: &BTreeMap<String, manifest::schema::Text>) -> BTreeMap<String, Text> {
    t.iter().map(|(lang, t)| (lang.clone(), t.into())).collect()
}

/// Whether smaller or larger values win (`"lower"`, `"higher"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Better {
    /// Smaller is better (times).
    Lower,
    /// Larger is better (rates).
    Higher,
}

impl From<manifest::Better> for Better {
    fn from(b: manifest::Better) -> Self {
        match b {
            manifest::Better::Lower => Better::Lower,
            manifest::Better::Higher => Better::Higher,
        }
    }
}

/// Descriptive statistics of one sample (see `stats::Summary` for how each is computed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Number of values.
    pub n: usize,
    /// Arithmetic mean.
    pub mean: f64,
    /// Sample standard deviation (divisor n − 1); 0 when n = 1.
    pub stddev: f64,
    /// Median.
    pub median: f64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
    /// 5th percentile.
    pub p05: f64,
    /// 25th percentile.
    pub p25: f64,
    /// 75th percentile.
    pub p75: f64,
    /// 95th percentile.
    pub p95: f64,
    /// Lower end of the 95% CI of the mean (log scale for values that cannot be negative).
    pub ci95_low: f64,
    /// Upper end of the 95% CI of the mean.
    pub ci95_high: f64,
    /// Relative standard error of the mean.
    pub rel_stderr: f64,
}

impl Summary {
    /// True when the 95% CI reaches further than `stats::NOISY_LIMIT` from the mean.
    #[must_use]
    pub fn is_noisy(&self) -> bool {
        stats::interval::is_noisy(self.mean, self.ci95_low, self.ci95_high)
    }
}

impl From<stats::Summary> for Summary {
    fn from(s: stats::Summary) -> Self {
        Summary {
            n: s.n,
            mean: s.mean,
            stddev: s.stddev,
            median: s.median,
            min: s.min,
            max: s.max,
            p05: s.p05,
            p25: s.p25,
            p75: s.p75,
            p95: s.p95,
            ci95_low: s.ci95_low,
            ci95_high: s.ci95_high,
            rel_stderr: s.rel_stderr,
        }
    }
}

/// Outliers of a sample: 0-based indexes flagged by each rule (reported, never removed).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Outliers {
    /// Modified z-score above 3.5.
    pub mad: Vec<usize>,
    /// Outside Tukey's inner fences, within the outer ones.
    pub tukey_mild: Vec<usize>,
    /// Outside Tukey's outer fences.
    pub tukey_severe: Vec<usize>,
}

impl From<stats::Outliers> for Outliers {
    fn from(o: stats::Outliers) -> Self {
        Outliers {
            mad: o.mad,
            tukey_mild: o.tukey_mild,
            tukey_severe: o.tukey_severe,
        }
    }
}

/// mean(a) / mean(b) with its 95% CI, Welch's p-value and the verdict (see `stats::compare`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// mean(a) / mean(b).
    pub ratio: f64,
    /// Lower end of the 95% CI of the ratio; `None` with fewer than 2 values a side.
    pub ci95_low: Option<f64>,
    /// Upper end of the 95% CI of the ratio.
    pub ci95_high: Option<f64>,
    /// Two-sided p-value of Welch's t-test.
    pub p_value: Option<f64>,
    /// The smallest relative difference that counts.
    pub min_effect: f64,
    /// The CI excludes 1 and |ratio − 1| ≥ `min_effect`.
    pub significant: bool,
}

impl From<stats::Comparison> for Comparison {
    fn from(c: stats::Comparison) -> Self {
        Comparison {
            ratio: c.ratio,
            ci95_low: c.ci95_low,
            ci95_high: c.ci95_high,
            p_value: c.p_value,
            min_effect: c.min_effect,
            significant: c.significant,
        }
    }
}

/// The one CPU level every build targeted, and how each toolchain was told.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CpuTarget {
    /// The level's name, e.g. `x86-64-v3`.
    pub level: String,
    /// `GOAMD64` given to Go builds.
    pub go: String,
    /// `-C target-cpu` given to Rust builds.
    pub rust: String,
    /// `-Dcpu` model for Zig builds.
    pub zig: String,
}

impl From<toolchain::cpu::CpuTarget> for CpuTarget {
    fn from(c: toolchain::cpu::CpuTarget) -> Self {
        CpuTarget {
            level: c.level,
            go: c.go,
            rust: c.rust,
            zig: c.zig,
        }
    }
}

/// How a containerised server was reached (`"published"`, `"host"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Network {
    /// Its own network namespace, the port published on 127.0.0.1.
    Published,
    /// The host's network namespace.
    Host,
}

/// Where a job's server ran, as its run command and fixtures saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Placement {
    /// How it was reached.
    pub network: Network,
    /// The port clients used on 127.0.0.1.
    pub port: u16,
    /// The address the server listened on in its own environment.
    pub bind: String,
    /// Where fixtures listened so that the server could reach them.
    pub fixture_host: std::net::IpAddr,
    /// The address the server saw requests from 127.0.0.1 come from.
    pub client: std::net::IpAddr,
    /// What forwarded a request from 127.0.0.1 to the server.
    pub forwarding: String,
}

impl From<exec::Placement> for Placement {
    fn from(p: exec::Placement) -> Self {
        Placement {
            network: match p.network {
                exec::Network::Published => Network::Published,
                exec::Network::Host => Network::Host,
            },
            port: p.port,
            bind: p.bind,
            fixture_host: p.fixture_host,
            client: p.client,
            forwarding: p.forwarding,
        }
    }
}

/// Latency percentiles of one load window, microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Latency {
    /// Responses recorded.
    pub count: u64,
    /// Mean.
    pub mean_us: f64,
    /// Median.
    pub p50_us: f64,
    /// 90th percentile.
    pub p90_us: f64,
    /// 99th percentile.
    pub p99_us: f64,
    /// 99.9th percentile.
    pub p999_us: f64,
    /// Largest.
    pub max_us: f64,
}

impl From<loadgen::Latency> for Latency {
    fn from(l: loadgen::Latency) -> Self {
        Latency {
            count: l.count,
            mean_us: l.mean_us,
            p50_us: l.p50_us,
            p90_us: l.p90_us,
            p99_us: l.p99_us,
            p999_us: l.p999_us,
            max_us: l.max_us,
        }
    }
}
