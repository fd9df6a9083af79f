//! The shared token cases (testdata/cases.json) and the whole gateway in-process, in front of a
//! recording test backend: header rewriting, rejections never reaching the backend, the rate
//! limit over HTTP, 502, and truncated, oversized and garbage requests.

const std = @import("std");
const Io = std.Io;
const testing = std.testing;
const jwt = @import("jwt.zig");
const http = @import("http.zig");
const proxy = @import("proxy.zig");
const gateway = @import("gateway.zig");
const limiter_mod = @import("limiter.zig");

const cases_json = @embedFile("cases.json");
const secret_file = @embedFile("hs256.secret");
const public_pem = @embedFile("rs256-public.pem");
const private_pem = @embedFile("rs256-private.pem");

const Case = struct {
    name: []const u8,
    authorization: ?[]const u8,
    path: []const u8,
    status: u16,
    body: ?[]const u8,
};
const CasesFile = struct {
    comment: []const u8,
    issuer: []const u8,
    audience: []const u8,
    test_now: i64,
    cases: []const Case,
};

fn loadCases(arena: std.mem.Allocator) !CasesFile {
    return std.json.parseFromSliceLeaky(CasesFile, arena, cases_json, .{});
}

fn testVerifier(arena: std.mem.Allocator) !jwt.Verifier {
    return .{
        .hs256 = .init(try jwt.loadSecret(secret_file)),
        .public = try jwt.loadPublicKey(arena, public_pem),
        .issuer = "bench-issuer",
        .audience = "bench-api",
    };
}

fn authOf(cf: CasesFile, name: []const u8) []const u8 {
    for (cf.cases) |c| if (std.mem.eql(u8, c.name, name)) return c.authorization.?;
    @panic("no such case");
}

test "every shared token case gets exactly the expected answer" {
    var arena_state = std.heap.ArenaAllocator.init(testing.allocator);
    defer arena_state.deinit();
    const arena = arena_state.allocator();
    const cf = try loadCases(arena);
    const v = try testVerifier(arena);
    try testing.expect(cf.cases.len >= 90);
    var failures: usize = 0;
    for (cf.cases) |c| {
        var one: [1][]const u8 = undefined;
        const auth: []const []const u8 = if (c.authorization) |a| blk: {
            one[0] = a;
            break :blk &one;
        } else &.{};
        var buf: [256]u8 = undefined;
        const path = http.checkPath(c.path, &buf).?;
        switch (v.verify(arena, auth, http.isAdminPath(path), cf.test_now)) {
            .ok => |sub| if (c.body != null) {
                std.debug.print("{s}: passed as {s}, expected {s}\n", .{ c.name, sub, c.body.? });
                failures += 1;
            },
            .rejected => |r| if (c.body == null or r.status != c.status or !std.mem.eql(u8, r.body, c.body.?)) {
                std.debug.print("{s}: got {d} {s}, expected {d} {?s}\n", .{ c.name, r.status, r.body, c.status, c.body });
                failures += 1;
            },
        }
    }
    try testing.expectEqual(@as(usize, 0), failures);
}

test "time boundaries are exact" {
    var arena_state = std.heap.ArenaAllocator.init(testing.allocator);
    defer arena_state.deinit();
    const arena = arena_state.allocator();
    const cf = try loadCases(arena);
    const v = try testVerifier(arena);
    const a = [_][]const u8{authOf(cf, "valid-hs-00")}; // exp 4102444800, nbf 1500000000
    try testing.expect(v.verify(arena, &a, false, 4102444799) == .ok);
    try testing.expectEqualStrings(jwt.expired.body, v.verify(arena, &a, false, 4102444800).rejected.body);
    try testing.expect(v.verify(arena, &a, false, 1500000000) == .ok);
    try testing.expectEqualStrings(jwt.not_yet_valid.body, v.verify(arena, &a, false, 1499999999).rejected.body);
    const f = [_][]const u8{authOf(cf, "valid-float-exp")};
    try testing.expect(v.verify(arena, &f, false, 4102444800) == .ok);
    const two = [_][]const u8{ a[0], a[0] };
    try testing.expectEqualStrings(jwt.malformed.body, v.verify(arena, &two, false, cf.test_now).rejected.body);
}

