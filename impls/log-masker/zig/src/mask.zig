//! The log masker's scanner: character classes, boundaries, the ten masking rules of
//! ../README.md (in priority order), and a streaming driver.
//!
//! The scanner works on a *chunk*: a slice that starts at the start of a line and holds whole
//! lines (only the last chunk of the input may end without '\n'). A chunk is scanned as one
//! buffer instead of line by line: no class contains '\n', so every run stops at '\n'; and a
//! '\n' neighbour satisfies every left boundary (LB, LBd, the e-mail and IPv6 boundaries) and
//! every right boundary (RBd) exactly as the start or end of a line does. `byteAt` returns '\n'
//! past the end of the chunk, so the chunk's end is also handled as an end of line.

const std = @import("std");
const assert = std.debug.assert;
const Allocator = std.mem.Allocator;
const Io = std.Io;

pub const Rule = enum(u4) {
    jwt,
    bearer,
    secret,
    api_key,
    email,
    ipv6,
    ipv4,
    thai_id,
    card,
    phone,

    pub fn replacement(rule: Rule) []const u8 {
        return switch (rule) {
            .jwt => "[JWT]",
            .bearer => "[TOKEN]",
            .secret => "[REDACTED]",
            .api_key => "[API_KEY]",
            .email => "[EMAIL]",
            .ipv6 => "[IPV6]",
            .ipv4 => "[IPV4]",
            .thai_id => "[THAI_ID]",
            .card => "[CARD]",
            .phone => "[PHONE]",
        };
    }

    fn bit(rule: Rule) u16 {
        return @as(u16, 1) << @backingInt(rule);
    }
};

pub const rule_count = @typeInfo(Rule).@"enum".field_names.len;

/// Character classes, one bit each, looked up through `class_table` (one load per byte
/// instead of a chain of range comparisons).
const Class = struct {
    const digit: u16 = 1 << 0; // D
    const hex: u16 = 1 << 1; // H
    const word: u16 = 1 << 2; // W
    const b64: u16 = 1 << 3; // B64
    const local: u16 = 1 << 4; // L (e-mail local part)
    const token: u16 = 1 << 5; // TOK (bearer token)
    const domain: u16 = 1 << 6; // A-Z a-z 0-9 . -
    const alnum: u16 = 1 << 7; // A-Z a-z 0-9
    const upper_digit: u16 = 1 << 8; // 0-9 A-Z
    const alpha: u16 = 1 << 9; // A-Z a-z
    const hex_colon: u16 = 1 << 10; // H and ':'
    const value: u16 = 1 << 11; // secret value bytes
    const start: u16 = 1 << 12; // a rule may start at this byte: L, '(', ':'
};

const class_table: [256]u16 = blk: {
    @setEvalBranchQuota(10_000);
    var table: [256]u16 = @splat(0);
    for (0..256) |index| {
        const c: u8 = @intCast(index);
        const is_digit = c >= '0' and c <= '9';
        const is_upper = c >= 'A' and c <= 'Z';
        const is_lower = c >= 'a' and c <= 'z';
        const is_alpha = is_upper or is_lower;
        const is_alnum = is_alpha or is_digit;
        const is_hex = is_digit or (c >= 'A' and c <= 'F') or (c >= 'a' and c <= 'f');
        var bits: u16 = 0;
        if (is_digit) bits |= Class.digit;
        if (is_hex) bits |= Class.hex | Class.hex_colon;
        if (c == ':') bits |= Class.hex_colon;
        if (is_alnum or c == '_') bits |= Class.word;
        if (is_alnum or c == '_' or c == '-') bits |= Class.b64;
        if (is_alnum or std.mem.findScalar(u8, "._%+-", c) != null) bits |= Class.local;
        if (is_alnum or std.mem.findScalar(u8, "._~+/=-", c) != null) bits |= Class.token;
        if (is_alnum or c == '.' or c == '-') bits |= Class.domain;
        if (is_alnum) bits |= Class.alnum;
        if (is_digit or is_upper) bits |= Class.upper_digit;
        if (is_alpha) bits |= Class.alpha;
        // Bytes >= 0x80 are never part of a match (README, "Processing model"), so a secret
        // value stops before them even though the value's definition is a negative class.
        if (c < 0x80 and std.mem.findScalar(u8, " \t\"'&,;\n", c) == null) bits |= Class.value;
        if (bits & Class.local != 0 or c == '(' or c == ':') bits |= Class.start;
        table[index] = bits;
    }
    break :blk table;
};

/// For each byte, the rules whose match can begin with that byte: `matchAt` skips the others
/// without calling them.
const rule_start_table: [256]u16 = blk: {
    @setEvalBranchQuota(10_000);
    var table: [256]u16 = @splat(0);
    for (0..256) |index| {
        const c: u8 = @intCast(index);
        const bits = class_table[index];
        var rules: u16 = 0;
        if (c == 'e') rules |= Rule.jwt.bit();
        if (c == 'b' or c == 'B') rules |= Rule.bearer.bit();
        if (std.mem.findScalar(u8, "pPsSaA", c) != null) rules |= Rule.secret.bit();
        if (std.mem.findScalar(u8, "Agspr", c) != null) rules |= Rule.api_key.bit();
        if (bits & Class.local != 0) rules |= Rule.email.bit();
        if (bits & Class.hex_colon != 0) rules |= Rule.ipv6.bit();
        if (bits & Class.digit != 0) {
            rules |= Rule.ipv4.bit() | Rule.thai_id.bit() | Rule.card.bit() | Rule.phone.bit();
        }
        if (c == '+' or c == '(') rules |= Rule.phone.bit();
        assert((rules == 0) == (bits & Class.start == 0));
        table[index] = rules;
    }
    break :blk table;
};

inline fn is(c: u8, class: u16) bool {
    return class_table[c] & class != 0;
}

/// The byte at `i`, or '\n' past the end of the chunk: the end of a chunk is an end of line.
inline fn byteAt(s: []const u8, i: usize) u8 {
    return if (i < s.len) s[i] else '\n';
}

/// End of the maximal run of `class` bytes starting at `i`.
inline fn runEnd(s: []const u8, i: usize, class: u16) usize {
    var j = i;
    while (j < s.len and is(s[j], class)) j += 1;
    return j;
}

fn startsWith(s: []const u8, i: usize, prefix: []const u8) bool {
    return i <= s.len and std.mem.startsWith(u8, s[i..], prefix);
}

fn startsWithIgnoreCase(s: []const u8, i: usize, prefix: []const u8) bool {
    return i + prefix.len <= s.len and std.ascii.eqlIgnoreCase(s[i..][0..prefix.len], prefix);
}

/// LBd(p): `prev` is the byte before p ('\n' at the start of a line).
inline fn leftBoundaryNumber(prev: u8) bool {
    return !is(prev, Class.word) and prev != '-' and prev != '.' and prev != '+';
}

/// RBd(q).
inline fn rightBoundaryNumber(s: []const u8, q: usize) bool {
    const c = byteAt(s, q);
    if (is(c, Class.word)) return false;
    if ((c == '-' or c == '.') and is(byteAt(s, q + 1), Class.digit)) return false;
    return true;
}

/// A match at p: `s[p..keep]` is copied, then the replacement is written, and scanning goes
/// on at `end`.
pub const Match = struct {
    rule: Rule,
    keep: usize,
    end: usize,
};

/// Tries the rules in priority order at `p`; the first that matches wins. Only the rules in
/// `allowed` are tried: the scan loop leaves out those that its filters have ruled out.
/// Precondition (kept by the scan loop): `p` starts a line or `s[p - 1]` is not in W, so LB(p)
/// holds and the rules only check what their own boundaries add to it.
fn matchAt(s: []const u8, p: usize, allowed: u16, hints: *Hints) ?Match {
    assert(p < s.len);
    const prev: u8 = if (p == 0) '\n' else s[p - 1];
    assert(!is(prev, Class.word));
    const rules = rule_start_table[s[p]] & allowed;

    if (rules & Rule.jwt.bit() != 0 and p >= hints.jwt_dead_end) {
        if (matchJwt(s, p, hints)) |end| return .{ .rule = .jwt, .keep = p, .end = end };
    }
    if (rules & Rule.bearer.bit() != 0) {
        if (matchBearer(s, p)) |m| return m;
    }
    if (rules & Rule.secret.bit() != 0) {
        if (matchSecret(s, p)) |m| return m;
    }
    if (rules & Rule.api_key.bit() != 0) {
        if (matchApiKey(s, p)) |end| return .{ .rule = .api_key, .keep = p, .end = end };
    }
    if (rules & Rule.email.bit() != 0 and !is(prev, Class.local)) {
        if (matchEmail(s, p)) |end| return .{ .rule = .email, .keep = p, .end = end };
    }
    if (rules & Rule.ipv6.bit() != 0 and prev != ':' and prev != '.') {
        if (matchIpv6(s, p)) |end| return .{ .rule = .ipv6, .keep = p, .end = end };
    }
    if (!leftBoundaryNumber(prev)) return null;
    if (rules & Rule.ipv4.bit() != 0) {
        if (matchIpv4(s, p)) |end| return .{ .rule = .ipv4, .keep = p, .end = end };
    }
    if (rules & Rule.thai_id.bit() != 0) {
        if (matchThaiId(s, p)) |end| return .{ .rule = .thai_id, .keep = p, .end = end };
    }
    if (rules & Rule.card.bit() != 0) {
        if (matchCard(s, p)) |end| return .{ .rule = .card, .keep = p, .end = end };
    }
    if (rules & Rule.phone.bit() != 0) {
        if (matchPhone(s, p)) |end| return .{ .rule = .phone, .keep = p, .end = end };
    }
    return null;
}

