//! The chunker proper: impls/audio-chunker/README.md, "Algorithm" and "Output: records".
//! Fed the stream in pieces of any size, it writes each record to its writer the moment the
//! record is decided, header and samples in one `writeAll`.

const std = @import("std");
const Io = std.Io;

pub const frame = 320; // samples per VAD frame (20 ms)
pub const frame_bytes = 2 * frame;
pub const on_energy: u64 = 320 * 1000 * 1000; // ≥: speech starts (RMS 1000)
pub const off_energy: u64 = 320 * 500 * 500; // <: speech ends (RMS 500)
pub const hangover = 15; // consecutive non-speech frames that close a chunk
pub const preroll = 5; // frames kept before the frame that opens a chunk
pub const min_voiced = 5; // fewer speech frames: the chunk is dropped
pub const max_len = 80_000; // longest chunk, samples
pub const overlap = 8_000; // samples shared by a cut chunk and its continuation
pub const header_size = 24;

pub const Reason = enum(u8) { silence = 0, max = 1, eos = 2 };

/// The exact sum of squares of a frame's samples (at most 320 × 32768²).
pub fn frameEnergy(f: []const u8) u64 {
    var e: u64 = 0;
    var i: usize = 0;
    while (i + 1 < f.len) : (i += 2) {
        const s: i64 = std.mem.readInt(i16, f[i..][0..2], .little);
        e += @intCast(s * s);
    }
    return e;
}

pub const Chunker = struct {
    speaking: bool = false,
    silent_run: u32 = 0,
    seq: u32 = 0,
    /// Index of the next frame.
    frame_index: u64 = 0,
    open: bool = false,
    /// First sample of the open chunk.
    start: u64 = 0,
    voiced: u16 = 0,
    /// `header_size` bytes of room for the header, then the open chunk's samples as input bytes
    /// — or, while no chunk is open, the pre-roll (at most `preroll` frames after the floor).
    buf: [header_size + 2 * max_len]u8 = undefined,
    /// Bytes of `buf` in use.
    used: usize = header_size,
    partial: [frame_bytes]u8 = undefined,
    partial_len: usize = 0,

    /// Processes the next piece of the stream; the only errors are the writer's.
    pub fn feed(c: *Chunker, input: []const u8, out: *Io.Writer) Io.Writer.Error!void {
        var data = input;
        if (c.partial_len > 0) {
            const n = @min(frame_bytes - c.partial_len, data.len);
            @memcpy(c.partial[c.partial_len..][0..n], data[0..n]);
            c.partial_len += n;
            data = data[n..];
            if (c.partial_len < frame_bytes) return;
            c.partial_len = 0;
            try c.processFrame(&c.partial, out);
        }
        while (data.len >= frame_bytes) : (data = data[frame_bytes..]) {
            try c.processFrame(data[0..frame_bytes], out);
        }
        @memcpy(c.partial[0..data.len], data);
        c.partial_len = data.len;
    }

    /// Ends the stream: the open chunk, with the partial frame, is closed as end-of-stream.
    /// Returns whether the input had an odd number of bytes (the last one is ignored).
    pub fn finish(c: *Chunker, out: *Io.Writer) Io.Writer.Error!bool {
        const odd_byte = c.partial_len % 2 == 1;
        if (c.open) {
            c.append(c.partial[0 .. c.partial_len & ~@as(usize, 1)]);
            c.open = false;
            try c.close(.eos, out);
        }
        c.used = header_size;
        c.partial_len = 0;
        return odd_byte;
    }

    fn length(c: *const Chunker) usize {
        return (c.used - header_size) / 2;
    }

    fn append(c: *Chunker, bytes: []const u8) void {
        @memcpy(c.buf[c.used..][0..bytes.len], bytes);
        c.used += bytes.len;
    }

    fn processFrame(c: *Chunker, f: *const [frame_bytes]u8, out: *Io.Writer) Io.Writer.Error!void {
        const e = frameEnergy(f);
        if (!c.speaking and e >= on_energy) {
            c.speaking = true;
        } else if (c.speaking and e < off_energy) {
            c.speaking = false;
        }
        c.silent_run = if (c.speaking) 0 else c.silent_run +| 1;
        const k = c.frame_index;
        c.frame_index += 1;

        if (!c.open) {
            if (!c.speaking) {
                if (c.length() == preroll * frame) { // keep at most `preroll` frames
                    std.mem.copyForwards(u8, c.buf[header_size..], c.buf[header_size + frame_bytes .. c.used]);
                    c.used -= frame_bytes;
                }
                c.append(f);
                return;
            }
            // The pre-roll holds min(preroll, frames since the floor) frames, so this is
            // max(320·(k − preroll), floor, 0).
            c.open = true;
            c.start = k * frame - c.length();
            c.voiced = 0;
        }

        c.append(f);
        if (c.speaking) c.voiced += 1;
        if (c.silent_run >= hangover) {
            c.open = false;
            defer c.used = header_size;
            try c.close(.silence, out);
        } else if (c.length() == max_len) {
            try c.close(.max, out);
            std.mem.copyForwards(u8, c.buf[header_size..], c.buf[c.used - 2 * overlap .. c.used]);
            c.used = header_size + 2 * overlap;
            c.start += max_len - overlap;
            c.voiced = 0;
        }
    }

    /// Writes the open chunk's record unless it has too few speech frames.
    fn close(c: *Chunker, reason: Reason, out: *Io.Writer) Io.Writer.Error!void {
        if (c.voiced < min_voiced) return;
        const h = c.buf[0..header_size];
        h[0..4].* = "ACHK".*;
        std.mem.writeInt(u32, h[4..8], c.seq, .little);
        std.mem.writeInt(u64, h[8..16], c.start, .little);
        std.mem.writeInt(u32, h[16..20], @intCast(c.length()), .little);
        h[20] = @backingInt(reason);
        h[21] = 0;
        std.mem.writeInt(u16, h[22..24], c.voiced, .little);
        c.seq +%= 1;
        try out.writeAll(c.buf[0..c.used]);
        try out.flush();
    }
};

