//! Token verification (README "Token verification"): strict base64url, the JOSE header and
//! the claims parsed with std.json, HS256 with std.crypto.auth.hmac and RS256 with the RSA
//! PKCS#1 v1.5 verifier that std uses for TLS certificates. Both keys are prepared once, at
//! start-up: the RSA modulus with its Montgomery constants (`loadPublicKey`), the HMAC key as
//! its keyed inner and outer SHA-256 states (`HmacSha256.init`), which every verification copies.

const std = @import("std");
const rsa = std.crypto.Certificate.rsa;
const der = std.crypto.Certificate.der;
const HmacSha256 = std.crypto.auth.hmac.sha2.HmacSha256;
const Sha256 = std.crypto.hash.sha2.Sha256;
const json = std.json;

/// An answer the gateway writes itself.
pub const Rejection = struct {
    status: u16,
    body: []const u8,
};

fn rej(comptime status: u16, comptime err: []const u8, comptime detail: []const u8) Rejection {
    return .{ .status = status, .body = "{\"error\":\"" ++ err ++ "\",\"detail\":\"" ++ detail ++ "\"}" };
}

pub const missing = rej(401, "invalid_token", "missing");
pub const malformed = rej(401, "invalid_token", "malformed");
pub const unsupported_alg = rej(401, "invalid_token", "unsupported_alg");
pub const bad_signature = rej(401, "invalid_token", "bad_signature");
pub const missing_claim = rej(401, "invalid_token", "missing_claim");
pub const expired = rej(401, "invalid_token", "expired");
pub const not_yet_valid = rej(401, "invalid_token", "not_yet_valid");
pub const issuer = rej(403, "forbidden", "issuer");
pub const audience = rej(403, "forbidden", "audience");
pub const scope = rej(403, "forbidden", "scope");

/// The result of a verification: the client id, or the answer to send.
pub const Outcome = union(enum) { ok: []const u8, rejected: Rejection };

pub const max_token_len = 4096;
pub const max_json_depth = 32;
pub const max_sub_len = 128;

const b64 = std.base64.url_safe_no_pad.Decoder;

/// The RSA public key and its modulus length in bytes (256, 384 or 512).
pub const PublicKey = struct {
    key: rsa.PublicKey,
    modulus_len: usize,
};

