//! video-frame-extractor [--width W] (--at T[,T...] | --every N) [--raw] <input> <outdir>
//!
//! PNG thumbnails of a video at given timestamps, decoded with FFmpeg's C libraries, as
//! specified in ../README.md. Exit codes: 0 success, 1 runtime error, 2 usage error.

const std = @import("std");
const Io = std.Io;
const args = @import("args.zig");
const extract = @import("extract.zig");

pub fn main(init: std.process.Init) u8 {
    const io = init.io;
    const arena = init.arena.allocator();
    var err_buf: [1024]u8 = undefined;
    var stderr: Io.File.Writer = .initStreaming(.stderr(), io, &err_buf);
    const argv = init.minimal.args.toSlice(arena) catch {
        stderr.interface.writeAll("video-frame-extractor: out of memory\n") catch {};
        stderr.interface.flush() catch {};
        return 1;
    };
    var out_buf: [4096]u8 = undefined;
    var stdout: Io.File.Writer = .initStreaming(.stdout(), io, &out_buf);
    const code = run(io, arena, argv[1..], &stdout.interface, &stderr.interface);
    stderr.interface.flush() catch {};
    return code;
}

/// The whole program minus the process exit: returns the exit code.
pub fn run(io: Io, arena: std.mem.Allocator, argv: []const [:0]const u8, stdout: *Io.Writer, stderr: *Io.Writer) u8 {
    var fail: args.Failure = .{ .arena = arena };
    const thumbs = blk: {
        const o = args.parse(argv, &fail) catch break :blk null;
        break :blk extract.extract(io, o, &fail) catch null;
    } orelse {
        stderr.print("video-frame-extractor: {s}\n", .{fail.msg}) catch {};
        if (fail.code == 2) stderr.print("{s}\n", .{args.usage_text}) catch {};
        stderr.flush() catch {};
        return fail.code;
    };
    for (thumbs, 0..) |t, i| {
        var name_buf: [32]u8 = undefined;
        stdout.print("{s} t={f} frame={f} pts={d}\n", .{ args.thumbName(&name_buf, i), args.micros(t.t), args.micros(t.frame_us), t.pts }) catch |e|
            return stdoutFailed(stderr, e);
    }
    stdout.flush() catch |e| return stdoutFailed(stderr, e);
    return 0;
}

fn stdoutFailed(stderr: *Io.Writer, e: anyerror) u8 {
    stderr.print("video-frame-extractor: <stdout>: {s}\n", .{@errorName(e)}) catch {};
    stderr.flush() catch {};
    return 1;
}

// ---------------------------------------------------------------------------------------------
// End-to-end tests on ../testdata (the build runs them with the implementation folder as cwd).
// small.mp4: 320×240, 30 fps (time base 1/15360, 512 per frame), 2 s, keyframes at 0 s and 1 s.

const testing = std.testing;
const small = "../testdata/small.mp4";

const Result = struct {
    code: u8,
    stdout: []const u8,
    stderr: []const u8,
};

fn runTest(arena: std.mem.Allocator, argv: []const [:0]const u8) !Result {
    var out: Io.Writer.Allocating = .init(arena);
    var err: Io.Writer.Allocating = .init(arena);
    const code = run(testing.io, arena, argv, &out.writer, &err.writer);
    return .{ .code = code, .stdout = out.written(), .stderr = err.written() };
}

/// A scratch folder under .zig-cache/tmp; `path` is relative to the cwd.
const Scratch = struct {
    tmp: testing.TmpDir,
    path: [:0]const u8,

    fn init(arena: std.mem.Allocator) !Scratch {
        const tmp = testing.tmpDir(.{ .iterate = true });
        return .{ .tmp = tmp, .path = try std.fmt.allocPrintSentinel(arena, ".zig-cache/tmp/{s}", .{tmp.sub_path}, 0) };
    }

    fn sub(s: Scratch, arena: std.mem.Allocator, name: []const u8) ![:0]const u8 {
        return std.fmt.allocPrintSentinel(arena, "{s}/{s}", .{ s.path, name }, 0);
    }

    fn deinit(s: *Scratch) void {
        s.tmp.cleanup();
    }
};

