//! HTTP/1.1 heads (README: Forwarded request, Forwarded response, Malformed requests): parsing a
//! request or response head that `std.http.Reader.receiveHead` has buffered, and writing the
//! rewritten head the proxy sends on. Pure functions over byte slices; no I/O of their own.

const std = @import("std");
const ascii = std.ascii;
const mem = std.mem;
const Writer = std.Io.Writer;

/// Most header fields a request or response head may have.
pub const max_fields = 100;

pub const Field = struct {
    name: []const u8,
    value: []const u8,
};

pub const Version = enum { http10, http11 };

/// How a message body is delimited.
pub const Framing = union(enum) {
    none,
    length: u64,
    chunked,
    /// Responses only: the body ends when the backend closes the connection.
    until_close,
};

/// A parsed request head. Slices point into the head buffer, which stays valid only until the
/// client connection is read again.
pub const Request = struct {
    method: []const u8,
    target: []const u8,
    version: Version,
    fields: []const Field,
    framing: Framing,
    /// `Expect: 100-continue` was sent.
    expect_continue: bool,
    /// The client wants the connection kept after this exchange.
    keep_alive: bool,
    /// No `Host` field (allowed for HTTP/1.0 only).
    missing_host: bool,
    /// Both `Transfer-Encoding` and `Content-Length` were sent: the body is read as chunked and
    /// the connection is closed afterwards.
    ambiguous_length: bool,

    pub fn isHead(r: *const Request) bool {
        return mem.eql(u8, r.method, "HEAD");
    }

    /// GET, HEAD, OPTIONS and TRACE without a body can be sent again after a failure on a
    /// reused upstream connection.
    pub fn replayable(r: *const Request) bool {
        if (r.framing != .none) return false;
        for ([_][]const u8{ "GET", "HEAD", "OPTIONS", "TRACE" }) |m| {
            if (mem.eql(u8, r.method, m)) return true;
        }
        return false;
    }

    /// `OPTIONS *`, answered by the proxy itself.
    pub fn isOptionsStar(r: *const Request) bool {
        return mem.eql(u8, r.method, "OPTIONS") and mem.eql(u8, r.target, "*");
    }
};

/// Why a request head is refused; each maps to one status code.
pub const RequestError = error{
    /// 400
    BadRequest,
    /// 431
    TooManyFields,
    /// 501
    UnsupportedTransferEncoding,
    /// 417
    UnknownExpectation,
};

pub fn statusOf(err: RequestError) u16 {
    return switch (err) {
        error.BadRequest => 400,
        error.TooManyFields => 431,
        error.UnsupportedTransferEncoding => 501,
        error.UnknownExpectation => 417,
    };
}

/// A parsed response head.
pub const Response = struct {
    status: u16,
    fields: []const Field,
    /// Content-Length, if the response has one.
    content_length: ?u64,
    chunked: bool,
    /// The backend will not keep the connection (Connection: close, or HTTP/1.0 without
    /// keep-alive).
    close: bool,

    /// How the body is delimited, given the request method.
    pub fn framing(r: *const Response, head_request: bool) Framing {
        if (head_request or r.status < 200 or r.status == 204 or r.status == 304) return .none;
        if (r.chunked) return .chunked;
        if (r.content_length) |n| return .{ .length = n };
        return .until_close;
    }
};

pub const ResponseError = error{ InvalidResponse, TooManyFields };

fn isTokenChar(c: u8) bool {
    return switch (c) {
        'a'...'z', 'A'...'Z', '0'...'9' => true,
        '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~' => true,
        else => false,
    };
}

/// `isTokenChar` as a table: one load per byte instead of a chain of range tests (field names
/// are checked for every field of every head; README: What may differ).
const token_table: [256]bool = blk: {
    var t: [256]bool = undefined;
    for (&t, 0..) |*e, c| e.* = isTokenChar(c);
    break :blk t;
};

fn isToken(s: []const u8) bool {
    if (s.len == 0) return false;
    for (s) |c| if (!token_table[c]) return false;
    return true;
}

/// A field value may hold visible ASCII, blanks and obs-text (bytes >= 0x80), no other controls.
fn isValidValue(s: []const u8) bool {
    for (s) |c| if ((c < 0x20 and c != '\t') or c == 0x7f) return false;
    return true;
}

