//! SRT/WebVTT parsing against the shared test data.

use std::fs;
use subtitle_burn_in::{cells, dump, parse};

fn testdata(name: &str) -> Vec<u8> {
    fs::read(format!("{}/../testdata/{name}", env!("CARGO_MANIFEST_DIR"))).expect("read test data")
}

#[test]
fn cases_match_the_expected_dumps() {
    for name in ["cases.srt", "cases.vtt"] {
        let subs = parse(&testdata(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(subs.vtt, name.ends_with(".vtt"), "{name}: format");
        let want = String::from_utf8(testdata(&format!("{name}.expected"))).unwrap();
        assert_eq!(dump(&subs), want, "{name}");
    }
}

#[test]
fn bad_files_fail_at_the_expected_line() {
    let expected = String::from_utf8(testdata("bad/expected.txt")).unwrap();
    let rows: Vec<&str> = expected.lines().collect();
    assert!(rows.len() >= 10);
    for row in rows {
        let mut parts = row.splitn(3, ' ');
        let (file, line, msg) = (
            parts.next().unwrap(),
            parts.next().unwrap(),
            parts.next().unwrap(),
        );
        let err = parse(&testdata(&format!("bad/{file}"))).expect_err(file);
        assert_eq!(err.line, line.parse::<usize>().unwrap(), "{file}: {err}");
        assert!(err.msg.starts_with(msg), "{file}: {err}");
    }
}

#[test]
fn styles_carry_over_lines_and_stop_at_closing_tags() {
    let subs = parse(b"1\n00:00:01,000 --> 00:00:02,000\n<i>a\nb</i> c\n").unwrap();
    let c = &subs.cues[0];
    assert_eq!((c.start, c.end, c.line, c.text.len()), (1000, 2000, 2, 2));
    let cs = cells(c, false);
    assert!(cs[0][0].italic && cs[1][0].italic);
    assert!(!cs[1][2].italic && cs[1][2].cp == 'c');
}

#[test]
fn edge_files() {
    let blank = parse(b"\n \n").unwrap();
    assert!(blank.cues.is_empty() && !blank.vtt);
    assert!(parse(b"WEBVTT").unwrap().vtt);
    // Not a WebVTT header: parsed as SRT, whose first block is not a cue number.
    assert_eq!(parse(b"WEBVTTX\n").unwrap_err().line, 1);
    // A BOM and CRLF line ends.
    let s = parse(b"\xEF\xBB\xBF1\r\n00:00:00,000 --> 00:00:00,001\r\nx\r\n").unwrap();
    assert_eq!(s.cues[0].text, vec!["x".to_string()]);
}
