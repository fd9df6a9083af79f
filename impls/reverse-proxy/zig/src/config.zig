//! The command line (README: Command line): `--name value` pairs, parsed by hand.

const std = @import("std");
const mem = std.mem;
const Allocator = mem.Allocator;
const Ip4Address = std.Io.net.Ip4Address;

pub const max_backends = 64;
pub const min_header_bytes = 8192;

pub const Backend = struct {
    address: Ip4Address,
    /// As written on the command line; sent as `Host` for HTTP/1.0 requests without one.
    text: []const u8,
};

pub const Config = struct {
    listen: Ip4Address,
    backends: []const Backend,
    max_idle: usize = 128,
    down_ms: u64 = 2000,
    connect_timeout_ms: u64 = 1000,
    header_timeout_ms: u64 = 10000,
    upstream_timeout_ms: u64 = 30000,
    max_header_bytes: usize = 16384,
};

pub const Error = error{ Usage, OutOfMemory };

/// Parses the arguments after the program name. On `error.Usage`, `message` holds the reason.
pub fn parse(arena: Allocator, args: []const []const u8, message: *[]const u8) Error!Config {
    var listen: ?Ip4Address = null;
    var backends: ?[]Backend = null;
    var cfg: Config = .{ .listen = undefined, .backends = &.{} };
    var i: usize = 0;
    while (i < args.len) : (i += 2) {
        const flag = args[i];
        if (!mem.startsWith(u8, flag, "--")) return fail(arena, message, "unexpected argument \"{s}\"", .{flag});
        const name = flag[2..];
        if (i + 1 == args.len) return fail(arena, message, "--{s} needs a value", .{name});
        const value = args[i + 1];
        if (mem.eql(u8, name, "listen")) {
            listen = (parseAddr(value) orelse return fail(arena, message, "--listen: \"{s}\" is not an IPv4 address with a port (a.b.c.d:port)", .{value})).address;
        } else if (mem.eql(u8, name, "backends")) {
            const count = mem.countScalar(u8, value, ',') + 1;
            if (count > max_backends) return fail(arena, message, "--backends: {d} backends, at most {d}", .{ count, max_backends });
            const list = try arena.alloc(Backend, count);
            var it = mem.splitScalar(u8, value, ',');
            var n: usize = 0;
            while (it.next()) |item| : (n += 1) {
                list[n] = parseAddr(item) orelse return fail(arena, message, "--backends: \"{s}\" is not an IPv4 address with a port (a.b.c.d:port)", .{item});
            }
            backends = list;
        } else {
            const n = std.fmt.parseInt(u64, value, 10) catch
                return fail(arena, message, "--{s}: \"{s}\" is not a non-negative integer", .{ name, value });
            if (mem.eql(u8, name, "max-idle")) {
                cfg.max_idle = @intCast(@min(n, std.math.maxInt(u32)));
            } else if (mem.eql(u8, name, "down-ms")) {
                cfg.down_ms = n;
            } else if (mem.eql(u8, name, "connect-timeout-ms")) {
                cfg.connect_timeout_ms = n;
            } else if (mem.eql(u8, name, "header-timeout-ms")) {
                cfg.header_timeout_ms = n;
            } else if (mem.eql(u8, name, "upstream-timeout-ms")) {
                cfg.upstream_timeout_ms = n;
            } else if (mem.eql(u8, name, "max-header-bytes")) {
                if (n < min_header_bytes or n > 1 << 24) return fail(arena, message, "--max-header-bytes must be between {d} and {d}", .{ min_header_bytes, 1 << 24 });
                cfg.max_header_bytes = @intCast(n);
            } else {
                return fail(arena, message, "unknown option --{s}", .{name});
            }
        }
    }
    cfg.listen = listen orelse return fail(arena, message, "--listen is required", .{});
    cfg.backends = backends orelse return fail(arena, message, "--backends is required", .{});
    return cfg;
}

fn fail(arena: Allocator, message: *[]const u8, comptime fmt: []const u8, args: anytype) Error {
    message.* = try std.fmt.allocPrint(arena, fmt, args);
    return error.Usage;
}

/// `a.b.c.d:port`, nothing else.
fn parseAddr(text: []const u8) ?Backend {
    const colon = mem.findScalarLast(u8, text, ':') orelse return null;
    const port = std.fmt.parseInt(u16, text[colon + 1 ..], 10) catch return null;
    const address = Ip4Address.parse(text[0..colon], port) catch return null;
    return .{ .address = address, .text = text };
}

const testing = std.testing;

fn tryParse(arena: Allocator, line: []const u8) Error!Config {
    var args: std.ArrayList([]const u8) = .empty;
    var it = mem.tokenizeScalar(u8, line, ' ');
    while (it.next()) |a| try args.append(arena, a);
    var message: []const u8 = "";
    return parse(arena, args.items, &message);
}

test "defaults and options" {
    var arena_state: std.heap.ArenaAllocator = .init(testing.allocator);
    defer arena_state.deinit();
    const arena = arena_state.allocator();
    const c = try tryParse(arena, "--listen 127.0.0.1:80 --backends 127.0.0.1:1,127.0.0.1:2");
    try testing.expectEqual(@as(usize, 2), c.backends.len);
    try testing.expectEqualStrings("127.0.0.1:2", c.backends[1].text);
    try testing.expectEqual(@as(u16, 2), c.backends[1].address.port);
    try testing.expectEqual(@as(usize, 128), c.max_idle);
    try testing.expectEqual(@as(u64, 2000), c.down_ms);
    try testing.expectEqual(@as(usize, 16384), c.max_header_bytes);
    const d = try tryParse(arena, "--backends 127.0.0.1:1 --listen 127.0.0.1:80 --max-idle 0 --down-ms 5 --max-header-bytes 9000");
    try testing.expectEqual(@as(usize, 0), d.max_idle);
    try testing.expectEqual(@as(u64, 5), d.down_ms);
    try testing.expectEqual(@as(usize, 9000), d.max_header_bytes);
}

test "usage errors" {
    var arena_state: std.heap.ArenaAllocator = .init(testing.allocator);
    defer arena_state.deinit();
    const arena = arena_state.allocator();
    var many: std.ArrayList(u8) = .empty;
    try many.appendSlice(arena, "--listen 127.0.0.1:80 --backends ");
    for (1..66) |p| try many.print(arena, "{s}127.0.0.1:{d}", .{ if (p == 1) "" else ",", p });
    const bad = [_][]const u8{
        "--backends 127.0.0.1:1",
        "--listen 127.0.0.1:80",
        "--listen 127.0.0.1:80 --backends [::1]:80",
        "--listen 127.0.0.1:80 --backends localhost:80",
        "--listen 127.0.0.1 --backends 127.0.0.1:1",
        "--listen 127.0.0.1:80 --backends 127.0.0.1:1,",
        many.items,
        "--listen 127.0.0.1:80 --backends 127.0.0.1:1 --down-ms -1",
        "--listen 127.0.0.1:80 --backends 127.0.0.1:1 --max-idle x",
        "--listen 127.0.0.1:80 --backends 127.0.0.1:1 --max-header-bytes 100",
        "--listen 127.0.0.1:80 --backends 127.0.0.1:1 --nope 1",
        "--listen 127.0.0.1:80 --backends 127.0.0.1:1 extra",
        "--listen 127.0.0.1:80 --backends",
    };
    for (bad) |line| try testing.expectError(error.Usage, tryParse(arena, line));
}
