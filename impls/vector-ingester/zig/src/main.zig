//! vector-ingester <corpus-dir-or-tar> <database>
//!
//! Reads a corpus, cuts every document into overlapping chunks, embeds each chunk and stores
//! documents, chunks and vectors in SQLite. Spec: impls/vector-ingester/README.md.
//! Exit codes: 0 (one summary line on stdout), 1 (`vector-ingester: <subject>: <reason>` on
//! stderr), 2 (usage).

const std = @import("std");
const Io = std.Io;
const ingest = @import("ingest.zig");
const HashEmbedder = @import("embed.zig").HashEmbedder;
const Failure = @import("fail.zig").Failure;
const reasonOf = @import("fail.zig").reasonOf;

const usage = "usage: vector-ingester <corpus-dir-or-tar> <database>\n";

pub fn main(init: std.process.Init) u8 {
    const io = init.io;
    const args = init.minimal.args.toSlice(init.arena.allocator()) catch {
        Io.File.stderr().writeStreamingAll(io, "vector-ingester: out of memory\n") catch {};
        return 1;
    };
    var out_buf: [256]u8 = undefined;
    var err_buf: [6000]u8 = undefined;
    var out: Io.File.Writer = .initStreaming(.stdout(), io, &out_buf);
    var err: Io.File.Writer = .initStreaming(.stderr(), io, &err_buf);
    const code = run(init.gpa, io, args[1..], &out.interface, &err.interface);
    out.interface.flush() catch return 1;
    err.interface.flush() catch {};
    return code;
}

/// The whole command, with its output streams as parameters (the tests call it).
pub fn run(gpa: std.mem.Allocator, io: Io, args: []const [:0]const u8, out: *Io.Writer, err: *Io.Writer) u8 {
    if (args.len != 2) {
        err.writeAll(usage) catch {};
        return 2;
    }
    var he: HashEmbedder = .{};
    var fail: Failure = .{};
    const sum = ingest.ingest(gpa, io, args[0], args[1], .{}, he.embedder(), &fail) catch |e| {
        if (e != error.Failed) fail.record(args[0], reasonOf(e));
        err.print("vector-ingester: {s}: {s}\n", .{ fail.subject(), fail.reason() }) catch {};
        return 1;
    };
    sum.write(out) catch return 1;
    out.writeByte('\n') catch return 1;
    return 0;
}
