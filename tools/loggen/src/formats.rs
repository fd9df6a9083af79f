//! Line templates: the generator that picks a log format for each line (access log, JSON, logfmt,
//! syslog, HTTP header dump, payment, KYC, application text, stack trace, metrics) and fills it with
//! vocabulary, secrets and near-misses; plus the rare long lines, invalid UTF-8 and CRLF endings.

use crate::clock::Clock;
use crate::rng::Rng;
use crate::secrets as s;
use crate::words as w;

/// What the generator put in a line (used by tests and statistics, never written out).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LineInfo {
    /// The generator inserted at least one value the masker must mask.
    pub secret: bool,
    /// The generator inserted at least one near-miss.
    pub near_miss: bool,
    /// The line deliberately contains bytes that are not valid UTF-8.
    pub invalid_utf8: bool,
    /// One of the rare 64–256 KiB lines.
    pub long: bool,
}

/// Kinds of secrets, one per masker rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Secret {
    Jwt,
    Bearer,
    KeyValue,
    ApiKey,
    Email,
    Ipv6,
    Ipv4,
    ThaiId,
    Card,
    Phone,
}

/// Kinds of near-misses: values that resemble a secret but match no rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Near {
    Jwt,
    Bearer,
    Key,
    ApiKey,
    Email,
    Time,
    Mac,
    Ipv6,
    Version,
    Ipv4,
    ThaiId,
    Card,
    MaskedPan,
    Phone,
    Uuid,
    Sha256,
    Order,
    Date,
}

/// How a `key`/`value` field is written.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Style {
    /// ` key=value` (value quoted when it holds a space).
    Kv,
    /// `,"key":"value"`.
    Json,
}

const ALL_NEAR: &[Near] = &[
    Near::Jwt,
    Near::Bearer,
    Near::Key,
    Near::Key,
    Near::ApiKey,
    Near::Email,
    Near::Time,
    Near::Mac,
    Near::Ipv6,
    Near::Version,
    Near::Ipv4,
    Near::ThaiId,
    Near::Card,
    Near::Card,
    Near::MaskedPan,
    Near::Phone,
    Near::Uuid,
    Near::Sha256,
    Near::Order,
    Near::Date,
];

const APP_SECRETS: &[Secret] = &[
    Secret::Email,
    Secret::Email,
    Secret::Email,
    Secret::Ipv4,
    Secret::Ipv4,
    Secret::Ipv6,
    Secret::Phone,
    Secret::Phone,
    Secret::KeyValue,
    Secret::KeyValue,
    Secret::Jwt,
    Secret::Bearer,
    Secret::ApiKey,
    Secret::Card,
    Secret::ThaiId,
];

const PAYMENT_SECRETS: &[Secret] = &[
    Secret::Card,
    Secret::Card,
    Secret::Card,
    Secret::Card,
    Secret::Card,
    Secret::Email,
    Secret::Phone,
    Secret::ApiKey,
    Secret::KeyValue,
];

const PAYMENT_NEAR: &[Near] = &[
    Near::Card,
    Near::Card,
    Near::Card,
    Near::MaskedPan,
    Near::MaskedPan,
    Near::Order,
    Near::Uuid,
    Near::Date,
    Near::ApiKey,
    Near::Key,
];

const KYC_SECRETS: &[Secret] = &[
    Secret::ThaiId,
    Secret::ThaiId,
    Secret::ThaiId,
    Secret::ThaiId,
    Secret::Phone,
    Secret::Phone,
    Secret::Email,
];

const KYC_NEAR: &[Near] = &[
    Near::ThaiId,
    Near::ThaiId,
    Near::ThaiId,
    Near::Date,
    Near::Phone,
    Near::Email,
    Near::Uuid,
];

#[derive(Clone, Copy)]
enum Format {
    Access,
    Json,
    Logfmt,
    Syslog,
    Header,
    Payment,
    Kyc,
    AppText,
    Stack,
    Metrics,
}

const FORMATS: &[(u32, Format)] = &[
    (14, Format::Access),
    (20, Format::Json),
    (16, Format::Logfmt),
    (10, Format::Syslog),
    (8, Format::Header),
    (8, Format::Payment),
    (5, Format::Kyc),
    (12, Format::AppText),
    (4, Format::Stack),
    (3, Format::Metrics),
];

/// Bytes that are never valid UTF-8 in the place they are inserted (after an ASCII space, before
/// an ASCII byte).
const INVALID_UTF8: &[&[u8]] = &[
    b"\xff",
    b"\xfe\xff",
    b"\xc3\x28",
    b"\x80",
    b"\xe0\xb8",
    b"\xed\xa0\x80",
    b"\xc0\xaf",
    b"\xf8\x88\x80\x80\x80",
    b"\xe0\xb8\xaa\xe0\xb8",
];

/// Deterministic line generator. The sequence of lines depends only on the seed.
pub struct Generator {
    rng: Rng,
    clock: Clock,
    /// Value of the field being written.
    val: Vec<u8>,
    /// Scratch for JWT claims.
    scratch: Vec<u8>,
}

fn push(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(s.as_bytes());
}

/// Writes one field in the given style.
fn emit(out: &mut Vec<u8>, style: Style, key: &str, val: &[u8]) {
    match style {
        Style::Kv => {
            out.push(b' ');
            push(out, key);
            out.push(b'=');
            if val.contains(&b' ') {
                out.push(b'"');
                out.extend_from_slice(val);
                out.push(b'"');
            } else {
                out.extend_from_slice(val);
            }
        }
        Style::Json => {
            out.extend_from_slice(b",\"");
            push(out, key);
            out.extend_from_slice(b"\":\"");
            out.extend_from_slice(val);
            out.push(b'"');
        }
    }
}

impl Generator {
    pub fn new(seed: u64) -> Self {
        let mut rng = Rng::new(seed);
        let clock = Clock::new(rng.below(86_400));
        Self {
            rng,
            clock,
            val: Vec::with_capacity(512),
            scratch: Vec::with_capacity(512),
        }
    }

