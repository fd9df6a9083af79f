//! The pipeline: for each document, read blocks → repair UTF-8 → cut chunks from a bounded
//! text window → embed → store. Memory is one read block, one text window and SQLite's cache.

const std = @import("std");
const Io = std.Io;
const Allocator = std.mem.Allocator;
const chunk = @import("chunk.zig");
const utf8 = @import("utf8.zig");
const corpus = @import("corpus.zig");
const Embedder = @import("embed.zig").Embedder;
const Store = @import("store.zig").Store;
const Failure = @import("fail.zig").Failure;
const reasonOf = @import("fail.zig").reasonOf;

pub const chunk_size = 1024;
pub const overlap = 128;
pub const batch_size = 1000;
pub const block = 64 * 1024;
/// The text window is shifted to the front once this much of it lies before the chunk start.
const compact_at = block;

/// Everything a run can vary; the program uses the defaults, the tests shrink them.
pub const Config = struct {
    chunk: chunk.Params = .{ .size = chunk_size, .overlap = overlap },
    batch: usize = batch_size,
    /// PRAGMA max_page_count (the tests' full disk).
    max_pages: ?u64 = null,
};

pub const Summary = struct {
    documents: u64 = 0,
    empty: u64 = 0,
    chunks: u64 = 0,
    bytes: u64 = 0,
    text_bytes: u64 = 0,
    replaced: u64 = 0,

    pub fn write(s: Summary, w: *Io.Writer) Io.Writer.Error!void {
        try w.print("{{\"documents\":{d},\"empty\":{d},\"chunks\":{d},\"bytes\":{d},\"text_bytes\":{d},\"replaced\":{d}}}", .{
            s.documents, s.empty, s.chunks, s.bytes, s.text_bytes, s.replaced,
        });
    }
};

pub const DocStats = struct { bytes: u64 = 0, text_bytes: u64 = 0, chunks: u64 = 0, replaced: u64 = 0 };

/// Reusable buffers of the document reader.
pub const Buffers = struct {
    raw: []u8,
    text: std.ArrayList(u8) = .empty,

    pub fn init(gpa: Allocator) !Buffers {
        var b: Buffers = .{ .raw = try gpa.alloc(u8, block + 4) };
        try b.text.ensureTotalCapacity(gpa, 4 * block);
        return b;
    }

    pub fn deinit(b: *Buffers, gpa: Allocator) void {
        gpa.free(b.raw);
        b.text.deinit(gpa);
    }
};

/// Streams one document: `ctx.onChunk(start, text)` for every chunk in order.
pub fn processDocument(gpa: Allocator, src: *corpus.Source, subject: []const u8, p: chunk.Params, bufs: *Buffers, fail: *Failure, ctx: anytype) !DocStats {
    var st: DocStats = .{};
    const text = &bufs.text;
    text.clearRetainingCapacity();
    var carry: usize = 0; // bytes of an incomplete UTF-8 sequence kept at raw[0..carry]
    var eof = false;
    var base: u64 = 0; // offset of text[0] in the document's text
    var s: usize = 0; // chunk start in text
    while (true) {
        while (!eof and text.items.len - s <= p.size) {
            const n = src.read(bufs.raw[carry .. carry + block]) catch |err| return fail.set(subject, reasonOf(err));
            st.bytes += n;
            eof = n == 0;
            try text.ensureUnusedCapacity(gpa, 3 * (carry + n));
            const r = utf8.decode(bufs.raw[0 .. carry + n], eof, text);
            st.replaced += r.replaced;
            const rest = carry + n - r.used;
            std.mem.copyForwards(u8, bufs.raw[0..rest], bufs.raw[r.used .. carry + n]);
            carry = rest;
        }
        const window = text.items[s..];
        if (window.len == 0) break;
        if (eof and window.len <= p.size) {
            try ctx.onChunk(base + s, window);
            st.chunks += 1;
            break;
        }
        const e = chunk.end(window, p);
        try ctx.onChunk(base + s, window[0..e]);
        st.chunks += 1;
        s += chunk.nextStart(window, e, p);
        if (s >= compact_at) {
            const keep = text.items.len - s;
            std.mem.copyForwards(u8, text.items[0..keep], text.items[s..]);
            text.shrinkRetainingCapacity(keep);
            base += s;
            s = 0;
        }
    }
    st.text_bytes = base + text.items.len;
    return st;
}

/// Ingests the corpus at `corpus_path` into the database at `db_path`.
pub fn ingest(gpa: Allocator, io: Io, corpus_path: []const u8, db_path: [:0]const u8, cfg: Config, emb: Embedder, fail: *Failure) !Summary {
    var docs = try corpus.Corpus.open(gpa, io, corpus_path, fail);
    defer docs.deinit();
    var store = try Store.open(gpa, db_path, cfg.batch, cfg.max_pages, fail);
    var bufs = Buffers.init(gpa) catch |err| {
        store.abort();
        return err;
    };
    defer bufs.deinit(gpa);
    const vec = gpa.alloc(f32, emb.dims()) catch |err| {
        store.abort();
        return err;
    };
    defer gpa.free(vec);
    var run: Run = .{ .gpa = gpa, .cfg = cfg, .emb = emb, .store = &store, .bufs = &bufs, .vec = vec, .fail = fail };
    run.all(&docs) catch |err| {
        store.abort();
        return err;
    };
    return run.sum;
}

const Run = struct {
    gpa: Allocator,
    cfg: Config,
    emb: Embedder,
    store: *Store,
    bufs: *Buffers,
    vec: []f32,
    fail: *Failure,
    sum: Summary = .{},
    chunk_id: u64 = 0,
    doc_id: u64 = 0,
    seq: u64 = 0,

    fn all(r: *Run, docs: *corpus.Corpus) !void {
        try r.store.begin(r.emb.name(), r.emb.dims(), r.cfg.chunk.size, r.cfg.chunk.overlap);
        try docs.forEach(r.fail, r);
        try r.store.finish();
    }

    pub fn onDocument(r: *Run, doc: corpus.Document) !void {
        r.doc_id = r.sum.documents + 1;
        r.seq = 0;
        const st = try processDocument(r.gpa, doc.source, doc.subject, r.cfg.chunk, r.bufs, r.fail, r);
        try r.store.addDocument(r.doc_id, doc.path, .{ .bytes = st.bytes, .text_bytes = st.text_bytes, .chunks = st.chunks, .replaced = st.replaced });
        r.sum.documents += 1;
        if (st.bytes == 0) r.sum.empty += 1;
        r.sum.chunks += st.chunks;
        r.sum.bytes += st.bytes;
        r.sum.text_bytes += st.text_bytes;
        r.sum.replaced += st.replaced;
    }

    pub fn onChunk(r: *Run, start: u64, text: []const u8) !void {
        r.chunk_id += 1;
        r.emb.embed(text, r.vec);
        try r.store.addChunk(r.chunk_id, r.doc_id, r.seq, start, text, r.vec);
        r.seq += 1;
    }
};