/// Iterates the lines of a head (CRLF or bare LF), stopping at the empty line.
const LineIterator = struct {
    rest: []const u8,

    fn next(it: *LineIterator) ?[]const u8 {
        const nl = mem.findScalar(u8, it.rest, '\n') orelse return null;
        var line = it.rest[0..nl];
        it.rest = it.rest[nl + 1 ..];
        if (line.len > 0 and line[line.len - 1] == '\r') line = line[0 .. line.len - 1];
        if (line.len == 0) return null;
        return line;
    }
};

/// Splits field lines into `out`; rejects obsolete line folding and malformed lines.
fn parseFields(it: *LineIterator, out: []Field) error{ Invalid, TooMany }![]const Field {
    var n: usize = 0;
    while (it.next()) |line| {
        if (line[0] == ' ' or line[0] == '\t') return error.Invalid; // obs-fold
        const colon = mem.findScalar(u8, line, ':') orelse return error.Invalid;
        const name = line[0..colon];
        if (!isToken(name)) return error.Invalid; // also rejects a blank before the colon
        const value = mem.trim(u8, line[colon + 1 ..], " \t");
        if (!isValidValue(value)) return error.Invalid;
        if (n == out.len) return error.TooMany;
        out[n] = .{ .name = name, .value = value };
        n += 1;
    }
    return out[0..n];
}

fn parseLength(value: []const u8) ?u64 {
    if (value.len == 0) return null;
    for (value) |c| if (c < '0' or c > '9') return null;
    return std.fmt.parseInt(u64, value, 10) catch null;
}

/// Whether a comma-separated field value holds `token` (case-insensitive).
pub fn hasToken(value: []const u8, token: []const u8) bool {
    var it = mem.splitScalar(u8, value, ',');
    while (it.next()) |t| {
        if (ascii.eqlIgnoreCase(mem.trim(u8, t, " \t"), token)) return true;
    }
    return false;
}

/// Parses a request head (request line, fields, blank line).
pub fn parseRequest(bytes: []const u8, fields_buf: []Field) RequestError!Request {
    var it: LineIterator = .{ .rest = bytes };
    // Empty lines before the request line are ignored (RFC 9112 section 2.2).
    var line: []const u8 = "";
    while (it.rest.len > 0 and line.len == 0) {
        const nl = mem.findScalar(u8, it.rest, '\n') orelse return error.BadRequest;
        line = it.rest[0..nl];
        it.rest = it.rest[nl + 1 ..];
        if (line.len > 0 and line[line.len - 1] == '\r') line = line[0 .. line.len - 1];
    }
    const sp1 = mem.findScalar(u8, line, ' ') orelse return error.BadRequest;
    const sp2 = mem.findScalarPos(u8, line, sp1 + 1, ' ') orelse return error.BadRequest;
    const method = line[0..sp1];
    const target = line[sp1 + 1 .. sp2];
    const version_text = line[sp2 + 1 ..];
    if (!isToken(method) or target.len == 0) return error.BadRequest;
    for (target) |c| if (c <= 0x20 or c >= 0x7f) return error.BadRequest;
    const version: Version = if (mem.eql(u8, version_text, "HTTP/1.1"))
        .http11
    else if (mem.eql(u8, version_text, "HTTP/1.0"))
        .http10
    else
        return error.BadRequest;
    const is_options_star = mem.eql(u8, method, "OPTIONS") and mem.eql(u8, target, "*");
    if (target[0] != '/' and !is_options_star) return error.BadRequest;

    const fields = parseFields(&it, fields_buf) catch |err| return switch (err) {
        error.Invalid => error.BadRequest,
        error.TooMany => error.TooManyFields,
    };
    var req: Request = .{
        .method = method,
        .target = target,
        .version = version,
        .fields = fields,
        .framing = .none,
        .expect_continue = false,
        .keep_alive = version == .http11,
        .missing_host = true,
        .ambiguous_length = false,
    };
    var hosts: usize = 0;
    var length: ?u64 = null;
    var transfer_encodings: usize = 0;
    var chunked = false;
    for (fields) |f| {
        if (ascii.eqlIgnoreCase(f.name, "host")) {
            hosts += 1;
        } else if (ascii.eqlIgnoreCase(f.name, "content-length")) {
            const n = parseLength(f.value) orelse return error.BadRequest;
            if (length != null and length.? != n) return error.BadRequest;
            length = n;
        } else if (ascii.eqlIgnoreCase(f.name, "transfer-encoding")) {
            transfer_encodings += 1;
            chunked = ascii.eqlIgnoreCase(f.value, "chunked");
        } else if (ascii.eqlIgnoreCase(f.name, "expect")) {
            if (!ascii.eqlIgnoreCase(f.value, "100-continue")) return error.UnknownExpectation;
            req.expect_continue = true;
        } else if (ascii.eqlIgnoreCase(f.name, "connection")) {
            if (hasToken(f.value, "close")) req.keep_alive = false;
            if (version == .http10 and hasToken(f.value, "keep-alive")) req.keep_alive = true;
        }
    }
    if (hosts > 1 or (hosts == 0 and version == .http11)) return error.BadRequest;
    req.missing_host = hosts == 0;
    if (transfer_encodings > 0) {
        if (transfer_encodings > 1 or !chunked) return error.UnsupportedTransferEncoding;
        req.framing = .chunked;
        req.ambiguous_length = length != null;
    } else if (length) |n| {
        if (n > 0) req.framing = .{ .length = n };
    }
    // A connection whose request had both framings is not trusted with another request.
    if (req.ambiguous_length) req.keep_alive = false;
    return req;
}

