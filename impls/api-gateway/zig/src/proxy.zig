//! The upstream side (README "Proxying"): a pool of keep-alive HTTP/1.1 connections to the
//! backend, request forwarding with the header rules, and relaying the answer. Bodies are
//! framed with std.http.Reader; heads are parsed here so that any status, header or coding
//! the backend sends is relayed unchanged.

const std = @import("std");
const Io = std.Io;
const http = @import("http.zig");

pub const max_idle = 1024;

/// One connection to the backend; heap-allocated because its readers point into its buffers.
pub const Conn = struct {
    stream: Io.net.Stream,
    reader: Io.net.Stream.Reader,
    writer: Io.net.Stream.Writer,
    http_reader: std.http.Reader,
    read_buf: [16 * 1024]u8,
    write_buf: [16 * 1024]u8,

    fn resetReader(c: *Conn) void {
        c.http_reader = .{
            .in = &c.reader.interface,
            .state = .ready,
            .interface = undefined,
            .max_head_len = c.read_buf.len,
            .side = .response,
        };
    }
};

pub fn setNoDelay(stream: Io.net.Stream) void {
    const one: c_int = 1;
    std.posix.setsockopt(stream.socket.handle, std.posix.IPPROTO.TCP, std.posix.TCP.NODELAY, std.mem.asBytes(&one)) catch {};
}

pub const Pool = struct {
    gpa: std.mem.Allocator,
    io: Io,
    address: Io.net.IpAddress,
    /// "127.0.0.1:PORT", the Host sent upstream.
    host: []const u8,
    mutex: Io.Mutex = .init,
    idle: std.ArrayList(*Conn) = .empty,

    pub fn deinit(p: *Pool) void {
        for (p.idle.items) |c| {
            c.stream.close(p.io);
            p.gpa.destroy(c);
        }
        p.idle.deinit(p.gpa);
    }

    fn take(p: *Pool) ?*Conn {
        p.mutex.lockUncancelable(p.io);
        defer p.mutex.unlock(p.io);
        return p.idle.pop();
    }

    fn connect(p: *Pool) !*Conn {
        const stream = try p.address.connect(p.io, .{ .mode = .stream });
        errdefer stream.close(p.io);
        setNoDelay(stream);
        const c = try p.gpa.create(Conn);
        c.stream = stream;
        c.reader = stream.reader(p.io, &c.read_buf);
        c.writer = stream.writer(p.io, &c.write_buf);
        c.resetReader();
        return c;
    }

    fn discard(p: *Pool, c: *Conn) void {
        c.stream.close(p.io);
        p.gpa.destroy(c);
    }

    fn release(p: *Pool, c: *Conn) void {
        p.mutex.lockUncancelable(p.io);
        if (p.idle.items.len < max_idle) {
            if (p.idle.append(p.gpa, c)) |_| {
                p.mutex.unlock(p.io);
                return;
            } else |_| {}
        }
        p.mutex.unlock(p.io);
        p.discard(c);
    }
};

/// What the client asked, already authorized.
pub const Outbound = struct {
    head: *const http.Head,
    body: []const u8,
    client_id: []const u8,
    client_ip: []const u8,
};

/// How forwarding ended.
pub const Result = enum {
    /// The answer was relayed; the client connection may be kept.
    relayed,
    /// The answer was relayed, but framed by closing the connection (HTTP/1.0 client and a
    /// body of unknown length).
    relayed_close,
    /// Nothing was written to the client: answer 502.
    upstream_failed,
};

const hop_by_hop = [_][]const u8{ "connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade" };

fn isHopByHop(name: []const u8, connection_values: []const []const u8) bool {
    for (hop_by_hop) |h| if (std.ascii.eqlIgnoreCase(name, h)) return true;
    for (connection_values) |v| {
        var it = std.mem.splitScalar(u8, v, ',');
        while (it.next()) |t| if (std.ascii.eqlIgnoreCase(std.mem.trim(u8, t, " \t"), name)) return true;
    }
    return false;
}

fn writeRequest(w: *Io.Writer, p: *const Pool, o: Outbound) Io.Writer.Error!void {
    const h = o.head;
    try w.print("{s} {s} HTTP/1.1\r\nhost: {s}\r\n", .{ h.method, h.target, p.host });
    var conn_buf: [16][]const u8 = undefined;
    const conn_values = http.values(h, "connection", &conn_buf);
    for (h.fields()) |f| {
        if (isHopByHop(f.name, conn_values) or
            std.ascii.eqlIgnoreCase(f.name, "authorization") or
            std.ascii.eqlIgnoreCase(f.name, "x-client-id") or
            std.ascii.eqlIgnoreCase(f.name, "x-forwarded-for") or
            std.ascii.eqlIgnoreCase(f.name, "host") or
            std.ascii.eqlIgnoreCase(f.name, "content-length")) continue;
        try writeField(w, f);
    }
    try w.writeAll("x-forwarded-for: ");
    for (h.fields()) |f| {
        if (!std.ascii.eqlIgnoreCase(f.name, "x-forwarded-for")) continue;
        try w.writeAll(f.value);
        try w.writeAll(", ");
    }
    try w.print("{s}\r\nx-client-id: {s}\r\n", .{ o.client_ip, o.client_id });
    if (h.content_length != null or o.body.len > 0) try w.print("content-length: {d}\r\n", .{o.body.len});
    try w.writeAll("\r\n");
    try w.writeAll(o.body);
}