/// What the scan learns about the text ahead, to keep its work linear.
const Hints = struct {
    /// A JWT cannot start before this position. When the JWT rule fails at p after finding
    /// the end h of the B64 run from p, it fails at every later p' < h as well (the run from p'
    /// also ends at h and is shorter), so a B64 run such as "eyJa-eyJa-eyJa-..." is not scanned
    /// again from each of its "eyJ": that would be quadratic in the length of the line.
    jwt_dead_end: usize = 0,
};

// Rule 1: eyJ + B64 run (>= 4) '.' B64 run (>= 1) '.' B64 run (>= 1).
fn matchJwt(s: []const u8, p: usize, hints: *Hints) ?usize {
    if (!startsWith(s, p, "eyJ")) return null;
    const header_end = runEnd(s, p, Class.b64);
    return jwtAfterHeader(s, p, header_end) orelse {
        hints.jwt_dead_end = header_end;
        return null;
    };
}

fn jwtAfterHeader(s: []const u8, p: usize, header_end: usize) ?usize {
    if (header_end - p < 4) return null;
    if (byteAt(s, header_end) != '.') return null;
    const payload_end = runEnd(s, header_end + 1, Class.b64);
    if (payload_end == header_end + 1) return null;
    if (byteAt(s, payload_end) != '.') return null;
    const signature_end = runEnd(s, payload_end + 1, Class.b64);
    if (signature_end == payload_end + 1) return null;
    return signature_end;
}

// Rule 2: case-insensitive "bearer", spaces (>= 1), TOK run (>= 8). Keeps "bearer" + spaces.
fn matchBearer(s: []const u8, p: usize) ?Match {
    if (!startsWithIgnoreCase(s, p, "bearer")) return null;
    const spaces_start = p + "bearer".len;
    var token_start = spaces_start;
    while (byteAt(s, token_start) == ' ') token_start += 1;
    if (token_start == spaces_start) return null;
    const token_end = runEnd(s, token_start, Class.token);
    if (token_end - token_start < 8) return null;
    return .{ .rule = .bearer, .keep = token_start, .end = token_end };
}

const secret_keys = [_][]const u8{
    "password", "passwd", "pwd", "secret", "api_key", "apikey", "access_token",
};

comptime {
    // No key is a prefix of another, so at most one key can match at a position and the
    // first one found is the only candidate.
    for (secret_keys, 0..) |a, i| for (secret_keys, 0..) |b, j| {
        if (i != j) assert(!std.mem.startsWith(u8, a, b));
    };
}

// Rule 3: key ["] spaces* (= | :) spaces* ["] value. Keeps everything before the value.
fn matchSecret(s: []const u8, p: usize) ?Match {
    // Only the keys with the right first letter are compared.
    const keys: []const []const u8 = switch (s[p] | 0x20) {
        'p' => secret_keys[0..3],
        's' => secret_keys[3..4],
        'a' => secret_keys[4..7],
        else => return null,
    };
    const key = for (keys) |key| {
        if (startsWithIgnoreCase(s, p, key)) break key;
    } else return null;
    var i = p + key.len;
    if (byteAt(s, i) == '"') i += 1;
    while (byteAt(s, i) == ' ') i += 1;
    const c = byteAt(s, i);
    if (c != '=' and c != ':') return null;
    i += 1;
    while (byteAt(s, i) == ' ') i += 1;
    if (byteAt(s, i) == '"') i += 1;
    // The grammar has no real choice points: a value cannot start with ' ' or '"', so taking
    // fewer spaces or skipping the optional quote can never lead to a match either.
    const value_end = runEnd(s, i, Class.value);
    if (value_end == i) return null;
    return .{ .rule = .secret, .keep = i, .end = value_end };
}

// Rule 4: AKIA + 16 [0-9A-Z] | ghp_ + 36 alnum | (sk|pk|rk)_(live|test)_ + >= 16 alnum; RBd.
fn matchApiKey(s: []const u8, p: usize) ?usize {
    var body_start: usize = undefined;
    var class: u16 = Class.alnum;
    var min_len: usize = 16;
    var max_len: usize = std.math.maxInt(usize);
    if (startsWith(s, p, "AKIA")) {
        body_start = p + 4;
        class = Class.upper_digit;
        max_len = 16;
    } else if (startsWith(s, p, "ghp_")) {
        body_start = p + 4;
        min_len = 36;
        max_len = 36;
    } else if ((startsWith(s, p, "sk_") or startsWith(s, p, "pk_") or startsWith(s, p, "rk_")) and
        (startsWith(s, p + 3, "live_") or startsWith(s, p + 3, "test_")))
    {
        body_start = p + 8;
    } else return null;
    const body_end = runEnd(s, body_start, class);
    const len = body_end - body_start;
    if (len < min_len or len > max_len) return null;
    if (!rightBoundaryNumber(s, body_end)) return null;
    return body_end;
}

// Rule 5: L run (>= 1) '@' domain, where the domain is the [A-Za-z0-9.-] run minus trailing
// dots, with >= 2 non-empty labels and an alphabetic last label of length >= 2.
// The caller checks that the byte before `p` is not in L.
fn matchEmail(s: []const u8, p: usize) ?usize {
    const at = runEnd(s, p, Class.local);
    if (at == p or byteAt(s, at) != '@') return null;
    const domain_start = at + 1;
    var domain_end = runEnd(s, domain_start, Class.domain);
    while (domain_end > domain_start and s[domain_end - 1] == '.') domain_end -= 1;
    if (!validDomain(s[domain_start..domain_end])) return null;
    return domain_end;
}

fn validDomain(domain: []const u8) bool {
    var labels: usize = 0;
    var it = std.mem.splitScalar(u8, domain, '.');
    var last: []const u8 = "";
    while (it.next()) |label| {
        if (label.len == 0) return false;
        labels += 1;
        last = label;
    }
    if (labels < 2 or last.len < 2) return false;
    for (last) |c| if (!is(c, Class.alpha)) return false;
    return true;
}

// Rule 6: the [H:] run, minus one trailing single ':', not followed by W or '.', that is a
// valid IPv6 text form. The caller checks that the byte before `p` is not W, ':' or '.'.
//
// One pass that validates while it finds the end of the run and gives up at the first sign of
// an invalid address (a fifth hex digit in a group, a ninth group, ":::", a second "::"): most
// candidates are words or hex ids that fail within a few bytes. Any such sign makes the whole
// run invalid, so stopping early cannot change the answer. `validIpv6` is the literal
// definition; a test checks that both agree.
fn matchIpv6(s: []const u8, p: usize) ?usize {
    var i = p;
    var groups: usize = 0;
    var compressed = false; // Seen "::".
    if (byteAt(s, i) == ':') {
        // A run that starts with a single ':' has an empty first group.
        if (byteAt(s, i + 1) != ':') return null;
        if (byteAt(s, i + 2) == ':') return null;
        compressed = true;
        i += 2;
    }
    const end = while (true) {
        // At the start of a group, or at the end of the run after "::".
        var digits: usize = 0;
        while (is(byteAt(s, i + digits), Class.hex)) {
            digits += 1;
            if (digits > 4) return null;
        }
        if (digits == 0) {
            // Only reachable right after "::" (a ':' is followed by a digit or ':' otherwise).
            assert(compressed and s[i - 1] == ':' and s[i - 2] == ':');
            break i;
        }
        groups += 1;
        if (groups > 8) return null;
        i += digits;
        if (byteAt(s, i) != ':') break i;
        if (byteAt(s, i + 1) == ':') {
            if (compressed or byteAt(s, i + 2) == ':') return null;
            compressed = true;
            i += 2;
        } else if (is(byteAt(s, i + 1), Class.hex)) {
            i += 1;
        } else {
            break i; // A single trailing ':' is dropped from the run.
        }
    };
    const next = byteAt(s, end);
    if (is(next, Class.word) or next == '.') return null;
    if (compressed) {
        if (groups > 7) return null;
    } else {
        if (groups != 8) return null;
    }
    return end;
}

/// The definition of a valid run R, used by the tests and by an assertion.
fn validIpv6(r: []const u8) bool {
    if (r.len == 0) return false;
    if (std.mem.find(u8, r, ":::") != null) return false;
    if (std.mem.find(u8, r, "::")) |double| {
        if (std.mem.find(u8, r[double + 2 ..], "::") != null) return false;
        const before = hexGroups(r[0..double]) orelse return false;
        const after = hexGroups(r[double + 2 ..]) orelse return false;
        return before + after <= 7;
    }
    return hexGroups(r) == 8;
}

/// Number of 1-4 byte H groups separated by single ':' (0 for empty text), or null.
fn hexGroups(text: []const u8) ?usize {
    if (text.len == 0) return 0;
    var groups: usize = 0;
    var it = std.mem.splitScalar(u8, text, ':');
    while (it.next()) |group| {
        if (group.len < 1 or group.len > 4) return null;
        for (group) |c| if (!is(c, Class.hex)) return null;
        groups += 1;
    }
    return groups;
}

