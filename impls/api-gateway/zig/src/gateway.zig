//! One client connection through the request pipeline (README "Request pipeline").

const std = @import("std");
const Io = std.Io;
const http = @import("http.zig");
const jwt = @import("jwt.zig");
const proxy = @import("proxy.zig");
const Limiter = @import("limiter.zig").Limiter;

pub const max_body: u64 = 1 << 20;
/// The largest head read (README: 8 KiB accepted, 431 above 16 KiB).
pub const head_buffer_len = 16 * 1024;

pub const target = jwt.Rejection{ .status = 400, .body = "{\"error\":\"invalid_request\",\"detail\":\"target\"}" };
pub const path_rej = jwt.Rejection{ .status = 400, .body = "{\"error\":\"invalid_request\",\"detail\":\"path\"}" };
pub const bad_request = jwt.Rejection{ .status = 400, .body = "{\"error\":\"invalid_request\",\"detail\":\"malformed\"}" };
pub const too_many_fields = jwt.Rejection{ .status = 431, .body = "{\"error\":\"invalid_request\",\"detail\":\"head too large\"}" };
pub const method = jwt.Rejection{ .status = 405, .body = "{\"error\":\"method_not_allowed\",\"detail\":\"method\"}" };
pub const length = jwt.Rejection{ .status = 411, .body = "{\"error\":\"length_required\",\"detail\":\"transfer-encoding\"}" };
pub const too_large = jwt.Rejection{ .status = 413, .body = "{\"error\":\"payload_too_large\",\"detail\":\"content-length\"}" };
pub const bad_gateway = jwt.Rejection{ .status = 502, .body = "{\"error\":\"bad_gateway\",\"detail\":\"upstream\"}" };
const health_body = "{\"status\":\"ok\"}";

const allowed_methods = [_][]const u8{ "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS" };

pub const Gateway = struct {
    gpa: std.mem.Allocator,
    io: Io,
    verifier: jwt.Verifier,
    limiter: *Limiter,
    pool: *proxy.Pool,
    /// Wall clock in Unix seconds.
    wall_now: *const fn (Io) i64,
};

pub fn unixNow(io: Io) i64 {
    const ns = Io.Clock.real.now(io).nanoseconds;
    return @intCast(@divFloor(ns, std.time.ns_per_s));
}

/// Serves one connection until it closes; never fails (errors close the connection).
pub fn serveConnection(gw: *Gateway, stream: Io.net.Stream) void {
    const io = gw.io;
    proxy.setNoDelay(stream);
    var recv_buf: [head_buffer_len]u8 = undefined;
    var send_buf: [16 * 1024]u8 = undefined;
    var sr = stream.reader(io, &recv_buf);
    var sw = stream.writer(io, &send_buf);
    var hr: std.http.Reader = .{ .in = &sr.interface, .state = .ready, .interface = undefined, .max_head_len = head_buffer_len, .side = .request };
    var arena_state = std.heap.ArenaAllocator.init(gw.gpa);
    defer arena_state.deinit();
    var ip_buf: [16]u8 = undefined;
    const client_ip = switch (stream.socket.address) {
        .ip4 => |a| std.fmt.bufPrint(&ip_buf, "{d}.{d}.{d}.{d}", .{ a.bytes[0], a.bytes[1], a.bytes[2], a.bytes[3] }) catch "0.0.0.0",
        else => "::1",
    };
    var linger = false;
    defer {
        if (linger) lingeringClose(io, stream, &sr) else stream.close(io);
    }
    while (true) {
        _ = arena_state.reset(.retain_capacity);
        const head_bytes = hr.receiveHead() catch |err| switch (err) {
            error.HttpHeadersOversize => {
                http.writeJson(&sw.interface, 431, too_many_fields.body, .{ .close = true }) catch return;
                sw.interface.flush() catch return;
                linger = true;
                return;
            },
            // Closed between requests, closed mid-head, or a read error: close silently.
            error.HttpConnectionClosing, error.HttpRequestTruncated, error.ReadFailed => return,
        };
        var head: http.Head = undefined;
        http.parseHead(head_bytes, &head) catch |err| {
            const r = if (err == error.TooManyHeaders) too_many_fields else bad_request;
            http.writeJson(&sw.interface, r.status, r.body, .{ .close = true }) catch return;
            sw.interface.flush() catch return;
            linger = true;
            return;
        };
        const keep = handleRequest(gw, arena_state.allocator(), &hr, &head, head_bytes, client_ip, &sw.interface) catch return;
        sw.interface.flush() catch return;
        if (!keep) {
            linger = true;
            return;
        }
    }
}

/// Half-closes, then reads what the client still sends (bounded) so that the answer is not lost
/// to a reset, then closes.
fn lingeringClose(io: Io, stream: Io.net.Stream, sr: *Io.net.Stream.Reader) void {
    stream.shutdown(io, .send) catch {};
    var total: usize = 0;
    while (total < 1 << 20) {
        const n = sr.interface.discard(.limited(64 * 1024)) catch break;
        if (n == 0) break;
        total += n;
    }
    stream.close(io);
}