pub const Verifier = struct {
    /// `HmacSha256.init(secret)`, copied for each HS256 verification.
    hs256: HmacSha256,
    public: PublicKey,
    issuer: []const u8,
    audience: []const u8,

    /// Steps 6 and 7 of the pipeline. `auth`: every Authorization value; `admin_path`: the
    /// decoded path needs the admin scope; `now`: Unix seconds. `arena` holds the decoded
    /// segments and parsed JSON (the caller frees it). Returns the client id (in `arena`).
    pub fn verify(v: *const Verifier, arena: std.mem.Allocator, auth: []const []const u8, admin_path: bool, now: i64) Outcome {
        if (auth.len == 0) return .{ .rejected = missing };
        if (auth.len > 1) return .{ .rejected = malformed };
        const token = bearerToken(auth[0]) orelse return .{ .rejected = malformed };

        var it = std.mem.splitScalar(u8, token, '.');
        const h = it.next().?;
        const p = it.next() orelse return .{ .rejected = malformed };
        const s = it.next() orelse return .{ .rejected = malformed };
        if (it.next() != null or h.len == 0) return .{ .rejected = malformed };

        const header_json = decode(arena, h) orelse return .{ .rejected = malformed };
        const payload_json = decode(arena, p) orelse return .{ .rejected = malformed };
        const sig = decode(arena, s) orelse return .{ .rejected = malformed };
        const header = parseObject(arena, header_json) orelse return .{ .rejected = malformed };

        const alg_value = header.get("alg") orelse return .{ .rejected = unsupported_alg };
        const alg = switch (alg_value) {
            .string => |a| a,
            else => return .{ .rejected = unsupported_alg },
        };
        const signing_input = token[0 .. h.len + 1 + p.len];
        if (std.mem.eql(u8, alg, "HS256")) {
            var mac: [HmacSha256.mac_length]u8 = undefined;
            var hmac = v.hs256;
            hmac.update(signing_input);
            hmac.final(&mac);
            if (sig.len != mac.len or !std.crypto.timing_safe.eql([HmacSha256.mac_length]u8, mac, sig[0..mac.len].*))
                return .{ .rejected = bad_signature };
        } else if (std.mem.eql(u8, alg, "RS256")) {
            if (!verifyRs256(v.public, sig, signing_input)) return .{ .rejected = bad_signature };
        } else {
            return .{ .rejected = unsupported_alg };
        }
        return v.checkClaims(arena, payload_json, admin_path, now);
    }

    fn checkClaims(v: *const Verifier, arena: std.mem.Allocator, payload: []const u8, admin_path: bool, now: i64) Outcome {
        const claims = parseObject(arena, payload) orelse return .{ .rejected = malformed };
        // 1. Types of the claims that are present.
        const exp = number(claims.get("exp")) catch return .{ .rejected = malformed };
        const nbf = number(claims.get("nbf")) catch return .{ .rejected = malformed };
        const sub = string(claims.get("sub")) catch return .{ .rejected = malformed };
        const iss = string(claims.get("iss")) catch return .{ .rejected = malformed };
        const scp = string(claims.get("scope")) catch return .{ .rejected = malformed };
        const aud = claims.get("aud");
        if (aud) |a| switch (a) {
            .string => {},
            .array => |items| for (items.items) |item| switch (item) {
                .string => {},
                else => return .{ .rejected = malformed },
            },
            else => return .{ .rejected = malformed },
        };
        // 2. Presence.
        if (exp == null or sub == null or iss == null or aud == null) return .{ .rejected = missing_claim };
        // 3. The client id.
        if (!validSub(sub.?)) return .{ .rejected = malformed };
        // 4. Time.
        const t: f64 = @floatFromInt(now);
        if (t >= exp.?) return .{ .rejected = expired };
        if (nbf) |n| if (t < n) return .{ .rejected = not_yet_valid };
        // Authorization.
        if (!std.mem.eql(u8, iss.?, v.issuer)) return .{ .rejected = issuer };
        const aud_ok = switch (aud.?) {
            .string => |a| std.mem.eql(u8, a, v.audience),
            .array => |items| for (items.items) |item| {
                if (std.mem.eql(u8, item.string, v.audience)) break true;
            } else false,
            else => unreachable,
        };
        if (!aud_ok) return .{ .rejected = audience };
        if (admin_path and !hasScope(scp orelse "", "admin")) return .{ .rejected = scope };
        return .{ .ok = sub.? };
    }
};

/// "Bearer <token>": scheme case-insensitive, one or more spaces, a token of at most 4096
/// bytes without spaces or tabs.
pub fn bearerToken(value: []const u8) ?[]const u8 {
    if (value.len < 8 or !std.ascii.eqlIgnoreCase(value[0..6], "bearer") or value[6] != ' ') return null;
    const token = std.mem.trimStart(u8, value[6..], " ");
    if (token.len == 0 or token.len > max_token_len) return null;
    if (std.mem.findAny(u8, token, " \t") != null) return null;
    return token;
}

/// Strict base64url without padding (std's decoder refuses '=' and non-zero trailing bits).
fn decode(arena: std.mem.Allocator, s: []const u8) ?[]u8 {
    const n = b64.calcSizeForSlice(s) catch return null;
    const out = arena.alloc(u8, n) catch return null;
    b64.decode(out, s) catch return null;
    return out;
}

/// A JSON object (valid UTF-8, nesting ≤ 32); a repeated member name keeps the last value.
fn parseObject(arena: std.mem.Allocator, data: []const u8) ?json.ObjectMap {
    if (!depthOk(data, max_json_depth)) return null;
    if (!std.unicode.utf8ValidateSlice(data)) return null;
    const value = json.parseFromSliceLeaky(json.Value, arena, data, .{
        .duplicate_field_behavior = .use_last,
        .parse_numbers = false,
    }) catch return null;
    return switch (value) {
        .object => |o| o,
        else => null,
    };
}