/// Parses a response head. `1xx` answers are returned like any other; the caller skips them.
pub fn parseResponse(bytes: []const u8, fields_buf: []Field) ResponseError!Response {
    var it: LineIterator = .{ .rest = bytes };
    const line = it.next() orelse return error.InvalidResponse;
    if (line.len < 12 or line[12 - 1 - 3] != ' ') return error.InvalidResponse;
    const version: Version = if (mem.startsWith(u8, line, "HTTP/1.1 "))
        .http11
    else if (mem.startsWith(u8, line, "HTTP/1.0 "))
        .http10
    else
        return error.InvalidResponse;
    const code = line[9..12];
    for (code) |c| if (c < '0' or c > '9') return error.InvalidResponse;
    if (line.len > 12 and line[12] != ' ') return error.InvalidResponse;
    const status = std.fmt.parseInt(u16, code, 10) catch return error.InvalidResponse;
    if (status < 100) return error.InvalidResponse;

    const fields = parseFields(&it, fields_buf) catch |err| return switch (err) {
        error.Invalid => error.InvalidResponse,
        error.TooMany => error.TooManyFields,
    };
    var res: Response = .{
        .status = status,
        .fields = fields,
        .content_length = null,
        .chunked = false,
        .close = version == .http10,
    };
    for (fields) |f| {
        if (ascii.eqlIgnoreCase(f.name, "content-length")) {
            const n = parseLength(f.value) orelse return error.InvalidResponse;
            if (res.content_length != null and res.content_length.? != n) return error.InvalidResponse;
            res.content_length = n;
        } else if (ascii.eqlIgnoreCase(f.name, "transfer-encoding")) {
            // The body is chunked when chunked is the last coding; otherwise it ends at close.
            var codings = mem.splitBackwardsScalar(u8, f.value, ',');
            res.chunked = ascii.eqlIgnoreCase(mem.trim(u8, codings.first(), " \t"), "chunked");
            if (!res.chunked) res.content_length = null;
        } else if (ascii.eqlIgnoreCase(f.name, "connection")) {
            if (hasToken(f.value, "close")) res.close = true;
            if (version == .http10 and hasToken(f.value, "keep-alive")) res.close = false;
        }
    }
    if (res.chunked) res.content_length = null;
    return res;
}

const hop_by_hop = [_][]const u8{
    "connection",         "proxy-connection",    "keep-alive",
    "proxy-authenticate", "proxy-authorization", "te",
    "trailer",            "transfer-encoding",   "upgrade",
};

/// Whether a field is not forwarded: a hop-by-hop field, or one named in a `Connection` value.
pub fn isHopByHop(name: []const u8, fields: []const Field) bool {
    for (hop_by_hop) |h| if (ascii.eqlIgnoreCase(name, h)) return true;
    for (fields) |f| {
        if (ascii.eqlIgnoreCase(f.name, "connection") and hasToken(f.value, name)) return true;
    }
    return false;
}

