//! The export files of `runner bench --export-…` and `runner export`, read back and checked
//! against the report they came from. Each test copies the `fake` fixture to a temporary folder
//! and runs the deterministic fake backend with `--seed 7`.

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

mod common;
use common::fixture;

/// Runs a fake bench with `extra` flags; returns the report path.
fn bench(dir: &Path, extra: &[&str]) -> PathBuf {
    Command::cargo_bin("runner")
        .unwrap()
        .current_dir(dir)
        .args([
            "bench",
            "manifests/fake.toml",
            "--backend",
            "fake",
            "--seed",
            "7",
            "--no-latest",
        ])
        .args(extra)
        .assert()
        .success();
    let runs: Vec<PathBuf> = std::fs::read_dir(dir.join("reports/runs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(runs.len(), 1);
    runs[0].clone()
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).expect("valid JSON")
}

/// The measured jobs of the report's only project: (name, job JSON).
fn measured(report: &Value) -> Vec<(String, Value)> {
    let p = &report["projects"][0];
    p["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .chain(p["references"].as_array().unwrap())
        .filter(|j| j["status"] == "ok" || j["status"] == "unverified")
        .map(|j| (j["name"].as_str().unwrap().to_string(), j.clone()))
        .collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * b.abs().max(1.0)
}

#[test]
fn hyperfine_export_matches_the_report() {
    let dir = fixture("fake");
    let report = json(&bench(dir.path(), &["--export-hyperfine", "hf.json"]));
    let hf = json(&dir.path().join("hf.json"));
    let results = hf["results"].as_array().unwrap();
    let jobs = measured(&report);
    assert_eq!(results.len(), jobs.len());
    for (name, j) in &jobs {
        let r = results
            .iter()
            .find(|r| r["command"] == format!("fake {name}"))
            .unwrap_or_else(|| panic!("no result for {name}"));
        let wall = &j["summary"]["wall_s"];
        for (k, w) in [
            ("mean", &wall["mean"]),
            ("stddev", &wall["stddev"]),
            ("median", &wall["median"]),
            ("min", &wall["min"]),
            ("max", &wall["max"]),
            ("user", &j["summary"]["user_s"]["mean"]),
            ("system", &j["summary"]["sys_s"]["mean"]),
        ] {
            assert!(
                close(r[k].as_f64().unwrap(), w.as_f64().unwrap()),
                "{name} {k}"
            );
        }
        let samples = j["samples"].as_array().unwrap();
        let times = r["times"].as_array().unwrap();
        assert_eq!(times.len(), samples.len(), "{name}");
        for (t, s) in times.iter().zip(samples) {
            assert!(close(
                t.as_f64().unwrap(),
                s["wall_ns"].as_f64().unwrap() / 1e9
            ));
        }
        let codes = r["exit_codes"].as_array().unwrap();
        assert_eq!(codes.len(), samples.len());
        assert!(codes.iter().all(|c| c.as_i64() == Some(0)));
    }
}

#[test]
fn bmf_export_matches_the_report() {
    let dir = fixture("fake");
    let report = json(&bench(dir.path(), &["--export-bmf", "out/bmf.json"]));
    let bmf = json(&dir.path().join("out/bmf.json"));
    let jobs = measured(&report);
    assert_eq!(bmf.as_object().unwrap().len(), jobs.len());
    for (name, j) in &jobs {
        let b = &bmf[format!("fake/{name}")];
        let wall = &j["summary"]["wall_s"];
        let lat = &b["latency"];
        assert!(close(
            lat["value"].as_f64().unwrap(),
            wall["mean"].as_f64().unwrap() * 1e9
        ));
        assert!(close(
            lat["lower_value"].as_f64().unwrap(),
            wall["ci95_low"].as_f64().unwrap() * 1e9
        ));
        assert!(close(
            lat["upper_value"].as_f64().unwrap(),
            wall["ci95_high"].as_f64().unwrap() * 1e9
        ));
        assert!(close(
            b["peak-rss"]["value"].as_f64().unwrap(),
            j["summary"]["max_rss_bytes"]["mean"].as_f64().unwrap()
        ));
        assert!(
            b.get("throughput").is_none(),
            "the fake's headline is wall time"
        );
        match j["build"]["artifact_bytes"].as_f64() {
            Some(bytes) => assert_eq!(b["binary-size"]["value"].as_f64(), Some(bytes)),
            None => assert!(b.get("binary-size").is_none()),
        }
    }
}

#[test]
fn gab_export_is_one_smaller_is_better_file_for_wall_time() {
    let dir = fixture("fake");
    let report = json(&bench(dir.path(), &["--export-gab", "gab.json"]));
    let gab = json(&dir.path().join("gab.json"));
    assert!(
        !dir.path().join("gab.bigger.json").exists(),
        "no higher-is-better headline"
    );
    let entries = gab.as_array().unwrap();
    let jobs = measured(&report);
    assert_eq!(entries.len(), jobs.len());
    for (name, j) in &jobs {
        let e = entries
            .iter()
            .find(|e| e["name"] == format!("fake/{name}"))
            .unwrap();
        assert_eq!(e["unit"], "s");
        assert!(close(
            e["value"].as_f64().unwrap(),
            j["summary"]["headline"]["mean"].as_f64().unwrap()
        ));
        assert!(e["range"].as_str().unwrap().starts_with("± "));
        assert!(e["extra"].as_str().unwrap().contains("runs"));
    }
}

#[test]
fn csv_export_has_one_row_per_job() {
    let dir = fixture("fake");
    let report = json(&bench(dir.path(), &["--export-csv", "r.csv"]));
    let text = std::fs::read_to_string(dir.path().join("r.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(
        header,
        [
            "project",
            "job",
            "status",
            "metric",
            "unit",
            "mean",
            "ci95_low",
            "ci95_high",
            "median",
            "stddev",
            "n",
            "wall_mean_s",
            "user_mean_s",
            "sys_mean_s",
            "peak_rss_max_bytes",
            "binary_bytes",
            "instructions"
        ]
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let p = &report["projects"][0];
    let all = p["jobs"].as_array().unwrap().len() + p["references"].as_array().unwrap().len();
    assert_eq!(rows.len(), all);
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    for (name, j) in measured(&report) {
        let row = rows.iter().find(|r| r[1] == name).unwrap();
        assert_eq!(row.len(), header.len());
        assert_eq!(row[col("project")], "fake");
        let s = &j["summary"];
        for (c, want) in [
            ("mean", &s["headline"]["mean"]),
            ("ci95_low", &s["headline"]["ci95_low"]),
            ("ci95_high", &s["headline"]["ci95_high"]),
            ("median", &s["headline"]["median"]),
            ("stddev", &s["headline"]["stddev"]),
            ("wall_mean_s", &s["wall_s"]["mean"]),
            ("user_mean_s", &s["user_s"]["mean"]),
            ("sys_mean_s", &s["sys_s"]["mean"]),
            ("peak_rss_max_bytes", &s["max_rss_bytes"]["max"]),
        ] {
            let got: f64 = row[col(c)].parse().unwrap();
            assert!(close(got, want.as_f64().unwrap()), "{name} {c}");
        }
        assert_eq!(row[col("n")], s["headline"]["n"].to_string());
    }
}

#[test]
fn markdown_export_has_the_summary_table() {
    let dir = fixture("fake");
    let report = json(&bench(dir.path(), &["--export-markdown", "r.md"]));
    let md = std::fs::read_to_string(dir.path().join("r.md")).unwrap();
    assert!(md.starts_with("### 3.3 fake — Fake\n"), "{md}");
    assert!(md.contains("| | status | wall time (lower is better) | 95% CI |"));
    for (name, _) in measured(&report) {
        assert!(md.contains(&format!("| {name} |")), "{name}: {md}");
    }
    assert!(md.contains("- rust beats go: "), "{md}");
}

#[test]
fn export_subcommand_writes_the_same_bytes_as_bench() {
    let dir = fixture("fake");
    let path = bench(
        dir.path(),
        &["--export-hyperfine", "a.json", "--export-csv", "a.csv"],
    );
    Command::cargo_bin("runner")
        .unwrap()
        .current_dir(dir.path())
        .arg("export")
        .arg(&path)
        .args(["--hyperfine", "b.json", "--csv", "b.csv"])
        .assert()
        .success();
    for (a, b) in [("a.json", "b.json"), ("a.csv", "b.csv")] {
        assert_eq!(
            std::fs::read(dir.path().join(a)).unwrap(),
            std::fs::read(dir.path().join(b)).unwrap(),
            "{a} vs {b}"
        );
    }
}

#[test]
fn export_subcommand_refuses_a_missing_report_and_no_format() {
    let dir = fixture("fake");
    let out = Command::cargo_bin("runner")
        .unwrap()
        .current_dir(dir.path())
        .args(["export", "missing.json", "--csv", "x.csv"])
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("missing.json"), "{err}");
    Command::cargo_bin("runner")
        .unwrap()
        .current_dir(dir.path())
        .args(["export", "missing.json"])
        .assert()
        .code(2);
}
