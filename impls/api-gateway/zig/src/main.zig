//! `gateway` — the Zig implementation of impls/api-gateway/README.md: JWT verification
//! (HS256/RS256), per-client token buckets and a pooled reverse proxy, with std only. Each
//! client connection runs on a thread of std.Io.Threaded's pool (Group.concurrent).

const std = @import("std");
const Io = std.Io;
const jwt = @import("jwt.zig");
const limiter_mod = @import("limiter.zig");
const proxy = @import("proxy.zig");
const gateway = @import("gateway.zig");
const config = @import("config.zig");

test {
    _ = jwt;
    _ = limiter_mod;
    _ = proxy;
    _ = gateway;
    _ = config;
    _ = @import("http.zig");
    _ = @import("tests.zig");
}

fn fail(code: u8, comptime fmt: []const u8, args: anytype) noreturn {
    std.debug.print("gateway: " ++ fmt ++ "\n", args);
    std.process.exit(code);
}

fn onSignal(_: std.posix.SIG) callconv(.c) void {
    // In-flight requests may be cut (README "Command line"). exit_group is async-signal-safe.
    std.process.exit(0);
}

var clock_origin: i96 = 0;
var clock_io: Io = undefined;

fn monotonicNs(_: ?*anyopaque) u64 {
    const ns = Io.Clock.awake.now(clock_io).nanoseconds;
    return @intCast(ns - clock_origin);
}

pub fn main(init: std.process.Init) void {
    const io = init.io;
    const gpa = init.gpa;
    const arena = init.arena.allocator();
    const args = init.minimal.args.toSlice(arena) catch fail(1, "cannot read the arguments", .{});
    const cfg = config.parse(arena, args[1..]) catch |err| fail(2, "{s}", .{config.describe(err)});

    const secret_file = Io.Dir.cwd().readFileAlloc(io, cfg.secret_file, arena, .limited(1 << 20)) catch |err|
        fail(1, "{s}: {t}", .{ cfg.secret_file, err });
    const secret = jwt.loadSecret(secret_file) catch fail(1, "{s}: the HS256 secret must have at least 32 bytes", .{cfg.secret_file});
    const pem = Io.Dir.cwd().readFileAlloc(io, cfg.key_file, arena, .limited(1 << 20)) catch |err|
        fail(1, "{s}: {t}", .{ cfg.key_file, err });
    const public = jwt.loadPublicKey(arena, pem) catch |err| fail(1, "{s}: {t}", .{ cfg.key_file, err });

    const listen_addr = Io.net.IpAddress.parse(cfg.listen_host, cfg.listen_port) catch fail(2, "bad --listen address", .{});
    const backend_addr = Io.net.IpAddress.parse(cfg.backend_host, cfg.backend_port) catch fail(2, "bad --backend address", .{});

    clock_io = io;
    clock_origin = Io.Clock.awake.now(io).nanoseconds;
    var limiter: limiter_mod.Limiter = .{
        .gpa = gpa,
        .io = io,
        .default = cfg.default,
        .overrides = cfg.overrides,
        .clock = monotonicNs,
        .clock_ctx = null,
    };
    var pool: proxy.Pool = .{ .gpa = gpa, .io = io, .address = backend_addr, .host = cfg.backend };
    var gw: gateway.Gateway = .{
        .gpa = gpa,
        .io = io,
        .verifier = .{ .hs256 = .init(secret), .public = public, .issuer = cfg.issuer, .audience = cfg.audience },
        .limiter = &limiter,
        .pool = &pool,
        .wall_now = gateway.unixNow,
    };

    var server = listen_addr.listen(io, .{ .reuse_address = true }) catch |err| fail(1, "{s}: {t}", .{ cfg.listen, err });
    const action: std.posix.Sigaction = .{ .handler = .{ .handler = onSignal }, .mask = std.posix.sigemptyset(), .flags = 0 };
    std.posix.sigaction(.TERM, &action, null);
    std.posix.sigaction(.INT, &action, null);

    var group: Io.Group = .init;
    while (true) {
        const stream = server.accept(io) catch |err| switch (err) {
            error.ConnectionAborted, error.ProtocolFailure, error.BlockedByFirewall => continue,
            error.ProcessFdQuotaExceeded, error.SystemFdQuotaExceeded, error.SystemResources => {
                io.sleep(.fromMilliseconds(10), .awake) catch {};
                continue;
            },
            else => fail(1, "accept: {t}", .{err}),
        };
        group.concurrent(io, gateway.serveConnection, .{ &gw, stream }) catch {
            stream.close(io);
        };
    }
}
