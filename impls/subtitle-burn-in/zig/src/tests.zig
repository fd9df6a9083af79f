//! Unit and end-to-end tests against the shared test data (../testdata).

const std = @import("std");
const testing = std.testing;
const Io = std.Io;
const cfg = @import("test_config");
const main = @import("main.zig");
const subs = main.subs;
const draw = main.draw;
const burn = main.burn;

const gpa = testing.allocator;

fn readTestdata(name: []const u8) ![]u8 {
    const path = try std.fs.path.join(gpa, &.{ cfg.testdata, name });
    defer gpa.free(path);
    return Io.Dir.cwd().readFileAlloc(testing.io, path, gpa, .limited(1 << 24));
}

fn testdataPath(name: []const u8) ![:0]u8 {
    return std.fmt.allocPrintSentinel(gpa, "{s}/{s}", .{ cfg.testdata, name }, 0);
}

test "the embedded font is the shared font file" {
    const shared = try Io.Dir.cwd().readFileAlloc(testing.io, cfg.shared_font, gpa, .limited(1 << 20));
    defer gpa.free(shared);
    try testing.expectEqualStrings(shared, draw.font_hex);
    var font = try draw.Font.parse(gpa, draw.font_hex);
    defer font.deinit(gpa);
    try testing.expect(font.glyphs.count() >= 160);
    try testing.expect(font.glyph('A') != &font.fallback);
    try testing.expect(font.glyph(0x0E2A) == &font.fallback);
}

test "SRT and WebVTT cases match the expected dumps" {
    for ([_][]const u8{ "cases.srt", "cases.vtt" }) |name| {
        const data = try readTestdata(name);
        defer gpa.free(data);
        var failure: subs.Failure = .{};
        defer failure.deinit(gpa);
        var parsed = try subs.parse(gpa, data, &failure);
        defer parsed.deinit(gpa);
        try testing.expectEqual(std.mem.endsWith(u8, name, ".vtt"), parsed.vtt);
        const got = try subs.dump(gpa, parsed);
        defer gpa.free(got);
        const expected_name = try std.fmt.allocPrint(gpa, "{s}.expected", .{name});
        defer gpa.free(expected_name);
        const want = try readTestdata(expected_name);
        defer gpa.free(want);
        try testing.expectEqualStrings(want, got);
    }
}

test "malformed files fail at the expected line" {
    const expected = try readTestdata("bad/expected.txt");
    defer gpa.free(expected);
    var rows = std.mem.tokenizeScalar(u8, expected, '\n');
    var count: usize = 0;
    while (rows.next()) |row| : (count += 1) {
        var parts = std.mem.splitScalar(u8, row, ' ');
        const file = parts.next().?;
        const line = try std.fmt.parseInt(usize, parts.next().?, 10);
        const msg = parts.rest();
        const name = try std.fmt.allocPrint(gpa, "bad/{s}", .{file});
        defer gpa.free(name);
        const data = try readTestdata(name);
        defer gpa.free(data);
        var failure: subs.Failure = .{};
        defer failure.deinit(gpa);
        try testing.expectError(error.Syntax, subs.parse(gpa, data, &failure));
        testing.expectEqual(line, failure.line) catch |err| {
            std.debug.print("{s}: {d}: {s}\n", .{ file, failure.line, failure.msg });
            return err;
        };
        try testing.expect(std.mem.startsWith(u8, failure.msg, msg));
    }
    try testing.expect(count >= 10);
}

test "styles carry over lines and stop at closing tags" {
    var failure: subs.Failure = .{};
    defer failure.deinit(gpa);
    var parsed = try subs.parse(gpa, "1\n00:00:01,000 --> 00:00:02,000\n<i>a\nb</i> c\n", &failure);
    defer parsed.deinit(gpa);
    const cue = parsed.cues[0];
    try testing.expectEqual(@as(i64, 1000), cue.start);
    try testing.expectEqual(@as(i64, 2000), cue.end);
    try testing.expectEqual(@as(usize, 2), cue.line);
    const cs = try subs.cells(gpa, cue, false);
    defer subs.freeCells(gpa, cs);
    try testing.expect(cs[0][0].italic and cs[1][0].italic);
    try testing.expect(!cs[1][2].italic and cs[1][2].cp == 'c');
}

test "blend matches the table" {
    const table = try readTestdata("blend.expected");
    defer gpa.free(table);
    var rows = std.mem.tokenizeScalar(u8, table, '\n');
    while (rows.next()) |row| {
        var f = std.mem.splitScalar(u8, row, ' ');
        var v: [4]i32 = undefined;
        for (&v) |*x| x.* = try std.fmt.parseInt(i32, f.next().?, 10);
        try testing.expectEqual(v[3], draw.blend(v[0], v[1], v[2]));
    }
}

