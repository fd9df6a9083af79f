//! Diagnostics of `runner check`, one snapshot per broken manifest.
//!
//! Every file in `tests/fixtures/broken/manifests/` has one mistake (its first comment lines say
//! which). The runner must reject it with exit code 1, and what it prints on stderr — message,
//! `file:line:col`, caret snippet, help — is pinned by an insta snapshot named after the file
//! (`tests/snapshots/broken_manifests__<stem>.snap`). The binary runs in the crate folder and is
//! given relative paths, so the snapshots do not depend on where the repository is checked out.
//!
//! After changing a diagnostic on purpose: `INSTA_UPDATE=always cargo test -p runner --test
//! broken_manifests`, then read the changed `.snap` files before committing them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const FIXTURES: &str = "tests/fixtures/broken/manifests";

fn crate_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The broken manifests, as paths relative to the crate folder, sorted by name.
fn fixtures() -> Vec<PathBuf> {
    let dir = crate_dir().join(FIXTURES);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| Path::new(FIXTURES).join(p.file_name().expect("file name")))
        .collect();
    files.sort();
    files
}

fn stem(path: &Path) -> String {
    path.file_stem()
        .expect("file stem")
        .to_string_lossy()
        .into_owned()
}

/// The leading `#` comment of a fixture: what it tests.
fn purpose(path: &Path) -> String {
    let text = std::fs::read_to_string(crate_dir().join(path)).expect("fixture is readable");
    text.lines()
        .map_while(|l| l.strip_prefix('#'))
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ")
}

fn check(cwd: &Path, args: &[&Path]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_runner"))
        .current_dir(cwd)
        .arg("check")
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("runner starts")
}

#[test]
fn broken_manifests_are_rejected_with_stable_diagnostics() {
    let files = fixtures();
    assert!(
        files.len() >= 22,
        "expected at least 22 broken fixtures in {FIXTURES}, found {}",
        files.len()
    );
    let mut failures: Vec<String> = Vec::new();
    for path in &files {
        let name = stem(path);
        let out = check(crate_dir(), &[path]);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        if out.status.code() != Some(1) {
            failures.push(format!(
                "{}: expected exit code 1, got {:?}\n--- stdout ---\n{}\n--- stderr ---\n{stderr}",
                path.display(),
                out.status.code(),
                String::from_utf8_lossy(&out.stdout),
            ));
            continue;
        }
        // Keep going past a mismatch so one run lists every changed snapshot.
        let mut settings = insta::Settings::clone_current();
        settings.set_description(purpose(path));
        settings.set_omit_expression(true);
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            settings.bind(|| insta::assert_snapshot!(name.as_str(), stderr));
        }));
        if result.is_err() {
            failures.push(format!(
                "{}: stderr differs from snapshot `{name}` (see above)",
                path.display()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} fixtures failed:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}

#[test]
fn every_snapshot_has_its_fixture() {
    let names: Vec<String> = fixtures().iter().map(|p| stem(p)).collect();
    let snaps = crate_dir().join("tests/snapshots");
    let Ok(entries) = std::fs::read_dir(&snaps) else {
        return;
    };
    let mut orphans: Vec<String> = entries
        .flatten()
        .filter_map(|e| e.file_name().to_str().map(String::from))
        .filter_map(|f| {
            f.strip_prefix("broken_manifests__")?
                .strip_suffix(".snap")
                .map(String::from)
        })
        .filter(|s| !names.contains(s))
        .collect();
    orphans.sort();
    assert!(
        orphans.is_empty(),
        "snapshots without a fixture in {FIXTURES} (delete tests/snapshots/broken_manifests__<name>.snap): {}",
        orphans.join(", ")
    );
}

#[test]
fn fixture_names_are_numbered_slugs() {
    for path in fixtures() {
        let name = stem(&path);
        let (num, rest) = name.split_once('-').unwrap_or(("", ""));
        assert!(
            num.len() == 2 && num.bytes().all(|b| b.is_ascii_digit()) && !rest.is_empty(),
            "{}: fixture names are NN-short-name.toml",
            path.display()
        );
        assert!(
            !purpose(&path).is_empty(),
            "{}: start the fixture with a # comment saying what it tests",
            path.display()
        );
    }
}

#[test]
fn repository_manifests_pass_check() {
    let repo = crate_dir()
        .parent()
        .expect("the crate is inside the workspace");
    let mut manifests: Vec<PathBuf> = std::fs::read_dir(repo.join("manifests"))
        .expect("manifests/ exists at the repository root")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| Path::new("manifests").join(p.file_name().expect("file name")))
        .collect();
    manifests.sort();
    assert!(!manifests.is_empty(), "no manifests/*.toml found");
    // All at once, so duplicate ids and slugs across manifests are caught too.
    let args: Vec<&Path> = manifests.iter().map(PathBuf::as_path).collect();
    let out = check(repo, &args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "runner check manifests/*.toml failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(&format!("{} manifest(s) OK", manifests.len())),
        "unexpected stdout: {stdout}"
    );
}
