//! End-to-end tests of the binary on ../testdata, fault cases included.
//!
//! small.mp4: 320×240, 30 fps (time base 1/15360, 512 per frame), 2 s, keyframes at 0 s and 1 s.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_video-frame-extractor");

fn testdata(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata")
        .join(name)
}

/// A fresh, empty scratch folder for one test.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vfe-rust-{}-{test}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(BIN).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn list(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = match fs::read_dir(dir) {
        Ok(rd) => rd
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect(),
        Err(_) => Vec::new(),
    };
    names.sort();
    names
}

fn png_size(path: &Path) -> (u32, u32) {
    let b = fs::read(path).unwrap();
    assert!(
        b.len() >= 24 && &b[..8] == b"\x89PNG\r\n\x1a\n" && &b[12..16] == b"IHDR",
        "{path:?} is not a PNG"
    );
    (
        u32::from_be_bytes(b[16..20].try_into().unwrap()),
        u32::from_be_bytes(b[20..24].try_into().unwrap()),
    )
}

#[test]
fn extracts_the_frame_at_or_after_each_timestamp() {
    let dir = scratch("at").join("thumbs"); // created by the program
    let small = testdata("small.mp4");
    let (code, stdout, stderr) = run(&[
        "--width",
        "100",
        "--at",
        "0,0.5,0.51,1.9,0.5",
        "--raw",
        small.to_str().unwrap(),
        dir.to_str().unwrap(),
    ]);
    assert_eq!((code, stderr.as_str()), (0, ""));
    // 0.51 s is pts 7833.6 -> 7834: the next frame is #16 (pts 8192, 0.533333 s).
    assert_eq!(
        stdout,
        "001.png t=0.000000 frame=0.000000 pts=0\n\
         002.png t=0.500000 frame=0.500000 pts=7680\n\
         003.png t=0.510000 frame=0.533333 pts=8192\n\
         004.png t=1.900000 frame=1.900000 pts=29184\n\
         005.png t=0.500000 frame=0.500000 pts=7680\n"
    );
    let names = list(&dir);
    assert_eq!(
        names,
        [
            "001.png",
            "002.png",
            "003.png",
            "004.png",
            "005.png",
            "frames.rgb"
        ]
    );
    for n in &names[..5] {
        assert_eq!(png_size(&dir.join(n)), (100, 76), "{n}");
    }
    let raw = fs::read(dir.join("frames.rgb")).unwrap();
    const FRAME: usize = 100 * 76 * 3;
    assert_eq!(raw.len(), 5 * FRAME);
    let slice = |i: usize| &raw[i * FRAME..(i + 1) * FRAME];
    assert_eq!(
        slice(1),
        slice(4),
        "the same timestamp twice gave different pixels"
    );
    assert_ne!(slice(1), slice(2), "different frames gave the same pixels");
    assert_ne!(slice(0), slice(3), "different frames gave the same pixels");
    assert_eq!(
        fs::read(dir.join("002.png")).unwrap(),
        fs::read(dir.join("005.png")).unwrap(),
        "the reused PNG encoder gave different bytes for the same pixels"
    );
    fs::remove_dir_all(dir.parent().unwrap()).unwrap();
}

#[test]
fn every_n_seconds_with_the_default_width() {
    let dir = scratch("every");
    let small = testdata("small.mp4");
    let (code, stdout, stderr) = run(&[
        "--every",
        "0.5",
        small.to_str().unwrap(),
        dir.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout.lines().count(), 4, "0, 0.5, 1, 1.5:\n{stdout}");
    assert_eq!(list(&dir), ["001.png", "002.png", "003.png", "004.png"]);
    assert_eq!(png_size(&dir.join("004.png")), (320, 240));
    fs::remove_dir_all(dir).unwrap();
}

/// A job that must fail with exit code 1, one line on stderr, and no output file left behind.
fn expect_failure(test: &str, input: &Path, want: &str, extra: &[&str]) {
    let dir = scratch(test).join("out");
    let mut args = vec!["--raw", input.to_str().unwrap(), dir.to_str().unwrap()];
    args.extend_from_slice(extra);
    let (code, stdout, stderr) = run(&args);
    assert_eq!(code, 1, "stderr: {stderr}");
    assert_eq!(stdout, "");
    assert!(
        stderr.starts_with("video-frame-extractor: ")
            && stderr.contains(want)
            && stderr.lines().count() == 1,
        "stderr {stderr:?} should be one line containing {want:?}"
    );
    assert_eq!(list(&dir), Vec::<String>::new(), "files left behind");
    fs::remove_dir_all(dir.parent().unwrap()).unwrap();
}

#[test]
fn missing_file() {
    expect_failure(
        "missing",
        &testdata("nope.mp4"),
        "No such file or directory",
        &["--at", "0"],
    );
}

#[test]
fn not_a_video() {
    let dir = scratch("notvideo-in");
    let path = dir.join("notes.mp4");
    fs::write(&path, "this is not a video\n".repeat(200)).unwrap();
    expect_failure(
        "notvideo",
        &path,
        "Invalid data found when processing input",
        &["--at", "0"],
    );
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn audio_only_file_has_no_video_stream() {
    expect_failure(
        "audio",
        &testdata("audio-only.m4a"),
        "no video stream",
        &["--at", "0"],
    );
}

#[test]
fn truncated_file() {
    let data = fs::read(testdata("small.mp4")).unwrap();
    let dir = scratch("truncated-in");
    let path = dir.join("half.mp4");
    fs::write(&path, &data[..data.len() / 2]).unwrap();
    expect_failure("truncated", &path, "half.mp4", &["--at", "0"]);
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn timestamp_past_the_end() {
    let small = testdata("small.mp4");
    expect_failure(
        "past1",
        &small,
        "timestamp 2.500000 is past the end",
        &["--at", "0.5,2.5"],
    );
    expect_failure(
        "past2",
        &small,
        "timestamp 2.000000 is past the end",
        &["--at", "2"],
    );
}

/// 1.99 s is before the container's end (2 s) but after the last frame (1.966667 s): the failure
/// comes after 001.png was already encoded, and its .part file must be gone too.
#[test]
fn no_frame_after_the_last_leaves_nothing() {
    expect_failure(
        "nolast",
        &testdata("small.mp4"),
        "no frame at or after 1.990000",
        &["--at", "0.5,1.99"],
    );
}

#[test]
fn usage_errors_exit_2() {
    let small = testdata("small.mp4");
    let small = small.to_str().unwrap();
    let dir = scratch("usage");
    let d = dir.to_str().unwrap();
    for args in [
        &[][..],
        &[small],
        &["--at", "x", small, d],
        &["--every", "0.000001", small, d],
    ] {
        let (code, stdout, stderr) = run(args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert_eq!(stdout, "");
        assert!(stderr.starts_with("video-frame-extractor: "), "{stderr}");
    }
    assert_eq!(list(&dir), Vec::<String>::new());
    fs::remove_dir_all(dir).unwrap();
}
