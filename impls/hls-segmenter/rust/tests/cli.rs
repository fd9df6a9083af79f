//! The binary's exit codes and its silence on success.

use std::path::Path;
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_hls-segmenter"))
}

fn tiny() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata/tiny.mp4")
        .to_str()
        .unwrap()
        .to_string()
}

#[test]
fn usage_errors_exit_2() {
    let out = bin().output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("usage: hls-segmenter INPUT OUTDIR [TARGET_SECONDS]"));
    let out = bin()
        .args([tiny().as_str(), env!("CARGO_TARGET_TMPDIR"), "0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid target duration"));
}

#[test]
fn missing_input_exits_1() {
    let out = bin()
        .args(["/nonexistent/in.mp4", env!("CARGO_TARGET_TMPDIR")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "hls-segmenter: /nonexistent/in.mp4: No such file or directory\n"
    );
}

#[test]
fn success_is_silent() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-ok-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let out = bin()
        .args([tiny().as_str(), dir.to_str().unwrap(), "1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty() && out.stderr.is_empty());
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 4);
    let _ = std::fs::remove_dir_all(&dir);
}