/// Writes the head forwarded upstream: the request line as received (version HTTP/1.1), the
/// end-to-end fields, `Host` when an HTTP/1.0 client sent none, one `X-Forwarded-For` with the
/// client's address appended, and the body framing.
pub fn writeRequestHead(w: *Writer, req: *const Request, client_ip: []const u8, backend_host: []const u8) Writer.Error!void {
    try w.writeAll(req.method);
    try w.writeByte(' ');
    try w.writeAll(req.target);
    try w.writeAll(" HTTP/1.1\r\n");
    var forwarded_for = false;
    for (req.fields) |f| {
        if (isHopByHop(f.name, req.fields)) continue;
        if (ascii.eqlIgnoreCase(f.name, "expect") or ascii.eqlIgnoreCase(f.name, "content-length")) continue;
        if (ascii.eqlIgnoreCase(f.name, "x-forwarded-for")) {
            forwarded_for = true;
            continue;
        }
        try writeField(w, f.name, f.value);
    }
    if (req.missing_host) try writeField(w, "Host", backend_host);
    try w.writeAll("X-Forwarded-For: ");
    if (forwarded_for) {
        for (req.fields) |f| {
            if (!ascii.eqlIgnoreCase(f.name, "x-forwarded-for")) continue;
            try w.writeAll(f.value);
            try w.writeAll(", ");
        }
    }
    try w.writeAll(client_ip);
    try w.writeAll("\r\n");
    switch (req.framing) {
        .none => {
            // A Content-Length of 0 is kept as sent.
            for (req.fields) |f| {
                if (ascii.eqlIgnoreCase(f.name, "content-length")) {
                    try w.writeAll("Content-Length: 0\r\n");
                    break;
                }
            }
        },
        .length => |n| try w.print("Content-Length: {d}\r\n", .{n}),
        .chunked => try w.writeAll("Transfer-Encoding: chunked\r\n"),
        .until_close => unreachable,
    }
    try w.writeAll("\r\n");
}

/// How the proxy frames the body it sends to the client.
pub const ClientFraming = enum { none, length, chunked, until_close };

/// Writes the head sent to the client: status line with the standard phrase, the backend's
/// end-to-end fields, framing and connection fields.
pub fn writeResponseHead(
    w: *Writer,
    res: *const Response,
    client_version: Version,
    framing: ClientFraming,
    keep_alive: bool,
) Writer.Error!void {
    try writeStatusLine(w, client_version, res.status);
    for (res.fields) |f| {
        if (isHopByHop(f.name, res.fields)) continue;
        if (ascii.eqlIgnoreCase(f.name, "content-length")) continue;
        try writeField(w, f.name, f.value);
    }
    switch (framing) {
        .none => if (res.content_length) |n| try w.print("Content-Length: {d}\r\n", .{n}),
        .length => try w.print("Content-Length: {d}\r\n", .{res.content_length.?}),
        .chunked => try w.writeAll("Transfer-Encoding: chunked\r\n"),
        .until_close => {},
    }
    try writeConnection(w, client_version, keep_alive);
    try w.writeAll("\r\n");
}

/// Writes a short plain-text answer made by the proxy itself.
pub fn writeError(w: *Writer, version: Version, status: u16, keep_alive: bool) Writer.Error!void {
    const text = phrase(status);
    try writeStatusLine(w, version, status);
    try w.writeAll("Content-Type: text/plain; charset=utf-8\r\n");
    try w.print("Content-Length: {d}\r\n", .{text.len + 1});
    try writeConnection(w, version, keep_alive);
    try w.writeAll("\r\n");
    try w.writeAll(text);
    try w.writeAll("\n");
}

fn writeStatusLine(w: *Writer, version: Version, status: u16) Writer.Error!void {
    try w.print("{s} {d} {s}\r\n", .{
        if (version == .http11) "HTTP/1.1" else "HTTP/1.0",
        status,
        phrase(status),
    });
}

fn writeConnection(w: *Writer, version: Version, keep_alive: bool) Writer.Error!void {
    if (version == .http11 and !keep_alive) try w.writeAll("Connection: close\r\n");
    if (version == .http10 and keep_alive) try w.writeAll("Connection: keep-alive\r\n");
}

