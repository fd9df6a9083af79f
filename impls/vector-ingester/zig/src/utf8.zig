//! Streaming UTF-8 repair: every maximal ill-formed subsequence becomes one U+FFFD (the
//! WHATWG / Unicode "maximal subparts" practice).

const std = @import("std");

pub const replacement = "\u{FFFD}";

pub const Result = struct { used: usize, replaced: u64 };

/// Appends the repaired text of `in` to `out`, which must have room for `3 * in.len` more bytes.
/// Unless `last`, an incomplete sequence at the very end is not consumed (`used < in.len`): the
/// caller passes it again with the next bytes.
pub fn decode(in: []const u8, last: bool, out: *std.ArrayList(u8)) Result {
    var replaced: u64 = 0;
    var i: usize = 0;
    const n = in.len;
    while (i < n) {
        const b = in[i];
        if (b < 0x80) {
            var j = i + 1;
            while (j < n and in[j] < 0x80) j += 1;
            out.appendSliceAssumeCapacity(in[i..j]);
            i = j;
            continue;
        }
        const need: usize, const lo: u8, const hi: u8 = switch (b) {
            0xC2...0xDF => .{ 1, 0x80, 0xBF },
            0xE0 => .{ 2, 0xA0, 0xBF },
            0xE1...0xEC, 0xEE, 0xEF => .{ 2, 0x80, 0xBF },
            0xED => .{ 2, 0x80, 0x9F },
            0xF0 => .{ 3, 0x90, 0xBF },
            0xF1...0xF3 => .{ 3, 0x80, 0xBF },
            0xF4 => .{ 3, 0x80, 0x8F },
            else => .{ 0, 0, 0 },
        };
        if (need == 0) {
            out.appendSliceAssumeCapacity(replacement);
            replaced += 1;
            i += 1;
            continue;
        }
        var j = i + 1;
        var k: usize = 0;
        while (k < need and j < n) : ({
            j += 1;
            k += 1;
        }) {
            const c = in[j];
            const ok = if (k == 0) c >= lo and c <= hi else c >= 0x80 and c <= 0xBF;
            if (!ok) break;
        }
        if (k == need) {
            out.appendSliceAssumeCapacity(in[i..j]);
        } else if (j == n and !last) {
            return .{ .used = i, .replaced = replaced };
        } else {
            out.appendSliceAssumeCapacity(replacement);
            replaced += 1;
        }
        i = j;
    }
    return .{ .used = n, .replaced = replaced };
}

test "maximal subparts" {
    const gpa = std.testing.allocator;
    var out: std.ArrayList(u8) = .empty;
    defer out.deinit(gpa);
    try out.ensureUnusedCapacity(gpa, 64);
    const r = decode("a\xe1\x80b\xe0\x80\x80", true, &out);
    try std.testing.expectEqual(@as(u64, 4), r.replaced);
    try std.testing.expectEqualStrings("a\u{FFFD}b\u{FFFD}\u{FFFD}\u{FFFD}", out.items);
}