fn writeField(w: *Io.Writer, f: http.Header) Io.Writer.Error!void {
    var parts = [_][]const u8{ f.name, ": ", f.value, "\r\n" };
    try w.writeVecAll(&parts);
}

const ResponseHead = struct {
    status: u16,
    reason: []const u8,
    content_length: ?u64 = null,
    chunked: bool = false,
    close: bool = false,
    http10: bool = false,
};

fn parseResponseHead(bytes: []const u8) ?ResponseHead {
    var lines = std.mem.splitScalar(u8, bytes, '\n');
    const first = std.mem.trimEnd(u8, lines.first(), "\r");
    if (first.len < 12 or first[8] != ' ') return null;
    var r: ResponseHead = .{ .status = 0, .reason = std.mem.trimStart(u8, first[12..], " ") };
    if (std.mem.eql(u8, first[0..8], "HTTP/1.0")) {
        r.http10 = true;
        r.close = true;
    } else if (!std.mem.eql(u8, first[0..8], "HTTP/1.1")) return null;
    r.status = std.fmt.parseInt(u16, first[9..12], 10) catch return null;
    if (r.status < 100) return null;
    while (lines.next()) |raw| {
        const line = std.mem.trimEnd(u8, raw, "\r");
        if (line.len == 0) break;
        const colon = std.mem.findScalar(u8, line, ':') orelse return null;
        const name = line[0..colon];
        const value = std.mem.trim(u8, line[colon + 1 ..], " \t");
        if (std.ascii.eqlIgnoreCase(name, "content-length")) {
            const n = std.fmt.parseInt(u64, value, 10) catch return null;
            if (r.content_length) |prev| if (prev != n) return null;
            r.content_length = n;
        } else if (std.ascii.eqlIgnoreCase(name, "transfer-encoding")) {
            var it = std.mem.splitBackwardsScalar(u8, value, ',');
            if (std.ascii.eqlIgnoreCase(std.mem.trim(u8, it.first(), " \t"), "chunked")) r.chunked = true;
        } else if (std.ascii.eqlIgnoreCase(name, "connection")) {
            var it = std.mem.splitScalar(u8, value, ',');
            while (it.next()) |t| {
                const tok = std.mem.trim(u8, t, " \t");
                if (std.ascii.eqlIgnoreCase(tok, "close")) r.close = true;
                if (r.http10 and std.ascii.eqlIgnoreCase(tok, "keep-alive")) r.close = false;
            }
        }
    }
    return r;
}

/// Sends `o` to the backend and relays the answer to `out` (flushed). A failure before any byte
/// was written to `out` returns `.upstream_failed`; a failure after that is an error (the
/// client connection must be closed).
pub fn forward(p: *Pool, o: Outbound, out: *Io.Writer) !Result {
    var attempt: u8 = 0;
    while (true) : (attempt += 1) {
        const pooled = p.take();
        const c = pooled orelse (p.connect() catch return .upstream_failed);
        const sent = blk: {
            writeRequest(&c.writer.interface, p, o) catch break :blk false;
            c.writer.interface.flush() catch break :blk false;
            break :blk true;
        };
        const head_bytes: ?[]const u8 = if (sent) (c.http_reader.receiveHead() catch null) else null;
        if (head_bytes == null) {
            p.discard(c);
            // A reused connection the backend had closed: try once more on a fresh one, for
            // requests without a body.
            if (pooled != null and attempt == 0 and o.body.len == 0) continue;
            return .upstream_failed;
        }
        const rh = parseResponseHead(head_bytes.?) orelse {
            p.discard(c);
            return .upstream_failed;
        };
        if (rh.status < 200) {
            // 1xx interim answers are not relayed (none are requested).
            p.discard(c);
            return .upstream_failed;
        }
        return relay(p, c, o, head_bytes.?, rh, out);
    }
}

