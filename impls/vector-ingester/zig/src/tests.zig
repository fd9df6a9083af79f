//! The shared cases of ../testdata (made by model.py) and the faults of the spec. The test
//! binary runs in the zig/ folder (build.zig sets its cwd), scratch files go to .zig-cache/.

const std = @import("std");
const Io = std.Io;
const testing = std.testing;
const c = @import("c");
const utf8 = @import("utf8.zig");
const chunk = @import("chunk.zig");
const embed = @import("embed.zig");
const corpus = @import("corpus.zig");
const ingest = @import("ingest.zig");
const main = @import("main.zig");
const Failure = @import("fail.zig").Failure;

test {
    _ = utf8;
    _ = chunk;
    _ = embed;
    _ = corpus;
}

const gpa = testing.allocator;

fn readTestdata(name: []const u8) ![]u8 {
    var buf: [256]u8 = undefined;
    const path = try std.mem.print(&buf, "../testdata/{s}", .{name});
    return Io.Dir.cwd().readFileAlloc(testing.io, path, gpa, .limited(1 << 24));
}

fn unhex(buf: []u8, s: []const u8) ![]u8 {
    if (std.mem.eql(u8, s, "-")) return buf[0..0];
    return std.fmt.hexToBytes(buf, s);
}

fn blobOf(v: []const f32, out: []u8) []u8 {
    for (v, 0..) |x, i| std.mem.writeInt(u32, out[4 * i ..][0..4], @bitCast(x), .little);
    return out[0 .. 4 * v.len];
}

test "UTF-8 repair matches the model, whole and split anywhere" {
    const data = try readTestdata("utf8.txt");
    defer gpa.free(data);
    var lines = std.mem.tokenizeScalar(u8, data, '\n');
    var out: std.ArrayList(u8) = .empty;
    defer out.deinit(gpa);
    var rest: std.ArrayList(u8) = .empty;
    defer rest.deinit(gpa);
    while (lines.next()) |line| {
        if (line[0] == '#') continue;
        var f = std.mem.tokenizeScalar(u8, line, ' ');
        var b1: [64]u8 = undefined;
        var b2: [256]u8 = undefined;
        const in = try unhex(&b1, f.next().?);
        const want = try unhex(&b2, f.next().?);
        const want_n = try std.fmt.parseInt(u64, f.next().?, 10);
        for (0..in.len + 1) |cut| {
            out.clearRetainingCapacity();
            try out.ensureUnusedCapacity(gpa, 3 * in.len + 8);
            const r1 = utf8.decode(in[0..cut], false, &out);
            rest.clearRetainingCapacity();
            try rest.appendSlice(gpa, in[r1.used..cut]);
            try rest.appendSlice(gpa, in[cut..]);
            const r2 = utf8.decode(rest.items, true, &out);
            try testing.expectEqual(rest.items.len, r2.used);
            try testing.expectEqualSlices(u8, want, out.items);
            try testing.expectEqual(want_n, r1.replaced + r2.replaced);
        }
    }
}

test "embeddings match the model" {
    const data = try readTestdata("embed.txt");
    defer gpa.free(data);
    var lines = std.mem.tokenizeScalar(u8, data, '\n');
    var he: embed.HashEmbedder = .{};
    const e = he.embedder();
    var v: [embed.DIMS]f32 = undefined;
    var blob: [4 * embed.DIMS]u8 = undefined;
    while (lines.next()) |line| {
        if (line[0] == '#') continue;
        var f = std.mem.tokenizeScalar(u8, line, ' ');
        var b1: [256]u8 = undefined;
        const text = try unhex(&b1, f.next().?);
        const want_hash = f.next().?;
        const want_counts = f.next().?;
        var counts: [embed.DIMS]i32 = undefined;
        embed.counts(text, &counts);
        var got: std.ArrayList(u8) = .empty;
        defer got.deinit(gpa);
        for (counts, 0..) |x, i| if (x != 0) {
            if (got.items.len > 0) try got.append(gpa, ',');
            try got.print(gpa, "{d}:{d}", .{ i, x });
        };
        if (got.items.len == 0) try got.append(gpa, '-');
        try testing.expectEqualStrings(want_counts, got.items);
        e.embed(text, &v);
        var hb: [16]u8 = undefined;
        const h = try std.mem.print(&hb, "{x:0>16}", .{embed.fnv1a(embed.fnv_offset, blobOf(&v, &blob))});
        try testing.expectEqualStrings(want_hash, h);
    }
}

