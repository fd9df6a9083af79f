//! The methodology footer: which runs, hosts and toolchains measured the shown reports, each listed
//! once with the ids of the projects it measured, and which reports are outdated. Reads the
//! latest reports only; formats through `units`.

use super::project::Project;
use super::Sources;
use crate::units;
use serde::Serialize;

/// When and from which commit reports were measured.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RunInfo {
    /// Projects measured by this run.
    pub ids: Vec<String>,
    /// Start, `YYYY-MM-DD HH:MM UTC`.
    pub date: String,
    /// Commit, 12 characters.
    pub commit: Option<String>,
    /// Uncommitted changes to tracked files existed.
    pub dirty: bool,
    /// Backend (`native`, `fake`).
    pub backend: String,
    /// Runner version.
    pub runner_version: String,
}

/// A machine that measured reports.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct HostInfo {
    /// Projects measured on it.
    pub ids: Vec<String>,
    /// CPU model.
    pub cpu: String,
    /// Logical cores.
    pub cores: usize,
    /// Memory, e.g. `23.5 GiB`.
    pub memory: String,
    /// OS.
    pub os: String,
    /// Kernel release.
    pub kernel: String,
    /// Architecture.
    pub arch: String,
    /// A virtual machine.
    pub virtualized: bool,
    /// cpufreq governor.
    pub governor: String,
}

/// Toolchain versions used by reports.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ToolchainInfo {
    /// Projects measured with them.
    pub ids: Vec<String>,
    /// Exact versions (first lines), Go, Rust, Zig; empty when not recorded.
    pub versions: Vec<String>,
    /// Pinned versions, `go 1.27.3` …
    pub pins: Vec<String>,
}

/// The methodology footer.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Footer {
    /// Report schema version.
    pub schema_version: u32,
    /// Projects with a report.
    pub measured: usize,
    /// Distinct runs.
    pub runs: Vec<RunInfo>,
    /// Distinct hosts.
    pub hosts: Vec<HostInfo>,
    /// Distinct toolchain sets.
    pub toolchains: Vec<ToolchainInfo>,
    /// Ids of projects whose report measured an earlier version of their manifest.
    pub outdated: Vec<String>,
}

/// `2026-11-26T02:05:35.9Z` → `2026-11-26 02:05 UTC` (other shapes are kept as they are).
fn date(rfc3339: &str) -> String {
    let b = rfc3339.as_bytes();
    if b.len() >= 16 && b[4] == b'-' && b[7] == b'-' && b[10] == b'T' && b[13] == b':' {
        format!("{} {} UTC", &rfc3339[..10], &rfc3339[11..16])
    } else {
        rfc3339.to_string()
    }
}

/// The footer of the latest reports of `sources`, over the page's `projects`.
pub(super) fn footer(sources: &Sources<'_>, projects: &[Project]) -> Footer {
    let mut runs: Vec<RunInfo> = Vec::new();
    let mut hosts: Vec<HostInfo> = Vec::new();
    let mut toolchains: Vec<ToolchainInfo> = Vec::new();
    for m in sources.manifests {
        let Some(r) = sources.latest.get(&m.slug) else {
            continue;
        };
        let run = RunInfo {
            ids: Vec::new(),
            date: date(&r.started_at),
            commit: r.git.commit.as_ref().map(|c| c.chars().take(12).collect()),
            dirty: r.git.dirty,
            backend: r.backend.clone(),
            runner_version: r.runner_version.clone(),
        };
        group_into(&mut runs, run, |x| &mut x.ids, &m.id);
        let h = &r.host;
        let host = HostInfo {
            ids: Vec::new(),
            cpu: h.cpu_model.clone(),
            cores: h.cores,
            memory: units::bytes(h.memory_bytes as f64),
            os: h.os.clone(),
            kernel: h.kernel.clone(),
            arch: h.arch.clone(),
            virtualized: h.virtualized,
            governor: h.governor.clone(),
        };
        group_into(&mut hosts, host, |x| &mut x.ids, &m.id);
        let first = |k: &str| {
            r.toolchains
                .get(k)
                .and_then(|v| v.lines().next())
                .map(str::trim)
                .filter(|v| !v.is_empty())
        };
        let versions: Vec<String> = [
            first("go").map(|v| v.strip_prefix("go version ").unwrap_or(v).to_string()),
            first("rust").map(str::to_string),
            first("zig").map(|v| format!("zig {v}")),
        ]
        .into_iter()
        .flatten()
        .collect();
        let pins = ["go", "rust", "zig"]
            .iter()
            .filter_map(|k| r.pins.get(*k).map(|v| format!("{k} {v}")))
            .collect();
        let tc = ToolchainInfo {
            ids: Vec::new(),
            versions,
            pins,
        };
        group_into(&mut toolchains, tc, |x| &mut x.ids, &m.id);
    }
    Footer {
        schema_version: crate::report::SCHEMA_VERSION,
        measured: projects.iter().filter(|p| p.measured).count(),
        runs,
        hosts,
        toolchains,
        outdated: projects
            .iter()
            .filter(|p| p.outdated)
            .map(|p| p.id.clone())
            .collect(),
    }
}

/// Adds `item` to `list`, or only its id to an equal entry (equal apart from the ids).
fn group_into<T: PartialEq + Clone>(
    list: &mut Vec<T>,
    item: T,
    ids: impl Fn(&mut T) -> &mut Vec<String>,
    id: &str,
) {
    for existing in list.iter_mut() {
        let mut a = existing.clone();
        ids(&mut a).clear();
        if a == item {
            ids(existing).push(id.to_string());
            return;
        }
    }
    let mut item = item;
    ids(&mut item).push(id.to_string());
    list.push(item);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_drop_seconds() {
        assert_eq!(date("2026-11-26T02:05:35.9Z"), "2026-11-26 02:05 UTC");
        assert_eq!(date("yesterday"), "yesterday");
    }
}
