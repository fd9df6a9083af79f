//! The command line of README "Command line".

const std = @import("std");
const limiter = @import("limiter.zig");
const Limit = limiter.Limit;

pub const Config = struct {
    listen: []const u8,
    listen_host: []const u8,
    listen_port: u16,
    backend: []const u8,
    backend_host: []const u8,
    backend_port: u16,
    secret_file: []const u8,
    key_file: []const u8,
    issuer: []const u8,
    audience: []const u8,
    default: Limit,
    overrides: std.StringHashMapUnmanaged(Limit),
};

pub const Error = error{ MissingValue, UnknownOption, MissingOption, BadAddress, InvalidRate, InvalidBurst, BadLimit, OutOfMemory };

pub fn describe(err: Error) []const u8 {
    return switch (err) {
        error.MissingValue => "an option is missing its value",
        error.UnknownOption => "unknown option",
        error.MissingOption => "missing required option (--listen, --backend, --hs256-secret-file, --rs256-public-key, --issuer, --audience, --rate, --burst)",
        error.BadAddress => "addresses must be IPv4:PORT",
        error.InvalidRate => "rate must be a decimal number with at most 3 digits after the point, 0.001 to 1000000",
        error.InvalidBurst => "burst must be an integer from 1 to 1000000",
        error.BadLimit => "--limit takes SUB=RATE:BURST",
        error.OutOfMemory => "out of memory",
    };
}

fn splitAddress(s: []const u8) Error!struct { []const u8, u16 } {
    const colon = std.mem.findScalarLast(u8, s, ':') orelse return error.BadAddress;
    const host = s[0..colon];
    _ = std.Io.net.Ip4Address.parse(host, 0) catch return error.BadAddress;
    const port = std.fmt.parseInt(u16, s[colon + 1 ..], 10) catch return error.BadAddress;
    return .{ host, port };
}

/// Parses the arguments after the program name.
pub fn parse(arena: std.mem.Allocator, args: []const [:0]const u8) Error!Config {
    var listen: ?[]const u8 = null;
    var backend: ?[]const u8 = null;
    var secret: ?[]const u8 = null;
    var key: ?[]const u8 = null;
    var iss: ?[]const u8 = null;
    var aud: ?[]const u8 = null;
    var rate: ?[]const u8 = null;
    var burst: ?[]const u8 = null;
    var overrides: std.StringHashMapUnmanaged(Limit) = .empty;
    var i: usize = 0;
    while (i < args.len) : (i += 2) {
        const name = args[i];
        if (i + 1 >= args.len) return error.MissingValue;
        const val: []const u8 = args[i + 1];
        if (std.mem.eql(u8, name, "--listen")) {
            listen = val;
        } else if (std.mem.eql(u8, name, "--backend")) {
            backend = val;
        } else if (std.mem.eql(u8, name, "--hs256-secret-file")) {
            secret = val;
        } else if (std.mem.eql(u8, name, "--rs256-public-key")) {
            key = val;
        } else if (std.mem.eql(u8, name, "--issuer")) {
            iss = val;
        } else if (std.mem.eql(u8, name, "--audience")) {
            aud = val;
        } else if (std.mem.eql(u8, name, "--rate")) {
            rate = val;
        } else if (std.mem.eql(u8, name, "--burst")) {
            burst = val;
        } else if (std.mem.eql(u8, name, "--limit")) {
            const eq = std.mem.findScalar(u8, val, '=') orelse return error.BadLimit;
            const colon = std.mem.findScalarPos(u8, val, eq, ':') orelse return error.BadLimit;
            if (eq == 0) return error.BadLimit;
            const l: Limit = .{ .rate = try limiter.parseRate(val[eq + 1 .. colon]), .burst = try limiter.parseBurst(val[colon + 1 ..]) };
            try overrides.put(arena, val[0..eq], l);
        } else return error.UnknownOption;
    }
    const l = try splitAddress(listen orelse return error.MissingOption);
    const b = try splitAddress(backend orelse return error.MissingOption);
    return .{
        .listen = listen.?,
        .listen_host = l[0],
        .listen_port = l[1],
        .backend = backend.?,
        .backend_host = b[0],
        .backend_port = b[1],
        .secret_file = secret orelse return error.MissingOption,
        .key_file = key orelse return error.MissingOption,
        .issuer = iss orelse return error.MissingOption,
        .audience = aud orelse return error.MissingOption,
        .default = .{
            .rate = try limiter.parseRate(rate orelse return error.MissingOption),
            .burst = try limiter.parseBurst(burst orelse return error.MissingOption),
        },
        .overrides = overrides,
    };
}

const testing = std.testing;

test "arguments" {
    var arena_state = std.heap.ArenaAllocator.init(testing.allocator);
    defer arena_state.deinit();
    const arena = arena_state.allocator();
    const base = [_][:0]const u8{ "--listen", "127.0.0.1:1", "--backend", "127.0.0.1:2", "--hs256-secret-file", "s", "--rs256-public-key", "k", "--issuer", "i", "--audience", "a", "--rate", "2.5", "--burst", "7" };
    const with_limits = base ++ [_][:0]const u8{ "--limit", "greedy=0.1:3", "--limit", "greedy=1:1" };
    const c = try parse(arena, &with_limits);
    try testing.expectEqual(Limit{ .rate = 2500, .burst = 7 }, c.default);
    try testing.expectEqual(Limit{ .rate = 1000, .burst = 1 }, c.overrides.get("greedy").?);
    try testing.expectEqual(@as(u16, 2), c.backend_port);

    try testing.expectError(error.MissingOption, parse(arena, base[0 .. base.len - 2]));
    try testing.expectError(error.BadLimit, parse(arena, &(base ++ [_][:0]const u8{ "--limit", "x" })));
    try testing.expectError(error.BadLimit, parse(arena, &(base ++ [_][:0]const u8{ "--limit", "=1:1" })));
    try testing.expectError(error.InvalidRate, parse(arena, &(base ++ [_][:0]const u8{ "--limit", "a=0:1" })));
    try testing.expectError(error.UnknownOption, parse(arena, &(base ++ [_][:0]const u8{ "--what", "x" })));
    try testing.expectError(error.MissingValue, parse(arena, &(base ++ [_][:0]const u8{"--rate"})));
    var bad_host = base;
    bad_host[1] = "localhost:1";
    try testing.expectError(error.BadAddress, parse(arena, &bad_host));
}
