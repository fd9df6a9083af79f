//! A strict HTTP/1.x request-head parser (README "Request pipeline", step 1), the path checks
//! of step 3, and the gateway's own JSON answers. std.http.Reader finds the end of the head and
//! frames bodies; this file decides what the head says.

const std = @import("std");

pub const max_headers = 100;

pub const Header = struct { name: []const u8, value: []const u8 };

pub const Version = enum { http10, http11 };

pub const Head = struct {
    method: []const u8,
    target: []const u8,
    version: Version,
    headers: [max_headers]Header = undefined,
    header_count: usize = 0,
    content_length: ?u64 = null,
    transfer_encoding: bool = false,
    host_count: usize = 0,
    /// The client asked to close (or did not ask to keep an HTTP/1.0 connection).
    close: bool = false,

    pub fn fields(h: *const Head) []const Header {
        return h.headers[0..h.header_count];
    }
};

pub const ParseError = error{ BadRequest, TooManyHeaders };

fn isTchar(c: u8) bool {
    return switch (c) {
        'a'...'z', 'A'...'Z', '0'...'9', '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~' => true,
        else => false,
    };
}

fn isToken(s: []const u8) bool {
    if (s.len == 0) return false;
    for (s) |c| if (!isTchar(c)) return false;
    return true;
}

fn hasToken(list: []const u8, token: []const u8) bool {
    var it = std.mem.splitScalar(u8, list, ',');
    while (it.next()) |t| if (std.ascii.eqlIgnoreCase(std.mem.trim(u8, t, " \t"), token)) return true;
    return false;
}

/// Parses a complete head (as returned by std.http.Reader.receiveHead, ending with an empty
/// line). Lines may end in CRLF or a bare LF.
pub fn parseHead(bytes: []const u8, head: *Head) ParseError!void {
    var lines = std.mem.splitScalar(u8, bytes, '\n');
    const first = std.mem.trimEnd(u8, lines.first(), "\r");
    const sp1 = std.mem.findScalar(u8, first, ' ') orelse return error.BadRequest;
    const rest = first[sp1 + 1 ..];
    const sp2 = std.mem.findScalar(u8, rest, ' ') orelse return error.BadRequest;
    head.method = first[0..sp1];
    head.target = rest[0..sp2];
    const version = rest[sp2 + 1 ..];
    if (!isToken(head.method) or head.target.len == 0) return error.BadRequest;
    for (head.target) |c| if (c < 0x21 or c > 0x7e) return error.BadRequest;
    head.version = if (std.mem.eql(u8, version, "HTTP/1.1")) .http11 else if (std.mem.eql(u8, version, "HTTP/1.0")) .http10 else return error.BadRequest;
    head.header_count = 0;
    head.content_length = null;
    head.transfer_encoding = false;
    head.host_count = 0;
    var conn_close = false;
    var conn_keep_alive = false;
    while (lines.next()) |raw| {
        const line = std.mem.trimEnd(u8, raw, "\r");
        if (line.len == 0) break;
        if (line[0] == ' ' or line[0] == '\t') return error.BadRequest; // obs-fold
        const colon = std.mem.findScalar(u8, line, ':') orelse return error.BadRequest;
        const name = line[0..colon];
        if (!isToken(name)) return error.BadRequest;
        const value = std.mem.trim(u8, line[colon + 1 ..], " \t");
        for (value) |c| if ((c < 0x20 and c != '\t') or c == 0x7f) return error.BadRequest;
        if (head.header_count == max_headers) return error.TooManyHeaders;
        head.headers[head.header_count] = .{ .name = name, .value = value };
        head.header_count += 1;
        if (std.ascii.eqlIgnoreCase(name, "content-length")) {
            if (value.len == 0 or value.len > 19) return error.BadRequest;
            for (value) |c| if (c < '0' or c > '9') return error.BadRequest;
            const n = std.fmt.parseInt(u64, value, 10) catch return error.BadRequest;
            if (head.content_length) |prev| if (prev != n) return error.BadRequest;
            head.content_length = n;
        } else if (std.ascii.eqlIgnoreCase(name, "transfer-encoding")) {
            head.transfer_encoding = true;
        } else if (std.ascii.eqlIgnoreCase(name, "host")) {
            head.host_count += 1;
        } else if (std.ascii.eqlIgnoreCase(name, "connection")) {
            if (hasToken(value, "close")) conn_close = true;
            if (hasToken(value, "keep-alive")) conn_keep_alive = true;
        }
    }
    if (head.version == .http11 and head.host_count != 1) return error.BadRequest;
    head.close = conn_close or (head.version == .http10 and !conn_keep_alive);
}

/// The value of each field named `name` (case-insensitive), in order.
pub fn values(head: *const Head, name: []const u8, out: [][]const u8) [][]const u8 {
    var n: usize = 0;
    for (head.fields()) |f| {
        if (std.ascii.eqlIgnoreCase(f.name, name) and n < out.len) {
            out[n] = f.value;
            n += 1;
        }
    }
    return out[0..n];
}

/// Percent-decodes a raw path (into `buf`) for checking; null for a bad escape, a NUL byte, an
/// empty segment or a dot segment.
pub fn checkPath(raw: []const u8, buf: []u8) ?[]const u8 {
    var decoded: []const u8 = raw;
    if (std.mem.findScalar(u8, raw, '%') != null) {
        var n: usize = 0;
        var i: usize = 0;
        while (i < raw.len) : (n += 1) {
            if (raw[i] == '%') {
                if (i + 2 >= raw.len) return null;
                const hi = std.fmt.charToDigit(raw[i + 1], 16) catch return null;
                const lo = std.fmt.charToDigit(raw[i + 2], 16) catch return null;
                buf[n] = hi * 16 + lo;
                i += 3;
            } else {
                buf[n] = raw[i];
                i += 1;
            }
        }
        decoded = buf[0..n];
    }
    if (std.mem.findScalar(u8, decoded, 0) != null) return null;
    var it = std.mem.splitScalar(u8, decoded[1..], '/');
    while (it.next()) |seg| {
        const last = it.peek() == null;
        if (std.mem.eql(u8, seg, ".") or std.mem.eql(u8, seg, "..") or (seg.len == 0 and !last)) return null;
    }
    return decoded;
}