fn relay(p: *Pool, c: *Conn, o: Outbound, head_bytes: []const u8, rh: ResponseHead, out: *Io.Writer) !Result {
    var keep_upstream = !rh.close;
    defer if (keep_upstream) {
        c.resetReader();
        p.release(c);
    } else p.discard(c);
    errdefer keep_upstream = false;

    const head_request = std.mem.eql(u8, o.head.method, "HEAD");
    const no_body = head_request or rh.status == 204 or rh.status == 304;
    const client_http10 = o.head.version == .http10;
    // Unknown length (read until the backend closes): chunked to an HTTP/1.1 client, or framed
    // by closing the connection for HTTP/1.0.
    const unknown_length = !no_body and !rh.chunked and rh.content_length == null;
    const rechunk = !no_body and (rh.chunked or unknown_length) and !client_http10;
    const close_client = !no_body and (rh.chunked or unknown_length) and client_http10;
    if (unknown_length) keep_upstream = false;

    try out.print("HTTP/1.1 {d} {s}\r\n", .{ rh.status, rh.reason });
    var conn_values: [16][]const u8 = undefined;
    var n_conn: usize = 0;
    {
        var lines = std.mem.splitScalar(u8, head_bytes, '\n');
        _ = lines.first();
        while (lines.next()) |raw| {
            const line = std.mem.trimEnd(u8, raw, "\r");
            if (line.len == 0) break;
            const colon = std.mem.findScalar(u8, line, ':').?;
            if (std.ascii.eqlIgnoreCase(line[0..colon], "connection") and n_conn < conn_values.len) {
                conn_values[n_conn] = std.mem.trim(u8, line[colon + 1 ..], " \t");
                n_conn += 1;
            }
        }
        lines = std.mem.splitScalar(u8, head_bytes, '\n');
        _ = lines.first();
        while (lines.next()) |raw| {
            const line = std.mem.trimEnd(u8, raw, "\r");
            if (line.len == 0) break;
            const colon = std.mem.findScalar(u8, line, ':').?;
            const name = line[0..colon];
            if (isHopByHop(name, conn_values[0..n_conn])) continue;
            if (rechunk and std.ascii.eqlIgnoreCase(name, "content-length")) continue;
            try out.writeAll(line);
            try out.writeAll("\r\n");
        }
    }
    if (rechunk) try out.writeAll("transfer-encoding: chunked\r\n");
    if (close_client or o.head.close) {
        try out.writeAll("connection: close\r\n");
    } else if (client_http10) {
        try out.writeAll("connection: keep-alive\r\n");
    }
    try out.writeAll("\r\n");

    if (no_body) {
        // Nothing to read; the upstream reader goes back to ready below.
    } else {
        var transfer: [8192]u8 = undefined;
        const te: std.http.TransferEncoding = if (rh.chunked) .chunked else .none;
        const body = c.http_reader.bodyReader(&transfer, te, rh.content_length);
        if (rechunk) {
            var chunk_buf: [8192]u8 = undefined;
            var bw: std.http.BodyWriter = .{
                .http_protocol_output = out,
                .state = .init_chunked,
                .writer = .{
                    .buffer = &chunk_buf,
                    .vtable = &.{ .drain = std.http.BodyWriter.chunkedDrain, .sendFile = std.http.BodyWriter.chunkedSendFile },
                },
            };
            _ = body.streamRemaining(&bw.writer) catch return error.UpstreamBody;
            bw.end() catch return error.WriteFailed;
        } else {
            _ = body.streamRemaining(out) catch return error.UpstreamBody;
        }
        if (c.http_reader.state != .ready) keep_upstream = false;
    }
    try out.flush();
    return if (close_client) .relayed_close else .relayed;
}

const testing = std.testing;

test "response heads" {
    const r = parseResponseHead("HTTP/1.1 201 Created\r\nContent-Length: 5\r\nConnection: close\r\n\r\n").?;
    try testing.expectEqual(@as(u16, 201), r.status);
    try testing.expectEqualStrings("Created", r.reason);
    try testing.expectEqual(@as(?u64, 5), r.content_length);
    try testing.expect(r.close);
    const c = parseResponseHead("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n").?;
    try testing.expect(c.chunked);
    try testing.expect(!c.close);
    try testing.expect(parseResponseHead("HTTP/1.0 200 OK\r\n\r\n").?.close);
    try testing.expect(!parseResponseHead("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n\r\n").?.close);
    try testing.expect(parseResponseHead("garbage\r\n\r\n") == null);
    try testing.expect(parseResponseHead("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n") == null);
}

test "request rewriting" {
    var h: http.Head = undefined;
    try http.parseHead("POST /a%2Fb?q HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer t\r\nX-Client-Id: spoofed\r\n" ++
        "X-Forwarded-For: 10.0.0.1\r\nConnection: X-Hop\r\nX-Hop: secret\r\nX-Forwarded-For: 10.0.0.2\r\nKeep-Alive: 1\r\n" ++
        "Proxy-Authorization: x\r\nX-Custom: kept\r\nContent-Length: 7\r\n\r\n", &h);
    var p: Pool = .{ .gpa = testing.allocator, .io = testing.io, .address = undefined, .host = "127.0.0.1:9" };
    var buf: [1024]u8 = undefined;
    var w: Io.Writer = .fixed(&buf);
    try writeRequest(&w, &p, .{ .head = &h, .body = "payload", .client_id = "rs-03", .client_ip = "127.0.0.1" });
    try testing.expectEqualStrings("POST /a%2Fb?q HTTP/1.1\r\nhost: 127.0.0.1:9\r\n" ++
        "X-Custom: kept\r\nx-forwarded-for: 10.0.0.1, 10.0.0.2, 127.0.0.1\r\nx-client-id: rs-03\r\ncontent-length: 7\r\n\r\npayload", w.buffered());
}
