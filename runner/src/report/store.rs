//! Writing reports: atomically (temp file + rename), after every change, so a crash or Ctrl-C
//! loses nothing already measured. Layout under the output folder:
//! `runs/<UTC timestamp>-<seed>.json` (one per invocation) and `latest/<slug>.json` (the newest
//! finished measurement of each project, what `render` reads).

use super::schema::{Report, SCHEMA_VERSION};
use super::upgrade::{self, OLDEST_READABLE};
use std::path::{Path, PathBuf};

/// Errors reading or writing reports.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// I/O failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// Not a report we understand.
    #[error("{path}: not a valid report: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The problem.
        message: String,
    },
    /// A schema version this runner does not read.
    #[error("{path}: report schema version {found}, this runner reads versions {OLDEST_READABLE} to {SCHEMA_VERSION}; re-run the benchmark or use a matching runner")]
    Version {
        /// The file.
        path: PathBuf,
        /// The version found.
        found: u64,
    },
}

/// Writes `bytes` to `path` atomically.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let io = |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    std::fs::write(&tmp, bytes).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)
}

/// Serializes and writes a report atomically.
pub fn write_report(path: &Path, report: &Report) -> Result<(), StoreError> {
    let mut json = serde_json::to_vec_pretty(report).map_err(|e| StoreError::Invalid {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    json.push(b'\n');
    write_atomic(path, &json)
}

/// Reads a report, refusing schema versions it does not know with a clear message; an older
/// readable version is upgraded in memory (`upgrade.rs`), so the result is always current.
pub fn read_report(path: &Path) -> Result<Report, StoreError> {
    let text = std::fs::read_to_string(path).map_err(|source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| StoreError::Invalid {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
    let found = value
        .get("schema_version")
        .and_then(|v| v.as_u64())
        .unwrap_or(0);
    let readable = u64::from(OLDEST_READABLE)..=u64::from(SCHEMA_VERSION);
    if !readable.contains(&found) {
        return Err(StoreError::Version {
            path: path.to_path_buf(),
            found,
        });
    }
    let mut report: Report = serde_json::from_value(value).map_err(|e| StoreError::Invalid {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    // `found` is within u32 range: it lies in `readable`.
    upgrade::upgrade(&mut report, found as u32);
    Ok(report)
}

/// Path of the per-invocation report.
pub fn run_path(out: &Path, started_compact: &str, seed: u64) -> PathBuf {
    out.join("runs")
        .join(format!("{started_compact}-{seed}.json"))
}

/// Path of a project's latest view.
pub fn latest_path(out: &Path, slug: &str) -> PathBuf {
    out.join("latest").join(format!("{slug}.json"))
}

/// Writes the latest view of one project: the report's header with only that project.
pub fn write_latest(out: &Path, report: &Report, slug: &str) -> Result<(), StoreError> {
    let mut one = report.clone();
    one.projects.retain(|p| p.slug == slug);
    write_report(&latest_path(out, slug), &one)
}