pub fn isAdminPath(path: []const u8) bool {
    return std.mem.eql(u8, path, "/admin") or std.mem.startsWith(u8, path, "/admin/");
}

pub fn reason(status: u16) []const u8 {
    return switch (status) {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        405 => "Method Not Allowed",
        411 => "Length Required",
        413 => "Content Too Large",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        502 => "Bad Gateway",
        else => "",
    };
}

pub const Extra = struct {
    retry_after: ?u64 = null,
    close: bool = false,
    keep_alive_10: bool = false,
    head_only: bool = false,
};

/// Writes one of the gateway's own JSON answers (not flushed).
pub fn writeJson(w: *std.Io.Writer, status: u16, body: []const u8, extra: Extra) std.Io.Writer.Error!void {
    try w.print("HTTP/1.1 {d} {s}\r\ncontent-type: application/json\r\ncontent-length: {d}\r\n", .{ status, reason(status), body.len });
    if (status == 401) try w.writeAll("www-authenticate: Bearer\r\n");
    if (extra.retry_after) |s| try w.print("retry-after: {d}\r\n", .{s});
    if (extra.close) {
        try w.writeAll("connection: close\r\n");
    } else if (extra.keep_alive_10) {
        try w.writeAll("connection: keep-alive\r\n");
    }
    try w.writeAll("\r\n");
    if (!extra.head_only) try w.writeAll(body);
}

const testing = std.testing;

test "parses a good head" {
    var h: Head = undefined;
    try parseHead("GET /a?b HTTP/1.1\r\nHost: x\r\nAuthorization:  Bearer t \r\nConnection: keep-alive, Close\r\nContent-Length: 5\r\n\r\n", &h);
    try testing.expectEqualStrings("GET", h.method);
    try testing.expectEqualStrings("/a?b", h.target);
    try testing.expectEqual(@as(?u64, 5), h.content_length);
    try testing.expect(h.close);
    var buf: [4][]const u8 = undefined;
    try testing.expectEqualStrings("Bearer t", values(&h, "authorization", &buf)[0]);
    try parseHead("GET / HTTP/1.0\nX: y\n\n", &h);
    try testing.expect(h.close);
    try parseHead("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", &h);
    try testing.expect(!h.close);
}

test "refuses bad heads" {
    var h: Head = undefined;
    const bad = [_][]const u8{
        "\x00\x01garbage\r\n\r\n",
        "GET /x HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n",
        "GET /x HTTP/1.1\r\nHost: a\r\nBad Name: v\r\n\r\n",
        "GET /x HTTP/1.1\r\nHost: a\r\nName : v\r\n\r\n",
        "GET /x HTTP/1.1\r\n\r\n",
        "GET /x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
        "GET /x HTTP/2.0\r\nHost: a\r\n\r\n",
        "GET /a\x7fb HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET /a b HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET  /a HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET /x HTTP/1.1\r\nHost: a\r\nX: a\r\n  b\r\n\r\n",
        "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: abc\r\n\r\n",
        "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n",
        "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
        "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n",
        "GET /x HTTP/1.1\r\nHost: a\r\nX: a\x01b\r\n\r\n",
    };
    for (bad) |b| {
        testing.expectError(error.BadRequest, parseHead(b, &h)) catch |e| {
            std.debug.print("accepted: {any}\n", .{b});
            return e;
        };
    }
    try parseHead("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n", &h);
}

test "header count limit" {
    var list: std.ArrayList(u8) = .empty;
    defer list.deinit(testing.allocator);
    try list.appendSlice(testing.allocator, "GET / HTTP/1.1\r\nHost: a\r\n");
    for (0..99) |i| try list.print(testing.allocator, "X-{d}: v\r\n", .{i});
    try list.appendSlice(testing.allocator, "\r\n");
    var h: Head = undefined;
    try parseHead(list.items, &h);
    list.items.len -= 2;
    try list.appendSlice(testing.allocator, "X-last: v\r\n\r\n");
    try testing.expectError(error.TooManyHeaders, parseHead(list.items, &h));
}

test "path checks" {
    var buf: [64]u8 = undefined;
    const good = [_][2][]const u8{ .{ "/", "/" }, .{ "/a/b/", "/a/b/" }, .{ "/%61dmin", "/admin" }, .{ "/a%2Fb", "/a/b" }, .{ "/...", "/..." }, .{ "/a.b/.c", "/a.b/.c" } };
    for (good) |g| try testing.expectEqualStrings(g[1], checkPath(g[0], &buf).?);
    for ([_][]const u8{ "//", "/a//b", "/.", "/./a", "/a/..", "/a/%2e%2E/b", "/a%2F%2Fb", "/%", "/%4", "/%zz", "/a%00b", "/%2e" }) |bad|
        try testing.expect(checkPath(bad, &buf) == null);
    try testing.expect(isAdminPath("/admin"));
    try testing.expect(isAdminPath("/admin/x"));
    try testing.expect(!isAdminPath("/administrator"));
    try testing.expect(!isAdminPath("/Admin"));
}
