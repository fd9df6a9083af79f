//! `runner compare` on fake-backend reports: a slower and a faster variant of the `fake`
//! fixture (its `wall=` values edited in the TOML text) give regressed and improved verdicts;
//! a report against itself gives no significant change; the same reports rewritten as a service's
//! (`common::as_service`) compare CPU per request, not the load window; differing conditions are
//! said; the manifest's own `min_effect` applies unless `--min-effect` overrides it.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

mod common;
use common::{as_service, fixture, ServiceLoad};
use serde_json::Value;

/// Benches the fixture's manifest with its text edited by `edit`; returns the report, copied
/// to `<dir>/<name>.json`.
fn report(dir: &Path, name: &str, edit: impl Fn(String) -> String) -> PathBuf {
    let manifest = dir.join("manifests/fake.toml");
    let original = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, edit(original.clone())).unwrap();
    let out = format!("reports-{name}");
    // Exit 1 is fine: some variants make a job fail on purpose.
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
            "--out",
            &out,
        ])
        .output()
        .unwrap();
    std::fs::write(&manifest, original).unwrap();
    let run = std::fs::read_dir(dir.join(&out).join("runs"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let to = dir.join(format!("{name}.json"));
    std::fs::copy(run, &to).unwrap();
    to
}

fn compare(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("runner")
        .unwrap()
        .current_dir(dir)
        .arg("compare")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

/// The verdict of `job`'s `metric` row in the markdown output.
fn verdict(md: &str, job: &str, metric: &str) -> String {
    md.lines()
        .find(|l| l.starts_with(&format!("| fake | {job} | {metric} |")))
        .unwrap_or_else(|| panic!("no row {job} {metric} in\n{md}"))
        .trim_end_matches(" |")
        .rsplit(" | ")
        .next()
        .unwrap()
        .to_string()
}

#[test]
fn slower_go_is_a_regression_and_faster_rust_an_improvement() {
    let dir = fixture("fake");
    let base = report(dir.path(), "base", |t| t);
    let cur = report(dir.path(), "cur", |t| {
        t.replace("\"wall=0.020\"", "\"wall=0.030\"")
            .replace("\"wall=0.010\"", "\"wall=0.005\"")
    });
    let (code, md, _) = compare(
        dir.path(),
        &[base.to_str().unwrap(), cur.to_str().unwrap(), "--markdown"],
    );
    assert_eq!(code, 0, "no --fail-on-regression: exit 0");
    assert_eq!(verdict(&md, "go", "wall time"), "**regressed**");
    assert_eq!(verdict(&md, "go", "cpu (user+sys)"), "**regressed**");
    assert_eq!(verdict(&md, "rust", "wall time"), "improved");
    assert_eq!(verdict(&md, "zig", "wall time"), "no significant change");
    assert_eq!(verdict(&md, "go", "peak rss"), "no significant change");
    assert!(md.contains("1.49×") || md.contains("1.50×"), "{md}");

    let (code, text, _) = compare(
        dir.path(),
        &[
            base.to_str().unwrap(),
            cur.to_str().unwrap(),
            "--fail-on-regression",
        ],
    );
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("regressed"), "{text}");

    // The other way round, go improved and rust regressed.
    let (_, md, _) = compare(
        dir.path(),
        &[cur.to_str().unwrap(), base.to_str().unwrap(), "--markdown"],
    );
    assert_eq!(verdict(&md, "go", "wall time"), "improved");
    assert_eq!(verdict(&md, "rust", "wall time"), "**regressed**");
}

#[test]
fn a_report_against_itself_has_no_significant_change() {
    let dir = fixture("fake");
    let base = report(dir.path(), "base", |t| t);
    let (code, text, _) = compare(
        dir.path(),
        &[
            base.to_str().unwrap(),
            base.to_str().unwrap(),
            "--fail-on-regression",
        ],
    );
    assert_eq!(code, 0, "{text}");
    assert!(
        !text.contains("regressed ") && !text.contains(" improved "),
        "{text}"
    );
    assert!(
        text.contains("0 regressed, 0 improved, 12 unchanged"),
        "{text}"
    );
}

#[test]
fn a_large_min_effect_hides_a_small_change() {
    let dir = fixture("fake");
    let base = report(dir.path(), "base", |t| t);
    let cur = report(dir.path(), "cur", |t| {
        t.replace("\"wall=0.020\"", "\"wall=0.021\"")
    });
    let args = |min: &'static str| {
        vec![
            base.to_str().unwrap().to_string(),
            cur.to_str().unwrap().to_string(),
            "--markdown".to_string(),
            "--min-effect".to_string(),
            min.to_string(),
        ]
    };
    let run = |min| {
        let a = args(min);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        compare(dir.path(), &a).1
    };
    assert_eq!(verdict(&run("0.02"), "go", "wall time"), "**regressed**");
    assert_eq!(
        verdict(&run("0.10"), "go", "wall time"),
        "no significant change"
    );
}

