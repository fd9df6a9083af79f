//! The ten masking rules of the spec, each as a matcher "does rule X match at position `p`?".
//!
//! Every matcher works on a slice `s` that holds one or more *complete* lines (the scanner hands
//! over whole blocks of lines). That is equivalent to working on a single line because `\n` is in
//! none of the character classes: no run, literal or value ever crosses it, a `\n` before `p`
//! satisfies every left boundary exactly like "start of line" does, and a `\n` at `q` satisfies
//! `RBd(q)` exactly like "end of line" does.

use crate::class::{is, run, ALNUM, ALPHA, B64, D, DOM, HC, L, TOK, UPNUM, VAL, W};

/// Number of rules (length of the per-rule counter array).
pub const RULE_COUNT: usize = 10;

/// The rules in priority order; the discriminant is the index in the summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    Jwt = 0,
    Bearer = 1,
    Secret = 2,
    ApiKey = 3,
    Email = 4,
    Ipv6 = 5,
    Ipv4 = 6,
    ThaiId = 7,
    Card = 8,
    Phone = 9,
}

impl Rule {
    /// All rules, in priority (and summary) order.
    pub const ALL: [Rule; RULE_COUNT] = [
        Rule::Jwt,
        Rule::Bearer,
        Rule::Secret,
        Rule::ApiKey,
        Rule::Email,
        Rule::Ipv6,
        Rule::Ipv4,
        Rule::ThaiId,
        Rule::Card,
        Rule::Phone,
    ];

    /// Label used in the summary line.
    pub const fn label(self) -> &'static str {
        match self {
            Rule::Jwt => "jwt",
            Rule::Bearer => "bearer",
            Rule::Secret => "secret",
            Rule::ApiKey => "api_key",
            Rule::Email => "email",
            Rule::Ipv6 => "ipv6",
            Rule::Ipv4 => "ipv4",
            Rule::ThaiId => "thai_id",
            Rule::Card => "card",
            Rule::Phone => "phone",
        }
    }

    /// The text written in place of the masked bytes.
    pub const fn replacement(self) -> &'static [u8] {
        match self {
            Rule::Jwt => b"[JWT]",
            Rule::Bearer => b"[TOKEN]",
            Rule::Secret => b"[REDACTED]",
            Rule::ApiKey => b"[API_KEY]",
            Rule::Email => b"[EMAIL]",
            Rule::Ipv6 => b"[IPV6]",
            Rule::Ipv4 => b"[IPV4]",
            Rule::ThaiId => b"[THAI_ID]",
            Rule::Card => b"[CARD]",
            Rule::Phone => b"[PHONE]",
        }
    }
}

/// A match found at some position `p`: bytes `p..keep` are copied verbatim (the `bearer` word and
/// spaces, or the `secret` key/separator part), bytes `keep..end` are replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Match {
    pub rule: Rule,
    pub keep: usize,
    pub end: usize,
}

#[inline(always)]
fn at(s: &[u8], i: usize) -> Option<u8> {
    s.get(i).copied()
}

/// Case-sensitive literal at `i`.
#[inline(always)]
fn lit(s: &[u8], i: usize, word: &[u8]) -> bool {
    s.get(i..i + word.len()) == Some(word)
}

/// ASCII case-insensitive literal at `i`; `word` must be lower case.
#[inline(always)]
fn lit_ci(s: &[u8], i: usize, word: &[u8]) -> bool {
    match s.get(i..i + word.len()) {
        Some(t) => t
            .iter()
            .zip(word)
            .all(|(a, b)| a.to_ascii_lowercase() == *b),
        None => false,
    }
}

#[inline(always)]
fn is_digit_at(s: &[u8], i: usize) -> bool {
    matches!(at(s, i), Some(b) if b.is_ascii_digit())
}

/// `RBd(q)`: end of line, or `s[q]` not in `W` and not (`-`/`.` followed by a digit).
#[inline]
pub fn rbd(s: &[u8], q: usize) -> bool {
    match at(s, q) {
        None => true,
        Some(c) => !is(c, W) && !((c == b'-' || c == b'.') && is_digit_at(s, q + 1)),
    }
}

/// Rule 1, `jwt` (caller has checked `LB(p)`).
pub fn jwt(s: &[u8], p: usize) -> Option<usize> {
    if !lit(s, p, b"eyJ") {
        return None;
    }
    let e1 = run(s, p, B64);
    if e1 - p < 4 || at(s, e1) != Some(b'.') {
        return None;
    }
    let e2 = run(s, e1 + 1, B64);
    if e2 == e1 + 1 || at(s, e2) != Some(b'.') {
        return None;
    }
    let e3 = run(s, e2 + 1, B64);
    (e3 > e2 + 1).then_some(e3)
}