/// The literal definition of rule 6 (run, drop, next byte, validity), for the tests.
fn matchIpv6Reference(s: []const u8, p: usize) ?usize {
    var end = runEnd(s, p, Class.hex_colon);
    if (end > p and s[end - 1] == ':' and !(end - p >= 2 and s[end - 2] == ':')) end -= 1;
    const next = byteAt(s, end);
    if (is(next, Class.word) or next == '.') return null;
    if (!validIpv6(s[p..end])) return null;
    return end;
}

// Rule 7: four octets (maximal D runs of 1-3, <= 255, no leading zero) separated by '.'; RBd.
fn matchIpv4(s: []const u8, p: usize) ?usize {
    var i = p;
    for (0..4) |octet| {
        if (octet > 0) {
            if (byteAt(s, i) != '.') return null;
            i += 1;
        }
        const end = runEnd(s, i, Class.digit);
        const len = end - i;
        if (len < 1 or len > 3) return null;
        if (len > 1 and s[i] == '0') return null;
        var value: u16 = 0;
        for (s[i..end]) |c| value = value * 10 + (c - '0');
        if (value > 255) return null;
        i = end;
    }
    if (!rightBoundaryNumber(s, i)) return null;
    return i;
}

/// Parses digit groups (each a maximal D run of the given length) separated by one SEP byte,
/// the same byte each time; copies the digits to `digits`. Returns the end, or null.
fn groupedDigits(s: []const u8, p: usize, comptime lengths: []const u8, digits: []u8) ?usize {
    var i = p;
    var separator: u8 = undefined;
    var count: usize = 0;
    inline for (lengths, 0..) |length, group| {
        if (group > 0) {
            const c = byteAt(s, i);
            if (group == 1) {
                if (c != '-' and c != ' ') return null;
                separator = c;
            } else if (c != separator) return null;
            i += 1;
        }
        const end = runEnd(s, i, Class.digit);
        if (end - i != length) return null;
        @memcpy(digits[count..][0..length], s[i..end]);
        count += length;
        i = end;
    }
    assert(count == digits.len);
    return i;
}

// Rule 8: 13 digits (a maximal run, or grouped 1-4-5-2-1) + RBd + national ID checksum.
fn matchThaiId(s: []const u8, p: usize) ?usize {
    var digits: [13]u8 = undefined;
    const run_end = runEnd(s, p, Class.digit);
    const end = switch (run_end - p) {
        13 => blk: {
            @memcpy(&digits, s[p..run_end]);
            break :blk run_end;
        },
        1 => groupedDigits(s, p, &.{ 1, 4, 5, 2, 1 }, &digits) orelse return null,
        else => return null,
    };
    if (!rightBoundaryNumber(s, end)) return null;
    if (!thaiIdChecksum(&digits)) return null;
    return end;
}

fn thaiIdChecksum(digits: *const [13]u8) bool {
    var sum: u32 = 0;
    for (digits[0..12], 0..) |c, i| sum += @as(u32, c - '0') * @as(u32, @intCast(13 - i));
    return digits[12] - '0' == (11 - sum % 11) % 10;
}

// Rule 9: 13-19 digits (a maximal run) or 4 groups of 4; RBd; Luhn.
fn matchCard(s: []const u8, p: usize) ?usize {
    var buffer: [19]u8 = undefined;
    const run_end = runEnd(s, p, Class.digit);
    const run_len = run_end - p;
    const digits: []const u8, const end = if (run_len >= 13 and run_len <= 19)
        .{ s[p..run_end], run_end }
    else if (run_len == 4)
        .{ buffer[0..16], groupedDigits(s, p, &.{ 4, 4, 4, 4 }, buffer[0..16]) orelse return null }
    else
        return null;
    if (!rightBoundaryNumber(s, end)) return null;
    if (!luhn(digits)) return null;
    return end;
}

fn luhn(digits: []const u8) bool {
    assert(digits.len >= 13 and digits.len <= 19);
    var sum: u32 = 0;
    var index = digits.len;
    var double = false;
    while (index > 0) {
        index -= 1;
        var d: u32 = digits[index] - '0';
        if (double) {
            d *= 2;
            if (d > 9) d -= 9;
        }
        sum += d;
        double = !double;
    }
    return sum % 10 == 0;
}

/// Exactly `count` digits at `i` (not a maximal run): the end, or null.
fn digitsExact(s: []const u8, i: usize, count: usize) ?usize {
    for (i..i + count) |j| if (!is(byteAt(s, j), Class.digit)) return null;
    return i + count;
}

/// SEP?: skips one '-' or ' ' if there is one. Never a real choice: what follows is always a
/// digit or a parenthesis, which a SEP byte cannot be.
fn separatorOptional(s: []const u8, i: usize) usize {
    const c = byteAt(s, i);
    return if (c == '-' or c == ' ') i + 1 else i;
}

/// The common tail `SEP? D{3} SEP? D{4}` shared by most phone forms.
fn phoneTail(s: []const u8, i: usize) ?usize {
    const exchange = digitsExact(s, separatorOptional(s, i), 3) orelse return null;
    return digitsExact(s, separatorOptional(s, exchange), 4);
}

// Rule 10: the first alternative that matches and is followed by RBd.
fn matchPhone(s: []const u8, p: usize) ?usize {
    const alternatives = .{ phoneThaiIntl, phoneThaiMobile, phoneBangkok, phoneNorthAmerica, phoneParenthesized, phoneDashed };
    inline for (alternatives) |alternative| {
        if (alternative(s, p)) |end| {
            if (rightBoundaryNumber(s, end)) return end;
        }
    }
    return null;
}

// +66 SEP? ([689] D SEP? D{3} SEP? D{4} | 2 SEP? D{3} SEP? D{4})
fn phoneThaiIntl(s: []const u8, p: usize) ?usize {
    if (!startsWith(s, p, "+66")) return null;
    const i = separatorOptional(s, p + 3);
    return switch (byteAt(s, i)) {
        '6', '8', '9' => phoneTail(s, digitsExact(s, i + 1, 1) orelse return null),
        '2' => phoneTail(s, i + 1),
        else => null,
    };
}

// 0 [689] D SEP? D{3} SEP? D{4}
fn phoneThaiMobile(s: []const u8, p: usize) ?usize {
    if (byteAt(s, p) != '0') return null;
    switch (byteAt(s, p + 1)) {
        '6', '8', '9' => {},
        else => return null,
    }
    return phoneTail(s, digitsExact(s, p + 2, 1) orelse return null);
}

// 02 SEP? D{3} SEP? D{4}
fn phoneBangkok(s: []const u8, p: usize) ?usize {
    if (!startsWith(s, p, "02")) return null;
    return phoneTail(s, p + 2);
}

// +1 SEP? ( '(' D{3} ')' | D{3} ) SEP? D{3} SEP? D{4}
fn phoneNorthAmerica(s: []const u8, p: usize) ?usize {
    if (!startsWith(s, p, "+1")) return null;
    var i = separatorOptional(s, p + 2);
    if (byteAt(s, i) == '(') {
        i = digitsExact(s, i + 1, 3) orelse return null;
        if (byteAt(s, i) != ')') return null;
        i += 1;
    } else {
        i = digitsExact(s, i, 3) orelse return null;
    }
    return phoneTail(s, i);
}

// '(' D{3} ')' SEP? D{3} SEP D{4}
fn phoneParenthesized(s: []const u8, p: usize) ?usize {
    if (byteAt(s, p) != '(') return null;
    var i = digitsExact(s, p + 1, 3) orelse return null;
    if (byteAt(s, i) != ')') return null;
    i = digitsExact(s, separatorOptional(s, i + 1), 3) orelse return null;
    const c = byteAt(s, i);
    if (c != '-' and c != ' ') return null;
    return digitsExact(s, i + 1, 4);
}

// D{3} '-' D{3} '-' D{4}
fn phoneDashed(s: []const u8, p: usize) ?usize {
    var i = digitsExact(s, p, 3) orelse return null;
    if (byteAt(s, i) != '-') return null;
    i = digitsExact(s, i + 1, 3) orelse return null;
    if (byteAt(s, i) != '-') return null;
    return digitsExact(s, i + 1, 4);
}

/// Counters for the summary line.
pub const Stats = struct {
    bytes_in: u64 = 0,
    bytes_out: u64 = 0,
    lines: u64 = 0,
    masked: [rule_count]u64 = @splat(0),

    /// Writes the summary line (with its '\n') in the key order the README fixes.
    pub fn writeSummary(stats: *const Stats, w: *Io.Writer) Io.Writer.Error!void {
        try w.print("{{\"bytes_in\":{d},\"bytes_out\":{d},\"lines\":{d},\"masked\":{{", .{
            stats.bytes_in, stats.bytes_out, stats.lines,
        });
        inline for (@typeInfo(Rule).@"enum".field_names, 0..) |name, index| {
            if (index > 0) try w.writeByte(',');
            try w.print("\"{s}\":{d}", .{ name, stats.masked[index] });
        }
        try w.writeAll("}}\n");
    }
};

