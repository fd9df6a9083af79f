//! The streaming CSV parser and the GROUP BY aggregation (spec: ../README.md).

const std = @import("std");
const Allocator = std.mem.Allocator;
const Io = std.Io;

/// Initial read buffer; it doubles only for a record longer than the buffer.
pub const buffer_size: usize = 1 << 20;

const Kind = enum(u8) { ignore, region, product, qty, price };
const column_names = [_][]const u8{ "region", "product", "qty", "unit_price" };

/// The bytes that end an unquoted field's run: , CR LF and ".
const special: [256]bool = blk: {
    var t: [256]bool = @splat(false);
    t[','] = true;
    t['\r'] = true;
    t['\n'] = true;
    t['"'] = true;
    break :blk t;
};

const Term = enum { comma, lf, crlf, eof };

/// The aggregate of one (region, product) pair.
pub const Group = struct {
    region: []const u8,
    product: []const u8,
    count: u64 = 0,
    sum_qty: i64 = 0,
    revenue: i64 = 0,
    min_price: i64 = std.math.maxInt(i64),
    max_price: i64 = std.math.minInt(i64),
};

/// `Malformed`: details in `record`, `line` and `reason`. `ReadFailed`: the reader's error.
pub const Error = error{ Malformed, ReadFailed, OutOfMemory };