/// Builds the expected-<size>-<overlap>.txt listing without the database.
const Lister = struct {
    out: *std.ArrayList(u8),
    bufs: *ingest.Buffers,
    p: chunk.Params,
    step: usize,
    fail: *Failure,
    he: embed.HashEmbedder = .{},
    doc_id: u64 = 0,
    chunk_id: u64 = 0,
    seq: u64 = 0,

    pub fn onDocument(l: *Lister, doc: corpus.Document) !void {
        l.doc_id += 1;
        l.seq = 0;
        doc.source.step = l.step;
        const st = try ingest.processDocument(gpa, doc.source, doc.subject, l.p, l.bufs, l.fail, l);
        try l.out.print(gpa, "doc {d} {s} bytes={d} text_bytes={d} chunks={d} replaced={d}\n", .{ l.doc_id, doc.path, st.bytes, st.text_bytes, st.chunks, st.replaced });
    }

    pub fn onChunk(l: *Lister, start: u64, text: []const u8) !void {
        l.chunk_id += 1;
        var v: [embed.DIMS]f32 = undefined;
        var blob: [4 * embed.DIMS]u8 = undefined;
        l.he.embedder().embed(text, &v);
        try l.out.print(gpa, "chunk {d} {d} {d} {d} {d} {x:0>16} {x:0>16}\n", .{
            l.chunk_id,                          l.doc_id,                                         l.seq, start, text.len,
            embed.fnv1a(embed.fnv_offset, text), embed.fnv1a(embed.fnv_offset, blobOf(&v, &blob)),
        });
        l.seq += 1;
    }
};

test "chunk listing matches the model for a directory and an archive, any read size" {
    const sizes = [_][2]usize{ .{ 1024, 128 }, .{ 64, 16 } };
    for (sizes) |sz| {
        var nb: [64]u8 = undefined;
        const want = try readTestdata(try std.mem.print(&nb, "expected-{d}-{d}.txt", .{ sz[0], sz[1] }));
        defer gpa.free(want);
        for ([_][]const u8{ "../testdata/corpus", "../testdata/corpus.tar" }) |path| {
            for ([_]usize{ 1 << 20, 7, 1 }) |step| {
                var fail: Failure = .{};
                var out: std.ArrayList(u8) = .empty;
                defer out.deinit(gpa);
                var bufs = try ingest.Buffers.init(gpa);
                defer bufs.deinit(gpa);
                var docs = try corpus.Corpus.open(gpa, testing.io, path, &fail);
                defer docs.deinit();
                var l: Lister = .{ .out = &out, .bufs = &bufs, .p = try chunk.Params.init(sz[0], sz[1]), .step = step, .fail = &fail };
                try docs.forEach(&fail, &l);
                try testing.expectEqualStrings(want, out.items);
            }
        }
    }
}

// ------------------------------------------------------------------------------ SQLite helpers

const Db = struct {
    db: *c.sqlite3,

    fn open(path: [:0]const u8) !Db {
        var db: ?*c.sqlite3 = null;
        if (c.sqlite3_open_v2(path.ptr, &db, c.SQLITE_OPEN_READWRITE | c.SQLITE_OPEN_CREATE, null) != c.SQLITE_OK)
            return error.Open;
        return .{ .db = db.? };
    }

    fn close(d: Db) void {
        _ = c.sqlite3_close(d.db);
    }

    fn exec(d: Db, sql: [:0]const u8) !void {
        if (c.sqlite3_exec(d.db, sql.ptr, null, null, null) != c.SQLITE_OK) return error.Exec;
    }

    fn int(d: Db, sql: [:0]const u8) !i64 {
        var st: ?*c.sqlite3_stmt = null;
        if (c.sqlite3_prepare_v2(d.db, sql.ptr, -1, &st, null) != c.SQLITE_OK) return error.Prepare;
        defer _ = c.sqlite3_finalize(st);
        if (c.sqlite3_step(st) != c.SQLITE_ROW) return error.Step;
        return c.sqlite3_column_int64(st, 0);
    }

    fn text(st: ?*c.sqlite3_stmt, i: c_int) []const u8 {
        const p: ?[*]const u8 = @ptrCast(c.sqlite3_column_blob(st, i));
        const n: usize = @intCast(c.sqlite3_column_bytes(st, i));
        return if (p) |q| q[0..n] else "";
    }

    /// The expected-1024-128.txt listing, read back from the database.
    fn listing(d: Db, out: *std.ArrayList(u8)) !void {
        var docs: ?*c.sqlite3_stmt = null;
        var chunks: ?*c.sqlite3_stmt = null;
        _ = c.sqlite3_prepare_v2(d.db, "SELECT id, path, bytes, text_bytes, chunks, replaced FROM documents ORDER BY id", -1, &docs, null);
        defer _ = c.sqlite3_finalize(docs);
        _ = c.sqlite3_prepare_v2(d.db, "SELECT c.id, c.doc_id, c.seq, c.start, c.text, v.embedding FROM chunks c " ++
            "JOIN vectors v ON v.chunk_id = c.id WHERE c.doc_id = ?1 ORDER BY c.id", -1, &chunks, null);
        defer _ = c.sqlite3_finalize(chunks);
        while (c.sqlite3_step(docs) == c.SQLITE_ROW) {
            const id = c.sqlite3_column_int64(docs, 0);
            _ = c.sqlite3_bind_int64(chunks, 1, id);
            while (c.sqlite3_step(chunks) == c.SQLITE_ROW) {
                const t = text(chunks, 4);
                try out.print(gpa, "chunk {d} {d} {d} {d} {d} {x:0>16} {x:0>16}\n", .{
                    c.sqlite3_column_int64(chunks, 0),              c.sqlite3_column_int64(chunks, 1),
                    c.sqlite3_column_int64(chunks, 2),              c.sqlite3_column_int64(chunks, 3),
                    t.len,                                          embed.fnv1a(embed.fnv_offset, t),
                    embed.fnv1a(embed.fnv_offset, text(chunks, 5)),
                });
            }
            _ = c.sqlite3_reset(chunks);
            try out.print(gpa, "doc {d} {s} bytes={d} text_bytes={d} chunks={d} replaced={d}\n", .{
                id,                              text(docs, 1),
                c.sqlite3_column_int64(docs, 2), c.sqlite3_column_int64(docs, 3),
                c.sqlite3_column_int64(docs, 4), c.sqlite3_column_int64(docs, 5),
            });
        }
    }
};

