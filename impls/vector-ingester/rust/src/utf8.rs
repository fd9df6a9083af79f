//! Streaming UTF-8 repair: every maximal ill-formed subsequence becomes one U+FFFD.
//!
//! `std::str::from_utf8` reports, at the first error, the length of exactly that maximal subpart
//! (`Utf8Error::error_len`), or `None` when the input ends inside a sequence that could still be
//! completed; the latter is held back until the next read (or replaced at the end of the document).

/// U+FFFD REPLACEMENT CHARACTER.
pub const REPLACEMENT: &[u8] = "\u{FFFD}".as_bytes();

/// Appends the repaired text of `input` to `out`. Returns `(consumed, replaced)`: when `last` is
/// false an incomplete sequence at the very end is not consumed (the caller passes it again with
/// the next bytes); when `last` is true everything is consumed.
pub fn decode(input: &[u8], last: bool, out: &mut Vec<u8>) -> (usize, u64) {
    let mut i = 0;
    let mut replaced = 0;
    loop {
        match std::str::from_utf8(&input[i..]) {
            Ok(valid) => {
                out.extend_from_slice(valid.as_bytes());
                return (input.len(), replaced);
            }
            Err(e) => {
                let good = e.valid_up_to();
                out.extend_from_slice(&input[i..i + good]);
                i += good;
                match e.error_len() {
                    Some(bad) => {
                        out.extend_from_slice(REPLACEMENT);
                        replaced += 1;
                        i += bad;
                    }
                    None if last => {
                        out.extend_from_slice(REPLACEMENT);
                        return (input.len(), replaced + 1);
                    }
                    None => return (i, replaced),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn whole(input: &[u8]) -> (Vec<u8>, u64) {
        let mut out = Vec::new();
        let (used, n) = decode(input, true, &mut out);
        assert_eq!(used, input.len());
        (out, n)
    }

    #[test]
    fn maximal_subparts() {
        assert_eq!(whole(b"a\xe1\x80b"), ("a\u{FFFD}b".into(), 1));
        assert_eq!(
            whole(b"\xe0\x80\x80"),
            ("\u{FFFD}\u{FFFD}\u{FFFD}".into(), 3)
        );
        assert_eq!(whole(b"\xf0\x9f\x98"), ("\u{FFFD}".into(), 1));
        assert_eq!(whole("\u{FFFD}".as_bytes()), ("\u{FFFD}".into(), 0));
    }

    #[test]
    fn a_sequence_cut_by_a_read_is_held_back() {
        let text = "กข".as_bytes();
        let mut out = Vec::new();
        let (used, n) = decode(&text[..4], false, &mut out);
        assert_eq!((used, n, out.as_slice()), (3, 0, "ก".as_bytes()));
        let (used, n) = decode(&text[3..], true, &mut out);
        assert_eq!((used, n), (3, 0));
        assert_eq!(out, text);
    }
}
