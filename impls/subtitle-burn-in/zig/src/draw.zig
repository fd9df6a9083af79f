//! The embedded font, the layout of a text block and the blend onto YUV 4:2:0 planes
//! (../README.md, "Drawing").

const std = @import("std");
const Allocator = std.mem.Allocator;
const Cell = @import("subs.zig").Cell;

/// The shared font file (../font.hex), embedded at build time.
pub const font_hex = @embedFile("font.hex");

/// 8x16 glyphs by code point (one byte per row, MSB = leftmost pixel).
pub const Font = struct {
    glyphs: std.AutoHashMapUnmanaged(u21, [16]u8) = .empty,
    fallback: [16]u8 = undefined,

    /// Parses the font.hex format: `XXXX:` + 32 hex digits per line, `#` comments.
    pub fn parse(gpa: Allocator, text: []const u8) !Font {
        var f: Font = .{};
        errdefer f.deinit(gpa);
        var lines = std.mem.splitScalar(u8, text, '\n');
        while (lines.next()) |raw| {
            const line = std.mem.trim(u8, raw, " \t\r");
            if (line.len == 0 or line[0] == '#') continue;
            const colon = std.mem.indexOfScalar(u8, line, ':') orelse return error.BadFont;
            const cp = std.fmt.parseInt(u21, line[0..colon], 16) catch return error.BadFont;
            const rows = line[colon + 1 ..];
            if (rows.len != 32) return error.BadFont;
            var g: [16]u8 = undefined;
            _ = std.fmt.hexToBytes(&g, rows) catch return error.BadFont;
            try f.glyphs.put(gpa, cp, g);
        }
        f.fallback = f.glyphs.get(0xFFFD) orelse return error.BadFont;
        return f;
    }

    pub fn deinit(self: *Font, gpa: Allocator) void {
        self.glyphs.deinit(gpa);
    }

    /// The glyph of `cp`, or U+FFFD's when the font lacks it.
    pub fn glyph(self: *const Font, cp: u21) *const [16]u8 {
        return self.glyphs.getPtr(cp) orelse &self.fallback;
    }
};

const box = 1;
const outline = 2;
const glyph_cls = 3;

/// (Y, U, V) per class (class 0 is never drawn) and alpha out of 256.
const colours = [4][3]i32{ .{ 0, 0, 0 }, .{ 16, 128, 128 }, .{ 16, 128, 128 }, .{ 210, 16, 146 } };
const alphas = [4]i32{ 0, 160, 256, 256 };

/// The spec's blend: (s·(256−a) + c·a + 128) >> 8.
pub fn blend(s: i32, c: i32, a: i32) i32 {
    return (s * (256 - a) + c * a + 128) >> 8;
}

/// luts[plane][class][sample]; class 0 is the identity.
const luts: [3][4][256]u8 = blk: {
    @setEvalBranchQuota(20000);
    var t: [3][4][256]u8 = undefined;
    for (0..3) |p| {
        for (0..4) |cls| {
            for (0..256) |s| {
                t[p][cls][s] = if (cls == 0) s else @intCast(blend(s, colours[cls][p], alphas[cls]));
            }
        }
    }
    break :blk t;
};