// ---------------------------------------------------------------------------------------------
// Tests: boundaries computed by hand from the spec.

const testing = std.testing;

const Part = struct { v: i16, n: usize };

fn makeSignal(parts: []const Part) ![]u8 {
    var total: usize = 0;
    for (parts) |p| total += p.n * frame_bytes;
    const b = try testing.allocator.alloc(u8, total);
    var i: usize = 0;
    for (parts) |p| {
        for (0..p.n * frame) |_| {
            std.mem.writeInt(i16, b[i..][0..2], p.v, .little);
            i += 2;
        }
    }
    return b;
}

const Rec = struct { seq: u32, start: u64, length: u32, reason: u8, voiced: u16 };

/// Records of `input` fed in pieces of `piece` bytes; the caller frees `.bytes`.
const Result = struct { bytes: []u8, odd: bool };

fn chunkAll(input: []const u8, piece: usize) !Result {
    var out: Io.Writer.Allocating = .init(testing.allocator);
    errdefer out.deinit();
    const c = try testing.allocator.create(Chunker);
    defer testing.allocator.destroy(c);
    c.* = .{};
    var rest = input;
    while (rest.len > 0) {
        const n = @min(piece, rest.len);
        try c.feed(rest[0..n], &out.writer);
        rest = rest[n..];
    }
    const odd = try c.finish(&out.writer);
    return .{ .bytes = try out.toOwnedSlice(), .odd = odd };
}