/// Sorted names in `dir` (empty when it does not exist), joined by spaces.
fn listDir(arena: std.mem.Allocator, path: []const u8) ![]const u8 {
    var dir = Io.Dir.cwd().openDir(testing.io, path, .{ .iterate = true }) catch |e| switch (e) {
        error.FileNotFound => return "",
        else => return e,
    };
    defer dir.close(testing.io);
    var names: std.ArrayList([]const u8) = .empty;
    var it = dir.iterate();
    while (try it.next(testing.io)) |entry| try names.append(arena, try arena.dupe(u8, entry.name));
    std.mem.sort([]const u8, names.items, {}, struct {
        fn lt(_: void, a: []const u8, b: []const u8) bool {
            return std.mem.lessThan(u8, a, b);
        }
    }.lt);
    return std.mem.join(arena, " ", names.items);
}

fn readFile(arena: std.mem.Allocator, path: []const u8) ![]u8 {
    return Io.Dir.cwd().readFileAlloc(testing.io, path, arena, .limited(1 << 26));
}

fn pngSize(arena: std.mem.Allocator, path: []const u8) ![2]u32 {
    const b = try readFile(arena, path);
    try testing.expect(b.len >= 24 and std.mem.eql(u8, b[0..8], "\x89PNG\r\n\x1a\n") and std.mem.eql(u8, b[12..16], "IHDR"));
    return .{ std.mem.readInt(u32, b[16..20], .big), std.mem.readInt(u32, b[20..24], .big) };
}

test "extracts the frame at or after each timestamp" {
    var arena_state: std.heap.ArenaAllocator = .init(testing.allocator);
    defer arena_state.deinit();
    const arena = arena_state.allocator();
    var s = try Scratch.init(arena);
    defer s.deinit();
    const dir = try s.sub(arena, "thumbs"); // created by the program
    const r = try runTest(arena, &.{ "--width", "100", "--at", "0,0.5,0.51,1.9,0.5", "--raw", small, dir });
    try testing.expectEqualStrings("", r.stderr);
    try testing.expectEqual(@as(u8, 0), r.code);
    // 0.51 s is pts 7833.6 -> 7834: the next frame is #16 (pts 8192, 0.533333 s).
    try testing.expectEqualStrings(
        "001.png t=0.000000 frame=0.000000 pts=0\n" ++
            "002.png t=0.500000 frame=0.500000 pts=7680\n" ++
            "003.png t=0.510000 frame=0.533333 pts=8192\n" ++
            "004.png t=1.900000 frame=1.900000 pts=29184\n" ++
            "005.png t=0.500000 frame=0.500000 pts=7680\n",
        r.stdout,
    );
    try testing.expectEqualStrings("001.png 002.png 003.png 004.png 005.png frames.rgb", try listDir(arena, dir));
    for ([_][]const u8{ "001.png", "002.png", "003.png", "004.png", "005.png" }) |n| {
        const size = try pngSize(arena, try s.sub(arena, try std.fmt.allocPrint(arena, "thumbs/{s}", .{n})));
        try testing.expectEqual([2]u32{ 100, 76 }, size);
    }
    const raw = try readFile(arena, try s.sub(arena, "thumbs/frames.rgb"));
    const frame = 100 * 76 * 3;
    try testing.expectEqual(@as(usize, 5 * frame), raw.len);
    const slice = struct {
        fn at(data: []const u8, i: usize) []const u8 {
            return data[i * frame ..][0..frame];
        }
    }.at;
    try testing.expectEqualSlices(u8, slice(raw, 1), slice(raw, 4)); // same timestamp, same pixels
    try testing.expect(!std.mem.eql(u8, slice(raw, 1), slice(raw, 2)));
    try testing.expect(!std.mem.eql(u8, slice(raw, 0), slice(raw, 3)));
    // The reused PNG encoder gives the same bytes for the same pixels.
    try testing.expectEqualSlices(u8, try readFile(arena, try s.sub(arena, "thumbs/002.png")), try readFile(arena, try s.sub(arena, "thumbs/005.png")));
}

test "every N seconds with the default width" {
    var arena_state: std.heap.ArenaAllocator = .init(testing.allocator);
    defer arena_state.deinit();
    const arena = arena_state.allocator();
    var s = try Scratch.init(arena);
    defer s.deinit();
    const r = try runTest(arena, &.{ "--every", "0.5", small, s.path });
    try testing.expectEqual(@as(u8, 0), r.code);
    try testing.expectEqual(@as(usize, 4), std.mem.countScalar(u8, r.stdout, '\n')); // 0, 0.5, 1, 1.5
    try testing.expectEqualStrings("001.png 002.png 003.png 004.png", try listDir(arena, s.path));
    try testing.expectEqual([2]u32{ 320, 240 }, try pngSize(arena, try s.sub(arena, "004.png")));
}