    /// Appends one complete line, ending with `\n` (or, rarely, `\r\n`), to `out`.
    pub fn next_line(&mut self, out: &mut Vec<u8>) -> LineInfo {
        let start = out.len();
        self.clock.advance(self.rng.below(40));
        let mut info = LineInfo::default();
        if self.rng.chance(1, 20_000) {
            self.long_line(out);
            info.long = true;
            info.secret = true;
            info.near_miss = true;
        } else {
            let format = self.rng.weighted(FORMATS);
            let secret_pct = match format {
                Format::Access => 100,
                Format::Payment | Format::Kyc => 45,
                _ => 20,
            };
            let want_secret = self.rng.chance(secret_pct, 100);
            let want_near = self.rng.chance(35, 100);
            match format {
                Format::Access => self.access(out, want_near),
                Format::Json => self.json(out, want_secret, want_near),
                Format::Logfmt => self.logfmt(out, want_secret, want_near),
                Format::Syslog => self.syslog(out, want_secret, want_near),
                Format::Header => self.header(out, want_secret, want_near),
                Format::Payment => self.payment(out, want_secret, want_near),
                Format::Kyc => self.kyc(out, want_secret, want_near),
                Format::AppText => self.app_text(out, want_secret, want_near),
                Format::Stack => self.stack(out, want_secret, want_near),
                Format::Metrics => self.metrics(out, want_secret, want_near),
            }
            info.secret = want_secret;
            info.near_miss = want_near;
        }
        if self.rng.chance(1, 50_000) {
            self.insert_invalid_utf8(out, start);
            info.invalid_utf8 = true;
        }
        if self.rng.chance(1, 1000) {
            out.push(b'\r');
        }
        out.push(b'\n');
        info
    }

    /// Inserts a few invalid bytes right after a randomly chosen space of the line.
    fn insert_invalid_utf8(&mut self, out: &mut Vec<u8>, start: usize) {
        let spaces = out[start..].iter().filter(|&&b| b == b' ').count();
        let bad = self.rng.pick(INVALID_UTF8);
        let at = if spaces == 0 {
            out.len()
        } else {
            let k = self.rng.index(spaces);
            let pos = out[start..]
                .iter()
                .enumerate()
                .filter(|(_, &b)| b == b' ')
                .nth(k)
                .map(|(i, _)| i)
                .unwrap_or(0);
            start + pos + 1
        };
        out.splice(at..at, bad.iter().copied());
    }

    // -----------------------------------------------------------------------------------------
    // Fields
    // -----------------------------------------------------------------------------------------

