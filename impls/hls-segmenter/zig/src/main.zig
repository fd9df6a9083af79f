//! hls-segmenter: remuxes a video into MPEG-TS segments and a VOD HLS playlist through
//! FFmpeg's libavformat. Specification: ../README.md.
const std = @import("std");
const Io = std.Io;
const segment = @import("segment.zig");

pub const usage = "usage: hls-segmenter INPUT OUTDIR [TARGET_SECONDS]";

pub const Args = struct {
    input: [:0]const u8,
    out_dir: []const u8,
    target: i64,
};

pub const ArgsError = error{ Usage, BadTarget };

/// Parses the arguments after the program name.
pub fn parseArgs(args: []const [:0]const u8) ArgsError!Args {
    if (args.len < 2 or args.len > 3) return error.Usage;
    const target = if (args.len == 3) parseTarget(args[2]) orelse return error.BadTarget else 6;
    return .{ .input = args[0], .out_dir = args[1], .target = target };
}

/// Decimal digits only, 1…3600.
fn parseTarget(s: []const u8) ?i64 {
    if (s.len == 0 or s.len > 4) return null;
    for (s) |ch| if (!std.ascii.isDigit(ch)) return null;
    const v = std.fmt.parseInt(i64, s, 10) catch return null;
    return if (v >= 1 and v <= 3600) v else null;
}

pub fn main(init: std.process.Init) !u8 {
    const io = init.io;
    const args = try init.minimal.args.toSlice(init.arena.allocator());
    var buf: [4096]u8 = undefined;
    var ew: Io.File.Writer = .initStreaming(.stderr(), io, &buf);
    const err = &ew.interface;

    const a = parseArgs(args[1..]) catch |e| {
        switch (e) {
            error.Usage => try err.print("hls-segmenter: {s}\n", .{usage}),
            error.BadTarget => try err.print("hls-segmenter: invalid target duration \"{s}\" (an integer from 1 to 3600)\n{s}\n", .{ args[3], usage }),
        }
        try err.flush();
        return 2;
    };
    var diag: segment.Diag = .{};
    segment.run(init.gpa, io, a.input, a.out_dir, a.target, &diag) catch {
        try err.print("hls-segmenter: {s}: {s}\n", .{ diag.path, diag.reason });
        try err.flush();
        return 1;
    };
    return 0;
}

test parseArgs {
    const t = std.testing;
    const ok = try parseArgs(&.{ "a.mp4", "dir" });
    try t.expectEqualStrings("a.mp4", ok.input);
    try t.expectEqualStrings("dir", ok.out_dir);
    try t.expectEqual(@as(i64, 6), ok.target);
    try t.expectEqual(@as(i64, 3600), (try parseArgs(&.{ "a", "b", "3600" })).target);
    try t.expectError(error.Usage, parseArgs(&.{}));
    try t.expectError(error.Usage, parseArgs(&.{"a"}));
    try t.expectError(error.Usage, parseArgs(&.{ "a", "b", "6", "x" }));
    for ([_][:0]const u8{ "0", "3601", "-1", "6.5", "", "+6", "06x" }) |bad| {
        try t.expectError(error.BadTarget, parseArgs(&.{ "a", "b", bad }));
    }
}

test {
    _ = @import("playlist.zig");
    _ = @import("tests.zig");
}
