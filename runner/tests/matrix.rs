//! The CI benchmark workflow played locally (`.github/workflows/bench.yml`): `runner matrix` →
//! one `runner bench --only <id> --backend fake` per shard, each into its own folder →
//! `runner merge` → `runner render` → `runner render --check`. Plus the refusals of `merge` and
//! the change-based selection of `matrix`. Fixture: `tests/fixtures/matrix/` (see FIXTURES.md),
//! copied with the real templates and the render fixtures' READMEs into a temporary folder.

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

mod common;
use common::copy_tree;

/// A repository-like folder: the fixture's manifests and impls, toolchains.toml, templates/,
/// and READMEs with the runner's markers.
fn repo() -> tempfile::TempDir {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&here.join("tests/fixtures/matrix"), dir.path());
    copy_tree(&here.join("../templates"), &dir.path().join("templates"));
    for f in ["README.md", "README.th.md"] {
        std::fs::copy(
            here.join("tests/fixtures/render").join(f),
            dir.path().join(f),
        )
        .unwrap();
    }
    std::fs::copy(
        here.join("../toolchains.toml"),
        dir.path().join("toolchains.toml"),
    )
    .unwrap();
    dir
}

const MANIFESTS: [&str; 3] = [
    "manifests/alpha.toml",
    "manifests/beta.toml",
    "manifests/gamma.toml",
];

fn runner(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::cargo_bin("runner")
        .unwrap()
        .current_dir(dir)
        .args(args)
        .timeout(common::WHOLE_RUN_LIMIT)
        .output()
        .unwrap()
}

fn ok(o: &std::process::Output, what: &str) -> String {
    assert_eq!(
        o.status.code(),
        Some(0),
        "{what}\nstdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn matrix(dir: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["matrix"];
    args.extend(MANIFESTS);
    args.extend(extra);
    serde_json::from_str(&ok(&runner(dir, &args), "runner matrix")).expect("matrix JSON")
}

fn ids(m: &Value) -> Vec<String> {
    m["include"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect()
}

fn runs(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir.join("runs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    v.sort();
    v
}

/// Benches each matrix entry into `shard-<n>/`; returns the shard reports.
fn bench_shards(dir: &Path, m: &Value) -> Vec<PathBuf> {
    let mut reports = Vec::new();
    for (n, e) in m["include"].as_array().unwrap().iter().enumerate() {
        let shard = format!("shard-{n}");
        let mut args = vec!["bench"];
        args.extend(MANIFESTS);
        let id = e["id"].as_str().unwrap();
        args.extend([
            "--only",
            id,
            "--backend",
            "fake",
            "--seed",
            "7",
            "--out",
            &shard,
        ]);
        ok(&runner(dir, &args), &format!("bench {id}"));
        let r = runs(&dir.join(&shard));
        assert_eq!(r.len(), 1, "one report per shard: {r:?}");
        reports.push(r[0].clone());
    }
    reports
}

#[test]
fn the_whole_matrix_played_locally() {
    let dir = repo();
    let d = dir.path();
    let m = matrix(d, &[]);
    assert_eq!(
        m,
        serde_json::json!({"include": [
            {"id": "3.3", "slug": "alpha", "name": "Alpha"},
            {"id": "5.1", "slug": "beta", "name": "Beta"},
        ]}),
        "every implemented project, the planned one left out"
    );
    let shards = bench_shards(d, &m);
    let mut args = vec!["merge".to_string()];
    args.extend(shards.iter().map(|p| p.display().to_string()));
    args.extend(["--out".into(), "reports".into()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    ok(&runner(d, &args), "merge");

    let merged = runs(&d.join("reports"));
    assert_eq!(merged.len(), 1);
    let r: Value = serde_json::from_str(&std::fs::read_to_string(&merged[0]).unwrap()).unwrap();
    let slugs: Vec<&str> = r["projects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["slug"].as_str().unwrap())
        .collect();
    assert_eq!(slugs, ["alpha", "beta"]);
    let shard_projects: Vec<&Value> = r["shards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| &s["projects"])
        .collect();
    assert_eq!(shard_projects.len(), 2, "one entry per shard");
    for s in r["shards"].as_array().unwrap() {
        assert!(s["host"]["cores"].as_u64().unwrap() >= 1, "{s:#}");
    }
    for slug in ["alpha", "beta"] {
        assert!(d.join(format!("reports/latest/{slug}.json")).is_file());
    }

    let render = ["render", "--reports", "reports"];
    let mut all: Vec<&str> = render.to_vec();
    all.extend(MANIFESTS);
    ok(&runner(d, &all), "render");
    let readme = std::fs::read_to_string(d.join("README.md")).unwrap();
    assert!(
        readme.contains("Alpha") && readme.contains("Beta"),
        "{readme}"
    );
    assert!(d.join("reports/charts/alpha.svg").is_file());
    all.push("--check");
    ok(&runner(d, &all), "render --check after render");
}

#[test]
fn merge_refuses_mixed_schema_versions() {
    let dir = repo();
    let d = dir.path();
    let shards = bench_shards(d, &matrix(d, &[]));
    let mut old: Value =
        serde_json::from_str(&std::fs::read_to_string(&shards[1]).unwrap()).unwrap();
    old["schema_version"] = 0.into();
    std::fs::write(&shards[1], old.to_string()).unwrap();
    let a = shards[0].display().to_string();
    let b = shards[1].display().to_string();
    let o = runner(d, &["merge", &a, &b, "--out", "reports"]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("different schema versions"), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "{a}: schema version {}",
            runner::report::SCHEMA_VERSION
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("{b}: schema version 0")),
        "{stderr}"
    );
    assert!(!d.join("reports").exists(), "nothing written");
}

#[test]
fn matrix_selects_projects_whose_files_changed() {
    let dir = repo();
    let d = dir.path();
    let cases: &[(&str, &[&str])] = &[
        ("", &[]),
        ("README.md\ndocs/report.md\n", &[]),
        ("manifests/beta.toml\n", &["5.1"]),
        ("impls/alpha/artifact.bin\n", &["3.3"]),
        ("manifests/gamma.toml\n", &[]),
        ("impls/beta/x\nimpls/alpha/y\n", &["3.3", "5.1"]),
        ("runner/src/app.rs\n", &["3.3", "5.1"]),
        ("toolchains.toml\n", &["3.3", "5.1"]),
        ("tools/loggen/src/main.rs\n", &["3.3", "5.1"]),
    ];
    for (changed, want) in cases {
        std::fs::write(d.join("changed.txt"), changed).unwrap();
        let m = matrix(d, &["--changed-files", "changed.txt"]);
        assert_eq!(ids(&m), *want, "changed:\n{changed}");
    }
    let mut args = vec!["matrix"];
    args.extend(MANIFESTS);
    args.extend(["--changed-files", "changed.txt"]);
    assert_eq!(
        ok(&runner(d, &args), "exact output"),
        "{\"include\":[{\"id\":\"3.3\",\"slug\":\"alpha\",\"name\":\"Alpha\"},\
         {\"id\":\"5.1\",\"slug\":\"beta\",\"name\":\"Beta\"}]}\n"
    );
    std::fs::write(d.join("changed.txt"), "").unwrap();
    let o = runner(
        d,
        &["matrix", MANIFESTS[0], "--changed-files", "changed.txt"],
    );
    assert_eq!(ok(&o, "empty selection"), "{\"include\":[]}\n");
}
