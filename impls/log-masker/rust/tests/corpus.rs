//! The shared hand-checked corpus must be reproduced byte for byte.

use std::fs;
use std::path::PathBuf;

use log_masker::mask_bytes;

fn testdata(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("testdata")
        .join(name)
}

fn read(name: &str) -> Vec<u8> {
    let path = testdata(name);
    fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn corpus_output_matches_expected() {
    let (out, _) = mask_bytes(&read("cases.log"));
    let want = read("cases.expected");
    if out != want {
        let got = String::from_utf8_lossy(&out);
        let want = String::from_utf8_lossy(&want);
        for (k, (g, w)) in got.lines().zip(want.lines()).enumerate() {
            assert_eq!(g, w, "line {}", k + 1);
        }
        panic!("outputs differ (length or trailing newline)");
    }
}

#[test]
fn corpus_summary_matches_expected() {
    let (_, summary) = mask_bytes(&read("cases.log"));
    let want = String::from_utf8(read("cases.summary.json")).expect("summary is UTF-8");
    assert_eq!(summary.to_json(), want.trim_end_matches('\n'));
}
