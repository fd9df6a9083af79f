//! Runs the segmenter on the committed fixtures (../testdata) and on the fault cases.

use std::fs;
use std::path::{Path, PathBuf};

use hls_segmenter::run;
use sha2::{Digest, Sha256};

fn testdata(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata")
        .join(name)
}

/// A fresh empty directory under the target dir, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let p =
            Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&p);
        fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
    fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }
    fn list(&self) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(&self.0)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        v.sort();
        v
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

#[test]
fn tiny_matches_reference() {
    let dir = TempDir::new("tiny");
    run(testdata("tiny.mp4").to_str().unwrap(), dir.path(), 1).unwrap();
    assert_eq!(
        dir.list(),
        ["index.m3u8", "seg00000.ts", "seg00001.ts", "seg00002.ts"]
    );
    assert_eq!(
        fs::read_to_string(dir.0.join("index.m3u8")).unwrap(),
        fs::read_to_string(testdata("tiny.m3u8")).unwrap()
    );
    let sums = fs::read_to_string(testdata("tiny.sha256")).unwrap();
    let mut n = 0;
    for line in sums.lines() {
        let mut f = line.split_whitespace();
        let (want, name) = (f.next().unwrap(), f.next().unwrap());
        let got = Sha256::digest(fs::read(dir.0.join(name)).unwrap());
        let got: String = got.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(got, want, "{name} differs from the ffmpeg CLI's segment");
        n += 1;
    }
    assert_eq!(n, 3);
}

fn assert_fault(input: &Path, reason: &str, dir_name: &str) {
    let dir = TempDir::new(dir_name);
    let input = input.to_str().unwrap();
    let err = run(input, dir.path(), 1).unwrap_err();
    assert_eq!(err.path, input);
    assert!(
        err.reason.contains(reason),
        "{err} does not mention {reason:?}"
    );
    assert!(
        dir.list().is_empty(),
        "partial output left behind: {:?}",
        dir.list()
    );
}

#[test]
fn missing_file() {
    assert_fault(
        &testdata("no-such-file.mp4"),
        "No such file or directory",
        "missing",
    );
}

#[test]
fn not_a_video() {
    assert_fault(
        &testdata("not-a-video.txt"),
        "Invalid data found when processing input",
        "text",
    );
}

#[test]
fn audio_only() {
    assert_fault(&testdata("audio-only.m4a"), "no video stream", "audio");
}

#[test]
fn truncated_file() {
    let tiny = fs::read(testdata("tiny.mp4")).unwrap();
    let tmp = TempDir::new("half-input");
    let half = tmp.0.join("half.mp4");
    fs::write(&half, &tiny[..tiny.len() / 2]).unwrap();
    assert_fault(&half, "corrupt packet in stream", "half");
}

#[test]
fn missing_output_directory() {
    let tmp = TempDir::new("absent-parent");
    let dir = tmp.0.join("absent");
    let err = run(
        testdata("tiny.mp4").to_str().unwrap(),
        dir.to_str().unwrap(),
        1,
    )
    .unwrap_err();
    assert_eq!(err.path, dir.to_str().unwrap());
    assert!(!dir.exists());
}
