//! Streaming CSV GROUP BY aggregator (spec: ../README.md).

pub mod agg;
pub mod cli;
