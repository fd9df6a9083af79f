//! End-to-end tests: the proxy on a free loopback port in front of small in-process backends
//! (std.http.Server), driven with raw HTTP/1.1 so every byte on the wire is visible. Every test
//! cancels the proxies and backends it started (`stopAll`), since the test runner waits for all
//! threads of its `Io` before the next test; their memory comes from the page allocator and is
//! not freed.

const std = @import("std");
const Io = std.Io;
const net = Io.net;
const mem = std.mem;
const testing = std.testing;
const proxy = @import("proxy.zig");
const pool = @import("pool.zig");
const socket = @import("socket.zig");
const config = @import("config.zig");
const Balancer = @import("balancer.zig").Balancer;

const gpa = std.heap.page_allocator;

/// Groups of the proxies and backends started by the running test, in start order.
var started: std.ArrayList(*Io.Group) = .empty;

/// Cancels everything the test started, newest first (proxies before their backends).
fn stopAll(io: Io) void {
    while (started.pop()) |g| g.cancel(io);
}

const Behavior = enum {
    /// Echo the body, or "hello from backend" when there is none.
    echo,
    /// Answer "ok" with hop-by-hop fields that must not reach the client.
    hop_by_hop,
    /// Send "first;", wait until `release` is set, then "second".
    slow,
    /// Never answer.
    hang,
};

const Backend = struct {
    io: Io,
    server: net.Server,
    index: u8,
    behavior: Behavior,
    conns: std.atomic.Value(usize) = .init(0),
    hits: std.atomic.Value(usize) = .init(0),
    release: std.atomic.Value(bool) = .init(false),
    mutex: Io.Mutex = .init,
    /// The last request head received.
    last_head: [4096]u8 = undefined,
    last_len: usize = 0,
    group: Io.Group = .init,

    fn start(io: Io, index: u8, behavior: Behavior) !*Backend {
        const b = try gpa.create(Backend);
        b.* = .{ .io = io, .server = try socket.listen(.loopback(0), 128), .index = index, .behavior = behavior };
        try b.group.concurrent(io, acceptLoop, .{b});
        try started.append(gpa, &b.group);
        return b;
    }

    fn port(b: *Backend) u16 {
        var sa: std.os.linux.sockaddr.in = undefined;
        var len: std.posix.socklen_t = @sizeOf(std.os.linux.sockaddr.in);
        _ = std.os.linux.getsockname(b.server.socket.handle, @ptrCast(&sa), &len);
        return mem.bigToNative(u16, sa.port);
    }

    fn text(b: *Backend) []const u8 {
        return std.fmt.allocPrint(gpa, "127.0.0.1:{d}", .{b.port()}) catch unreachable;
    }

    fn lastHead(b: *Backend) []const u8 {
        b.mutex.lockUncancelable(b.io);
        defer b.mutex.unlock(b.io);
        return gpa.dupe(u8, b.last_head[0..b.last_len]) catch unreachable;
    }

    fn acceptLoop(b: *Backend) void {
        while (true) {
            const s = b.server.accept(b.io) catch return;
            _ = b.conns.fetchAdd(1, .monotonic);
            b.group.concurrent(b.io, serve, .{ b, s }) catch s.close(b.io);
        }
    }

    fn serve(b: *Backend, s: net.Stream) void {
        const io = b.io;
        defer s.close(io);
        var rbuf: [32768]u8 = undefined;
        var wbuf: [4096]u8 = undefined;
        var r = s.reader(io, &rbuf);
        var w = s.writer(io, &wbuf);
        var http = std.http.Server.init(&r.interface, &w.interface);
        while (http.reader.state == .ready) {
            var req = http.receiveHead() catch return;
            _ = b.hits.fetchAdd(1, .monotonic);
            {
                b.mutex.lockUncancelable(io);
                defer b.mutex.unlock(io);
                const n = @min(req.head_buffer.len, b.last_head.len);
                @memcpy(b.last_head[0..n], req.head_buffer[0..n]);
                b.last_len = n;
            }
            var index_text = [1]u8{'0' + b.index};
            const x_backend: std.http.Header = .{ .name = "x-backend", .value = &index_text };
            switch (b.behavior) {
                .echo => {
                    var body_buf: [1 << 16]u8 = undefined;
                    var body: std.ArrayList(u8) = .empty;
                    defer body.deinit(gpa);
                    if (req.head.content_length != null or req.head.transfer_encoding == .chunked) {
                        const br = req.readerExpectContinue(&body_buf) catch return;
                        br.appendRemainingUnlimited(gpa, &body) catch return;
                    }
                    const answer = if (body.items.len == 0) "hello from backend" else body.items;
                    req.respond(answer, .{ .extra_headers = &.{x_backend} }) catch return;
                },
                .hop_by_hop => req.respond("ok", .{ .extra_headers = &.{
                    x_backend,
                    .{ .name = "Connection", .value = "X-Drop-Me" },
                    .{ .name = "X-Drop-Me", .value = "1" },
                    .{ .name = "Keep-Alive", .value = "timeout=5" },
                    .{ .name = "Proxy-Authenticate", .value = "Basic" },
                    .{ .name = "X-Kept", .value = "yes" },
                } }) catch return,
                .slow => {
                    var sbuf: [256]u8 = undefined;
                    var bw = req.respondStreaming(&sbuf, .{ .respond_options = .{ .extra_headers = &.{x_backend} } }) catch return;
                    bw.writer.writeAll("first;") catch return;
                    bw.writer.flush() catch return; // into the chunk framing
                    bw.flush() catch return; // onto the socket
                    while (!b.release.load(.acquire)) io.sleep(.fromMilliseconds(5), .awake) catch return;
                    bw.writer.writeAll("second") catch return;
                    bw.end() catch return;
                },
                .hang => {
                    io.sleep(.fromSeconds(3600), .awake) catch {};
                    return;
                },
            }
        }
    }
};

