//! csv-aggregator <input.csv> <output.csv>
//!
//! Command line, files and exit codes (spec: ../README.md). The parser and the aggregation are
//! in agg.zig. Exit codes: 0 success (summary line on stdout), 1 I/O error or malformed input
//! (one line on stderr, no output file left), 2 wrong number of arguments.

const std = @import("std");
const Allocator = std.mem.Allocator;
const Io = std.Io;
const agg = @import("agg.zig");

const usage = "usage: csv-aggregator <input.csv> <output.csv>\n";

pub fn main(init: std.process.Init) u8 {
    const io = init.io;
    var out_buf: [256]u8 = undefined;
    var err_buf: [1024]u8 = undefined;
    var stdout: Io.File.Writer = .initStreaming(.stdout(), io, &out_buf);
    var stderr: Io.File.Writer = .initStreaming(.stderr(), io, &err_buf);
    const code = blk: {
        const args = init.minimal.args.toSlice(init.arena.allocator()) catch {
            stderr.interface.writeAll("csv-aggregator: out of memory\n") catch {};
            break :blk 1;
        };
        if (args.len != 3) {
            stderr.interface.writeAll(usage) catch {};
            break :blk 2;
        }
        break :blk run(init.gpa, io, args[1], args[2], &stdout.interface, &stderr.interface);
    };
    stdout.interface.flush() catch {};
    stderr.interface.flush() catch {};
    return code;
}

/// Runs the program on the two paths, writing the summary to `stdout` and errors to `stderr`;
/// returns the exit code.
pub fn run(gpa: Allocator, io: Io, in_path: []const u8, out_path: []const u8, stdout: *Io.Writer, stderr: *Io.Writer) u8 {
    const cwd = Io.Dir.cwd();
    const input = cwd.openFile(io, in_path, .{}) catch |err| return fail(stderr, in_path, reason(err));
    defer input.close(io);
    const output = cwd.createFile(io, out_path, .{}) catch |err| return fail(stderr, out_path, reason(err));
    var output_open = true;
    defer if (output_open) output.close(io);
    // Only a regular file is deleted after an error, never a device such as /dev/null.
    const regular = if (output.stat(io)) |st| st.kind == .file else |_| false;

    var a: agg.Aggregator = .init(gpa);
    defer a.deinit();
    // Streaming mode: read(2) at the file offset; no buffer of its own, `aggregate` reads
    // straight into its block buffer.
    var file_reader: Io.File.Reader = .initStreaming(input, io, &.{});
    a.aggregate(&file_reader.interface, agg.buffer_size) catch |err| {
        output.close(io);
        output_open = false;
        if (regular) cwd.deleteFile(io, out_path) catch {};
        return switch (err) {
            error.Malformed => blk: {
                stderr.print("csv-aggregator: {s}: record {d} (line {d}): {s}\n", .{ in_path, a.record, a.line, a.reason }) catch {};
                break :blk 1;
            },
            error.ReadFailed => fail(stderr, in_path, reason(file_reader.err orelse err)),
            error.OutOfMemory => fail(stderr, in_path, reason(err)),
        };
    };

    var write_buf: [1 << 16]u8 = undefined;
    var file_writer: Io.File.Writer = .initStreaming(output, io, &write_buf);
    const written = blk: {
        agg.writeOutput(&file_writer.interface, a.groups.items) catch break :blk false;
        file_writer.interface.flush() catch break :blk false;
        break :blk true;
    };
    output.close(io);
    output_open = false;
    if (!written) {
        if (regular) cwd.deleteFile(io, out_path) catch {};
        return fail(stderr, out_path, reason(file_writer.err orelse error.WriteFailed));
    }
    agg.writeSummary(stdout, &a) catch {};
    return 0;
}

fn fail(stderr: *Io.Writer, path: []const u8, msg: []const u8) u8 {
    stderr.print("csv-aggregator: {s}: {s}\n", .{ path, msg }) catch {};
    return 1;
}

/// A short lowercase description of an error, in the style of strerror.
fn reason(err: anyerror) []const u8 {
    return switch (err) {
        error.FileNotFound => "no such file or directory",
        error.AccessDenied, error.PermissionDenied => "permission denied",
        error.IsDir => "is a directory",
        error.NotDir => "not a directory",
        error.NameTooLong => "file name too long",
        error.NoSpaceLeft => "no space left on device",
        error.DiskQuota => "disk quota exceeded",
        error.FileTooBig => "file too large",
        error.InputOutput => "input/output error",
        error.BrokenPipe => "broken pipe",
        error.SymLinkLoop => "too many levels of symbolic links",
        error.ReadOnlyFileSystem => "read-only file system",
        error.OutOfMemory => "out of memory",
        else => @errorName(err),
    };
}

// ---- tests: the shared testdata cases and the faults ----

const testing = std.testing;
const options = @import("options");

test {
    _ = agg;
}

const Captured = struct { code: u8, stdout: []u8, stderr: []u8 };

