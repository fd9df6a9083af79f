//! The command-line contract: exit codes, stderr format, stdout summary.

use std::fs;
use std::path::PathBuf;
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_log-masker"))
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("log-masker-rs-cli-{}", std::process::id()));
    fs::create_dir_all(&dir).expect("create temp dir");
    dir.join(name)
}

fn run(args: &[&std::ffi::OsStr]) -> Output {
    bin().args(args).output().expect("run log-masker")
}

#[test]
fn wrong_argument_count_exits_2() {
    for args in [&[][..], &["a"][..], &["a", "b", "c"][..]] {
        let out = bin().args(args).output().expect("run log-masker");
        assert_eq!(out.status.code(), Some(2), "args {args:?}");
        assert!(out.stdout.is_empty());
        assert!(String::from_utf8_lossy(&out.stderr).contains("usage"));
    }
}

#[test]
fn missing_input_exits_1() {
    let input = tmp("does-not-exist.log");
    let output = tmp("missing-input.out");
    let out = run(&[input.as_os_str(), output.as_os_str()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    let prefix = format!("log-masker: {}: ", input.display());
    assert!(err.starts_with(&prefix), "stderr: {err:?}");
    assert!(
        err.ends_with('\n') && err.lines().count() == 1,
        "stderr: {err:?}"
    );
    assert!(err.contains("No such file"), "stderr: {err:?}");
}

#[test]
fn unwritable_output_exits_1() {
    let input = tmp("ok.log");
    fs::write(&input, b"x\n").expect("write input");
    let output = tmp("no-such-dir").join("out.log");
    let out = run(&[input.as_os_str(), output.as_os_str()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with(&format!("log-masker: {}: ", output.display())),
        "stderr: {err:?}"
    );
}

#[test]
fn input_is_a_directory_exits_1() {
    let dir = std::env::temp_dir();
    let output = tmp("dir-input.out");
    let out = run(&[dir.as_os_str(), output.as_os_str()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr)
        .starts_with(&format!("log-masker: {}: ", dir.display())));
}

#[test]
fn corpus_end_to_end() {
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../testdata");
    let output = tmp("cases.out");
    fs::write(
        &output,
        b"stale content that must be truncated, longer than nothing",
    )
    .expect("seed");
    let out = run(&[data.join("cases.log").as_os_str(), output.as_os_str()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stderr.is_empty());
    let want_summary = fs::read(data.join("cases.summary.json")).expect("read summary");
    let want_summary = String::from_utf8_lossy(&want_summary);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("{}\n", want_summary.trim_end())
    );
    assert!(
        fs::read(&output).expect("read output")
            == fs::read(data.join("cases.expected")).expect("read expected")
    );
}

#[test]
fn empty_input_end_to_end() {
    let input = tmp("empty.log");
    let output = tmp("empty.out");
    fs::write(&input, b"").expect("write input");
    let out = run(&[input.as_os_str(), output.as_os_str()]);
    assert_eq!(out.status.code(), Some(0));
    assert!(fs::read(&output).expect("read output").is_empty());
    assert!(String::from_utf8_lossy(&out.stdout)
        .starts_with(r#"{"bytes_in":0,"bytes_out":0,"lines":0,"#));
}
