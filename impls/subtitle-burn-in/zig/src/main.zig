//! subtitle-burn-in <input-video> <subtitles.srt|.vtt> <output.mp4>
//!
//! Draws SRT/WebVTT subtitles onto a video with its own pixel code and re-encodes it with
//! libx264 (lossless), copying the audio; see ../README.md. Exit codes: 0 on success (one
//! summary line on stdout), 1 on any error (no output file is left), 2 on wrong usage.

const std = @import("std");
const Allocator = std.mem.Allocator;
const Io = std.Io;
pub const subs = @import("subs.zig");
pub const draw = @import("draw.zig");
pub const burn = @import("burn.zig");

const usage = "usage: subtitle-burn-in <input-video> <subtitles.srt|.vtt> <output.mp4>\n";

pub fn main(init: std.process.Init) u8 {
    const io = init.io;
    var out_buf: [256]u8 = undefined;
    var stdout: Io.File.Writer = .initStreaming(.stdout(), io, &out_buf);
    var err_buf: [1024]u8 = undefined;
    var stderr: Io.File.Writer = .initStreaming(.stderr(), io, &err_buf);
    const args = init.minimal.args.toSlice(init.arena.allocator()) catch {
        stderr.interface.writeAll("subtitle-burn-in: out of memory\n") catch {};
        stderr.interface.flush() catch {};
        return 1;
    };
    const code = run(init.gpa, io, args[1..], &stdout.interface, &stderr.interface);
    stdout.interface.flush() catch {};
    stderr.interface.flush() catch {};
    return code;
}

/// The whole program minus the process exit, so that tests can drive it.
pub fn run(gpa: Allocator, io: Io, args: []const [:0]const u8, stdout: *Io.Writer, stderr: *Io.Writer) u8 {
    if (args.len != 3) {
        stderr.writeAll(usage) catch {};
        return 2;
    }
    var diag: burn.Diag = .{ .gpa = gpa };
    defer diag.deinit();
    const sum = burnInFiles(gpa, io, args[0], args[1], args[2], &diag) catch |err| {
        const msg = if (err == error.OutOfMemory) "out of memory" else diag.msg.items;
        stderr.print("subtitle-burn-in: {s}\n", .{msg}) catch {};
        return 1;
    };
    sum.write(stdout) catch {};
    return 0;
}

/// Reads and parses the subtitle file, then runs the job. The message of an error is in `diag`.
pub fn burnInFiles(
    gpa: Allocator,
    io: Io,
    in_path: [:0]const u8,
    subs_path: []const u8,
    out_path: []const u8,
    diag: *burn.Diag,
) error{ Failed, OutOfMemory }!burn.Summary {
    const data = Io.Dir.cwd().readFileAlloc(io, subs_path, gpa, .limited(1 << 30)) catch |err|
        return diag.fail("{s}: {s}", .{ subs_path, reason(err) });
    defer gpa.free(data);
    var failure: subs.Failure = .{};
    defer failure.deinit(gpa);
    var parsed = subs.parse(gpa, data, &failure) catch |err| switch (err) {
        error.Syntax => return diag.fail("{s}:{d}: {s}", .{ subs_path, failure.line, failure.msg }),
        error.OutOfMemory => return error.OutOfMemory,
    };
    defer parsed.deinit(gpa);
    var font = draw.Font.parse(gpa, draw.font_hex) catch |err| switch (err) {
        error.OutOfMemory => return error.OutOfMemory,
        else => return diag.fail("embedded font is invalid", .{}),
    };
    defer font.deinit(gpa);
    return burn.burnIn(gpa, io, in_path, subs_path, out_path, &parsed, &font, diag);
}

/// A short lowercase description of a file error, in the style of strerror.
fn reason(err: anyerror) []const u8 {
    return switch (err) {
        error.FileNotFound => "no such file or directory",
        error.AccessDenied, error.PermissionDenied => "permission denied",
        error.IsDir => "is a directory",
        error.NotDir => "not a directory",
        error.StreamTooLong, error.FileTooBig => "file too large",
        error.OutOfMemory => "out of memory",
        else => @errorName(err),
    };
}

test {
    _ = @import("tests.zig");
}
