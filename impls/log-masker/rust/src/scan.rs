//! The single-pass scanner: walks a block of complete lines left to right, asks the rules for a
//! match only where one can start, and writes the masked copy.
//!
//! The output is the one the spec's processing model defines (try every position, rules in
//! priority order). Where the scanner skips a position or a rule, a comment says why that rule
//! cannot match there; `tests/stream.rs` cross-checks the scanner against the literal model
//! ([`crate::rules::match_at`] at every position) on generated inputs.

use std::io::{self, Write};

use crate::bitmap::{Classifier, Masks};
use crate::class::{is, run, H, L, W};
use crate::rules::{
    api_key, bearer, card, email, ipv4, ipv6, is_secret_key, jwt, phone, secret_value, thai_id,
    Match, Rule, RULE_COUNT,
};

/// Counters accumulated over all blocks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Bytes written to the output.
    pub bytes_out: u64,
    /// Matches per rule, indexed by `Rule as usize`.
    pub masked: [u64; RULE_COUNT],
}

// Gates: a candidate can only start a match if its first three bytes, its word length, the byte
// right after the word and the byte right before it all fit some rule. Each gate bit stands for
// one rule (or a group of alternatives) and is set in six tables: `FIRST`, `SECOND`, `THIRD`
// (the bytes at p, p+1, p+2), `AFTER` (the byte after the word), `LEN` (the word length) and
// `PREV` (the byte before). Their AND is computed without any branch.
//
// Performance: about 2 in 3 of the bitmap candidates (see `candidates`) fail here, and they cost
// no branch misprediction; only the rest reach the data-dependent per-rule tests.

/// jwt: starts with `e` (`eyJ`); its first B64 run leaves the word at `.` (end of run) or `-`.
const G_JWT: u16 = 1 << 0;
/// bearer: the keyword is the whole word (6 bytes), followed by a space.
const G_BEARER: u16 = 1 << 1;
/// secret: the key is the whole word (keys are `W` bytes, followed by `"`, space, `=` or `:`).
const G_SECRET: u16 = 1 << 2;
/// api_key: followed by RBd, so the key is the whole word: ≥ 20 bytes (AKIA+16, ghp_+36,
/// sk_live_+16).
const G_APIKEY: u16 = 1 << 3;
/// email: the local part continues past the word only through `. % + -`, and must reach `@`;
/// the byte before must not be in `L`.
const G_EMAIL: u16 = 1 << 4;
/// ipv6: `R` must contain `:`, so the first group is the whole word (1–4 `H`), followed by `:`;
/// the byte before must not be `:` or `.`.
const G_IPV6: u16 = 1 << 5;
/// ipv4: the first octet is the whole word (1–3 digits), followed by `.`.
const G_IPV4: u16 = 1 << 6;
/// A digit word followed by `SEP`: grouped thai_id (1 digit), phone alternative 6 (3 digits,
/// `-`), grouped card (4 digits).
const G_SEP: u16 = 1 << 7;
/// Phone alternatives 2 and 3 start with `0` (any length, any following byte).
const G_ZERO: u16 = 1 << 8;
/// Plain thai_id / card: the whole word is 13–19 digits.
const G_LONGD: u16 = 1 << 9;

/// email from `. % + -` (the byte before not in `L`).
const P_EMAIL: u16 = 1 << 10;
/// ipv6 from `:`: a group is never empty, so `R` starts with `::`; the byte before is not `:`/`.`.
const P_IPV6: u16 = 1 << 11;
/// phone alternatives 1 and 4 (`+6…`, `+1…`), behind LBd.
const P_PLUS: u16 = 1 << 12;
/// phone alternative 5 (`(D…`), behind LBd.
const P_PAREN: u16 = 1 << 13;

/// Gates of rules 7–10, which need LBd (the byte before not `-`, `.` or `+`).
const G_LBD: u16 = G_IPV4 | G_SEP | G_ZERO | G_LONGD | P_PLUS | P_PAREN;
/// Gates of candidates outside `W` (they have length 0 in `LEN`).
const P_ALL: u16 = P_EMAIL | P_IPV6 | P_PLUS | P_PAREN;