/// A fresh scratch folder .zig-cache/vi-test/<name>; returns its path.
fn scratch(buf: []u8, name: []const u8) ![]const u8 {
    const path = try std.mem.print(buf, ".zig-cache/vi-test/{s}", .{name});
    Io.Dir.cwd().deleteTree(testing.io, path) catch {};
    try Io.Dir.cwd().createDirPath(testing.io, path);
    return path;
}

fn joinZ(buf: []u8, dir: []const u8, name: []const u8) ![:0]const u8 {
    return std.mem.printSentinel(buf, "{s}/{s}", .{ dir, name }, 0);
}

fn run(corpus_path: []const u8, db: [:0]const u8, cfg: ingest.Config, fail: *Failure) !ingest.Summary {
    var he: embed.HashEmbedder = .{};
    return ingest.ingest(gpa, testing.io, corpus_path, db, cfg, he.embedder(), fail);
}

/// A database left by a failed run: no status row, whole batches, complete documents only.
fn expectConsistentPartial(db_path: [:0]const u8, batch: i64) !void {
    const db = try Db.open(db_path);
    defer db.close();
    if (try db.int("SELECT count(*) FROM sqlite_master WHERE name = 'meta'") == 0) return;
    try testing.expectEqual(@as(i64, 0), try db.int("SELECT count(*) FROM meta WHERE key = 'status'"));
    const chunks = try db.int("SELECT count(*) FROM chunks");
    try testing.expectEqual(@as(i64, 0), @mod(chunks, batch));
    try testing.expectEqual(chunks, try db.int("SELECT count(*) FROM vectors"));
    try testing.expectEqual(@as(i64, 0), try db.int("SELECT count(*) FROM documents d WHERE d.chunks != " ++
        "(SELECT count(*) FROM chunks c WHERE c.doc_id = d.id)"));
}

test "database matches the model for a directory and an archive" {
    var sb: [256]u8 = undefined;
    const dir = try scratch(&sb, "spec");
    defer Io.Dir.cwd().deleteTree(testing.io, dir) catch {};
    const want = try readTestdata("expected-1024-128.txt");
    defer gpa.free(want);
    const want_sum = try readTestdata("expected-summary.txt");
    defer gpa.free(want_sum);
    for ([_][]const u8{ "corpus", "corpus.tar" }) |name| {
        var pb: [256]u8 = undefined;
        var db_buf: [256]u8 = undefined;
        const db_path = try joinZ(&db_buf, dir, name);
        var fail: Failure = .{};
        const sum = try run(try std.mem.print(&pb, "../testdata/{s}", .{name}), db_path, .{}, &fail);
        var aw: Io.Writer.Allocating = .init(gpa);
        defer aw.deinit();
        try sum.write(&aw.writer);
        try aw.writer.writeByte('\n');
        try testing.expectEqualStrings(want_sum, aw.written());
        const db = try Db.open(db_path);
        defer db.close();
        var got: std.ArrayList(u8) = .empty;
        defer got.deinit(gpa);
        try db.listing(&got);
        try testing.expectEqualStrings(want, got.items);
        try testing.expectEqual(@as(i64, 6), try db.int("SELECT count(*) FROM meta WHERE " ++
            "(key, value) IN (VALUES ('format', 'vector-ingester/1'), ('embedder', 'fnv1a-hash-384/1'), " ++
            "('dims', '384'), ('chunk_size', '1024'), ('overlap', '128'), ('status', 'complete'))"));
        try testing.expectEqual(@as(i64, 6), try db.int("SELECT count(*) FROM meta"));
        var wb: [256]u8 = undefined;
        try testing.expectError(error.FileNotFound, Io.Dir.cwd().statFile(testing.io, try std.mem.print(&wb, "{s}-wal", .{db_path}), .{}));
    }
}