/// Arrays and objects nest at most `max` deep (brackets inside strings do not count).
pub fn depthOk(data: []const u8, max: usize) bool {
    var depth: usize = 0;
    var in_string = false;
    var escaped = false;
    for (data) |b| {
        if (in_string) {
            if (escaped) {
                escaped = false;
            } else if (b == '\\') {
                escaped = true;
            } else if (b == '"') {
                in_string = false;
            }
        } else switch (b) {
            '"' => in_string = true,
            '{', '[' => {
                depth += 1;
                if (depth > max) return false;
            },
            '}', ']' => depth -|= 1,
            else => {},
        }
    }
    return true;
}

fn number(v: ?json.Value) error{Type}!?f64 {
    const value = v orelse return null;
    const s = switch (value) {
        .number_string => |s| s,
        else => return error.Type,
    };
    const f = std.fmt.parseFloat(f64, s) catch return error.Type;
    if (!std.math.isFinite(f)) return error.Type;
    return f;
}

fn string(v: ?json.Value) error{Type}!?[]const u8 {
    const value = v orelse return null;
    return switch (value) {
        .string => |s| s,
        else => error.Type,
    };
}

fn validSub(s: []const u8) bool {
    if (s.len == 0 or s.len > max_sub_len) return false;
    for (s) |c| if (c < 0x21 or c > 0x7e) return false;
    return true;
}

fn hasScope(list: []const u8, name: []const u8) bool {
    var it = std.mem.splitScalar(u8, list, ' ');
    while (it.next()) |item| if (std.mem.eql(u8, item, name)) return true;
    return false;
}

const supported_modulus_lens = [_]usize{ 256, 384, 512 };

fn verifyRs256(pk: PublicKey, sig: []const u8, msg: []const u8) bool {
    if (sig.len != pk.modulus_len) return false;
    inline for (supported_modulus_lens) |len| {
        if (len == pk.modulus_len) {
            rsa.PKCS1v1_5Signature.verify(len, sig[0..len], msg, pk.key, Sha256) catch return false;
            return true;
        }
    }
    return false;
}

/// The HS256 secret: the file's bytes without trailing whitespace, at least 32 bytes.
pub fn loadSecret(data: []const u8) error{SecretTooShort}![]const u8 {
    const s = std.mem.trimEnd(u8, data, " \t\r\n");
    if (s.len < 32) return error.SecretTooShort;
    return s;
}

pub const KeyError = error{ NotPublicKeyPem, BadBase64, NotRsaSpki, UnsupportedModulusSize, InvalidKey };

