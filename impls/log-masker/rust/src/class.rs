//! ASCII character classes of the spec, as one 256-entry lookup table.
//!
//! Performance: every class test in the scanner and in the rules is a single indexed load plus a
//! bit test (`CLASS[b] & BIT != 0`) instead of a chain of range comparisons. All bytes ≥ 0x80 have
//! no bits set, which is exactly the spec's "only ASCII takes part in matching" rule.

/// `D`: `0-9`.
pub const D: u16 = 1 << 0;
/// `H`: `0-9 A-F a-f`.
pub const H: u16 = 1 << 1;
/// `W` (word): `A-Z a-z 0-9 _`.
pub const W: u16 = 1 << 2;
/// `B64`: `A-Z a-z 0-9 _ -`.
pub const B64: u16 = 1 << 3;
/// `L` (e-mail local part): `A-Z a-z 0-9 . _ % + -`.
pub const L: u16 = 1 << 4;
/// `TOK` (bearer token): `A-Z a-z 0-9 . _ ~ + / = -`.
pub const TOK: u16 = 1 << 5;
/// E-mail domain run: `A-Z a-z 0-9 . -`.
pub const DOM: u16 = 1 << 6;
/// `A-Z a-z 0-9`.
pub const ALNUM: u16 = 1 << 7;
/// `0-9 A-Z` (AWS access key body).
pub const UPNUM: u16 = 1 << 8;
/// Bytes allowed in a `secret` value: ASCII, and none of space, tab, `"`, `'`, `&`, `,`, `;`, `\n`.
pub const VAL: u16 = 1 << 9;
/// `H` or `:` (the IPv6 run `R`).
pub const HC: u16 = 1 << 10;
/// `A-Z a-z`.
pub const ALPHA: u16 = 1 << 11;
/// A byte at which some rule could start: `L`, `(` or `:` (the spec's performance note).
pub const START: u16 = 1 << 12;

const fn build() -> [u16; 256] {
    let mut t = [0u16; 256];
    let mut i = 0usize;
    while i < 128 {
        let b = i as u8;
        let digit = b.is_ascii_digit();
        let upper = b.is_ascii_uppercase();
        let lower = b.is_ascii_lowercase();
        let alpha = upper || lower;
        let alnum = alpha || digit;
        let hex = b.is_ascii_hexdigit();
        let mut m = 0u16;
        if digit {
            m |= D;
        }
        if hex {
            m |= H | HC;
        }
        if b == b':' {
            m |= HC;
        }
        if alpha {
            m |= ALPHA;
        }
        if alnum {
            m |= ALNUM | W | B64 | L | TOK | DOM;
        }
        if upper || digit {
            m |= UPNUM;
        }
        if b == b'_' {
            m |= W | B64 | L | TOK;
        }
        if b == b'-' {
            m |= B64 | L | TOK | DOM;
        }
        if b == b'.' {
            m |= L | TOK | DOM;
        }
        if b == b'%' {
            m |= L;
        }
        if b == b'+' {
            m |= L | TOK;
        }
        if b == b'~' || b == b'/' || b == b'=' {
            m |= TOK;
        }
        if !matches!(b, b' ' | b'\t' | b'"' | b'\'' | b'&' | b',' | b';' | b'\n') {
            m |= VAL;
        }
        if m & L != 0 || b == b'(' || b == b':' {
            m |= START;
        }
        t[i] = m;
        i += 1;
    }
    t
}

/// The class table, indexed by byte value.
pub static CLASS: [u16; 256] = build();

/// True when byte `b` is in class `bit`.
#[inline(always)]
pub fn is(b: u8, bit: u16) -> bool {
    CLASS[b as usize] & bit != 0
}

/// End of the maximal run of class `bit` in `s` starting at `i` (returns `i` if the run is empty).
#[inline(always)]
pub fn run(s: &[u8], mut i: usize, bit: u16) -> usize {
    while i < s.len() && is(s[i], bit) {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    fn members(bit: u16) -> Vec<u8> {
        (0u8..=255).filter(|&b| is(b, bit)).collect()
    }

    #[test]
    fn classes_match_spec_table() {
        let alnum: Vec<u8> = (b'0'..=b'9')
            .chain(b'A'..=b'Z')
            .chain(b'a'..=b'z')
            .collect();
        let with = |extra: &[u8]| {
            let mut v = alnum.clone();
            v.extend_from_slice(extra);
            v.sort_unstable();
            v
        };
        assert_eq!(members(D), (b'0'..=b'9').collect::<Vec<_>>());
        assert_eq!(members(ALNUM), with(&[]));
        assert_eq!(members(W), with(b"_"));
        assert_eq!(members(B64), with(b"_-"));
        assert_eq!(members(L), with(b"._%+-"));
        assert_eq!(members(TOK), with(b"._~+/=-"));
        assert_eq!(members(DOM), with(b".-"));
        assert_eq!(members(H), b"0123456789ABCDEFabcdef".to_vec());
        assert_eq!(members(HC), b"0123456789:ABCDEFabcdef".to_vec());
        let mut upnum: Vec<u8> = (b'0'..=b'9').chain(b'A'..=b'Z').collect();
        upnum.sort_unstable();
        assert_eq!(members(UPNUM), upnum);
        assert_eq!(members(START), with(b"._%+-(:"));
    }

    #[test]
    fn non_ascii_is_in_no_class() {
        for b in 0x80u8..=0xff {
            assert_eq!(CLASS[b as usize], 0, "byte {b:#x}");
        }
    }

    #[test]
    fn value_class_excludes_separators() {
        for b in [b' ', b'\t', b'"', b'\'', b'&', b',', b';', b'\n'] {
            assert!(!is(b, VAL), "{b:#x}");
        }
        for b in [b'a', b'!', b'}', b'\r', b'=', b':', b'/'] {
            assert!(is(b, VAL), "{b:#x}");
        }
    }

    #[test]
    fn run_is_maximal() {
        assert_eq!(run(b"abc-def", 0, W), 3);
        assert_eq!(run(b"abc-def", 0, B64), 7);
        assert_eq!(run(b"abc", 3, W), 3);
        assert_eq!(run(b"-x", 0, W), 0);
    }
}
