//! Streaming edge cases and a cross-check of the optimised scanner against a naive reference.

use std::io::{self, Read};

use log_masker::{
    mask_block_using, mask_bytes, mask_stream, match_at, Engine, Stats, Summary, BLOCK, RULE_COUNT,
};

/// The spec's processing model, literally: split into lines, try every position of each line.
fn reference(input: &[u8]) -> (Vec<u8>, Summary) {
    let mut out = Vec::new();
    let mut sum = Summary {
        bytes_in: input.len() as u64,
        ..Summary::default()
    };
    if input.is_empty() {
        return (out, sum);
    }
    let mut lines: Vec<&[u8]> = input.split(|&b| b == b'\n').collect();
    if input.ends_with(b"\n") {
        lines.pop();
    }
    sum.lines = lines.len() as u64;
    for (k, line) in lines.iter().enumerate() {
        let mut p = 0;
        while p < line.len() {
            match match_at(line, p) {
                Some(m) => {
                    out.extend_from_slice(&line[p..m.keep]);
                    out.extend_from_slice(m.rule.replacement());
                    sum.masked[m.rule as usize] += 1;
                    p = m.end;
                }
                None => {
                    out.push(line[p]);
                    p += 1;
                }
            }
        }
        if k + 1 < lines.len() || input.ends_with(b"\n") {
            out.push(b'\n');
        }
    }
    sum.bytes_out = out.len() as u64;
    (out, sum)
}

/// A reader that hands out its data in small, irregular pieces.
struct Trickle<'a> {
    data: &'a [u8],
    step: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.step = self.step * 7 % 13 + 1;
        let n = self.step.min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

#[test]
fn empty_input() {
    let (out, s) = mask_bytes(b"");
    assert!(out.is_empty());
    assert_eq!(
        s.to_json(),
        r#"{"bytes_in":0,"bytes_out":0,"lines":0,"masked":{"jwt":0,"bearer":0,"secret":0,"api_key":0,"email":0,"ipv6":0,"ipv4":0,"thai_id":0,"card":0,"phone":0}}"#
    );
}

#[test]
fn line_counting() {
    assert_eq!(mask_bytes(b"\n").1.lines, 1);
    assert_eq!(mask_bytes(b"\n\n").1.lines, 2);
    assert_eq!(mask_bytes(b"a").1.lines, 1);
    assert_eq!(mask_bytes(b"a\nb").1.lines, 2);
    assert_eq!(mask_bytes(b"a\nb\n").1.lines, 2);
}

#[test]
fn no_trailing_newline() {
    let (out, s) = mask_bytes(b"ip 10.0.0.1\nlast 10.0.0.2");
    assert_eq!(out, b"ip [IPV4]\nlast [IPV4]");
    assert_eq!((s.lines, s.bytes_in, s.bytes_out), (2, 25, 21));
    // a match that ends exactly at the end of input
    assert_eq!(mask_bytes(b"a@b.com").0, b"[EMAIL]");
    assert_eq!(mask_bytes(b"1.2.3.4-").0, b"[IPV4]-");
}

#[test]
fn matches_never_cross_newlines() {
    let cases: &[(&[u8], &[u8])] = &[
        (b"password=\nx", b"password=\nx"),
        (b"bearer\n12345678", b"bearer\n12345678"),
        (b"a@\nb.com", b"a@\nb.com"),
        (b"1.2.3.4\n.5", b"[IPV4]\n.5"),
        (b"1.2.3.4-\n5", b"[IPV4]-\n5"),
        (b"081-234-\n5678", b"081-234-\n5678"),
        (b"x\n1.2.3.4", b"x\n[IPV4]"),
        (b"a-\n1.2.3.4", b"a-\n[IPV4]"),
        (b"a.\n::1", b"a.\n[IPV6]"),
        (b"a\nb@c.com", b"a\n[EMAIL]"),
        (b"2001:db8::1\n", b"[IPV6]\n"),
        (b"password=abc\r\n", b"password=[REDACTED]\n"),
    ];
    for (input, want) in cases {
        let (out, _) = mask_bytes(input);
        assert_eq!(
            String::from_utf8_lossy(&out),
            String::from_utf8_lossy(want),
            "input {:?}",
            String::from_utf8_lossy(input)
        );
    }
}

