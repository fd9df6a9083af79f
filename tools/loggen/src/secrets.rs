//! Generators of the values the log masker must hide (one per rule) and of their near-misses, plus the
//! Luhn and Thai national-ID checksum helpers.
//!
//! Every function appends ASCII to `out`. Secret generators produce values that match their rule when
//! written between boundary bytes (space, quote, `=`, `,`, Thai text…); near-miss generators produce
//! values that match no rule at all in such a context (see `impls/log-masker/README.md`).

use crate::rng::Rng;
use crate::words;

pub const DIGITS: &[u8] = b"0123456789";
pub const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
pub const UPPER_ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
pub const LOWER: &[u8] = b"abcdefghijklmnopqrstuvwxyz";
pub const LOWER_ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
pub const B64URL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
pub const B64STD: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
pub const HEX: &[u8] = b"0123456789abcdef";
pub const HEX_UPPER: &[u8] = b"0123456789ABCDEF";
/// Bearer-token bytes (the masker's `TOK` class).
const TOKEN_CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~+/-";
/// Password bytes: printable ASCII minus the bytes that end a masked value, `\` and `:`.
const PASSWORD_CHARS: &[u8] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!@#$%^*()-_+=.?/~";

// ---------------------------------------------------------------------------------------------
// Small writers
// ---------------------------------------------------------------------------------------------

pub fn push_random(out: &mut Vec<u8>, rng: &mut Rng, alphabet: &[u8], n: usize) {
    for _ in 0..n {
        out.push(alphabet[rng.index(alphabet.len())]);
    }
}

/// Between `lo` and `hi` (inclusive) random bytes of `alphabet`.
pub fn push_random_len(out: &mut Vec<u8>, rng: &mut Rng, alphabet: &[u8], lo: u64, hi: u64) {
    let n = rng.range(lo, hi) as usize;
    push_random(out, rng, alphabet, n);
}

pub fn push_u64(out: &mut Vec<u8>, v: u64) {
    push_padded(out, v, 1);
}

/// Decimal `v`, left-padded with zeros to at least `width` digits.
pub fn push_padded(out: &mut Vec<u8>, mut v: u64, width: usize) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    for _ in (buf.len() - i)..width {
        out.push(b'0');
    }
    out.extend_from_slice(&buf[i..]);
}

pub fn push_hex(out: &mut Vec<u8>, rng: &mut Rng, n: usize) {
    push_random(out, rng, HEX, n);
}

/// A digit in `lo..=hi` as an ASCII byte.
fn digit(rng: &mut Rng, lo: u8, hi: u8) -> u8 {
    b'0' + rng.range(u64::from(lo), u64::from(hi)) as u8
}

/// Base64url without padding (the JWT encoding).
pub fn push_base64url(out: &mut Vec<u8>, data: &[u8]) {
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = chunk.len() + 1;
        for k in 0..chars {
            out.push(B64URL[((n >> (18 - 6 * k)) & 63) as usize]);
        }
    }
}