const fn first_table() -> [u16; 256] {
    let mut t = [0u16; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        let mut g = 0;
        if b.is_ascii_alphanumeric() || b == b'_' {
            g |= G_EMAIL;
        }
        if b.is_ascii_hexdigit() {
            g |= G_IPV6;
        }
        if b.is_ascii_digit() {
            g |= G_IPV4 | G_SEP | G_LONGD;
        }
        if b == b'0' {
            g |= G_ZERO;
        }
        if b == b'e' {
            g |= G_JWT;
        }
        if b == b'b' || b == b'B' {
            g |= G_BEARER;
        }
        if matches!(b | 0x20, b'p' | b's' | b'a') {
            g |= G_SECRET;
        }
        if matches!(b, b'A' | b'g' | b's' | b'p' | b'r') {
            g |= G_APIKEY;
        }
        if matches!(b, b'.' | b'%' | b'+' | b'-') {
            g |= P_EMAIL;
        }
        if b == b':' {
            g |= P_IPV6;
        }
        if b == b'+' {
            g |= P_PLUS;
        }
        if b == b'(' {
            g |= P_PAREN;
        }
        t[i] = g;
        i += 1;
    }
    t
}

const fn after_table() -> [u16; 256] {
    let mut t = [0u16; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        // For a candidate outside `W`, "after" is the candidate byte itself.
        let mut g = G_ZERO | G_APIKEY | G_LONGD | P_ALL;
        if b == b'.' || b == b'-' {
            g |= G_JWT;
        }
        if b == b' ' {
            g |= G_BEARER;
        }
        if matches!(b, b'"' | b' ' | b'=' | b':') {
            g |= G_SECRET;
        }
        if matches!(b, b'@' | b'.' | b'%' | b'+' | b'-') {
            g |= G_EMAIL;
        }
        if b == b':' {
            g |= G_IPV6;
        }
        if b == b'.' {
            g |= G_IPV4;
        }
        if b == b'-' || b == b' ' {
            g |= G_SEP;
        }
        t[i] = g;
        i += 1;
    }
    t
}

/// Indexed by `min(len, 63)`.
const fn len_table() -> [u16; 64] {
    let mut t = [0u16; 64];
    t[0] = P_ALL;
    let mut len = 1;
    while len < 64 {
        let mut g = G_EMAIL | G_ZERO;
        if len >= 3 {
            g |= G_JWT;
        }
        if len == 6 {
            g |= G_BEARER;
        }
        if matches!(len, 3 | 6 | 7 | 8 | 12) {
            g |= G_SECRET;
        }
        if len >= 20 {
            g |= G_APIKEY;
        }
        if len <= 4 {
            g |= G_IPV6;
        }
        if len <= 3 {
            g |= G_IPV4;
        }
        if matches!(len, 1 | 3 | 4) {
            g |= G_SEP;
        }
        if len >= 13 && len <= 19 {
            g |= G_LONGD;
        }
        t[len] = g;
        len += 1;
    }
    t
}

/// Indexed by the byte before the word (`\n` at the start of the block). It is never in `W`.
const fn prev_table() -> [u16; 256] {
    let mut t = [0u16; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        let mut g = !0u16;
        if matches!(b, b'.' | b'%' | b'+' | b'-') {
            g &= !(G_EMAIL | P_EMAIL);
        }
        if b == b':' || b == b'.' {
            g &= !(G_IPV6 | P_IPV6);
        }
        if matches!(b, b'-' | b'.' | b'+') {
            g &= !G_LBD;
        }
        t[i] = g;
        i += 1;
    }
    t
}

