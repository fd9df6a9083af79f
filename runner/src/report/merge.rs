//! `runner merge`: folds the reports of CI shards (one `runner bench --only <id>` per machine)
//! into one report, and refreshes the `latest/` view of every finished project.
//!
//! [`merge`] is pure: projects from all shards, in id order; when a project appears in more than
//! one shard, the shard that started later wins. The merged header is the earliest shard's, and
//! every shard's own `host`, `git` and `toolchains` are kept in [`ShardInfo`] entries, so no
//! machine is lost. [`run`] does the I/O: it refuses files of different schema versions (naming
//! them), reads them, writes `runs/<start>-merged.json` and each finished project's
//! `latest/<slug>.json` from its own shard's report (so a latest view keeps its own host).
//! It never measures and never reads manifests.

use crate::report::store::{self, StoreError};
use crate::report::{ProjectStatus, Report, ShardInfo};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Why shards could not be merged.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    /// No report given.
    #[error("no report to merge: pass the shards' reports/runs/*.json files")]
    Empty,
    /// The reports do not share one schema version.
    #[error("reports of different schema versions cannot be merged:\n{}\n  re-run the older shards with the same runner", list(.0))]
    MixedVersions(Vec<(PathBuf, u64)>),
    /// The reports do not share one measurement mode.
    #[error("reports of different modes (time / instructions) cannot be merged:\n{}", list_modes(.0))]
    MixedModes(Vec<(PathBuf, String)>),
    /// A report is unreadable or of an unknown version.
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn list(files: &[(PathBuf, u64)]) -> String {
    files
        .iter()
        .map(|(p, v)| format!("  {}: schema version {v}", p.display()))
        .collect::<Vec<_>>()
        .join("\n")
}