/// Rule 2, `bearer` (caller has checked `LB(p)`). Returns (start of token, end).
pub fn bearer(s: &[u8], p: usize) -> Option<(usize, usize)> {
    if !lit_ci(s, p, b"bearer") {
        return None;
    }
    let mut i = p + 6;
    while at(s, i) == Some(b' ') {
        i += 1;
    }
    if i == p + 6 {
        return None;
    }
    let e = run(s, i, TOK);
    (e - i >= 8).then_some((i, e))
}

const SECRET_KEYS: [&[u8]; 7] = [
    b"password",
    b"passwd",
    b"pwd",
    b"secret",
    b"api_key",
    b"apikey",
    b"access_token",
];

/// Is `word` one of the `secret` keys (ASCII case-insensitive)?
///
/// Performance: dispatch on the length first, so most words are rejected without a compare.
#[inline]
pub fn is_secret_key(word: &[u8]) -> bool {
    let eq = |key: &[u8]| word.eq_ignore_ascii_case(key);
    match word.len() {
        3 => eq(b"pwd"),
        6 => eq(b"passwd") || eq(b"secret") || eq(b"apikey"),
        7 => eq(b"api_key"),
        8 => eq(b"password"),
        12 => eq(b"access_token"),
        _ => false,
    }
}

/// Rule 3, `secret` (caller has checked `LB(p)`). Returns (start of value, end of value).
pub fn secret(s: &[u8], p: usize) -> Option<(usize, usize)> {
    SECRET_KEYS
        .iter()
        .filter(|key| lit_ci(s, p, key))
        .find_map(|key| secret_value(s, p + key.len()))
}

/// The part of rule 3 after the key (which ends at `i`): `"`? ` `* (`=`|`:`) ` `* `"`? value.
/// Returns (start of value, end of value).
///
/// Every optional/repeated element is followed by an element whose first byte it can never be,
/// so taking each one greedily gives the same result as a backtracking regex.
pub fn secret_value(s: &[u8], mut i: usize) -> Option<(usize, usize)> {
    if at(s, i) == Some(b'"') {
        i += 1;
    }
    while at(s, i) == Some(b' ') {
        i += 1;
    }
    if !matches!(at(s, i), Some(b'=' | b':')) {
        return None;
    }
    i += 1;
    while at(s, i) == Some(b' ') {
        i += 1;
    }
    if at(s, i) == Some(b'"') {
        i += 1;
    }
    // The value class is a negated set, but bytes ≥ 0x80 never take part in a match (spec,
    // processing model), so VAL is ASCII-only and the value stops at the first such byte.
    let e = run(s, i, VAL);
    (e > i).then_some((i, e))
}

/// Rule 4, `api_key` (caller has checked `LB(p)`).
pub fn api_key(s: &[u8], p: usize) -> Option<usize> {
    let end = match at(s, p)? {
        b'A' if lit(s, p, b"AKIA") => {
            let e = run(s, p + 4, UPNUM);
            (e - (p + 4) == 16).then_some(e)?
        }
        b'g' if lit(s, p, b"ghp_") => {
            let e = run(s, p + 4, ALNUM);
            (e - (p + 4) == 36).then_some(e)?
        }
        b's' | b'p' | b'r' if at(s, p + 1) == Some(b'k') && at(s, p + 2) == Some(b'_') => {
            if !(lit(s, p + 3, b"live_") || lit(s, p + 3, b"test_")) {
                return None;
            }
            let e = run(s, p + 8, ALNUM);
            (e - (p + 8) >= 16).then_some(e)?
        }
        _ => return None,
    };
    rbd(s, end).then_some(end)
}

/// Rule 5, `email` (caller has checked that `s[p-1]`, if any, is not in `L`).
pub fn email(s: &[u8], p: usize) -> Option<usize> {
    let e = run(s, p, L);
    if e == p || at(s, e) != Some(b'@') {
        return None;
    }
    let d0 = e + 1;
    let mut d1 = run(s, d0, DOM);
    while d1 > d0 && s[d1 - 1] == b'.' {
        d1 -= 1;
    }
    valid_domain(&s[d0..d1]).then_some(d1)
}

/// ≥ 2 non-empty labels separated by `.`, the last one only letters and ≥ 2 long.
fn valid_domain(d: &[u8]) -> bool {
    let mut labels = 0usize;
    let mut last: &[u8] = &[];
    for label in d.split(|&b| b == b'.') {
        if label.is_empty() {
            return false;
        }
        labels += 1;
        last = label;
    }
    labels >= 2 && last.len() >= 2 && last.iter().all(|&b| is(b, ALPHA))
}