pub const Aggregator = struct {
    gpa: Allocator,
    in_header: bool = true,
    nfields: usize = 0,
    kinds: std.ArrayList(Kind) = .empty,
    seen: [4]bool = @splat(false),
    kind_at: [4]usize = @splat(0),
    /// Number of the record being parsed (1 = header) and the line on which it starts.
    record: u64 = 1,
    line: u64 = 1,
    index: std.StringHashMapUnmanaged(u32) = .empty,
    groups: std.ArrayList(Group) = .empty,
    key: std.ArrayList(u8) = .empty,
    unesc: [2]std.ArrayList(u8) = .{ .empty, .empty },
    bytes: u64 = 0,
    reason: []const u8 = "",
    reason_buf: [128]u8 = undefined,

    pub fn init(gpa: Allocator) Aggregator {
        return .{ .gpa = gpa };
    }

    pub fn deinit(self: *Aggregator) void {
        var it = self.index.keyIterator();
        while (it.next()) |k| self.gpa.free(k.*);
        self.index.deinit(self.gpa);
        for (self.groups.items) |g| {
            self.gpa.free(g.region);
            self.gpa.free(g.product);
        }
        self.groups.deinit(self.gpa);
        self.kinds.deinit(self.gpa);
        self.key.deinit(self.gpa);
        self.unesc[0].deinit(self.gpa);
        self.unesc[1].deinit(self.gpa);
    }

    /// Number of data records (valid after `aggregate`).
    pub fn records(self: *const Aggregator) u64 {
        return self.record - 2;
    }

    /// Reads `reader` to the end through a buffer of `initial` bytes (grown by doubling only
    /// for a longer record), then sorts the groups by region, then product.
    pub fn aggregate(self: *Aggregator, reader: *Io.Reader, initial: usize) Error!void {
        var buf = try self.gpa.alloc(u8, initial);
        defer self.gpa.free(buf);
        var filled: usize = 0;
        var eof = false;
        while (true) {
            while (filled < buf.len and !eof) {
                const want = buf.len - filled;
                // readSliceShort fills the whole slice unless the stream ends.
                const got = try reader.readSliceShort(buf[filled..]);
                filled += got;
                self.bytes += got;
                if (got < want) eof = true;
            }
            const consumed = try self.parse(buf[0..filled], eof);
            if (eof) break;
            std.mem.copyForwards(u8, buf[0 .. filled - consumed], buf[consumed..filled]);
            filled -= consumed;
            if (filled == buf.len) buf = try self.gpa.realloc(buf, 2 * buf.len);
        }
        if (self.in_header) return self.fail("empty input");
        std.mem.sortUnstable(Group, self.groups.items, {}, lessThan);
    }

    fn lessThan(_: void, a: Group, b: Group) bool {
        return switch (std.mem.order(u8, a.region, b.region)) {
            .lt => true,
            .gt => false,
            .eq => std.mem.order(u8, a.product, b.product) == .lt,
        };
    }

    fn fail(self: *Aggregator, reason: []const u8) Error {
        @branchHint(.cold);
        self.reason = reason;
        return error.Malformed;
    }

    fn failFmt(self: *Aggregator, comptime fmt: []const u8, args: anytype) Error {
        @branchHint(.cold);
        self.reason = std.fmt.bufPrint(&self.reason_buf, fmt, args) catch "?";
        return error.Malformed;
    }

    /// Handles every complete record of `buf` and returns the offset of the first byte not
    /// consumed (the start of an unfinished record). With `eof`, `buf` ends at end-of-file.
    fn parse(self: *Aggregator, buf: []const u8, eof: bool) Error!usize {
        const n = buf.len;
        var pos: usize = 0;
        while (pos < n) {
            const start = pos;
            if (!self.in_header) {
                // Fast path: a complete line without " or CR is one record whose fields end at
                // commas (most records). The others take the byte-at-a-time state machine below.
                if (std.mem.findScalar(u8, buf[pos..], '\n')) |i| {
                    const line = buf[pos..][0..i];
                    if (std.mem.findScalar(u8, line, '"') == null and std.mem.findScalar(u8, line, '\r') == null) {
                        try self.plainRecord(line);
                        pos += i + 1;
                        self.record += 1;
                        self.line += 1;
                        continue;
                    }
                }
            }
            if (self.in_header) {
                // The header may be parsed again after a read: start it afresh.
                self.kinds.clearRetainingCapacity();
                self.seen = @splat(false);
            }
            var field: usize = 0;
            var nl: u64 = 0; // LF bytes inside quoted fields of this record
            var region: []const u8 = "";
            var product: []const u8 = "";
            var region_esc = false;
            var product_esc = false;
            var qty: i64 = 0;
            var price: i64 = 0;
            while (true) {
                // One field: buf[vs..ve] is its raw value, esc tells if it holds "" pairs.
                var vs: usize = undefined;
                var ve: usize = undefined;
                var esc = false;
                var term: Term = undefined;
                if (pos < n and buf[pos] == '"') {
                    pos += 1;
                    vs = pos;
                    while (true) {
                        if (pos >= n) {
                            if (eof) return self.fail("unterminated quoted field");
                            return start;
                        }
                        const c = buf[pos];
                        if (c == '"') {
                            if (pos + 1 >= n and !eof) return start;
                            if (pos + 1 < n and buf[pos + 1] == '"') {
                                esc = true;
                                pos += 2;
                                continue;
                            }
                            break;
                        }
                        if (c == '\n') nl += 1;
                        pos += 1;
                    }
                    ve = pos;
                    pos += 1;
                    if (pos >= n) {
                        if (!eof) return start;
                        term = .eof;
                    } else switch (buf[pos]) {
                        ',' => term = .comma,
                        '\n' => term = .lf,
                        '\r' => {
                            if (pos + 1 >= n and !eof) return start;
                            if (pos + 1 < n and buf[pos + 1] == '\n') {
                                term = .crlf;
                            } else return self.fail("unexpected character after closing quote");
                        },
                        else => return self.fail("unexpected character after closing quote"),
                    }
                } else {
                    vs = pos;
                    while (pos < n and !special[buf[pos]]) pos += 1;
                    ve = pos;
                    if (pos >= n) {
                        if (!eof) return start;
                        term = .eof;
                    } else switch (buf[pos]) {
                        ',' => term = .comma,
                        '\n' => term = .lf,
                        '"' => return self.fail("quote in unquoted field"),
                        else => { // CR
                            if (pos + 1 >= n and !eof) return start;
                            if (pos + 1 < n and buf[pos + 1] == '\n') {
                                term = .crlf;
                            } else return self.fail("bare CR outside quotes");
                        },
                    }
                }
                const value = buf[vs..ve];
                if (self.in_header) {
                    try self.headerField(value, esc);
                } else if (field < self.nfields) {
                    switch (self.kinds.items[field]) {
                        .region => {
                            region = value;
                            region_esc = esc;
                        },
                        .product => {
                            product = value;
                            product_esc = esc;
                        },
                        .qty => qty = parseQty(value) orelse return self.fail("invalid qty"),
                        .price => price = parsePrice(value) orelse return self.fail("invalid unit_price"),
                        .ignore => {},
                    }
                }
                field += 1;
                switch (term) {
                    .comma => {
                        if (!self.in_header and field == self.nfields)
                            return self.failFmt("too many fields (expected {d})", .{self.nfields});
                        pos += 1; // a comma as the last byte of the file is followed by one empty field
                    },
                    .lf => {
                        pos += 1;
                        nl += 1;
                        break;
                    },
                    .crlf => {
                        pos += 2;
                        nl += 1;
                        break;
                    },
                    .eof => break,
                }
            }
            if (self.in_header) {
                try self.endHeader(field);
            } else {
                if (field < self.nfields)
                    return self.failFmt("too few fields (expected {d}, found {d})", .{ self.nfields, field });
                if (region_esc) region = try unescape(self.gpa, &self.unesc[0], region);
                if (product_esc) product = try unescape(self.gpa, &self.unesc[1], product);
                try self.add(region, product, qty, price);
            }
            self.record += 1;
            self.line += nl;
        }
        return pos;
    }

    /// Handles one data record without quotes or CR: `record_line` is the record without its LF.
    /// Its problems are found in the same order as by the state machine in `parse`.
    fn plainRecord(self: *Aggregator, record_line: []const u8) Error!void {
        var line = record_line;
        var region: []const u8 = "";
        var product: []const u8 = "";
        var qty: i64 = 0;
        var price: i64 = 0;
        var field: usize = 0;
        while (true) {
            const comma = std.mem.findScalar(u8, line, ',');
            const value = if (comma) |i| line[0..i] else line;
            switch (self.kinds.items[field]) {
                .region => region = value,
                .product => product = value,
                .qty => qty = parseQty(value) orelse return self.fail("invalid qty"),
                .price => price = parsePrice(value) orelse return self.fail("invalid unit_price"),
                .ignore => {},
            }
            field += 1;
            const i = comma orelse break;
            if (field == self.nfields)
                return self.failFmt("too many fields (expected {d})", .{self.nfields});
            line = line[i + 1 ..];
        }
        if (field < self.nfields)
            return self.failFmt("too few fields (expected {d}, found {d})", .{ self.nfields, field });
        try self.add(region, product, qty, price);
    }

    /// Folds one data record into its group.
    pub fn add(self: *Aggregator, region: []const u8, product: []const u8, qty: i64, price: i64) Error!void {
        self.key.clearRetainingCapacity();
        var len: [4]u8 = undefined;
        std.mem.writeInt(u32, &len, @intCast(region.len), .little);
        try self.key.appendSlice(self.gpa, &len);
        try self.key.appendSlice(self.gpa, region);
        try self.key.appendSlice(self.gpa, product);
        const entry = try self.index.getOrPut(self.gpa, self.key.items);
        if (!entry.found_existing) {
            // Until the copies exist the entry must not keep the scratch key.
            errdefer self.index.removeByPtr(entry.key_ptr);
            const owned = try self.gpa.dupe(u8, self.key.items);
            errdefer self.gpa.free(owned);
            const r = try self.gpa.dupe(u8, region);
            errdefer self.gpa.free(r);
            const p = try self.gpa.dupe(u8, product);
            errdefer self.gpa.free(p);
            try self.groups.append(self.gpa, .{ .region = r, .product = p });
            entry.key_ptr.* = owned;
            entry.value_ptr.* = @intCast(self.groups.items.len - 1);
        }
        const g = &self.groups.items[entry.value_ptr.*];
        const s = @addWithOverflow(g.sum_qty, qty);
        if (s[1] != 0) return self.fail("qty sum overflows int64");
        const t = @addWithOverflow(g.revenue, qty * price);
        if (t[1] != 0) return self.fail("revenue sum overflows int64");
        g.count += 1;
        g.sum_qty = s[0];
        g.revenue = t[0];
        g.min_price = @min(g.min_price, price);
        g.max_price = @max(g.max_price, price);
    }

    fn headerField(self: *Aggregator, raw: []const u8, esc: bool) Error!void {
        var owned: std.ArrayList(u8) = .empty;
        defer owned.deinit(self.gpa);
        const value = if (esc) try unescape(self.gpa, &owned, raw) else raw;
        for (column_names, 0..) |name, i| {
            if (std.mem.eql(u8, value, name)) {
                if (self.seen[i]) return self.failFmt("duplicate column \"{s}\"", .{name});
                self.seen[i] = true;
                self.kind_at[i] = self.kinds.items.len;
            }
        }
        try self.kinds.append(self.gpa, .ignore);
    }

    fn endHeader(self: *Aggregator, nfields: usize) Error!void {
        for (column_names, 0..) |name, i| {
            if (!self.seen[i]) return self.failFmt("missing column \"{s}\"", .{name});
            self.kinds.items[self.kind_at[i]] = @enumFromInt(@as(u8, @intCast(i + 1)));
        }
        self.nfields = nfields;
        self.in_header = false;
    }
};