test "drawing on a small frame gives the expected pixels" {
    const w = 66;
    const h = 64;
    const text = try readTestdata("draw.srt");
    defer gpa.free(text);
    var failure: subs.Failure = .{};
    defer failure.deinit(gpa);
    var parsed = try subs.parse(gpa, text, &failure);
    defer parsed.deinit(gpa);
    var block: std.ArrayList([]const subs.Cell) = .empty;
    defer block.deinit(gpa);
    var owned: std.ArrayList([][]subs.Cell) = .empty;
    defer {
        for (owned.items) |o| subs.freeCells(gpa, o);
        owned.deinit(gpa);
    }
    for (parsed.cues) |cue| {
        const cs = try subs.cells(gpa, cue, parsed.vtt);
        try owned.append(gpa, cs);
        for (cs) |l| try block.append(gpa, l);
    }
    var font = try draw.Font.parse(gpa, draw.font_hex);
    defer font.deinit(gpa);
    var layout = (try draw.Layout.init(gpa, &font, block.items, w, h)).?;
    defer layout.deinit(gpa);
    try testing.expect(layout.x0 % 2 == 0 and layout.x1 % 2 == 0 and layout.y0 % 2 == 0 and layout.y1 % 2 == 0);

    var y: [w * h]u8 = undefined;
    var u: [w * h / 4]u8 = undefined;
    var v: [w * h / 4]u8 = undefined;
    for (0..h) |r| for (0..w) |x| {
        y[r * w + x] = @truncate(7 * x + 13 * r);
    };
    for (0..h / 2) |r| for (0..w / 2) |x| {
        u[r * w / 2 + x] = @truncate(5 * x + 3 * r + 64);
        v[r * w / 2 + x] = @truncate(11 * x + 2 * r + 32);
    };
    const y_before = y;
    layout.draw(&y, &u, &v, w, w / 2, w / 2);

    const expected = try readTestdata("draw.expected");
    defer gpa.free(expected);
    var rows = std.mem.tokenizeScalar(u8, expected, '\n');
    for ([_][]const u8{ &y, &u, &v }, [_]usize{ w, w / 2, w / 2 }) |plane, pw| {
        var off: usize = 0;
        while (off < plane.len) : (off += pw) {
            var hex: [2 * w]u8 = undefined;
            const got = std.fmt.bufPrint(&hex, "{x}", .{plane[off .. off + pw]}) catch unreachable;
            try testing.expectEqualStrings(rows.next().?, got);
        }
    }
    try testing.expect(rows.next() == null);
    for (0..h) |r| for (0..w) |x| {
        const inside = x >= layout.x0 and x < layout.x1 and r >= layout.y0 and r < layout.y1;
        if (!inside) try testing.expectEqual(y_before[r * w + x], y[r * w + x]);
    };
}

test "a block of empty lines draws nothing" {
    var font = try draw.Font.parse(gpa, draw.font_hex);
    defer font.deinit(gpa);
    const empty: []const subs.Cell = &.{};
    try testing.expect(try draw.Layout.init(gpa, &font, &.{ empty, empty }, 64, 64) == null);
}

const CliResult = struct {
    code: u8,
    stdout: []u8,
    stderr: []u8,

    fn deinit(self: CliResult) void {
        gpa.free(self.stdout);
        gpa.free(self.stderr);
    }
};

fn runCli(args: []const [:0]const u8) !CliResult {
    var out: Io.Writer.Allocating = .init(gpa);
    defer out.deinit();
    var err: Io.Writer.Allocating = .init(gpa);
    defer err.deinit();
    const code = main.run(gpa, testing.io, args, &out.writer, &err.writer);
    const stdout = try out.toOwnedSlice();
    errdefer gpa.free(stdout);
    return .{ .code = code, .stdout = stdout, .stderr = try err.toOwnedSlice() };
}

fn exists(path: []const u8) bool {
    Io.Dir.cwd().access(testing.io, path, .{}) catch return false;
    return true;
}

test "end to end: tiny video, lossless, text only on the cue's frames" {
    var tmp = testing.tmpDir(.{});
    defer tmp.cleanup();
    const out = try std.fmt.allocPrintSentinel(gpa, ".zig-cache/tmp/{s}/out.mp4", .{tmp.sub_path}, 0);
    defer gpa.free(out);
    const in = try testdataPath("tiny.mp4");
    defer gpa.free(in);
    const srt = try testdataPath("tiny.srt");
    defer gpa.free(srt);
    const r = try runCli(&.{ in, srt, out });
    defer r.deinit();
    try testing.expectEqualStrings("", r.stderr);
    try testing.expectEqual(@as(u8, 0), r.code);
    try testing.expectEqualStrings("{\"frames\":12,\"frames_with_text\":5,\"cues\":1,\"audio_packets\":20}\n", r.stdout);
    const partial = try std.fmt.allocPrint(gpa, "{s}.partial", .{out});
    defer gpa.free(partial);
    try testing.expect(!exists(partial));

    const src = try burn.decodeFrames(gpa, in);
    defer burn.freeFrames(gpa, src);
    const got = try burn.decodeFrames(gpa, out);
    defer burn.freeFrames(gpa, got);
    try testing.expectEqual(@as(usize, 12), src.len);
    try testing.expectEqual(@as(usize, 12), got.len);

    const text = try readTestdata("tiny.srt");
    defer gpa.free(text);
    var failure: subs.Failure = .{};
    defer failure.deinit(gpa);
    var parsed = try subs.parse(gpa, text, &failure);
    defer parsed.deinit(gpa);
    const cs = try subs.cells(gpa, parsed.cues[0], false);
    defer subs.freeCells(gpa, cs);
    var font = try draw.Font.parse(gpa, draw.font_hex);
    defer font.deinit(gpa);
    var block: [2][]const subs.Cell = .{ cs[0], cs[1] };
    var layout = (try draw.Layout.init(gpa, &font, &block, 160, 96)).?;
    defer layout.deinit(gpa);
    const ys = 160 * 96;
    const cs_len = 80 * 48;
    for (src, got, 0..) |s, g, i| {
        const want = try gpa.dupe(u8, s);
        defer gpa.free(want);
        // Cue 100–250 ms at 30 fps: frames 3..7 carry the text.
        if (i >= 3 and i <= 7) {
            layout.draw(want[0..ys], want[ys .. ys + cs_len], want[ys + cs_len ..], 160, 80, 80);
            try testing.expect(!std.mem.eql(u8, want, s));
        }
        try testing.expectEqualSlices(u8, want, g);
    }
}

