//! End-to-end tests of `runner render` on fixture scenarios (see
//! `tests/fixtures/render/FIXTURES.md`): snapshots of both READMEs, Thai text kept byte for byte,
//! `--check` on stale and fresh files, errors on bad input, and the charts. Each test copies its
//! scenario, the real `templates/` (with the fixture copy of `groups.toml`) and the fixture
//! READMEs into a temporary folder and runs the binary there.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

mod common;
use common::copy_tree;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/render")
}

/// A working folder with the scenario's manifests and reports, `impl/`, the fixture READMEs and
/// the templates.
fn scenario(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let f = fixtures();
    copy_tree(&f.join("scenarios").join(name), dir.path());
    copy_tree(&f.join("impl"), &dir.path().join("impl"));
    for readme in ["README.md", "README.th.md"] {
        std::fs::copy(f.join(readme), dir.path().join(readme)).unwrap();
    }
    let templates = Path::new(env!("CARGO_MANIFEST_DIR")).join("../templates");
    copy_tree(&templates, &dir.path().join("templates"));
    std::fs::copy(
        f.join("groups.toml"),
        dir.path().join("templates/groups.toml"),
    )
    .unwrap();
    dir
}

fn runner(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::cargo_bin("runner")
        .unwrap()
        .current_dir(dir)
        .arg("render")
        .args(args)
        .output()
        .unwrap()
}