/// Indexed by the byte after the first one (`\n` at the end of the block).
const fn second_table() -> [u16; 256] {
    let mut t = [0u16; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        let digit = b.is_ascii_digit();
        let mut g = G_EMAIL | G_IPV6 | P_EMAIL;
        if b == b'y' {
            g |= G_JWT; // eyJ
        }
        if b | 0x20 == b'e' {
            g |= G_BEARER;
        }
        if matches!(b | 0x20, b'w' | b'a' | b'e' | b'p' | b'c') {
            g |= G_SECRET; // pWd, pAsswd, pAssword, sEcret, aPikey, aPi_key, aCcess_token
        }
        if matches!(b, b'K' | b'h' | b'k') {
            g |= G_APIKEY; // AKIA, ghp_, sk_ / pk_ / rk_
        }
        if digit || b == b'.' {
            g |= G_IPV4;
        }
        if digit || b == b'-' || b == b' ' {
            g |= G_SEP;
        }
        if matches!(b, b'6' | b'8' | b'9' | b'2') {
            g |= G_ZERO; // 0[689]…, 02…
        }
        if digit {
            g |= G_LONGD | P_PAREN;
        }
        if b == b'6' || b == b'1' {
            g |= P_PLUS; // +66…, +1…
        }
        if b == b':' {
            g |= P_IPV6;
        }
        t[i] = g;
        i += 1;
    }
    t
}

/// Indexed by the third byte (`\n` past the end of the block): narrows the letter rules.
const fn third_table() -> [u16; 256] {
    let mut t = [0u16; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        let mut g = !(G_JWT | G_BEARER | G_SECRET | G_APIKEY);
        if b == b'J' {
            g |= G_JWT; // eyJ
        }
        if b | 0x20 == b'a' {
            g |= G_BEARER;
        }
        if matches!(b | 0x20, b'd' | b's' | b'c' | b'i') {
            g |= G_SECRET; // pwD, paSsw…, seCret, apIkey, apI_key, acCess_token
        }
        if matches!(b, b'I' | b'p' | b'_') {
            g |= G_APIKEY; // AKIa, ghP_, sk_ / pk_ / rk_
        }
        t[i] = g;
        i += 1;
    }
    t
}

static FIRST: [u16; 256] = first_table();
static THIRD: [u16; 256] = third_table();
static SECOND: [u16; 256] = second_table();
static AFTER: [u16; 256] = after_table();
static LEN: [u16; 64] = len_table();
static PREV: [u16; 256] = prev_table();

/// Candidates are taken from the first `STRIDE` bytes of each 64-byte window; the other 16
/// bytes are look-ahead for the candidate formulas, which look at most 12 bytes ahead (and the
/// ones that look further are completed conservatively).
///
/// Performance: overlapping windows cost a third more classification than disjoint ones, but
/// every formula then works on plain `u64`s with no state carried between windows, which keeps
/// everything in registers.
const STRIDE: usize = 48;

/// Bit k: bits k .. k+len-1 of `x` are all set, counting bits past the window as set.
#[inline(always)]
fn run_at_least(x: u64, len: u32) -> u64 {
    // Shift in ones from the top: a run reaching the window's end may go on past it.
    let shr = |v: u64, j: u32| (v >> j) | !(u64::MAX >> j);
    // Doubling: runs of 2, 4, 8, 16 … bits, then the remainder.
    let mut have = 1;
    let mut r = x;
    while have * 2 <= len {
        r &= shr(r, have);
        have *= 2;
    }
    if have < len {
        r &= shr(r, len - have);
    }
    r
}

/// Offsets where `email` may start: starts of `L` runs (`l_start`) that end right before an `@`,
/// or that reach the end of the window (the `@` could be beyond).
///
/// Performance: e-mails are rare, so this is usually a test of a zero word; otherwise it walks
/// the `@` bits, not the bytes.
#[inline(always)]
fn email_starts(m: &Masks, l_start: u64) -> u64 {
    let mut starts = 0u64;
    // `@` right after an `L` byte.
    let mut ats = m.at & (m.l << 1);
    while ats != 0 {
        let a = ats.trailing_zeros();
        ats &= ats - 1;
        // The run ends at `a - 1`; it starts one past the highest non-`L` bit below `a`.
        let below = !m.l & ((1u64 << a) - 1);
        starts |= 1 << (64 - below.leading_zeros()).min(63);
    }
    // The run reaching the window's end.
    let tail = m.l.leading_ones();
    if tail > 0 {
        starts |= 1 << (64 - tail);
    }
    starts & l_start
}

/// A candidate that passed the gates.
#[derive(Clone, Copy, Default)]
struct Cand {
    p: usize,
    /// End of the word (`p` for a candidate outside `W`).
    we: usize,
    gates: u16,
}

