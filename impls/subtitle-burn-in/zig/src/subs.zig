//! SRT and WebVTT parsing and cue text processing (../README.md, "Subtitle files").

const std = @import("std");
const mem = std.mem;
const Allocator = mem.Allocator;

/// One cue: [start, end) in ms, the line number of its timing line, its raw text lines (slices
/// of the parsed file's data).
pub const Cue = struct {
    start: i64,
    end: i64,
    line: usize,
    text: []const []const u8,
};

/// One character to draw, with its style.
pub const Cell = struct {
    cp: u21,
    bold: bool = false,
    italic: bool = false,
};

/// Where and why parsing failed. `msg` is owned by the caller's allocator.
pub const Failure = struct {
    line: usize = 0,
    msg: []u8 = &.{},

    pub fn deinit(self: *Failure, gpa: Allocator) void {
        gpa.free(self.msg);
        self.* = .{};
    }
};

/// A parsed subtitle file; its cues point into the data given to `parse`.
pub const Subtitles = struct {
    vtt: bool,
    cues: []Cue,
    lines: [][]const u8,

    pub fn deinit(self: *Subtitles, gpa: Allocator) void {
        gpa.free(self.cues);
        gpa.free(self.lines);
    }
};

pub const Error = error{ Syntax, OutOfMemory };

fn fail(gpa: Allocator, failure: *Failure, line: usize, comptime fmt: []const u8, args: anytype) Error {
    failure.line = line;
    failure.msg = try std.fmt.allocPrint(gpa, fmt, args);
    return error.Syntax;
}

fn isBlank(s: []const u8) bool {
    return mem.trim(u8, s, " \t").len == 0;
}

/// Parses an SRT or WebVTT file (the format is detected from the content).
pub fn parse(gpa: Allocator, input: []const u8, failure: *Failure) Error!Subtitles {
    const data = if (mem.startsWith(u8, input, "\xEF\xBB\xBF")) input[3..] else input;
    if (firstInvalidUtf8(data)) |bad| {
        return fail(gpa, failure, mem.count(u8, data[0..bad], "\n") + 1, "invalid UTF-8", .{});
    }

    // The line table is final before any cue takes slices of it.
    const ls = blk: {
        var lines: std.ArrayList([]const u8) = .empty;
        errdefer lines.deinit(gpa);
        var split = mem.splitScalar(u8, data, '\n');
        while (split.next()) |l| try lines.append(gpa, if (mem.endsWith(u8, l, "\r")) l[0 .. l.len - 1] else l);
        if (mem.endsWith(u8, data, "\n") or data.len == 0) _ = lines.pop();
        break :blk try lines.toOwnedSlice(gpa);
    };
    errdefer gpa.free(ls);
    const n = ls.len;

    const vtt = mem.startsWith(u8, data, "WEBVTT") and
        (data.len == 6 or mem.indexOfScalar(u8, " \t\r\n", data[6]) != null);
    var cues: std.ArrayList(Cue) = .empty;
    errdefer cues.deinit(gpa);
    var i: usize = 0;
    if (vtt) {
        while (i < n and !isBlank(ls[i])) i += 1;
    }
    while (i < n) {
        if (isBlank(ls[i])) {
            i += 1;
            continue;
        }
        const first = ls[i];
        var t: usize = undefined;
        if (vtt) {
            if (isKeywordBlock(first)) {
                while (i < n and !isBlank(ls[i])) i += 1;
                continue;
            }
            t = i;
            if (mem.indexOf(u8, first, "-->") == null) {
                t = i + 1;
                if (t >= n or mem.indexOf(u8, ls[t], "-->") == null)
                    return fail(gpa, failure, t + 1, "expected a timing line after the cue identifier", .{});
            }
        } else {
            for (mem.trim(u8, first, " \t")) |ch| {
                if (ch < '0' or ch > '9')
                    return fail(gpa, failure, i + 1, "expected a cue number, found \"{s}\"", .{first});
            }
            t = i + 1;
        }
        const line = if (t < n) ls[t] else "";
        const times = parseTiming(line, vtt) orelse
            return fail(gpa, failure, t + 1, "bad timing line \"{s}\"", .{line});
        if (times[1] <= times[0]) return fail(gpa, failure, t + 1, "cue ends before it starts", .{});
        var j = t + 1;
        while (j < n and !isBlank(ls[j])) j += 1;
        try cues.append(gpa, .{ .start = times[0], .end = times[1], .line = t + 1, .text = ls[t + 1 .. j] });
        i = j;
    }
    return .{ .vtt = vtt, .cues = try cues.toOwnedSlice(gpa), .lines = ls };
}