fn writeField(w: *Writer, name: []const u8, value: []const u8) Writer.Error!void {
    var parts = [_][]const u8{ name, ": ", value, "\r\n" };
    try w.writeVecAll(&parts);
}

/// The standard reason phrase of a status code ("" for unknown codes).
pub fn phrase(status: u16) []const u8 {
    if (status > 999) return "";
    const s: std.http.Status = @fromBackingInt(@intCast(@as(u10, @intCast(status))));
    return s.phrase() orelse "";
}

// ---------------------------------------------------------------------------------------------

const testing = std.testing;

fn reqOf(text: []const u8) RequestError!Request {
    const S = struct {
        var buf: [max_fields]Field = undefined;
    };
    return parseRequest(text, &S.buf);
}

test "request heads: framing, persistence, host" {
    const r = try reqOf("POST /a?b=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n");
    try testing.expectEqualStrings("POST", r.method);
    try testing.expectEqualStrings("/a?b=1", r.target);
    try testing.expectEqual(Framing{ .length = 5 }, r.framing);
    try testing.expect(r.keep_alive and !r.missing_host and !r.replayable());

    const c = try reqOf("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\nConnection: close\r\n\r\n");
    try testing.expectEqual(Framing.chunked, c.framing);
    try testing.expect(!c.keep_alive);

    const both = try reqOf("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n");
    try testing.expectEqual(Framing.chunked, both.framing);
    try testing.expect(both.ambiguous_length and !both.keep_alive);

    const old = try reqOf("GET / HTTP/1.0\n\n"); // bare LF line ends are accepted
    try testing.expect(!old.keep_alive and old.missing_host and old.replayable());
    const old_ka = try reqOf("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n");
    try testing.expect(old_ka.keep_alive);

    const same = try reqOf("PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n");
    try testing.expectEqual(Framing{ .length = 2 }, same.framing);
    try testing.expect((try reqOf("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n")).isOptionsStar());
    try testing.expect((try reqOf("\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n")).replayable());
}

test "malformed request heads" {
    const cases = [_]struct { []const u8, RequestError }{
        .{ "hello there\r\n\r\n", error.BadRequest },
        .{ "\x16\x03\x01\x00\xa5\x01\r\n\r\n", error.BadRequest },
        .{ "GET /\r\n\r\n", error.BadRequest },
        .{ "GET / HTTP/2.0\r\nHost: x\r\n\r\n", error.BadRequest },
        .{ "GET / http/1.1\r\nHost: x\r\n\r\n", error.BadRequest },
        .{ "GET  / HTTP/1.1\r\nHost: x\r\n\r\n", error.BadRequest },
        .{ "GET http://x/ HTTP/1.1\r\nHost: x\r\n\r\n", error.BadRequest },
        .{ "CONNECT x:443 HTTP/1.1\r\nHost: x\r\n\r\n", error.BadRequest },
        .{ "GET * HTTP/1.1\r\nHost: x\r\n\r\n", error.BadRequest },
        .{ "GET / HTTP/1.1\r\n\r\n", error.BadRequest },
        .{ "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", error.BadRequest },
        .{ "GET / HTTP/1.1\r\nHost: x\r\nbroken\r\n\r\n", error.BadRequest },
        .{ "GET / HTTP/1.1\r\nHost: x\r\nX-A : 1\r\n\r\n", error.BadRequest },
        .{ "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\x01b\r\n\r\n", error.BadRequest },
        .{ "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n", error.BadRequest },
        .{ "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1x\r\n\r\n", error.BadRequest },
        .{ "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", error.BadRequest },
        .{ "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n", error.BadRequest },
        .{ "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", error.BadRequest },
        .{ "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", error.UnsupportedTransferEncoding },
        .{ "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: identity\r\n\r\n", error.UnsupportedTransferEncoding },
        .{ "POST / HTTP/1.1\r\nHost: x\r\nExpect: magic\r\n\r\n", error.UnknownExpectation },
    };
    for (cases) |c| try testing.expectError(c[1], reqOf(c[0]));

    var many: std.ArrayList(u8) = .empty;
    defer many.deinit(testing.allocator);
    try many.appendSlice(testing.allocator, "GET / HTTP/1.1\r\nHost: x\r\n");
    for (0..100) |i| try many.print(testing.allocator, "X-H{d}: v\r\n", .{i});
    try many.appendSlice(testing.allocator, "\r\n");
    try testing.expectError(error.TooManyFields, reqOf(many.items));
}