test "faults exit 1 with a clear message and leave no output" {
    var tmp = testing.tmpDir(.{});
    defer tmp.cleanup();
    const dir = try std.fmt.allocPrint(gpa, ".zig-cache/tmp/{s}", .{tmp.sub_path});
    defer gpa.free(dir);

    const tiny_data = try readTestdata("tiny.mp4");
    defer gpa.free(tiny_data);
    try tmp.dir.writeFile(testing.io, .{ .sub_path = "half.mp4", .data = tiny_data[0 .. tiny_data.len / 2] });
    const fs_data = try readTestdata("tiny-faststart.mp4");
    defer gpa.free(fs_data);
    try tmp.dir.writeFile(testing.io, .{ .sub_path = "faststart-cut.mp4", .data = fs_data[0 .. fs_data.len * 9 / 10] });
    try tmp.dir.writeFile(testing.io, .{ .sub_path = "not-a-video.mp4", .data = "this is not a video file, just some text\n" });

    var arena_state = std.heap.ArenaAllocator.init(gpa);
    defer arena_state.deinit();
    const arena = arena_state.allocator();
    const tiny = try testdataPath("tiny.mp4");
    defer gpa.free(tiny);
    const srt = try testdataPath("tiny.srt");
    defer gpa.free(srt);
    const late = try testdataPath("tiny-late.srt");
    defer gpa.free(late);
    const bad = try testdataPath("bad/bad-arrow.srt");
    defer gpa.free(bad);
    const in_dir = struct {
        fn f(a: std.mem.Allocator, d: []const u8, name: []const u8) ![:0]u8 {
            return std.fmt.allocPrintSentinel(a, "{s}/{s}", .{ d, name }, 0);
        }
    }.f;
    const Case = struct { name: []const u8, in: [:0]const u8, subs: [:0]const u8, want: []const u8 };
    const cases = [_]Case{
        .{ .name = "missing video", .in = try in_dir(arena, dir, "missing.mp4"), .subs = srt, .want = "cannot open" },
        .{ .name = "not a video", .in = try in_dir(arena, dir, "not-a-video.mp4"), .subs = srt, .want = "cannot open" },
        .{ .name = "subtitles as video", .in = srt, .subs = srt, .want = "no video stream" },
        .{ .name = "cut in half", .in = try in_dir(arena, dir, "half.mp4"), .subs = srt, .want = "cannot open" },
        .{ .name = "faststart cut at 90%", .in = try in_dir(arena, dir, "faststart-cut.mp4"), .subs = srt, .want = "truncated or corrupt: decoded 11 of 12 frames" },
        .{ .name = "cue past the end", .in = tiny, .subs = late, .want = "tiny-late.srt:6: cue starts at 5000 ms" },
        .{ .name = "broken timing", .in = tiny, .subs = bad, .want = "bad-arrow.srt:2: bad timing line" },
        .{ .name = "missing subtitles", .in = tiny, .subs = try in_dir(arena, dir, "missing.srt"), .want = "missing.srt: no such file" },
    };
    const out = try in_dir(arena, dir, "out.mp4");
    const partial = try std.fmt.allocPrint(arena, "{s}.partial", .{out});
    for (cases) |c| {
        const r = try runCli(&.{ c.in, c.subs, out });
        defer r.deinit();
        testing.expect(r.code == 1 and r.stdout.len == 0 and std.mem.indexOf(u8, r.stderr, c.want) != null) catch |err| {
            std.debug.print("{s}: exit {d}, stderr {s}\n", .{ c.name, r.code, r.stderr });
            return err;
        };
        try testing.expect(!exists(out) and !exists(partial));
    }
    const r = try runCli(&.{ tiny, srt, try in_dir(arena, dir, "no-such-dir/out.mp4") });
    defer r.deinit();
    try testing.expectEqual(@as(u8, 1), r.code);
    const usage = try runCli(&.{ tiny, srt });
    defer usage.deinit();
    try testing.expectEqual(@as(u8, 2), usage.code);
}