/// Index of the first byte that does not start a valid UTF-8 sequence, or null.
fn firstInvalidUtf8(data: []const u8) ?usize {
    var i: usize = 0;
    while (i < data.len) {
        const len = std.unicode.utf8ByteSequenceLength(data[i]) catch return i;
        if (i + len > data.len) return i;
        _ = std.unicode.utf8Decode(data[i .. i + len]) catch return i;
        i += len;
    }
    return null;
}

fn isKeywordBlock(line: []const u8) bool {
    for ([_][]const u8{ "NOTE", "STYLE", "REGION" }) |k| {
        if (mem.startsWith(u8, line, k) and (line.len == k.len or line[k.len] == ' ' or line[k.len] == '\t'))
            return true;
    }
    return false;
}

/// `START --> END [ignored…]`, fields separated by runs of spaces/tabs.
fn parseTiming(line: []const u8, vtt: bool) ?[2]i64 {
    var fields = mem.tokenizeAny(u8, line, " \t");
    const a = fields.next() orelse return null;
    const arrow = fields.next() orelse return null;
    const b = fields.next() orelse return null;
    if (!mem.eql(u8, arrow, "-->")) return null;
    return .{ parseTimestamp(a, vtt) orelse return null, parseTimestamp(b, vtt) orelse return null };
}

/// SRT `H:MM:SS,mmm` (`,` or `.`) or WebVTT `[H:]MM:SS.mmm`; hours have 1 to 4 digits.
pub fn parseTimestamp(s: []const u8, vtt: bool) ?i64 {
    if (s.len < 9) return null;
    const head = s[0 .. s.len - 9];
    const tail = s[s.len - 9 ..];
    if (tail[2] != ':' or !(tail[5] == '.' or (!vtt and tail[5] == ','))) return null;
    var h: i64 = 0;
    if (head.len != 0 or !vtt) {
        if (head.len < 2 or head.len > 5 or head[head.len - 1] != ':') return null;
        h = digits(head[0 .. head.len - 1]) orelse return null;
    }
    const m = digits(tail[0..2]) orelse return null;
    const sec = digits(tail[3..5]) orelse return null;
    const ms = digits(tail[6..9]) orelse return null;
    if (m > 59 or sec > 59) return null;
    return ((h * 60 + m) * 60 + sec) * 1000 + ms;
}

fn digits(s: []const u8) ?i64 {
    var v: i64 = 0;
    for (s) |ch| {
        if (ch < '0' or ch > '9') return null;
        v = v * 10 + (ch - '0');
    }
    return v;
}

const entities = [_]struct { name: []const u8, repl: []const u21 }{
    .{ .name = "&amp;", .repl = &.{'&'} },
    .{ .name = "&lt;", .repl = &.{'<'} },
    .{ .name = "&gt;", .repl = &.{'>'} },
    .{ .name = "&quot;", .repl = &.{'"'} },
    .{ .name = "&nbsp;", .repl = &.{0xA0} },
    .{ .name = "&lrm;", .repl = &.{} },
    .{ .name = "&rlm;", .repl = &.{} },
};