/// The box [x0, x1) × [y0, y1) of a text block and the class of each of its luma pixels.
pub const Layout = struct {
    x0: usize,
    y0: usize,
    x1: usize,
    y1: usize,
    /// Row-major classes, (x1 − x0) · (y1 − y0).
    cls: []u8,

    pub fn deinit(self: *Layout, gpa: Allocator) void {
        gpa.free(self.cls);
    }

    /// Lays a text block out on a w×h frame; null when nothing is to be drawn.
    pub fn init(gpa: Allocator, font: *const Font, block: []const []const Cell, w: usize, h: usize) !?Layout {
        var used = false;
        for (block) |cs| used = used or cs.len > 0;
        if (!used) return null;
        const wi: i64 = @intCast(w);
        const hi: i64 = @intCast(h);
        const s: i64 = @max(1, @divTrunc(hi, 360));
        const n: i64 = @intCast(block.len);
        const bh = (18 * n - 2) * s;
        const top = hi - 24 * s - bh;
        const xs = try gpa.alloc(i64, block.len);
        defer gpa.free(xs);
        var x0: i64 = std.math.maxInt(i64);
        var x1: i64 = std.math.minInt(i64);
        for (block, xs) |cs, *x| {
            const width = 8 * s * @as(i64, @intCast(cs.len));
            x.* = (wi - width) >> 1;
            if (cs.len == 0) continue;
            x0 = @min(x0, x.*);
            x1 = @max(x1, x.* + width);
        }
        x0 = @max((x0 - 6 * s) & ~@as(i64, 1), 0);
        x1 = @min((x1 + 6 * s + 1) & ~@as(i64, 1), wi);
        const y0 = @max((top - 4 * s) & ~@as(i64, 1), 0);
        const y1 = @min((top + bh + 4 * s + 1) & ~@as(i64, 1), hi);
        if (x0 >= x1 or y0 >= y1) return null;
        var l: Layout = .{
            .x0 = @intCast(x0),
            .y0 = @intCast(y0),
            .x1 = @intCast(x1),
            .y1 = @intCast(y1),
            .cls = try gpa.alloc(u8, @intCast((x1 - x0) * (y1 - y0))),
        };
        errdefer l.deinit(gpa);
        @memset(l.cls, box);
        for (block, xs, 0..) |cs, x, i| {
            try l.paintLine(gpa, font, cs, x, top + 18 * s * @as(i64, @intCast(i)), s);
        }
        return l;
    }

    /// Marks the glyph and outline pixels of one line whose cell 0 starts at (x, y).
    fn paintLine(l: *Layout, gpa: Allocator, font: *const Font, cs: []const Cell, x: i64, y: i64, s: i64) !void {
        if (cs.len == 0) return;
        // Font-pixel grid with a one-pixel border: rows −1..16, columns −1..8n+8.
        const gw = 8 * cs.len + 10;
        const gh = 18;
        const ink = try gpa.alloc(bool, gw * gh);
        defer gpa.free(ink);
        @memset(ink, false);
        for (cs, 0..) |cell, k| {
            const g = font.glyph(cell.cp);
            for (g, 0..) |bits, r| {
                var row: u16 = @as(u16, bits) << 8; // bit 15 = column 0
                if (cell.bold) row |= row >> 1;
                const sh: usize = if (cell.italic) (15 - r) >> 2 else 0;
                for (0..9) |c| {
                    if (row & (@as(u16, 0x8000) >> @intCast(c)) != 0) ink[(r + 1) * gw + 8 * k + c + sh + 1] = true;
                }
            }
        }
        const bw = l.x1 - l.x0;
        const bx0: i64 = @intCast(l.x0);
        const by0: i64 = @intCast(l.y0);
        const bx1: i64 = @intCast(l.x1);
        const by1: i64 = @intCast(l.y1);
        for (0..gh) |gy| {
            for (0..gw) |gx| {
                const cls: u8 = if (ink[gy * gw + gx]) glyph_cls else blk: {
                    var ny = gy -| 1;
                    while (ny < @min(gy + 2, gh)) : (ny += 1) {
                        var nx = gx -| 1;
                        while (nx < @min(gx + 2, gw)) : (nx += 1) {
                            if (ink[ny * gw + nx]) break :blk outline;
                        }
                    }
                    continue;
                };
                const px = x + (@as(i64, @intCast(gx)) - 1) * s;
                const py = y + (@as(i64, @intCast(gy)) - 1) * s;
                const ax = @max(px, bx0);
                const ex = @min(px + s, bx1);
                var yy = @max(py, by0);
                while (yy < @min(py + s, by1)) : (yy += 1) {
                    const row = @as(usize, @intCast(yy - by0)) * bw;
                    var xx = ax;
                    while (xx < ex) : (xx += 1) l.cls[row + @as(usize, @intCast(xx - bx0))] = cls;
                }
            }
        }
    }

    /// Blends the layout onto YUV 4:2:0 planes with line sizes ly, lu, lv.
    pub fn draw(l: *const Layout, py: []u8, pu: []u8, pv: []u8, ly: usize, lu: usize, lv: usize) void {
        const bw = l.x1 - l.x0;
        for (l.y0..l.y1) |y| {
            const cls = l.cls[(y - l.y0) * bw ..][0..bw];
            const row = py[y * ly + l.x0 ..][0..bw];
            for (row, cls) |*p, c| p.* = luts[0][c][p.*];
        }
        const tu = &luts[1];
        const tv = &luts[2];
        var cy = l.y0 / 2;
        while (cy < l.y1 / 2) : (cy += 1) {
            const c0 = l.cls[(2 * cy - l.y0) * bw ..][0..bw];
            const c1 = l.cls[(2 * cy + 1 - l.y0) * bw ..][0..bw];
            const ru = pu[cy * lu + l.x0 / 2 ..][0 .. bw / 2];
            const rv = pv[cy * lv + l.x0 / 2 ..][0 .. bw / 2];
            for (ru, rv, 0..) |*u, *v, i| {
                const k = [4]u8{ c0[2 * i], c0[2 * i + 1], c1[2 * i], c1[2 * i + 1] };
                var su: u32 = 2;
                var sv: u32 = 2;
                for (k) |c| {
                    su += tu[c][u.*];
                    sv += tv[c][v.*];
                }
                u.* = @intCast(su >> 2);
                v.* = @intCast(sv >> 2);
            }
        }
    }
};