/// Sets `dst` to `value` with every "" pair replaced by one "; returns it.
fn unescape(gpa: Allocator, dst: *std.ArrayList(u8), value: []const u8) Error![]const u8 {
    dst.clearRetainingCapacity();
    var i: usize = 0;
    while (i < value.len) {
        try dst.append(gpa, value[i]);
        i += if (value[i] == '"') 2 else 1;
    }
    return dst.items;
}

/// Accepts -?[0-9]{1,9}.
pub inline fn parseQty(v: []const u8) ?i64 {
    const neg = v.len > 0 and v[0] == '-';
    const digits = if (neg) v[1..] else v;
    if (digits.len == 0 or digits.len > 9) return null;
    var x: i64 = 0;
    for (digits) |c| {
        const d = c -% '0';
        if (d > 9) return null;
        x = x * 10 + d;
    }
    return if (neg) -x else x;
}

/// Accepts [0-9]{1,7}\.[0-9]{2} and returns cents.
pub inline fn parsePrice(v: []const u8) ?i64 {
    const n = v.len;
    if (n < 4 or n > 10 or v[n - 3] != '.') return null;
    var x: i64 = 0;
    for (v, 0..) |c, i| {
        if (i == n - 3) continue;
        const d = c -% '0';
        if (d > 9) return null;
        x = x * 10 + d;
    }
    return x;
}