/// Rule 6, `ipv6` (caller has checked that `s[p-1]`, if any, is not in `W` nor `:` / `.`).
pub fn ipv6(s: &[u8], p: usize) -> Option<usize> {
    let mut r = run(s, p, HC);
    // A single trailing `:` (e.g. "2001:db8::7: refused") is punctuation, not part of the address.
    if r > p && s[r - 1] == b':' && (r - 1 == p || s[r - 2] != b':') {
        r -= 1;
    }
    if let Some(c) = at(s, r) {
        if is(c, W) || c == b'.' {
            return None;
        }
    }
    valid_ipv6(&s[p..r]).then_some(r)
}

/// The validity test of rule 6 for `R` (only `H` and `:` bytes, trailing single `:` dropped):
/// no `:::`, at most one `::`; with `::`, 1–4-byte groups before and after it, at most 7 in
/// total; without, exactly 8 groups.
///
/// Performance: one pass with early exits (the common near-miss in logs, a `12:30:45`-style
/// run, fails on its group count without splitting anything).
fn valid_ipv6(r: &[u8]) -> bool {
    let n = r.len();
    let (mut groups, mut glen, mut double) = (0usize, 0usize, false);
    let mut i = 0;
    while i < n {
        if r[i] != b':' {
            glen += 1;
            if glen > 4 {
                return false;
            }
            i += 1;
            continue;
        }
        let step = if r.get(i + 1) == Some(&b':') {
            // `::`: the only one, and not part of `:::`.
            if double || r.get(i + 2) == Some(&b':') {
                return false;
            }
            double = true;
            2
        } else {
            // A single `:` needs a group on both sides.
            if glen == 0 || i + 1 == n {
                return false;
            }
            1
        };
        groups += usize::from(glen > 0);
        glen = 0;
        i += step;
    }
    groups += usize::from(glen > 0);
    if double {
        groups <= 7
    } else {
        groups == 8
    }
}

/// Rule 7, `ipv4` (caller has checked `LBd(p)`).
pub fn ipv4(s: &[u8], p: usize) -> Option<usize> {
    let mut i = p;
    for k in 0..4 {
        if k > 0 {
            if at(s, i) != Some(b'.') {
                return None;
            }
            i += 1;
        }
        let e = run(s, i, D);
        let oct = &s[i..e];
        if oct.is_empty() || oct.len() > 3 || (oct.len() > 1 && oct[0] == b'0') {
            return None;
        }
        let v = oct.iter().fold(0u32, |v, &b| v * 10 + u32::from(b - b'0'));
        if v > 255 {
            return None;
        }
        i = e;
    }
    rbd(s, i).then_some(i)
}

/// Digits of either a plain maximal digit run whose length is in `plain`, or of the grouped form
/// whose maximal digit runs have the lengths in `groups`, separated by one `SEP` byte that is the
/// same everywhere. Returns the digits (in `buf`), their count and the end of the match.
fn digits_plain_or_grouped(
    s: &[u8],
    p: usize,
    plain: std::ops::RangeInclusive<usize>,
    groups: &[usize],
    buf: &mut [u8; 19],
) -> Option<(usize, usize)> {
    let e = run(s, p, D);
    let len = e - p;
    if plain.contains(&len) {
        buf[..len].copy_from_slice(&s[p..e]);
        return Some((len, e));
    }
    if len != groups[0] {
        return None;
    }
    let sep = at(s, e)?;
    if sep != b'-' && sep != b' ' {
        return None;
    }
    buf[..len].copy_from_slice(&s[p..e]);
    let (mut n, mut i) = (len, e);
    for &g in &groups[1..] {
        if at(s, i) != Some(sep) {
            return None;
        }
        let ge = run(s, i + 1, D);
        if ge - (i + 1) != g {
            return None;
        }
        buf[n..n + g].copy_from_slice(&s[i + 1..ge]);
        n += g;
        i = ge;
    }
    Some((n, i))
}

/// Thai national ID checksum over 13 ASCII digits.
fn thai_checksum(d: &[u8]) -> bool {
    let sum: u32 = d[..12]
        .iter()
        .enumerate()
        .map(|(i, &b)| u32::from(b - b'0') * (13 - i as u32))
        .sum();
    u32::from(d[12] - b'0') == (11 - sum % 11) % 10
}

/// Luhn check over ASCII digits.
fn luhn(d: &[u8]) -> bool {
    let sum: u32 = d
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &b)| {
            let v = u32::from(b - b'0');
            if i % 2 == 1 {
                let x = v * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                v
            }
        })
        .sum();
    sum % 10 == 0
}

/// Rule 8, `thai_id` (caller has checked `LBd(p)`).
pub fn thai_id(s: &[u8], p: usize) -> Option<usize> {
    let mut buf = [0u8; 19];
    let (n, end) = digits_plain_or_grouped(s, p, 13..=13, &[1, 4, 5, 2, 1], &mut buf)?;
    (n == 13 && rbd(s, end) && thai_checksum(&buf[..13])).then_some(end)
}