test "key loading" {
    var arena_state = std.heap.ArenaAllocator.init(testing.allocator);
    defer arena_state.deinit();
    const arena = arena_state.allocator();
    const k = try jwt.loadPublicKey(arena, public_pem);
    try testing.expectEqual(@as(usize, 256), k.modulus_len);
    try testing.expectError(error.NotPublicKeyPem, jwt.loadPublicKey(arena, private_pem));
    try testing.expectError(error.NotPublicKeyPem, jwt.loadPublicKey(arena, "garbage"));
}

// ---------------------------------------------------------------------------------------------
// In-process gateway

const Backend = struct {
    server: Io.net.Server,
    thread: std.Thread,
    mutex: Io.Mutex = .init,
    count: usize = 0,
    last: [8192]u8 = undefined,
    last_len: usize = 0,

    fn start(b: *Backend, io: Io) !void {
        const addr = try Io.net.IpAddress.parse("127.0.0.1", 0);
        b.server = try addr.listen(io, .{});
        b.thread = try std.Thread.spawn(.{}, acceptLoop, .{ b, io });
    }

    fn port(b: *const Backend) u16 {
        return b.server.socket.address.getPort();
    }

    fn acceptLoop(b: *Backend, io: Io) void {
        while (true) {
            const s = b.server.accept(io) catch return;
            const t = std.Thread.spawn(.{}, serve, .{ b, io, s }) catch {
                s.close(io);
                continue;
            };
            t.detach();
        }
    }

    fn serve(b: *Backend, io: Io, s: Io.net.Stream) void {
        defer s.close(io);
        var rb: [16384]u8 = undefined;
        var wb: [1024]u8 = undefined;
        var r = s.reader(io, &rb);
        var w = s.writer(io, &wb);
        var hr: std.http.Reader = .{ .in = &r.interface, .state = .ready, .interface = undefined, .max_head_len = rb.len, .side = .request };
        while (true) {
            const head = hr.receiveHead() catch return;
            var h: http.Head = undefined;
            http.parseHead(head, &h) catch return;
            b.mutex.lockUncancelable(io);
            @memcpy(b.last[0..head.len], head);
            var len = head.len;
            b.count += 1;
            b.mutex.unlock(io);
            const cl = h.content_length orelse 0;
            if (cl > 0) {
                var body: [1024]u8 = undefined;
                const br = hr.bodyReader(&.{}, .none, cl);
                br.readSliceAll(body[0..@intCast(cl)]) catch return;
                b.mutex.lockUncancelable(io);
                @memcpy(b.last[len..][0..@intCast(cl)], body[0..@intCast(cl)]);
                len += @intCast(cl);
                b.mutex.unlock(io);
            } else hr.state = .ready;
            b.mutex.lockUncancelable(io);
            b.last_len = len;
            b.mutex.unlock(io);
            w.interface.writeAll("HTTP/1.1 201 Created\r\nx-from-backend: yes\r\nkeep-alive: timeout=5\r\ncontent-length: 12\r\n\r\nbackend body") catch return;
            w.interface.flush() catch return;
        }
    }

    fn lastRequest(b: *Backend) []const u8 {
        return b.last[0..b.last_len];
    }

    fn stop(b: *Backend, io: Io) void {
        _ = std.os.linux.shutdown(b.server.socket.handle, std.os.linux.SHUT.RDWR);
        b.thread.join();
        b.server.deinit(io);
    }
};