/// Writes the header line and one line per group (spec: Output file).
pub fn writeOutput(w: *Io.Writer, groups: []const Group) Io.Writer.Error!void {
    try w.writeAll("region,product,count,sum_qty,revenue,min_price,max_price\n");
    for (groups) |g| {
        try writeField(w, g.region);
        try w.writeByte(',');
        try writeField(w, g.product);
        try w.print(",{d},{d},", .{ g.count, g.sum_qty });
        try writeCents(w, g.revenue);
        try w.writeByte(',');
        try writeCents(w, g.min_price);
        try w.writeByte(',');
        try writeCents(w, g.max_price);
        try w.writeByte('\n');
    }
}

fn writeField(w: *Io.Writer, s: []const u8) Io.Writer.Error!void {
    for (s) |c| {
        if (c == ',' or c == '"' or c == '\r' or c == '\n') break;
    } else return w.writeAll(s);
    try w.writeByte('"');
    for (s) |c| {
        if (c == '"') try w.writeByte('"');
        try w.writeByte(c);
    }
    try w.writeByte('"');
}

pub fn writeCents(w: *Io.Writer, v: i64) Io.Writer.Error!void {
    if (v < 0) try w.writeByte('-');
    const u: u64 = @abs(v);
    try w.print("{d}.{d}{d}", .{ u / 100, u % 100 / 10, u % 10 });
}