/// A port where nothing listens.
fn deadPort(io: Io) !u16 {
    var s = try socket.listen(.loopback(0), 1);
    var sa: std.os.linux.sockaddr.in = undefined;
    var len: std.posix.socklen_t = @sizeOf(std.os.linux.sockaddr.in);
    _ = std.os.linux.getsockname(s.socket.handle, @ptrCast(&sa), &len);
    s.deinit(io);
    return mem.bigToNative(u16, sa.port);
}

/// Starts a proxy in front of `backends` ("127.0.0.1:PORT" each); returns its port.
fn startProxy(io: Io, backends: []const []const u8, upstream_timeout_ms: u64) !u16 {
    const list = try gpa.alloc(config.Backend, backends.len);
    for (list, backends) |*b, t| {
        const colon = mem.findScalarLast(u8, t, ':').?;
        b.* = .{ .address = try net.Ip4Address.parse(t[0..colon], try std.fmt.parseInt(u16, t[colon + 1 ..], 10)), .text = t };
    }
    const cfg = try gpa.create(config.Config);
    cfg.* = .{ .listen = .loopback(0), .backends = list, .upstream_timeout_ms = upstream_timeout_ms };
    const server = try gpa.create(net.Server);
    server.* = try socket.listen(cfg.listen, 128);
    const sh = try gpa.create(proxy.Shared);
    sh.* = .{
        .gpa = gpa,
        .io = io,
        .cfg = cfg,
        .lb = try Balancer.init(gpa, list.len, cfg.down_ms),
        .pool = try pool.Pool.init(gpa, list.len, cfg.max_idle),
    };
    const group = try gpa.create(Io.Group);
    group.* = .init;
    try group.concurrent(io, runProxy, .{ sh, server });
    try started.append(gpa, group);
    var sa: std.os.linux.sockaddr.in = undefined;
    var len: std.posix.socklen_t = @sizeOf(std.os.linux.sockaddr.in);
    _ = std.os.linux.getsockname(server.socket.handle, @ptrCast(&sa), &len);
    return mem.bigToNative(u16, sa.port);
}

