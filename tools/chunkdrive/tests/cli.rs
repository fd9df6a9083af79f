//! The driver end to end: the generator, a run against the Python reference chunker (which
//! answers only at end of stream), and the failures it must report.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_chunkdrive"))
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("chunkdrive-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("chunkdrive runs")
}

fn gen(seconds: u64, out: &Path) {
    let o = run(bin()
        .args([
            "gen",
            "--seed",
            "7",
            "--seconds",
            &seconds.to_string(),
            "--out",
        ])
        .arg(out));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

fn reference() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../impls/audio-chunker/reference.py")
}

#[test]
fn gen_is_deterministic() {
    let (a, b) = (tmp("a.pcm"), tmp("b.pcm"));
    gen(3, &a);
    gen(3, &b);
    let (a, b) = (std::fs::read(a).unwrap(), std::fs::read(b).unwrap());
    assert_eq!(a.len(), 3 * 16_000 * 2);
    assert_eq!(a, b);
}

#[test]
fn drives_the_reference_and_reports_latencies() {
    let input = tmp("ref.pcm");
    gen(8, &input);
    let expected = tmp("expected.bin");
    let st = Command::new("python3")
        .arg(reference())
        .arg(&input)
        .arg(&expected)
        .status()
        .unwrap();
    assert!(st.success());
    let records = tmp("records.bin");
    let script = format!(
        "exec python3 {} /dev/stdin /dev/stdout",
        reference().display()
    );
    let o = run(bin()
        .args(["--pace", "fast", "--input"])
        .arg(&input)
        .arg("--out")
        .arg(&records)
        .args(["--", "sh", "-c", &script]));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let line = String::from_utf8(o.stdout).unwrap();
    assert!(line.starts_with("{\"chunks\":"), "{line}");
    assert!(line.contains("\"pace\":\"fast\",\"block\":160"), "{line}");
    assert!(!line.contains("\"p50\":null"), "{line}");
    assert_eq!(
        std::fs::read(&records).unwrap(),
        std::fs::read(&expected).unwrap()
    );
}

#[test]
fn rejects_a_program_that_writes_garbage() {
    let input = tmp("garbage.pcm");
    gen(2, &input);
    let out = tmp("garbage.bin");
    let o = run(bin()
        .arg("--input")
        .arg(&input)
        .arg("--out")
        .arg(&out)
        .args(["--", "cat"]));
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("bad header"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(!out.exists(), "no records file is left behind");
}

#[test]
fn reports_a_failing_program() {
    let input = tmp("fail.pcm");
    gen(2, &input);
    let o = run(bin()
        .arg("--input")
        .arg(&input)
        .arg("--out")
        .arg(tmp("fail.bin"))
        .args(["--", "sh", "-c", "exit 3"]));
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("status 3"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn usage_errors() {
    assert_eq!(
        run(bin().args(["--pace", "slow", "--input", "x", "--out", "y", "--", "cat"]))
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        run(bin().args(["--input", "x", "--out", "y"]))
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        run(bin().args(["gen", "--seed", "1"])).status.code(),
        Some(2)
    );
}