/// Standard base64 with `=` padding (HTTP Basic credentials).
pub fn push_base64std(out: &mut Vec<u8>, data: &[u8]) {
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(B64STD[((n >> (18 - 6 * k)) & 63) as usize]);
            } else {
                out.push(b'=');
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Checksums
// ---------------------------------------------------------------------------------------------

/// Luhn check of a string of ASCII digits (false if any byte is not a digit or it is empty).
pub fn luhn_valid(digits: &[u8]) -> bool {
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let mut sum = 0u32;
    for (i, &c) in digits.iter().rev().enumerate() {
        let mut d = u32::from(c - b'0');
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    sum % 10 == 0
}

/// The digit that, appended to `payload`, makes a Luhn-valid number.
pub fn luhn_check_digit(payload: &[u8]) -> u8 {
    let mut sum = 0u32;
    for (i, &c) in payload.iter().rev().enumerate() {
        let mut d = u32::from(c - b'0');
        if i % 2 == 0 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    b'0' + ((10 - sum % 10) % 10) as u8
}

/// Thai national-ID check digit of the first 12 digits: `(11 − Σ dᵢ·(14−i) mod 11) mod 10`.
pub fn thai_id_check_digit(first12: &[u8]) -> u8 {
    let sum: u32 = first12
        .iter()
        .take(12)
        .enumerate()
        .map(|(i, &c)| u32::from(c - b'0') * (13 - i as u32))
        .sum();
    b'0' + ((11 - sum % 11) % 10) as u8
}

/// True for exactly 13 ASCII digits with a correct Thai national-ID check digit.
pub fn thai_id_valid(digits: &[u8]) -> bool {
    digits.len() == 13
        && digits.iter().all(u8::is_ascii_digit)
        && thai_id_check_digit(&digits[..12]) == digits[12]
}

// ---------------------------------------------------------------------------------------------
// Card numbers
// ---------------------------------------------------------------------------------------------

const TEST_CARDS: &[&str] = &[
    "4111111111111111",
    "4242424242424242",
    "5500005555555559",
    "5555555555554444",
    "378282246310005",
    "6011111111111117",
    "3530111333300000",
];

/// Writes the digits of a Luhn-valid card number with a realistic issuer prefix into `buf` and
/// returns its length (13 to 19).
pub fn card_number(rng: &mut Rng, buf: &mut [u8; 19]) -> usize {
    if rng.chance(1, 10) {
        let c = rng.pick(TEST_CARDS).as_bytes();
        buf[..c.len()].copy_from_slice(c);
        return c.len();
    }
    let mut n;
    let len: usize = match rng.below(20) {
        0..=8 => {
            // Visa
            buf[0] = b'4';
            n = 1;
            rng.weighted(&[(16, 16usize), (2, 13), (2, 19)])
        }
        9..=13 => {
            // Mastercard 51-55 or 2221-2720
            if rng.chance(3, 4) {
                buf[0] = b'5';
                buf[1] = digit(rng, 1, 5);
                n = 2;
            } else {
                let p = rng.range(2221, 2720) as u16;
                buf[0] = b'2';
                buf[1] = b'0' + (p / 100 % 10) as u8;
                buf[2] = b'0' + (p / 10 % 10) as u8;
                buf[3] = b'0' + (p % 10) as u8;
                n = 4;
            }
            16
        }
        14 | 15 => {
            // American Express
            buf[0] = b'3';
            buf[1] = if rng.chance(1, 2) { b'4' } else { b'7' };
            n = 2;
            15
        }
        16 => {
            // Discover
            buf[..4].copy_from_slice(b"6011");
            n = 4;
            16
        }
        17 => {
            // JCB 3528-3589
            buf[..2].copy_from_slice(b"35");
            let p = rng.range(28, 89) as u8;
            buf[2] = b'0' + p / 10;
            buf[3] = b'0' + p % 10;
            n = 4;
            if rng.chance(1, 5) {
                19
            } else {
                16
            }
        }
        18 => {
            // UnionPay
            buf[..2].copy_from_slice(b"62");
            n = 2;
            rng.range(16, 19) as usize
        }
        _ => {
            // Diners Club
            buf[..2].copy_from_slice(b"36");
            n = 2;
            14
        }
    };
    while n < len - 1 {
        buf[n] = digit(rng, 0, 9);
        n += 1;
    }
    buf[len - 1] = luhn_check_digit(&buf[..len - 1]);
    debug_assert!(luhn_valid(&buf[..len]));
    len
}

/// Writes `digits` as 4-4-4-4 groups separated by `sep` (16 digits expected).
fn push_grouped16(out: &mut Vec<u8>, digits: &[u8], seps: [u8; 3]) {
    for (i, group) in digits.chunks(4).enumerate() {
        if i > 0 {
            out.push(seps[i - 1]);
        }
        out.extend_from_slice(group);
    }
}

/// A Luhn-valid card number: contiguous (13-19 digits) or, for 16 digits, grouped by `-` or space.
pub fn card(rng: &mut Rng, out: &mut Vec<u8>) {
    let mut buf = [0u8; 19];
    let len = card_number(rng, &mut buf);
    let digits = &buf[..len];
    if len == 16 {
        match rng.below(3) {
            0 => push_grouped16(out, digits, [b'-'; 3]),
            1 => push_grouped16(out, digits, [b' '; 3]),
            _ => out.extend_from_slice(digits),
        }
    } else {
        out.extend_from_slice(digits);
    }
}

/// Changes the last digit if needed so that `digits` fails the Luhn check.
fn break_luhn(rng: &mut Rng, digits: &mut [u8]) {
    if luhn_valid(digits) {
        let last = digits.len() - 1;
        let shift = rng.range(1, 9) as u8;
        digits[last] = b'0' + (digits[last] - b'0' + shift) % 10;
    }
}

/// Near-miss of a card number. Its digits, read without separators, never pass the Luhn check:
/// 16 digits with a wrong check digit (contiguous or grouped), groups with mixed separators, or a
/// run of 20 digits.
pub fn card_near_miss(rng: &mut Rng, out: &mut Vec<u8>) {
    let mut buf = [0u8; 24];
    let mut tmp = [0u8; 19];
    // Take a valid 16-digit number and damage it, so the prefix still looks like a real issuer.
    let len = loop {
        let l = card_number(rng, &mut tmp);
        if l == 16 {
            break l;
        }
    };
    buf[..len].copy_from_slice(&tmp[..len]);
    let shift = rng.range(1, 9) as u8;
    buf[len - 1] = b'0' + (buf[len - 1] - b'0' + shift) % 10;
    match rng.below(6) {
        0 | 1 => out.extend_from_slice(&buf[..16]),
        2 => push_grouped16(out, &buf[..16], [b'-'; 3]),
        3 => push_grouped16(out, &buf[..16], [b' '; 3]),
        4 => {
            let seps = rng.pick(&[[b'-', b' ', b'-'], [b' ', b'-', b' '], [b'-', b'-', b' ']]);
            push_grouped16(out, &buf[..16], seps);
        }
        _ => {
            for b in &mut buf[16..20] {
                *b = digit(rng, 0, 9);
            }
            break_luhn(rng, &mut buf[..20]);
            out.extend_from_slice(&buf[..20]);
        }
    }
}

/// A PCI-style masked card number, e.g. `4111********1111` (not a secret).
pub fn masked_pan(rng: &mut Rng, out: &mut Vec<u8>) {
    let mut buf = [0u8; 19];
    let len = card_number(rng, &mut buf);
    if rng.chance(1, 2) {
        out.extend_from_slice(&buf[..4]);
        out.extend(std::iter::repeat_n(b'*', len - 8));
    } else {
        out.extend(std::iter::repeat_n(b'*', len - 4));
    }
    out.extend_from_slice(&buf[len - 4..len]);
}

// ---------------------------------------------------------------------------------------------
// Thai national IDs
// ---------------------------------------------------------------------------------------------

/// Writes 13 digits of a checksum-valid Thai national ID into `buf`.
pub fn thai_id_number(rng: &mut Rng, buf: &mut [u8; 13]) {
    buf[0] = digit(rng, 1, 8);
    for b in &mut buf[1..12] {
        *b = digit(rng, 0, 9);
    }
    buf[12] = thai_id_check_digit(&buf[..12]);
    debug_assert!(thai_id_valid(buf));
}

/// Writes 13 digits in the grouped form 1-4-5-2-1 with the given separators.
fn push_thai_grouped(out: &mut Vec<u8>, d: &[u8; 13], seps: [u8; 4]) {
    out.push(d[0]);
    out.push(seps[0]);
    out.extend_from_slice(&d[1..5]);
    out.push(seps[1]);
    out.extend_from_slice(&d[5..10]);
    out.push(seps[2]);
    out.extend_from_slice(&d[10..12]);
    out.push(seps[3]);
    out.push(d[12]);
}

/// A checksum-valid Thai national ID, contiguous or grouped `1-2345-67890-12-3` / with spaces.
pub fn thai_id(rng: &mut Rng, out: &mut Vec<u8>) {
    let mut d = [0u8; 13];
    thai_id_number(rng, &mut d);
    match rng.below(20) {
        0..=9 => out.extend_from_slice(&d),
        10..=16 => push_thai_grouped(out, &d, [b'-'; 4]),
        _ => push_thai_grouped(out, &d, [b' '; 4]),
    }
}

/// Near-miss of a Thai ID: a wrong check digit (contiguous or grouped; contiguous ones also fail
/// Luhn, so they are not cards either), mixed separators, or a valid ID with one digit too many
/// (14 digits that fail Luhn).
pub fn thai_id_near_miss(rng: &mut Rng, out: &mut Vec<u8>) {
    let mut d = [0u8; 13];
    thai_id_number(rng, &mut d);
    let kind = rng.below(5);
    if kind < 4 {
        // Wrong check digit that also keeps the 13 digits Luhn-invalid.
        let good = d[12];
        let mut shift = rng.range(1, 9) as u8;
        loop {
            d[12] = b'0' + (good - b'0' + shift) % 10;
            if !luhn_valid(&d) {
                break;
            }
            shift = shift % 9 + 1;
        }
    }
    match kind {
        0 | 1 => out.extend_from_slice(&d),
        2 => push_thai_grouped(out, &d, [b'-'; 4]),
        3 => {
            let seps = rng.pick(&[
                [b'-', b'-', b'-', b' '],
                [b' ', b'-', b'-', b'-'],
                [b'-', b' ', b' ', b'-'],
            ]);
            push_thai_grouped(out, &d, seps);
        }
        _ => {
            let mut long = [0u8; 14];
            long[..13].copy_from_slice(&d);
            long[13] = digit(rng, 0, 9);
            break_luhn(rng, &mut long);
            out.extend_from_slice(&long);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// JWT, bearer tokens, key=value secrets, API keys
// ---------------------------------------------------------------------------------------------

const JWT_HEADERS: &[&str] = &[
    r#"{"alg":"HS256","typ":"JWT"}"#,
    r#"{"alg":"HS256","typ":"JWT"}"#,
    r#"{"alg":"RS256","typ":"JWT","kid":"k1"}"#,
    r#"{"alg":"ES256","typ":"JWT"}"#,
    r#"{"typ":"JWT","alg":"HS512"}"#,
];

/// JSON claims of a JWT payload (into `scratch`, which is cleared first).
fn jwt_claims(rng: &mut Rng, scratch: &mut Vec<u8>) {
    scratch.clear();
    scratch.extend_from_slice(b"{\"sub\":\"");
    push_u64(scratch, rng.range(1000, 9_999_999));
    scratch.extend_from_slice(b"\"");
    if rng.chance(1, 2) {
        scratch.extend_from_slice(b",\"name\":\"");
        scratch.extend_from_slice(rng.pick(words::FIRST_NAMES).as_bytes());
        scratch.push(b'"');
    }
    if rng.chance(1, 3) {
        scratch.extend_from_slice(b",\"email\":\"");
        email(rng, scratch);
        scratch.push(b'"');
    }
    scratch.extend_from_slice(b",\"iat\":");
    let iat = rng.range(1_790_000_000, 1_799_999_999);
    push_u64(scratch, iat);
    scratch.extend_from_slice(b",\"exp\":");
    push_u64(scratch, iat + 3600);
    if rng.chance(1, 2) {
        scratch.extend_from_slice(b",\"iss\":\"https://auth.example.com\"");
    }
    if rng.chance(1, 3) {
        scratch.extend_from_slice(b",\"roles\":[\"user\"]");
    }
    scratch.push(b'}');
}

/// A JWT: base64url header `eyJ…`, base64url payload, random signature.
pub fn jwt(rng: &mut Rng, out: &mut Vec<u8>, scratch: &mut Vec<u8>) {
    let header = rng.pick(JWT_HEADERS);
    push_base64url(out, header.as_bytes());
    out.push(b'.');
    jwt_claims(rng, scratch);
    push_base64url(out, scratch);
    out.push(b'.');
    let sig_len = if header.contains("ES256") { 86 } else { 43 };
    push_random(out, rng, B64URL, sig_len);
}

/// Near-miss of a JWT: two segments only, a truncated one, or `eyJ.` with nothing after `eyJ`.
pub fn jwt_near_miss(rng: &mut Rng, out: &mut Vec<u8>, scratch: &mut Vec<u8>) {
    match rng.below(3) {
        0 => {
            push_base64url(out, rng.pick(JWT_HEADERS).as_bytes());
            out.push(b'.');
            jwt_claims(rng, scratch);
            push_base64url(out, scratch);
        }
        1 => {
            push_base64url(out, rng.pick(JWT_HEADERS).as_bytes());
            out.extend_from_slice(b".eyJ");
            push_random_len(out, rng, B64URL, 3, 10);
            out.extend_from_slice(b"...");
        }
        _ => {
            out.extend_from_slice(b"eyJ.");
            push_random_len(out, rng, LOWER, 3, 8);
            out.push(b'.');
            push_random_len(out, rng, LOWER, 3, 8);
        }
    }
}

/// An opaque bearer token (`TOK` bytes, at least 20 long) or, one time in three, a JWT.
pub fn bearer_token(rng: &mut Rng, out: &mut Vec<u8>, scratch: &mut Vec<u8>) {
    if rng.chance(1, 3) {
        jwt(rng, out, scratch);
        return;
    }
    push_random(out, rng, ALNUM, 1);
    push_random_len(out, rng, TOKEN_CHARS, 20, 60);
    if rng.chance(1, 4) {
        out.extend_from_slice(b"==");
    }
}

/// `Bearer`/`bearer`/`BEARER`.
pub fn bearer_word(rng: &mut Rng) -> &'static str {
    rng.weighted(&[(8, "Bearer"), (2, "bearer"), (1, "BEARER")])
}

/// Near-miss of a bearer credential (the whole `Bearer …` text): a token shorter than 8 bytes, a
/// placeholder, a colon instead of the space, or a Basic credential.
pub fn bearer_near_miss(rng: &mut Rng, out: &mut Vec<u8>) {
    match rng.below(5) {
        0 | 1 => {
            out.extend_from_slice(bearer_word(rng).as_bytes());
            out.push(b' ');
            push_random_len(out, rng, ALNUM, 1, 7);
        }
        2 => {
            out.extend_from_slice(b"Bearer ");
            out.extend_from_slice(
                rng.pick(&["<redacted>", "***", "null", "${TOKEN}", "<none>"])
                    .as_bytes(),
            );
        }
        3 => {
            out.extend_from_slice(b"Bearer: ");
            push_random_len(out, rng, LOWER, 4, 12);
        }
        _ => {
            out.extend_from_slice(b"Basic ");
            let user = rng.pick(words::FIRST_NAMES).as_bytes();
            let mut cred = [0u8; 40];
            let mut n = user.len();
            cred[..n].copy_from_slice(user);
            cred[n] = b':';
            n += 1;
            for b in &mut cred[n..n + 8] {
                *b = LOWER[rng.index(LOWER.len())];
            }
            n += 8;
            push_base64std(out, &cred[..n]);
        }
    }
}

/// Keys of the `secret` rule, in the case variants found in real logs.
pub const SECRET_KEYS: &[&str] = &[
    "password",
    "password",
    "Password",
    "PASSWORD",
    "passwd",
    "pwd",
    "secret",
    "Secret",
    "api_key",
    "API_KEY",
    "apikey",
    "apiKey",
    "access_token",
    "Access_Token",
];

/// Keys that resemble the `secret` rule's keys but must not match it.
pub const NEAR_SECRET_KEYS: &[&str] = &[
    "secret_key",
    "passwords",
    "password_hash",
    "user_password",
    "passwordless",
    "pwd_reset",
    "apiKeyId",
    "accessToken",
    "api_key_last4",
    "secret_arn",
    "access_token_ttl",
    "old_password",
    "password_changed",
    "secretName",
];

pub fn secret_key(rng: &mut Rng) -> &'static str {
    rng.pick(SECRET_KEYS)
}

pub fn near_secret_key(rng: &mut Rng) -> &'static str {
    rng.pick(NEAR_SECRET_KEYS)
}

/// A password or secret value (no space, quote, `&`, `,`, `;`, `:` or `\`).
pub fn password(rng: &mut Rng, out: &mut Vec<u8>) {
    if rng.chance(1, 3) {
        out.extend_from_slice(rng.pick(words::PASSWORD_WORDS).as_bytes());
    } else {
        push_random(out, rng, ALNUM, 1);
        push_random_len(out, rng, PASSWORD_CHARS, 7, 23);
    }
}

/// A harmless value for a near-miss key (starts with a letter, no digits run, no `@`).
pub fn near_secret_value(rng: &mut Rng, out: &mut Vec<u8>) {
    match rng.below(4) {
        0 => out.extend_from_slice(
            rng.pick(&["true", "false", "nope", "rotated", "unset"])
                .as_bytes(),
        ),
        _ => {
            push_random(out, rng, LOWER, 1);
            push_random_len(out, rng, LOWER_ALNUM, 5, 15);
        }
    }
}

/// An AWS access key id, a GitHub token or a Stripe key.
pub fn api_key(rng: &mut Rng, out: &mut Vec<u8>) {
    match rng.below(3) {
        0 => {
            out.extend_from_slice(b"AKIA");
            push_random(out, rng, UPPER_ALNUM, 16);
        }
        1 => {
            out.extend_from_slice(b"ghp_");
            push_random(out, rng, ALNUM, 36);
        }
        _ => {
            out.extend_from_slice(rng.pick(&["sk_", "sk_", "pk_", "rk_"]).as_bytes());
            out.extend_from_slice(rng.pick(&["live_", "test_"]).as_bytes());
            push_random_len(out, rng, ALNUM, 24, 32);
        }
    }
}

/// Near-miss of an API key: wrong length, unknown prefix or environment, lowercase AWS id.
pub fn api_key_near_miss(rng: &mut Rng, out: &mut Vec<u8>) {
    match rng.below(7) {
        0 => {
            out.extend_from_slice(b"AKIA");
            let n = rng.pick(&[12usize, 15, 17, 20]);
            push_random(out, rng, UPPER_ALNUM, n);
        }
        1 => {
            out.extend_from_slice(b"ASIA");
            push_random(out, rng, UPPER_ALNUM, 16);
        }
        2 => {
            out.extend_from_slice(b"ghp_");
            let n = rng.pick(&[8usize, 20, 30, 35, 37, 40]);
            push_random(out, rng, ALNUM, n);
        }
        3 => {
            out.extend_from_slice(b"gho_");
            push_random(out, rng, ALNUM, 36);
        }
        4 => {
            out.extend_from_slice(rng.pick(&["sk_live_", "pk_test_", "rk_live_"]).as_bytes());
            push_random_len(out, rng, ALNUM, 4, 15);
        }
        5 => {
            out.extend_from_slice(rng.pick(&["sk_prod_", "pk_dev_", "sk_"]).as_bytes());
            push_random(out, rng, ALNUM, 24);
        }
        _ => {
            out.extend_from_slice(b"akia");
            push_random(out, rng, LOWER_ALNUM, 16);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// E-mail
// ---------------------------------------------------------------------------------------------

/// An e-mail local part built from names (letters, `.`, `_`, `+`, digits).
pub fn email_local(rng: &mut Rng, out: &mut Vec<u8>) {
    let first = if rng.chance(1, 3) {
        rng.pick(words::THAI_ROMAN_NAMES)
    } else {
        rng.pick(words::FIRST_NAMES)
    };
    let last = rng.pick(words::LAST_NAMES);
    match rng.below(6) {
        0 => {
            out.extend_from_slice(first.as_bytes());
            out.push(b'.');
            out.extend_from_slice(last.as_bytes());
        }
        1 => {
            out.extend_from_slice(first.as_bytes());
            push_u64(out, rng.range(1, 99));
        }
        2 => {
            out.extend_from_slice(first.as_bytes());
            out.push(b'_');
            out.extend_from_slice(last.as_bytes());
        }
        3 => {
            out.extend_from_slice(first.as_bytes());
            out.push(b'.');
            out.extend_from_slice(last.as_bytes());
            out.push(b'+');
            out.extend_from_slice(rng.pick(&["news", "shop", "test", "th"]).as_bytes());
        }
        4 => {
            out.push(first.as_bytes()[0]);
            out.extend_from_slice(last.as_bytes());
        }
        _ => {
            out.extend_from_slice(first.as_bytes());
            out.push(b'.');
            out.push(last.as_bytes()[0]);
        }
    }
}

pub fn email(rng: &mut Rng, out: &mut Vec<u8>) {
    email_local(rng, out);
    out.push(b'@');
    out.extend_from_slice(rng.pick(words::DOMAINS).as_bytes());
}

/// Near-miss of an e-mail: no dot in the domain, one-letter or non-alphabetic TLD, empty label,
/// URL-encoded `@`, or a mention without local part. (`สมชาย@…` is written by the line templates.)
pub fn email_near_miss(rng: &mut Rng, out: &mut Vec<u8>) {
    match rng.below(8) {
        0 => {
            out.extend_from_slice(
                rng.pick(&["root", "admin", "postgres", "deploy"])
                    .as_bytes(),
            );
            out.extend_from_slice(b"@localhost");
        }
        1 => {
            out.extend_from_slice(rng.pick(words::FIRST_NAMES).as_bytes());
            out.push(b'@');
            out.extend_from_slice(rng.pick(words::HOSTS).as_bytes());
        }
        2 => {
            email_local(rng, out);
            out.extend_from_slice(b"@example.c");
        }
        3 => {
            email_local(rng, out);
            out.extend_from_slice(
                rng.pick(&["@x.c0m", "@mail.co.1", "@host.local1"])
                    .as_bytes(),
            );
        }
        4 => {
            email_local(rng, out);
            out.extend_from_slice(b"@example..com");
        }
        5 => {
            email_local(rng, out);
            out.extend_from_slice(b"%40");
            out.extend_from_slice(rng.pick(words::DOMAINS).as_bytes());
        }
        6 => {
            out.push(b'@');
            out.extend_from_slice(rng.pick(words::FIRST_NAMES).as_bytes());
        }
        _ => {
            out.extend_from_slice(b"noreply@");
            out.extend_from_slice(rng.pick(&["internal", "mailer", "intranet"]).as_bytes());
        }
    }
}

// ---------------------------------------------------------------------------------------------
// IP addresses
// ---------------------------------------------------------------------------------------------

pub fn ipv4(rng: &mut Rng, out: &mut Vec<u8>) {
    let (a, b) = match rng.below(10) {
        0..=2 => (10, rng.below(256)),
        3 => (172, rng.range(16, 31)),
        4 | 5 => (192, 168),
        6 => (rng.pick(&[203u64, 198, 192]), rng.pick(&[0u64, 51, 113])),
        _ => (rng.range(1, 223), rng.below(256)),
    };
    push_u64(out, a);
    out.push(b'.');
    push_u64(out, b);
    out.push(b'.');
    push_u64(out, rng.below(256));
    out.push(b'.');
    push_u64(out, rng.range(1, 254));
}

const V6_PREFIXES: &[[u16; 2]] = &[
    [0x2001, 0x0db8],
    [0x2001, 0x0db8],
    [0x2404, 0x6800],
    [0x2606, 0x4700],
    [0x2400, 0xcb00],
    [0x2403, 0x6200],
    [0xfe80, 0x0000],
];

/// An IPv6 address: full (zero-padded), uncompressed, or compressed with `::` (including `::1`).
pub fn ipv6(rng: &mut Rng, out: &mut Vec<u8>) {
    if rng.chance(1, 25) {
        out.extend_from_slice(b"::1");
        return;
    }
    let mut g = [0u16; 8];
    let p = rng.pick(V6_PREFIXES);
    g[0] = p[0];
    g[1] = p[1];
    for x in &mut g[2..] {
        *x = match rng.below(4) {
            0 => rng.below(16) as u16,
            1 => rng.below(0x1000) as u16,
            _ => rng.below(0x10000) as u16,
        };
    }
    if g[0] == 0xfe80 {
        g[2] = 0;
        g[3] = 0;
    } else if rng.chance(2, 3) {
        // A run of zero groups to compress.
        let len = rng.range(2, 4) as usize;
        let start = rng.range(2, (8 - len) as u64) as usize;
        for x in &mut g[start..start + len] {
            *x = 0;
        }
    }
    let upper = rng.chance(1, 10);
    match rng.below(10) {
        0 | 1 => push_v6_groups(out, &g, true, upper),
        2 => push_v6_groups(out, &g, false, upper),
        _ => push_v6_compressed(out, &g, upper),
    }
}

fn push_group(out: &mut Vec<u8>, v: u16, pad: bool, upper: bool) {
    let alphabet = if upper { HEX_UPPER } else { HEX };
    let mut started = pad;
    for shift in [12u32, 8, 4, 0] {
        let nib = ((v >> shift) & 0xf) as usize;
        if nib != 0 || started || shift == 0 {
            out.push(alphabet[nib]);
            started = true;
        }
    }
}

fn push_v6_groups(out: &mut Vec<u8>, g: &[u16], pad: bool, upper: bool) {
    for (i, &v) in g.iter().enumerate() {
        if i > 0 {
            out.push(b':');
        }
        push_group(out, v, pad, upper);
    }
}

/// RFC 5952 style: the longest run of at least two zero groups becomes `::`.
fn push_v6_compressed(out: &mut Vec<u8>, g: &[u16; 8], upper: bool) {
    let (mut best_start, mut best_len) = (0usize, 0usize);
    let mut i = 0;
    while i < 8 {
        if g[i] == 0 {
            let s = i;
            while i < 8 && g[i] == 0 {
                i += 1;
            }
            if i - s > best_len {
                best_start = s;
                best_len = i - s;
            }
        } else {
            i += 1;
        }
    }
    if best_len < 2 {
        push_v6_groups(out, g, false, upper);
        return;
    }
    push_v6_groups(out, &g[..best_start], false, upper);
    out.extend_from_slice(b"::");
    push_v6_groups(out, &g[best_start + best_len..], false, upper);
}

/// Near-miss of an IPv6 address: two `::`, seven or nine groups, a five-digit group, non-hex.
pub fn ipv6_near_miss(rng: &mut Rng, out: &mut Vec<u8>) {
    let mut g = [0u16; 9];
    for x in &mut g {
        *x = rng.range(1, 0xffff) as u16;
    }
    match rng.below(5) {
        0 => {
            push_v6_groups(out, &g[..2], false, false);
            out.extend_from_slice(b"::");
            push_v6_groups(out, &g[2..3], false, false);
            out.extend_from_slice(b"::");
            push_v6_groups(out, &g[3..4], false, false);
        }
        1 => push_v6_groups(out, &g[..7], false, false),
        2 => push_v6_groups(out, &g[..9], false, false),
        3 => {
            out.extend_from_slice(b"2001:db8:");
            push_random(out, rng, b"123456789abcdef", 1);
            push_hex(out, rng, 4);
            out.extend_from_slice(b"::");
            push_group(out, g[0], false, false);
        }
        _ => {
            out.extend_from_slice(rng.pick(&["gggg", "zz", "fg01", "xyz"]).as_bytes());
            out.extend_from_slice(b"::");
            push_group(out, g[0], false, false);
        }
    }
}

/// A MAC address, colon- or dash-separated (6 groups: never an IPv6 address).
pub fn mac(rng: &mut Rng, out: &mut Vec<u8>) {
    let sep = if rng.chance(4, 5) { b':' } else { b'-' };
    let alphabet = if rng.chance(1, 3) { HEX_UPPER } else { HEX };
    for i in 0..6 {
        if i > 0 {
            out.push(sep);
        }
        push_random(out, rng, alphabet, 2);
    }
}

/// Near-miss of an IPv4 address: an octet above 255, a leading zero, three or five parts, `v1.2.3.4`.
pub fn ipv4_near_miss(rng: &mut Rng, out: &mut Vec<u8>) {
    let mut o = [0u64; 5];
    for x in &mut o {
        *x = rng.range(1, 254);
    }
    match rng.below(5) {
        0 => o[0] = rng.range(256, 999),
        1 => o[3] = rng.range(256, 999),
        2 => {
            out.push(b'0');
            o[0] = rng.range(1, 9);
        }
        3 => {
            push_u64(out, o[0]);
            out.push(b'.');
            push_u64(out, o[1]);
            out.push(b'.');
            push_u64(out, o[2]);
            return;
        }
        _ => out.push(b'v'),
    }
    for (i, &x) in o[..4].iter().enumerate() {
        if i > 0 {
            out.push(b'.');
        }
        push_u64(out, x);
    }
}

/// A version string with too many parts or a letter prefix: `1.2.3.4.5`, `v1.2.3.4`, `2.14.0.3.7`.
pub fn version(rng: &mut Rng, out: &mut Vec<u8>) {
    let parts = if rng.chance(1, 3) {
        out.push(b'v');
        4
    } else {
        rng.range(5, 6)
    };
    for i in 0..parts {
        if i > 0 {
            out.push(b'.');
        }
        push_u64(out, rng.below(if i == 0 { 10 } else { 40 }));
    }
}

// ---------------------------------------------------------------------------------------------
// Phones
// ---------------------------------------------------------------------------------------------

fn sep_opt(out: &mut Vec<u8>, sep: Option<u8>) {
    if let Some(s) = sep {
        out.push(s);
    }
}

/// A phone number: Thai mobile, Bangkok landline, Thai international, or North American.
pub fn phone(rng: &mut Rng, out: &mut Vec<u8>) {
    let sep = rng.pick(&[Some(b'-'), Some(b' '), None, None]);
    match rng.below(10) {
        0..=3 => {
            // 08x-xxx-xxxx
            out.push(b'0');
            out.push(rng.pick(b"689"));
            push_random(out, rng, DIGITS, 1);
            sep_opt(out, sep);
            push_random(out, rng, DIGITS, 3);
            sep_opt(out, sep);
            push_random(out, rng, DIGITS, 4);
        }
        4 => {
            out.extend_from_slice(b"02");
            sep_opt(out, sep);
            push_random(out, rng, DIGITS, 3);
            sep_opt(out, sep);
            push_random(out, rng, DIGITS, 4);
        }
        5 | 6 => {
            out.extend_from_slice(b"+66");
            sep_opt(out, sep);
            if rng.chance(4, 5) {
                out.push(rng.pick(b"689"));
                push_random(out, rng, DIGITS, 1);
            } else {
                out.push(b'2');
            }
            sep_opt(out, sep);
            push_random(out, rng, DIGITS, 3);
            sep_opt(out, sep);
            push_random(out, rng, DIGITS, 4);
        }
        _ => {
            let area = rng.range(201, 989);
            let exch = rng.range(200, 999);
            let line = rng.below(10_000);
            match rng.below(5) {
                0 => {
                    out.push(b'(');
                    push_u64(out, area);
                    out.extend_from_slice(b") ");
                    push_u64(out, exch);
                    out.push(b'-');
                }
                1 => {
                    out.extend_from_slice(b"+1 ");
                    push_u64(out, area);
                    out.push(b' ');
                    push_u64(out, exch);
                    out.push(b' ');
                }
                2 => {
                    push_u64(out, area);
                    out.push(b'-');
                    push_u64(out, exch);
                    out.push(b'-');
                }
                3 => {
                    out.extend_from_slice(b"+1(");
                    push_u64(out, area);
                    out.push(b')');
                    push_u64(out, exch);
                }
                _ => {
                    out.extend_from_slice(b"+1-");
                    push_u64(out, area);
                    out.push(b'-');
                    push_u64(out, exch);
                    out.push(b'-');
                }
            }
            push_padded(out, line, 4);
        }
    }
}

/// Near-miss of a phone number: one digit too many or too few, a missing separator, ten plain
/// digits of a US number, a Thai number with a wrong grouping.
pub fn phone_near_miss(rng: &mut Rng, out: &mut Vec<u8>) {
    match rng.below(6) {
        0 => {
            out.extend_from_slice(b"08");
            push_random(out, rng, DIGITS, 1);
            out.push(b'-');
            push_random(out, rng, DIGITS, 3);
            out.push(b'-');
            push_random(out, rng, DIGITS, 5);
        }
        1 => {
            push_u64(out, rng.range(201, 989));
            push_u64(out, rng.range(200, 999));
            push_padded(out, rng.below(10_000), 4);
        }
        2 => {
            out.push(b'(');
            push_u64(out, rng.range(201, 989));
            out.extend_from_slice(b") ");
            push_u64(out, rng.range(200, 999));
            push_padded(out, rng.below(10_000), 4);
        }
        3 => {
            out.extend_from_slice(b"+66 8");
            push_random(out, rng, DIGITS, 1);
            out.push(b' ');
            push_random(out, rng, DIGITS, 3);
            out.push(b' ');
            push_random(out, rng, DIGITS, 3);
        }
        4 => {
            out.extend_from_slice(b"08-");
            push_random(out, rng, DIGITS, 4);
            out.push(b'-');
            push_random(out, rng, DIGITS, 4);
        }
        _ => {
            push_u64(out, rng.range(200, 999));
            out.push(b'-');
            push_padded(out, rng.below(10_000), 4);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Other look-alikes: timestamps, dates, UUIDs, hashes, order numbers
// ---------------------------------------------------------------------------------------------

/// `HH:MM:SS`.
pub fn clock_time(rng: &mut Rng, out: &mut Vec<u8>) {
    push_padded(out, rng.below(24), 2);
    out.push(b':');
    push_padded(out, rng.below(60), 2);
    out.push(b':');
    push_padded(out, rng.below(60), 2);
}

/// A date: `2026-11-26`, `26/11/2026` or a Buddhist-era `26/11/2569`.
pub fn date(rng: &mut Rng, out: &mut Vec<u8>) {
    let y = rng.range(1960, 2030);
    let m = rng.range(1, 12);
    let d = rng.range(1, 28);
    match rng.below(3) {
        0 | 1 => {
            push_u64(out, y);
            out.push(b'-');
            push_padded(out, m, 2);
            out.push(b'-');
            push_padded(out, d, 2);
        }
        _ => {
            push_padded(out, d, 2);
            out.push(b'/');
            push_padded(out, m, 2);
            out.push(b'/');
            push_u64(out, if rng.chance(1, 2) { y } else { y + 543 });
        }
    }
}

/// A random (version 4 layout) UUID.
pub fn uuid(rng: &mut Rng, out: &mut Vec<u8>) {
    push_hex(out, rng, 8);
    out.push(b'-');
    push_hex(out, rng, 4);
    out.extend_from_slice(b"-4");
    push_hex(out, rng, 3);
    out.push(b'-');
    out.push(rng.pick(b"89ab"));
    push_hex(out, rng, 3);
    out.push(b'-');
    push_hex(out, rng, 12);
}

pub fn sha256_hex(rng: &mut Rng, out: &mut Vec<u8>) {
    push_hex(out, rng, 64);
}

/// An order or invoice number: `ORD-2026-000481`, `INV-20261126-0042`, `TXN…`, or 8–12 digits not
/// starting with 0.
pub fn order_number(rng: &mut Rng, out: &mut Vec<u8>) {
    match rng.below(4) {
        0 => {
            out.extend_from_slice(b"ORD-2026-");
            push_padded(out, rng.below(1_000_000), 6);
        }
        1 => {
            out.extend_from_slice(b"INV-202611");
            push_padded(out, rng.range(1, 28), 2);
            out.push(b'-');
            push_padded(out, rng.below(10_000), 4);
        }
        2 => {
            out.extend_from_slice(b"TXN");
            push_u64(out, rng.range(1_000_000_000_000, 9_999_999_999_999));
        }
        _ => {
            let digits = rng.range(8, 12) as u32;
            push_u64(out, rng.range(10u64.pow(digits - 1), 10u64.pow(digits) - 1));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The digit runs of `s` (maximal runs of ASCII digits).
    fn digit_runs(s: &[u8]) -> Vec<&[u8]> {
        s.split(|b| !b.is_ascii_digit())
            .filter(|r| !r.is_empty())
            .collect()
    }

    fn digits_only(s: &[u8]) -> Vec<u8> {
        s.iter().copied().filter(u8::is_ascii_digit).collect()
    }

    /// `D{a} s D{b} s …` with all separators equal to one of `-` or space.
    fn grouped(s: &[u8], groups: &[usize]) -> bool {
        let want: usize = groups.iter().sum::<usize>() + groups.len() - 1;
        if s.len() != want {
            return false;
        }
        let sep = s[groups[0]];
        if sep != b'-' && sep != b' ' {
            return false;
        }
        let mut i = 0;
        for (k, &g) in groups.iter().enumerate() {
            if !s[i..i + g].iter().all(u8::is_ascii_digit) {
                return false;
            }
            i += g;
            if k + 1 < groups.len() {
                if s[i] != sep {
                    return false;
                }
                i += 1;
            }
        }
        true
    }

    #[test]
    fn known_checksums() {
        assert!(luhn_valid(b"4111111111111111"));
        assert!(luhn_valid(b"5500005555555559"));
        assert!(luhn_valid(b"378282246310005"));
        assert!(!luhn_valid(b"4111111111111112"));
        assert!(!luhn_valid(b""));
        assert!(!luhn_valid(b"4111-1111"));
        assert_eq!(luhn_check_digit(b"411111111111111"), b'1');
        assert!(thai_id_valid(b"1101700207366"));
        assert!(!thai_id_valid(b"1101700207367"));
        assert!(!thai_id_valid(b"110170020736"));
        assert_eq!(thai_id_check_digit(b"110170020736"), b'6');
    }

    #[test]
    fn cards_pass_luhn() {
        let mut rng = Rng::new(1);
        let mut buf = [0u8; 19];
        for _ in 0..20_000 {
            let len = card_number(&mut rng, &mut buf);
            assert!((13..=19).contains(&len));
            assert!(
                luhn_valid(&buf[..len]),
                "{}",
                String::from_utf8_lossy(&buf[..len])
            );
        }
        for _ in 0..20_000 {
            let mut out = Vec::new();
            card(&mut rng, &mut out);
            let d = digits_only(&out);
            assert!(luhn_valid(&d));
            let contiguous = out.iter().all(u8::is_ascii_digit) && (13..=19).contains(&out.len());
            assert!(
                contiguous || grouped(&out, &[4, 4, 4, 4]),
                "{}",
                String::from_utf8_lossy(&out)
            );
        }
    }

    #[test]
    fn card_near_misses_never_pass_luhn() {
        let mut rng = Rng::new(2);
        for _ in 0..50_000 {
            let mut out = Vec::new();
            card_near_miss(&mut rng, &mut out);
            let d = digits_only(&out);
            assert!(!luhn_valid(&d), "{}", String::from_utf8_lossy(&out));
            for run in digit_runs(&out) {
                assert!(!((13..=19).contains(&run.len()) && luhn_valid(run)));
                assert!(!thai_id_valid(run));
            }
        }
    }

    #[test]
    fn thai_ids_pass_checksum() {
        let mut rng = Rng::new(3);
        for _ in 0..20_000 {
            let mut d = [0u8; 13];
            thai_id_number(&mut rng, &mut d);
            assert!(thai_id_valid(&d));
            let mut out = Vec::new();
            thai_id(&mut rng, &mut out);
            assert!(thai_id_valid(&digits_only(&out)));
            assert!(out.len() == 13 || grouped(&out, &[1, 4, 5, 2, 1]));
        }
    }

    #[test]
    fn thai_id_near_misses_are_neither_ids_nor_cards() {
        let mut rng = Rng::new(4);
        for _ in 0..50_000 {
            let mut out = Vec::new();
            thai_id_near_miss(&mut rng, &mut out);
            let s = String::from_utf8_lossy(&out).into_owned();
            if grouped(&out, &[1, 4, 5, 2, 1]) {
                assert!(!thai_id_valid(&digits_only(&out)), "{s}");
            }
            for run in digit_runs(&out) {
                assert!(!thai_id_valid(run), "{s}");
                assert!(!((13..=19).contains(&run.len()) && luhn_valid(run)), "{s}");
            }
        }
    }

    #[test]
    fn base64_encoders() {
        let mut out = Vec::new();
        push_base64url(&mut out, br#"{"alg":"HS256","typ":"JWT"}"#);
        assert_eq!(out, b"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9");
        out.clear();
        push_base64std(&mut out, b"alice:pw");
        assert_eq!(out, b"YWxpY2U6cHc=");
        out.clear();
        push_base64std(&mut out, b"ab");
        assert_eq!(out, b"YWI=");
        out.clear();
        push_base64std(&mut out, b"a");
        assert_eq!(out, b"YQ==");
    }

    #[test]
    fn jwts_have_three_segments() {
        let mut rng = Rng::new(5);
        let mut scratch = Vec::new();
        for _ in 0..1000 {
            let mut out = Vec::new();
            jwt(&mut rng, &mut out, &mut scratch);
            assert!(out.starts_with(b"eyJ"));
            let parts: Vec<&[u8]> = out.split(|&b| b == b'.').collect();
            assert_eq!(parts.len(), 3);
            assert!(parts.iter().all(|p| !p.is_empty()
                && p.iter()
                    .all(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_')));
        }
    }

    #[test]
    fn ipv6_forms_are_well_formed() {
        let mut rng = Rng::new(6);
        for _ in 0..20_000 {
            let mut out = Vec::new();
            ipv6(&mut rng, &mut out);
            let s = std::str::from_utf8(&out).unwrap();
            assert!(s.parse::<std::net::Ipv6Addr>().is_ok(), "{s}");
            assert!(s.matches("::").count() <= 1, "{s}");
        }
        for _ in 0..20_000 {
            let mut out = Vec::new();
            ipv6_near_miss(&mut rng, &mut out);
            let s = std::str::from_utf8(&out).unwrap();
            assert!(s.parse::<std::net::Ipv6Addr>().is_err(), "{s}");
        }
    }

    #[test]
    fn ipv4_forms() {
        let mut rng = Rng::new(7);
        for _ in 0..20_000 {
            let mut out = Vec::new();
            ipv4(&mut rng, &mut out);
            let s = std::str::from_utf8(&out).unwrap();
            assert!(s.parse::<std::net::Ipv4Addr>().is_ok(), "{s}");
            out.clear();
            ipv4_near_miss(&mut rng, &mut out);
            let s = std::str::from_utf8(&out).unwrap();
            assert!(s.parse::<std::net::Ipv4Addr>().is_err(), "{s}");
        }
    }
}
