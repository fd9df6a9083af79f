//! Runs the segmenter on the committed fixtures (../testdata), the fault cases, and the built
//! binary for its exit codes.
const std = @import("std");
const Io = std.Io;
const t = std.testing;
const config = @import("config");
const segment = @import("segment.zig");

const Sha256 = std.crypto.hash.sha2.Sha256;

fn testdata(buf: []u8, name: []const u8) [:0]const u8 {
    return std.mem.printSentinel(buf, "{s}/{s}", .{ config.testdata, name }, 0) catch unreachable;
}

/// The path of a testing.tmpDir relative to the current directory.
fn tmpPath(buf: []u8, tmp: *const t.TmpDir) []const u8 {
    return std.mem.print(buf, ".zig-cache/tmp/{s}", .{tmp.sub_path}) catch unreachable;
}

/// Sorted names of the files in `dir`, joined by spaces.
fn listing(buf: []u8, dir: Io.Dir) ![]const u8 {
    var names: [16][]u8 = undefined;
    var name_store: [16][64]u8 = undefined;
    var n: usize = 0;
    var it = dir.iterate();
    while (try it.next(t.io)) |e| {
        @memcpy(name_store[n][0..e.name.len], e.name);
        names[n] = name_store[n][0..e.name.len];
        n += 1;
    }
    std.mem.sort([]u8, names[0..n], {}, struct {
        fn lt(_: void, a: []u8, b: []u8) bool {
            return std.mem.lessThan(u8, a, b);
        }
    }.lt);
    var w: Io.Writer = .fixed(buf);
    for (names[0..n], 0..) |name, i| try w.print("{s}{s}", .{ if (i == 0) "" else " ", name });
    return w.buffered();
}

test "tiny.mp4 gives the expected playlist and the ffmpeg CLI's segments" {
    var tmp = t.tmpDir(.{ .iterate = true });
    defer tmp.cleanup();
    var pb: [256]u8 = undefined;
    var ib: [4096]u8 = undefined;
    var diag: segment.Diag = .{};
    segment.run(t.allocator, t.io, testdata(&ib, "tiny.mp4"), tmpPath(&pb, &tmp), 1, &diag) catch |e| {
        std.debug.print("{s}: {s}\n", .{ diag.path, diag.reason });
        return e;
    };
    var lb: [256]u8 = undefined;
    try t.expectEqualStrings("index.m3u8 seg00000.ts seg00001.ts seg00002.ts", try listing(&lb, tmp.dir));

    const got = try tmp.dir.readFileAlloc(t.io, "index.m3u8", t.allocator, .limited(1 << 20));
    defer t.allocator.free(got);
    const want = try Io.Dir.cwd().readFileAlloc(t.io, testdata(&ib, "tiny.m3u8"), t.allocator, .limited(1 << 20));
    defer t.allocator.free(want);
    try t.expectEqualStrings(want, got);

    const sums = try Io.Dir.cwd().readFileAlloc(t.io, testdata(&ib, "tiny.sha256"), t.allocator, .limited(1 << 20));
    defer t.allocator.free(sums);
    var lines = std.mem.tokenizeScalar(u8, sums, '\n');
    var n: usize = 0;
    while (lines.next()) |line| {
        var f = std.mem.tokenizeScalar(u8, line, ' ');
        const want_hex = f.next().?;
        const name = f.next().?;
        const data = try tmp.dir.readFileAlloc(t.io, name, t.allocator, .limited(1 << 24));
        defer t.allocator.free(data);
        var digest: [32]u8 = undefined;
        Sha256.hash(data, &digest, .{});
        const hex = std.fmt.bytesToHex(digest, .lower);
        try t.expectEqualStrings(want_hex, &hex);
        n += 1;
    }
    try t.expectEqual(@as(usize, 3), n);
}

fn expectFault(input: [:0]const u8, reason: []const u8) !void {
    var tmp = t.tmpDir(.{ .iterate = true });
    defer tmp.cleanup();
    var pb: [256]u8 = undefined;
    var diag: segment.Diag = .{};
    try t.expectError(error.Failed, segment.run(t.allocator, t.io, input, tmpPath(&pb, &tmp), 1, &diag));
    try t.expectEqualStrings(input, diag.path);
    if (std.mem.indexOf(u8, diag.reason, reason) == null) {
        std.debug.print("reason \"{s}\" does not contain \"{s}\"\n", .{ diag.reason, reason });
        return error.TestUnexpectedResult;
    }
    var lb: [256]u8 = undefined;
    try t.expectEqualStrings("", try listing(&lb, tmp.dir)); // no partial output
}

