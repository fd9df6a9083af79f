//! `runner doctor` reads the one declaration of prerequisites (toolchains.toml's and the
//! manifests' `[requires]`): what is missing is named with its project and package, and a
//! program a manifest's commands start without declaring it fails the doctor too — so removing a
//! package from a manifest's `[requires]` cannot pass unnoticed. No test here installs anything
//! (no `--provision`).

use assert_cmd::Command;
use std::path::Path;

mod common;
use common::fixture;

fn doctor(root: &Path, manifests: &[&str]) -> (Option<i32>, String) {
    let out = Command::cargo_bin("runner")
        .unwrap()
        .current_dir(root)
        .arg("doctor")
        .args(manifests)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), text)
}

#[test]
fn a_missing_package_is_named_with_its_project_and_the_install_command() {
    let dir = fixture("doctor");
    let (code, text) = doctor(dir.path(), &["manifests/absent.toml"]);
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("9.8 absent lacks Debian package `runner-test-absent` (executable `runner-test-absent-tool`)"),
        "{text}"
    );
    assert!(
        text.contains("apt-get install -y runner-test-absent"),
        "the one command that installs it: {text}"
    );
}

/// The real manifests of the FFmpeg projects in a folder of their own, `impls/` linked in, with
/// the repository's toolchains.toml (its `[requires]` included: nothing is installed here).
fn real_manifests(edit: impl Fn(&str) -> String) -> tempfile::TempDir {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("manifests")).unwrap();
    for slug in ["hls-segmenter", "subtitle-burn-in"] {
        let text = std::fs::read_to_string(repo.join(format!("manifests/{slug}.toml"))).unwrap();
        let text = if slug == "hls-segmenter" {
            edit(&text)
        } else {
            text
        };
        std::fs::write(dir.path().join(format!("manifests/{slug}.toml")), text).unwrap();
    }
    std::os::unix::fs::symlink(repo.join("impls"), dir.path().join("impls")).unwrap();
    std::fs::copy(
        repo.join("toolchains.toml"),
        dir.path().join("toolchains.toml"),
    )
    .unwrap();
    dir
}

#[test]
fn removing_a_package_from_requires_fails_the_doctor_naming_package_and_project() {
    let ffmpeg = "ffmpeg = { executables = [\"ffmpeg\", \"ffprobe\"] }\n";
    let dir = real_manifests(|t| {
        assert!(t.contains(ffmpeg), "hls-segmenter declares ffmpeg: {t}");
        t.replace(ffmpeg, "")
    });
    let (code, text) = doctor(dir.path(), &[]);
    assert_eq!(code, Some(1), "{text}");
    let line = text
        .lines()
        .find(|l| l.contains("1.2 hls-segmenter") && l.contains("`ffmpeg`"))
        .unwrap_or_else(|| panic!("no line names 1.2 and ffmpeg:\n{text}"));
    assert!(
        line.contains("is not declared in [requires]")
            && line
                .contains("Debian package `ffmpeg` provides it (1.3 subtitle-burn-in declares it)"),
        "{line}"
    );
    // With the declaration intact, the same manifests are complete (whatever this machine lacks).
    let whole = real_manifests(str::to_string);
    let (_, text) = doctor(whole.path(), &[]);
    assert!(!text.contains("is not declared"), "{text}");
}
