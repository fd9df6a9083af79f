//! The driver end to end: the generator, runs against the Python oracle reference.py (which
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

/// Paced, the driver puts one block in the pipe at a time: the program reads every block on its
/// own (here Python's read of the whole of stdin, one read(2) per block), and the JSON line
/// reports its reads and its own CPU time per second of audio.
#[test]
fn paced_blocks_arrive_one_at_a_time() {
    let input = tmp("paced.pcm");
    gen(2, &input);
    let records = tmp("paced.bin");
    let script = format!(
        "exec python3 {} /dev/stdin /dev/stdout",
        reference().display()
    );
    let o = run(bin()
        .args(["--pace", "100x", "--input"])
        .arg(&input)
        .arg("--out")
        .arg(&records)
        .args(["--", "sh", "-c", &script]));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let line = String::from_utf8(o.stdout).unwrap();
    let number = |key: &str| -> f64 {
        let at = line.find(&format!("\"{key}\":")).expect(key) + key.len() + 3;
        let end = at + line[at..].find([',', '}']).unwrap();
        line[at..end].parse().expect(key)
    };
    // 2 s of audio in blocks of 160 samples: 200 blocks, each read on its own.
    assert!(number("child_reads") >= 200.0, "{line}");
    assert!(number("cpu_us_per_audio_s") > 0.0, "{line}");
    assert!(line.contains("\"pace\":\"100x\""), "{line}");
}

/// A paced run must not wait forever for a block the program will never read.
#[test]
fn reports_a_program_that_stops_reading() {
    let input = tmp("stops.pcm");
    gen(2, &input);
    let o = run(bin()
        .args(["--pace", "100x", "--input"])
        .arg(&input)
        .arg("--out")
        .arg(tmp("stops.bin"))
        .args(["--", "sh", "-c", "sleep 0.2; exec 0<&-; exit 0"]));
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("writing to sh"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
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
