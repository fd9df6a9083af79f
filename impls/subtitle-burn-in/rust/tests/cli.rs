//! End-to-end runs of the binary on testdata/tiny.mp4, and the fault cases.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use subtitle_burn_in::{cells, decode_frames, parse, Font, Layout};

fn testdata(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata")
        .join(name)
}

/// A fresh temporary folder per test (tests run in parallel), removed by the test at its end.
fn tmp_dir(test: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("subtitle-burn-in-rs-{}-{test}", std::process::id()));
    fs::create_dir_all(&dir).expect("create temp dir");
    dir
}

fn run(args: &[&Path]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_subtitle-burn-in"))
        .args(args)
        .output()
        .expect("run subtitle-burn-in")
}

fn partial(p: &Path) -> PathBuf {
    let mut s = p.as_os_str().to_owned();
    s.push(".partial");
    PathBuf::from(s)
}

#[test]
fn burns_tiny_video_losslessly() {
    let dir = tmp_dir("e2e");
    let out = dir.join("e2e.mp4");
    let input = testdata("tiny.mp4");
    let r = run(&[&input, &testdata("tiny.srt"), &out]);
    assert_eq!(
        r.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&r.stdout),
        "{\"frames\":12,\"frames_with_text\":5,\"cues\":1,\"audio_packets\":20}\n"
    );
    assert!(r.stderr.is_empty());
    assert!(!partial(&out).exists());
    let src = decode_frames(&input).unwrap();
    let got = decode_frames(&out).unwrap();
    assert_eq!((src.len(), got.len()), (12, 12));
    let subs = parse(&fs::read(testdata("tiny.srt")).unwrap()).unwrap();
    let layout = Layout::new(&Font::embedded(), &cells(&subs.cues[0], false), 160, 96).unwrap();
    let (ys, cs) = (160 * 96, 80 * 48);
    for (i, (s, g)) in src.iter().zip(&got).enumerate() {
        let mut want = s.clone();
        // Cue 100–250 ms at 30 fps: frames 3..=7 carry the text.
        if (3..=7).contains(&i) {
            let (y, rest) = want.split_at_mut(ys);
            let (u, v) = rest.split_at_mut(cs);
            layout.draw(y, u, v, 160, 80, 80);
            assert_ne!(&want, s, "frame {i}: drawing changed nothing");
        }
        assert!(g == &want, "frame {i} differs from the expected frame");
    }
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn faults_exit_1_and_leave_no_output() {
    let dir = tmp_dir("faults");
    let tmp = |name: &str| dir.join(name);
    let tiny = testdata("tiny.mp4");
    let srt = testdata("tiny.srt");
    let data = fs::read(&tiny).unwrap();
    let half = tmp("half.mp4");
    fs::write(&half, &data[..data.len() / 2]).unwrap();
    let fs_data = fs::read(testdata("tiny-faststart.mp4")).unwrap();
    let fs_cut = tmp("faststart-cut.mp4");
    fs::write(&fs_cut, &fs_data[..fs_data.len() * 9 / 10]).unwrap();
    let not_video = tmp("not-a-video.mp4");
    fs::write(&not_video, "this is not a video file, just some text\n").unwrap();
    let missing = tmp("missing.mp4");
    let cases: [(&str, &Path, PathBuf, &str); 8] = [
        ("missing video", &missing, srt.clone(), "cannot open"),
        ("not a video", &not_video, srt.clone(), "cannot open"),
        ("subtitles as video", &srt, srt.clone(), "no video stream"),
        (
            "cut in half",
            &half,
            srt.clone(),
            "cannot open: Invalid data found when processing input",
        ),
        (
            "faststart cut at 90%",
            &fs_cut,
            srt.clone(),
            "truncated or corrupt: decoded 11 of 12 frames",
        ),
        (
            "cue past the end",
            &tiny,
            testdata("tiny-late.srt"),
            "tiny-late.srt:6: cue starts at 5000 ms",
        ),
        (
            "broken timing",
            &tiny,
            testdata("bad/bad-arrow.srt"),
            "bad-arrow.srt:2: bad timing line",
        ),
        (
            "missing subtitles",
            &tiny,
            tmp("missing.srt"),
            "missing.srt: No such file",
        ),
    ];
    let out = tmp("fault.mp4");
    for (name, input, subs, want) in cases {
        let r = run(&[input, &subs, &out]);
        let stderr = String::from_utf8_lossy(&r.stderr);
        assert_eq!(r.status.code(), Some(1), "{name}: {stderr}");
        assert!(r.stdout.is_empty(), "{name}");
        assert!(stderr.contains(want), "{name}: {stderr}");
        assert!(
            !out.exists() && !partial(&out).exists(),
            "{name}: output left behind"
        );
    }
    let r = run(&[&tiny, &srt, &tmp("no-such-dir/out.mp4")]);
    assert_eq!(r.status.code(), Some(1));
    let r = run(&[&tiny, &srt]);
    assert_eq!(r.status.code(), Some(2));
    fs::remove_dir_all(&dir).unwrap();
}