fn call(in_path: []const u8, out_path: []const u8) !Captured {
    var out: Io.Writer.Allocating = .init(testing.allocator);
    defer out.deinit();
    var err: Io.Writer.Allocating = .init(testing.allocator);
    defer err.deinit();
    const code = run(testing.allocator, testing.io, in_path, out_path, &out.writer, &err.writer);
    return .{ .code = code, .stdout = try out.toOwnedSlice(), .stderr = try err.toOwnedSlice() };
}

fn exists(path: []const u8) bool {
    Io.Dir.cwd().access(testing.io, path, .{}) catch return false;
    return true;
}

test "testdata cases" {
    const gpa = testing.allocator;
    var arena_state = std.heap.ArenaAllocator.init(gpa);
    defer arena_state.deinit();
    const arena = arena_state.allocator();
    const io = testing.io;
    var tmp = testing.tmpDir(.{});
    defer tmp.cleanup();
    const tmp_path = try tmp.dir.realPathFileAlloc(io, ".", arena);

    var dir = try Io.Dir.cwd().openDir(io, options.testdata, .{ .iterate = true });
    defer dir.close(io);
    var it = dir.iterate();
    var n: usize = 0;
    while (try it.next(io)) |entry| {
        const name = try arena.dupe(u8, entry.name);
        if (!std.mem.endsWith(u8, name, ".csv") or std.mem.endsWith(u8, name, ".expected.csv")) continue;
        n += 1;
        const stem = try std.fs.path.join(arena, &.{ options.testdata, name[0 .. name.len - 4] });
        const in_path = try std.fs.path.join(arena, &.{ options.testdata, name });
        const out_path = try std.fs.path.join(arena, &.{ tmp_path, name });
        const got = try call(in_path, out_path);
        defer gpa.free(got.stdout);
        defer gpa.free(got.stderr);
        errdefer std.debug.print("case {s}: exit {d}, stderr {s}\n", .{ name, got.code, got.stderr });
        const error_path = try std.fmt.allocPrint(arena, "{s}.error", .{stem});
        if (Io.Dir.cwd().readFileAlloc(io, error_path, arena, .unlimited)) |want| {
            const expected = try std.mem.replaceOwned(u8, arena, want, "INPUT", in_path);
            try testing.expectEqual(1, got.code);
            try testing.expectEqualStrings(expected, got.stderr);
            try testing.expectEqualStrings("", got.stdout);
            try testing.expect(!exists(out_path));
        } else |_| {
            try testing.expectEqual(0, got.code);
            const want = try Io.Dir.cwd().readFileAlloc(io, try std.fmt.allocPrint(arena, "{s}.expected.csv", .{stem}), arena, .unlimited);
            const out = try Io.Dir.cwd().readFileAlloc(io, out_path, arena, .unlimited);
            try testing.expectEqualStrings(want, out);
            const summary = try Io.Dir.cwd().readFileAlloc(io, try std.fmt.allocPrint(arena, "{s}.summary", .{stem}), arena, .unlimited);
            try testing.expectEqualStrings(summary, got.stdout);
        }
    }
    try testing.expect(n >= 20);
}

test "faults" {
    const gpa = testing.allocator;
    var arena_state = std.heap.ArenaAllocator.init(gpa);
    defer arena_state.deinit();
    const arena = arena_state.allocator();
    const io = testing.io;
    var tmp = testing.tmpDir(.{});
    defer tmp.cleanup();
    const tmp_path = try tmp.dir.realPathFileAlloc(io, ".", arena);

    const missing = try std.fs.path.join(arena, &.{ tmp_path, "missing.csv" });
    var got = try call(missing, try std.fs.path.join(arena, &.{ tmp_path, "o.csv" }));
    try testing.expectEqual(1, got.code);
    try testing.expectEqualStrings(try std.fmt.allocPrint(arena, "csv-aggregator: {s}: no such file or directory\n", .{missing}), got.stderr);
    gpa.free(got.stdout);
    gpa.free(got.stderr);

    const basic = try std.fs.path.join(arena, &.{ options.testdata, "basic.csv" });
    const bad = try std.fs.path.join(arena, &.{ tmp_path, "no-such-dir", "o.csv" });
    got = try call(basic, bad);
    try testing.expectEqual(1, got.code);
    try testing.expect(std.mem.startsWith(u8, got.stderr, try std.fmt.allocPrint(arena, "csv-aggregator: {s}: ", .{bad})));
    gpa.free(got.stdout);
    gpa.free(got.stderr);

    const old = try std.fs.path.join(arena, &.{ tmp_path, "old.csv" });
    try tmp.dir.writeFile(io, .{ .sub_path = "old.csv", .data = "old" });
    got = try call(try std.fs.path.join(arena, &.{ options.testdata, "bad-qty.csv" }), old);
    try testing.expectEqual(1, got.code);
    try testing.expectEqualStrings("", got.stdout);
    try testing.expect(!exists(old));
    gpa.free(got.stdout);
    gpa.free(got.stderr);
}
