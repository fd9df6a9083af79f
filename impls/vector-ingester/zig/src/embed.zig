//! The embedding interface (a pointer and a vtable, so a real model can be plugged in later)
//! and the spec's deterministic embedder `fnv1a-hash-384/1`.

const std = @import("std");

/// Turns one chunk of text into a fixed-size vector.
pub const Embedder = struct {
    ptr: *anyopaque,
    vtable: *const VTable,

    pub const VTable = struct {
        /// Stored in the database's meta table.
        name: *const fn (ptr: *anyopaque) []const u8,
        /// Length of every vector.
        dims: *const fn (ptr: *anyopaque) usize,
        /// Fills `out` (of length dims) with the vector of `text` (valid UTF-8).
        embed: *const fn (ptr: *anyopaque, text: []const u8, out: []f32) void,
    };

    pub fn name(e: Embedder) []const u8 {
        return e.vtable.name(e.ptr);
    }
    pub fn dims(e: Embedder) usize {
        return e.vtable.dims(e.ptr);
    }
    pub fn embed(e: Embedder, text: []const u8, out: []f32) void {
        e.vtable.embed(e.ptr, text, out);
    }
};

pub const DIMS = 384;
pub const fnv_offset: u64 = 0xcbf29ce484222325;
const fnv_prime: u64 = 0x100000001b3;
/// Hash state after the tag byte of a word unigram ('w') and of a 3-gram ('c').
const h_word: u64 = (fnv_offset ^ 'w') *% fnv_prime;
const h_gram: u64 = (fnv_offset ^ 'c') *% fnv_prime;

pub fn fnv1a(start: u64, data: []const u8) u64 {
    var h = start;
    for (data) |b| h = (h ^ b) *% fnv_prime;
    return h;
}

/// ASCII 0-9 A-Z a-z and every byte >= 0x80.
inline fn isWord(b: u8) bool {
    return b >= 0x80 or std.ascii.isAlphanumeric(b);
}

inline fn add(c: *[DIMS]i32, h: u64) void {
    const bucket: usize = @intCast((h >> 32) % DIMS);
    if ((h >> 31) & 1 == 1) c[bucket] -= 1 else c[bucket] += 1;
}

/// The integer counts of `text` before normalisation. Every feature is hashed in one pass over
/// the bytes, each byte read and lower-cased once: the word's unigram hash and the hashes of the
/// three 3-grams that can still contain the byte (started at the last three code points) run side
/// by side; a 3-gram is complete when the code point after it (or the word's end) is reached.
pub fn counts(text: []const u8, c: *[DIMS]i32) void {
    @memset(c, 0);
    const n = text.len;
    var i: usize = 0;
    while (i < n) {
        if (!isWord(text[i])) {
            i += 1;
            continue;
        }
        var hw = h_word;
        // 3-grams started at the code point before last (g0), the last (g1) and this one (g2)
        var g0 = h_gram;
        var g1 = h_gram;
        var g2 = h_gram;
        var ncp: usize = 0;
        while (i < n and isWord(text[i])) : (i += 1) {
            const b = text[i];
            if (b & 0xC0 != 0x80) {
                if (ncp >= 3) add(c, g0);
                g0 = g1;
                g1 = g2;
                g2 = h_gram;
                ncp += 1;
            }
            const l = std.ascii.toLower(b);
            hw = (hw ^ l) *% fnv_prime;
            g0 = (g0 ^ l) *% fnv_prime;
            g1 = (g1 ^ l) *% fnv_prime;
            g2 = (g2 ^ l) *% fnv_prime;
        }
        if (ncp >= 3) add(c, g0);
        add(c, hw);
    }
}

/// out[i] = f32(f64(c[i]) / sqrt(f64(sum of c²))), or zeros.
pub fn normalise(c: *const [DIMS]i32, out: []f32) void {
    var sumsq: i64 = 0;
    for (c) |x| sumsq += @as(i64, x) * @as(i64, x);
    if (sumsq == 0) {
        @memset(out, 0);
        return;
    }
    const norm = @sqrt(@as(f64, @floatFromInt(sumsq)));
    for (c, 0..) |x, i| out[i] = @floatCast(@as(f64, @floatFromInt(x)) / norm);
}

/// Signed feature hashing of word unigrams and character 3-grams into 384 dimensions,
/// L2-normalised (see the spec).
pub const HashEmbedder = struct {
    pub fn embedder(self: *HashEmbedder) Embedder {
        return .{ .ptr = self, .vtable = &.{ .name = name, .dims = dims, .embed = embed } };
    }

    fn name(_: *anyopaque) []const u8 {
        return "fnv1a-hash-384/1";
    }
    fn dims(_: *anyopaque) usize {
        return DIMS;
    }
    fn embed(_: *anyopaque, text: []const u8, out: []f32) void {
        var c: [DIMS]i32 = undefined;
        counts(text, &c);
        normalise(&c, out);
    }
};

test "fnv1a reference values and a repeated word" {
    try std.testing.expectEqual(@as(u64, 0xcbf29ce484222325), fnv1a(fnv_offset, ""));
    try std.testing.expectEqual(@as(u64, 0xaf63dc4c8601ec8c), fnv1a(fnv_offset, "a"));
    try std.testing.expectEqual(@as(u64, 0x85944171f73967e8), fnv1a(fnv_offset, "foobar"));
    var he: HashEmbedder = .{};
    const e = he.embedder();
    var v: [DIMS]f32 = undefined;
    e.embed("a A a", &v);
    const h = fnv1a(fnv_offset, "wa");
    const bucket = (h >> 32) % DIMS;
    const sign: f32 = if ((h >> 31) & 1 == 1) -1 else 1;
    for (v, 0..) |x, i| try std.testing.expectEqual(if (i == bucket) sign else 0, x);
}

test "3-grams are code points" {
    var c: [DIMS]i32 = undefined;
    counts("กขคง", &c);
    var want: [DIMS]i32 = @splat(0);
    add(&want, fnv1a(h_word, "กขคง"));
    add(&want, fnv1a(h_gram, "กขค"));
    add(&want, fnv1a(h_gram, "ขคง"));
    try std.testing.expectEqualSlices(i32, &want, &c);
}