test "a dangling symlink and a symlink to a directory are errors" {
    const cases = [_][2][]const u8{ .{ "dangling", "does-not-exist.txt" }, .{ "to-dir", "sub" } };
    for (cases) |cs| {
        var sb: [256]u8 = undefined;
        const dir = try scratch(&sb, cs[0]);
        defer Io.Dir.cwd().deleteTree(testing.io, dir) catch {};
        var cb: [256]u8 = undefined;
        const corpus_dir = try std.mem.print(&cb, "{s}/corpus", .{dir});
        var d = try Io.Dir.cwd().createDirPathOpen(testing.io, corpus_dir, .{});
        defer d.close(testing.io);
        try d.createDirPath(testing.io, "sub");
        try d.writeFile(testing.io, .{ .sub_path = "a.txt", .data = "first document, ingested before the failure" });
        try d.symLink(testing.io, cs[1], "b-link.txt", .{});
        var db_buf: [256]u8 = undefined;
        const db_path = try joinZ(&db_buf, dir, "v.db");
        var fail: Failure = .{};
        try testing.expectError(error.Failed, run(corpus_dir, db_path, .{ .batch = 1 }, &fail));
        try testing.expect(std.mem.endsWith(u8, fail.subject(), "b-link.txt"));
        try expectConsistentPartial(db_path, 1);
        const db = try Db.open(db_path);
        defer db.close();
        try testing.expectEqual(@as(i64, 1), try db.int("SELECT count(*) FROM chunks"));
    }
}

test "truncated and corrupt archives are errors" {
    const tar = try readTestdata("corpus.tar");
    defer gpa.free(tar);
    const flipped = try gpa.dupe(u8, tar);
    defer gpa.free(flipped);
    flipped[10] ^= 0x20;
    var sb: [256]u8 = undefined;
    const dir = try scratch(&sb, "tar");
    defer Io.Dir.cwd().deleteTree(testing.io, dir) catch {};
    const cases = [_]struct { []const u8, []const u8, []const u8 }{
        .{ "cut-data", tar[0 .. 512 * 5 + 100], "truncated archive" },
        .{ "cut-header", tar[0 .. 512 * 2 + 100], "truncated archive" },
        .{ "checksum", flipped, "bad header checksum" },
    };
    for (cases) |cs| {
        var pb: [256]u8 = undefined;
        const path = try std.mem.print(&pb, "{s}/{s}.tar", .{ dir, cs[0] });
        try Io.Dir.cwd().writeFile(testing.io, .{ .sub_path = path, .data = cs[1] });
        var db_buf: [256]u8 = undefined;
        const db_path = try std.mem.printSentinel(&db_buf, "{s}/{s}.db", .{ dir, cs[0] }, 0);
        var fail: Failure = .{};
        try testing.expectError(error.Failed, run(path, db_path, .{}, &fail));
        try testing.expectEqualStrings(cs[2], fail.reason());
        try testing.expect(std.mem.startsWith(u8, fail.subject(), path));
        try expectConsistentPartial(db_path, 1000);
    }
}

test "a full disk leaves only whole batches" {
    var sb: [256]u8 = undefined;
    const dir = try scratch(&sb, "full");
    defer Io.Dir.cwd().deleteTree(testing.io, dir) catch {};
    var db_buf: [256]u8 = undefined;
    const db_path = try joinZ(&db_buf, dir, "v.db");
    var fail: Failure = .{};
    const cfg: ingest.Config = .{ .chunk = try chunk.Params.init(64, 16), .batch = 7, .max_pages = 40 };
    try testing.expectError(error.Failed, run("../testdata/corpus", db_path, cfg, &fail));
    try testing.expect(std.mem.indexOf(u8, fail.reason(), "full") != null);
    try testing.expectEqualStrings(db_path, fail.subject());
    try expectConsistentPartial(db_path, 7);
    const db = try Db.open(db_path);
    defer db.close();
    try testing.expect(try db.int("SELECT count(*) FROM chunks") > 0);
}