/// Rule 9, `card` (caller has checked `LBd(p)`).
pub fn card(s: &[u8], p: usize) -> Option<usize> {
    let mut buf = [0u8; 19];
    let (n, end) = digits_plain_or_grouped(s, p, 13..=19, &[4, 4, 4, 4], &mut buf)?;
    (rbd(s, end) && luhn(&buf[..n])).then_some(end)
}

/// A tiny cursor for the fixed-shape phone alternatives. Each step returns `None` on mismatch so
/// an alternative reads as a chain of `?`.
struct Cur<'a> {
    s: &'a [u8],
    i: usize,
}

impl Cur<'_> {
    fn lit(&mut self, w: &[u8]) -> Option<()> {
        lit(self.s, self.i, w).then(|| self.i += w.len())
    }
    /// One byte out of `set`.
    fn one_of(&mut self, set: &[u8]) -> Option<()> {
        let b = at(self.s, self.i)?;
        set.contains(&b).then(|| self.i += 1)
    }
    /// `SEP?`. Greedy is exact here: what follows a `SEP?` never starts with `-` or space.
    fn sep_opt(&mut self) {
        if matches!(at(self.s, self.i), Some(b'-' | b' ')) {
            self.i += 1;
        }
    }
    fn sep(&mut self) -> Option<()> {
        self.one_of(b"- ")
    }
    /// `D{n}`: exactly `n` digits (not a maximal run).
    fn digits(&mut self, n: usize) -> Option<()> {
        let t = self.s.get(self.i..self.i + n)?;
        t.iter().all(u8::is_ascii_digit).then(|| self.i += n)
    }
    /// `SEP? D{3} SEP? D{4}`, the common tail.
    fn tail_3_4(&mut self) -> Option<()> {
        self.sep_opt();
        self.digits(3)?;
        self.sep_opt();
        self.digits(4)
    }
}

