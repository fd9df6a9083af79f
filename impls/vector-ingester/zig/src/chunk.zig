//! The chunking rules of the spec, on a window of text that starts at the current chunk start.

const std = @import("std");

/// Chunk size and overlap in bytes; the minimum chunk is half the size.
pub const Params = struct {
    size: usize,
    overlap: usize,

    /// Needs `size >= 16` and `overlap < size / 2` (so every step moves forward).
    pub fn init(size: usize, overlap: usize) error{InvalidChunkParams}!Params {
        if (size < 16 or overlap >= size / 2) return error.InvalidChunkParams;
        return .{ .size = size, .overlap = overlap };
    }

    pub fn min(p: Params) usize {
        return p.size / 2;
    }
};

/// ASCII whitespace: 0x09–0x0D and 0x20.
pub inline fn isSpace(b: u8) bool {
    return b == ' ' or (b >= 0x09 and b <= 0x0D);
}

inline fn isContinuation(b: u8) bool {
    return b & 0xC0 == 0x80;
}

/// The end of the chunk that starts at `t[0]`, when more than `p.size` bytes remain: the largest
/// end in [min, size] of the best boundary kind available.
pub fn end(t: []const u8, p: Params) usize {
    std.debug.assert(t.len > p.size);
    const lo = p.min();
    var sentence: usize = 0;
    var word: usize = 0;
    var e = p.size;
    while (e >= lo) : (e -= 1) {
        const a = t[e - 1];
        if (!isSpace(a)) continue;
        if (a == '\n') {
            const b = t[e - 2];
            if (b == '\n' or (b == '\r' and t[e - 3] == '\n')) return e; // paragraph: largest first
            if (sentence == 0) sentence = e;
        } else if (sentence == 0) {
            const b = t[e - 2];
            if (b == '.' or b == '!' or b == '?') sentence = e;
        }
        if (word == 0) word = e;
    }
    if (sentence != 0) return sentence;
    if (word != 0) return word;
    e = p.size;
    while (isContinuation(t[e])) e -= 1;
    return e;
}

/// Where the chunk after `t[0..e]` starts: the first word start in [e - overlap, e), else the
/// first code-point boundary at or after e - overlap.
pub fn nextStart(t: []const u8, e: usize, p: Params) usize {
    const lo = e - p.overlap;
    var q = lo;
    while (q < e) : (q += 1) {
        if (isSpace(t[q - 1]) and !isSpace(t[q])) return q;
    }
    q = lo;
    while (q < e and isContinuation(t[q])) q += 1;
    return q;
}

test "boundaries in order of preference" {
    const p = try Params.init(16, 4);
    const cases = [_]struct { []const u8, usize }{
        .{ "aaaa aaaa\n\nbbb. ccc dddddddddddd", 11 },
        .{ "aaaa aaa. bb cc ddddddddd", 10 },
        .{ "aaaa aaa\nbb cc dddddddddd", 9 },
        .{ "aaaa aaaa bb cc dddddddd", 16 },
        .{ "abcdefghijklmnoกขค", 15 },
        .{ "aaaaaaa\r\n\r\nbbbbbbbbbbbbbb", 11 },
    };
    for (cases) |c| try std.testing.expectEqual(c[1], end(c[0], p));
    try std.testing.expectError(error.InvalidChunkParams, Params.init(64, 32));
    try std.testing.expectEqual(@as(usize, 10), nextStart("aaaa bbbb cccc dddd", 15, try Params.init(16, 7)));
    try std.testing.expectEqual(@as(usize, 12), nextStart("กขคงจฉชซฌญฎฏ", 15, try Params.init(16, 5)));
}