fn runProxy(sh: *proxy.Shared, server: *net.Server) void {
    proxy.serve(sh, server) catch {};
}

const Answer = struct {
    status: u16,
    head: []const u8,
    body: []const u8,

    fn header(a: Answer, name: []const u8) ?[]const u8 {
        var it = mem.splitSequence(u8, a.head, "\r\n");
        _ = it.next();
        while (it.next()) |line| {
            const colon = mem.findScalar(u8, line, ':') orelse continue;
            if (std.ascii.eqlIgnoreCase(line[0..colon], name)) return mem.trim(u8, line[colon + 1 ..], " ");
        }
        return null;
    }
};

/// Sends `raw` and reads until the proxy closes the connection; with `half_close` the client
/// shuts its sending side first, as a client that gave up would.
fn exchange(io: Io, port: u16, raw: []const u8, half_close: bool) !Answer {
    const s = try socket.connect(.loopback(port), 1000);
    defer s.close(io);
    var wbuf: [1024]u8 = undefined;
    var w = s.writer(io, &wbuf);
    try w.interface.writeAll(raw);
    try w.interface.flush();
    if (half_close) try s.shutdown(io, .send);
    var rbuf: [4096]u8 = undefined;
    var r = s.reader(io, &rbuf);
    var out: std.ArrayList(u8) = .empty;
    r.interface.appendRemainingUnlimited(gpa, &out) catch {};
    const end = mem.find(u8, out.items, "\r\n\r\n") orelse return .{ .status = 0, .head = "", .body = "" };
    const status = std.fmt.parseInt(u16, out.items[9..12], 10) catch 0;
    const a: Answer = .{ .status = status, .head = out.items[0..end], .body = out.items[end + 4 ..] };
    if (a.header("transfer-encoding") != null) return .{ .status = status, .head = a.head, .body = try dechunk(a.body) };
    return a;
}

fn dechunk(in: []const u8) ![]const u8 {
    var out: std.ArrayList(u8) = .empty;
    var rest = in;
    while (true) {
        const nl = mem.find(u8, rest, "\r\n") orelse return error.BadChunk;
        const n = try std.fmt.parseInt(usize, rest[0..nl], 16);
        if (n == 0) return out.items;
        try out.appendSlice(gpa, rest[nl + 2 ..][0..n]);
        rest = rest[nl + 4 + n ..];
    }
}

fn get(io: Io, port: u16, target: []const u8, extra: []const u8) !Answer {
    const raw = try std.fmt.allocPrint(gpa, "GET {s} HTTP/1.1\r\nHost: h\r\n{s}Connection: close\r\n\r\n", .{ target, extra });
    return exchange(io, port, raw, false);
}

test "forwards byte for byte and balances in round robin" {
    const io = testing.io;
    defer stopAll(io);
    var bs: [3]*Backend = undefined;
    var texts: [3][]const u8 = undefined;
    for (&bs, &texts, 0..) |*b, *t, i| {
        b.* = try Backend.start(io, @intCast(i), .echo);
        t.* = b.*.text();
    }
    const p = try startProxy(io, &texts, 30000);
    for (0..9) |i| {
        const a = try get(io, p, "/x/%2e%2E/y?q=a%20b&r", "");
        try testing.expectEqual(@as(u16, 200), a.status);
        try testing.expectEqualStrings("hello from backend", a.body);
        try testing.expectEqual(@as(u8, '0' + @as(u8, @intCast(i % 3))), a.header("x-backend").?[0]);
    }
    for (bs) |b| try testing.expectEqual(@as(usize, 3), b.hits.load(.monotonic));
    const h = bs[0].lastHead();
    try testing.expect(mem.startsWith(u8, h, "GET /x/%2e%2E/y?q=a%20b&r HTTP/1.1\r\nHost: h\r\n"));
    try testing.expect(mem.find(u8, h, "X-Forwarded-For: 127.0.0.1\r\n") != null);
    try testing.expect(std.ascii.findIgnoreCase(h, "connection") == null);
}