fn list_modes(files: &[(PathBuf, String)]) -> String {
    files
        .iter()
        .map(|(p, m)| format!("  {}: mode {m}", p.display()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Sort key of a project id like "3.3" or "10.2": numeric parts compared as numbers.
fn id_key(id: &str) -> Vec<(u64, String)> {
    id.split('.')
        .map(|p| (p.parse().unwrap_or(u64::MAX), p.to_string()))
        .collect()
}

/// The shard headers a report stands for: its own, or those it already merged.
fn shards_of(r: &Report) -> Vec<ShardInfo> {
    if !r.shards.is_empty() {
        return r.shards.clone();
    }
    vec![ShardInfo {
        started_at: r.started_at.clone(),
        host: r.host.clone(),
        git: r.git.clone(),
        toolchains: r.toolchains.clone(),
        projects: r.projects.iter().map(|p| p.slug.clone()).collect(),
    }]
}

/// Merges shard reports (already read, of one schema version and mode). `command` is recorded
/// as the merged report's command line. Returns, with the merged report, the index of the
/// report each project was taken from.
///
/// # Panics
/// Never; an empty `reports` gives [`MergeError::Empty`].
pub fn merge(
    reports: &[Report],
    command: Vec<String>,
) -> Result<(Report, BTreeMap<String, usize>), MergeError> {
    // Earliest first, so "the later started_at wins" is "the last one seen wins".
    let mut order: Vec<usize> = (0..reports.len()).collect();
    order.sort_by(|&a, &b| reports[a].started_at.cmp(&reports[b].started_at));
    let first = &reports[*order.first().ok_or(MergeError::Empty)?];
    let mut from: BTreeMap<String, usize> = BTreeMap::new();
    for &i in &order {
        for p in &reports[i].projects {
            from.insert(p.slug.clone(), i);
        }
    }
    let mut projects: Vec<_> = from
        .iter()
        .filter_map(|(slug, &i)| reports[i].projects.iter().find(|p| &p.slug == slug))
        .cloned()
        .collect();
    projects.sort_by_key(|p| id_key(&p.id));
    let mut environment = Vec::new();
    for &i in &order {
        for w in &reports[i].environment {
            let w = format!("{}: {w}", reports[i].host.hostname);
            if !environment.contains(&w) {
                environment.push(w);
            }
        }
    }
    let finished: Option<Vec<&String>> = order
        .iter()
        .map(|&i| reports[i].finished_at.as_ref())
        .collect();
    let mut backends: Vec<String> = Vec::new();
    for &i in &order {
        if !backends.contains(&reports[i].backend) {
            backends.push(reports[i].backend.clone());
        }
    }
    let merged = Report {
        command,
        started_at: first.started_at.clone(),
        finished_at: finished.and_then(|f| f.into_iter().max().cloned()),
        complete: reports.iter().all(|r| r.complete),
        interrupted: reports.iter().any(|r| r.interrupted),
        backend: backends.join(","),
        load_avg_end: order.iter().rev().find_map(|&i| reports[i].load_avg_end),
        environment,
        projects,
        shards: order.iter().flat_map(|&i| shards_of(&reports[i])).collect(),
        ..first.clone()
    };
    Ok((merged, from))
}

/// `runner merge`'s I/O: checks versions and modes, reads, merges, writes the merged run report
/// under `out/runs/` and the latest view of every finished project. Returns the merged report's
/// path and the slugs whose latest view was written.
pub fn run(
    files: &[PathBuf],
    out: &Path,
    command: Vec<String>,
) -> Result<(PathBuf, Vec<String>), MergeError> {
    if files.is_empty() {
        return Err(MergeError::Empty);
    }
    let mut versions = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(f).map_err(|source| StoreError::Io {
            path: f.clone(),
            source,
        })?;
        let value: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| StoreError::Invalid {
                path: f.clone(),
                message: e.to_string(),
            })?;
        let v = value
            .get("schema_version")
            .and_then(|v| v.as_u64())
            .unwrap_or(0);
        versions.push((f.clone(), v));
    }
    if versions.iter().any(|(_, v)| *v != versions[0].1) {
        return Err(MergeError::MixedVersions(versions));
    }
    let reports: Vec<Report> = files
        .iter()
        .map(|f| store::read_report(f))
        .collect::<Result<_, _>>()?;
    if reports.iter().any(|r| r.mode != reports[0].mode) {
        return Err(MergeError::MixedModes(
            files
                .iter()
                .cloned()
                .zip(reports.iter().map(|r| r.mode.clone()))
                .collect(),
        ));
    }
    let (merged, from) = merge(&reports, command)?;
    let compact: String = merged
        .started_at
        .chars()
        .take(19)
        .filter(|c| *c != '-' && *c != ':')
        .collect();
    let path = out.join("runs").join(format!("{compact}Z-merged.json"));
    store::write_report(&path, &merged)?;
    let mut latest = Vec::new();
    // latest/ feeds the README, whose headline is each manifest's own metric.
    if merged.mode == "time" {
        for p in &merged.projects {
            if p.status == ProjectStatus::Finished {
                store::write_latest(out, &reports[from[&p.slug]], &p.slug)?;
                latest.push(p.slug.clone());
            }
        }
    }
    Ok((path, latest))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::host::Host;
    use crate::report::{Git, ProjectReport, ScheduleInfo, SCHEMA_VERSION};

    fn project(id: &str, slug: &str, status: ProjectStatus) -> ProjectReport {
        ProjectReport {
            id: id.into(),
            slug: slug.into(),
            group: 1,
            manifest: format!("manifests/{slug}.toml"),
            manifest_sha256: String::new(),
            text: BTreeMap::new(),
            metric: None,
            params: BTreeMap::new(),
            inputs: Vec::new(),
            status,
            reason: None,
            jobs: Vec::new(),
            references: Vec::new(),
            comparisons: Vec::new(),
            warnings: Vec::new(),
        }
    }

    fn report(host: &str, started: &str, projects: Vec<ProjectReport>) -> Report {
        Report {
            schema_version: SCHEMA_VERSION,
            runner_version: "0.1.0".into(),
            started_at: started.into(),
            finished_at: Some(format!("{started}+done")),
            complete: true,
            interrupted: false,
            command: vec!["runner".into(), "bench".into()],
            backend: "fake".into(),
            host: Host {
                hostname: host.into(),
                ..Host::default()
            },
            toolchains: BTreeMap::new(),
            pins: BTreeMap::new(),
            git: Git::default(),
            cpu_target: None,
            probe: String::new(),
            mode: "time".into(),
            pinned_cpu: None,
            load_avg_end: None,
            environment: vec!["governor powersave".into()],
            schedule: ScheduleInfo {
                seed: 1,
                interleaved: true,
            },
            projects,
            shards: Vec::new(),
            docker: None,
        }
    }

    #[test]
    fn projects_from_all_shards_later_start_wins() {
        let a = report(
            "a",
            "2026-01-01T00:00:02Z",
            vec![project("10.1", "ten", ProjectStatus::Finished)],
        );
        let b = report(
            "b",
            "2026-01-01T00:00:01Z",
            vec![
                project("3.3", "masker", ProjectStatus::Finished),
                project("10.1", "ten", ProjectStatus::Failed),
            ],
        );
        let c = report(
            "c",
            "2026-01-01T00:00:03Z",
            vec![project("2.1", "proxy", ProjectStatus::Finished)],
        );
        let (m, from) = merge(&[a, b, c], vec!["runner".into(), "merge".into()]).unwrap();
        let ids: Vec<&str> = m.projects.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, ["2.1", "3.3", "10.1"], "id order, numerically");
        assert_eq!(
            m.projects[2].status,
            ProjectStatus::Finished,
            "a started later"
        );
        assert_eq!(from["ten"], 0);
        assert_eq!(from["masker"], 1);
        assert_eq!(m.host.hostname, "b", "the earliest shard's header");
        assert_eq!(m.started_at, "2026-01-01T00:00:01Z");
        let hosts: Vec<&str> = m.shards.iter().map(|s| s.host.hostname.as_str()).collect();
        assert_eq!(hosts, ["b", "a", "c"], "every shard's host is kept");
        assert_eq!(m.shards[0].projects, ["masker", "ten"]);
        assert_eq!(m.environment[0], "b: governor powersave");
        assert_eq!(m.environment.len(), 3);
        assert_eq!(m.command, ["runner", "merge"]);
    }

    #[test]
    fn merging_a_merged_report_keeps_its_shards() {
        let a = report("a", "1", vec![project("1.1", "x", ProjectStatus::Finished)]);
        let b = report("b", "2", vec![project("1.2", "y", ProjectStatus::Finished)]);
        let (ab, _) = merge(&[a, b], vec![]).unwrap();
        let c = report("c", "3", vec![project("1.3", "z", ProjectStatus::Finished)]);
        let (abc, _) = merge(&[ab, c], vec![]).unwrap();
        let hosts: Vec<&str> = abc
            .shards
            .iter()
            .map(|s| s.host.hostname.as_str())
            .collect();
        assert_eq!(hosts, ["a", "b", "c"]);
    }

    #[test]
    fn unfinished_shard_leaves_finished_at_empty() {
        let a = report("a", "1", vec![]);
        let mut b = report("b", "2", vec![]);
        b.finished_at = None;
        b.complete = false;
        let (m, _) = merge(&[a, b], vec![]).unwrap();
        assert_eq!(m.finished_at, None);
        assert!(!m.complete);
        assert!(matches!(merge(&[], vec![]), Err(MergeError::Empty)));
    }

    #[test]
    fn mixed_versions_are_refused_with_file_names() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.json");
        let b = dir.path().join("b.json");
        store::write_report(&a, &report("a", "1", vec![])).unwrap();
        let mut old = serde_json::to_value(report("b", "2", vec![])).unwrap();
        old["schema_version"] = 0.into();
        std::fs::write(&b, old.to_string()).unwrap();
        let e = run(&[a, b], dir.path(), vec![]).unwrap_err();
        let text = e.to_string();
        assert!(matches!(e, MergeError::MixedVersions(_)), "{text}");
        assert!(
            text.contains(&format!("a.json: schema version {SCHEMA_VERSION}")),
            "{text}"
        );
        assert!(text.contains("b.json: schema version 0"), "{text}");
    }

    #[test]
    fn run_writes_merged_report_and_latest_views_from_their_own_shard() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.json");
        let b = dir.path().join("b.json");
        store::write_report(
            &a,
            &report(
                "host-a",
                "2026-01-01T00:00:01.5Z",
                vec![project("1.1", "x", ProjectStatus::Finished)],
            ),
        )
        .unwrap();
        store::write_report(
            &b,
            &report(
                "host-b",
                "2026-01-01T00:00:02Z",
                vec![project("1.2", "y", ProjectStatus::Failed)],
            ),
        )
        .unwrap();
        let out = dir.path().join("reports");
        let (path, latest) = run(&[a, b], &out, vec![]).unwrap();
        assert_eq!(path, out.join("runs/20260101T000001Z-merged.json"));
        assert_eq!(latest, ["x"], "only finished projects");
        let merged = store::read_report(&path).unwrap();
        assert_eq!(merged.projects.len(), 2);
        let x = store::read_report(&store::latest_path(&out, "x")).unwrap();
        assert_eq!(x.host.hostname, "host-a");
        assert!(x.shards.is_empty());
        assert!(!store::latest_path(&out, "y").exists());
    }
}