pub fn writeSummary(w: *Io.Writer, a: *const Aggregator) Io.Writer.Error!void {
    try w.print("{{\"bytes\":{d},\"records\":{d},\"groups\":{d}}}\n", .{ a.bytes, a.records(), a.groups.items.len });
}

const testing = std.testing;

test "numbers" {
    const qtys = [_]struct { []const u8, ?i64 }{ .{ "0", 0 }, .{ "-0", 0 }, .{ "007", 7 }, .{ "-999999999", -999999999 }, .{ "1234567890", null }, .{ "", null }, .{ "-", null }, .{ "+1", null }, .{ "1 ", null } };
    for (qtys) |c| try testing.expectEqual(c[1], parseQty(c[0]));
    const prices = [_]struct { []const u8, ?i64 }{ .{ "0.00", 0 }, .{ "12.50", 1250 }, .{ "9999999.99", 999999999 }, .{ "12345678.00", null }, .{ ".50", null }, .{ "1.5", null }, .{ "1,50", null }, .{ "1.500", null }, .{ "-1.00", null }, .{ "1.0a", null } };
    for (prices) |c| try testing.expectEqual(c[1], parsePrice(c[0]));
}

test "cents" {
    const cases = [_]struct { i64, []const u8 }{ .{ 0, "0.00" }, .{ 5, "0.05" }, .{ 123456, "1234.56" }, .{ -150, "-1.50" }, .{ std.math.minInt(i64), "-92233720368547758.08" }, .{ std.math.maxInt(i64), "92233720368547758.07" } };
    for (cases) |c| {
        var buf: [64]u8 = undefined;
        var w: Io.Writer = .fixed(&buf);
        try writeCents(&w, c[0]);
        try testing.expectEqualStrings(c[1], w.buffered());
    }
}

test "qty overflow" {
    var a: Aggregator = .init(testing.allocator);
    defer a.deinit();
    a.record = 5;
    a.line = 7;
    try a.add("R", "P", 1, 0);
    a.groups.items[0].sum_qty = std.math.maxInt(i64);
    try testing.expectError(error.Malformed, a.add("R", "P", 1, 0));
    try testing.expectEqualStrings("qty sum overflows int64", a.reason);
}

fn render(gpa: Allocator, data: []const u8, initial: usize) ![]u8 {
    var a: Aggregator = .init(gpa);
    defer a.deinit();
    var r: Io.Reader = .fixed(data);
    try a.aggregate(&r, initial);
    var out: Io.Writer.Allocating = .init(gpa);
    defer out.deinit();
    try writeOutput(&out.writer, a.groups.items);
    try writeSummary(&out.writer, &a);
    return out.toOwnedSlice();
}

test "tiny buffers give the same result" {
    const gpa = testing.allocator;
    const data = "ts,region,product,customer,qty,unit_price\n" ++
        "t,Europe,Widget,\"Smith, Bob\",-1,3.00\r\n" ++
        "t,\"Eu\"\"rope\",\"Lamp\nrev 2\",x,\"7\",1234567.89\n" ++
        "t,Europe,Widget,,0,0.00";
    const want = try render(gpa, data, buffer_size);
    defer gpa.free(want);
    for (1..20) |size| {
        const got = try render(gpa, data, size);
        defer gpa.free(got);
        try testing.expectEqualStrings(want, got);
    }
}

test "long record" {
    const gpa = testing.allocator;
    const long = try gpa.alloc(u8, 3 * buffer_size);
    defer gpa.free(long);
    @memset(long, 'x');
    const input = try std.mem.concat(gpa, u8, &.{ "region,product,qty,unit_price\n", long, ",P,1,1.00\nR,\"", long, "\",2,2.00\n" });
    defer gpa.free(input);
    var a: Aggregator = .init(gpa);
    defer a.deinit();
    var r: Io.Reader = .fixed(input);
    try a.aggregate(&r, buffer_size);
    try testing.expectEqual(2, a.groups.items.len);
    try testing.expectEqualStrings("R", a.groups.items[0].region);
    try testing.expectEqualSlices(u8, long, a.groups.items[1].region);
}
