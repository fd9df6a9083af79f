//! The export files of `runner bench --export-…` and `runner export`, read back and checked
//! against the report they came from. Each test copies the `fake` fixture to a temporary folder
//! and runs the deterministic fake backend with `--seed 7`.

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

mod common;
use common::{as_service, fixture, ServiceLoad};

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
        // Bencher's built-in measure of a file's size is `file-size`.
        match j["build"]["artifact_bytes"].as_f64() {
            Some(bytes) => assert_eq!(b["file-size"]["value"].as_f64(), Some(bytes)),
            None => assert!(b.get("file-size").is_none()),
        }
        assert!(b.get("binary-size").is_none());
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
    // Each job's headline, then each job's peak memory (also lower-is-better).
    assert_eq!(entries.len(), 2 * jobs.len());
    for (name, j) in &jobs {
        let find = |n: String| entries.iter().find(|e| e["name"] == n).unwrap();
        let e = find(format!("fake/{name}"));
        assert_eq!(e["unit"], "s");
        assert!(close(
            e["value"].as_f64().unwrap(),
            j["summary"]["headline"]["mean"].as_f64().unwrap()
        ));
        let range = e["range"].as_str().unwrap();
        assert!(
            range.starts_with("± ") || (range.starts_with('+') && range.contains(" / -")),
            "{range}"
        );
        assert!(e["extra"].as_str().unwrap().contains("runs"));
        let m = find(format!("fake/{name}/peak-rss"));
        assert_eq!(m["unit"], "bytes");
        assert!(close(
            m["value"].as_f64().unwrap(),
            j["summary"]["max_rss_bytes"]["mean"].as_f64().unwrap()
        ));
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

/// `runner export REPORT` with `args`: (exit code, stderr).
fn export(dir: &Path, report: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::cargo_bin("runner")
        .unwrap()
        .current_dir(dir)
        .arg("export")
        .arg(report)
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The fake fixture's report rewritten as a service's: every headline higher-is-better.
fn service_report(dir: &Path, noise: f64) -> PathBuf {
    let path = bench(dir, &[]);
    as_service(
        &path,
        &ServiceLoad {
            window_s: 3.0,
            cpu_share: 0.4,
            noise,
        },
    );
    path
}

#[test]
fn gab_smaller_is_better_file_is_never_an_empty_array() {
    let dir = fixture("fake");
    let report = service_report(dir.path(), 0.002);
    let (code, err) = export(dir.path(), &report, &["--gab", "gab.json"]);
    assert_eq!(code, 0, "{err}");
    // github-action-benchmark fails on `[]`: the smaller file holds every job's peak memory.
    let smaller = json(&dir.path().join("gab.json"));
    let entries = smaller.as_array().unwrap();
    assert_eq!(entries.len(), 4, "{smaller}");
    for e in entries {
        assert!(e["name"].as_str().unwrap().ends_with("/peak-rss"), "{e}");
        assert_eq!(e["unit"], "bytes");
    }
    let bigger = json(&dir.path().join("gab.bigger.json"));
    assert_eq!(bigger.as_array().unwrap().len(), 4, "{bigger}");
    assert!(bigger[0]["unit"] == "req/s", "{bigger}");
}

#[test]
fn gab_range_has_no_thousands_separators() {
    let dir = fixture("fake");
    // ±5% rounds on 40,000 req/s: a half-width over a thousand.
    let report = service_report(dir.path(), 0.05);
    let (code, err) = export(dir.path(), &report, &["--gab", "gab.json"]);
    assert_eq!(code, 0, "{err}");
    let bigger = json(&dir.path().join("gab.bigger.json"));
    let rust = bigger
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "fake/rust")
        .unwrap();
    let range = rust["range"].as_str().unwrap();
    assert!(!range.contains(','), "{range}");
    // The interval is asymmetric (log scale): further above the mean than below.
    let (up, down) = range
        .strip_prefix('+')
        .and_then(|r| r.split_once(" / -"))
        .unwrap_or_else(|| panic!("not +a / -b: {range}"));
    let (up, down): (f64, f64) = (up.parse().unwrap(), down.parse().unwrap());
    assert!(up > 1000.0 && down > 1000.0 && up > down, "{range}");
}

#[test]
fn hyperfine_export_of_a_service_only_report_is_an_error() {
    let dir = fixture("fake");
    let report = service_report(dir.path(), 0.002);
    let (code, err) = export(
        dir.path(),
        &report,
        &["--hyperfine", "hf.json", "--csv", "r.csv"],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("hf.json") && err.contains("service"), "{err}");
    assert!(
        !dir.path().join("hf.json").exists(),
        "no empty results file"
    );
    // The other formats are still written.
    assert!(dir.path().join("r.csv").exists(), "{err}");
}