    /// Fills `self.val` with a secret of `kind` and returns a fitting key.
    fn secret_value(&mut self, kind: Secret) -> &'static str {
        let mut v = std::mem::take(&mut self.val);
        v.clear();
        let r = &mut self.rng;
        let key = match kind {
            Secret::Jwt => {
                s::jwt(r, &mut v, &mut self.scratch);
                r.pick(&["id_token", "token", "jwt", "refresh"])
            }
            Secret::Bearer => {
                push(&mut v, s::bearer_word(r));
                v.push(b' ');
                s::bearer_token(r, &mut v, &mut self.scratch);
                r.pick(&["authorization", "auth", "Authorization"])
            }
            Secret::KeyValue => {
                let k = s::secret_key(r);
                s::password(r, &mut v);
                k
            }
            Secret::ApiKey => {
                s::api_key(r, &mut v);
                r.pick(&[
                    "key",
                    "aws_key_id",
                    "github_token",
                    "stripe_key",
                    "credential",
                ])
            }
            Secret::Email => {
                s::email(r, &mut v);
                r.pick(&["email", "user", "to", "customer_email", "reply_to", "login"])
            }
            Secret::Ipv6 => {
                s::ipv6(r, &mut v);
                r.pick(&["ip", "client_ip", "remote_addr", "src", "peer"])
            }
            Secret::Ipv4 => {
                s::ipv4(r, &mut v);
                r.pick(&["ip", "client_ip", "remote_addr", "src", "peer", "upstream"])
            }
            Secret::ThaiId => {
                s::thai_id(r, &mut v);
                r.pick(&["citizen_id", "national_id", "id_card", "thai_id"])
            }
            Secret::Card => {
                s::card(r, &mut v);
                r.pick(&["card", "pan", "card_number", "cc"])
            }
            Secret::Phone => {
                s::phone(r, &mut v);
                r.pick(&["phone", "mobile", "tel", "msisdn", "contact"])
            }
        };
        self.val = v;
        key
    }

    /// Fills `self.val` with a near-miss of `kind` and returns a fitting key.
    fn near_value(&mut self, kind: Near, style: Style) -> &'static str {
        let mut v = std::mem::take(&mut self.val);
        v.clear();
        let r = &mut self.rng;
        let key = match kind {
            Near::Jwt => {
                s::jwt_near_miss(r, &mut v, &mut self.scratch);
                r.pick(&["token", "id_token", "jwt_hint"])
            }
            Near::Bearer => {
                s::bearer_near_miss(r, &mut v);
                r.pick(&["authorization", "auth"])
            }
            Near::Key => {
                // An empty `api_key=` is only harmless when a delimiter follows it directly.
                if style == Style::Json && r.chance(1, 6) {
                    r.pick(&["api_key", "password", "secret"])
                } else {
                    s::near_secret_value(r, &mut v);
                    s::near_secret_key(r)
                }
            }
            Near::ApiKey => {
                s::api_key_near_miss(r, &mut v);
                r.pick(&["key", "aws_key_id", "github_token", "stripe_key"])
            }
            Near::Email => {
                s::email_near_miss(r, &mut v);
                r.pick(&["email", "user", "to", "login"])
            }
            Near::Time => {
                s::clock_time(r, &mut v);
                r.pick(&["elapsed", "at", "uptime", "window_start"])
            }
            Near::Mac => {
                s::mac(r, &mut v);
                r.pick(&["mac", "hwaddr", "bssid", "device_mac"])
            }
            Near::Ipv6 => {
                s::ipv6_near_miss(r, &mut v);
                r.pick(&["addr", "peer_hint", "route"])
            }
            Near::Version => {
                s::version(r, &mut v);
                r.pick(&["version", "build", "app_version", "agent"])
            }
            Near::Ipv4 => {
                s::ipv4_near_miss(r, &mut v);
                r.pick(&["host", "addr", "next_hop", "oid"])
            }
            Near::ThaiId => {
                s::thai_id_near_miss(r, &mut v);
                r.pick(&["citizen_id", "national_id", "ref_id"])
            }
            Near::Card => {
                s::card_near_miss(r, &mut v);
                r.pick(&["card", "pan", "card_number"])
            }
            Near::MaskedPan => {
                s::masked_pan(r, &mut v);
                r.pick(&["card", "pan_masked", "card_hint"])
            }
            Near::Phone => {
                s::phone_near_miss(r, &mut v);
                r.pick(&["phone", "mobile", "tel", "contact"])
            }
            Near::Uuid => {
                s::uuid(r, &mut v);
                r.pick(&[
                    "request_id",
                    "trace_id",
                    "session_id",
                    "device_id",
                    "idempotency_key",
                ])
            }
            Near::Sha256 => {
                s::sha256_hex(r, &mut v);
                r.pick(&["sha256", "checksum", "digest", "etag", "content_hash"])
            }
            Near::Order => {
                s::order_number(r, &mut v);
                r.pick(&["order_id", "invoice", "ref", "txn"])
            }
            Near::Date => {
                s::date(r, &mut v);
                r.pick(&["date", "dob", "since", "expiry_date", "settle_date"])
            }
        };
        self.val = v;
        key
    }

    fn secret_field(&mut self, out: &mut Vec<u8>, style: Style, kind: Secret) {
        if style == Style::Json && kind == Secret::Email && self.rng.chance(1, 2) {
            out.extend_from_slice(b",\"user\":{\"id\":");
            s::push_u64(out, self.rng.range(1000, 9_999_999));
            out.extend_from_slice(b",\"email\":\"");
            s::email(&mut self.rng, out);
            out.extend_from_slice(b"\"}");
            return;
        }
        if style == Style::Json && kind == Secret::KeyValue && self.rng.chance(1, 3) {
            out.extend_from_slice(b",\"body\":{\"username\":\"");
            push(out, self.rng.pick(w::FIRST_NAMES));
            out.extend_from_slice(b"\",\"password\": \"");
            s::password(&mut self.rng, out);
            out.extend_from_slice(b"\"}");
            return;
        }
        let key = self.secret_value(kind);
        emit(out, style, key, &self.val);
    }

    fn near_field(&mut self, out: &mut Vec<u8>, style: Style, kind: Near) {
        let key = self.near_value(kind, style);
        emit(out, style, key, &self.val);
    }

    /// One secret field (two, one time in seven) of the given kinds.
    fn secret_fields(&mut self, out: &mut Vec<u8>, style: Style, kinds: &[Secret]) {
        let n = if self.rng.chance(1, 7) { 2 } else { 1 };
        for _ in 0..n {
            let kind = self.rng.pick(kinds);
            self.secret_field(out, style, kind);
        }
    }

    /// One near-miss field (two, one time in four) of the given kinds.
    fn near_fields(&mut self, out: &mut Vec<u8>, style: Style, kinds: &[Near]) {
        let n = if self.rng.chance(1, 4) { 2 } else { 1 };
        for _ in 0..n {
            let kind = self.rng.pick(kinds);
            self.near_field(out, style, kind);
        }
    }

    fn level(&mut self) -> &'static str {
        self.rng.weighted(w::LOG_LEVELS)
    }

    fn level_upper(&mut self) -> &'static str {
        match self.level() {
            "info" => "INFO",
            "debug" => "DEBUG",
            "warn" => "WARN",
            _ => "ERROR",
        }
    }

    fn message(&mut self) -> &'static str {
        if self.rng.chance(3, 10) {
            self.rng.pick(w::THAI_MESSAGES)
        } else {
            self.rng.pick(w::EN_MESSAGES)
        }
    }

    fn short_class(&mut self, out: &mut Vec<u8>) {
        let class = self.rng.pick(w::JAVA_CLASSES);
        // c.e.auth.LoginService style abbreviation.
        let mut parts = class.split('.').peekable();
        while let Some(p) = parts.next() {
            if parts.peek().is_some() {
                out.push(p.as_bytes()[0]);
                out.push(b'.');
            } else {
                push(out, p);
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // Formats
    // -----------------------------------------------------------------------------------------

    /// nginx/Apache combined log. The client address is always a secret.
    fn access(&mut self, out: &mut Vec<u8>, want_near: bool) {
        if self.rng.chance(17, 20) {
            s::ipv4(&mut self.rng, out);
        } else {
            s::ipv6(&mut self.rng, out);
        }
        out.extend_from_slice(b" - ");
        // The client address is the line's secret; a few lines leak more.
        if self.rng.chance(1, 25) {
            s::email(&mut self.rng, out);
        } else if self.rng.chance(1, 20) {
            push(out, self.rng.pick(w::FIRST_NAMES));
        } else {
            out.push(b'-');
        }
        out.extend_from_slice(b" [");
        self.clock.nginx(out);
        out.extend_from_slice(b"] \"");
        push(out, self.rng.weighted(w::METHODS));
        out.push(b' ');
        let path = self.rng.pick(w::PATHS);
        push(out, path);
        if path.starts_with("/api/") && self.rng.chance(1, 2) {
            out.push(b'/');
            s::push_u64(out, self.rng.range(1, 9_999_999));
        }
        let mut near_placed = false;
        if self.rng.chance(1, 6) {
            out.push(b'?');
            if self.rng.chance(1, 3) {
                out.extend_from_slice(b"user=");
                push(out, self.rng.pick(w::FIRST_NAMES));
                out.push(b'&');
            }
            match self.rng.below(6) {
                0 | 1 => {
                    push(out, self.rng.pick(&["password=", "passwd=", "pwd="]));
                    s::password(&mut self.rng, out);
                }
                2 => {
                    out.extend_from_slice(b"api_key=");
                    s::api_key(&mut self.rng, out);
                }
                3 => {
                    out.extend_from_slice(b"access_token=");
                    s::bearer_token(&mut self.rng, out, &mut self.scratch);
                }
                4 => {
                    out.extend_from_slice(b"email=");
                    s::email(&mut self.rng, out);
                }
                _ => {
                    out.extend_from_slice(b"id_token=");
                    s::jwt(&mut self.rng, out, &mut self.scratch);
                }
            }
            if self.rng.chance(1, 2) {
                out.extend_from_slice(b"&remember=1");
            }
        } else if want_near && self.rng.chance(3, 5) {
            near_placed = true;
            out.push(b'?');
            match self.rng.below(9) {
                0 => {
                    out.extend_from_slice(b"email=");
                    s::email_local(&mut self.rng, out);
                    out.extend_from_slice(b"%40");
                    push(out, self.rng.pick(w::DOMAINS));
                }
                1 => {
                    push(out, s::near_secret_key(&mut self.rng));
                    out.push(b'=');
                    s::near_secret_value(&mut self.rng, out);
                }
                2 => {
                    out.extend_from_slice(b"api_key=&lang=th");
                }
                3 => {
                    out.extend_from_slice(b"v=");
                    s::version(&mut self.rng, out);
                }
                4 => {
                    out.extend_from_slice(b"session=");
                    s::uuid(&mut self.rng, out);
                }
                5 => {
                    out.extend_from_slice(b"since=");
                    s::date(&mut self.rng, out);
                }
                6 => {
                    out.extend_from_slice(b"order=");
                    s::order_number(&mut self.rng, out);
                }
                7 => {
                    out.extend_from_slice(b"sig=");
                    s::sha256_hex(&mut self.rng, out);
                }
                _ => {
                    out.extend_from_slice(b"token=");
                    s::jwt_near_miss(&mut self.rng, out, &mut self.scratch);
                }
            }
        } else if self.rng.chance(2, 5) {
            out.push(b'?');
            push(out, self.rng.pick(w::PLAIN_QUERY_KEYS));
            out.push(b'=');
            if self.rng.chance(1, 2) {
                s::push_u64(out, self.rng.range(1, 500));
            } else {
                push(out, self.rng.pick(w::PLAIN_QUERY_VALUES));
            }
        }
        out.extend_from_slice(if self.rng.chance(4, 5) {
            b" HTTP/1.1\" "
        } else {
            b" HTTP/2.0\" "
        });
        s::push_u64(out, u64::from(self.rng.weighted(w::STATUSES)));
        out.push(b' ');
        s::push_u64(out, self.rng.below(250_000));
        out.extend_from_slice(b" \"");
        push(out, self.rng.pick(w::REFERERS));
        out.extend_from_slice(b"\" \"");
        if self.rng.chance(1, 8) {
            push(out, self.rng.pick(w::USER_AGENTS_DOTTED));
        } else {
            push(out, self.rng.pick(w::USER_AGENTS));
        }
        out.push(b'"');
        if self.rng.chance(1, 3) {
            out.extend_from_slice(b" rt=0.");
            s::push_padded(out, self.rng.below(1000), 3);
        }
        if want_near && !near_placed {
            self.near_fields(out, Style::Kv, ALL_NEAR);
        }
    }

    /// JSON application log.
    fn json(&mut self, out: &mut Vec<u8>, want_secret: bool, want_near: bool) {
        out.extend_from_slice(b"{\"ts\":\"");
        self.clock.iso(out);
        out.extend_from_slice(b"\",\"level\":\"");
        push(out, self.level());
        out.extend_from_slice(b"\",\"service\":\"");
        push(out, self.rng.pick(w::SERVICES));
        if self.rng.chance(1, 2) {
            out.extend_from_slice(b"\",\"host\":\"");
            push(out, self.rng.pick(w::HOSTS));
        }
        out.extend_from_slice(b"\",\"trace_id\":\"");
        s::push_hex(out, &mut self.rng, 32);
        out.extend_from_slice(b"\",\"msg\":\"");
        push(out, self.message());
        out.push(b'"');
        if self.rng.chance(1, 2) {
            out.extend_from_slice(b",\"duration_ms\":");
            s::push_u64(out, self.rng.below(3000));
        }
        if want_secret {
            self.secret_fields(out, Style::Json, APP_SECRETS);
        }
        if want_near {
            self.near_fields(out, Style::Json, ALL_NEAR);
        }
        if self.rng.chance(1, 3) {
            out.extend_from_slice(b",\"status\":");
            s::push_u64(out, u64::from(self.rng.weighted(w::STATUSES)));
        }
        out.push(b'}');
    }

    /// logfmt (`key=value` pairs).
    fn logfmt(&mut self, out: &mut Vec<u8>, want_secret: bool, want_near: bool) {
        out.extend_from_slice(b"time=");
        self.clock.iso(out);
        out.extend_from_slice(b" level=");
        push(out, self.level());
        out.extend_from_slice(b" service=");
        push(out, self.rng.pick(w::SERVICES));
        out.extend_from_slice(b" msg=\"");
        push(out, self.message());
        out.push(b'"');
        if self.rng.chance(1, 2) {
            out.extend_from_slice(b" caller=");
            push(
                out,
                self.rng
                    .pick(&["handler.go", "server.go", "repo.go", "client.go"]),
            );
            out.push(b':');
            s::push_u64(out, self.rng.range(10, 900));
        }
        if want_secret {
            self.secret_fields(out, Style::Kv, APP_SECRETS);
        }
        if want_near {
            self.near_fields(out, Style::Kv, ALL_NEAR);
        }
        out.extend_from_slice(b" duration_ms=");
        s::push_u64(out, self.rng.below(3000));
    }

    /// BSD syslog.
    fn syslog(&mut self, out: &mut Vec<u8>, want_secret: bool, want_near: bool) {
        self.clock.syslog(out);
        out.push(b' ');
        push(out, self.rng.pick(w::HOSTS));
        out.push(b' ');
        let user = self.rng.pick(w::FIRST_NAMES);
        if want_secret {
            match self.rng.below(6) {
                0 | 1 => {
                    self.prog(out, "sshd");
                    if self.rng.chance(1, 2) {
                        out.extend_from_slice(b"Accepted publickey for ");
                        push(out, user);
                    } else {
                        out.extend_from_slice(b"Failed password for invalid user ");
                        push(
                            out,
                            self.rng.pick(&["admin", "test", "oracle", "ubnt", user]),
                        );
                    }
                    out.extend_from_slice(b" from ");
                    self.any_ip(out);
                    out.extend_from_slice(b" port ");
                    s::push_u64(out, self.rng.range(1024, 65535));
                    out.extend_from_slice(b" ssh2");
                    if self.rng.chance(1, 2) {
                        out.extend_from_slice(b": ED25519 SHA256:");
                        s::push_random(out, &mut self.rng, s::B64STD, 43);
                    }
                }
                2 => {
                    self.prog(out, "sudo");
                    out.extend_from_slice(b"   ");
                    push(out, user);
                    out.extend_from_slice(b" : TTY=pts/");
                    s::push_u64(out, self.rng.below(8));
                    out.extend_from_slice(b" ; PWD=/home/");
                    push(out, user);
                    out.extend_from_slice(b" ; USER=root ; COMMAND=/usr/bin/systemctl restart ");
                    push(out, self.rng.pick(w::SYSTEMD_UNITS));
                }
                3 => {
                    self.prog(out, "postfix/smtp");
                    s::push_random(out, &mut self.rng, s::HEX_UPPER, 10);
                    out.extend_from_slice(b": to=<");
                    s::email(&mut self.rng, out);
                    out.extend_from_slice(b">, relay=mx.example.com[");
                    s::ipv4(&mut self.rng, out);
                    out.extend_from_slice(b"]:25, delay=0.42, delays=0.1/0/0.2/0.12, dsn=2.0.0, status=sent (250 2.0.0 OK)");
                }
                4 => {
                    self.prog(out, "dhclient");
                    out.extend_from_slice(b"DHCPACK of ");
                    s::ipv4(&mut self.rng, out);
                    out.extend_from_slice(b" from ");
                    s::ipv4(&mut self.rng, out);
                }
                _ => {
                    out.extend_from_slice(b"kernel: [");
                    s::push_u64(out, self.rng.range(1000, 999_999));
                    out.push(b'.');
                    s::push_padded(out, self.rng.below(1_000_000), 6);
                    out.extend_from_slice(b"] [UFW BLOCK] IN=eth0 OUT= MAC=");
                    for i in 0..14 {
                        if i > 0 {
                            out.push(b':');
                        }
                        s::push_hex(out, &mut self.rng, 2);
                    }
                    out.extend_from_slice(b" SRC=");
                    s::ipv4(&mut self.rng, out);
                    out.extend_from_slice(b" DST=");
                    s::ipv4(&mut self.rng, out);
                    out.extend_from_slice(b" LEN=60 TOS=0x00 PROTO=TCP SPT=");
                    s::push_u64(out, self.rng.range(1024, 65535));
                    out.extend_from_slice(b" DPT=22 SYN");
                }
            }
        } else {
            match self.rng.below(5) {
                0 => {
                    self.prog(out, "CRON");
                    out.push(b'(');
                    push(out, self.rng.pick(&["root", user]));
                    out.extend_from_slice(b") CMD (");
                    push(out, self.rng.pick(w::CRON_COMMANDS));
                    out.push(b')');
                }
                1 => {
                    self.prog(out, "systemd");
                    out.extend_from_slice(b"Started ");
                    push(out, self.rng.pick(w::SYSTEMD_UNITS));
                    out.extend_from_slice(b" - managed by the ");
                    push(out, self.rng.pick(w::SERVICES));
                    out.extend_from_slice(b" team.");
                }
                2 => {
                    self.prog(out, "systemd");
                    out.extend_from_slice(b"Started Session ");
                    s::push_u64(out, self.rng.range(1, 9999));
                    out.extend_from_slice(b" of User ");
                    push(out, user);
                    out.push(b'.');
                }
                3 => {
                    self.prog(out, "sshd");
                    out.extend_from_slice(b"pam_unix(sshd:session): session closed for user ");
                    push(out, user);
                }
                _ => {
                    out.extend_from_slice(b"kernel: [");
                    s::push_u64(out, self.rng.range(1000, 999_999));
                    out.push(b'.');
                    s::push_padded(out, self.rng.below(1_000_000), 6);
                    out.extend_from_slice(
                        b"] eth0: Link is Up - 1000Mbps/Full - flow control rx/tx",
                    );
                }
            }
        }
        if want_near {
            self.near_fields(out, Style::Kv, ALL_NEAR);
        }
    }

    /// `program[pid]: `
    fn prog(&mut self, out: &mut Vec<u8>, name: &str) {
        push(out, name);
        out.push(b'[');
        s::push_u64(out, self.rng.range(300, 65_000));
        out.extend_from_slice(b"]: ");
    }

    fn any_ip(&mut self, out: &mut Vec<u8>) {
        if self.rng.chance(4, 5) {
            s::ipv4(&mut self.rng, out);
        } else {
            s::ipv6(&mut self.rng, out);
        }
    }

    /// One HTTP header of a request/response dump.
    fn header(&mut self, out: &mut Vec<u8>, want_secret: bool, want_near: bool) {
        self.clock.iso(out);
        out.extend_from_slice(b" DEBUG [");
        push(out, self.rng.pick(w::SERVICES));
        out.extend_from_slice(b"] http.dump req=");
        s::push_hex(out, &mut self.rng, 8);
        let request = self.rng.chance(3, 4);
        out.extend_from_slice(if request { b" > " } else { b" < " });
        if want_secret {
            if want_near {
                // The near-miss goes before the header, as a dump attribute.
                out.truncate(out.len() - 3);
                self.near_fields(out, Style::Kv, ALL_NEAR);
                out.extend_from_slice(if request { b" > " } else { b" < " });
            }
            match self.rng.below(9) {
                0..=3 => {
                    out.extend_from_slice(b"Authorization: ");
                    push(out, s::bearer_word(&mut self.rng));
                    out.push(b' ');
                    if self.rng.chance(1, 2) {
                        s::jwt(&mut self.rng, out, &mut self.scratch);
                    } else {
                        s::bearer_token(&mut self.rng, out, &mut self.scratch);
                    }
                }
                4 => {
                    out.extend_from_slice(b"X-Api-Key: ");
                    s::api_key(&mut self.rng, out);
                }
                5 => {
                    out.extend_from_slice(b"X-Forwarded-For: ");
                    s::ipv4(&mut self.rng, out);
                    out.extend_from_slice(b", ");
                    s::ipv4(&mut self.rng, out);
                }
                6 => {
                    out.extend_from_slice(b"X-Real-IP: ");
                    s::ipv6(&mut self.rng, out);
                }
                7 => {
                    out.extend_from_slice(b"Cookie: session=");
                    s::push_hex(out, &mut self.rng, 32);
                    out.extend_from_slice(b"; access_token=");
                    s::password(&mut self.rng, out);
                    out.extend_from_slice(b"; lang=th");
                }
                _ => {
                    out.extend_from_slice(b"From: ");
                    s::email(&mut self.rng, out);
                }
            }
        } else if want_near {
            match self.rng.below(8) {
                0 | 1 => {
                    out.extend_from_slice(b"Authorization: ");
                    s::bearer_near_miss(&mut self.rng, out);
                }
                2 => {
                    out.extend_from_slice(b"X-Request-Id: ");
                    s::uuid(&mut self.rng, out);
                }
                3 => {
                    out.extend_from_slice(b"If-None-Match: \"");
                    s::sha256_hex(&mut self.rng, out);
                    out.push(b'"');
                }
                4 => {
                    out.extend_from_slice(b"X-Api-Key: ");
                    s::api_key_near_miss(&mut self.rng, out);
                }
                5 => {
                    out.extend_from_slice(b"X-Client-Version: ");
                    s::version(&mut self.rng, out);
                }
                6 => {
                    out.extend_from_slice(b"Date: ");
                    self.clock.http_date(out);
                }
                _ => {
                    out.extend_from_slice(b"X-Device-Mac: ");
                    s::mac(&mut self.rng, out);
                }
            }
        } else {
            match self.rng.below(8) {
                0 => {
                    out.extend_from_slice(b"Host: ");
                    push(out, self.rng.pick(w::HTTP_HOSTS));
                }
                1 => out.extend_from_slice(b"Accept: application/json, text/plain, */*"),
                2 => out.extend_from_slice(b"Content-Type: application/json; charset=utf-8"),
                3 => out.extend_from_slice(b"Accept-Language: th-TH,th;q=0.9,en-US;q=0.8,en;q=0.7"),
                4 => {
                    out.extend_from_slice(b"Content-Length: ");
                    s::push_u64(out, self.rng.below(100_000));
                }
                5 => {
                    out.extend_from_slice(b"User-Agent: ");
                    push(out, self.rng.pick(w::USER_AGENTS));
                }
                6 => out.extend_from_slice(b"Cache-Control: no-cache, no-store, must-revalidate"),
                _ => out.extend_from_slice(b"Connection: keep-alive"),
            }
        }
    }

    /// Payment service (Java style) with card numbers.
    fn payment(&mut self, out: &mut Vec<u8>, want_secret: bool, want_near: bool) {
        self.clock.java(out);
        out.push(b' ');
        push(out, self.level_upper());
        out.extend_from_slice(b" [payment-worker-");
        s::push_u64(out, self.rng.below(16));
        out.extend_from_slice(b"] c.e.payment.ChargeService - ");
        push(
            out,
            self.rng.pick(&[
                "charge approved",
                "charge declined",
                "refund issued",
                "3DS challenge required",
                "ชำระเงินสำเร็จ",
                "ชำระเงินล้มเหลว",
                "บัตรเครดิตถูกปฏิเสธ",
            ]),
        );
        out.extend_from_slice(b" charge_id=ch_");
        s::push_random(out, &mut self.rng, s::ALNUM, 24);
        out.extend_from_slice(b" amount=");
        s::push_u64(out, self.rng.range(1, 99_999));
        out.push(b'.');
        s::push_padded(out, self.rng.below(100), 2);
        out.extend_from_slice(b" currency=");
        push(out, self.rng.pick(w::CURRENCIES));
        if want_secret {
            self.secret_fields(out, Style::Kv, PAYMENT_SECRETS);
        }
        if want_near {
            self.near_fields(out, Style::Kv, PAYMENT_NEAR);
        }
        out.extend_from_slice(b" status=");
        push(out, self.rng.pick(w::CARD_STATUSES));
    }

    /// KYC service with Thai national IDs and Thai names.
    fn kyc(&mut self, out: &mut Vec<u8>, want_secret: bool, want_near: bool) {
        self.clock.iso_local(out);
        out.push(b' ');
        push(out, self.level_upper());
        out.extend_from_slice(b" kyc-svc ");
        let thai = self.rng.chance(1, 2);
        if want_secret && self.rng.chance(1, 3) {
            // Thai sentence with the ID inside, sometimes glued to the Thai text.
            push(out, self.rng.pick(w::THAI_LEADS_ID));
            if self.rng.chance(1, 2) {
                out.push(b' ');
            }
            s::thai_id(&mut self.rng, out);
            out.push(b' ');
            push(
                out,
                self.rng
                    .pick(&["ตรวจสอบแล้ว", "ไม่ตรงกับฐานข้อมูล", "รอการอนุมัติ"]),
            );
        } else if thai {
            push(
                out,
                self.rng.pick(&[
                    "ยืนยันตัวตนสำเร็จ",
                    "อัปโหลดบัตรประชาชนเรียบร้อย",
                    "ตรวจสอบเอกสาร KYC เรียบร้อย",
                ]),
            );
            if want_secret {
                self.secret_fields(out, Style::Kv, KYC_SECRETS);
            }
        } else {
            push(
                out,
                self.rng.pick(&[
                    "identity verified",
                    "document uploaded",
                    "liveness check passed",
                    "verification failed",
                ]),
            );
            if want_secret {
                self.secret_fields(out, Style::Kv, KYC_SECRETS);
            }
        }
        out.extend_from_slice(b" name=\"");
        push(out, self.rng.pick(w::THAI_FIRST_NAMES));
        out.push(b' ');
        push(out, self.rng.pick(w::THAI_LAST_NAMES));
        out.push(b'"');
        if want_near {
            self.near_fields(out, Style::Kv, KYC_NEAR);
        }
        out.extend_from_slice(b" status=");
        push(out, self.rng.pick(w::KYC_STATUSES));
    }

    /// Spring Boot style application text, English or Thai, with secrets inside sentences.
    fn app_text(&mut self, out: &mut Vec<u8>, want_secret: bool, want_near: bool) {
        self.clock.java(out);
        out.extend_from_slice(b"  ");
        push(out, self.level_upper());
        out.push(b' ');
        s::push_u64(out, self.rng.range(1000, 99_999));
        out.extend_from_slice(b" --- [");
        push(out, self.rng.pick(w::THREADS));
        out.extend_from_slice(b"] ");
        self.short_class(out);
        out.extend_from_slice(b" : ");
        if want_secret {
            match self.rng.below(10) {
                0 => {
                    out.extend_from_slice(b"login succeeded for ");
                    s::email(&mut self.rng, out);
                    out.extend_from_slice(b" from ");
                    self.any_ip(out);
                }
                1 => {
                    out.extend_from_slice(b"OTP sent to ");
                    s::phone(&mut self.rng, out);
                }
                2 => {
                    push(out, self.rng.pick(w::THAI_LEADS_PHONE));
                    if self.rng.chance(1, 2) {
                        out.push(b' ');
                    }
                    s::phone(&mut self.rng, out);
                    out.extend_from_slice(" แล้ว".as_bytes());
                }
                3 => {
                    push(out, self.rng.pick(w::THAI_LEADS_EMAIL));
                    out.push(b' ');
                    s::email(&mut self.rng, out);
                    out.extend_from_slice(" เรียบร้อย".as_bytes());
                }
                4 => {
                    out.extend_from_slice(b"calling upstream with ");
                    push(out, self.rng.pick(&["api_key=", "apikey=", "secret="]));
                    s::password(&mut self.rng, out);
                }
                5 => {
                    out.extend_from_slice(b"invalid password: ");
                    s::password(&mut self.rng, out);
                }
                6 => {
                    out.extend_from_slice(b"refreshing session with token ");
                    s::jwt(&mut self.rng, out, &mut self.scratch);
                }
                7 => {
                    out.extend_from_slice(b"using payment key ");
                    s::api_key(&mut self.rng, out);
                }
                8 => {
                    push(out, self.message());
                    self.secret_fields(out, Style::Kv, APP_SECRETS);
                }
                _ => {
                    out.extend_from_slice("ผู้ใช้ ".as_bytes());
                    push(out, self.rng.pick(w::THAI_FIRST_NAMES));
                    out.extend_from_slice(" อีเมล".as_bytes());
                    s::email(&mut self.rng, out);
                    out.extend_from_slice(" เข้าสู่ระบบสำเร็จ".as_bytes());
                }
            }
        } else {
            push(out, self.message());
            if self.rng.chance(1, 2) {
                out.extend_from_slice(b" user_id=");
                s::push_u64(out, self.rng.range(1000, 9_999_999));
            }
        }
        if want_near {
            match self.rng.below(4) {
                0 => {
                    // A Thai local part: bytes >= 0x80 are not e-mail bytes, so it is no e-mail.
                    out.push(b' ');
                    push(out, self.rng.pick(w::THAI_FIRST_NAMES));
                    out.push(b'@');
                    push(out, self.rng.pick(w::DOMAINS));
                }
                _ => self.near_fields(out, Style::Kv, ALL_NEAR),
            }
        }
        if self.rng.chance(1, 3) {
            out.extend_from_slice(b" took ");
            s::push_u64(out, self.rng.below(2000));
            out.extend_from_slice(b"ms");
        }
    }

    /// One line of an exception / stack trace.
    fn stack(&mut self, out: &mut Vec<u8>, want_secret: bool, want_near: bool) {
        if want_secret {
            match self.rng.below(5) {
                0 => {
                    out.extend_from_slice(
                        b"Caused by: java.sql.SQLException: Access denied for user 'app'@'",
                    );
                    s::ipv4(&mut self.rng, out);
                    out.extend_from_slice(b"' (using password: YES)");
                }
                1 => {
                    out.extend_from_slice(
                        b"Caused by: java.net.ConnectException: Connection refused: /",
                    );
                    s::ipv4(&mut self.rng, out);
                    out.extend_from_slice(b":5432");
                }
                2 => {
                    out.extend_from_slice(b"Exception in thread \"");
                    push(out, self.rng.pick(w::THREADS));
                    out.extend_from_slice(b"\" com.example.payment.DeclinedException: card ");
                    s::card(&mut self.rng, out);
                    out.extend_from_slice(b" declined by issuer");
                }
                3 => {
                    out.extend_from_slice(
                        b"Caused by: com.example.auth.UserNotFoundException: no account for ",
                    );
                    s::email(&mut self.rng, out);
                }
                _ => {
                    out.extend_from_slice(
                        b"ValueError: invalid phone number format for customer: ",
                    );
                    s::phone(&mut self.rng, out);
                }
            }
        } else {
            match self.rng.below(6) {
                0..=2 => {
                    let class = self.rng.pick(w::JAVA_CLASSES);
                    out.extend_from_slice(b"\tat ");
                    push(out, class);
                    out.push(b'.');
                    push(out, self.rng.pick(w::JAVA_METHODS));
                    out.push(b'(');
                    push(out, class.rsplit('.').next().unwrap_or("Main"));
                    out.extend_from_slice(b".java:");
                    s::push_u64(out, self.rng.range(12, 1800));
                    out.push(b')');
                    if want_near {
                        out.extend_from_slice(b" ~[app.jar:");
                        s::version(&mut self.rng, out);
                        out.push(b']');
                        return;
                    }
                }
                3 => {
                    out.extend_from_slice(b"Caused by: ");
                    push(out, self.rng.pick(w::EXCEPTIONS));
                    out.extend_from_slice(b": ");
                    push(out, self.rng.pick(w::EN_MESSAGES));
                }
                4 => {
                    out.extend_from_slice(b"  File \"/app/handlers/");
                    push(out, self.rng.pick(&["payment", "auth", "kyc", "orders"]));
                    out.extend_from_slice(b".py\", line ");
                    s::push_u64(out, self.rng.range(10, 900));
                    out.extend_from_slice(b", in ");
                    push(out, self.rng.pick(w::JAVA_METHODS));
                }
                _ => {
                    out.extend_from_slice(b"goroutine ");
                    s::push_u64(out, self.rng.range(1, 5000));
                    out.extend_from_slice(b" [running]: panic: runtime error: invalid memory address or nil pointer dereference");
                }
            }
        }
        if want_near {
            self.near_fields(out, Style::Kv, ALL_NEAR);
        }
    }

    /// Metrics and build information (mostly numbers and look-alikes).
    fn metrics(&mut self, out: &mut Vec<u8>, want_secret: bool, want_near: bool) {
        self.clock.iso(out);
        match self.rng.below(3) {
            0 => {
                out.extend_from_slice(b" METRIC http_requests_total{method=\"");
                push(out, self.rng.weighted(w::METHODS));
                out.extend_from_slice(b"\",code=\"");
                s::push_u64(out, u64::from(self.rng.weighted(w::STATUSES)));
                out.extend_from_slice(b"\",service=\"");
                push(out, self.rng.pick(w::SERVICES));
                out.extend_from_slice(b"\"} ");
                s::push_u64(out, self.rng.below(10_000_000));
                out.push(b' ');
                s::push_u64(out, self.clock.epoch_secs());
            }
            1 => {
                out.extend_from_slice(b" INFO build info commit=");
                s::push_hex(out, &mut self.rng, 40);
                out.extend_from_slice(b" go=go1.22.");
                s::push_u64(out, self.rng.below(10));
                out.extend_from_slice(b" uptime_s=");
                s::push_u64(out, self.rng.below(10_000_000));
            }
            _ => {
                out.extend_from_slice(b" DEBUG gc pause=");
                s::push_u64(out, self.rng.below(50));
                out.push(b'.');
                s::push_padded(out, self.rng.below(1000), 3);
                out.extend_from_slice(b"ms heap_mb=");
                s::push_u64(out, self.rng.range(20, 4000));
                out.extend_from_slice(b" goroutines=");
                s::push_u64(out, self.rng.range(5, 20_000));
            }
        }
        if want_secret {
            out.extend_from_slice(b" scrape_target=");
            s::ipv4(&mut self.rng, out);
            out.extend_from_slice(b":9100");
        }
        if want_near {
            self.near_fields(out, Style::Kv, ALL_NEAR);
        }
    }

    // -----------------------------------------------------------------------------------------
    // Long lines
    // -----------------------------------------------------------------------------------------

    /// A 64–256 KiB line: a JSON response dump or a collapsed stack trace, secrets inside.
    fn long_line(&mut self, out: &mut Vec<u8>) {
        let start = out.len();
        let target = self.rng.range(64 * 1024, 256 * 1024) as usize;
        if self.rng.chance(3, 5) {
            out.extend_from_slice(b"{\"ts\":\"");
            self.clock.iso(out);
            out.extend_from_slice(b"\",\"level\":\"debug\",\"service\":\"");
            push(out, self.rng.pick(w::SERVICES));
            out.extend_from_slice(
                b"\",\"msg\":\"upstream response body\",\"body\":{\"customers\":[",
            );
            let mut first = true;
            while out.len() - start < target {
                if !first {
                    out.push(b',');
                }
                first = false;
                out.extend_from_slice(b"{\"id\":");
                s::push_u64(out, self.rng.range(1000, 9_999_999));
                out.extend_from_slice(b",\"name\":\"");
                push(out, self.rng.pick(w::THAI_FIRST_NAMES));
                out.push(b' ');
                push(out, self.rng.pick(w::THAI_LAST_NAMES));
                out.push(b'"');
                for _ in 0..self.rng.range(1, 3) {
                    if self.rng.chance(1, 2) {
                        let kind = self.rng.pick(APP_SECRETS);
                        self.secret_field(out, Style::Json, kind);
                    } else {
                        let kind = self.rng.pick(ALL_NEAR);
                        self.near_field(out, Style::Json, kind);
                    }
                }
                out.extend_from_slice(b",\"note\":\"");
                push(out, self.message());
                out.extend_from_slice(b"\"}");
            }
            out.extend_from_slice(b"]}}");
        } else {
            self.clock.java(out);
            out.extend_from_slice(b" ERROR [");
            push(out, self.rng.pick(w::THREADS));
            out.extend_from_slice(b"] c.e.payment.ChargeService : Unhandled exception: ");
            push(out, self.rng.pick(w::EXCEPTIONS));
            out.extend_from_slice(b": request failed for ");
            s::email(&mut self.rng, out);
            while out.len() - start < target {
                if self.rng.chance(1, 12) {
                    out.extend_from_slice(b"\\nCaused by: ");
                    push(out, self.rng.pick(w::EXCEPTIONS));
                    out.extend_from_slice(b": ");
                    match self.rng.below(5) {
                        0 => {
                            out.extend_from_slice(b"connection to ");
                            s::ipv4(&mut self.rng, out);
                            out.extend_from_slice(b":5432 refused");
                        }
                        1 => {
                            out.extend_from_slice(b"card ");
                            s::card(&mut self.rng, out);
                            out.extend_from_slice(b" declined");
                        }
                        2 => {
                            out.extend_from_slice(b"token expired: ");
                            s::jwt(&mut self.rng, out, &mut self.scratch);
                        }
                        3 => {
                            out.extend_from_slice(b"duplicate key ");
                            s::order_number(&mut self.rng, out);
                        }
                        _ => {
                            out.extend_from_slice(b"bad card ");
                            s::card_near_miss(&mut self.rng, out);
                        }
                    }
                } else {
                    let class = self.rng.pick(w::JAVA_CLASSES);
                    out.extend_from_slice(b"\\n\\tat ");
                    push(out, class);
                    out.push(b'.');
                    push(out, self.rng.pick(w::JAVA_METHODS));
                    out.push(b'(');
                    push(out, class.rsplit('.').next().unwrap_or("Main"));
                    out.extend_from_slice(b".java:");
                    s::push_u64(out, self.rng.range(12, 1800));
                    out.push(b')');
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(seed: u64, n: usize) -> Vec<(Vec<u8>, LineInfo)> {
        let mut g = Generator::new(seed);
        (0..n)
            .map(|_| {
                let mut v = Vec::new();
                let info = g.next_line(&mut v);
                (v, info)
            })
            .collect()
    }

    #[test]
    fn every_line_ends_with_one_newline() {
        for (line, _) in lines(11, 50_000) {
            assert_eq!(line.last(), Some(&b'\n'));
            assert!(!line[..line.len() - 1].contains(&b'\n'));
        }
    }

    #[test]
    fn valid_utf8_except_deliberate_lines() {
        // Enough lines to see several deliberately invalid and long ones.
        let mut invalid = 0;
        let mut long = 0;
        for seed in [1u64, 2, 3, 4] {
            for (line, info) in lines(seed, 120_000) {
                if info.invalid_utf8 {
                    invalid += 1;
                    assert!(std::str::from_utf8(&line).is_err());
                } else {
                    assert!(
                        std::str::from_utf8(&line).is_ok(),
                        "{}",
                        String::from_utf8_lossy(&line)
                    );
                }
                if info.long {
                    long += 1;
                    assert!(
                        (64 * 1024..=257 * 1024).contains(&line.len()),
                        "{}",
                        line.len()
                    );
                }
            }
        }
        assert!((3..=25).contains(&invalid), "invalid lines: {invalid}");
        assert!((10..=50).contains(&long), "long lines: {long}");
    }

    #[test]
    fn shares_of_secrets_near_misses_and_crlf() {
        let ls = lines(5, 200_000);
        let n = ls.len() as f64;
        let secret = ls.iter().filter(|(_, i)| i.secret).count() as f64 / n;
        let near = ls.iter().filter(|(_, i)| i.near_miss).count() as f64 / n;
        let crlf = ls.iter().filter(|(l, _)| l.ends_with(b"\r\n")).count();
        assert!((0.30..=0.40).contains(&secret), "secret share {secret}");
        assert!((0.30..=0.40).contains(&near), "near-miss share {near}");
        assert!((120..=290).contains(&crlf), "crlf lines {crlf}");
    }

    #[test]
    fn typical_line_lengths() {
        let ls = lines(6, 100_000);
        let typical = ls
            .iter()
            .filter(|(l, _)| (60..=300).contains(&l.len()))
            .count();
        assert!(
            typical * 100 >= ls.len() * 85,
            "only {typical} of {} lines are 60-300 bytes",
            ls.len()
        );
    }
}