/// Masks a stream chunk by chunk. Each chunk passed to `maskChunk` must begin at a line start:
/// every chunk but the last ends with '\n'.
pub const Masker = struct {
    stats: Stats = .{},
    /// The last byte of the previous chunk, '\n' before the first one.
    last_byte: u8 = '\n',

    pub fn maskChunk(masker: *Masker, chunk: []const u8, w: *Io.Writer) Io.Writer.Error!void {
        assert(masker.last_byte == '\n'); // The previous chunk ended with a whole line.
        if (chunk.len == 0) return;
        masker.stats.bytes_in += chunk.len;
        masker.stats.lines += countNewlines(chunk);
        masker.last_byte = chunk[chunk.len - 1];

        const s = chunk;
        var out: u64 = 0;
        var copied: usize = 0; // s[0..copied] has been written or replaced.
        var i: usize = 0; // No match starts before i.
        var email: EmailTracker = .init(s);
        var candidates: Candidates = .init(s);
        var hints: Hints = .{};
        while (true) {
            // Positions between `i` and `p` cannot start a match: they are not candidates for
            // the rules other than e-mail, and e-mail can only start at `email_start`.
            const email_start = email.next(s, i);
            const candidate = candidates.next(s, i);
            const p = @min(candidate, email_start);
            if (p == s.len) break;
            assert(p >= i and p < s.len);
            // The rules that may match at p. Most candidates are words that start with a
            // keyword's first letter; for them the three-byte `keywordPrefix` test, which has
            // no branch, usually leaves no rule, and the scan moves on without calling
            // `matchAt` and its rule-by-rule branches.
            var rules: u16 = 0;
            if (p == email_start) rules |= Rule.email.bit();
            if (p == candidate) {
                // Masks made from the conditions, rather than `if`s: the outcome is hard to
                // predict, and a mispredicted branch costs more than these few instructions.
                rules |= other_rules * @as(u16, @intFromBool(candidates.isOther(p)));
                rules |= keyword_rules * @as(u16, @intFromBool(keywordPrefix(s, p)));
            }
            const match = (if (rules == 0) null else matchAt(s, p, rules, &hints)) orelse {
                i = p + 1;
                continue;
            };
            assert(match.keep >= p and match.end > match.keep and match.end <= s.len);
            const replacement = match.rule.replacement();
            try w.writeAll(s[copied..match.keep]);
            try w.writeAll(replacement);
            out += (match.keep - copied) + replacement.len;
            masker.stats.masked[@backingInt(match.rule)] += 1;
            copied = match.end;
            i = match.end;
        }
        try w.writeAll(s[copied..]);
        out += s.len - copied;
        masker.stats.bytes_out += out;
    }

    /// Ends the input: counts a last line that has no '\n'.
    pub fn finish(masker: *Masker) Stats {
        if (masker.last_byte != '\n') {
            masker.stats.lines += 1;
            masker.last_byte = '\n';
        }
        return masker.stats;
    }
};

/// Where the e-mail rule can match. An e-mail is an L run that ends at '@' and is not preceded
/// by an L byte, so each '@' has exactly one possible start: the start of the L run that ends
/// right before it. Positions before that start cannot reach the next '@' through L bytes, and
/// positions after it have an L byte before them. Finding the next '@' with a vectorized search
/// and walking back over its local part replaces an L-run scan at every word.
const EmailTracker = struct {
    /// The '@' being looked at (at or after every '@' already ruled out), or s.len.
    at: usize,
    /// The only position where an e-mail ending at `at` can start; null if the byte before
    /// `at` is not in L.
    start: ?usize,

    fn init(s: []const u8) EmailTracker {
        const at = std.mem.findScalar(u8, s, '@') orelse s.len;
        return .{ .at = at, .start = localPartStart(s, at) };
    }

    /// The first position at or after `i` where an e-mail can start, or s.len. `i` never
    /// decreases between calls, so each '@' is looked at once.
    fn next(tracker: *EmailTracker, s: []const u8, i: usize) usize {
        while (tracker.at < s.len) {
            if (tracker.start) |start| {
                if (start >= i) return start;
            }
            // This '@' has no start at or after `i` (an empty local part, or one that begins
            // before `i`: inside a match or at a rejected position, so every position from `i`
            // to the '@' has an L byte before it). Later '@'s start after this one.
            tracker.at = std.mem.findScalarPos(u8, s, @max(tracker.at + 1, i), '@') orelse s.len;
            tracker.start = localPartStart(s, tracker.at);
        }
        return s.len;
    }

    fn localPartStart(s: []const u8, at: usize) ?usize {
        if (at == s.len) return null;
        assert(s[at] == '@');
        var start = at;
        while (start > 0 and is(s[start - 1], Class.local)) start -= 1;
        return if (start == at) null else start;
    }
};

// Candidate positions
//
// Most of the time would go into positions where no rule can match, so they are filtered with
// cheap necessary conditions before any rule is tried. A position p is a *candidate* when
// s[p - 1] is not in W (every rule's left boundary rejects a W byte, and so does the e-mail
// one, since W is inside L) and one of these holds (n_k is the byte k places after p):
//
// - IPv6: s[p - 1] is not ':' or '.', and either s[p] is H and a ':' is among n_1..n_4 (a valid
//   run has a ':' after a first group of 1-4 H), or s[p] and n_1 are "::" (a run that starts
//   with a single ':' has an empty first group).
// - Numbers (IPv4, Thai ID, card, phone): LBd holds, and s[p] is '+' or '(' (phone forms), or
//   s[p] is a digit and one of:
//   - s[p] is '0' (Thai mobile, Bangkok);
//   - a '.' among n_1..n_3 and one among n_3..n_7 (IPv4: the first two dots);
//   - n_1 and n_6 are SEP (grouped Thai ID, 1-4-5-2-1);
//   - n_4 and n_9 are SEP (grouped card, 4-4-4-4);
//   - n_3 and n_7 are '-' (D{3}-D{3}-D{4});
//   - n_1..n_12 are digits (13-19 digit runs).
// - Keywords (JWT, bearer, secret, API keys): s[p] and n_1, lowercased, are the first two
//   bytes of a keyword prefix (ey be pa pw pk se sk ap ac ak gh rk). The scan loop then checks
//   the third byte too (`keywordPrefix`) before these rules are tried.
//
// These are only necessary conditions; `matchAt` then applies the rules themselves. E-mail is
// not a candidate condition: `EmailTracker` supplies its one possible start per '@'.

/// Candidates are computed 64 positions at a time: four SSE2 registers per class (the x86-64
/// baseline the benchmark is built for), whose compare results are packed into one u64, so
/// that each bit operation below handles 64 positions.
const lanes = 64;
const Block = @Vector(lanes, u8);
const BlockMask = u64; // One bit per lane.
/// The 16 bytes after a block, for the conditions that look up to 12 bytes ahead.
const lookahead = 16;
const Lookahead = @Vector(lookahead, u8);
/// A block's bits and the lookahead's bits above them, so that a shift right by k gives, in
/// lane i, the bit of the byte k places further on.
const Window = u128;

comptime {
    assert(@bitSizeOf(BlockMask) == lanes);
    assert(@bitSizeOf(Window) >= lanes + lookahead);
}

inline fn laneBits(v: anytype) @Int(.unsigned, @typeInfo(@TypeOf(v)).vector.len) {
    return @bitCast(v);
}

/// Lanes equal to `c`. Conditions on the same lane are combined as vectors of bool (por/pand)
/// before `laneBits` (pmovmskb): one move to a general register per class, not per test.
inline fn eq(v: anytype, c: u8) @Vector(@typeInfo(@TypeOf(v)).vector.len, bool) {
    return v == @as(@TypeOf(v), @splat(c));
}

/// Lanes in `lo .. lo + count - 1`: one wrapping subtract and one unsigned compare.
inline fn inRange(v: anytype, lo: u8, count: u8) @Vector(@typeInfo(@TypeOf(v)).vector.len, bool) {
    const V = @TypeOf(v);
    return v -% @as(V, @splat(lo)) < @as(V, @splat(count));
}

inline fn window(block: BlockMask, next_bytes: u16) Window {
    return @as(Window, next_bytes) << lanes | block;
}

/// The window bits of the bytes `k` places after each lane of the block.
inline fn ahead(w: Window, comptime k: u7) BlockMask {
    return @truncate(w >> k);
}