test "missing input file" {
    var ib: [4096]u8 = undefined;
    try expectFault(testdata(&ib, "no-such-file.mp4"), "No such file or directory");
}

test "not a video" {
    var ib: [4096]u8 = undefined;
    try expectFault(testdata(&ib, "not-a-video.txt"), "Invalid data found when processing input");
}

test "audio only" {
    var ib: [4096]u8 = undefined;
    try expectFault(testdata(&ib, "audio-only.m4a"), "no video stream");
}

test "truncated file (tiny.mp4 cut in half)" {
    var ib: [4096]u8 = undefined;
    const tiny = try Io.Dir.cwd().readFileAlloc(t.io, testdata(&ib, "tiny.mp4"), t.allocator, .limited(1 << 24));
    defer t.allocator.free(tiny);
    var src = t.tmpDir(.{});
    defer src.cleanup();
    try src.dir.writeFile(t.io, .{ .sub_path = "half.mp4", .data = tiny[0 .. tiny.len / 2] });
    var hb: [256]u8 = undefined;
    const half = std.mem.printSentinel(&hb, ".zig-cache/tmp/{s}/half.mp4", .{src.sub_path}, 0) catch unreachable;
    try expectFault(half, "corrupt packet in stream");
}

test "missing output directory" {
    var tmp = t.tmpDir(.{});
    defer tmp.cleanup();
    var pb: [256]u8 = undefined;
    const dir = std.mem.print(&pb, ".zig-cache/tmp/{s}/absent", .{tmp.sub_path}) catch unreachable;
    var ib: [4096]u8 = undefined;
    var diag: segment.Diag = .{};
    try t.expectError(error.Failed, segment.run(t.allocator, t.io, testdata(&ib, "tiny.mp4"), dir, 1, &diag));
    try t.expectEqualStrings(dir, diag.path);
    try t.expectError(error.FileNotFound, tmp.dir.statFile(t.io, "absent", .{}));
}

fn runExe(argv: []const []const u8) !std.process.RunResult {
    var full: [8][]const u8 = undefined;
    full[0] = config.exe;
    @memcpy(full[1 .. 1 + argv.len], argv);
    return std.process.run(t.allocator, t.io, .{ .argv = full[0 .. 1 + argv.len] });
}

test "command line: exit codes 2, 1, 0 and silence on success" {
    var ib: [4096]u8 = undefined;
    const usage = try runExe(&.{});
    defer t.allocator.free(usage.stdout);
    defer t.allocator.free(usage.stderr);
    try t.expectEqual(std.process.Child.Term{ .exited = 2 }, usage.term);
    try t.expect(std.mem.indexOf(u8, usage.stderr, "usage: hls-segmenter INPUT OUTDIR [TARGET_SECONDS]") != null);

    const missing = try runExe(&.{ "/nonexistent/in.mp4", "." });
    defer t.allocator.free(missing.stdout);
    defer t.allocator.free(missing.stderr);
    try t.expectEqual(std.process.Child.Term{ .exited = 1 }, missing.term);
    try t.expectEqualStrings("hls-segmenter: /nonexistent/in.mp4: No such file or directory\n", missing.stderr);

    var tmp = t.tmpDir(.{ .iterate = true });
    defer tmp.cleanup();
    var pb: [256]u8 = undefined;
    const ok = try runExe(&.{ testdata(&ib, "tiny.mp4"), tmpPath(&pb, &tmp), "1" });
    defer t.allocator.free(ok.stdout);
    defer t.allocator.free(ok.stderr);
    try t.expectEqual(std.process.Child.Term{ .exited = 0 }, ok.term);
    try t.expectEqualStrings("", ok.stdout);
    try t.expectEqualStrings("", ok.stderr);
    var lb: [256]u8 = undefined;
    try t.expectEqualStrings("index.m3u8 seg00000.ts seg00001.ts seg00002.ts", try listing(&lb, tmp.dir));
}