#[test]
fn jobs_on_one_side_are_new_or_gone_and_failures_have_no_number() {
    let dir = fixture("fake");
    let base = report(dir.path(), "base", |t| t);
    // Current: zig not implemented (a "todo"), and go's run fails.
    let cur = report(dir.path(), "cur", |t| {
        let without_zig = match (t.find("[lang.zig]"), t.find("[[reference]]")) {
            (Some(a), Some(b)) => format!("{}[lang.zig]\ntodo = \"not yet\"\n{}", &t[..a], &t[b..]),
            _ => panic!("fixture layout changed"),
        };
        without_zig.replace("\"wall=0.020\"", "\"wall=0.020\", \"exit=3\"")
    });
    let (_, md, _) = compare(
        dir.path(),
        &[base.to_str().unwrap(), cur.to_str().unwrap(), "--markdown"],
    );
    assert!(md.contains("| fake | zig |  |"), "{md}");
    let zig = md
        .lines()
        .find(|l| l.starts_with("| fake | zig |"))
        .unwrap();
    assert!(zig.ends_with("| gone |"), "{zig}");
    let go = md.lines().find(|l| l.starts_with("| fake | go |")).unwrap();
    assert!(go.ends_with("| no number |"), "{go}");

    let (_, md, _) = compare(
        dir.path(),
        &[cur.to_str().unwrap(), base.to_str().unwrap(), "--markdown"],
    );
    let zig = md
        .lines()
        .find(|l| l.starts_with("| fake | zig |"))
        .unwrap();
    assert!(zig.ends_with("| new |"), "{zig}");
}

