//! Streaming vector ingester: corpus (directory or tar) → UTF-8 text → overlapping chunks →
//! feature-hashing embeddings → SQLite, in batched transactions. The specification is
//! `impls/vector-ingester/README.md`; every number and rule below comes from it.

pub mod chunk;
pub mod corpus;
pub mod embed;
pub mod ingest;
pub mod store;
pub mod utf8;

use std::fmt;

/// Largest chunk, in bytes.
pub const CHUNK_SIZE: usize = 1024;
/// Bytes a chunk may share with the next.
pub const OVERLAP: usize = 128;
/// Chunks per transaction.
pub const BATCH: usize = 1000;
/// Largest single read from a document.
pub const BLOCK: usize = 64 * 1024;

/// A failure, printed as `vector-ingester: <subject>: <reason>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// The path concerned (document, `archive: entry`, or database).
    pub subject: String,
    /// What went wrong.
    pub reason: String,
}

impl Error {
    pub fn new(subject: impl Into<String>, reason: impl fmt::Display) -> Self {
        Error {
            subject: subject.into(),
            reason: reason.to_string(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.subject, self.reason)
    }
}

impl std::error::Error for Error {}

/// Everything a run can vary. The program always uses [`Config::default`]; tests shrink it.
#[derive(Debug, Clone)]
pub struct Config {
    pub chunk: chunk::Params,
    pub batch: usize,
    /// `PRAGMA max_page_count`, used by the tests to simulate a full disk.
    pub max_pages: Option<u64>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            chunk: chunk::Params::new(CHUNK_SIZE, OVERLAP).expect("valid defaults"),
            batch: BATCH,
            max_pages: None,
        }
    }
}

/// Totals printed as the summary line.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    pub documents: u64,
    pub empty: u64,
    pub chunks: u64,
    pub bytes: u64,
    pub text_bytes: u64,
    pub replaced: u64,
}

impl Summary {
    /// The spec's one-line JSON (without the newline).
    pub fn json(&self) -> String {
        format!(
            "{{\"documents\":{},\"empty\":{},\"chunks\":{},\"bytes\":{},\"text_bytes\":{},\"replaced\":{}}}",
            self.documents, self.empty, self.chunks, self.bytes, self.text_bytes, self.replaced
        )
    }
}