/// Candidate bits for the block s[b..b + 64]; bit i is position b + i. The vector path needs
/// the byte before the block and the 16 bytes after it; elsewhere the scalar `candidateKinds`
/// gives the exact answer.
fn blockCandidates(s: []const u8, b: usize) CandidateMasks {
    assert(b < s.len);
    if (b == 0 or b + lanes + lookahead > s.len) {
        var masks: CandidateMasks = .{};
        for (0..@min(lanes, s.len - b)) |lane| {
            const kinds = candidateKinds(s, b + lane);
            const bit = @as(BlockMask, 1) << @intCast(lane);
            if (kinds.keyword) masks.keyword |= bit;
            if (kinds.other) masks.other |= bit;
        }
        return masks;
    }
    // Classes of the 64 bytes, 16 at a time (one SSE2 register, few registers live at once),
    // each packed into a u64; and of the 16 lookahead bytes.
    var classes: Classes = .{};
    inline for (0..lanes / 16) |k| {
        var part = classify(s[b + 16 * k ..][0..16].*);
        // The keyword test pairs each byte with the next one, read with a second load one
        // byte further on (unaligned loads cost the same as aligned ones on current x86-64).
        part.keyword = keywordPairBits(s[b + 16 * k ..][0..16].*, s[b + 16 * k + 1 ..][0..16].*);
        classes.add(part, 16 * k);
    }
    const next = classify(s[b + lanes ..][0..lookahead].*);
    const before = s[b - 1];

    const digit = classes.digit;
    const hex = classes.hex;
    const word = classes.word;
    const colon = window(classes.colon, next.colon);
    const dot = window(classes.dot, next.dot);
    const dash = window(classes.dash, next.dash);
    const separator = window(classes.separator, next.separator);
    const digits = window(digit, next.digit);
    const plus = classes.plus;

    // The previous byte's classes: the block's own bits moved up one lane, and s[b - 1] in
    // lane 0.
    const prev_word = word << 1 | @intFromBool(is(before, Class.word));
    const prev_colon = ahead(colon, 0) << 1 | @intFromBool(before == ':');
    const prev_dot = ahead(dot, 0) << 1 | @intFromBool(before == '.');
    const prev_dash = ahead(dash, 0) << 1 | @intFromBool(before == '-');
    const prev_plus = plus << 1 | @intFromBool(before == '+');

    const colon_near = ahead(colon, 1) | ahead(colon, 2) | ahead(colon, 3) | ahead(colon, 4);
    const ipv6 = ~prev_colon & ~prev_dot &
        ((hex & colon_near) | (ahead(colon, 0) & ahead(colon, 1)));

    const run2 = digits & digits >> 1; // Digits at offsets 0..1.
    const run4 = run2 & run2 >> 2; // 0..3
    const run8 = run4 & run4 >> 4; // 0..7
    const run13 = run8 & run4 >> 8 & digits >> 12; // 0..12
    const ipv4 = (ahead(dot, 1) | ahead(dot, 2) | ahead(dot, 3)) &
        (ahead(dot, 3) | ahead(dot, 4) | ahead(dot, 5) | ahead(dot, 6) | ahead(dot, 7));
    const number_follow = classes.zero | ipv4 |
        (ahead(separator, 1) & ahead(separator, 6)) |
        (ahead(separator, 4) & ahead(separator, 9)) |
        (ahead(dash, 3) & ahead(dash, 7)) |
        @as(BlockMask, @truncate(run13));
    const number = ~prev_dot & ~prev_dash & ~prev_plus &
        ((digit & number_follow) | classes.phone_start);

    return .{ .keyword = ~prev_word & classes.keyword, .other = ~prev_word & (ipv6 | number) };
}

/// Candidate bits of a block: `keyword` for the keyword rules, `other` for IPv6 and numbers.
const CandidateMasks = struct {
    keyword: BlockMask = 0,
    other: BlockMask = 0,
};

/// Class bits of 16 bytes.
const Classes16 = struct {
    digit: u16,
    hex: u16,
    word: u16,
    colon: u16,
    dot: u16,
    dash: u16,
    separator: u16,
    plus: u16,
    zero: u16,
    phone_start: u16,
    keyword: u16,
};

/// Class bits of a 64-byte block.
const Classes = struct {
    digit: BlockMask = 0,
    hex: BlockMask = 0,
    word: BlockMask = 0,
    colon: BlockMask = 0,
    dot: BlockMask = 0,
    dash: BlockMask = 0,
    separator: BlockMask = 0,
    plus: BlockMask = 0,
    zero: BlockMask = 0,
    phone_start: BlockMask = 0,
    keyword: BlockMask = 0,

    inline fn add(classes: *Classes, part: Classes16, comptime shift: u6) void {
        inline for (@typeInfo(Classes).@"struct".field_names) |name| {
            @field(classes, name) |= @as(BlockMask, @field(part, name)) << shift;
        }
    }
};

inline fn classify(v: @Vector(16, u8)) Classes16 {
    const lower = v | @as(@Vector(16, u8), @splat(0x20)); // ASCII letters to lower case
    const is_digit = inRange(v, '0', 10);
    return .{
        .digit = laneBits(is_digit),
        .hex = laneBits(is_digit | inRange(lower, 'a', 6)),
        .word = laneBits(is_digit | inRange(lower, 'a', 26) | eq(v, '_')),
        .colon = laneBits(eq(v, ':')),
        .dot = laneBits(eq(v, '.')),
        .dash = laneBits(eq(v, '-')),
        .separator = laneBits(eq(v, '-') | eq(v, ' ')),
        .plus = laneBits(eq(v, '+')),
        .zero = laneBits(eq(v, '0')),
        .phone_start = laneBits(eq(v, '+') | eq(v, '(')),
        .keyword = 0, // See `keywordPairBits`.
    };
}

/// Lanes where the byte and the next one (`v1`), lowercased, are one of the pairs that begin
/// the keyword prefixes: ey be pa pw pk se sk ap ac ak gh rk.
inline fn keywordPairBits(v: @Vector(16, u8), v1: @Vector(16, u8)) u16 {
    const case: @Vector(16, u8) = @splat(0x20); // ASCII letters to lower case
    const first = v | case;
    const second = v1 | case;
    const second_e = eq(second, 'e');
    const second_k = eq(second, 'k');
    return laneBits((eq(first, 'e') & eq(second, 'y')) |
        (eq(first, 'b') & second_e) |
        (eq(first, 'p') & (eq(second, 'a') | eq(second, 'w') | second_k)) |
        (eq(first, 's') & (second_e | second_k)) |
        (eq(first, 'a') & (eq(second, 'p') | eq(second, 'c') | second_k)) |
        (eq(first, 'g') & eq(second, 'h')) |
        (eq(first, 'r') & second_k));
}

/// The candidate conditions for one position, exactly as described above.
fn candidateKinds(s: []const u8, p: usize) struct { keyword: bool, other: bool } {
    const prev: u8 = if (p == 0) '\n' else s[p - 1];
    if (is(prev, Class.word)) return .{ .keyword = false, .other = false };
    // `| 0x20` only turns ASCII letters into lower-case letters.
    const pair = [2]u8{ s[p] | 0x20, byteAt(s, p + 1) | 0x20 };
    const keyword = for (keyword_prefixes) |prefix| {
        if (std.mem.eql(u8, &pair, prefix[0..2])) break true;
    } else false;
    return .{ .keyword = keyword, .other = otherCandidate(s, p, prev) };
}

fn otherCandidate(s: []const u8, p: usize, prev: u8) bool {
    const c = s[p];
    var n: [13]u8 = undefined; // n[k] is the byte k places after p.
    for (&n, 0..) |*byte, k| byte.* = byteAt(s, p + k);

    if (prev != ':' and prev != '.') {
        if (is(c, Class.hex) and std.mem.findScalar(u8, n[1..5], ':') != null) return true;
        if (c == ':' and n[1] == ':') return true;
    }
    if (leftBoundaryNumber(prev)) {
        if (c == '+' or c == '(') return true;
        if (is(c, Class.digit)) {
            if (c == '0') return true;
            if (std.mem.findScalar(u8, n[1..4], '.') != null and
                std.mem.findScalar(u8, n[3..8], '.') != null) return true;
            if (isSeparator(n[1]) and isSeparator(n[6])) return true;
            if (isSeparator(n[4]) and isSeparator(n[9])) return true;
            if (n[3] == '-' and n[7] == '-') return true;
            for (n[1..13]) |byte| {
                if (!is(byte, Class.digit)) break;
            } else return true;
        }
    }
    return false;
}

const keyword_rules = Rule.jwt.bit() | Rule.bearer.bit() | Rule.secret.bit() | Rule.api_key.bit();
const other_rules = Rule.ipv6.bit() | Rule.ipv4.bit() | Rule.thai_id.bit() | Rule.card.bit() |
    Rule.phone.bit();

comptime {
    assert(keyword_rules | other_rules | Rule.email.bit() == (1 << rule_count) - 1);
}

/// The first three bytes of each keyword rule's matches, lowercased: eyJ, bearer, password,
/// passwd, pwd, pk_, secret, sk_, api_key, apikey, access_token, AKIA, ghp_, rk_.
const keyword_prefixes = [_]*const [3]u8{
    "eyj", "bea", "pas", "pwd", "pk_", "sec", "sk_", "api", "acc", "aki", "ghp", "rk_",
};

fn prefixKey(bytes: *const [3]u8) u32 {
    // `| 0x20` only turns ASCII letters into lower-case letters, and '_' into 0x7f (DEL then
    // passes for '_' too, which only lets the rules look at one more word).
    return @as(u32, std.mem.readInt(u24, bytes, .big)) | 0x202020;
}

/// A perfect hash of the prefixes: a multiplication and a shift give each its own slot of a
/// 32-entry table. The multiplier is found at compile time.
const keyword_hash = blk: {
    @setEvalBranchQuota(1_000_000);
    var multiplier: u32 = 0x9e3779b1;
    search: while (true) : (multiplier +%= 2) {
        var table: [32]u32 = @splat(0); // No prefix key is 0.
        for (keyword_prefixes) |prefix| {
            const key = prefixKey(prefix);
            const slot = (key *% multiplier) >> 27;
            if (table[slot] != 0) continue :search;
            table[slot] = key;
        }
        break :blk .{ .multiplier = multiplier, .table = table };
    }
};

/// A necessary condition for the keyword rules (JWT, bearer, secret, API keys): the first three
/// bytes are one of `keyword_prefixes`. Without a branch on the bytes: one table lookup.
fn keywordPrefix(s: []const u8, p: usize) bool {
    if (p + 3 > s.len) return false; // Every keyword match is longer.
    const key = prefixKey(s[p..][0..3]);
    return keyword_hash.table[(key *% keyword_hash.multiplier) >> 27] == key;
}

