//! The chunking rules of the spec, on a window of text that starts at the current chunk start.

/// Chunk size and overlap, in bytes; `min` is half the size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Params {
    pub size: usize,
    pub overlap: usize,
}

impl Params {
    /// Needs `size >= 16` and `overlap < size / 2` (so every step moves forward).
    pub fn new(size: usize, overlap: usize) -> Result<Self, String> {
        if size < 16 || overlap >= size / 2 {
            return Err(format!(
                "invalid chunk parameters: size {size}, overlap {overlap}"
            ));
        }
        Ok(Params { size, overlap })
    }

    pub fn min(&self) -> usize {
        self.size / 2
    }
}

/// ASCII whitespace: 0x09–0x0D and 0x20.
#[inline]
pub fn is_space(b: u8) -> bool {
    b == b' ' || (0x09..=0x0d).contains(&b)
}

#[inline]
fn is_continuation(b: u8) -> bool {
    b & 0xC0 == 0x80
}

/// The end of the chunk starting at `t[0]`, when more than `p.size` bytes remain
/// (`t.len() > p.size`): the largest end in `[min, size]` of the best boundary kind available.
pub fn end(t: &[u8], p: &Params) -> usize {
    debug_assert!(t.len() > p.size);
    let (lo, hi) = (p.min(), p.size);
    let mut sentence = 0;
    let mut word = 0;
    for e in (lo..=hi).rev() {
        let a = t[e - 1];
        if !is_space(a) {
            continue;
        }
        if a == b'\n' {
            let b = t[e - 2];
            if b == b'\n' || (b == b'\r' && t[e - 3] == b'\n') {
                return e; // paragraph: the first found from the top is the largest
            }
            if sentence == 0 {
                sentence = e;
            }
        } else if sentence == 0 && matches!(t[e - 2], b'.' | b'!' | b'?') {
            sentence = e;
        }
        if word == 0 {
            word = e;
        }
    }
    if sentence != 0 {
        return sentence;
    }
    if word != 0 {
        return word;
    }
    let mut e = hi;
    while is_continuation(t[e]) {
        e -= 1;
    }
    e
}

/// Where the next chunk starts, for a chunk `t[0..e]`: the first word start in
/// `[e - overlap, e)`, else the first code-point boundary at or after `e - overlap`.
pub fn next_start(t: &[u8], e: usize, p: &Params) -> usize {
    let lo = e - p.overlap;
    for q in lo..e {
        if is_space(t[q - 1]) && !is_space(t[q]) {
            return q;
        }
    }
    let mut q = lo;
    while q < e && is_continuation(t[q]) {
        q += 1;
    }
    q
}

/// All chunks of a whole text as `(start, end)` (used by the tests; the program streams).
pub fn spans(t: &[u8], p: &Params) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut s = 0;
    while s < t.len() {
        let w = &t[s..];
        if w.len() <= p.size {
            out.push((s, t.len()));
            break;
        }
        let e = end(w, p);
        out.push((s, s + e));
        s += next_start(w, e, p);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(size: usize, overlap: usize) -> Params {
        Params::new(size, overlap).unwrap()
    }

    #[test]
    fn parameters_are_checked() {
        assert!(Params::new(15, 0).is_err());
        assert!(Params::new(64, 32).is_err());
        assert!(Params::new(64, 31).is_ok());
    }

    #[test]
    fn short_text_is_one_chunk_and_empty_has_none() {
        assert_eq!(spans(b"", &p(16, 4)), vec![]);
        assert_eq!(spans(b"0123456789abcdef", &p(16, 4)), vec![(0, 16)]);
    }

    #[test]
    fn boundaries_in_order_of_preference() {
        // paragraph beats a later sentence end
        let t = b"aaaa aaaa\n\nbbb. ccc dddddddddddd";
        assert_eq!(end(t, &p(16, 4)), 11);
        // sentence (or line) beats a later space
        let t = b"aaaa aaa. bb cc ddddddddd";
        assert_eq!(end(t, &p(16, 4)), 10);
        let t = b"aaaa aaa\nbb cc dddddddddd";
        assert_eq!(end(t, &p(16, 4)), 9);
        // the largest space
        let t = b"aaaa aaaa bb cc dddddddd";
        assert_eq!(end(t, &p(16, 4)), 16);
        // no space in [8, 16]: cut before a continuation byte
        let t = "abcdefghijklmnoกขค".as_bytes();
        assert_eq!(end(t, &p(16, 4)), 15);
        let t = "abcdefghijklmnopqrstuvwxyz".as_bytes();
        assert_eq!(end(t, &p(16, 4)), 16);
        // CRLF paragraph
        let t = b"aaaaaaa\r\n\r\nbbbbbbbbbbbbbb";
        assert_eq!(end(t, &p(16, 4)), 11);
    }

    #[test]
    fn overlap_starts_at_a_word_or_a_code_point() {
        let t = b"aaaa bbbb cccc dddd";
        assert_eq!(next_start(t, 15, &p(16, 7)), 10);
        let t = "กขคงจฉชซฌญฎฏ".as_bytes();
        assert_eq!(next_start(t, 15, &p(16, 5)), 12);
        assert_eq!(next_start(b"abcdefghijklmnop", 16, &p(16, 0)), 16);
    }
}
