//! The SQLite side through the C API (translate-c of sqlite3.h): PRAGMAs, schema, prepared
//! inserts and batched transactions. The open transaction is the batch.

const std = @import("std");
const c = @import("c");
const Failure = @import("fail.zig").Failure;

const schema =
    \\CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    \\CREATE TABLE IF NOT EXISTS documents (id INTEGER PRIMARY KEY, path TEXT NOT NULL,
    \\    bytes INTEGER NOT NULL, text_bytes INTEGER NOT NULL, chunks INTEGER NOT NULL,
    \\    replaced INTEGER NOT NULL);
    \\CREATE TABLE IF NOT EXISTS chunks (id INTEGER PRIMARY KEY, doc_id INTEGER NOT NULL,
    \\    seq INTEGER NOT NULL, start INTEGER NOT NULL, text TEXT NOT NULL);
    \\CREATE TABLE IF NOT EXISTS vectors (chunk_id INTEGER PRIMARY KEY, embedding BLOB NOT NULL);
;

/// SQLITE_TRANSIENT: SQLite copies the bound text or blob.
pub const transient: c.sqlite3_destructor_type = @ptrFromInt(std.math.maxInt(usize));

/// Document row values.
pub const DocRow = struct { bytes: u64, text_bytes: u64, chunks: u64, replaced: u64 };