/// A `PUBLIC KEY` (SubjectPublicKeyInfo) PEM with an RSA modulus of 2048, 3072 or 4096 bits.
pub fn loadPublicKey(arena: std.mem.Allocator, pem: []const u8) KeyError!PublicKey {
    const begin = "-----BEGIN PUBLIC KEY-----";
    const end = "-----END PUBLIC KEY-----";
    const a = std.mem.find(u8, pem, begin) orelse return error.NotPublicKeyPem;
    const b = std.mem.find(u8, pem, end) orelse return error.NotPublicKeyPem;
    if (b < a) return error.NotPublicKeyPem;
    const body = pem[a + begin.len .. b];
    var text = arena.alloc(u8, body.len) catch return error.BadBase64;
    var n: usize = 0;
    for (body) |c| if (!std.ascii.isWhitespace(c)) {
        text[n] = c;
        n += 1;
    };
    const dec = std.base64.standard.Decoder;
    const size = dec.calcSizeForSlice(text[0..n]) catch return error.BadBase64;
    const bytes = arena.alloc(u8, size) catch return error.BadBase64;
    dec.decode(bytes, text[0..n]) catch return error.BadBase64;

    // SEQUENCE { SEQUENCE { OID rsaEncryption, NULL }, BIT STRING { RSAPublicKey } }
    const rsa_oid = [_]u8{ 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01 };
    const spki = der.Element.parse(bytes, 0) catch return error.NotRsaSpki;
    if (spki.identifier.tag != .sequence) return error.NotRsaSpki;
    const alg = der.Element.parse(bytes, spki.slice.start) catch return error.NotRsaSpki;
    if (alg.identifier.tag != .sequence) return error.NotRsaSpki;
    const oid = der.Element.parse(bytes, alg.slice.start) catch return error.NotRsaSpki;
    if (oid.identifier.tag != .object_identifier or !std.mem.eql(u8, bytes[oid.slice.start..oid.slice.end], &rsa_oid)) return error.NotRsaSpki;
    const bits = der.Element.parse(bytes, alg.slice.end) catch return error.NotRsaSpki;
    if (bits.identifier.tag != .bitstring or bits.slice.end - bits.slice.start < 2) return error.NotRsaSpki;
    const parsed = rsa.PublicKey.parseDer(bytes[bits.slice.start + 1 .. bits.slice.end]) catch return error.NotRsaSpki;
    const modulus_len = parsed.modulus.len;
    const bit_len = if (modulus_len == 0) 0 else modulus_len * 8 - @clz(parsed.modulus[0]);
    if (bit_len != 2048 and bit_len != 3072 and bit_len != 4096) return error.UnsupportedModulusSize;
    const key = rsa.PublicKey.fromBytes(parsed.exponent, parsed.modulus) catch return error.InvalidKey;
    return .{ .key = key, .modulus_len = modulus_len };
}

const testing = std.testing;

test "depth limit" {
    var arena_state = std.heap.ArenaAllocator.init(testing.allocator);
    defer arena_state.deinit();
    const arena = arena_state.allocator();
    const deep = struct {
        fn f(a: std.mem.Allocator, n: usize) []const u8 {
            var list: std.ArrayList(u8) = .empty;
            list.appendSlice(a, "{\"a\":") catch unreachable;
            for (0..n - 1) |_| list.append(a, '[') catch unreachable;
            for (0..n - 1) |_| list.append(a, ']') catch unreachable;
            list.append(a, '}') catch unreachable;
            return list.items;
        }
    }.f;
    try testing.expect(parseObject(arena, deep(arena, 32)) != null);
    try testing.expect(parseObject(arena, deep(arena, 33)) == null);
    try testing.expect(parseObject(arena, "{\"a\":\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\\"[\"}") != null);
}

test "duplicate members keep the last" {
    var arena_state = std.heap.ArenaAllocator.init(testing.allocator);
    defer arena_state.deinit();
    const m = parseObject(arena_state.allocator(), "{\"alg\":\"none\",\"alg\":\"HS256\"}").?;
    try testing.expectEqualStrings("HS256", m.get("alg").?.string);
}

test "bearer parsing" {
    try testing.expectEqualStrings("abc", bearerToken("Bearer abc").?);
    try testing.expectEqualStrings("abc", bearerToken("bEaReR   abc").?);
    try testing.expect(bearerToken("Bearer") == null);
    try testing.expect(bearerToken("Bearer\tabc") == null);
    try testing.expect(bearerToken("Bearerabc") == null);
    try testing.expect(bearerToken("Bearer a b") == null);
    try testing.expect(bearerToken("Basic abc") == null);
}

test "secret loading" {
    try testing.expectError(error.SecretTooShort, loadSecret("short\n"));
    try testing.expectEqualStrings("0123456789abcdef0123456789abcdef", try loadSecret("0123456789abcdef0123456789abcdef \r\n\t"));
}

test "error bodies are exact" {
    try testing.expectEqualStrings("{\"error\":\"invalid_token\",\"detail\":\"missing\"}", missing.body);
    try testing.expectEqualStrings("{\"error\":\"invalid_token\",\"detail\":\"unsupported_alg\"}", unsupported_alg.body);
    try testing.expectEqualStrings("{\"error\":\"forbidden\",\"detail\":\"scope\"}", scope.body);
    try testing.expectEqual(@as(u16, 403), audience.status);
}