fn isSeparator(c: u8) bool {
    return c == '-' or c == ' ';
}

/// Hands out candidate positions in order. Each 64-byte block is classified once; the bits of
/// positions the scan has passed are cleared, so positions are never tested twice.
const Candidates = struct {
    /// The block s[base..base + 64] whose remaining candidates are in `masks`.
    base: usize,
    masks: CandidateMasks,

    fn init(s: []const u8) Candidates {
        return .{ .base = 0, .masks = if (s.len > 0) blockCandidates(s, 0) else .{} };
    }

    /// The first candidate at or after `i`, or s.len. `i` never decreases between calls, and
    /// there is no candidate from the `i` of the previous call up to `base`.
    fn next(candidates: *Candidates, s: []const u8, i: usize) usize {
        if (i >= candidates.base + lanes) {
            // The scan jumped past the block (after a long match).
            if (i >= s.len) return s.len;
            candidates.base = i;
            candidates.masks = blockCandidates(s, i);
        } else if (i > candidates.base) {
            const passed: u6 = @intCast(i - candidates.base);
            const keep = ~@as(BlockMask, 0) << passed;
            candidates.masks.keyword &= keep;
            candidates.masks.other &= keep;
        } else {
            // An e-mail start before `base` was tried: the block is still ahead.
        }
        while (candidates.masks.keyword | candidates.masks.other == 0) {
            candidates.base += lanes;
            if (candidates.base >= s.len) return s.len;
            candidates.masks = blockCandidates(s, candidates.base);
        }
        return candidates.base + @ctz(candidates.masks.keyword | candidates.masks.other);
    }

    /// Whether candidate `p`, just returned by `next`, is one for IPv6 or the numbers.
    fn isOther(candidates: *const Candidates, p: usize) bool {
        assert(p >= candidates.base and p < candidates.base + lanes);
        const lane: u6 = @intCast(p - candidates.base);
        return candidates.masks.other >> lane & 1 != 0;
    }
};

/// Counts '\n' bytes 16 at a time: one SSE2 compare per 16 bytes on a baseline x86-64. The
/// per-lane matches (0 or 1) are summed in u8 lanes and widened every 255 blocks, before a
/// lane could overflow; this avoids a popcount, which baseline x86-64 lacks.
fn countNewlines(s: []const u8) u64 {
    const width = 16;
    const V = @Vector(width, u8);
    const newline: V = @splat('\n');
    const one: V = @splat(1);
    const zero: V = @splat(0);
    var total: u64 = 0;
    var i: usize = 0;
    while (s.len - i >= width) {
        const blocks = @min((s.len - i) / width, 255);
        var sums: V = zero;
        for (0..blocks) |_| {
            const v: V = s[i..][0..width].*;
            sums += @select(u8, v == newline, one, zero);
            i += width;
        }
        total += @reduce(.Add, @as(@Vector(width, u16), sums));
    }
    for (s[i..]) |c| total += @intFromBool(c == '\n');
    return total;
}

pub const block_size_default = 1 << 20;

pub const StreamError = Allocator.Error || Io.Reader.ShortError || Io.Writer.Error;

