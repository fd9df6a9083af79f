//! Streaming UTF-8 repair: every maximal ill-formed subsequence becomes one U+FFFD (the
//! WHATWG / Unicode "maximal subparts" practice). A block is checked with the standard library's
//! `utf8ValidateSlice` and copied whole when it is valid (nearly always); a block holding
//! ill-formed bytes is written through `std.unicode.fmtUtf8`, which substitutes maximal subparts.

const std = @import("std");

pub const replacement = "\u{FFFD}";

pub const Result = struct { used: usize, replaced: u64 };

/// Appends the repaired text of `in` to `out`, which must have room for `3 * in.len` more bytes.
/// Unless `last`, a sequence cut at the very end is not consumed (`used < in.len`): the caller
/// passes it again with the next bytes.
pub fn decode(in: []const u8, last: bool, out: *std.ArrayList(u8)) Result {
    const used = if (last) in.len else in.len - cut(in);
    const text = in[0..used];
    if (std.unicode.utf8ValidateSlice(text)) {
        out.appendSliceAssumeCapacity(text);
        return .{ .used = used, .replaced = 0 };
    }
    const start = out.items.len;
    var w: std.Io.Writer = .fixed(out.unusedCapacitySlice());
    w.print("{f}", .{std.unicode.fmtUtf8(text)}) catch unreachable; // room for 3 bytes per byte
    out.items.len += w.end;
    // The output is valid UTF-8, so each EF BF BD in it is one U+FFFD: those of the input are kept.
    const made = std.mem.count(u8, out.items[start..], replacement);
    return .{ .used = used, .replaced = made - std.mem.count(u8, text, replacement) };
}

/// The length of a sequence the end of `in` may have cut: a lead byte and fewer continuation
/// bytes than it announces (0 when `in` ends on a whole code point or on bytes that are
/// ill-formed anyway). Holding it back changes nothing before it: no ill-formed subsequence
/// extends over a lead byte.
fn cut(in: []const u8) usize {
    var k: usize = 1;
    while (k <= 3 and k <= in.len) : (k += 1) {
        const b = in[in.len - k];
        switch (b) {
            0x00...0x7F => return 0,
            0x80...0xBF => continue,
            0xC0...0xDF => return if (k < 2) k else 0,
            0xE0...0xEF => return if (k < 3) k else 0,
            0xF0...0xF7 => return if (k < 4) k else 0,
            else => return 0,
        }
    }
    return 0;
}

test "maximal subparts" {
    const gpa = std.testing.allocator;
    var out: std.ArrayList(u8) = .empty;
    defer out.deinit(gpa);
    try out.ensureUnusedCapacity(gpa, 64);
    const r = decode("a\xe1\x80b\xe0\x80\x80\xef\xbf\xbd", true, &out);
    try std.testing.expectEqual(@as(u64, 4), r.replaced);
    try std.testing.expectEqualStrings("a\u{FFFD}b\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}", out.items);
}

test "a sequence cut by a read is held back" {
    const gpa = std.testing.allocator;
    var out: std.ArrayList(u8) = .empty;
    defer out.deinit(gpa);
    try out.ensureUnusedCapacity(gpa, 64);
    const text = "กข";
    const r1 = decode(text[0..4], false, &out);
    try std.testing.expectEqual(@as(usize, 3), r1.used);
    const r2 = decode(text[3..], true, &out);
    try std.testing.expectEqual(@as(usize, 3), r2.used);
    try std.testing.expectEqualStrings(text, out.items);
}