#[test]
fn unreadable_or_other_version_reports_exit_2_naming_the_file() {
    let dir = fixture("fake");
    let base = report(dir.path(), "base", |t| t);
    let (code, _, err) = compare(dir.path(), &[base.to_str().unwrap(), "missing.json"]);
    assert_eq!(code, 2);
    assert!(err.contains("missing.json"), "{err}");

    let text = std::fs::read_to_string(&base).unwrap();
    let old = dir.path().join("old.json");
    std::fs::write(
        &old,
        text.replacen("\"schema_version\": 2", "\"schema_version\": 0", 1),
    )
    .unwrap();
    let (code, _, err) = compare(dir.path(), &[old.to_str().unwrap(), base.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        err.contains("old.json") && err.contains("schema version 0"),
        "{err}"
    );
}

/// The two reports of one service, measured with 3 s and then 5 s load windows (issue 16: that
/// made 8 false "regressed" rows and `--fail-on-regression` exit 1).
fn service_reports(dir: &Path, current_cpu_share: f64) -> (PathBuf, PathBuf) {
    let base = report(dir, "base", |t| t);
    let cur = report(dir, "cur", |t| t);
    let load = |window_s, cpu_share| ServiceLoad {
        window_s,
        cpu_share,
        noise: 0.002,
    };
    as_service(&base, &load(3.0, 0.4));
    as_service(&cur, &load(5.0, current_cpu_share));
    (base, cur)
}

#[test]
fn a_service_is_compared_by_cpu_per_request_not_by_its_load_window() {
    let dir = fixture("fake");
    let (base, cur) = service_reports(dir.path(), 0.4);
    let (code, md, _) = compare(
        dir.path(),
        &[
            base.to_str().unwrap(),
            cur.to_str().unwrap(),
            "--markdown",
            "--fail-on-regression",
        ],
    );
    assert_eq!(code, 0, "a longer window is no regression:\n{md}");
    assert!(
        !md.contains("| wall time |"),
        "the window is a setting:\n{md}"
    );
    assert!(
        !md.contains("| cpu (user+sys) |"),
        "CPU over the window:\n{md}"
    );
    for job in ["go", "rust", "zig", "sed"] {
        assert_eq!(verdict(&md, job, "requests"), "no significant change");
        assert_eq!(
            verdict(&md, job, "cpu per request"),
            "no significant change"
        );
        assert_eq!(verdict(&md, job, "peak rss"), "no significant change");
    }

    // More CPU for the same requests is a regression, whatever the window.
    let dir = fixture("fake");
    let (base, cur) = service_reports(dir.path(), 0.6);
    let (code, md, _) = compare(
        dir.path(),
        &[
            base.to_str().unwrap(),
            cur.to_str().unwrap(),
            "--markdown",
            "--fail-on-regression",
        ],
    );
    assert_eq!(code, 1, "{md}");
    assert_eq!(verdict(&md, "go", "cpu per request"), "**regressed**");
    assert_eq!(verdict(&md, "go", "requests"), "no significant change");
}

/// Edits a report's JSON in place.
fn edit_json(path: &Path, edit: impl Fn(&mut Value)) {
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    edit(&mut v);
    std::fs::write(path, v.to_string()).unwrap();
}

#[test]
fn differing_hosts_parameters_manifests_and_commits_are_said() {
    let dir = fixture("fake");
    let base = report(dir.path(), "base", |t| t);
    let cur = report(dir.path(), "cur", |t| {
        t.replace("size = \"1M\"", "size = \"2M\"")
    });
    edit_json(&base, |v| {
        v["host"]["cpu_model"] = "AMD EPYC 7B13".into();
        v["git"]["commit"] = "4335f26aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".into();
    });
    edit_json(&cur, |v| {
        v["host"]["cpu_model"] = "Intel(R) Xeon(R) CPU @ 2.20GHz".into();
        v["git"]["commit"] = "976c2d0bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb".into();
    });
    for markdown in [false, true] {
        let mut args = vec![base.to_str().unwrap(), cur.to_str().unwrap()];
        if markdown {
            args.push("--markdown");
        }
        let (code, text, _) = compare(dir.path(), &args);
        assert_eq!(code, 0, "{text}");
        for want in [
            "different CPUs",
            "AMD EPYC 7B13",
            "Intel(R) Xeon(R) CPU @ 2.20GHz",
            "fake: parameters differ: size 1M → 2M",
            "fake: the manifest changed",
            "4335f26aaaaa",
            "976c2d0bbbbb",
        ] {
            assert!(
                text.contains(want),
                "{want} missing (markdown: {markdown}):\n{text}"
            );
        }
    }
    // The same report twice: nothing to say.
    let (_, text, _) = compare(
        dir.path(),
        &[base.to_str().unwrap(), base.to_str().unwrap()],
    );
    assert!(
        !text.contains("warning") && !text.contains("note"),
        "{text}"
    );
}

#[test]
fn the_manifest_min_effect_applies_unless_the_flag_overrides_it() {
    let dir = fixture("fake");
    let declare = |t: String| {
        t.replace(
            "headline = \"wall_time\"",
            "headline = \"wall_time\"\nmin_effect = 0.10",
        )
    };
    let base = report(dir.path(), "base", declare);
    let cur = report(dir.path(), "cur", |t| {
        declare(t).replace("\"wall=0.020\"", "\"wall=0.021\"")
    });
    let (b, c) = (base.to_str().unwrap(), cur.to_str().unwrap());
    // Go is 5% slower: under the manifest's 10%.
    let (_, md, _) = compare(dir.path(), &[b, c, "--markdown"]);
    assert_eq!(
        verdict(&md, "go", "wall time"),
        "no significant change",
        "{md}"
    );
    let (_, md, _) = compare(dir.path(), &[b, c, "--markdown", "--min-effect", "0.02"]);
    assert_eq!(verdict(&md, "go", "wall time"), "**regressed**", "{md}");
}
