//! The command line, timestamps and output size of ../README.md: pure functions, no FFmpeg.

const std = @import("std");
const Allocator = std.mem.Allocator;

/// The most timestamps one run accepts (after expanding `--every`).
pub const max_thumbnails = 10_000;

pub const usage_text = "usage: video-frame-extractor [--width W] (--at T[,T...] | --every N) [--raw] <input> <outdir>";

/// Why a run failed: exit code (2 usage, 1 runtime) and one line of message, allocated in `arena`.
pub const Failure = struct {
    arena: Allocator,
    code: u8 = 0,
    msg: []const u8 = "",

    pub fn usage(f: *Failure, comptime fmt: []const u8, args: anytype) error{Failed} {
        return f.set(2, fmt, args);
    }

    pub fn runtime(f: *Failure, comptime fmt: []const u8, args: anytype) error{Failed} {
        return f.set(1, fmt, args);
    }

    fn set(f: *Failure, code: u8, comptime fmt: []const u8, args: anytype) error{Failed} {
        f.code = code;
        f.msg = std.fmt.allocPrint(f.arena, fmt, args) catch "out of memory";
        return error.Failed;
    }
};

pub const Times = union(enum) {
    /// `--at`: these, in microseconds, in this order.
    at: []const i64,
    /// `--every`: this interval in microseconds, over [0, duration).
    every: i64,
};

pub const Options = struct {
    input: [:0]const u8,
    outdir: []const u8,
    width: u32 = 320,
    times: Times,
    raw: bool = false,
};

/// Parses the arguments after the program name; slices are allocated in `fail.arena`.
pub fn parse(args: []const [:0]const u8, fail: *Failure) error{Failed}!Options {
    var width: u32 = 320;
    var at: ?[]const i64 = null;
    var every: ?i64 = null;
    var raw = false;
    var seen: [4]bool = @splat(false); // --width, --at, --every, --raw
    var positional: [2][:0]const u8 = undefined;
    var n_positional: usize = 0;
    var i: usize = 0;
    while (i < args.len) : (i += 1) {
        const arg = args[i];
        if (!std.mem.startsWith(u8, arg, "--")) {
            if (n_positional < 2) positional[n_positional] = arg;
            n_positional += 1;
            continue;
        }
        const names = [_][]const u8{ "--width", "--at", "--every", "--raw" };
        const which = for (names, 0..) |name, k| {
            if (std.mem.eql(u8, arg, name)) break k;
        } else return fail.usage("unknown option {s}", .{arg});
        if (seen[which]) return fail.usage("option {s} given twice", .{arg});
        seen[which] = true;
        if (which == 3) {
            raw = true;
            continue;
        }
        if (i + 1 >= args.len) return fail.usage("option {s} needs a value", .{arg});
        i += 1;
        const value: []const u8 = args[i];
        switch (which) {
            0 => {
                const w = std.fmt.parseInt(u32, value, 10) catch 0;
                if (w < 2 or w > 16384 or value[0] == '+')
                    return fail.usage("bad --width \"{s}\": an integer in 2..16384", .{value});
                width = w;
            },
            1 => {
                const count = std.mem.countScalar(u8, value, ',') + 1;
                if (count > max_thumbnails)
                    return fail.usage("too many timestamps (more than {d})", .{max_thumbnails});
                const list = fail.arena.alloc(i64, count) catch return fail.runtime("out of memory", .{});
                var parts = std.mem.splitScalar(u8, value, ',');
                var k: usize = 0;
                while (parts.next()) |part| : (k += 1) {
                    list[k] = parseSeconds(part) catch |e|
                        return fail.usage("bad timestamp \"{s}\" in --at: {s}", .{ part, secondsError(e) });
                }
                at = list;
            },
            else => {
                const us = parseSeconds(value) catch |e|
                    return fail.usage("bad --every \"{s}\": {s}", .{ value, secondsError(e) });
                if (us == 0) return fail.usage("--every must be greater than 0", .{});
                every = us;
            },
        }
    }
    const times: Times = if (at != null and every == null)
        .{ .at = at.? }
    else if (every != null and at == null)
        .{ .every = every.? }
    else
        return fail.usage("give exactly one of --at and --every", .{});
    if (n_positional != 2)
        return fail.usage("expected <input> and <outdir>, got {d} positional arguments", .{n_positional});
    return .{ .input = positional[0], .outdir = positional[1], .width = width, .times = times, .raw = raw };
}

