//! Token verification (README "Token verification"): the JOSE header and the claims are parsed
//! here with serde_json, exactly as the spec orders the checks; HS256 with the `hmac` crate and
//! RS256 with the `rsa` crate (RustCrypto), each with the key that belongs to the algorithm.
//! Both keys are prepared once, at start-up, as in Go and Zig: the RSA public key is parsed into
//! an `RsaPublicKey` (which holds its Montgomery parameters) and the HMAC key into its keyed
//! inner and outer SHA-256 states, which every verification copies.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use rsa::pkcs1v15::Pkcs1v15Sign;
use rsa::pkcs8::DecodePublicKey;
use rsa::traits::PublicKeyParts;
use rsa::PublicKey as RsaPublicKey;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// An answer the gateway writes itself: status and exact JSON body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rejection {
    pub status: u16,
    pub body: &'static str,
}

const fn rej(status: u16, body: &'static str) -> Rejection {
    Rejection { status, body }
}

pub const MISSING: Rejection = rej(401, r#"{"error":"invalid_token","detail":"missing"}"#);
pub const MALFORMED: Rejection = rej(401, r#"{"error":"invalid_token","detail":"malformed"}"#);
pub const UNSUPPORTED_ALG: Rejection = rej(
    401,
    r#"{"error":"invalid_token","detail":"unsupported_alg"}"#,
);
pub const BAD_SIGNATURE: Rejection =
    rej(401, r#"{"error":"invalid_token","detail":"bad_signature"}"#);
pub const MISSING_CLAIM: Rejection =
    rej(401, r#"{"error":"invalid_token","detail":"missing_claim"}"#);
pub const EXPIRED: Rejection = rej(401, r#"{"error":"invalid_token","detail":"expired"}"#);
pub const NOT_YET_VALID: Rejection =
    rej(401, r#"{"error":"invalid_token","detail":"not_yet_valid"}"#);
pub const ISSUER: Rejection = rej(403, r#"{"error":"forbidden","detail":"issuer"}"#);
pub const AUDIENCE: Rejection = rej(403, r#"{"error":"forbidden","detail":"audience"}"#);
pub const SCOPE: Rejection = rej(403, r#"{"error":"forbidden","detail":"scope"}"#);

pub const MAX_TOKEN_LEN: usize = 4096;
pub const MAX_JSON_DEPTH: usize = 32;
pub const MAX_SUB_LEN: usize = 128;

/// The keys and the expected claims.
pub struct Verifier {
    hs256: Hmac<Sha256>,
    rs256: RsaPublicKey,
    issuer: String,
    audience: String,
}

impl Verifier {
    /// `secret`: the HS256 key (already trimmed); `public_pem`: the RSA public key PEM.
    pub fn new(
        secret: &[u8],
        public_pem: &[u8],
        issuer: &str,
        audience: &str,
    ) -> Result<Self, String> {
        Ok(Verifier {
            hs256: Hmac::new_from_slice(secret).map_err(|e| e.to_string())?,
            rs256: load_public_key(public_pem)?,
            issuer: issuer.to_string(),
            audience: audience.to_string(),
        })
    }

    /// Steps 6 and 7 of the pipeline. `auth`: every Authorization value; `admin_path`: the
    /// decoded path needs the admin scope; `now`: Unix seconds. Returns the client id.
    pub fn verify(&self, auth: &[&[u8]], admin_path: bool, now: i64) -> Result<String, Rejection> {
        let value = match auth {
            [] => return Err(MISSING),
            [one] => *one,
            _ => return Err(MALFORMED),
        };
        let token = bearer_token(value).ok_or(MALFORMED)?;
        let mut parts = token.split('.');
        let (h, p, s) = match (parts.next(), parts.next(), parts.next(), parts.next()) {
            (Some(h), Some(p), Some(s), None) if !h.is_empty() => (h, p, s),
            _ => return Err(MALFORMED),
        };
        let header_json = URL_SAFE_NO_PAD.decode(h).map_err(|_| MALFORMED)?;
        let payload_json = URL_SAFE_NO_PAD.decode(p).map_err(|_| MALFORMED)?;
        let sig = URL_SAFE_NO_PAD.decode(s).map_err(|_| MALFORMED)?;
        let header = parse_object(&header_json).ok_or(MALFORMED)?;
        let signing_input = &token.as_bytes()[..h.len() + 1 + p.len()];
        let good = match header.get("alg").and_then(Value::as_str) {
            Some("HS256") => self.verify_hs256(signing_input, &sig),
            Some("RS256") => self.verify_rs256(signing_input, &sig),
            _ => return Err(UNSUPPORTED_ALG),
        };
        if !good {
            return Err(BAD_SIGNATURE);
        }
        self.check_claims(&payload_json, admin_path, now)
    }

    /// HMAC-SHA-256 with the secret; the tag is compared in constant time.
    fn verify_hs256(&self, msg: &[u8], sig: &[u8]) -> bool {
        let mut mac = self.hs256.clone();
        mac.update(msg);
        mac.verify_slice(sig).is_ok()
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256; the signature must be as long as the modulus.
    fn verify_rs256(&self, msg: &[u8], sig: &[u8]) -> bool {
        sig.len() == self.rs256.size()
            && self
                .rs256
                .verify(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(msg), sig)
                .is_ok()
    }

    fn check_claims(
        &self,
        payload: &[u8],
        admin_path: bool,
        now: i64,
    ) -> Result<String, Rejection> {
        let claims = parse_object(payload).ok_or(MALFORMED)?;
        let number = |name: &str| -> Result<Option<f64>, Rejection> {
            match claims.get(name) {
                None => Ok(None),
                Some(v) => match v.as_f64() {
                    Some(f) if v.is_number() && f.is_finite() => Ok(Some(f)),
                    _ => Err(MALFORMED),
                },
            }
        };
        let string = |name: &str| -> Result<Option<&str>, Rejection> {
            match claims.get(name) {
                None => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.as_str())),
                Some(_) => Err(MALFORMED),
            }
        };
        let exp = number("exp")?;
        let nbf = number("nbf")?;
        let sub = string("sub")?;
        let iss = string("iss")?;
        let scope = string("scope")?;
        let aud: Option<Vec<&str>> = match claims.get("aud") {
            None => None,
            Some(Value::String(s)) => Some(vec![s.as_str()]),
            Some(Value::Array(items)) => Some(
                items
                    .iter()
                    .map(|v| v.as_str().ok_or(MALFORMED))
                    .collect::<Result<_, _>>()?,
            ),
            Some(_) => return Err(MALFORMED),
        };
        let (Some(exp), Some(sub), Some(iss), Some(aud)) = (exp, sub, iss, aud) else {
            return Err(MISSING_CLAIM);
        };
        if !valid_sub(sub) {
            return Err(MALFORMED);
        }
        let t = now as f64;
        if t >= exp {
            return Err(EXPIRED);
        }
        if nbf.is_some_and(|nbf| t < nbf) {
            return Err(NOT_YET_VALID);
        }
        if iss != self.issuer {
            return Err(ISSUER);
        }
        if !aud.iter().any(|a| *a == self.audience) {
            return Err(AUDIENCE);
        }
        if admin_path && !scope.is_some_and(|s| s.split(' ').any(|n| n == "admin")) {
            return Err(SCOPE);
        }
        Ok(sub.to_string())
    }
}

/// "Bearer <token>": scheme case-insensitive, one or more spaces, a token of at most 4096
/// bytes without spaces or tabs.
fn bearer_token(value: &[u8]) -> Option<&str> {
    let value = std::str::from_utf8(value).ok()?;
    if value.len() < 8 || !value[..6].eq_ignore_ascii_case("bearer") || value.as_bytes()[6] != b' '
    {
        return None;
    }
    let token = value[6..].trim_start_matches(' ');
    if token.is_empty() || token.len() > MAX_TOKEN_LEN || token.contains([' ', '\t']) {
        return None;
    }
    Some(token)
}

/// A JSON object (UTF-8, nesting ≤ 32); serde_json keeps the last of repeated member names.
fn parse_object(data: &[u8]) -> Option<Map<String, Value>> {
    if !depth_ok(data, MAX_JSON_DEPTH) {
        return None;
    }
    match serde_json::from_slice::<Value>(data) {
        Ok(Value::Object(m)) => Some(m),
        _ => None,
    }
}

/// Arrays and objects nest at most `max` deep (brackets inside strings do not count).
pub fn depth_ok(data: &[u8], max: usize) -> bool {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for &b in data {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
        } else {
            match b {
                b'"' => in_string = true,
                b'{' | b'[' => {
                    depth += 1;
                    if depth > max {
                        return false;
                    }
                }
                b'}' | b']' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
    }
    true
}

fn valid_sub(s: &str) -> bool {
    !s.is_empty() && s.len() <= MAX_SUB_LEN && s.bytes().all(|b| (0x21..=0x7e).contains(&b))
}

/// The HS256 secret: the file's bytes without trailing whitespace, at least 32 bytes.
pub fn load_secret(data: &[u8]) -> Result<Vec<u8>, String> {
    let end = data
        .iter()
        .rposition(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
        .map_or(0, |i| i + 1);
    if end < 32 {
        return Err(format!(
            "the HS256 secret has {end} bytes, at least 32 are required"
        ));
    }
    Ok(data[..end].to_vec())
}

/// A `PUBLIC KEY` (SubjectPublicKeyInfo) PEM with an RSA modulus of 2048, 3072 or 4096 bits,
/// parsed once into the key every RS256 verification uses.
pub fn load_public_key(pem: &[u8]) -> Result<RsaPublicKey, String> {
    let text = std::str::from_utf8(pem).map_err(|_| "the key file is not text".to_string())?;
    let begin = "-----BEGIN PUBLIC KEY-----";
    let end = "-----END PUBLIC KEY-----";
    let (Some(a), Some(b)) = (text.find(begin), text.find(end)) else {
        return Err("no -----BEGIN PUBLIC KEY----- block".into());
    };
    if b < a {
        return Err("malformed PEM".into());
    }
    let b64: String = text[a + begin.len()..b]
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .map_err(|e| format!("PEM body: {e}"))?;
    let bits = rsa_modulus_bits(&der).ok_or("not an RSA SubjectPublicKeyInfo")?;
    if ![2048, 3072, 4096].contains(&bits) {
        return Err(format!(
            "RSA modulus of {bits} bits, 2048, 3072 or 4096 required"
        ));
    }
    RsaPublicKey::from_public_key_der(&der).map_err(|e| format!("RSA public key: {e}"))
}

/// One DER element at `d[i..]`: (tag, content range).
fn der(d: &[u8], i: usize) -> Option<(u8, std::ops::Range<usize>)> {
    let tag = *d.get(i)?;
    let first = *d.get(i + 1)? as usize;
    let (len, start) = if first < 0x80 {
        (first, i + 2)
    } else {
        let n = first & 0x7f;
        if n == 0 || n > 4 {
            return None;
        }
        let mut len = 0usize;
        for k in 0..n {
            len = (len << 8) | *d.get(i + 2 + k)? as usize;
        }
        (len, i + 2 + n)
    };
    let end = start.checked_add(len)?;
    (end <= d.len()).then_some((tag, start..end))
}

/// SEQUENCE { SEQUENCE { OID rsaEncryption, NULL }, BIT STRING { SEQUENCE { INTEGER n, INTEGER e } } }
fn rsa_modulus_bits(d: &[u8]) -> Option<usize> {
    const RSA_OID: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
    let (0x30, spki) = der(d, 0)? else {
        return None;
    };
    let (0x30, alg) = der(d, spki.start)? else {
        return None;
    };
    let (0x06, oid) = der(d, alg.start)? else {
        return None;
    };
    if &d[oid] != RSA_OID {
        return None;
    }
    let (0x03, bits) = der(d, alg.end)? else {
        return None;
    };
    let (0x30, key) = der(d, bits.start + 1)? else {
        return None;
    };
    let (0x02, n) = der(d, key.start)? else {
        return None;
    };
    let n = &d[n];
    let skip = n.iter().take_while(|&&b| b == 0).count();
    let n = &n[skip..];
    let top = *n.first()?;
    Some((n.len() - 1) * 8 + (8 - top.leading_zeros() as usize))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_limit() {
        let deep = |n: usize| format!("{{\"a\":{}{}}}", "[".repeat(n - 1), "]".repeat(n - 1));
        assert!(parse_object(deep(32).as_bytes()).is_some());
        assert!(parse_object(deep(33).as_bytes()).is_none());
        assert!(parse_object(br#"{"a":"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"["}"#).is_some());
    }

    #[test]
    fn duplicate_members_keep_the_last() {
        let m = parse_object(br#"{"alg":"none","alg":"HS256"}"#).unwrap();
        assert_eq!(m["alg"], "HS256");
    }

    #[test]
    fn bearer_parsing() {
        assert_eq!(bearer_token(b"Bearer abc"), Some("abc"));
        assert_eq!(bearer_token(b"bEaReR   abc"), Some("abc"));
        assert_eq!(bearer_token(b"Bearer"), None);
        assert_eq!(bearer_token(b"Bearer\tabc"), None);
        assert_eq!(bearer_token(b"Bearerabc"), None);
        assert_eq!(bearer_token(b"Bearer a b"), None);
        assert_eq!(bearer_token(b"Basic abc"), None);
        assert_eq!(bearer_token(b"Bearer \xff"), None);
    }

    #[test]
    fn secret_loading() {
        assert!(load_secret(b"short\n").is_err());
        assert_eq!(
            load_secret(b"0123456789abcdef0123456789abcdef \r\n\t").unwrap(),
            b"0123456789abcdef0123456789abcdef"
        );
    }

    #[test]
    fn public_key_loading() {
        let pem = std::fs::read("../testdata/rs256-public.pem").unwrap();
        assert_eq!(load_public_key(&pem).unwrap().size(), 256);
        let private = std::fs::read("../testdata/rs256-private.pem").unwrap();
        assert!(load_public_key(&private).is_err());
        assert!(load_public_key(b"garbage").is_err());
        let der = {
            let text = std::str::from_utf8(&pem).unwrap();
            let body: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
            base64::engine::general_purpose::STANDARD
                .decode(body)
                .unwrap()
        };
        assert_eq!(rsa_modulus_bits(&der), Some(2048));
    }
}
