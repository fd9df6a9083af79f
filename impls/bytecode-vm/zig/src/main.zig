//! bytecode-vm <program.bin>
//!
//! Command line, file reading and exit codes (spec: ../../README.md). The VM is in vm.zig.
//! Exit codes: 0 success, 1 I/O error, 2 usage, 3 invalid bytecode, 4 runtime error.

const std = @import("std");
const Allocator = std.mem.Allocator;
const Io = std.Io;
const vm = @import("vm.zig");

const usage = "usage: bytecode-vm <program.bin>\n";

/// Programs are limited by the format to 16 + 2^32 bytes; reading stops at this size.
const max_file = 1 << 32;

pub fn main(init: std.process.Init) u8 {
    const io = init.io;
    const args = init.minimal.args.toSlice(init.arena.allocator()) catch {
        report(io, "bytecode-vm: out of memory\n");
        return 1;
    };
    if (args.len != 2) {
        report(io, usage);
        return 2;
    }
    var out_buf: [64 * 1024]u8 = undefined;
    var stdout_writer: Io.File.Writer = .initStreaming(.stdout(), io, &out_buf);
    var err_buf: [1024]u8 = undefined;
    var stderr_writer: Io.File.Writer = .initStreaming(.stderr(), io, &err_buf);
    const code = runMain(init.gpa, io, args[1], &stdout_writer.interface, &stderr_writer.interface, &stdout_writer);
    stderr_writer.interface.flush() catch {};
    return code;
}

/// Reads, validates and runs the program at `path`; returns the exit code. `out` is standard
/// output (flushed here), `err` receives the one-line error message. `file_writer`, when
/// given, is the file writer behind `out`, consulted for the OS reason of a write failure.
pub fn runMain(gpa: Allocator, io: Io, path: []const u8, out: *Io.Writer, err: *Io.Writer, file_writer: ?*Io.File.Writer) u8 {
    const data = Io.Dir.cwd().readFileAlloc(io, path, gpa, .limited(max_file)) catch |e| {
        err.print("bytecode-vm: {s}: {s}\n", .{ path, reason(e) }) catch {};
        return 1;
    };
    defer gpa.free(data);
    var msg_buf: [128]u8 = undefined;
    var prog = switch (vm.load(gpa, data, &msg_buf) catch |e| return outOfMemory(err, e)) {
        .ok => |p| p,
        .invalid => |m| {
            err.print("bytecode-vm: invalid bytecode: {s}\n", .{m}) catch {};
            return 3;
        },
    };
    defer prog.deinit(gpa);
    const outcome = vm.run(gpa, &prog, out) catch |e| switch (e) {
        error.OutOfMemory => return outOfMemory(err, e),
        error.WriteFailed => return writeFailed(err, file_writer),
    };
    out.flush() catch return writeFailed(err, file_writer);
    switch (outcome) {
        .ok => return 0,
        .fault => |f| {
            err.print("bytecode-vm: runtime error at offset {d}: {s}\n", .{ f.offset, f.msg }) catch {};
            return 4;
        },
    }
}

fn outOfMemory(err: *Io.Writer, e: anyerror) u8 {
    err.print("bytecode-vm: {s}\n", .{reason(e)}) catch {};
    return 1;
}

fn writeFailed(err: *Io.Writer, file_writer: ?*Io.File.Writer) u8 {
    const e: anyerror = if (file_writer) |fw| (fw.err orelse error.WriteFailed) else error.WriteFailed;
    err.print("bytecode-vm: stdout: {s}\n", .{reason(e)}) catch {};
    return 1;
}

fn report(io: Io, message: []const u8) void {
    Io.File.stderr().writeStreamingAll(io, message) catch {};
}

/// A short lowercase description of an error, in the style of strerror.
fn reason(e: anyerror) []const u8 {
    return switch (e) {
        error.FileNotFound => "no such file or directory",
        error.AccessDenied, error.PermissionDenied => "permission denied",
        error.IsDir => "is a directory",
        error.NotDir => "not a directory",
        error.NameTooLong => "file name too long",
        error.NoSpaceLeft => "no space left on device",
        error.FileTooBig, error.StreamTooLong => "file too large",
        error.InputOutput => "input/output error",
        error.BrokenPipe => "broken pipe",
        error.SymLinkLoop => "too many levels of symbolic links",
        error.OutOfMemory => "out of memory",
        error.WriteFailed => "write failed",
        else => @errorName(e),
    };
}