type PhoneAlt = fn(&mut Cur<'_>) -> Option<()>;

const PHONE_ALTS: [PhoneAlt; 6] = [
    // 1. +66 SEP? ( [689] D SEP? D{3} SEP? D{4} | 2 SEP? D{3} SEP? D{4} )
    |c| {
        c.lit(b"+66")?;
        c.sep_opt();
        if c.one_of(b"689").is_some() {
            c.digits(1)?;
        } else {
            c.lit(b"2")?;
        }
        c.tail_3_4()
    },
    // 2. 0 [689] D SEP? D{3} SEP? D{4}
    |c| {
        c.lit(b"0")?;
        c.one_of(b"689")?;
        c.digits(1)?;
        c.tail_3_4()
    },
    // 3. 02 SEP? D{3} SEP? D{4}
    |c| {
        c.lit(b"02")?;
        c.tail_3_4()
    },
    // 4. +1 SEP? ( "(" D{3} ")" | D{3} ) SEP? D{3} SEP? D{4}
    |c| {
        c.lit(b"+1")?;
        c.sep_opt();
        if c.lit(b"(").is_some() {
            c.digits(3)?;
            c.lit(b")")?;
        } else {
            c.digits(3)?;
        }
        c.tail_3_4()
    },
    // 5. "(" D{3} ")" SEP? D{3} SEP D{4}
    |c| {
        c.lit(b"(")?;
        c.digits(3)?;
        c.lit(b")")?;
        c.sep_opt();
        c.digits(3)?;
        c.sep()?;
        c.digits(4)
    },
    // 6. D{3} - D{3} - D{4}
    |c| {
        c.digits(3)?;
        c.lit(b"-")?;
        c.digits(3)?;
        c.lit(b"-")?;
        c.digits(4)
    },
];

/// Rule 10, `phone` (caller has checked `LBd(p)`): the first alternative that matches and is
/// followed by `RBd`.
pub fn phone(s: &[u8], p: usize) -> Option<usize> {
    PHONE_ALTS.iter().find_map(|alt| {
        let mut c = Cur { s, i: p };
        alt(&mut c)?;
        rbd(s, c.i).then_some(c.i)
    })
}

/// Tries all rules at `p`, in priority order, and returns the first match: the spec's processing
/// model taken literally, each rule behind its own left boundary.
///
/// `s` must start at a line start and end at a line end (see the module comment). The scanner
/// uses the faster, gated [`crate::scan`] dispatch instead; this function is the reference the
/// tests compare it against, and it is exactly as correct on any position.
pub fn match_at(s: &[u8], p: usize) -> Option<Match> {
    if p >= s.len() {
        return None;
    }
    let prev = if p == 0 { None } else { Some(s[p - 1]) };
    let not_w = !matches!(prev, Some(b) if is(b, W));
    let lb = not_w;
    let lb_email = !matches!(prev, Some(b) if is(b, L));
    let lb_ipv6 = not_w && !matches!(prev, Some(b':' | b'.'));
    let lbd = not_w && !matches!(prev, Some(b'-' | b'.' | b'+'));
    let m = |rule, end| Some(Match { rule, keep: p, end });
    let kept = |rule, (keep, end)| Some(Match { rule, keep, end });

    if lb {
        if let Some(e) = jwt(s, p) {
            return m(Rule::Jwt, e);
        }
        if let Some(k) = bearer(s, p) {
            return kept(Rule::Bearer, k);
        }
        if let Some(k) = secret(s, p) {
            return kept(Rule::Secret, k);
        }
        if let Some(e) = api_key(s, p) {
            return m(Rule::ApiKey, e);
        }
    }
    if lb_email {
        if let Some(e) = email(s, p) {
            return m(Rule::Email, e);
        }
    }
    if lb_ipv6 {
        if let Some(e) = ipv6(s, p) {
            return m(Rule::Ipv6, e);
        }
    }
    if lbd {
        if let Some(e) = ipv4(s, p) {
            return m(Rule::Ipv4, e);
        }
        if let Some(e) = thai_id(s, p) {
            return m(Rule::ThaiId, e);
        }
        if let Some(e) = card(s, p) {
            return m(Rule::Card, e);
        }
        if let Some(e) = phone(s, p) {
            return m(Rule::Phone, e);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `match_at` at 0 on `line` and renders "<rule>:<masked text>" or "-" for no match.
    fn at0(line: &str) -> String {
        match match_at(line.as_bytes(), 0) {
            None => "-".to_string(),
            Some(m) => {
                format!(
                    "{}:{}{}",
                    m.rule.label(),
                    &line[..m.keep],
                    String::from_utf8_lossy(m.rule.replacement())
                ) + &line[m.end..]
            }
        }
    }

    fn check(cases: &[(&str, &str)]) {
        for (input, want) in cases {
            assert_eq!(at0(input), *want, "input {input:?}");
        }
    }

    #[test]
    fn jwt_rule() {
        check(&[
            ("eyJa.b.c", "jwt:[JWT]"),
            (
                "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.sig_-x9 done",
                "jwt:[JWT] done",
            ),
            ("eyJa.b.c.d", "jwt:[JWT].d"),
            ("eyJa-_.b-.c_ x", "jwt:[JWT] x"),
            // near misses
            ("eyJ.abc.def", "-"),
            ("eyJabc.def", "-"),
            ("eyJabc..def", "-"),
            ("eyJabc.def.", "-"),
            ("EyJabc.def.ghi", "-"),
            ("eyjabc.def.ghi", "-"),
        ]);
        assert_eq!(match_at(b"xeyJa.b.c", 1), None);
        assert_eq!(match_at(b"_eyJa.b.c", 1), None);
        assert!(match_at(b"-eyJa.b.c", 1).is_some());
    }

    #[test]
    fn bearer_rule() {
        check(&[
            ("Bearer abcDEF123._~+/=- next", "bearer:Bearer [TOKEN] next"),
            ("BEARER    0123456789abcdef", "bearer:BEARER    [TOKEN]"),
            ("bEaReR 12345678", "bearer:bEaReR [TOKEN]"),
            // near misses
            ("bearer 1234567", "-"),
            ("bearer short1", "-"),
            ("bearer\t12345678", "-"),
            ("bearer12345678", "-"),
            ("bearer: 12345678", "-"),
            ("bearers 12345678", "-"),
        ]);
        assert_eq!(match_at(b"xbearer 12345678", 1), None);
    }

    #[test]
    fn secret_rule() {
        check(&[
            (
                "password=hunter2&user=bob",
                "secret:password=[REDACTED]&user=bob",
            ),
            ("\"password\": \"s3cr3t!\"", "-"), // starts at `"`: no rule starts there
            (
                "password\": \"s3cr3t!\"",
                "secret:password\": \"[REDACTED]\"",
            ),
            ("apikey\":\"k-123\"", "secret:apikey\":\"[REDACTED]\""),
            ("secret\" : x}", "secret:secret\" : [REDACTED]"),
            ("Passwd:  pa55 x", "secret:Passwd:  [REDACTED] x"),
            ("pwd=a;b", "secret:pwd=[REDACTED];b"),
            ("access_token=aaa,bbb", "secret:access_token=[REDACTED],bbb"),
            ("API_KEY = 'x'", "-"),
            ("API_KEY = x'", "secret:API_KEY = [REDACTED]'"),
            ("SECRET:a:b=c", "secret:SECRET:[REDACTED]"),
            ("password=a\tb", "secret:password=[REDACTED]\tb"),
            ("password=a\rb", "secret:password=[REDACTED]"),
            ("password=abcé", "secret:password=[REDACTED]é"),
            // near misses
            ("secret_key=nope", "-"),
            ("passwords=nope", "-"),
            ("api_key= ", "-"),
            ("password=", "-"),
            ("password=é", "-"),
            ("password=\"\"", "-"),
            ("password =;", "-"),
            ("password \"=x", "-"),
            ("password x", "-"),
            ("pass=x", "-"),
            ("api-key=x", "-"),
        ]);
        assert_eq!(match_at(b"mypassword=x", 2), None);
        assert!(match_at(b"my-password=x", 3).is_some());
    }

    #[test]
    fn api_key_rule() {
        check(&[
            ("AKIAIOSFODNN7EXAMPLE", "api_key:[API_KEY]"),
            ("AKIAIOSFODNN7EXAMPLE.", "api_key:[API_KEY]."),
            (
                "ghp_0123456789abcdefghijABCDEFGHIJ012345 end",
                "api_key:[API_KEY] end",
            ),
            ("sk_live_4eC39HqLyjWDarjtT1zdp7dc", "api_key:[API_KEY]"),
            ("pk_test_abcdefghijklmnop", "api_key:[API_KEY]"),
            ("rk_live_abcdefghijklmnopqrstuvwxyz", "api_key:[API_KEY]"),
            // near misses
            ("AKIAIOSFODNN7EXAMPLE1", "-"),
            ("AKIAIOSFODNN7EXAMPL", "-"),
            ("AKIAIOSFODNN7EXAMPLEa", "-"),
            ("AKIAIOSFODNN7EXAMPLE_", "-"),
            ("AKIAIOSFODNN7EXAMPLE-1", "-"),
            ("AKIAIOSFODNN7EXAMPLE.1", "-"),
            ("akiaIOSFODNN7EXAMPLE", "-"),
            ("AKIAshort", "-"),
            ("ghp_tooshort", "-"),
            ("ghp_0123456789abcdefghijABCDEFGHIJ0123456", "-"),
            ("GHP_0123456789abcdefghijABCDEFGHIJ012345", "-"),
            ("rk_live_short", "-"),
            ("sk_prod_abcdefghijklmnop", "-"),
            ("xk_live_abcdefghijklmnop", "-"),
            ("sk_live_abcdefghijklmno", "-"),
            ("sk_live_abcdefghijklmnop_x", "-"),
        ]);
    }

    #[test]
    fn email_rule() {
        check(&[
            ("john.doe+tag@example.co.th, x", "email:[EMAIL], x"),
            ("bob@mail.example.com.\"", "email:[EMAIL].\""),
            ("b@c.com", "email:[EMAIL]"),
            ("user@-x.io", "email:[EMAIL]"),
            ("a@b.cc", "email:[EMAIL]"),
            ("a@b.com_x", "email:[EMAIL]_x"),
            ("a@b.com.", "email:[EMAIL]."),
            (".a@b.com", "email:[EMAIL]"),
            ("%@b.com", "email:[EMAIL]"),
            ("0812345678@b.com", "email:[EMAIL]"),
            // near misses
            ("x@localhost", "-"),
            ("a@b.c", "-"),
            ("a@b@c.com", "-"),
            ("u@x..com", "-"),
            ("q@x.c0m", "-"),
            ("@x.com", "-"),
            ("a@.com", "-"),
            ("a@", "-"),
            ("a @b.com", "-"),
            ("a@b.com1", "-"),
            ("a@b.com-", "-"), // the domain run includes `-`: last label "com-" is not letters
        ]);
        // the byte before must not be in L (here `.`, a W byte, or a Thai byte ≥ 0x80 is fine)
        assert_eq!(match_at(b"a.b@c.com", 2), None);
        assert_eq!(match_at(b"a+b@c.com", 2), None);
        let thai = "ชาย@example.com".as_bytes();
        for p in 0..thai.len() {
            assert_eq!(match_at(thai, p), None, "p={p}");
        }
        assert_eq!(
            match_at("ชb@example.com".as_bytes(), 3),
            Some(Match {
                rule: Rule::Email,
                keep: 3,
                end: 16
            })
        );
    }

    /// The validity test of rule 6 written as in the spec (split at `::`, then at `:`); the
    /// one-pass `valid_ipv6` must agree with it.
    fn valid_ipv6_by_splitting(r: &[u8]) -> bool {
        fn hex_groups(x: &[u8]) -> Option<usize> {
            if x.is_empty() {
                return Some(0);
            }
            let mut n = 0;
            for g in x.split(|&b| b == b':') {
                if g.is_empty() || g.len() > 4 {
                    return None;
                }
                n += 1;
            }
            Some(n)
        }
        if r.windows(3).any(|w| w == b":::") {
            return false;
        }
        match r.windows(2).position(|w| w == b"::") {
            Some(k) => {
                let (before, after) = (&r[..k], &r[k + 2..]);
                if after.windows(2).any(|w| w == b"::") {
                    return false;
                }
                match (hex_groups(before), hex_groups(after)) {
                    (Some(a), Some(b)) => a + b <= 7,
                    _ => false,
                }
            }
            None => hex_groups(r) == Some(8),
        }
    }

    #[test]
    fn valid_ipv6_agrees_with_the_spec_wording() {
        // Every string over {1, a, :} up to 11 bytes, and over {1, :} up to 19 bytes.
        fn all(alphabet: &[u8], max: usize, f: &mut dyn FnMut(&[u8])) {
            let mut cur = Vec::new();
            fn rec(alphabet: &[u8], max: usize, cur: &mut Vec<u8>, f: &mut dyn FnMut(&[u8])) {
                f(cur);
                if cur.len() == max {
                    return;
                }
                for &b in alphabet {
                    cur.push(b);
                    rec(alphabet, max, cur, f);
                    cur.pop();
                }
            }
            rec(alphabet, max, &mut cur, f);
        }
        let mut check = |r: &[u8]| {
            assert_eq!(
                valid_ipv6(r),
                valid_ipv6_by_splitting(r),
                "{}",
                String::from_utf8_lossy(r)
            );
        };
        all(b"1a:", 11, &mut check);
        all(b"1:", 19, &mut check);
        for r in [
            &b"2001:0db8:85a3:0000:0000:8a2e:0370:7334"[..],
            b"1:2:3:4:5:6:7:8",
            b"1:2:3:4:5:6:7::",
            b"::1:2:3:4:5:6:7",
            b"1:2:3:4::5:6:7:8",
            b"fe80::1ff:fe23:4567:890a",
        ] {
            check(r);
        }
    }

    #[test]
    fn ipv6_rule() {
        check(&[
            ("2001:db8::1", "ipv6:[IPV6]"),
            ("fe80::1ff:fe23:4567:890a%eth0", "ipv6:[IPV6]%eth0"),
            ("::1", "ipv6:[IPV6]"),
            ("::", "ipv6:[IPV6]"),
            ("1::", "ipv6:[IPV6]"),
            ("2001:0db8:85a3:0000:0000:8a2e:0370:7334", "ipv6:[IPV6]"),
            ("2001:db8::7: refused", "ipv6:[IPV6]: refused"),
            ("1:2:3:4:5:6:7:8:", "ipv6:[IPV6]:"),
            ("1:2:3:4:5:6:7::", "ipv6:[IPV6]"),
            ("1:2:3::5:6:7", "ipv6:[IPV6]"),
            ("::1-x", "ipv6:[IPV6]-x"),
            // near misses
            ("12:30:45", "-"),
            ("aa:bb:cc:dd:ee:ff", "-"),
            ("a::b::c", "-"),
            ("1:2:3:4:5:6:7", "-"),
            ("1:2:3:4:5:6:7:8:9", "-"),
            ("1:2:3:4::5:6:7:8", "-"),
            ("2001:db8::1.2", "-"),
            ("2001:db8::1x", "-"),
            ("2001:db8::1_", "-"),
            ("12345::1", "-"),
            (":::1", "-"),
            ("1:::", "-"),
            (":1::2", "-"),
            ("1::2:", "ipv6:[IPV6]:"),
            (":", "-"),
            ("deadbeef", "-"),
        ]);
        assert_eq!(match_at(b"gggg::1", 4), None);
        assert_eq!(match_at(b"gggg::1", 5), None);
        assert_eq!(match_at(b"x.::1", 2), None);
        assert!(match_at(b"x-::1", 2).is_some());
    }

    #[test]
    fn ipv4_rule() {
        check(&[
            ("192.168.1.10:8080", "ipv4:[IPV4]:8080"),
            ("255.255.255.255", "ipv4:[IPV4]"),
            ("0.0.0.0", "ipv4:[IPV4]"),
            ("1.2.3.4-beta", "ipv4:[IPV4]-beta"),
            ("1.2.3.4.x", "ipv4:[IPV4].x"),
            ("1.2.3.4-", "ipv4:[IPV4]-"),
            // near misses
            ("1.2.3.4.5", "-"),
            ("1.2.3.4-5", "-"),
            ("256.1.1.1", "-"),
            ("01.2.3.4", "-"),
            ("1.2.3.04", "-"),
            ("1.2.3", "-"),
            ("1234.1.1.1", "-"),
            ("1.2.3.4a", "-"),
            ("1.2.3.4_", "-"),
            ("1..2.3.4", "-"),
        ]);
        assert_eq!(match_at(b"v1.2.3.4", 1), None);
        assert_eq!(match_at(b"-1.2.3.4", 1), None);
        assert_eq!(match_at(b".1.2.3.4", 1), None);
        assert_eq!(match_at(b"+1.2.3.4", 1), None);
        assert!(match_at(b"=1.2.3.4", 1).is_some());
    }

    #[test]
    fn thai_id_rule() {
        check(&[
            ("1101700207366", "thai_id:[THAI_ID]"),
            ("1-1017-00207-36-6", "thai_id:[THAI_ID]"),
            ("1 1017 00207 36 6", "thai_id:[THAI_ID]"),
            ("1101700207366.", "thai_id:[THAI_ID]."),
            // near misses
            ("1101700207367", "-"),
            ("1-1017-00207-36 6", "-"),
            ("11017002073661", "-"),
            ("1101700207366-1", "-"),
            ("1101700207366x", "-"),
            ("1-1017-00207-36-66", "-"),
        ]);
        assert!(thai_checksum(b"1101700207366"));
        assert!(!thai_checksum(b"1101700207367"));
    }

    #[test]
    fn card_rule() {
        check(&[
            ("4111111111111111", "card:[CARD]"),
            ("4111-1111-1111-1111", "card:[CARD]"),
            ("4111 1111 1111 1111", "card:[CARD]"),
            ("5500005555555559", "card:[CARD]"),
            ("4222222222222", "card:[CARD]"),
            // near misses
            ("4111111111111112", "-"),
            ("4111-1111 1111-1111", "-"),
            ("41111111111111111111", "-"),
            ("4111111111111111x", "-"),
            ("4111111111111111-1", "-"),
            ("4111-1111-1111-11111", "-"),
            ("411111111111", "-"),
        ]);
        assert!(luhn(b"79927398713"));
        assert!(!luhn(b"79927398710"));
    }

    #[test]
    fn phone_rule() {
        check(&[
            ("081-234-5678", "phone:[PHONE]"),
            ("0812345678", "phone:[PHONE]"),
            ("+66 81 234 5678", "phone:[PHONE]"),
            ("+66812345678", "phone:[PHONE]"),
            ("+66-2-123-4567", "phone:[PHONE]"),
            ("+6621234567", "phone:[PHONE]"),
            ("02 123 4567", "phone:[PHONE]"),
            ("021234567", "phone:[PHONE]"),
            ("(212) 555-0199", "phone:[PHONE]"),
            ("(212)555 0199", "phone:[PHONE]"),
            ("+1 212 555 0199", "phone:[PHONE]"),
            ("+1(212)555-0199", "phone:[PHONE]"),
            ("+1 (212) 555-0199", "phone:[PHONE]"),
            ("212-555-0199", "phone:[PHONE]"),
            ("081-234-5678.", "phone:[PHONE]."),
            // near misses
            ("081-234-56789", "-"),
            ("2125550199", "-"),
            ("(212) 5550199", "-"),
            ("0812345678-9", "-"),
            ("071-234-5678", "phone:[PHONE]"), // not Thai mobile, but alternative 6
            ("071 234 5678", "-"),
            ("081--234-5678", "-"),
            ("+66 71 234 5678", "-"),
            ("+44 20 1234 5678", "-"),
            ("212 555 0199", "-"),
            ("(212 555-0199", "-"),
        ]);
        assert_eq!(match_at(b"x0812345678", 1), None);
        assert_eq!(match_at(b"-0812345678", 1), None);
        assert_eq!(match_at(b"a+66812345678", 1), None);
        // alternative 3 matches "021234567" but RBd fails (a digit follows); nothing else matches
        assert_eq!(match_at(b"02123456789", 0), None);
    }

    #[test]
    fn priority_order() {
        check(&[
            // email (5) beats ipv6 (6) and phone (10)
            ("0812345678@x.com", "email:[EMAIL]"),
            // ipv6 (6) beats ipv4 (7): with no `.` after the run
            ("1:2:3:4:5:6:7:8", "ipv6:[IPV6]"),
            // thai_id (8) beats card (9) when both checks pass: 13 digits valid Thai ID
            ("1101700207366", "thai_id:[THAI_ID]"),
            // secret (3) beats email (5)
            ("password=a@b.com", "secret:password=[REDACTED]"),
            // bearer (2) beats secret (3): `=` is a TOK byte, so the token is "password=12345678"
            ("bearer password=12345678", "bearer:bearer [TOKEN]"),
        ]);
    }
}