#[test]
fn invalid_utf8_is_copied_verbatim() {
    let input: &[u8] = b"\xff\xfe a@b.com \xc3\x28 10.0.0.1\xa0 \x80password=x\xff\n\xe0\x80";
    let (out, s) = mask_bytes(input);
    assert_eq!(
        out,
        b"\xff\xfe [EMAIL] \xc3\x28 [IPV4]\xa0 \x80password=[REDACTED]\xff\n\xe0\x80".to_vec()
    );
    assert_eq!(s.lines, 2);
    // every byte >= 0x80 survives unchanged, in order
    let hi = |v: &[u8]| v.iter().copied().filter(|&b| b >= 0x80).collect::<Vec<_>>();
    assert_eq!(hi(&out), hi(input));
}

#[test]
fn line_longer_than_the_read_buffer() {
    let filler_len = 3 * BLOCK / 2;
    let mut line = Vec::new();
    line.extend_from_slice(b"eyJhbGc.eyJzdWI.sig ");
    line.extend(std::iter::repeat_n(b'x', filler_len));
    line.extend_from_slice(b" password=hunter2 ");
    line.extend(std::iter::repeat_n(b'y', filler_len));
    line.extend_from_slice(b" 4111111111111111");
    assert!(line.len() > 3 * BLOCK);
    let mut input = b"first 10.0.0.1\n".to_vec();
    input.extend_from_slice(&line);
    input.extend_from_slice(b"\nlast a@b.com\n");

    let (out, s) = mask_bytes(&input);
    let mut want = b"first [IPV4]\n[JWT] ".to_vec();
    want.extend(std::iter::repeat_n(b'x', filler_len));
    want.extend_from_slice(b" password=[REDACTED] ");
    want.extend(std::iter::repeat_n(b'y', filler_len));
    want.extend_from_slice(b" [CARD]\nlast [EMAIL]\n");
    assert!(out == want, "long line masked wrongly");
    assert_eq!(s.lines, 3);
    assert_eq!(s.bytes_in, input.len() as u64);
    assert_eq!(s.bytes_out, want.len() as u64);
    let mut masked = [0u64; RULE_COUNT];
    masked[0] = 1; // jwt
    masked[2] = 1; // secret
    masked[4] = 1; // email
    masked[6] = 1; // ipv4
    masked[8] = 1; // card
    assert_eq!(s.masked, masked);

    // The same line, with a huge token that itself spans several blocks.
    let mut big = b"bearer ".to_vec();
    big.extend(std::iter::repeat_n(b'T', 2 * BLOCK + 3));
    big.extend_from_slice(b" end");
    let (out, _) = mask_bytes(&big);
    assert_eq!(out, b"bearer [TOKEN] end");
}

/// Small deterministic generator (no external crates needed).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) as usize
    }
}

const LONG_WORD: &[u8] =
    b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_abcdefghij";
const LONGER_WORD: &[u8] = b"eyJhbGciOiJIUzI1NiJ9abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const LONG_LOCAL: &[u8] = b"first.last+tag-x%y.first.last+tag-x%y.first.last+tag-x%y.first.last+tag-x%y.first.last+tag-x%y.first.last+tag-x%y.first.last+tag-x%y";