const Harness = struct {
    arena_state: std.heap.ArenaAllocator,
    limiter: limiter_mod.Limiter,
    pool: proxy.Pool,
    gw: gateway.Gateway,
    server: Io.net.Server,
    thread: std.Thread,

    fn start(h: *Harness, io: Io, backend_port: u16) !void {
        const gpa = std.heap.smp_allocator;
        h.arena_state = std.heap.ArenaAllocator.init(gpa);
        const arena = h.arena_state.allocator();
        var overrides: std.StringHashMapUnmanaged(limiter_mod.Limit) = .empty;
        try overrides.put(arena, "greedy", .{ .rate = 100, .burst = 3 });
        h.limiter = .{ .gpa = gpa, .io = io, .default = .{ .rate = 10_000_000, .burst = 1000 }, .overrides = overrides, .clock = realClock, .clock_ctx = null };
        const host = try std.fmt.allocPrint(arena, "127.0.0.1:{d}", .{backend_port});
        h.pool = .{ .gpa = gpa, .io = io, .address = try Io.net.IpAddress.parse("127.0.0.1", backend_port), .host = host };
        h.gw = .{ .gpa = gpa, .io = io, .verifier = try testVerifier(arena), .limiter = &h.limiter, .pool = &h.pool, .wall_now = gateway.unixNow };
        const addr = try Io.net.IpAddress.parse("127.0.0.1", 0);
        h.server = try addr.listen(io, .{});
        h.thread = try std.Thread.spawn(.{}, acceptLoop, .{ h, io });
    }

    fn realClock(_: ?*anyopaque) u64 {
        return @intCast(Io.Clock.awake.now(testing.io).nanoseconds);
    }

    fn acceptLoop(h: *Harness, io: Io) void {
        while (true) {
            const s = h.server.accept(io) catch return;
            const t = std.Thread.spawn(.{}, gateway.serveConnection, .{ &h.gw, s }) catch {
                s.close(io);
                continue;
            };
            t.detach();
        }
    }

    fn port(h: *const Harness) u16 {
        return h.server.socket.address.getPort();
    }

    fn stop(h: *Harness, io: Io) void {
        _ = std.os.linux.shutdown(h.server.socket.handle, std.os.linux.SHUT.RDWR);
        h.thread.join();
        h.server.deinit(io);
        h.pool.deinit();
        h.limiter.deinit();
        h.arena_state.deinit();
    }
};

const Answer = struct { status: u16, head: []const u8, body: []const u8 };

/// Sends `raw` on a new connection and reads one answer (null if the connection closes first).
fn exchange(arena: std.mem.Allocator, io: Io, port: u16, raw: []const u8) !?Answer {
    const addr = try Io.net.IpAddress.parse("127.0.0.1", port);
    const s = try addr.connect(io, .{ .mode = .stream });
    defer s.close(io);
    var wb: [256]u8 = undefined;
    var w = s.writer(io, &wb);
    w.interface.writeAll(raw) catch {};
    w.interface.flush() catch {};
    return readAnswer(arena, io, s);
}

fn readAnswer(arena: std.mem.Allocator, io: Io, s: Io.net.Stream) !?Answer {
    const rb = try arena.alloc(u8, 65536);
    var r = s.reader(io, rb);
    var hr: std.http.Reader = .{ .in = &r.interface, .state = .ready, .interface = undefined, .max_head_len = rb.len, .side = .response };
    const head = hr.receiveHead() catch return null;
    const head_copy = try arena.dupe(u8, head);
    const status = try std.fmt.parseInt(u16, head_copy[9..12], 10);
    var cl: u64 = 0;
    var it = std.mem.splitSequence(u8, head_copy, "\r\n");
    while (it.next()) |line| {
        if (std.ascii.startsWithIgnoreCase(line, "content-length:")) cl = try std.fmt.parseInt(u64, std.mem.trim(u8, line[15..], " "), 10);
    }
    const body = try arena.alloc(u8, @intCast(cl));
    const br = hr.bodyReader(&.{}, .none, cl);
    br.readSliceAll(body) catch return null;
    return .{ .status = status, .head = head_copy, .body = body };
}

fn headerValue(head: []const u8, name: []const u8) ?[]const u8 {
    var it = std.mem.splitSequence(u8, head, "\r\n");
    while (it.next()) |line| {
        const colon = std.mem.findScalar(u8, line, ':') orelse continue;
        if (std.ascii.eqlIgnoreCase(line[0..colon], name)) return std.mem.trim(u8, line[colon + 1 ..], " ");
    }
    return null;
}