/// Parses records, checking every header and payload against the input.
fn parse(out: []const u8, input: []const u8) ![]Rec {
    var list: std.ArrayList(Rec) = .empty;
    errdefer list.deinit(testing.allocator);
    var rest = out;
    while (rest.len > 0) {
        try testing.expect(rest.len >= header_size);
        try testing.expectEqualSlices(u8, "ACHK", rest[0..4]);
        try testing.expectEqual(@as(u8, 0), rest[21]);
        const r: Rec = .{
            .seq = std.mem.readInt(u32, rest[4..8], .little),
            .start = std.mem.readInt(u64, rest[8..16], .little),
            .length = std.mem.readInt(u32, rest[16..20], .little),
            .reason = rest[20],
            .voiced = std.mem.readInt(u16, rest[22..24], .little),
        };
        const end = header_size + 2 * @as(usize, r.length);
        const from: usize = @intCast(2 * r.start);
        try testing.expectEqualSlices(u8, input[from .. from + 2 * @as(usize, r.length)], rest[header_size..end]);
        try list.append(testing.allocator, r);
        rest = rest[end..];
    }
    return list.toOwnedSlice(testing.allocator);
}

fn expectBoundaries(parts: []const Part, want: []const Rec) !void {
    const input = try makeSignal(parts);
    defer testing.allocator.free(input);
    const res = try chunkAll(input, 65536);
    defer testing.allocator.free(res.bytes);
    const got = try parse(res.bytes, input);
    defer testing.allocator.free(got);
    try testing.expectEqualSlices(Rec, want, got);
}

test "energy is the exact sum of squares" {
    const f = try makeSignal(&.{.{ .v = 1000, .n = 1 }});
    defer testing.allocator.free(f);
    try testing.expectEqual(on_energy, frameEnergy(f));
    const g = try makeSignal(&.{.{ .v = -500, .n = 1 }});
    defer testing.allocator.free(g);
    try testing.expectEqual(off_energy, frameEnergy(g));
    const m = try makeSignal(&.{.{ .v = -32768, .n = 1 }});
    defer testing.allocator.free(m);
    try testing.expectEqual(@as(u64, 320 * 32768 * 32768), frameEnergy(m));
    const x = try makeSignal(&.{.{ .v = 3, .n = 1 }});
    defer testing.allocator.free(x);
    std.mem.writeInt(i16, x[0..2], -4, .little);
    try testing.expectEqual(@as(u64, 319 * 9 + 16), frameEnergy(x));
}

test "worked example: silence close with pre-roll" {
    try expectBoundaries(&.{ .{ .v = 0, .n = 10 }, .{ .v = 2000, .n = 20 }, .{ .v = 0, .n = 20 } }, &.{
        .{ .seq = 0, .start = 1600, .length = 12800, .reason = 0, .voiced = 20 },
    });
}

test "thresholds: ON inclusive, OFF exclusive" {
    try expectBoundaries(&.{.{ .v = 999, .n = 40 }}, &.{});
    try expectBoundaries(&.{ .{ .v = 1000, .n = 10 }, .{ .v = 0, .n = 15 } }, &.{
        .{ .seq = 0, .start = 0, .length = 25 * 320, .reason = 0, .voiced = 10 },
    });
    try expectBoundaries(&.{ .{ .v = 1000, .n = 10 }, .{ .v = 500, .n = 30 }, .{ .v = 0, .n = 15 } }, &.{
        .{ .seq = 0, .start = 0, .length = 55 * 320, .reason = 0, .voiced = 40 },
    });
    try expectBoundaries(&.{ .{ .v = 1000, .n = 10 }, .{ .v = 499, .n = 30 } }, &.{
        .{ .seq = 0, .start = 0, .length = 25 * 320, .reason = 0, .voiced = 10 },
    });
}

test "hysteresis band continues the previous state" {
    try expectBoundaries(&.{.{ .v = 700, .n = 50 }}, &.{});
    try expectBoundaries(&.{ .{ .v = 0, .n = 3 }, .{ .v = 2000, .n = 6 }, .{ .v = 700, .n = 20 }, .{ .v = 0, .n = 16 } }, &.{
        .{ .seq = 0, .start = 0, .length = 44 * 320, .reason = 0, .voiced = 26 },
    });
}