/// A cue's text lines as styled cells: tags applied or removed, WebVTT entities decoded, tabs
/// made spaces, spaces trimmed at both ends of each line. Free with `freeCells`.
pub fn cells(gpa: Allocator, cue: Cue, vtt: bool) Allocator.Error![][]Cell {
    var bold = false;
    var italic = false;
    var out: std.ArrayList([]Cell) = .empty;
    errdefer {
        for (out.items) |l| gpa.free(l);
        out.deinit(gpa);
    }
    var cs: std.ArrayList(Cell) = .empty;
    defer cs.deinit(gpa);
    for (cue.text) |line| {
        cs.clearRetainingCapacity();
        var pos: usize = 0;
        chars: while (pos < line.len) {
            const ch = line[pos];
            if (ch == '<') {
                if (mem.indexOfScalarPos(u8, line, pos + 1, '>')) |close| {
                    var buf: [2]u8 = undefined;
                    const tag = line[pos + 1 .. close];
                    if (tag.len <= 2) {
                        const lower = std.ascii.lowerString(&buf, tag);
                        if (mem.eql(u8, lower, "b")) bold = true;
                        if (mem.eql(u8, lower, "/b")) bold = false;
                        if (mem.eql(u8, lower, "i")) italic = true;
                        if (mem.eql(u8, lower, "/i")) italic = false;
                    }
                    pos = close + 1;
                    continue;
                }
            }
            if (vtt and ch == '&') {
                for (entities) |e| {
                    if (mem.startsWith(u8, line[pos..], e.name)) {
                        for (e.repl) |cp| try cs.append(gpa, .{ .cp = cp, .bold = bold, .italic = italic });
                        pos += e.name.len;
                        continue :chars;
                    }
                }
            }
            // The file was validated as UTF-8 by `parse`.
            const len = std.unicode.utf8ByteSequenceLength(ch) catch unreachable;
            var cp = std.unicode.utf8Decode(line[pos .. pos + len]) catch unreachable;
            if (cp == '\t') cp = ' ';
            try cs.append(gpa, .{ .cp = cp, .bold = bold, .italic = italic });
            pos += len;
        }
        var a: usize = 0;
        var b: usize = cs.items.len;
        while (a < b and cs.items[a].cp == ' ') a += 1;
        while (b > a and cs.items[b - 1].cp == ' ') b -= 1;
        const owned = try gpa.dupe(Cell, cs.items[a..b]);
        out.append(gpa, owned) catch |err| {
            gpa.free(owned);
            return err;
        };
    }
    return out.toOwnedSlice(gpa);
}

pub fn freeCells(gpa: Allocator, lines: [][]Cell) void {
    for (lines) |l| gpa.free(l);
    gpa.free(lines);
}

/// The canonical text form of parsed cues (the unit tests' .expected files).
pub fn dump(gpa: Allocator, subs: Subtitles) Allocator.Error![]u8 {
    var out: std.Io.Writer.Allocating = .init(gpa);
    defer out.deinit();
    const w = &out.writer;
    dumpTo(gpa, w, subs) catch |err| switch (err) {
        error.WriteFailed, error.OutOfMemory => return error.OutOfMemory,
    };
    return out.toOwnedSlice();
}

fn dumpTo(gpa: Allocator, w: *std.Io.Writer, subs: Subtitles) !void {
    for (subs.cues) |cue| {
        const lines = try cells(gpa, cue, subs.vtt);
        defer freeCells(gpa, lines);
        try w.print("cue {d} {d} line {d} lines {d}\n", .{ cue.start, cue.end, cue.line, lines.len });
        for (lines) |cs| {
            try w.writeByte('|');
            var bold = false;
            var italic = false;
            for (cs) |cell| {
                if (cell.bold != bold or cell.italic != italic) {
                    try w.writeByte('{');
                    if (cell.bold) try w.writeByte('b');
                    if (cell.italic) try w.writeByte('i');
                    try w.writeByte('}');
                    bold = cell.bold;
                    italic = cell.italic;
                }
                if (cell.cp == '{') {
                    try w.writeAll("{{");
                } else {
                    var buf: [4]u8 = undefined;
                    const len = std.unicode.utf8Encode(cell.cp, &buf) catch unreachable;
                    try w.writeAll(buf[0..len]);
                }
            }
            try w.writeByte('\n');
        }
    }
}