#[inline(always)]
fn whole(rule: Rule, p: usize, end: usize) -> Match {
    Match { rule, keep: p, end }
}

/// The rules at a word start `p` (the word is `s[p..we]`) that passed the gates, in priority
/// order.
#[inline(never)]
fn at_word(s: &[u8], p: usize, we: usize, gates: u16) -> Option<Match> {
    let len = we - p;
    let after = s.get(we).copied().unwrap_or(b'\n');
    // Rules 1–4 need LB(p): true, the byte before is not in `W`.
    if gates & G_JWT != 0 {
        if let Some(e) = jwt(s, p) {
            return Some(whole(Rule::Jwt, p, e));
        }
    }
    if gates & G_BEARER != 0 {
        if let Some((keep, end)) = bearer(s, p) {
            return Some(Match {
                rule: Rule::Bearer,
                keep,
                end,
            });
        }
    }
    if gates & G_SECRET != 0 && is_secret_key(&s[p..we]) {
        if let Some((keep, end)) = secret_value(s, we) {
            return Some(Match {
                rule: Rule::Secret,
                keep,
                end,
            });
        }
    }
    if gates & G_APIKEY != 0 {
        if let Some(e) = api_key(s, p) {
            return Some(whole(Rule::ApiKey, p, e));
        }
    }
    if gates & G_EMAIL != 0 {
        if let Some(e) = email(s, p) {
            return Some(whole(Rule::Email, p, e));
        }
    }
    if gates & G_IPV6 != 0 && s[p..we].iter().all(|&b| is(b, H)) {
        if let Some(e) = ipv6(s, p) {
            return Some(whole(Rule::Ipv6, p, e));
        }
    }
    // Rules 7–10 (the gates already include LBd).
    if gates & G_IPV4 != 0 {
        if let Some(e) = ipv4(s, p) {
            return Some(whole(Rule::Ipv4, p, e));
        }
    }
    // thai_id: 13 digits followed by RBd (the whole word), or a 1-digit word followed by SEP.
    if (gates & G_LONGD != 0 && len == 13) || (gates & G_SEP != 0 && len == 1) {
        if let Some(e) = thai_id(s, p) {
            return Some(whole(Rule::ThaiId, p, e));
        }
    }
    // card: 13–19 digits followed by RBd (the whole word), or a 4-digit word followed by SEP.
    if gates & G_LONGD != 0 || (gates & G_SEP != 0 && len == 4) {
        if let Some(e) = card(s, p) {
            return Some(whole(Rule::Card, p, e));
        }
    }
    // phone from a digit: alternatives 2 and 3 start with `0`; alternative 6 is a 3-digit word
    // followed by `-`.
    if gates & G_ZERO != 0 || (gates & G_SEP != 0 && len == 3 && after == b'-') {
        if let Some(e) = phone(s, p) {
            return Some(whole(Rule::Phone, p, e));
        }
    }
    None
}

/// The rules at a candidate `p` outside `W` (`.`, `%`, `+`, `-`, `(`, `:`) that passed the gates.
#[inline(never)]
fn at_punct(s: &[u8], p: usize, gates: u16) -> Option<Match> {
    // Rules 1–4 start with a letter.
    if gates & P_EMAIL != 0 {
        if let Some(e) = email(s, p) {
            return Some(whole(Rule::Email, p, e));
        }
    }
    if gates & P_IPV6 != 0 {
        if let Some(e) = ipv6(s, p) {
            return Some(whole(Rule::Ipv6, p, e));
        }
    }
    if gates & (P_PLUS | P_PAREN) != 0 {
        if let Some(e) = phone(s, p) {
            return Some(whole(Rule::Phone, p, e));
        }
    }
    None
}

