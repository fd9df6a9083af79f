//! The playlist text and segment names (README.md, "Playlist").
const std = @import("std");
const Writer = std.Io.Writer;

/// Writes the file name of segment `i` (`seg00000.ts`, …, at least five digits) into `buf`.
pub fn segmentName(buf: []u8, i: usize) []const u8 {
    return std.mem.print(buf, "seg{d:0>5}.ts", .{i}) catch unreachable;
}

/// Writes the VOD playlist for segments of the given durations in microseconds.
pub fn write(w: *Writer, durations_us: []const i64) Writer.Error!void {
    var max: i64 = 0;
    for (durations_us) |d| max = @max(max, d);
    const target = @divTrunc(max + 999_999, 1_000_000);
    try w.writeAll("#EXTM3U\n#EXT-X-VERSION:3\n");
    try w.print("#EXT-X-TARGETDURATION:{d}\n", .{target});
    try w.writeAll("#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n");
    var name_buf: [32]u8 = undefined;
    for (durations_us, 0..) |d, i| {
        const whole: u64 = @intCast(@divTrunc(d, 1_000_000));
        const micro: u64 = @intCast(@mod(d, 1_000_000));
        try w.print("#EXTINF:{d}.{d:0>6},\n{s}\n", .{ whole, micro, segmentName(&name_buf, i) });
    }
    try w.writeAll("#EXT-X-ENDLIST\n");
}

fn render(buf: []u8, durations_us: []const i64) ![]const u8 {
    var w: Writer = .fixed(buf);
    try write(&w, durations_us);
    return w.buffered();
}

test "two segments" {
    var buf: [512]u8 = undefined;
    try std.testing.expectEqualStrings(
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n#EXT-X-MEDIA-SEQUENCE:0\n" ++
            "#EXT-X-PLAYLIST-TYPE:VOD\n#EXTINF:6.000000,\nseg00000.ts\n#EXTINF:4.000000,\nseg00001.ts\n" ++
            "#EXT-X-ENDLIST\n",
        try render(&buf, &.{ 6_000_000, 4_000_000 }),
    );
}

test "matches the tiny fixture's playlist" {
    var buf: [512]u8 = undefined;
    try std.testing.expectEqualStrings(@embedFile("tiny.m3u8"), try render(&buf, &.{ 1_466_667, 1_466_667, 1_066_667 }));
}

test "target is the ceiling, EXTINF has six decimals" {
    const cases = [_]struct { durs: []const i64, target: []const u8, extinf: []const u8 }{
        .{ .durs = &.{6_000_001}, .target = "#EXT-X-TARGETDURATION:7\n", .extinf = "#EXTINF:6.000001,\n" },
        .{ .durs = &.{999_999}, .target = "#EXT-X-TARGETDURATION:1\n", .extinf = "#EXTINF:0.999999,\n" },
        .{ .durs = &.{ 1, 2_000_000 }, .target = "#EXT-X-TARGETDURATION:2\n", .extinf = "#EXTINF:0.000001,\n" },
        .{ .durs = &.{12_345_678_901}, .target = "#EXT-X-TARGETDURATION:12346\n", .extinf = "#EXTINF:12345.678901,\n" },
    };
    for (cases) |cs| {
        var buf: [512]u8 = undefined;
        const p = try render(&buf, cs.durs);
        try std.testing.expect(std.mem.indexOf(u8, p, cs.target) != null);
        try std.testing.expect(std.mem.indexOf(u8, p, cs.extinf) != null);
    }
}

test "segment names" {
    var buf: [32]u8 = undefined;
    try std.testing.expectEqualStrings("seg00007.ts", segmentName(&buf, 7));
    try std.testing.expectEqualStrings("seg123456.ts", segmentName(&buf, 123456));
}