// ---------------------------------------------------------------- tests

const build_options = @import("build_options");

test {
    _ = vm;
}

fn readAlloc(io: Io, dir: Io.Dir, name: []const u8) ![]u8 {
    return dir.readFileAlloc(io, name, std.testing.allocator, .limited(1 << 20));
}

test "testdata cases: stdout, stderr and exit code match" {
    const gpa = std.testing.allocator;
    const io = std.testing.io;
    var dir = try Io.Dir.cwd().openDir(io, build_options.testdata, .{ .iterate = true });
    defer dir.close(io);
    var it = dir.iterate();
    var count: usize = 0;
    while (try it.next(io)) |entry| {
        if (!std.mem.endsWith(u8, entry.name, ".bin")) continue;
        const stem = entry.name[0 .. entry.name.len - 4];
        const path = try std.fs.path.join(gpa, &.{ build_options.testdata, entry.name });
        defer gpa.free(path);
        var names: [3][]u8 = undefined;
        for ([_][]const u8{ ".out", ".err", ".code" }, 0..) |ext, i| names[i] = try std.mem.concat(gpa, u8, &.{ stem, ext });
        defer for (names) |n| gpa.free(n);
        const want_out = try readAlloc(io, dir, names[0]);
        defer gpa.free(want_out);
        const want_err = try readAlloc(io, dir, names[1]);
        defer gpa.free(want_err);
        const want_code = try readAlloc(io, dir, names[2]);
        defer gpa.free(want_code);

        var out: Io.Writer.Allocating = .init(gpa);
        defer out.deinit();
        var err: Io.Writer.Allocating = .init(gpa);
        defer err.deinit();
        const code = runMain(gpa, io, path, &out.writer, &err.writer, null);
        // The expected stderr names the file as testdata/<name>.bin; the test uses an absolute path.
        const shown = try std.mem.concat(gpa, u8, &.{ "testdata/", entry.name });
        defer gpa.free(shown);
        const got_err = try std.mem.replaceOwned(u8, gpa, err.written(), path, shown);
        defer gpa.free(got_err);
        std.testing.expectEqualStrings(want_out, out.written()) catch |e| {
            std.debug.print("case {s}: stdout differs\n", .{stem});
            return e;
        };
        std.testing.expectEqualStrings(want_err, got_err) catch |e| {
            std.debug.print("case {s}: stderr differs\n", .{stem});
            return e;
        };
        const want = try std.fmt.parseInt(u8, std.mem.trim(u8, want_code, " \n"), 10);
        std.testing.expectEqual(want, code) catch |e| {
            std.debug.print("case {s}: exit code differs\n", .{stem});
            return e;
        };
        count += 1;
    }
    try std.testing.expect(count >= 10);
}

test "missing input file: exit 1 and the path in the message" {
    const gpa = std.testing.allocator;
    var out: Io.Writer.Allocating = .init(gpa);
    defer out.deinit();
    var err: Io.Writer.Allocating = .init(gpa);
    defer err.deinit();
    const code = runMain(gpa, std.testing.io, "/nonexistent/prog.bin", &out.writer, &err.writer, null);
    try std.testing.expectEqual(@as(u8, 1), code);
    try std.testing.expect(std.mem.startsWith(u8, err.written(), "bytecode-vm: /nonexistent/prog.bin: "));
    try std.testing.expectEqual(@as(usize, 0), out.written().len);
}

test "stdout write failure: exit 1 and a stdout message" {
    const gpa = std.testing.allocator;
    var out: Io.Writer = .failing;
    var err: Io.Writer.Allocating = .init(gpa);
    defer err.deinit();
    const path = try std.fs.path.join(gpa, &.{ build_options.testdata, "loops.bin" });
    defer gpa.free(path);
    const code = runMain(gpa, std.testing.io, path, &out, &err.writer, null);
    try std.testing.expectEqual(@as(u8, 1), code);
    try std.testing.expectEqualStrings("bytecode-vm: stdout: write failed\n", err.written());
}