/// Offsets in the window where a rule other than `email` may start: a superset of the real
/// start positions, from conditions on the bytes at fixed distances after the start (valid for
/// offsets below `STRIDE`).
///
/// Performance: on a realistic log about one start position in five (word start or `. % + - ( :`
/// after a non-word byte) survives this; the others cost nothing per position. The formulas only
/// ever reject a position where the rule cannot match — the exact tests follow.
#[inline(always)]
fn candidates(m: &Masks, prev_w: u64) -> u64 {
    // bearer (`b` + FOLLOW ⊇ space at 6) and secret (`p s a` + FOLLOW after a key of 3, 6, 7, 8,
    // 12 bytes); jwt (`ey`).
    let f = m.follow;
    let keyword = m.kwf & (f >> 3 | f >> 6 | f >> 7 | f >> 8 | f >> 12) | m.jwt;
    // api_key: the whole key is a word of at least 20 bytes.
    let long_word = run_at_least(m.word, 20);
    // ipv6: a word of 1–4 `H` followed by `:`, or `::`. Not a time of day `DD:DD:DD` followed
    // by a byte outside `H ∪ {:}`: then `R` is those 3 groups, which is never valid.
    let (d, h, c) = (m.digit, m.hex, m.colon);
    let dd = d & d >> 1;
    let time = dd & c >> 2 & dd >> 3 & c >> 5 & dd >> 6 & !((h | c) >> 8);
    let ipv6 = (h & (c >> 1 | h >> 1 & (c >> 2 | h >> 2 & (c >> 3 | h >> 3 & c >> 4))) & !time)
        | c & c >> 1;
    // ipv4: two octets of 1–3 digits, each followed by `.` (the runs are maximal at a word
    // start, so "followed by" is exact there).
    let dot = m.dot;
    let (o1, o2, o3) = (d & dot >> 1, dd & dot >> 2, dd & d >> 2 & dot >> 3);
    let octet = o1 | o2 | o3;
    let ipv4 = o1 & octet >> 2 | o2 & octet >> 3 | o3 & octet >> 4;
    // Grouped forms, SEP being space or `-` (the exact tests check that all SEP are the same):
    // thai_id `D S DDDD S …`, card `DDDD S DDDD S …`, phone alternative 6 `DDD - DDD - …`.
    let (sep, dash) = (m.sep, m.dash);
    let d4 = dd & dd >> 2;
    let thai_grouped = d & sep >> 1 & d4 >> 2 & sep >> 6;
    let card_grouped = d4 & sep >> 4 & d4 >> 5 & sep >> 9;
    let phone_dashed = dd & d >> 2 & dash >> 3 & dd >> 4 & d >> 6 & dash >> 7;
    // Plain thai_id / card: 13 digits or more; phone from `0`, `+` or `(` followed by a digit.
    let long_digits = run_at_least(d, 13);
    let number = ipv4 | thai_grouped | card_grouped | phone_dashed | long_digits | m.zd;
    (keyword | long_word | ipv6 | number) & !prev_w
}

/// Masks `s`, which must hold complete lines (it starts at a line start and ends at a line end:
/// after a `\n`, or at the end of the input), writing the result to `out`.
///
/// The whole block is scanned as one slice rather than line by line: `\n` is in no character
/// class, so matches stop at it and the boundaries treat it like a line edge (see `rules`).
/// Performance: that saves a `memchr` and a loop restart per line.
///
/// # Errors
/// Any error of `out`.
pub fn mask_block<O: Write>(s: &[u8], out: &mut O, stats: &mut Stats) -> io::Result<()> {
    mask_block_using(Engine::Auto, s, out, stats)
}

/// How the scanner classifies its windows. All engines give the same output; `Auto` is the
/// fastest one the CPU supports, the others exist so tests can cover every code path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// AVX2 when the build targets it (and the CPU has it), else SSE2 on x86-64, else scalar.
    Auto,
    /// SSE2 (baseline x86-64; scalar elsewhere).
    Sse2,
    /// Byte-by-byte classification.
    Scalar,
}