test "response heads" {
    var buf: [max_fields]Field = undefined;
    const r = try parseResponse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", &buf);
    try testing.expectEqual(@as(u16, 200), r.status);
    try testing.expectEqual(Framing{ .length = 10 }, r.framing(false));
    try testing.expectEqual(Framing.none, r.framing(true));
    try testing.expect(!r.close);
    const c = try parseResponse("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\nConnection: close\r\n\r\n", &buf);
    try testing.expectEqual(Framing.chunked, c.framing(false));
    try testing.expect(c.close);
    const old = try parseResponse("HTTP/1.0 200\r\n\r\n", &buf);
    try testing.expectEqual(Framing.until_close, old.framing(false));
    try testing.expect(old.close);
    try testing.expectEqual(Framing.none, (try parseResponse("HTTP/1.1 304 Not Modified\r\nContent-Length: 7\r\n\r\n", &buf)).framing(false));
    for ([_][]const u8{ "HTTP/1.1 20 OK\r\n\r\n", "HTTP/2 200 OK\r\n\r\n", "garbage\r\n\r\n", "HTTP/1.1 200 OK\r\nX\r\n\r\n" }) |bad| {
        try testing.expectError(error.InvalidResponse, parseResponse(bad, &buf));
    }
}

test "forwarded request head: hop-by-hop removed, X-Forwarded-For appended" {
    const r = try reqOf("GET /p HTTP/1.1\r\nHost: h\r\nConnection: keep-alive, X-Secret\r\nX-Secret: 1\r\n" ++
        "Keep-Alive: 300\r\nTE: trailers\r\nProxy-Authorization: Basic x\r\nProxy-Connection: keep-alive\r\n" ++
        "Upgrade: websocket\r\nX-Forwarded-For: 1.1.1.1\r\nX-Kept: a\r\nx-forwarded-for: 2.2.2.2, 3.3.3.3\r\nX-Kept: b\r\n\r\n");
    var out: [1024]u8 = undefined;
    var w: Writer = .fixed(&out);
    try writeRequestHead(&w, &r, "127.0.0.1", "10.0.0.1:80");
    try testing.expectEqualStrings("GET /p HTTP/1.1\r\nHost: h\r\nX-Kept: a\r\nX-Kept: b\r\n" ++
        "X-Forwarded-For: 1.1.1.1, 2.2.2.2, 3.3.3.3, 127.0.0.1\r\n\r\n", w.buffered());

    const post = try reqOf("POST /e HTTP/1.0\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n");
    w = .fixed(&out);
    try writeRequestHead(&w, &post, "127.0.0.1", "10.0.0.1:80");
    try testing.expectEqualStrings("POST /e HTTP/1.1\r\nHost: 10.0.0.1:80\r\nX-Forwarded-For: 127.0.0.1\r\n" ++
        "Content-Length: 3\r\n\r\n", w.buffered());
}

test "client response head: hop-by-hop removed, framing and connection" {
    var buf: [max_fields]Field = undefined;
    const r = try parseResponse("HTTP/1.1 200 Fine\r\nConnection: X-Drop\r\nX-Drop: 1\r\nKeep-Alive: timeout=5\r\n" ++
        "Proxy-Authenticate: Basic\r\nTrailer: X-T\r\nTransfer-Encoding: chunked\r\nX-Kept: yes\r\n\r\n", &buf);
    var out: [512]u8 = undefined;
    var w: Writer = .fixed(&out);
    try writeResponseHead(&w, &r, .http11, .chunked, true);
    try testing.expectEqualStrings("HTTP/1.1 200 OK\r\nX-Kept: yes\r\nTransfer-Encoding: chunked\r\n\r\n", w.buffered());
    w = .fixed(&out);
    try writeResponseHead(&w, &r, .http10, .until_close, false);
    try testing.expectEqualStrings("HTTP/1.0 200 OK\r\nX-Kept: yes\r\n\r\n", w.buffered());
    w = .fixed(&out);
    try writeError(&w, .http11, 502, false);
    try testing.expectEqualStrings("HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/plain; charset=utf-8\r\n" ++
        "Content-Length: 12\r\nConnection: close\r\n\r\nBad Gateway\n", w.buffered());
}