pub const SecondsError = error{ BadInteger, BadFraction };

fn secondsError(e: SecondsError) []const u8 {
    return switch (e) {
        error.BadInteger => "expected seconds as 1-10 digits, optionally '.' and 1-6 digits",
        error.BadFraction => "expected 1-6 digits after '.'",
    };
}

fn allDigits(s: []const u8) bool {
    for (s) |b| if (b < '0' or b > '9') return false;
    return true;
}

/// Decimal seconds ("4.5": 1-10 digits, optionally '.' and 1-6 digits) to microseconds, exactly.
pub fn parseSeconds(s: []const u8) SecondsError!i64 {
    const dot = std.mem.indexOfScalar(u8, s, '.');
    const int_part = if (dot) |d| s[0..d] else s;
    if (int_part.len < 1 or int_part.len > 10 or !allDigits(int_part)) return error.BadInteger;
    var us: i64 = 0;
    for (int_part) |b| us = us * 10 + (b - '0');
    us *= 1_000_000;
    if (dot) |d| {
        const frac = s[d + 1 ..];
        if (frac.len < 1 or frac.len > 6 or !allDigits(frac)) return error.BadFraction;
        var scale: i64 = 100_000;
        for (frac) |b| {
            us += @as(i64, b - '0') * scale;
            scale = @divTrunc(scale, 10);
        }
    }
    return us;
}

/// Microseconds printed as `SECONDS.UUUUUU` (use with "{f}").
pub const Micros = struct {
    us: i64,

    pub fn format(m: Micros, w: *std.Io.Writer) std.Io.Writer.Error!void {
        const a = @abs(m.us);
        if (m.us < 0) try w.writeByte('-');
        try w.print("{d}.{d:0>6}", .{ a / 1_000_000, a % 1_000_000 });
    }
};

pub fn micros(us: i64) Micros {
    return .{ .us = us };
}

/// `scale=W:-2`: the aspect-keeping height rounded to the nearest even number,
/// `av_rescale(W, srcH, 2·srcW)·2` (round half up on non-negative values).
pub fn outputHeight(width: u32, src_w: u32, src_h: u32) u32 {
    const w: u64 = width;
    const sw: u64 = src_w;
    const sh: u64 = src_h;
    return @intCast((w * sh + sw) / (2 * sw) * 2);
}

/// `--every N` over [0, duration), allocated in `fail.arena`.
pub fn everyTimestamps(every: i64, duration: i64, fail: *Failure) error{Failed}![]const i64 {
    var count: usize = 0;
    var t: i64 = 0;
    while (t < duration) : (t += every) {
        if (count == max_thumbnails)
            return fail.usage("too many timestamps (more than {d}): --every {f} over {f} s", .{ max_thumbnails, micros(every), micros(duration) });
        count += 1;
    }
    const list = fail.arena.alloc(i64, count) catch return fail.runtime("out of memory", .{});
    for (list, 0..) |*v, k| v.* = @as(i64, @intCast(k)) * every;
    return list;
}

/// File name of the i-th thumbnail (0-based): 001.png, 002.png, …
pub fn thumbName(buf: []u8, i: usize) []const u8 {
    return std.fmt.bufPrint(buf, "{d:0>3}.png", .{i + 1}) catch unreachable;
}

const testing = std.testing;

test "seconds are exact microseconds" {
    const good = [_]struct { []const u8, i64 }{
        .{ "0", 0 },                .{ "4.5", 4_500_000 },                    .{ "59.966667", 59_966_667 },
        .{ "1.000001", 1_000_001 }, .{ "9999999999", 9_999_999_999_000_000 }, .{ "007.25", 7_250_000 },
    };
    for (good) |case| try testing.expectEqual(case[1], try parseSeconds(case[0]));
    const bad = [_][]const u8{ "", ".5", "5.", "-1", "+1", "1e3", "1.1234567", "12345678901", " 1", "1,5", "1.2.3" };
    for (bad) |s| {
        if (parseSeconds(s)) |v| {
            std.debug.print("parseSeconds(\"{s}\") = {d}, want an error\n", .{ s, v });
            return error.TestUnexpectedResult;
        } else |_| {}
    }
}