fn read(path: impl AsRef<Path>) -> String {
    std::fs::read_to_string(path.as_ref())
        .unwrap_or_else(|e| panic!("{}: {e}", path.as_ref().display()))
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn render_ok(dir: &Path) {
    let o = runner(dir, &[]);
    assert_eq!(o.status.code(), Some(0), "stderr:\n{}", stderr(&o));
}

#[test]
fn snapshots_of_both_readmes() {
    for name in [
        "all-planned",
        "mixed",
        "failed",
        "not-significant",
        "reference",
        "variant",
        "cost",
    ] {
        let dir = scenario(name);
        render_ok(dir.path());
        insta::assert_snapshot!(format!("{name}.en"), read(dir.path().join("README.md")));
        insta::assert_snapshot!(format!("{name}.th"), read(dir.path().join("README.th.md")));
    }
}

/// The parts of a document outside its generated regions.
fn outside_regions(text: &str, file: &Path) -> Vec<String> {
    let regions = runner::output::render::markers::regions(text, file).unwrap();
    let mut parts = Vec::new();
    let mut at = 0;
    for r in regions {
        parts.push(text[at..r.content.start].to_string());
        at = r.content.end;
    }
    parts.push(text[at..].to_string());
    parts
}

#[test]
fn thai_text_survives_byte_for_byte() {
    let dir = scenario("reference");
    render_ok(dir.path());
    let th = read(dir.path().join("README.th.md"));
    let manifest: toml::Table =
        toml::from_str(&read(dir.path().join("manifests/log-masker.toml"))).unwrap();
    let text = &manifest["text"]["th"];
    for key in ["name", "summary", "skill"] {
        let want = text[key].as_str().unwrap();
        assert!(
            th.contains(want),
            "README.th.md lacks text.th.{key} {want:?}"
        );
    }
    let note = manifest["notes"]["th"].as_str().unwrap();
    assert!(th.contains(note), "README.th.md lacks notes.th {note:?}");
    assert!(!th.contains(manifest["notes"]["en"].as_str().unwrap()));
    // Hand-written Thai around the regions is untouched.
    let original = read(fixtures().join("README.th.md"));
    assert_eq!(
        outside_regions(&th, Path::new("README.th.md")),
        outside_regions(&original, Path::new("README.th.md"))
    );
    // Group headings from groups.toml, Thai then English as in the seed.
    assert!(th.contains("### 3. กลุ่มงาน AI และ Data Pipeline (AI & Data Engineering)"));
}

#[test]
fn check_fails_on_stale_files_and_passes_after_render() {
    let dir = scenario("mixed");
    let before = read(dir.path().join("README.md"));

    // Fresh fixture READMEs have empty regions: stale.
    let o = runner(dir.path(), &["--check"]);
    assert_eq!(o.status.code(), Some(1), "stderr:\n{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("--- README.md (on disk)"), "{err}");
    assert!(err.contains("+++ README.th.md (rendered)"), "{err}");
    assert!(
        err.contains("+| 1.1 | Video Frame Extractor | ✅ Done |"),
        "{err}"
    );
    assert!(
        err.contains("reports/charts/video-frame-extractor.svg: stale"),
        "{err}"
    );
    assert!(err.trim_end().ends_with("run: runner render"), "{err}");
    assert_eq!(
        read(dir.path().join("README.md")),
        before,
        "--check writes nothing"
    );
    assert!(
        !dir.path().join("reports/charts").exists(),
        "--check writes no chart"
    );

    render_ok(dir.path());
    let o = runner(dir.path(), &["--check"]);
    assert_eq!(o.status.code(), Some(0), "stderr:\n{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("up to date"));

    // A hand edit inside a region makes it stale again; one outside does not.
    let readme = dir.path().join("README.md");
    let text = read(&readme);
    std::fs::write(&readme, text.replace("Hand-written prose", "Edited prose")).unwrap();
    assert_eq!(runner(dir.path(), &["--check"]).status.code(), Some(0));
    let edited = read(&readme).replacen("✅ Done", "✅ Done!", 1);
    std::fs::write(&readme, &edited).unwrap();
    let o = runner(dir.path(), &["--check"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("-| 1.1 | Video Frame Extractor | ✅ Done! |"),
        "{err}"
    );
    assert!(
        err.contains("+| 1.1 | Video Frame Extractor | ✅ Done |"),
        "{err}"
    );
    assert!(!err.contains("README.th.md"), "only the stale file: {err}");
    render_ok(dir.path());
    assert!(read(&readme).contains("Edited prose"));
    assert_eq!(runner(dir.path(), &["--check"]).status.code(), Some(0));
}

#[test]
fn bad_input_is_a_usage_error_naming_the_file() {
    // A report of another schema version.
    let dir = scenario("mixed");
    let path = dir.path().join("reports/latest/audio-chunker.json");
    let text = read(&path).replacen("\"schema_version\": 1", "\"schema_version\": 99", 1);
    std::fs::write(&path, text).unwrap();
    let o = runner(dir.path(), &[]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("reports/latest/audio-chunker.json: report schema version 99"),
        "{err}"
    );

    // Not JSON.
    std::fs::write(&path, "{ not json").unwrap();
    let err = stderr(&runner(dir.path(), &[]));
    assert!(
        err.contains("reports/latest/audio-chunker.json: not a valid report"),
        "{err}"
    );

    // A missing marker.
    let dir = scenario("all-planned");
    let th = dir.path().join("README.th.md");
    let text = read(&th).replace(
        "<!-- runner:begin insights -->\n<!-- runner:end insights -->\n",
        "",
    );
    std::fs::write(&th, text).unwrap();
    let o = runner(dir.path(), &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("README.th.md: marker `<!-- runner:begin insights -->` is missing"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        read(dir.path().join("README.md")),
        read(fixtures().join("README.md")),
        "nothing written"
    );

    // No manifests.
    let empty = tempfile::tempdir().unwrap();
    let o = runner(empty.path(), &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("manifests: no manifests found"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_project_without_a_report_is_not_measured() {
    let dir = scenario("mixed");
    std::fs::remove_dir_all(dir.path().join("reports")).unwrap();
    render_ok(dir.path());
    let en = read(dir.path().join("README.md"));
    assert!(
        en.contains("| 1.1 | Video Frame Extractor | 🚧 In progress | … | … | … |"),
        "{en}"
    );
    assert!(en.contains("No project has been measured yet"));
}

/// Minimal well-formedness check: every tag closed in order, attributes quoted.
fn assert_well_formed(svg: &str) {
    let mut stack: Vec<String> = Vec::new();
    let mut rest = svg;
    while let Some(start) = rest.find('<') {
        let end = rest[start..].find('>').expect("unclosed tag") + start;
        let tag = &rest[start + 1..end];
        rest = &rest[end + 1..];
        if tag.starts_with('?') || tag.starts_with('!') {
            continue;
        }
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(
                stack.pop().as_deref(),
                Some(name.trim()),
                "mismatched </{name}>"
            );
        } else if !tag.ends_with('/') {
            let name = tag.split_whitespace().next().unwrap().to_string();
            stack.push(name);
        }
        assert_eq!(
            tag.matches('"').count() % 2,
            0,
            "unbalanced quotes in <{tag}>"
        );
    }
    assert!(stack.is_empty(), "unclosed: {stack:?}");
}

const GO: &str = "fill=\"#00ADD8\"";
const RUST: &str = "fill=\"#B7410E\"";
const ZIG: &str = "fill=\"#F7A41D\"";
/// A Zig variant's bars: Zig's colour halfway to white.
const ZIG_VARIANT: &str = "fill=\"#FBD28E\"";

#[test]
fn charts_have_one_bar_per_measured_language_and_are_linked() {
    let dir = scenario("reference");
    render_ok(dir.path());
    let charts = dir.path().join("reports/charts");
    for file in ["log-masker.svg", "log-masker-memory.svg"] {
        let svg = read(charts.join(file));
        assert!(svg.starts_with("<svg"), "{file}");
        assert_well_formed(&svg);
        for colour in [GO, RUST, ZIG] {
            assert_eq!(
                svg.matches(colour).count(),
                1,
                "{file}: one bar of {colour}"
            );
        }
    }
    let svg = read(charts.join("log-masker.svg"));
    assert!(svg.contains("MB/s (higher is better)"));
    for readme in ["README.md", "README.th.md"] {
        let text = read(dir.path().join(readme));
        assert!(text.contains("(reports/charts/log-masker.svg)"), "{readme}");
        assert!(
            text.contains("(reports/charts/log-masker-memory.svg)"),
            "{readme}"
        );
    }

    // Failed languages get no bar, but say why.
    let dir = scenario("failed");
    render_ok(dir.path());
    let svg = read(dir.path().join("reports/charts/hls-segmenter.svg"));
    assert_well_formed(&svg);
    assert_eq!(svg.matches(GO).count(), 1);
    assert_eq!(svg.matches(RUST).count() + svg.matches(ZIG).count(), 0);
    assert!(svg.contains("✗ build failed") && svg.contains("✗ wrong output"));
    // No language has a number: no chart.
    assert!(!dir
        .path()
        .join("reports/charts/subtitle-burn-in.svg")
        .exists());
}

/// The `variant` scenario: Zig's ReleaseFast build is faster than every language, Rust beats the
/// three languages, Go's PGO build failed. The variants are in the group section and the chart,
/// named after their language; they are not in the status table, and Rust, not the faster
/// variant, is the winner.
#[test]
fn variants_are_shown_beside_their_language_but_never_ranked() {
    let dir = scenario("variant");
    render_ok(dir.path());
    let en = read(dir.path().join("README.md"));
    let th = read(dir.path().join("README.th.md"));
    let line = |text: &str, start: &str| -> String {
        text.lines()
            .find(|l| l.trim_start().starts_with(start))
            .unwrap_or_else(|| panic!("no line starting with {start:?} in\n{text}"))
            .to_string()
    };
    // The status table: one row, Go, Rust, Zig only (then the input · runs column), Rust bold.
    let row = line(&en, "| 5.3 |");
    assert_eq!(row.matches(" | ").count(), 6, "{row}");
    assert!(
        !row.contains("ReleaseFast") && !row.contains("PGO"),
        "{row}"
    );
    assert!(row.contains("**49.9 ms"), "Rust is the winner: {row}");
    // The group section: each variant, its note, and how it compares with its language.
    let result = line(&en, "- Result:");
    assert!(
        result.contains("variant Zig (ReleaseFast) 39.9 ms ±0.4%, 1.50× faster than Zig, 95% CI 1.49–1.50× (no bounds or overflow checks; another build of the language, not ranked)"),
        "{result}"
    );
    assert!(
        result.contains("variant Go (PGO) ✗ build failed (another build"),
        "{result}"
    );
    assert!(
        !result.contains("**39.9"),
        "a variant is never bold: {result}"
    );
    let result_th = line(&th, "- ผลลัพธ์:");
    assert!(
        result_th.contains("บิลด์ทางเลือก Zig (ReleaseFast) 39.9 ms ±0.4%, เร็วกว่า Zig 1.50×"),
        "{result_th}"
    );
    assert!(
        result_th.contains("ไม่มีการตรวจขอบเขตและการล้น"),
        "{result_th}"
    );
    // Insights: the winner and the verdicts are between languages.
    assert!(en.contains("**Rust** wins"), "{en}");
    assert!(!en.contains("beats Zig (ReleaseFast)") && !en.contains("Zig (ReleaseFast) beats"));

    // The chart: a bar per language and one, lighter, for the measured variant, in that order.
    for file in ["bytecode-vm.svg", "bytecode-vm-memory.svg"] {
        let svg = read(dir.path().join("reports/charts").join(file));
        assert_well_formed(&svg);
        for colour in [GO, RUST, ZIG, ZIG_VARIANT] {
            assert_eq!(
                svg.matches(colour).count(),
                1,
                "{file}: one bar of {colour}"
            );
        }
        let at = |label: &str| {
            svg.find(&format!(">\n{label}\n<"))
                .unwrap_or_else(|| panic!("{file}: no {label}"))
        };
        assert!(
            at("Go") < at("Go (PGO)") && at("Go (PGO)") < at("Rust"),
            "{file}"
        );
        assert!(at("Zig") < at("Zig (ReleaseFast)"), "{file}");
        assert!(svg.contains("✗ build failed"), "{file}");
        assert!(
            svg.contains("a name in brackets: another build, not ranked"),
            "{file}"
        );
    }
}

#[test]
fn options_move_every_file() {
    let dir = scenario("reference");
    let p = dir.path();
    std::fs::create_dir_all(p.join("docs")).unwrap();
    std::fs::rename(p.join("README.md"), p.join("docs/en.md")).unwrap();
    std::fs::rename(p.join("README.th.md"), p.join("docs/th.md")).unwrap();
    std::fs::rename(p.join("reports"), p.join("data")).unwrap();
    std::fs::rename(p.join("templates"), p.join("tpl")).unwrap();
    let args = [
        "manifests/log-masker.toml",
        "--reports",
        "data",
        "--readme",
        "docs/en.md",
        "--readme-th",
        "docs/th.md",
        "--charts",
        "out/charts",
        "--templates",
        "tpl",
    ];
    let o = runner(p, &args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(p.join("out/charts/log-masker.svg").exists());
    assert!(read(p.join("docs/en.md")).contains("(../out/charts/log-masker.svg)"));
    let mut check = args.to_vec();
    check.push("--check");
    assert_eq!(runner(p, &check).status.code(), Some(0));
}

/// Issue 16: a number measured on a busy machine (published with `--accept-noisy`) is marked and
/// never bold; a report with fewer runs than its manifest's `min_runs` is marked reduced, and
/// `render --check` fails on it unless `reports/reduced-sampling.allow` lists it.
#[test]
fn busy_machine_and_reduced_sampling_are_shown_and_checked() {
    let dir = scenario("mixed");
    let path = dir.path().join("reports/latest/video-frame-extractor.json");
    let mut r: serde_json::Value = serde_json::from_str(&read(&path)).unwrap();
    let jobs = r["projects"][0]["jobs"].as_array_mut().unwrap();
    // Go, the winner, was measured on a busy machine.
    jobs[0]["noisy"] =
        "the machine stayed busy before round 2: other processes used 1.40 CPUs (limit 0.25)"
            .into();
    // Rust made 3 runs where the manifest asks for 10 (`--runs 3`).
    jobs[1]["samples"].as_array_mut().unwrap().truncate(3);
    std::fs::write(&path, serde_json::to_string_pretty(&r).unwrap()).unwrap();

    let o = runner(dir.path(), &[]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "rendering only warns\n{}",
        stderr(&o)
    );
    assert!(
        stderr(&o).contains("warning: 1 latest report(s) measured with fewer runs"),
        "{}",
        stderr(&o)
    );
    let en = read(dir.path().join("README.md"));
    let row = en.lines().find(|l| l.starts_with("| 1.1 ")).unwrap();
    assert!(
        row.contains("| 516 ms ±0.4% ⚠ noisy (busy machine) |"),
        "marked, not bold: {row}"
    );
    assert!(!row.contains("**"), "nothing is bold: {row}");
    assert!(
        row.ends_with("| 3–10 runs ⚠ reduced sampling (manifest: 10) |"),
        "{row}"
    );
    assert!(
        en.contains(
            "  - Measured on: 3–10 runs per language ⚠ reduced sampling: the manifest asks for 10"
        ),
        "{en}"
    );
    let th = read(dir.path().join("README.th.md"));
    let row = th.lines().find(|l| l.starts_with("| 1.1 ")).unwrap();
    assert!(row.contains("⚠ ไม่นิ่ง (เครื่องไม่ว่าง)"), "{row}");
    assert!(
        row.contains("3–10 รอบ ⚠ วัดน้อยรอบกว่าที่กำหนด (manifest: 10)"),
        "{row}"
    );

    // Up to date, but reduced: --check fails and says how to fix it.
    let o = runner(dir.path(), &["--check"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("error: 1 latest report(s) measured with fewer runs than their manifest asks")
            && err.contains("  1.1 video-frame-extractor: 3 run(s), the manifest asks for 10")
            && err.contains("published_runs"),
        "{err}"
    );
    // Listed in the allowance: it passes, with a note; a listed project that is not reduced
    // is named as a line to remove.
    std::fs::write(
        dir.path().join("reports/reduced-sampling.allow"),
        "# measured with --runs 3\nvideo-frame-extractor\naudio-chunker\n",
    )
    .unwrap();
    let o = runner(dir.path(), &["--check"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(
        err.contains("pass only because reports/reduced-sampling.allow lists them"),
        "{err}"
    );
    assert!(err.contains("remove these lines: audio-chunker"), "{err}");
    // A manifest that declares fewer runs its published setting needs no allowance.
    std::fs::remove_file(dir.path().join("reports/reduced-sampling.allow")).unwrap();
    let m = dir.path().join("manifests/video-frame-extractor.toml");
    std::fs::write(
        &m,
        read(&m).replace("min_runs = 10", "min_runs = 10\npublished_runs = 3"),
    )
    .unwrap();
    render_ok(dir.path());
    let o = runner(dir.path(), &["--check"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!read(dir.path().join("README.md")).contains("reduced sampling (manifest"));
}