/// Random lines built from fragments that sit on and around every rule's edges, plus runs longer
/// than the scanner's 64- and 128-byte windows.
fn fuzz_input(seed: u64, pieces: usize) -> Vec<u8> {
    const FRAGMENTS: &[&[u8]] = &[
        b" ",
        b"  ",
        b"\n",
        b"-",
        b".",
        b":",
        b"::",
        b"+",
        b"(",
        b")",
        b"@",
        b"\"",
        b"=",
        b"_",
        b"%",
        b"\t",
        b"\r",
        b",",
        b";",
        b"x",
        b"e",
        b"eyJ",
        b"eyJa",
        b"bearer ",
        b"Bearer",
        b"password",
        b"pwd",
        b"secret",
        b"api_key",
        b"AKIA",
        b"IOSFODNN7EXAMPLE",
        b"ghp_",
        b"0123456789abcdefghijABCDEFGHIJ012345",
        b"sk_live_",
        b"pk_test_",
        b"abcdefghijklmnop",
        b"a",
        b"b.com",
        b"example",
        b"co",
        b"th",
        b"fe80",
        b"2001",
        b"db8",
        b"1",
        b"0",
        b"2",
        b"12",
        b"255",
        b"256",
        b"01",
        b"10",
        b"192",
        b"168",
        b"1101700207366",
        b"1017",
        b"00207",
        b"36",
        b"6",
        b"4111",
        b"1111",
        b"4111111111111111",
        b"5500005555555559",
        b"081",
        b"234",
        b"5678",
        b"+66",
        b"+1",
        b"212",
        b"555",
        b"0199",
        b"02",
        b"123",
        b"4567",
        b"\xe0\xb8\x81",
        b"\xff",
        b"12345678",
        b"hunter2",
        b"abcDEF123._~+/=-",
        LONG_WORD,
        LONGER_WORD,
        LONG_LOCAL,
        b"ghp_",
        b"sk_",
        b"_test_",
        b"(212)",
        b"8",
    ];
    let mut rng = Lcg(seed);
    let mut v = Vec::new();
    for _ in 0..pieces {
        v.extend_from_slice(FRAGMENTS[rng.next() % FRAGMENTS.len()]);
    }
    v
}

#[test]
fn scanner_and_streaming_agree_with_reference() {
    for seed in 0..2000u64 {
        let input = fuzz_input(seed, 400);
        let (want, want_sum) = reference(&input);
        let (got, got_sum) = mask_bytes(&input);
        assert!(
            got == want,
            "seed {seed}: scanner differs from reference\ninput: {:?}\ngot:  {:?}\nwant: {:?}",
            String::from_utf8_lossy(&input),
            String::from_utf8_lossy(&got),
            String::from_utf8_lossy(&want)
        );
        assert_eq!(got_sum, want_sum, "seed {seed}");

        let mut out = Vec::new();
        let trickled = mask_stream(
            Trickle {
                data: &input,
                step: seed as usize,
            },
            &mut out,
        )
        .expect("in-memory streaming cannot fail");
        assert!(out == want, "seed {seed}: trickled streaming differs");
        assert_eq!(trickled, want_sum, "seed {seed}");

        // Every classification engine, not just the one this CPU picks.
        for engine in [Engine::Auto, Engine::Sse2, Engine::Scalar] {
            let mut out = Vec::new();
            let mut stats = Stats::default();
            mask_block_using(engine, &input, &mut out, &mut stats).expect("Vec write");
            assert!(out == want, "seed {seed}: engine {engine:?} differs");
            assert_eq!(
                stats.masked, want_sum.masked,
                "seed {seed}: engine {engine:?}"
            );
        }
    }
}

/// Cross-checks the scanner against the literal reference on a file of your choice:
/// `LOG_MASKER_REFERENCE_FILE=/path/to/big.log cargo test --release -- --ignored`.
#[test]
#[ignore = "needs LOG_MASKER_REFERENCE_FILE"]
fn scanner_agrees_with_reference_on_file() {
    let Ok(path) = std::env::var("LOG_MASKER_REFERENCE_FILE") else {
        return;
    };
    let input = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let (want, want_sum) = reference(&input);
    let (got, got_sum) = mask_bytes(&input);
    if got != want {
        let k = got.iter().zip(&want).position(|(a, b)| a != b).unwrap_or(0);
        let from = k.saturating_sub(200);
        panic!(
            "differs at output byte {k}\ngot:  {:?}\nwant: {:?}",
            String::from_utf8_lossy(&got[from..(k + 200).min(got.len())]),
            String::from_utf8_lossy(&want[from..(k + 200).min(want.len())])
        );
    }
    assert_eq!(got_sum, want_sum);
}