/// Answers one request; returns whether the connection stays open.
fn handleRequest(gw: *Gateway, arena: std.mem.Allocator, hr: *std.http.Reader, head_in: *http.Head, head_bytes: []const u8, client_ip: []const u8, out: *Io.Writer) !bool {
    var head = head_in;
    const head_only = std.mem.eql(u8, head.method, "HEAD");
    const extra: http.Extra = .{ .close = head.close, .keep_alive_10 = head.version == .http10, .head_only = head_only };
    const has_body = (head.content_length orelse 0) > 0;

    // 2. Body framing: answer, then close (the body is not read).
    if (head.transfer_encoding) return reject(out, length, .{ .close = true, .head_only = head_only });
    if ((head.content_length orelse 0) > max_body) return reject(out, too_large, .{ .close = true, .head_only = head_only });

    // A rejection below keeps the connection: the body (≤ 1 MiB) is read and dropped first.
    const Reject = struct {
        fn send(h: *std.http.Reader, o: *Io.Writer, r: jwt.Rejection, e: http.Extra, cl: ?u64) !bool {
            try discardBody(h, cl);
            return reject(o, r, e);
        }
    };

    // 3. Target and path.
    const t = head.target;
    if (t[0] != '/') return Reject.send(hr, out, target, extra, head.content_length);
    const raw_path = if (std.mem.findScalar(u8, t, '?')) |q| t[0..q] else t;
    const path_buf = try arena.alloc(u8, raw_path.len);
    const path = http.checkPath(raw_path, path_buf) orelse return Reject.send(hr, out, path_rej, extra, head.content_length);

    // 4. Health.
    if (std.mem.eql(u8, path, "/healthz")) {
        try discardBody(hr, head.content_length);
        try http.writeJson(out, 200, health_body, extra);
        return !head.close;
    }
    // 5. Method.
    const allowed = for (allowed_methods) |m| {
        if (std.mem.eql(u8, head.method, m)) break true;
    } else false;
    if (!allowed) return Reject.send(hr, out, method, extra, head.content_length);

    // 6, 7. Authentication and authorization.
    var auth_buf: [8][]const u8 = undefined;
    const auth = http.values(head, "authorization", &auth_buf);
    const sub = switch (gw.verifier.verify(arena, auth, http.isAdminPath(path), gw.wall_now(gw.io))) {
        .ok => |s| s,
        .rejected => |r| return Reject.send(hr, out, r, extra, head.content_length),
    };

    // 8. Rate limit.
    if (try gw.limiter.allow(sub)) |retry| {
        try discardBody(hr, head.content_length);
        const body = try std.fmt.allocPrint(arena, "{{\"error\":\"rate_limited\",\"retry_after\":{d}}}", .{retry});
        var e = extra;
        e.retry_after = retry;
        try http.writeJson(out, 429, body, e);
        return !head.close;
    }

    // 9. Proxy. Reading the body reuses the receive buffer, so keep a copy of the head first.
    var body: []u8 = &.{};
    if (has_body) {
        const copy = try arena.dupe(u8, head_bytes);
        const sub_copy = try arena.dupe(u8, sub);
        const h2 = try arena.create(http.Head);
        try http.parseHead(copy, h2);
        head = h2;
        body = try arena.alloc(u8, @intCast(head.content_length.?));
        const r = hr.bodyReader(&.{}, .none, head.content_length);
        r.readSliceAll(body) catch return error.ClientBody;
        return forwardAndAnswer(gw, head, body, sub_copy, client_ip, out, extra);
    }
    hr.state = .ready;
    return forwardAndAnswer(gw, head, body, sub, client_ip, out, extra);
}

fn forwardAndAnswer(gw: *Gateway, head: *const http.Head, body: []const u8, sub: []const u8, client_ip: []const u8, out: *Io.Writer, extra: http.Extra) !bool {
    const result = try proxy.forward(gw.pool, .{ .head = head, .body = body, .client_id = sub, .client_ip = client_ip }, out);
    return switch (result) {
        .relayed => !head.close,
        .relayed_close => false,
        .upstream_failed => reject(out, bad_gateway, extra),
    };
}

fn discardBody(hr: *std.http.Reader, cl: ?u64) !void {
    if (cl) |n| if (n > 0) {
        const r = hr.bodyReader(&.{}, .none, n);
        _ = r.discardRemaining() catch return error.ClientBody;
        return;
    };
    hr.state = .ready;
}

fn reject(out: *Io.Writer, r: jwt.Rejection, extra: http.Extra) !bool {
    try http.writeJson(out, r.status, r.body, extra);
    return !extra.close;
}
