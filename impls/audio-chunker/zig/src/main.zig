//! audio-chunker < input.pcm > records.bin — see impls/audio-chunker/README.md.
//!
//! Exit codes: 0 success, 1 read or write error, 2 usage.

const std = @import("std");
const Io = std.Io;
const Chunker = @import("chunker.zig").Chunker;

const read_buffer_size = 64 * 1024;

pub fn main(init: std.process.Init) u8 {
    const io = init.io;
    const args = init.minimal.args.toSlice(init.arena.allocator()) catch {
        report(io, "audio-chunker: out of memory\n");
        return 1;
    };
    if (args.len != 1) {
        report(io, "usage: audio-chunker < input.pcm > records.bin\n");
        return 2;
    }
    // Unbuffered streaming writer: every record goes out in one write call. (The threaded Io
    // installs a no-op SIGPIPE handler, so a closed stdout is error.BrokenPipe.)
    var stdout_writer: Io.File.Writer = .initStreaming(.stdout(), io, &.{});
    const out = &stdout_writer.interface;
    // The chunker holds its whole chunk buffer inline (160 KB): no allocation at all.
    var chunker: Chunker = .{};
    var buffer: [read_buffer_size]u8 = undefined;
    const stdin: Io.File = .stdin();
    while (true) {
        // One read(2): whatever has arrived, up to 64 KiB.
        const n = stdin.readStreaming(io, &.{&buffer}) catch |err| switch (err) {
            error.EndOfStream => break,
            else => return fail(io, "stdin", err),
        };
        chunker.feed(buffer[0..n], out) catch
            return fail(io, "stdout", stdout_writer.err orelse error.WriteFailed);
    }
    const odd_byte = chunker.finish(out) catch
        return fail(io, "stdout", stdout_writer.err orelse error.WriteFailed);
    if (odd_byte) report(io, "audio-chunker: warning: input ends with an odd byte; ignored\n");
    return 0;
}

/// Prints `audio-chunker: <what>: <reason>` on stderr; returns exit code 1.
fn fail(io: Io, what: []const u8, err: anyerror) u8 {
    var buffer: [256]u8 = undefined;
    var stderr_writer: Io.File.Writer = .initStreaming(.stderr(), io, &buffer);
    const w = &stderr_writer.interface;
    const reason = switch (err) {
        error.BrokenPipe => "broken pipe",
        error.InputOutput => "input/output error",
        error.NoSpaceLeft => "no space left on device",
        error.IsDir => "is a directory",
        else => @errorName(err),
    };
    w.print("audio-chunker: {s}: {s}\n", .{ what, reason }) catch {};
    w.flush() catch {};
    return 1;
}

fn report(io: Io, message: []const u8) void {
    Io.File.stderr().writeStreamingAll(io, message) catch {};
}