test "a locked database is an error after the busy timeout" {
    var sb: [256]u8 = undefined;
    const dir = try scratch(&sb, "locked");
    defer Io.Dir.cwd().deleteTree(testing.io, dir) catch {};
    var db_buf: [256]u8 = undefined;
    const db_path = try joinZ(&db_buf, dir, "v.db");
    const other = try Db.open(db_path);
    try other.exec("CREATE TABLE other (x); BEGIN EXCLUSIVE; INSERT INTO other VALUES (1);");
    const t0 = Io.Clock.awake.now(testing.io);
    var fail: Failure = .{};
    try testing.expectError(error.Failed, run("../testdata/corpus", db_path, .{}, &fail));
    const elapsed = t0.durationTo(Io.Clock.awake.now(testing.io));
    try testing.expect(std.mem.indexOf(u8, fail.reason(), "locked") != null);
    try testing.expect(elapsed.toMilliseconds() >= 900);
    try other.exec("ROLLBACK;");
    try testing.expectEqual(@as(i64, 0), try other.int("SELECT count(*) FROM sqlite_master WHERE name = 'documents'"));
    other.close();
    _ = try run("../testdata/corpus", db_path, .{}, &fail);
}

test "a database is filled once and an empty corpus is fine" {
    var sb: [256]u8 = undefined;
    const dir = try scratch(&sb, "twice");
    defer Io.Dir.cwd().deleteTree(testing.io, dir) catch {};
    var db_buf: [256]u8 = undefined;
    const db_path = try joinZ(&db_buf, dir, "v.db");
    var fail: Failure = .{};
    _ = try run("../testdata/corpus", db_path, .{}, &fail);
    try testing.expectError(error.Failed, run("../testdata/corpus", db_path, .{}, &fail));
    try testing.expect(std.mem.indexOf(u8, fail.reason(), "already holds") != null);
    {
        const db = try Db.open(db_path);
        defer db.close();
        try testing.expectEqual(@as(i64, 10), try db.int("SELECT count(*) FROM documents"));
    }
    var eb: [256]u8 = undefined;
    const empty = try std.mem.print(&eb, "{s}/empty", .{dir});
    try Io.Dir.cwd().createDirPath(testing.io, empty);
    var e_buf: [256]u8 = undefined;
    const sum = try run(empty, try joinZ(&e_buf, dir, "e.db"), .{}, &fail);
    try testing.expectEqual(ingest.Summary{}, sum);
}

test "command line: summary, usage, missing corpus" {
    var sb: [256]u8 = undefined;
    const dir = try scratch(&sb, "cli");
    defer Io.Dir.cwd().deleteTree(testing.io, dir) catch {};
    var out: Io.Writer.Allocating = .init(gpa);
    defer out.deinit();
    var err: Io.Writer.Allocating = .init(gpa);
    defer err.deinit();
    var db_buf: [256]u8 = undefined;
    const db_path = try joinZ(&db_buf, dir, "v.db");
    try testing.expectEqual(@as(u8, 0), main.run(gpa, testing.io, &.{ "../testdata/corpus.tar", db_path }, &out.writer, &err.writer));
    const want = try readTestdata("expected-summary.txt");
    defer gpa.free(want);
    try testing.expectEqualStrings(want, out.written());
    try testing.expectEqual(@as(usize, 0), err.written().len);
    try testing.expectEqual(@as(u8, 2), main.run(gpa, testing.io, &.{"x"}, &out.writer, &err.writer));
    try testing.expect(std.mem.indexOf(u8, err.written(), "usage") != null);
    err.clearRetainingCapacity();
    var mb: [256]u8 = undefined;
    const missing = try std.mem.printSentinel(&mb, "{s}/missing", .{dir}, 0);
    var m_buf: [256]u8 = undefined;
    const m_db = try joinZ(&m_buf, dir, "m.db");
    try testing.expectEqual(@as(u8, 1), main.run(gpa, testing.io, &.{ missing, m_db }, &out.writer, &err.writer));
    var wb: [512]u8 = undefined;
    try testing.expectEqualStrings(try std.mem.print(&wb, "vector-ingester: {s}: no such file or directory\n", .{missing}), err.written());
    try testing.expectError(error.FileNotFound, Io.Dir.cwd().statFile(testing.io, m_db, .{}));
}