/// [`mask_block`] with a chosen [`Engine`].
///
/// # Errors
/// Any error of `out`.
pub fn mask_block_using<O: Write>(
    engine: Engine,
    s: &[u8],
    out: &mut O,
    stats: &mut Stats,
) -> io::Result<()> {
    #[cfg(target_arch = "x86_64")]
    {
        /// The scanner compiled for AVX2 (and the bit instructions that come with it: BMI1/2,
        /// LZCNT, POPCNT), so that the SIMD code and all inlined bit arithmetic use them.
        #[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
        fn avx2<O: Write>(s: &[u8], out: &mut O, stats: &mut Stats) -> io::Result<()> {
            mask_block_with::<crate::bitmap::Avx2, O>(s, out, stats)
        }
        match engine {
            // Fairness: the suite builds all three languages for one CPU level (baseline
            // x86-64 today), so AVX2 is used only when the build itself targets it
            // (`-C target-cpu=x86-64-v3` or higher), never picked up at run time beyond it.
            // Performance: the feature test is a cached atomic load, once per 1 MiB block.
            Engine::Auto
                if cfg!(target_feature = "avx2")
                    && std::is_x86_feature_detected!("avx2")
                    && std::is_x86_feature_detected!("bmi1")
                    && std::is_x86_feature_detected!("bmi2")
                    && std::is_x86_feature_detected!("lzcnt")
                    && std::is_x86_feature_detected!("popcnt") =>
            {
                // SAFETY: the CPU supports every feature `avx2` is compiled for (checked above).
                unsafe { avx2(s, out, stats) }
            }
            Engine::Auto | Engine::Sse2 => mask_block_with::<crate::bitmap::Sse2, O>(s, out, stats),
            Engine::Scalar => mask_block_with::<crate::bitmap::Scalar, O>(s, out, stats),
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = engine;
        mask_block_with::<crate::bitmap::Scalar, O>(s, out, stats)
    }
}

/// [`mask_block`] with the window classification `C`.
#[inline(always)]
fn mask_block_with<C: Classifier, O: Write>(
    s: &[u8],
    out: &mut O,
    stats: &mut Stats,
) -> io::Result<()> {
    let n = s.len();
    // Everything before `i` is decided (copied or replaced); the next match starts at `i` or later.
    let mut i = 0;
    // `s[last..i]` is input already scanned but not yet written: unmasked bytes are written as
    // long spans (one `write_all` per match instead of one per byte).
    let mut last = 0;
    // Start of the current window.
    let mut base = 0;
    let mut list = [Cand::default(); STRIDE];
    while base < n {
        let m = C::classify(s, base);
        let before = if base == 0 { b'\n' } else { s[base - 1] };
        // Bit k: byte `base + k - 1` is in `W`. Every rule's left boundary (LB, the e-mail and
        // IPv6 ones, LBd) rejects such a position.
        let prev_w = (m.word << 1) | u64::from(is(before, W));
        let l_start = m.l & !((m.l << 1) | u64::from(is(before, L)));
        let email = email_starts(&m, l_start);
        // A match never ends past the window start here (see how `base` advances below).
        debug_assert!(i <= base);
        let mut cand = (candidates(&m, prev_w) | email) & ((1u64 << STRIDE) - 1);

        // Pass 1: gate every candidate and keep those that pass.
        // Performance: this loop has no data-dependent branch (the kept count is advanced
        // arithmetically), so the candidates that fail cost no misprediction.
        let mut kept = 0;
        while cand != 0 {
            let off = cand.trailing_zeros() as usize;
            cand &= cand - 1;
            let p = base + off;
            // End of the word: the first non-`W` bit (shifted-in zeros become ones, so a word
            // reaching the window's end stops there and is finished by the byte loop).
            let k = (!(m.word >> off)).trailing_zeros() as usize;
            let we = if off + k < 64 {
                p + k
            } else {
                run(s, p + k, W)
            };
            // At the edges of the block a `\n` stands in for "start / end of line": it is the
            // same to every rule.
            let byte = |j: usize| s.get(j).copied().unwrap_or(b'\n');
            let mut gates = FIRST[s[p] as usize]
                & SECOND[byte(p + 1) as usize]
                & THIRD[byte(p + 2) as usize]
                & AFTER[byte(we) as usize]
                & LEN[(we - p).min(63)]
                & PREV[byte(p.wrapping_sub(1)) as usize];
            // The e-mail gates stay only where the bitmap found a local part ending at `@`.
            gates &= !(G_EMAIL | P_EMAIL) | (0u16.wrapping_sub((email >> off & 1) as u16));
            list[kept] = Cand { p, we, gates };
            kept += usize::from(gates != 0);
        }

        // Pass 2: try the rules at the kept candidates, left to right.
        for c in &list[..kept] {
            if c.p < i {
                continue; // inside the previous match
            }
            let found = if c.gates & P_ALL != 0 {
                at_punct(s, c.p, c.gates)
            } else {
                at_word(s, c.p, c.we, c.gates)
            };
            if let Some(m) = found {
                let repl = m.rule.replacement();
                out.write_all(&s[last..m.keep])?;
                out.write_all(repl)?;
                stats.bytes_out += (m.keep - last + repl.len()) as u64;
                stats.masked[m.rule as usize] += 1;
                i = m.end;
                last = m.end;
            }
        }

        // Next window; after a long match, jump straight to its end.
        base = (base + STRIDE).max(i);
    }
    out.write_all(&s[last..])?;
    stats.bytes_out += (n - last) as u64;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bitmap::classify_scalar;

    #[test]
    fn gate_tables() {
        // a plain word followed by a space passes no gate
        let gates = |word: &[u8], prev: u8, after: u8| {
            FIRST[word[0] as usize]
                & SECOND[word.get(1).copied().unwrap_or(after) as usize]
                & THIRD[word.get(2).copied().unwrap_or(b'\n') as usize]
                & AFTER[after as usize]
                & LEN[word.len().min(63)]
                & PREV[prev as usize]
        };
        // plain words pass no gate
        assert_eq!(gates(b"level", b' ', b'='), 0);
        assert_eq!(gates(b"service", b'"', b'/'), 0);
        assert_eq!(gates(b"sessions_x", b'"', b'"'), 0);
        assert_eq!(gates(b"12", b'-', b'-'), 0);
        assert_eq!(gates(b"52", b':', b':'), 0);
        assert_eq!(gates(b"2026", b' ', b'/'), 0);
        // candidates pass theirs
        assert_eq!(gates(b"password", b' ', b'='), G_SECRET);
        assert_eq!(gates(b"Bearer", b' ', b' '), G_BEARER);
        assert_ne!(gates(b"0812345678", b' ', b' ') & G_ZERO, 0);
        assert_ne!(gates(b"x", b' ', b'@') & G_EMAIL, 0);
        assert_eq!(gates(b"x", b'.', b'@') & G_EMAIL, 0);
        assert_ne!(gates(b"fe80", b' ', b':') & G_IPV6, 0);
        assert_eq!(gates(b"fe80", b':', b':') & G_IPV6, 0);
        assert_ne!(gates(b"192", b'=', b'.') & G_IPV4, 0);
        assert_eq!(gates(b"192", b'-', b'.') & G_LBD, 0);
        assert_eq!(FIRST[0x80] | FIRST[b' ' as usize], 0);
    }

    #[test]
    fn email_starts_from_bitmaps() {
        let s = b"ab.c@x y.z w+ q@";
        let m = classify_scalar(s, 0);
        let l_start = m.l & !(m.l << 1);
        assert_eq!(email_starts(&m, l_start), 1 | 1 << 14);
        // a local part reaching the window's end may reach an `@` beyond it
        let long = [b'a'; 200];
        let m = classify_scalar(&long, 10);
        assert_eq!(email_starts(&m, 1), 1);
        let mut t = vec![b' '; 60];
        t.extend_from_slice(b"abcdefgh");
        let m = classify_scalar(&t, 0);
        let l_start = m.l & !(m.l << 1);
        assert_eq!(email_starts(&m, l_start), 1 << 60);
    }

    #[test]
    fn run_at_least_counts_past_the_window_as_set() {
        assert_eq!(run_at_least(0b0111_1110, 3), 0b0001_1110);
        assert_eq!(run_at_least(u64::MAX << 60, 20), u64::MAX << 60);
        assert_eq!(run_at_least(0xFFFF, 20), 0);
        assert_eq!(run_at_least(0xF_FFFF, 20), 1);
        assert_eq!(run_at_least(0x1F_FFFF << 1, 20), 0b110);
    }
}
