//! The documents of a corpus, in the spec's order: a directory (sorted relative paths) or a
//! ustar archive (archive order). Each document is read through a `Source`; nothing is read ahead.

const std = @import("std");
const Io = std.Io;
const Allocator = std.mem.Allocator;
const Failure = @import("fail.zig").Failure;
const reasonOf = @import("fail.zig").reasonOf;

/// The bytes of one document: a whole file, or the next `left` bytes of an archive.
pub const Source = struct {
    file: Io.File,
    io: Io,
    /// Bytes left in an archive entry; null for a whole file.
    left: ?u64 = null,
    /// Largest single read (the tests make it small to move read boundaries).
    step: usize = std.math.maxInt(usize),

    /// Reads up to buf.len bytes; 0 at the end. A file that ends inside an archive entry gives
    /// error.TruncatedArchive.
    pub fn read(s: *Source, buf: []u8) !usize {
        var b = buf[0..@min(buf.len, s.step)];
        if (s.left) |l| {
            if (l == 0) return 0;
            if (b.len > l) b = b[0..@intCast(l)];
        }
        while (true) {
            const n = s.file.readStreaming(s.io, &.{b}) catch |err| switch (err) {
                error.EndOfStream => return if (s.left != null) error.TruncatedArchive else 0,
                else => |e| return e,
            };
            if (n == 0) continue;
            if (s.left) |*l| l.* -= n;
            return n;
        }
    }
};

/// One document being visited.
pub const Document = struct {
    /// Its path in the corpus, as stored in the database.
    path: []const u8,
    /// How errors name it: its file-system path, or `archive: entry`.
    subject: []const u8,
    source: *Source,
};