test "micros format" {
    var buf: [32]u8 = undefined;
    try testing.expectEqualStrings("0.000000", try std.fmt.bufPrint(&buf, "{f}", .{micros(0)}));
    try testing.expectEqualStrings("0.533333", try std.fmt.bufPrint(&buf, "{f}", .{micros(533_333)}));
    try testing.expectEqualStrings("60.000001", try std.fmt.bufPrint(&buf, "{f}", .{micros(60_000_001)}));
}

test "height is scale=W:-2" {
    try testing.expectEqual(@as(u32, 180), outputHeight(320, 1280, 720));
    try testing.expectEqual(@as(u32, 76), outputHeight(100, 320, 240)); // 75 -> nearest even 76
    try testing.expectEqual(@as(u32, 240), outputHeight(426, 1280, 720)); // 239.6 -> 240
    try testing.expectEqual(@as(u32, 2), outputHeight(2, 1280, 720));
    try testing.expectEqual(@as(u32, 0), outputHeight(2, 1920, 100));
    try testing.expectEqual(@as(u32, 720), outputHeight(1281, 1280, 720));
}

test "every excludes the end" {
    var arena: std.heap.ArenaAllocator = .init(testing.allocator);
    defer arena.deinit();
    var fail: Failure = .{ .arena = arena.allocator() };
    const ts = try everyTimestamps(4_500_000, 60_000_000, &fail);
    try testing.expectEqual(@as(usize, 14), ts.len);
    try testing.expectEqual(@as(i64, 58_500_000), ts[13]);
    try testing.expectEqualSlices(i64, &.{ 0, 1_000_000 }, try everyTimestamps(1_000_000, 2_000_000, &fail));
    try testing.expectError(error.Failed, everyTimestamps(1, 60_000_000, &fail));
    try testing.expectEqual(@as(u8, 2), fail.code);
}

test "args" {
    var arena: std.heap.ArenaAllocator = .init(testing.allocator);
    defer arena.deinit();
    var fail: Failure = .{ .arena = arena.allocator() };
    const o = try parse(&.{ "in.mp4", "--every", "4.5", "out", "--raw" }, &fail);
    try testing.expectEqualStrings("in.mp4", o.input);
    try testing.expectEqualStrings("out", o.outdir);
    try testing.expectEqual(@as(u32, 320), o.width);
    try testing.expectEqual(@as(i64, 4_500_000), o.times.every);
    try testing.expect(o.raw);
    const o2 = try parse(&.{ "--width", "100", "--at", "0,1.5,1.5", "in", "out" }, &fail);
    try testing.expectEqual(@as(u32, 100), o2.width);
    try testing.expectEqualSlices(i64, &.{ 0, 1_500_000, 1_500_000 }, o2.times.at);
    try testing.expect(!o2.raw);

    const bad = [_][]const [:0]const u8{
        &.{ "in", "out" },
        &.{ "--at", "1", "--every", "1", "in", "out" },
        &.{ "--at", "1", "in" },
        &.{ "--at", "1", "in", "out", "extra" },
        &.{ "--at", "1", "--at", "2", "in", "out" },
        &.{ "--at", "1", "--fast", "in", "out" },
        &.{ "in", "out", "--at" },
        &.{ "--at", "1,,2", "in", "out" },
        &.{ "--at", "-1", "in", "out" },
        &.{ "--every", "0", "in", "out" },
        &.{ "--every", "0.0000001", "in", "out" },
        &.{ "--width", "1", "--at", "1", "in", "out" },
        &.{ "--width", "16385", "--at", "1", "in", "out" },
        &.{ "--width", "abc", "--at", "1", "in", "out" },
    };
    for (bad) |args| {
        fail.code = 0;
        try testing.expectError(error.Failed, parse(args, &fail));
        try testing.expectEqual(@as(u8, 2), fail.code);
    }
}
