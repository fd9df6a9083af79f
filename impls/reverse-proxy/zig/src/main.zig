//! proxy --listen ADDR --backends LIST [options]: an HTTP/1.1 reverse proxy and round-robin
//! load balancer (impls/reverse-proxy/README.md). One thread per client connection
//! (`std.Io.Threaded` via `Io.Group.concurrent`), plus the head-timeout watchdog.
//! Exit codes: 2 usage, 1 cannot listen, 0 on SIGTERM/SIGINT.

const std = @import("std");
const Io = std.Io;
const posix = std.posix;
const config = @import("config.zig");
const proxy = @import("proxy.zig");
const pool = @import("pool.zig");
const socket = @import("socket.zig");
const Balancer = @import("balancer.zig").Balancer;

/// Pending connections the kernel queues before accept.
const listen_backlog = 1024;

pub fn main(init: std.process.Init) u8 {
    const io = init.io;
    const gpa = init.gpa;
    const arena = init.arena.allocator();
    const args = init.minimal.args.toSlice(arena) catch return report(io, 1, "proxy: out of memory\n", .{});
    var message: []const u8 = "";
    const cfg = config.parse(arena, args[1..], &message) catch |err| return switch (err) {
        error.Usage => report(io, 2, "proxy: {s}\n", .{message}),
        error.OutOfMemory => report(io, 1, "proxy: out of memory\n", .{}),
    };
    installSignalHandlers();

    const address: Io.net.IpAddress = .{ .ip4 = cfg.listen };
    var server = socket.listen(cfg.listen, listen_backlog) catch |err|
        return report(io, 1, "proxy: listen {f}: {s}\n", .{ address, reason(err) });
    defer server.deinit(io);

    var shared: proxy.Shared = .{
        .gpa = gpa,
        .io = io,
        .cfg = &cfg,
        .lb = Balancer.init(gpa, cfg.backends.len, cfg.down_ms) catch return report(io, 1, "proxy: out of memory\n", .{}),
        .pool = pool.Pool.init(gpa, cfg.backends.len, cfg.max_idle) catch return report(io, 1, "proxy: out of memory\n", .{}),
    };
    proxy.serve(&shared, &server) catch |err| return report(io, 1, "proxy: {s}\n", .{@errorName(err)});
    return 0;
}

/// SIGTERM and SIGINT end the process at once with status 0 (no draining, README).
fn installSignalHandlers() void {
    const act: posix.Sigaction = .{
        .handler = .{ .handler = onTerminate },
        .mask = posix.sigemptyset(),
        .flags = 0,
    };
    posix.sigaction(.TERM, &act, null);
    posix.sigaction(.INT, &act, null);
}

fn onTerminate(_: posix.SIG) callconv(.c) void {
    std.os.linux.exit_group(0);
}

fn report(io: Io, code: u8, comptime fmt: []const u8, args: anytype) u8 {
    var buffer: [512]u8 = undefined;
    var w: Io.File.Writer = .initStreaming(.stderr(), io, &buffer);
    w.interface.print(fmt, args) catch {};
    w.interface.flush() catch {};
    return code;
}

fn reason(err: anyerror) []const u8 {
    return switch (err) {
        error.AddressInUse => "address already in use",
        error.AccessDenied => "permission denied",
        else => @errorName(err),
    };
}

test {
    _ = @import("head.zig");
    _ = @import("config.zig");
    _ = @import("balancer.zig");
    _ = @import("watchdog.zig");
    _ = @import("pool.zig");
    _ = @import("socket.zig");
    _ = @import("proxy_test.zig");
}