test "hop-by-hop fields are removed in both directions; X-Forwarded-For is appended" {
    const io = testing.io;
    defer stopAll(io);
    const b = try Backend.start(io, 0, .hop_by_hop);
    const p = try startProxy(io, &.{b.text()}, 30000);
    const a = try exchange(io, p, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close, X-Secret\r\nX-Secret: 1\r\n" ++
        "Keep-Alive: 300\r\nTE: trailers\r\nProxy-Authorization: Basic abc\r\nProxy-Connection: keep-alive\r\n" ++
        "Upgrade: websocket\r\nX-Forwarded-For: 1.2.3.4\r\nX-Kept: a\r\nX-Kept: b\r\n\r\n", false);
    try testing.expectEqual(@as(u16, 200), a.status);
    try testing.expectEqualStrings("ok", a.body);
    const h = b.lastHead();
    for ([_][]const u8{ "connection", "x-secret", "keep-alive", "te:", "proxy-authorization", "proxy-connection", "upgrade" }) |name| {
        if (std.ascii.findIgnoreCase(h, name) != null) {
            std.debug.print("forwarded {s}:\n{s}\n", .{ name, h });
            return error.TestUnexpectedResult;
        }
    }
    try testing.expect(mem.find(u8, h, "X-Kept: a\r\nX-Kept: b\r\n") != null);
    try testing.expect(mem.find(u8, h, "X-Forwarded-For: 1.2.3.4, 127.0.0.1\r\n") != null);
    for ([_][]const u8{ "x-drop-me", "keep-alive", "proxy-authenticate" }) |name| {
        try testing.expectEqual(@as(?[]const u8, null), a.header(name));
    }
    try testing.expectEqualStrings("yes", a.header("x-kept").?);
}