/// A job that must fail with exit code 1, one line on stderr, and no output file left behind.
fn expectFailure(input: [:0]const u8, want: []const u8, extra: []const [:0]const u8) !void {
    var arena_state: std.heap.ArenaAllocator = .init(testing.allocator);
    defer arena_state.deinit();
    const arena = arena_state.allocator();
    var s = try Scratch.init(arena);
    defer s.deinit();
    const out = try s.sub(arena, "out");
    var argv: std.ArrayList([:0]const u8) = .empty;
    try argv.appendSlice(arena, &.{ "--raw", input, out });
    try argv.appendSlice(arena, extra);
    const r = try runTest(arena, argv.items);
    if (r.code != 1 or r.stdout.len != 0 or !std.mem.startsWith(u8, r.stderr, "video-frame-extractor: ") or
        std.mem.indexOf(u8, r.stderr, want) == null or std.mem.countScalar(u8, r.stderr, '\n') != 1)
    {
        std.debug.print("exit {d}, stdout \"{s}\", stderr \"{s}\"; want exit 1 and one line with \"{s}\"\n", .{ r.code, r.stdout, r.stderr, want });
        return error.TestUnexpectedResult;
    }
    try testing.expectEqualStrings("", try listDir(arena, out));
}

test "missing file" {
    try expectFailure("../testdata/nope.mp4", "No such file or directory", &.{ "--at", "0" });
}

test "not a video" {
    var arena_state: std.heap.ArenaAllocator = .init(testing.allocator);
    defer arena_state.deinit();
    const arena = arena_state.allocator();
    var s = try Scratch.init(arena);
    defer s.deinit();
    const text = try arena.alloc(u8, 20 * 200);
    for (0..200) |i| @memcpy(text[i * 20 ..][0..20], "this is not a video\n");
    try s.tmp.dir.writeFile(testing.io, .{ .sub_path = "notes.mp4", .data = text });
    try expectFailure(try s.sub(arena, "notes.mp4"), "Invalid data found when processing input", &.{ "--at", "0" });
}

test "audio-only file has no video stream" {
    try expectFailure("../testdata/audio-only.m4a", "no video stream", &.{ "--at", "0" });
}

test "truncated file" {
    var arena_state: std.heap.ArenaAllocator = .init(testing.allocator);
    defer arena_state.deinit();
    const arena = arena_state.allocator();
    var s = try Scratch.init(arena);
    defer s.deinit();
    const data = try readFile(arena, small);
    try s.tmp.dir.writeFile(testing.io, .{ .sub_path = "half.mp4", .data = data[0 .. data.len / 2] });
    try expectFailure(try s.sub(arena, "half.mp4"), "half.mp4", &.{ "--at", "0" });
}

test "timestamp past the end" {
    try expectFailure(small, "timestamp 2.500000 is past the end", &.{ "--at", "0.5,2.5" });
    try expectFailure(small, "timestamp 2.000000 is past the end", &.{ "--at", "2" });
}

// 1.99 s is before the container's end (2 s) but after the last frame (1.966667 s): the failure
// comes after 001.png was already encoded, and its .part file must be gone too.
test "no frame after the last leaves nothing" {
    try expectFailure(small, "no frame at or after 1.990000", &.{ "--at", "0.5,1.99" });
}

test "usage errors exit 2" {
    var arena_state: std.heap.ArenaAllocator = .init(testing.allocator);
    defer arena_state.deinit();
    const arena = arena_state.allocator();
    var s = try Scratch.init(arena);
    defer s.deinit();
    const cases = [_][]const [:0]const u8{
        &.{},
        &.{small},
        &.{ "--at", "x", small, s.path },
        &.{ "--every", "0.000001", small, s.path },
    };
    for (cases) |argv| {
        const r = try runTest(arena, argv);
        try testing.expectEqual(@as(u8, 2), r.code);
        try testing.expectEqualStrings("", r.stdout);
        try testing.expect(std.mem.startsWith(u8, r.stderr, "video-frame-extractor: "));
    }
    try testing.expectEqualStrings("", try listDir(arena, s.path));
}

test {
    _ = args;
    _ = extract;
}