/// Reads `reader` in blocks of `block_size` bytes, masks the complete lines of each block and
/// carries the partial last line over to the next block. The block buffer only grows (doubling,
/// through `gpa`) when one line is longer than it, so memory is bounded by about twice the
/// longest line plus `block_size`. The caller flushes `w`.
pub fn maskStream(gpa: Allocator, reader: *Io.Reader, w: *Io.Writer, block_size: usize) StreamError!Stats {
    assert(block_size > 0);
    var buffer = try gpa.alloc(u8, block_size);
    defer gpa.free(buffer);

    var masker: Masker = .{};
    var filled: usize = 0; // buffer[0..filled]: a carried-over partial line, then new bytes.
    while (true) {
        assert(filled < buffer.len);
        assert(std.mem.findScalar(u8, buffer[0..filled], '\n') == null);
        // readSliceShort fills the whole slice unless the stream ends.
        const read = try reader.readSliceShort(buffer[filled..]);
        filled += read;
        if (filled < buffer.len) break; // End of stream.

        // The search runs backwards from the end and stops at the first '\n' it meets.
        const newline = std.mem.findScalarLast(u8, buffer, '\n') orelse {
            // The whole buffer is one partial line: grow and read on.
            buffer = try gpa.realloc(buffer, buffer.len * 2);
            continue;
        };
        const whole = newline + 1;
        try masker.maskChunk(buffer[0..whole], w);
        filled -= whole;
        @memmove(buffer[0..filled], buffer[whole..][0..filled]);
    }
    // The last piece, with or without a final '\n'.
    try masker.maskChunk(buffer[0..filled], w);
    return masker.finish();
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

const testing = std.testing;

/// Masks `input` as one chunk and returns the output (caller frees) and stats.
fn maskAll(gpa: Allocator, input: []const u8) !struct { []u8, Stats } {
    var out: Io.Writer.Allocating = .init(gpa);
    defer out.deinit();
    var masker: Masker = .{};
    try masker.maskChunk(input, &out.writer);
    const stats = masker.finish();
    return .{ try out.toOwnedSlice(), stats };
}

fn expectMask(input: []const u8, expected: []const u8) !void {
    const output, const stats = try maskAll(testing.allocator, input);
    defer testing.allocator.free(output);
    try testing.expectEqualStrings(expected, output);
    try testing.expectEqual(@as(u64, input.len), stats.bytes_in);
    try testing.expectEqual(@as(u64, output.len), stats.bytes_out);
}

/// Like `expectMask`, and checks that all the masks came from `rule`.
fn expectRule(rule: Rule, input: []const u8, expected: []const u8, count: u64) !void {
    try expectMask(input, expected);
    const output, const stats = try maskAll(testing.allocator, input);
    defer testing.allocator.free(output);
    for (stats.masked, 0..) |n, index| {
        try testing.expectEqual(if (index == @backingInt(rule)) count else 0, n);
    }
}

fn expectUnchanged(input: []const u8) !void {
    try expectMask(input, input);
}

test "classes" {
    try testing.expect(is('_', Class.word) and !is('-', Class.word));
    try testing.expect(is('-', Class.b64) and !is('.', Class.b64));
    try testing.expect(is('%', Class.local) and !is('@', Class.local));
    try testing.expect(is('~', Class.token) and is('=', Class.token) and !is(',', Class.token));
    try testing.expect(is('\r', Class.value) and !is('\t', Class.value) and !is(0xE0, Class.value));
    for (0..256) |c| {
        const byte: u8 = @intCast(c);
        // Every class used for matching is ASCII only and excludes '\n'.
        if (byte >= 0x80 or byte == '\n') try testing.expectEqual(@as(u16, 0), class_table[byte]);
        // W is inside L, which the scan loop's word skip relies on.
        if (is(byte, Class.word)) try testing.expect(is(byte, Class.local));
    }
}

test "jwt" {
    try expectRule(.jwt, "t eyJa.b.c x", "t [JWT] x", 1);
    try expectRule(.jwt, "eyJhbGci.eyJz_-.sig-_x.more", "[JWT].more", 1);
    try expectUnchanged("eyJ.abc.def"); // header run too short
    try expectUnchanged("xeyJabc.def.ghi"); // no left boundary
    try expectUnchanged("eyJabc.def"); // two parts
    try expectUnchanged("eyJabc..def");
    try expectUnchanged("eyJabc.def.");
    try expectUnchanged("EYJabc.def.ghi"); // case-sensitive
    try expectRule(.jwt, "-eyJa.b.c", "-[JWT]", 1); // '-' is not W
}

test "bearer" {
    try expectRule(.bearer, "Bearer abcdefgh", "Bearer [TOKEN]", 1);
    try expectRule(.bearer, "bEaReR   a.b~c+d/e=f-g_ rest", "bEaReR   [TOKEN] rest", 1);
    try expectUnchanged("bearer abcdefg"); // 7 bytes
    try expectUnchanged("bearer\tabcdefgh"); // tab is not a space
    try expectUnchanged("bearerabcdefgh");
    try expectUnchanged("xbearer abcdefgh");
    try expectUnchanged("bearer ,abcdefgh");
}

test "secret" {
    try expectRule(.secret, "password=hunter2&user=bob", "password=[REDACTED]&user=bob", 1);
    try expectRule(.secret, "{\"password\": \"s3cr3t!\"}", "{\"password\": \"[REDACTED]\"}", 1);
    try expectRule(.secret, "SECRET  :  x}", "SECRET  :  [REDACTED]", 1);
    try expectRule(.secret, "ApiKey=a api_key:b Access_Token=c", "ApiKey=[REDACTED] api_key:[REDACTED] Access_Token=[REDACTED]", 3);
    try expectRule(.secret, "pwd=a;b passwd=c,d", "pwd=[REDACTED];b passwd=[REDACTED],d", 2);
    try expectRule(.secret, "password=a\r\nx", "password=[REDACTED]\nx", 1); // '\r' is a value byte
    try expectRule(.secret, "password=ab\xe0\xb8\x81", "password=[REDACTED]\xe0\xb8\x81", 1);
    try expectUnchanged("passwords=x secret_key=x xpassword=x");
    try expectUnchanged("client_secret=x db_password=x"); // '_' is W: no left boundary
    try expectUnchanged("api_key= ");
    try expectUnchanged("password= \"");
    try expectUnchanged("password=\xe0\xb8\x81"); // bytes >= 0x80 are never part of a match
    try expectUnchanged("password\t=x");
    try expectUnchanged("password\"\"=x");
    try expectUnchanged("password");
}

test "api_key" {
    try expectRule(.api_key, "AKIAIOSFODNN7EXAMPLE", "[API_KEY]", 1);
    try expectRule(.api_key, "k=AKIAIOSFODNN7EXAMPLE.", "k=[API_KEY].", 1);
    try expectUnchanged("AKIAIOSFODNN7EXAMPLE1 AKIAshort AKIAIOSFODNN7EXAMPLe");
    try expectUnchanged("AKIAIOSFODNN7EXAMPLE-1"); // RBd: '-' then a digit
    try expectRule(.api_key, "ghp_0123456789abcdefghijABCDEFGHIJ012345", "[API_KEY]", 1);
    try expectUnchanged("ghp_0123456789abcdefghijABCDEFGHIJ01234 ghp_0123456789abcdefghijABCDEFGHIJ0123456");
    try expectRule(.api_key, "sk_live_4eC39HqLyjWDarjt pk_test_abcdefghijklmnop rk_live_0123456789012345", "[API_KEY] [API_KEY] [API_KEY]", 3);
    try expectUnchanged("rk_live_short sk_prod_abcdefghijklmnop sk_live_abcdefghijklmno sk_live_abcdefghijklmnop_");
}

test "email" {
    try expectRule(.email, "john.doe+tag@example.co.th,", "[EMAIL],", 1);
    try expectRule(.email, "\"bob@mail.example.com.\"", "\"[EMAIL].\"", 1);
    try expectRule(.email, "a@b@c.com", "a@[EMAIL]", 1);
    try expectRule(.email, "user@-x.io", "[EMAIL]", 1);
    try expectRule(.email, "a@b.com_x", "[EMAIL]_x", 1);
    try expectUnchanged("x@localhost a@b.c u@x..com q@x.c0m @x.com");
    try expectUnchanged("\xe0\xb8\x81@example.com"); // the local part cannot include UTF-8
    try expectUnchanged("a@.com");
}

test "ipv6" {
    try expectRule(.ipv6, "2001:db8::1 ::1 fe80::1ff:fe23:4567:890a%eth0", "[IPV6] [IPV6] [IPV6]%eth0", 3);
    try expectRule(.ipv6, "2001:0db8:85a3:0000:0000:8a2e:0370:7334", "[IPV6]", 1);
    try expectRule(.ipv6, "client 2001:db8::7: refused", "client [IPV6]: refused", 1);
    try expectRule(.ipv6, "x 1:2:3:4:5:6:7:: y", "x [IPV6] y", 1);
    try expectUnchanged("12:30:45 aa:bb:cc:dd:ee:ff a::b::c 1:2:3:4:5:6:7 2001:db8::1.2 gggg::1");
    try expectUnchanged("1:2:3:4:5:6:7:8:9 1:2:3:4::5:6:7:8 a:::b 12345::1 .::1 x::1 ::1x");
}

test "ipv6: a lone \"::\" is valid by the definition (no groups around the \"::\")" {
    try expectRule(.ipv6, "a :: b\n::", "a [IPV6] b\n[IPV6]", 2);
    try expectUnchanged("std::vector x::y"); // W before the run
}

test "keyword prefixes: the perfect hash finds each one in any case, and nothing else" {
    for (keyword_prefixes) |prefix| {
        var upper: [3]u8 = undefined;
        _ = std.ascii.upperString(&upper, prefix);
        try testing.expect(keywordPrefix(prefix, 0));
        try testing.expect(keywordPrefix(&upper, 0));
    }
    try testing.expect(keywordPrefix("pk_", 0) and keywordPrefix("PK_", 0));
    for ([_][]const u8{ "pa", "pat", "ses", "ey", "eyk", "bee", "aaa", "___", "pk-" }) |text| {
        try testing.expect(!keywordPrefix(text, 0));
    }
    // Exhaustive over letters, digits and '_': only the twelve prefixes pass.
    const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_";
    var passed: usize = 0;
    for (alphabet) |a| for (alphabet) |b| for (alphabet) |c| {
        passed += @intFromBool(keywordPrefix(&.{ a, b, c }, 0));
    };
    // 12 prefixes; each letter in either case: 2^3 each, but '_' has one case.
    try testing.expectEqual(@as(usize, 9 * 8 + 3 * 4), passed);
}

test "ipv4" {
    try expectRule(.ipv4, "192.168.1.10:8080 10.0.0.1 255.255.255.255", "[IPV4]:8080 [IPV4] [IPV4]", 3);
    try expectRule(.ipv4, "1.2.3.4-beta 0.0.0.0.", "[IPV4]-beta [IPV4].", 2);
    try expectUnchanged("1.2.3.4.5 256.1.1.1 01.2.3.4 1.2.3 v1.2.3.4 1.2.3.4x -1.2.3.4 1.2.3.4-5 1..2.3.4");
}

test "thai_id" {
    try expectRule(.thai_id, "1101700207366 1-1017-00207-36-6 1 1017 00207 36 6", "[THAI_ID] [THAI_ID] [THAI_ID]", 3);
    try expectUnchanged("1101700207367 1-1017-00207-36 6 11017002073661");
    try expectUnchanged("1-1017-00207-36-6-1 1101700207366x");
}

test "card" {
    try expectRule(.card, "4111111111111111 4111-1111-1111-1111 4111 1111 1111 1111 5500005555555559", "[CARD] [CARD] [CARD] [CARD]", 4);
    try expectUnchanged("4111111111111112 4111-1111 1111-1111 41111111111111111111 4111111111111111x");
    try expectUnchanged("4111--1111-1111-1111 .4111111111111111");
}

test "phone" {
    try expectRule(.phone, "081-234-5678 0812345678 +66 81 234 5678 +66-2-123-4567 02 123 4567", "[PHONE] [PHONE] [PHONE] [PHONE] [PHONE]", 5);
    try expectRule(.phone, "(212) 555-0199 +1 212 555 0199 212-555-0199 +1(212)555-0199", "[PHONE] [PHONE] [PHONE] [PHONE]", 4);
    try expectUnchanged("081-234-56789 2125550199 (212) 5550199 0812345678-9 x0812345678");
    try expectUnchanged("+66 71 234 5678 081--234-5678 (212)-555 0199x");
}

test "rule priority and boundaries" {
    // E-mail comes before IPv4.
    try expectRule(.email, "10.0.0.1@example.com", "[EMAIL]", 1);
    // A secret value swallows what would be an e-mail.
    try expectRule(.secret, "password=a@b.com", "password=[REDACTED]", 1);
    // Matches never cross '\n'; a line start is a boundary.
    try expectMask("password=\nx 10.0.0.1\n10.0.0.2", "password=\nx [IPV4]\n[IPV4]");
}

test "empty input, no trailing newline, invalid UTF-8" {
    const output, const stats = try maskAll(testing.allocator, "");
    defer testing.allocator.free(output);
    try testing.expectEqual(@as(usize, 0), output.len);
    try testing.expectEqual(Stats{}, stats);

    try expectMask("10.0.0.2", "[IPV4]");
    try expectMask("\xff\xfe 10.0.0.2\xc3\x28\n\x80", "\xff\xfe [IPV4]\xc3\x28\n\x80");

    const output2, const stats2 = try maskAll(testing.allocator, "a\n\nb");
    defer testing.allocator.free(output2);
    try testing.expectEqual(@as(u64, 3), stats2.lines);
}

test "newline counting" {
    var buffer: [1000]u8 = undefined;
    var prng: std.Random.DefaultPrng = .init(42);
    prng.random().bytes(&buffer);
    var expected: u64 = 0;
    for (buffer) |c| expected += @intFromBool(c == '\n');
    try testing.expectEqual(expected, countNewlines(&buffer));
    const many: [16 * 300 + 5]u8 = @splat('\n');
    try testing.expectEqual(@as(u64, many.len), countNewlines(&many));
}

const corpus_log = @embedFile("cases.log");
const corpus_expected = @embedFile("cases.expected");
const corpus_summary = @embedFile("cases.summary.json");

fn maskStreamed(gpa: Allocator, input: []const u8, block_size: usize) !struct { []u8, Stats } {
    var reader: Io.Reader = .fixed(input);
    var out: Io.Writer.Allocating = .init(gpa);
    defer out.deinit();
    const stats = try maskStream(gpa, &reader, &out.writer, block_size);
    return .{ try out.toOwnedSlice(), stats };
}

test "corpus: cases.log gives cases.expected and cases.summary.json" {
    const gpa = testing.allocator;
    const output, const stats = try maskStreamed(gpa, corpus_log, block_size_default);
    defer gpa.free(output);
    try testing.expectEqualStrings(corpus_expected, output);

    var summary: Io.Writer.Allocating = .init(gpa);
    defer summary.deinit();
    try stats.writeSummary(&summary.writer);
    try testing.expectEqualStrings(corpus_summary, summary.written());
}

test "corpus: one chunk equals line by line equals any block size" {
    const gpa = testing.allocator;
    // Line by line, each line a chunk of its own.
    var out: Io.Writer.Allocating = .init(gpa);
    defer out.deinit();
    var masker: Masker = .{};
    var line_start: usize = 0;
    while (line_start < corpus_log.len) {
        const line_end = if (std.mem.findScalarPos(u8, corpus_log, line_start, '\n')) |newline|
            newline + 1
        else
            corpus_log.len;
        try masker.maskChunk(corpus_log[line_start..line_end], &out.writer);
        line_start = line_end;
    }
    const stats = masker.finish();
    try testing.expectEqualStrings(corpus_expected, out.written());

    // Small blocks force carry-over and buffer growth on almost every line.
    for ([_]usize{ 1, 2, 7, 64, 100, 4096 }) |block_size| {
        const output, const streamed = try maskStreamed(gpa, corpus_log, block_size);
        defer gpa.free(output);
        try testing.expectEqualStrings(corpus_expected, output);
        try testing.expectEqual(stats, streamed);
    }
}

test "a 3 MiB line, longer than the read buffer, with secrets at start, middle and end" {
    const gpa = testing.allocator;
    const size = 3 << 20;
    const input = try gpa.alloc(u8, size);
    defer gpa.free(input);
    @memset(input, 'x');
    for (0..size / 64) |k| input[k * 64] = ' ';
    const head = "10.0.0.1 ";
    const middle = " a@b.co ";
    const tail = " 4111111111111111";
    @memcpy(input[0..head.len], head);
    @memcpy(input[size / 2 ..][0..middle.len], middle);
    @memcpy(input[size - tail.len ..], tail);

    const expected = try std.mem.concat(gpa, u8, &.{
        "[IPV4] ", input[head.len .. size / 2], " [EMAIL] ", input[size / 2 + middle.len .. size - tail.len], " [CARD]",
    });
    defer gpa.free(expected);

    for ([_]usize{ block_size_default, 1000 }) |block_size| {
        for ([_][]const u8{ "", "\n" }) |ending| {
            // The long line is the last one, with and without its '\n'.
            const full = try std.mem.concat(gpa, u8, &.{ "first 10.0.0.2\n", input, ending });
            defer gpa.free(full);
            const output, const stats = try maskStreamed(gpa, full, block_size);
            defer gpa.free(output);
            const want = try std.mem.concat(gpa, u8, &.{ "first [IPV4]\n", expected, ending });
            defer gpa.free(want);
            try testing.expect(std.mem.eql(u8, want, output));
            try testing.expectEqual(@as(u64, 2), stats.lines);
            try testing.expectEqual(@as(u64, 2), stats.masked[@backingInt(Rule.ipv4)]);
            try testing.expectEqual(@as(u64, 1), stats.masked[@backingInt(Rule.email)]);
            try testing.expectEqual(@as(u64, 1), stats.masked[@backingInt(Rule.card)]);
        }
    }
}

test "ipv6: the one-pass matcher agrees with the definition" {
    var prng: std.Random.DefaultPrng = .init(6);
    const random = prng.random();
    const alphabet = "0123456789abcdefABCDEFg:::::.. -_%\n";
    var buffer: [40]u8 = undefined;
    for (0..100_000) |_| {
        const len = random.intRangeAtMost(usize, 1, buffer.len);
        for (buffer[0..len]) |*c| c.* = alphabet[random.uintLessThan(usize, alphabet.len)];
        const s = buffer[0..len];
        if (!is(s[0], Class.hex_colon)) continue;
        try testing.expectEqual(matchIpv6Reference(s, 0), matchIpv6(s, 0));
    }
}

test "candidates: the vector test agrees with the scalar one" {
    var prng: std.Random.DefaultPrng = .init(7);
    const random = prng.random();
    const alphabet = "0123456789abcdefghijkprswyABEGJKPSY:.-+( _=\n\xe0\x7f";
    var buffer: [200]u8 = undefined;
    for (0..1_000) |_| {
        for (&buffer) |*c| c.* = alphabet[random.uintLessThan(usize, alphabet.len)];
        var b: usize = 0;
        while (b < buffer.len) : (b += 1) {
            const masks = blockCandidates(&buffer, b);
            for (0..lanes) |lane| {
                const keyword = masks.keyword >> @intCast(lane) & 1 != 0;
                const other = masks.other >> @intCast(lane) & 1 != 0;
                if (b + lane < buffer.len) {
                    const kinds = candidateKinds(&buffer, b + lane);
                    try testing.expectEqual(kinds.keyword, keyword);
                    try testing.expectEqual(kinds.other, other);
                } else {
                    try testing.expect(!keyword and !other);
                }
            }
        }
    }
}

/// The processing model of the README taken literally: at every position, compute the
/// boundaries and try every rule in order. No skipping, no dispatch, no e-mail tracking.
fn maskReference(gpa: Allocator, s: []const u8) ![]u8 {
    var out: std.ArrayList(u8) = .empty;
    errdefer out.deinit(gpa);
    var p: usize = 0;
    while (p < s.len) {
        if (referenceMatchAt(s, p)) |match| {
            try out.appendSlice(gpa, s[p..match.keep]);
            try out.appendSlice(gpa, match.rule.replacement());
            p = match.end;
        } else {
            try out.append(gpa, s[p]);
            p += 1;
        }
    }
    return out.toOwnedSlice(gpa);
}

fn referenceMatchAt(s: []const u8, p: usize) ?Match {
    const prev: u8 = if (p == 0) '\n' else s[p - 1];
    const lb = !is(prev, Class.word);
    const lbd = leftBoundaryNumber(prev);
    if (lb) {
        var no_hints: Hints = .{};
        if (matchJwt(s, p, &no_hints)) |end| return .{ .rule = .jwt, .keep = p, .end = end };
        if (matchBearer(s, p)) |m| return m;
        if (matchSecret(s, p)) |m| return m;
        if (matchApiKey(s, p)) |end| return .{ .rule = .api_key, .keep = p, .end = end };
    }
    if (!is(prev, Class.local)) {
        if (matchEmail(s, p)) |end| return .{ .rule = .email, .keep = p, .end = end };
    }
    if (lb and prev != ':' and prev != '.') {
        if (matchIpv6Reference(s, p)) |end| return .{ .rule = .ipv6, .keep = p, .end = end };
    }
    if (lbd) {
        if (matchIpv4(s, p)) |end| return .{ .rule = .ipv4, .keep = p, .end = end };
        if (matchThaiId(s, p)) |end| return .{ .rule = .thai_id, .keep = p, .end = end };
        if (matchCard(s, p)) |end| return .{ .rule = .card, .keep = p, .end = end };
        if (matchPhone(s, p)) |end| return .{ .rule = .phone, .keep = p, .end = end };
    }
    return null;
}

test "scanner agrees with the literal processing model on random text" {
    const gpa = testing.allocator;
    {
        const reference = try maskReference(gpa, corpus_log);
        defer gpa.free(reference);
        try testing.expectEqualStrings(corpus_expected, reference);
    }
    const fragments = [_][]const u8{
        " ",                " ",     "\n",                "-",            ".",                ":",                                "::",
        "@",                "_",     "+",                 "(",            ")",                "\"",                               "=",
        "%",                "x",     "eyJ",               "eyJhb",        "abc",              "Bearer ",                          "bearer  ",
        "password",         "pwd",   "secret",            "api_key",      "apikey",           "access_token",                     "AKIA",
        "IOSFODNN7EXAMPLE", "ghp_",  "sk_live_",          "pk_test_",     "0123456789abcdef", "ABCDEFGHIJ0123456789abcdefghijZZ", "example.com",
        "a.b",              "co.th", "2001",              "db8",          "fe80",             "ffff",                             "1",
        "0",                "02",    "08",                "081",          "+66",              "+1",                               "212",
        "555",              "0199",  "4111",              "1111",         "1101700207366",    "4111111111111111",                 "10.0.0.1",
        "255",              "256",   "1-1017-00207-36-6", "\xe0\xb8\x81", "\xff",             "\r",                               "\t",
        "&",                ";",     "'",                 ",",            "~",                "/",
    };
    var prng: std.Random.DefaultPrng = .init(10);
    const random = prng.random();
    var input: std.ArrayList(u8) = .empty;
    defer input.deinit(gpa);
    for (0..10_000) |_| {
        input.clearRetainingCapacity();
        const count = random.intRangeAtMost(usize, 1, 120);
        for (0..count) |_| {
            try input.appendSlice(gpa, fragments[random.uintLessThan(usize, fragments.len)]);
        }
        const output, _ = try maskAll(gpa, input.items);
        defer gpa.free(output);
        const reference = try maskReference(gpa, input.items);
        defer gpa.free(reference);
        testing.expectEqualStrings(reference, output) catch |err| {
            std.debug.print("input: {f}\n", .{std.zig.fmtString(input.items)});
            return err;
        };
    }
}

test "no quadratic rescans: a long line of JWT-like words" {
    const gpa = testing.allocator;
    const unit = "eyJa-";
    const count = 100_000;
    const input = try gpa.alloc(u8, unit.len * count + "eyJa.b.c".len);
    defer gpa.free(input);
    for (0..count) |k| @memcpy(input[k * unit.len ..][0..unit.len], unit);
    @memcpy(input[unit.len * count ..], "eyJa.b.c");
    // The whole line is one B64 run followed by ".b.c": the first "eyJ" matches all of it.
    try expectRule(.jwt, input, "[JWT]", 1);
    input[input.len - 4] = ' '; // Now no JWT anywhere.
    try expectUnchanged(input);
}