test "in-process gateway: rewriting, rejections, rate limit, malformed requests" {
    const io = testing.io;
    var arena_state = std.heap.ArenaAllocator.init(std.heap.smp_allocator);
    defer arena_state.deinit();
    const arena = arena_state.allocator();
    const cf = try loadCases(arena);

    var backend: Backend = .{ .server = undefined, .thread = undefined };
    try backend.start(io);
    defer backend.stop(io);
    var h: Harness = undefined;
    try h.start(io, backend.port());
    defer h.stop(io);
    const port = h.port();

    // Header rewriting.
    {
        const raw = try std.fmt.allocPrint(arena, "POST /api/a%2Fb?q=%20x&y HTTP/1.1\r\nHost: gw\r\nAuthorization: {s}\r\nX-Client-Id: spoofed\r\n" ++
            "X-Forwarded-For: 10.0.0.1\r\nX-Forwarded-For: 10.0.0.2\r\nConnection: X-Hop\r\nX-Hop: secret\r\nKeep-Alive: timeout=1\r\n" ++
            "Proxy-Authorization: Basic eA==\r\nX-Custom: kept\r\nContent-Length: 7\r\n\r\npayload", .{authOf(cf, "valid-rs-03")});
        const a = (try exchange(arena, io, port, raw)).?;
        try testing.expectEqual(@as(u16, 201), a.status);
        try testing.expectEqualStrings("backend body", a.body);
        try testing.expectEqualStrings("yes", headerValue(a.head, "x-from-backend").?);
        try testing.expect(headerValue(a.head, "keep-alive") == null);
        const seen = backend.lastRequest();
        try testing.expect(std.mem.startsWith(u8, seen, "POST /api/a%2Fb?q=%20x&y HTTP/1.1\r\n"));
        try testing.expect(headerValue(seen, "authorization") == null);
        try testing.expectEqualStrings("rs-03", headerValue(seen, "x-client-id").?);
        try testing.expectEqual(@as(usize, 1), std.mem.count(u8, seen, "x-client-id"));
        try testing.expectEqualStrings("10.0.0.1, 10.0.0.2, 127.0.0.1", headerValue(seen, "x-forwarded-for").?);
        try testing.expect(headerValue(seen, "x-hop") == null);
        try testing.expect(headerValue(seen, "keep-alive") == null);
        try testing.expect(headerValue(seen, "proxy-authorization") == null);
        try testing.expectEqualStrings("kept", headerValue(seen, "x-custom").?);
        const want_host = try std.fmt.allocPrint(arena, "127.0.0.1:{d}", .{backend.port()});
        try testing.expectEqualStrings(want_host, headerValue(seen, "host").?);
        try testing.expect(std.mem.endsWith(u8, seen, "\r\n\r\npayload"));
    }

    // Every rejected case: exact answer, and the backend never sees it.
    const before = backend.count;
    for (cf.cases) |c| {
        const want = c.body orelse continue;
        const raw = if (c.authorization) |auth|
            try std.fmt.allocPrint(arena, "GET {s} HTTP/1.1\r\nHost: gw\r\nAuthorization: {s}\r\n\r\n", .{ c.path, auth })
        else
            try std.fmt.allocPrint(arena, "GET {s} HTTP/1.1\r\nHost: gw\r\n\r\n", .{c.path});
        const a = (try exchange(arena, io, port, raw)).?;
        try testing.expectEqual(c.status, a.status);
        try testing.expectEqualStrings(want, a.body);
        try testing.expectEqualStrings("application/json", headerValue(a.head, "content-type").?);
        if (a.status == 401) try testing.expectEqualStrings("Bearer", headerValue(a.head, "www-authenticate").?);
    }
    try testing.expectEqual(before, backend.count);

    // The rate limit.
    {
        const raw = try std.fmt.allocPrint(arena, "GET /api/x HTTP/1.1\r\nHost: gw\r\nAuthorization: {s}\r\n\r\n", .{authOf(cf, "greedy")});
        for (0..3) |_| try testing.expectEqual(@as(u16, 201), (try exchange(arena, io, port, raw)).?.status);
        const a = (try exchange(arena, io, port, raw)).?;
        try testing.expectEqual(@as(u16, 429), a.status);
        try testing.expectEqualStrings("10", headerValue(a.head, "retry-after").?);
        try testing.expectEqualStrings("{\"error\":\"rate_limited\",\"retry_after\":10}", a.body);
    }

    // Malformed, truncated and oversized requests.
    const auth = authOf(cf, "valid-hs-00");
    const big = try std.fmt.allocPrint(arena, "GET /x HTTP/1.1\r\nHost: a\r\nX-Big: {s}\r\n\r\n", .{@as([]const u8, &(@as([65536]u8, @splat('a'))))});
    const h10 = try std.fmt.allocPrint(arena, "GET /x HTTP/1.0\r\nAuthorization: {s}\r\n\r\n", .{auth});
    const Expect = struct { []const u8, []const u8, u16, ?[]const u8 };
    const expectations = [_]Expect{
        .{ "garbage", "\x00\x01garbage\r\n\r\n", 400, null },
        .{ "no colon", "GET /x HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n", 400, null },
        .{ "missing host", "GET /x HTTP/1.1\r\n\r\n", 400, null },
        .{ "oversized head", big, 431, null },
        .{ "chunked", "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 411, gateway.length.body },
        .{ "too large", "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 1048577\r\n\r\n", 413, gateway.too_large.body },
        .{ "absolute form", "GET http://a/x HTTP/1.1\r\nHost: a\r\n\r\n", 400, gateway.target.body },
        .{ "dot segment", "GET /a/%2e%2e/admin HTTP/1.1\r\nHost: a\r\n\r\n", 400, gateway.path_rej.body },
        .{ "bad escape", "GET /a%zz HTTP/1.1\r\nHost: a\r\n\r\n", 400, null },
        .{ "unknown method", "FOO /x HTTP/1.1\r\nHost: a\r\n\r\n", 405, gateway.method.body },
        .{ "health", "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n", 200, "{\"status\":\"ok\"}" },
        .{ "HTTP/1.0 without host", h10, 201, "backend body" },
    };
    for (expectations) |e| {
        const a = (try exchange(arena, io, port, e[1])) orelse {
            std.debug.print("{s}: no answer\n", .{e[0]});
            return error.NoAnswer;
        };
        testing.expectEqual(e[2], a.status) catch |err| {
            std.debug.print("{s}: status {d}\n", .{ e[0], a.status });
            return err;
        };
        if (e[3]) |want| try testing.expectEqualStrings(want, a.body);
    }

    // Truncated head, then the client half-closes: closed without an answer.
    {
        const addr = try Io.net.IpAddress.parse("127.0.0.1", port);
        const s = try addr.connect(io, .{ .mode = .stream });
        defer s.close(io);
        var wb: [64]u8 = undefined;
        var w = s.writer(io, &wb);
        try w.interface.writeAll("GET /x HTTP/1.1\r\nHost: a\r\nAuth");
        try w.interface.flush();
        try s.shutdown(io, .send);
        try testing.expect((try readAnswer(arena, io, s)) == null);
    }

    // Keep-alive across a rejected request with a body.
    {
        const addr = try Io.net.IpAddress.parse("127.0.0.1", port);
        const s = try addr.connect(io, .{ .mode = .stream });
        defer s.close(io);
        var wb: [8192]u8 = undefined;
        var w = s.writer(io, &wb);
        const rb = try arena.alloc(u8, 65536);
        var r = s.reader(io, rb);
        var hr: std.http.Reader = .{ .in = &r.interface, .state = .ready, .interface = undefined, .max_head_len = rb.len, .side = .response };
        try w.interface.writeAll("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello");
        try w.interface.flush();
        var head = try hr.receiveHead();
        try testing.expect(std.mem.startsWith(u8, head, "HTTP/1.1 401"));
        _ = try hr.bodyReader(&.{}, .none, jwt.missing.body.len).discardRemaining();
        try w.interface.print("GET /x HTTP/1.1\r\nHost: a\r\nAuthorization: {s}\r\n\r\n", .{auth});
        try w.interface.flush();
        head = try hr.receiveHead();
        try testing.expect(std.mem.startsWith(u8, head, "HTTP/1.1 201"));
    }

    // Still serving.
    const raw = try std.fmt.allocPrint(arena, "GET /x HTTP/1.1\r\nHost: a\r\nAuthorization: {s}\r\n\r\n", .{auth});
    try testing.expectEqual(@as(u16, 201), (try exchange(arena, io, port, raw)).?.status);
}

test "backend down is 502" {
    const io = testing.io;
    var arena_state = std.heap.ArenaAllocator.init(std.heap.smp_allocator);
    defer arena_state.deinit();
    const arena = arena_state.allocator();
    const cf = try loadCases(arena);
    // A port with nobody listening: bind one, then close it.
    const dead_port = blk: {
        const addr = try Io.net.IpAddress.parse("127.0.0.1", 0);
        var s = try addr.listen(io, .{});
        const p = s.socket.address.getPort();
        s.deinit(io);
        break :blk p;
    };
    var h: Harness = undefined;
    try h.start(io, dead_port);
    defer h.stop(io);
    const raw = try std.fmt.allocPrint(arena, "GET /api/x HTTP/1.1\r\nHost: gw\r\nAuthorization: {s}\r\n\r\n", .{authOf(cf, "valid-hs-00")});
    const a = (try exchange(arena, io, h.port(), raw)).?;
    try testing.expectEqual(@as(u16, 502), a.status);
    try testing.expectEqualStrings(gateway.bad_gateway.body, a.body);
}
