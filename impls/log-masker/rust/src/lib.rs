//! Log masker: the Rust implementation of `impls/log-masker/README.md`.
//!
//! - [`class`]: the ASCII character classes as one lookup table;
//! - [`bitmap`]: byte classes 64 bytes at a time (SSE2, or AVX2 when the CPU has it), as bitmaps;
//! - [`rules`]: the ten rules, each a matcher at a position, and [`rules::match_at`] which tries
//!   them in priority order;
//! - [`scan`]: the single-pass scanner over a block of complete lines (bitmap candidates, gate
//!   tables, then the exact matchers);
//! - [`stream`]: block reading, line carry-over and the summary.

pub mod bitmap;
pub mod class;
pub mod rules;
pub mod scan;
pub mod stream;

pub use rules::{match_at, Match, Rule, RULE_COUNT};
pub use scan::{mask_block, mask_block_using, Engine, Stats};
pub use stream::{mask_bytes, mask_stream, MaskError, Summary, BLOCK};
