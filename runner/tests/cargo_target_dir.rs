//! A user's `CARGO_TARGET_DIR` must not move what the runner builds away from where manifests
//! point: an input's helper tool (`prepare` = `cargo build -p tool`, `generate` =
//! `{root}/target/release/tool`) is found, and nothing lands in the user's folder.

use assert_cmd::Command;
use std::time::Duration;

mod common;
use common::fixture;

#[test]
fn an_inputs_helper_tool_is_found_whatever_cargo_target_dir_says() {
    let dir = fixture("cargo-tool");
    let elsewhere = tempfile::tempdir().unwrap();
    let out = Command::cargo_bin("runner")
        .unwrap()
        .current_dir(dir.path())
        .env("CARGO_TARGET_DIR", elsewhere.path())
        .args([
            "bench",
            "manifests/cargo-tool.toml",
            "--no-provision",
            "--no-latest",
            "--out",
            "reports",
        ])
        .timeout(Duration::from_secs(300))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stderr}\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(dir.path().join("target/release/tool").is_file(), "{stderr}");
    assert!(
        !elsewhere.path().join("release").exists(),
        "the runner's cargo commands build into target/ of their folder, not CARGO_TARGET_DIR"
    );
}