test "failover on a refused connection; 502 when no backend is up; 504 on a silent backend" {
    const io = testing.io;
    defer stopAll(io);
    const live = try Backend.start(io, 1, .echo);
    const dead = try std.fmt.allocPrint(gpa, "127.0.0.1:{d}", .{try deadPort(io)});
    const p = try startProxy(io, &.{ dead, live.text() }, 30000);
    // The first request picks the dead backend, is refused, and moves on; its body survives.
    const a = try exchange(io, p, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 7\r\nConnection: close\r\n\r\npayload", false);
    try testing.expectEqual(@as(u16, 200), a.status);
    try testing.expectEqualStrings("payload", a.body);
    for (0..10) |_| {
        const g = try get(io, p, "/", "");
        try testing.expectEqual(@as(u16, 200), g.status);
        try testing.expectEqualStrings("1", g.header("x-backend").?);
    }
    try testing.expectEqual(@as(usize, 11), live.hits.load(.monotonic));

    const none = try startProxy(io, &.{ dead, dead }, 30000);
    for (0..3) |_| try testing.expectEqual(@as(u16, 502), (try get(io, none, "/", "")).status);

    const hang = try Backend.start(io, 0, .hang);
    const slow = try startProxy(io, &.{hang.text()}, 200);
    try testing.expectEqual(@as(u16, 504), (try get(io, slow, "/", "")).status);
}

test "upstream connections are pooled" {
    const io = testing.io;
    defer stopAll(io);
    const b = try Backend.start(io, 0, .echo);
    const p = try startProxy(io, &.{b.text()}, 30000);
    for (0..20) |_| try testing.expectEqual(@as(u16, 200), (try get(io, p, "/", "")).status);
    try testing.expectEqual(@as(usize, 1), b.conns.load(.monotonic));
}

test "bodies are streamed and identical" {
    const io = testing.io;
    defer stopAll(io);
    const echo = try Backend.start(io, 0, .echo);
    const p = try startProxy(io, &.{echo.text()}, 30000);
    const payload = try gpa.alloc(u8, 60000);
    var prng: std.Random.DefaultPrng = .init(42);
    prng.random().bytes(payload);
    const raw = try std.fmt.allocPrint(gpa, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: {d}\r\nConnection: close\r\n\r\n{s}", .{ payload.len, payload });
    try testing.expectEqualSlices(u8, payload, (try exchange(io, p, raw, false)).body);
    const chunked = try exchange(io, p, "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n" ++
        "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", false);
    try testing.expectEqualStrings("hello world", chunked.body);

    // The first part reaches the client before the backend has finished the response.
    const slow = try Backend.start(io, 0, .slow);
    const q = try startProxy(io, &.{slow.text()}, 30000);
    const s = try socket.connect(.loopback(q), 1000);
    defer s.close(io);
    var wbuf: [256]u8 = undefined;
    var w = s.writer(io, &wbuf);
    try w.interface.writeAll("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    try w.interface.flush();
    var rbuf: [4096]u8 = undefined;
    var r = s.reader(io, &rbuf);
    while (mem.find(u8, r.interface.buffered(), "first;") == null) try r.interface.fillMore();
    try testing.expect(mem.find(u8, r.interface.buffered(), "second") == null);
    slow.release.store(true, .release);
    var out: std.ArrayList(u8) = .empty;
    try r.interface.appendRemainingUnlimited(gpa, &out);
    try testing.expect(mem.find(u8, out.items, "second") != null);
}

test "malformed, truncated and oversized requests are answered without crashing" {
    const io = testing.io;
    defer stopAll(io);
    const b = try Backend.start(io, 0, .echo);
    const p = try startProxy(io, &.{b.text()}, 30000);
    const filler = try gpa.alloc(u8, 17000);
    @memset(filler, 'a');
    const big = try std.fmt.allocPrint(gpa, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: {s}\r\n\r\n", .{filler});
    const fine = try std.fmt.allocPrint(gpa, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: {s}\r\nConnection: close\r\n\r\n", .{filler[0..15000]});
    var many: std.ArrayList(u8) = .empty;
    try many.appendSlice(gpa, "GET / HTTP/1.1\r\nHost: x\r\n");
    for (0..101) |i| try many.print(gpa, "X-H{d}: v\r\n", .{i});
    try many.appendSlice(gpa, "\r\n");
    const cases = [_]struct { []const u8, []const u8, u16 }{
        .{ "garbage", "\x16\x03\x01\x00\xa5garbage\r\n\r\n", 400 },
        .{ "no version", "GET /\r\n\r\n", 400 },
        .{ "bad content-length", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1x\r\n\r\n", 400 },
        .{ "conflicting content-length", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", 400 },
        .{ "unknown transfer-encoding", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501 },
        .{ "absolute-form target", "GET http://example.com/ HTTP/1.1\r\nHost: x\r\n\r\n", 400 },
        .{ "missing host", "GET / HTTP/1.1\r\n\r\n", 400 },
        .{ "no colon", "GET / HTTP/1.1\r\nHost: x\r\nbroken\r\n\r\n", 400 },
        .{ "unknown expectation", "GET / HTTP/1.1\r\nHost: x\r\nExpect: magic\r\n\r\n", 417 },
        .{ "oversized head", big, 431 },
        .{ "too many fields", many.items, 431 },
        .{ "large head within the limit", fine, 200 },
        .{ "truncated head", "GET / HTTP/1.1\r\nHost: x\r\nX-A: partial", 0 },
        .{ "truncated body", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nshort", 0 },
        .{ "bad chunk size", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 0 },
        .{ "empty", "", 0 },
    };
    for (cases) |c| {
        const a = try exchange(io, p, c[1], c[2] == 0);
        if (c[2] == 0) {
            if (a.status >= 200 and a.status < 300) {
                std.debug.print("{s}: answered {d}\n", .{ c[0], a.status });
                return error.TestUnexpectedResult;
            }
        } else if (a.status != c[2]) {
            std.debug.print("{s}: answered {d}, want {d}\n", .{ c[0], a.status, c[2] });
            return error.TestUnexpectedResult;
        }
        try testing.expectEqual(@as(u16, 200), (try get(io, p, "/", "")).status);
    }
}