test "short silences do not split; pre-roll stops at the previous chunk" {
    try expectBoundaries(&.{ .{ .v = 2000, .n = 10 }, .{ .v = 0, .n = 14 }, .{ .v = 2000, .n = 10 }, .{ .v = 0, .n = 15 } }, &.{
        .{ .seq = 0, .start = 0, .length = 49 * 320, .reason = 0, .voiced = 20 },
    });
    try expectBoundaries(&.{ .{ .v = 2000, .n = 10 }, .{ .v = 0, .n = 17 }, .{ .v = 2000, .n = 10 }, .{ .v = 0, .n = 15 } }, &.{
        .{ .seq = 0, .start = 0, .length = 25 * 320, .reason = 0, .voiced = 10 },
        .{ .seq = 1, .start = 25 * 320, .length = 27 * 320, .reason = 0, .voiced = 10 },
    });
}

test "clicks are dropped without using a sequence number" {
    try expectBoundaries(&.{ .{ .v = 0, .n = 20 }, .{ .v = 5000, .n = 4 }, .{ .v = 0, .n = 40 }, .{ .v = 3000, .n = 5 }, .{ .v = 0, .n = 20 } }, &.{
        .{ .seq = 0, .start = 59 * 320, .length = 25 * 320, .reason = 0, .voiced = 5 },
    });
}

test "cut at MAX with overlap, end-of-stream flush" {
    try expectBoundaries(&.{.{ .v = 2000, .n = 400 }}, &.{
        .{ .seq = 0, .start = 0, .length = 80000, .reason = 1, .voiced = 250 },
        .{ .seq = 1, .start = 72000, .length = 56000, .reason = 2, .voiced = 150 },
    });
    try expectBoundaries(&.{ .{ .v = 2000, .n = 600 }, .{ .v = 0, .n = 15 } }, &.{
        .{ .seq = 0, .start = 0, .length = 80000, .reason = 1, .voiced = 250 },
        .{ .seq = 1, .start = 72000, .length = 80000, .reason = 1, .voiced = 225 },
        .{ .seq = 2, .start = 144000, .length = 52800, .reason = 0, .voiced = 125 },
    });
}

test "a continuation with too little speech is dropped" {
    try expectBoundaries(&.{.{ .v = 2000, .n = 250 }}, &.{
        .{ .seq = 0, .start = 0, .length = 80000, .reason = 1, .voiced = 250 },
    });
    try expectBoundaries(&.{ .{ .v = 2000, .n = 252 }, .{ .v = 0, .n = 30 } }, &.{
        .{ .seq = 0, .start = 0, .length = 80000, .reason = 1, .voiced = 250 },
    });
}

fn withTail(parts: []const Part, value: i16, samples: usize, extra: []const u8) ![]u8 {
    const head = try makeSignal(parts);
    defer testing.allocator.free(head);
    const b = try testing.allocator.alloc(u8, head.len + 2 * samples + extra.len);
    @memcpy(b[0..head.len], head);
    for (0..samples) |i| std.mem.writeInt(i16, b[head.len + 2 * i ..][0..2], value, .little);
    @memcpy(b[head.len + 2 * samples ..], extra);
    return b;
}

test "end-of-stream flush includes the partial frame; idle tail is ignored" {
    const a = try withTail(&.{.{ .v = 2000, .n = 10 }}, 100, 123, "");
    defer testing.allocator.free(a);
    const ra = try chunkAll(a, 4096);
    defer testing.allocator.free(ra.bytes);
    const ga = try parse(ra.bytes, a);
    defer testing.allocator.free(ga);
    try testing.expectEqualSlices(Rec, &.{.{ .seq = 0, .start = 0, .length = 3323, .reason = 2, .voiced = 10 }}, ga);

    const b = try withTail(&.{ .{ .v = 2000, .n = 10 }, .{ .v = 0, .n = 20 } }, 9000, 300, "");
    defer testing.allocator.free(b);
    const rb = try chunkAll(b, 4096);
    defer testing.allocator.free(rb.bytes);
    const gb = try parse(rb.bytes, b);
    defer testing.allocator.free(gb);
    try testing.expectEqualSlices(Rec, &.{.{ .seq = 0, .start = 0, .length = 25 * 320, .reason = 0, .voiced = 10 }}, gb);
}