pub const Store = struct {
    db: *c.sqlite3,
    path: []const u8,
    fail: *Failure,
    chunk: ?*c.sqlite3_stmt = null,
    vector: ?*c.sqlite3_stmt = null,
    document: ?*c.sqlite3_stmt = null,
    blob: []u8 = &.{},
    gpa: std.mem.Allocator,
    pending: usize = 0,
    batch: usize,

    /// Opens (or creates) the database and applies the spec's PRAGMAs.
    pub fn open(gpa: std.mem.Allocator, path: [:0]const u8, batch: usize, max_pages: ?u64, fail: *Failure) !Store {
        var db: ?*c.sqlite3 = null;
        const rc = c.sqlite3_open_v2(path.ptr, &db, c.SQLITE_OPEN_READWRITE | c.SQLITE_OPEN_CREATE, null);
        if (rc != c.SQLITE_OK) {
            const msg = if (db != null) std.mem.span(c.sqlite3_errmsg(db)) else std.mem.span(c.sqlite3_errstr(rc));
            fail.record(path, msg);
            _ = c.sqlite3_close(db);
            return error.Failed;
        }
        var s: Store = .{ .db = db.?, .path = path, .fail = fail, .gpa = gpa, .batch = batch };
        errdefer _ = c.sqlite3_close(s.db);
        try s.exec("PRAGMA busy_timeout = 1000; PRAGMA journal_mode = WAL; " ++
            "PRAGMA synchronous = NORMAL; PRAGMA cache_size = -16384;");
        if (max_pages) |n| {
            var buf: [64]u8 = undefined;
            try s.exec(std.mem.printSentinel(&buf, "PRAGMA max_page_count = {d};", .{n}, 0) catch unreachable);
        }
        return s;
    }

    fn failed(s: *Store) error{Failed} {
        return s.fail.set(s.path, std.mem.span(c.sqlite3_errmsg(s.db)));
    }

    /// Runs SQL without parameters (several statements; result rows are ignored).
    pub fn exec(s: *Store, sql: [:0]const u8) !void {
        var msg: [*c]u8 = null;
        if (c.sqlite3_exec(s.db, sql.ptr, null, null, &msg) != c.SQLITE_OK) {
            defer c.sqlite3_free(msg);
            return s.fail.set(s.path, if (msg != null) std.mem.span(msg) else "SQLite error");
        }
    }

    fn prepare(s: *Store, sql: [:0]const u8) !*c.sqlite3_stmt {
        var stmt: ?*c.sqlite3_stmt = null;
        if (c.sqlite3_prepare_v2(s.db, sql.ptr, -1, &stmt, null) != c.SQLITE_OK) return s.failed();
        return stmt.?;
    }

    /// Steps an INSERT and resets it.
    fn done(s: *Store, stmt: ?*c.sqlite3_stmt) !void {
        const rc = c.sqlite3_step(stmt);
        _ = c.sqlite3_reset(stmt);
        if (rc != c.SQLITE_DONE) return s.failed();
    }

    fn bindText(s: *Store, stmt: ?*c.sqlite3_stmt, i: c_int, text: []const u8) !void {
        const p: [*c]const u8 = if (text.len > 0) text.ptr else "";
        if (c.sqlite3_bind_text(stmt, i, p, @intCast(text.len), transient) != c.SQLITE_OK) return s.failed();
    }

    /// Starts the first transaction, creates the tables, refuses a filled database, writes the
    /// configuration rows of meta and prepares the inserts.
    pub fn begin(s: *Store, embedder: []const u8, dims: usize, chunk_size: usize, overlap: usize) !void {
        try s.exec("BEGIN IMMEDIATE;\n" ++ schema);
        const q = try s.prepare("SELECT EXISTS (SELECT 1 FROM documents) OR EXISTS (SELECT 1 FROM chunks) " ++
            "OR EXISTS (SELECT 1 FROM vectors)");
        const rc = c.sqlite3_step(q);
        const filled = rc == c.SQLITE_ROW and c.sqlite3_column_int(q, 0) != 0;
        _ = c.sqlite3_finalize(q);
        if (rc != c.SQLITE_ROW) return s.failed();
        if (filled) return s.fail.set(s.path, "already holds an ingested corpus (ingest into a new file)");
        const meta = try s.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)");
        defer _ = c.sqlite3_finalize(meta);
        var b1: [32]u8 = undefined;
        var b2: [32]u8 = undefined;
        var b3: [32]u8 = undefined;
        const rows = [_][2][]const u8{
            .{ "format", "vector-ingester/1" },
            .{ "embedder", embedder },
            .{ "dims", std.mem.print(&b1, "{d}", .{dims}) catch unreachable },
            .{ "chunk_size", std.mem.print(&b2, "{d}", .{chunk_size}) catch unreachable },
            .{ "overlap", std.mem.print(&b3, "{d}", .{overlap}) catch unreachable },
        };
        for (rows) |kv| {
            try s.bindText(meta, 1, kv[0]);
            try s.bindText(meta, 2, kv[1]);
            try s.done(meta);
        }
        s.chunk = try s.prepare("INSERT INTO chunks (id, doc_id, seq, start, text) VALUES (?1, ?2, ?3, ?4, ?5)");
        s.vector = try s.prepare("INSERT INTO vectors (chunk_id, embedding) VALUES (?1, ?2)");
        s.document = try s.prepare("INSERT INTO documents (id, path, bytes, text_bytes, chunks, replaced) " ++
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
        s.blob = try s.gpa.alloc(u8, 4 * dims);
    }

    /// Inserts one chunk and its vector; commits when the batch is full.
    pub fn addChunk(s: *Store, id: u64, doc: u64, seq: u64, start: u64, text: []const u8, vec: []const f32) !void {
        for (vec, 0..) |v, i| std.mem.writeInt(u32, s.blob[4 * i ..][0..4], @bitCast(v), .little);
        const st = s.chunk;
        _ = c.sqlite3_bind_int64(st, 1, @intCast(id));
        _ = c.sqlite3_bind_int64(st, 2, @intCast(doc));
        _ = c.sqlite3_bind_int64(st, 3, @intCast(seq));
        _ = c.sqlite3_bind_int64(st, 4, @intCast(start));
        try s.bindText(st, 5, text);
        try s.done(st);
        _ = c.sqlite3_bind_int64(s.vector, 1, @intCast(id));
        if (c.sqlite3_bind_blob(s.vector, 2, s.blob.ptr, @intCast(s.blob.len), transient) != c.SQLITE_OK)
            return s.failed();
        try s.done(s.vector);
        s.pending += 1;
        if (s.pending == s.batch) {
            s.pending = 0;
            try s.exec("COMMIT; BEGIN IMMEDIATE;");
        }
    }

    /// Inserts a document's row (after its last chunk).
    pub fn addDocument(s: *Store, id: u64, path: []const u8, row: DocRow) !void {
        const st = s.document;
        _ = c.sqlite3_bind_int64(st, 1, @intCast(id));
        try s.bindText(st, 2, path);
        _ = c.sqlite3_bind_int64(st, 3, @intCast(row.bytes));
        _ = c.sqlite3_bind_int64(st, 4, @intCast(row.text_bytes));
        _ = c.sqlite3_bind_int64(st, 5, @intCast(row.chunks));
        _ = c.sqlite3_bind_int64(st, 6, @intCast(row.replaced));
        try s.done(st);
    }

    fn finalizeAll(s: *Store) void {
        for ([_]*?*c.sqlite3_stmt{ &s.chunk, &s.vector, &s.document }) |p| {
            if (p.*) |st| _ = c.sqlite3_finalize(st);
            p.* = null;
        }
        s.gpa.free(s.blob);
        s.blob = &.{};
    }

    /// Marks the database complete, commits, returns to a rollback journal (which removes the
    /// -wal file) and closes.
    pub fn finish(s: *Store) !void {
        s.finalizeAll();
        try s.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('status', 'complete'); COMMIT;");
        try s.exec("PRAGMA journal_mode = DELETE;");
        if (c.sqlite3_close(s.db) != c.SQLITE_OK) return s.failed();
    }

    /// Rolls back the open batch (unless SQLite already did) and closes.
    pub fn abort(s: *Store) void {
        s.finalizeAll();
        if (c.sqlite3_get_autocommit(s.db) == 0) {
            _ = c.sqlite3_exec(s.db, "ROLLBACK;", null, null, null);
        }
        _ = c.sqlite3_close(s.db);
    }
};
