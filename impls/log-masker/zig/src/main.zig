//! log-masker <input-file> <output-file>
//!
//! Command line, files and exit codes. The masking itself is in mask.zig.
//! Exit codes: 0 on success (one summary line on stdout), 1 on an I/O error
//! (`log-masker: <path>: <reason>` on stderr), 2 on a wrong number of arguments.

const std = @import("std");
const assert = std.debug.assert;
const Allocator = std.mem.Allocator;
const Io = std.Io;
const mask = @import("mask.zig");

const usage = "usage: log-masker <input-file> <output-file>\n";

/// Output buffer: large writes mean few write(2) calls.
const output_buffer_size = 1 << 20;

pub fn main(init: std.process.Init) u8 {
    const io = init.io;
    const args = init.minimal.args.toSlice(init.arena.allocator()) catch {
        report(io, "log-masker: out of memory\n");
        return 1;
    };
    if (args.len != 3) {
        report(io, usage);
        return 2;
    }
    return run(init.gpa, io, args[1], args[2]);
}

fn run(gpa: Allocator, io: Io, input_path: []const u8, output_path: []const u8) u8 {
    const cwd = Io.Dir.cwd();
    // The input is opened first, so a missing input leaves an existing output file alone.
    const input = cwd.openFile(io, input_path, .{}) catch |err| return fail(io, input_path, err);
    defer input.close(io);
    const output = cwd.createFile(io, output_path, .{}) catch |err| return fail(io, output_path, err);
    defer output.close(io);

    // Both files are used in *streaming* mode: read(2) and write(2) at the file offset. The
    // default `init` is positional (pread/pwrite from offset 0), which is not what a sequential
    // pass wants; for the output it would also ignore the current offset.
    // The reader gets no buffer of its own: `maskStream` reads straight into its block buffer.
    var file_reader: Io.File.Reader = .initStreaming(input, io, &.{});
    const output_buffer = gpa.alloc(u8, output_buffer_size) catch |err| return fail(io, output_path, err);
    defer gpa.free(output_buffer);
    var file_writer: Io.File.Writer = .initStreaming(output, io, output_buffer);

    const stats = mask.maskStream(gpa, &file_reader.interface, &file_writer.interface, mask.block_size_default) catch |err| switch (err) {
        error.ReadFailed => return fail(io, input_path, file_reader.err orelse err),
        error.WriteFailed => return fail(io, output_path, file_writer.err orelse err),
        error.OutOfMemory => return fail(io, input_path, err),
    };
    file_writer.flush() catch |err| return fail(io, output_path, err);

    var summary_buffer: [512]u8 = undefined;
    var stdout_writer: Io.File.Writer = .initStreaming(.stdout(), io, &summary_buffer);
    stats.writeSummary(&stdout_writer.interface) catch |err|
        return fail(io, "<stdout>", stdout_writer.err orelse err);
    stdout_writer.flush() catch |err| return fail(io, "<stdout>", err);
    return 0;
}

/// Prints `log-masker: <path>: <reason>` on stderr; returns exit code 1.
fn fail(io: Io, path: []const u8, err: anyerror) u8 {
    var buffer: [1024]u8 = undefined;
    var stderr_writer: Io.File.Writer = .initStreaming(.stderr(), io, &buffer);
    const w = &stderr_writer.interface;
    w.print("log-masker: {s}: {s}\n", .{ path, reason(err) }) catch {};
    w.flush() catch {};
    return 1;
}

fn report(io: Io, message: []const u8) void {
    Io.File.stderr().writeStreamingAll(io, message) catch {};
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

test {
    _ = mask;
}