test "odd trailing byte is ignored and reported" {
    const a = try withTail(&.{.{ .v = 2000, .n = 10 }}, 0, 0, "\x7f");
    defer testing.allocator.free(a);
    const ra = try chunkAll(a, 4096);
    defer testing.allocator.free(ra.bytes);
    try testing.expect(ra.odd);
    const ga = try parse(ra.bytes, a);
    defer testing.allocator.free(ga);
    try testing.expectEqualSlices(Rec, &.{.{ .seq = 0, .start = 0, .length = 3200, .reason = 2, .voiced = 10 }}, ga);
    const rb = try chunkAll(a[0 .. a.len - 1], 4096);
    defer testing.allocator.free(rb.bytes);
    try testing.expect(!rb.odd);
}

test "empty input gives no records" {
    const r = try chunkAll("", 1);
    defer testing.allocator.free(r.bytes);
    try testing.expectEqual(@as(usize, 0), r.bytes.len);
    try testing.expect(!r.odd);
    const s = try chunkAll("\x01", 1);
    defer testing.allocator.free(s.bytes);
    try testing.expectEqual(@as(usize, 0), s.bytes.len);
    try testing.expect(s.odd);
}

/// A deterministic pseudo-random byte stream (xorshift64*).
fn noise(n: usize, seed: u64) ![]u8 {
    const b = try testing.allocator.alloc(u8, n);
    var state = seed;
    for (b) |*x| {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        x.* = @truncate((state *% 0x2545F4914F6CDD1D) >> 56);
    }
    return b;
}

test "pieces of any size give the same records" {
    const head = try makeSignal(&.{ .{ .v = 0, .n = 7 }, .{ .v = 3000, .n = 30 }, .{ .v = 600, .n = 10 }, .{ .v = 0, .n = 20 }, .{ .v = 2500, .n = 300 }, .{ .v = 100, .n = 3 } });
    defer testing.allocator.free(head);
    const tail = try noise(3 * frame_bytes + 77, 7);
    defer testing.allocator.free(tail);
    const input = try std.mem.concat(testing.allocator, u8, &.{ head, tail });
    defer testing.allocator.free(input);
    const whole = try chunkAll(input, input.len);
    defer testing.allocator.free(whole.bytes);
    try testing.expect(whole.bytes.len > 0);
    for ([_]usize{ 1, 2, 3, 639, 640, 641, 1000, 4096 }) |piece| {
        const r = try chunkAll(input, piece);
        defer testing.allocator.free(r.bytes);
        try testing.expectEqualSlices(u8, whole.bytes, r.bytes);
    }
}

test "random bytes and extreme samples" {
    const input = try noise(1 << 20, 42);
    defer testing.allocator.free(input);
    const r = try chunkAll(input, 4093);
    defer testing.allocator.free(r.bytes);
    const got = try parse(r.bytes, input);
    defer testing.allocator.free(got);
    try testing.expect(got.len > 0);
    for (got, 0..) |rec, i| {
        try testing.expectEqual(@as(u32, @intCast(i)), rec.seq);
        try testing.expect(rec.length <= max_len);
    }
    try expectBoundaries(&.{ .{ .v = -32768, .n = 20 }, .{ .v = 32767, .n = 20 }, .{ .v = 0, .n = 15 } }, &.{
        .{ .seq = 0, .start = 0, .length = 55 * 320, .reason = 0, .voiced = 40 },
    });
}

test "writer errors are returned" {
    const input = try makeSignal(&.{ .{ .v = 2000, .n = 10 }, .{ .v = 0, .n = 15 } });
    defer testing.allocator.free(input);
    const c = try testing.allocator.create(Chunker);
    defer testing.allocator.destroy(c);
    c.* = .{};
    var failing: Io.Writer = .failing;
    try testing.expectError(error.WriteFailed, c.feed(input, &failing));
}
