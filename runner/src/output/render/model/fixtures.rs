//! Test fixtures of the view model: a manifest with chosen languages implemented, a project
//! report with chosen job statuses, and the whole report around it. Compiled for tests only.

use crate::manifest::{self, Lang, Manifest};
use crate::report::host::Host;
use crate::report::{
    Git, JobReport, JobStatus, JobSummary, ProjectReport, ProjectStatus, Report, ScheduleInfo,
    SCHEMA_VERSION,
};
use crate::stats::{self, Sample};
use std::collections::BTreeMap;
use std::path::Path;

const IMPL: &str = "dir = \"src\"\nbuild = [\"true\"]\nartifact = \"a\"\nrun = [\"a\"]\n";

/// A manifest with `langs` (`i` implemented, `t` todo, `-` absent) for Go, Rust, Zig.
pub(super) fn manifest(langs: &str) -> Manifest {
    let mut text = String::from(
        "id = \"1.1\"\nslug = \"t\"\ngroup = 1\n[text.en]\nname = \"T\"\nsummary = \"s\"\nskill = \"k\"\n[text.th]\nname = \"ท\"\nsummary = \"ส\"\nskill = \"ก\"\n",
    );
    for (l, c) in ["go", "rust", "zig"].iter().zip(langs.chars()) {
        match c {
            'i' => text.push_str(&format!("[lang.{l}]\n{IMPL}")),
            't' => text.push_str(&format!("[lang.{l}]\ntodo = \"later\"\n")),
            _ => {}
        }
    }
    if langs.contains('i') {
        text.push_str("[[verify]]\nkind = \"cross_language\"\nfiles = [\"o\"]\n[metric]\nheadline = \"wall_time\"\n");
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest::parse(Path::new("manifests/t.toml"), text, root).expect("a valid test manifest")
}

/// The summaries of a job whose every metric took `values`.
pub(super) fn summary(values: &[f64]) -> JobSummary {
    let s = Sample::new(values.to_vec()).unwrap();
    let sum = stats::summarize(&s);
    JobSummary {
        headline: sum.clone(),
        wall_s: sum.clone(),
        user_s: sum.clone(),
        sys_s: sum.clone(),
        max_rss_bytes: sum,
        outliers: stats::detect(&s),
    }
}

/// A project report whose jobs have `statuses` (Go, Rust, Zig), each `ok` one with
/// [`summary`]`([1.0, 1.1, 0.9])`.
pub(super) fn report(statuses: [JobStatus; 3]) -> ProjectReport {
    ProjectReport {
        id: "1.1".into(),
        slug: "t".into(),
        group: 1,
        manifest: "manifests/t.toml".into(),
        manifest_sha256: String::new(),
        text: BTreeMap::new(),
        metric: None,
        params: BTreeMap::new(),
        inputs: Vec::new(),
        status: ProjectStatus::Finished,
        reason: None,
        jobs: Lang::ALL
            .iter()
            .zip(statuses)
            .map(|(l, s)| {
                let mut j = JobReport::new(l.as_str(), false, s);
                if s.has_numbers() {
                    j.summary = Some(summary(&[1.0, 1.1, 0.9]));
                }
                j
            })
            .collect(),
        references: Vec::new(),
        comparisons: Vec::new(),
        warnings: Vec::new(),
    }
}

/// A whole report around one project report.
pub(super) fn whole(p: ProjectReport) -> Report {
    Report {
        schema_version: SCHEMA_VERSION,
        runner_version: "0.1.0".into(),
        started_at: "2026-11-26T02:05:35Z".into(),
        finished_at: None,
        complete: true,
        interrupted: false,
        command: Vec::new(),
        backend: "fake".into(),
        host: Host::default(),
        toolchains: BTreeMap::new(),
        pins: BTreeMap::new(),
        git: Git::default(),
        cpu_target: None,
        probe: String::new(),
        mode: "time".into(),
        pinned_cpu: None,
        load_avg_end: None,
        environment: Vec::new(),
        schedule: ScheduleInfo {
            seed: 1,
            interleaved: true,
        },
        projects: vec![p],
        shards: Vec::new(),
        docker: None,
    }
}