pub const Corpus = struct {
    gpa: Allocator,
    io: Io,
    root: []const u8,
    dir: ?Io.Dir = null,
    paths: std.ArrayList([]u8) = .empty,
    tar: ?Io.File = null,

    /// Decides the kind (following a symlink) and lists a directory corpus.
    pub fn open(gpa: Allocator, io: Io, path: []const u8, fail: *Failure) !Corpus {
        const cwd = Io.Dir.cwd();
        const st = cwd.statFile(io, path, .{}) catch |err| return fail.set(path, reasonOf(err));
        var c: Corpus = .{ .gpa = gpa, .io = io, .root = path };
        errdefer c.deinit();
        if (st.kind == .directory) {
            c.dir = cwd.openDir(io, path, .{ .iterate = true }) catch |err| return fail.set(path, reasonOf(err));
            var prefix: std.ArrayList(u8) = .empty;
            defer prefix.deinit(gpa);
            try list(&c, c.dir.?, &prefix, path, fail);
            std.mem.sortUnstable([]u8, c.paths.items, {}, lessThan);
        } else {
            c.tar = cwd.openFile(io, path, .{}) catch |err| return fail.set(path, reasonOf(err));
        }
        return c;
    }

    pub fn deinit(c: *Corpus) void {
        for (c.paths.items) |p| c.gpa.free(p);
        c.paths.deinit(c.gpa);
        if (c.dir) |d| d.close(c.io);
        if (c.tar) |f| f.close(c.io);
        c.dir = null;
        c.tar = null;
    }

    fn lessThan(_: void, a: []u8, b: []u8) bool {
        return std.mem.order(u8, a, b) == .lt;
    }

    /// Appends the relative paths of the documents below `dir` (unsorted).
    fn list(c: *Corpus, dir: Io.Dir, prefix: *std.ArrayList(u8), root: []const u8, fail: *Failure) !void {
        const io = c.io;
        var it = dir.iterate();
        while (true) {
            const entry = it.next(io) catch |err| return failAt(fail, root, prefix.items, "", reasonOf(err));
            const e = entry orelse break;
            if (!std.unicode.utf8ValidateSlice(e.name))
                return failAt(fail, root, prefix.items, e.name, "file name is not valid UTF-8");
            const mark = prefix.items.len;
            defer prefix.shrinkRetainingCapacity(mark);
            if (mark > 0) try prefix.append(c.gpa, '/');
            try prefix.appendSlice(c.gpa, e.name);
            var kind = e.kind;
            if (kind == .unknown) {
                const st = dir.statFile(io, e.name, .{ .follow_symlinks = false }) catch |err|
                    return failAt(fail, root, prefix.items, "", reasonOf(err));
                kind = st.kind;
            }
            switch (kind) {
                .directory => {
                    var sub = dir.openDir(io, e.name, .{ .iterate = true }) catch |err|
                        return failAt(fail, root, prefix.items, "", reasonOf(err));
                    defer sub.close(io);
                    try c.list(sub, prefix, root, fail);
                },
                .file, .sym_link => try c.paths.append(c.gpa, try c.gpa.dupe(u8, prefix.items)),
                else => {},
            }
        }
    }

    fn failAt(fail: *Failure, root: []const u8, rel: []const u8, name: []const u8, reason: []const u8) error{Failed} {
        var buf: [4096]u8 = undefined;
        const sep = if (rel.len > 0) "/" else "";
        const sep2 = if (name.len > 0) "/" else "";
        const s = std.mem.print(&buf, "{s}{s}{s}{s}{s}", .{ root, sep, rel, sep2, name }) catch root;
        return fail.set(s, reason);
    }

    /// Calls `ctx.onDocument(doc)` for every document, in order, stopping at the first error.
    pub fn forEach(c: *Corpus, fail: *Failure, ctx: anytype) !void {
        const io = c.io;
        var subject_buf: [4096]u8 = undefined;
        if (c.tar) |file| return readTar(c, file, fail, ctx);
        for (c.paths.items) |rel| {
            const subject = std.mem.print(&subject_buf, "{s}/{s}", .{ c.root, rel }) catch rel;
            const file = c.dir.?.openFile(io, rel, .{}) catch |err| return fail.set(subject, reasonOf(err));
            defer file.close(io);
            var src: Source = .{ .file = file, .io = io };
            try ctx.onDocument(Document{ .path = rel, .subject = subject, .source = &src });
        }
    }

    fn readTar(c: *Corpus, file: Io.File, fail: *Failure, ctx: anytype) !void {
        const archive = c.root;
        var block: [512]u8 = undefined;
        var name_buf: [256]u8 = undefined;
        var subject_buf: [4096]u8 = undefined;
        while (true) {
            var got: usize = 0;
            var whole: Source = .{ .file = file, .io = c.io };
            while (got < 512) {
                const n = whole.read(block[got..]) catch |err| return fail.set(archive, reasonOf(err));
                if (n == 0) break;
                got += n;
            }
            if (got == 0) return;
            if (got < 512) return fail.set(archive, "truncated archive");
            if (std.mem.allEqual(u8, &block, 0)) return;
            var sum: u64 = 0;
            for (block, 0..) |b, i| sum += if (i >= 148 and i < 156) ' ' else b;
            const stored = octal(block[148..156]) orelse return fail.set(archive, "bad header checksum");
            if (stored != sum) return fail.set(archive, "bad header checksum");
            const size = octal(block[124..136]) orelse return fail.set(archive, "bad size field in header");
            const base = cstr(block[0..100]);
            var name: []const u8 = base;
            if (std.mem.eql(u8, block[257..263], "ustar\x00")) {
                const prefix = cstr(block[345..500]);
                if (prefix.len > 0)
                    name = std.mem.print(&name_buf, "{s}/{s}", .{ prefix, base }) catch unreachable;
            }
            if (!std.unicode.utf8ValidateSlice(name)) return fail.set(archive, "entry name is not valid UTF-8");
            const subject = std.mem.print(&subject_buf, "{s}: {s}", .{ archive, name }) catch archive;
            var entry: Source = .{ .file = file, .io = c.io, .left = size };
            const t = block[156];
            if (t == '0' or t == 0 or t == '7')
                try ctx.onDocument(Document{ .path = name, .subject = subject, .source = &entry });
            // Skip what the document did not read (nothing, normally) and the padding.
            var skip: Source = .{ .file = file, .io = c.io, .left = entry.left.? + (512 - size % 512) % 512 };
            var rest: [512]u8 = undefined;
            while ((skip.read(&rest) catch |err| return fail.set(subject, reasonOf(err))) > 0) {}
        }
    }
};

/// An octal header field: optional leading spaces, octal digits, then NUL/space padding.
fn octal(field: []const u8) ?u64 {
    var i: usize = 0;
    while (i < field.len and field[i] == ' ') i += 1;
    var v: u64 = 0;
    var digits: usize = 0;
    while (i < field.len and field[i] >= '0' and field[i] <= '7') : (i += 1) {
        if (v > (1 << 60)) return null;
        v = v * 8 + (field[i] - '0');
        digits += 1;
    }
    if (digits == 0) return null;
    for (field[i..]) |b| if (b != 0 and b != ' ') return null;
    return v;
}

fn cstr(field: []const u8) []const u8 {
    return field[0 .. std.mem.indexOfScalar(u8, field, 0) orelse field.len];
}

test "octal fields" {
    try std.testing.expectEqual(@as(?u64, 1234), octal("00000002322\x00"));
    try std.testing.expectEqual(@as(?u64, 15), octal("   17 \x00\x00"));
    try std.testing.expectEqual(@as(?u64, null), octal("\x00\x00\x00"));
    try std.testing.expectEqual(@as(?u64, null), octal("12x4\x00"));
}
