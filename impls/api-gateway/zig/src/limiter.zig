//! Per-client token buckets with the exact integer arithmetic of README "Rate limiting".

const std = @import("std");
const Io = std.Io;

/// Units per token.
pub const unit: u64 = 1_000_000_000_000;
/// Above this many remembered buckets, full ones are swept when a new client arrives.
pub const max_buckets: usize = 100_000;
const shard_count = 64;

/// Rate in thousandths of a token per second, burst in tokens.
pub const Limit = struct {
    rate: u64,
    burst: u64,

    fn capacity(l: Limit) u64 {
        return l.burst * unit;
    }
};

/// A decimal rate with at most 3 fraction digits, 0.001 ≤ R ≤ 1000000, in thousandths.
pub fn parseRate(s: []const u8) error{InvalidRate}!u64 {
    const dot = std.mem.findScalar(u8, s, '.');
    const int = if (dot) |d| s[0..d] else s;
    const frac = if (dot) |d| s[d + 1 ..] else "";
    if (dot != null and (frac.len == 0 or frac.len > 3)) return error.InvalidRate;
    if (int.len == 0 or int.len > 7 or !allDigits(int) or !allDigits(frac)) return error.InvalidRate;
    var r = (std.fmt.parseInt(u64, int, 10) catch return error.InvalidRate) * 1000;
    const scales = [_]u64{ 100, 10, 1 };
    for (frac, 0..) |c, i| r += (c - '0') * scales[i];
    if (r < 1 or r > 1_000_000_000) return error.InvalidRate;
    return r;
}

/// An integer burst, 1 ≤ B ≤ 1000000.
pub fn parseBurst(s: []const u8) error{InvalidBurst}!u64 {
    if (s.len == 0 or s.len > 7 or !allDigits(s)) return error.InvalidBurst;
    const b = std.fmt.parseInt(u64, s, 10) catch return error.InvalidBurst;
    if (b < 1 or b > 1_000_000) return error.InvalidBurst;
    return b;
}

fn allDigits(s: []const u8) bool {
    for (s) |c| if (c < '0' or c > '9') return false;
    return true;
}

const Bucket = struct {
    level: u64,
    last: u64,
    limit: Limit,

    fn refill(b: *Bucket, t: u64) void {
        if (t <= b.last) return;
        const elapsed = t - b.last;
        b.last = t;
        const cap = b.limit.capacity();
        const room = cap - b.level;
        if (elapsed > room / b.limit.rate) {
            b.level = cap;
        } else {
            b.level = @min(cap, b.level + elapsed * b.limit.rate);
        }
    }

    /// null: a token was taken; otherwise the seconds until one is back.
    fn take(b: *Bucket) ?u64 {
        if (b.level >= unit) {
            b.level -= unit;
            return null;
        }
        const per_second = b.limit.rate * 1_000_000_000;
        return std.math.divCeil(u64, unit - b.level, per_second) catch unreachable;
    }
};

const Shard = struct {
    mutex: Io.Mutex = .init,
    buckets: std.StringHashMapUnmanaged(Bucket) = .empty,
};

pub const Limiter = struct {
    gpa: std.mem.Allocator,
    io: Io,
    default: Limit,
    overrides: std.StringHashMapUnmanaged(Limit),
    /// Monotonic nanoseconds.
    clock: *const fn (ctx: ?*anyopaque) u64,
    clock_ctx: ?*anyopaque,
    shards: [shard_count]Shard = @splat(.{}),

    pub fn deinit(l: *Limiter) void {
        for (&l.shards) |*s| {
            var it = s.buckets.keyIterator();
            while (it.next()) |k| l.gpa.free(k.*);
            s.buckets.deinit(l.gpa);
        }
    }

    /// Takes a token from `client`'s bucket: null, or the Retry-After seconds.
    pub fn allow(l: *Limiter, client: []const u8) error{OutOfMemory}!?u64 {
        const shard = &l.shards[std.hash.Wyhash.hash(0x9e3779b97f4a7c15, client) % shard_count];
        shard.mutex.lockUncancelable(l.io);
        defer shard.mutex.unlock(l.io);
        const t = l.clock(l.clock_ctx);
        if (shard.buckets.getPtr(client)) |b| {
            b.refill(t);
            return b.take();
        }
        if (shard.buckets.count() >= max_buckets / shard_count) sweep(l, shard, t);
        const limit = l.overrides.get(client) orelse l.default;
        var b: Bucket = .{ .level = limit.capacity(), .last = t, .limit = limit };
        const r = b.take();
        const key = try l.gpa.dupe(u8, client);
        errdefer l.gpa.free(key);
        try shard.buckets.put(l.gpa, key, b);
        return r;
    }

    /// Forgets the buckets that are full at time t (a full bucket is the same as none).
    fn sweep(l: *Limiter, shard: *Shard, t: u64) void {
        var it = shard.buckets.iterator();
        var doomed: std.ArrayList([]const u8) = .empty;
        defer doomed.deinit(l.gpa);
        while (it.next()) |e| {
            e.value_ptr.refill(t);
            if (e.value_ptr.level == e.value_ptr.limit.capacity()) doomed.append(l.gpa, e.key_ptr.*) catch break;
        }
        for (doomed.items) |k| {
            _ = shard.buckets.remove(k);
            l.gpa.free(k);
        }
    }

    /// Remembered buckets.
    pub fn len(l: *Limiter) usize {
        var n: usize = 0;
        for (&l.shards) |*s| {
            s.mutex.lockUncancelable(l.io);
            n += s.buckets.count();
            s.mutex.unlock(l.io);
        }
        return n;
    }
};

const testing = std.testing;

const FakeClock = struct {
    ns: u64 = 10_000_000_005,
    fn now(ctx: ?*anyopaque) u64 {
        const c: *FakeClock = @ptrCast(@alignCast(ctx.?));
        return c.ns;
    }
};

fn testLimiter(clock: *FakeClock, rate: []const u8, burst: u64) !Limiter {
    return .{
        .gpa = testing.allocator,
        .io = testing.io,
        .default = .{ .rate = try parseRate(rate), .burst = burst },
        .overrides = .empty,
        .clock = FakeClock.now,
        .clock_ctx = clock,
    };
}

test "rates and bursts parse" {
    const good = [_]struct { []const u8, u64 }{ .{ "0.001", 1 }, .{ "0.1", 100 }, .{ "1", 1000 }, .{ "2.5", 2500 }, .{ "7.05", 7050 }, .{ "10000", 10_000_000 }, .{ "1000000", 1_000_000_000 } };
    for (good) |g| try testing.expectEqual(g[1], try parseRate(g[0]));
    for ([_][]const u8{ "", "0", "0.0004", "1.2345", "-1", "1e3", "abc", "1.", ".5", "1000001", "1000000.001", "99999999" }) |bad|
        try testing.expectError(error.InvalidRate, parseRate(bad));
    for ([_][]const u8{ "", "0", "1.5", "-3", "1000001", "x" }) |bad|
        try testing.expectError(error.InvalidBurst, parseBurst(bad));
    try testing.expectEqual(@as(u64, 1_000_000), try parseBurst("1000000"));
}

test "burst then Retry-After" {
    var clk: FakeClock = .{};
    var l = try testLimiter(&clk, "0.1", 3);
    defer l.deinit();
    for (0..3) |_| {
        try testing.expectEqual(@as(?u64, null), try l.allow("c"));
        clk.ns += 1_000_000;
    }
    try testing.expectEqual(@as(?u64, 10), try l.allow("c"));
    clk.ns += 9_997_000_000 - 1;
    try testing.expectEqual(@as(?u64, 1), try l.allow("c"));
    clk.ns += 1;
    try testing.expectEqual(@as(?u64, null), try l.allow("c"));
}

test "Retry-After rounds up and is never 0" {
    var clk: FakeClock = .{};
    var l = try testLimiter(&clk, "0.3", 1);
    defer l.deinit();
    try testing.expectEqual(@as(?u64, null), try l.allow("c"));
    try testing.expectEqual(@as(?u64, 4), try l.allow("c"));
    clk.ns += 3_000_000_000;
    try testing.expectEqual(@as(?u64, 1), try l.allow("c"));
    var fast = try testLimiter(&clk, "1000", 1);
    defer fast.deinit();
    try testing.expectEqual(@as(?u64, null), try fast.allow("c"));
    try testing.expectEqual(@as(?u64, 1), try fast.allow("c"));
}

test "refill is exact and capped" {
    var clk: FakeClock = .{};
    var l = try testLimiter(&clk, "1000000", 2);
    defer l.deinit();
    _ = try l.allow("c");
    clk.ns += 1 << 62;
    try testing.expectEqual(@as(?u64, null), try l.allow("c"));
    try testing.expectEqual(@as(?u64, null), try l.allow("c"));
    try testing.expect((try l.allow("c")) != null);
    var clk2: FakeClock = .{};
    var l2 = try testLimiter(&clk2, "1", 1);
    defer l2.deinit();
    _ = try l2.allow("c");
    clk2.ns += 999_999_999;
    try testing.expectEqual(@as(?u64, 1), try l2.allow("c"));
    clk2.ns += 1;
    try testing.expectEqual(@as(?u64, null), try l2.allow("c"));
    clk2.ns -= 5_000_000_000;
    try testing.expect((try l2.allow("c")) != null);
}

test "overrides and independent clients" {
    var clk: FakeClock = .{};
    var l = try testLimiter(&clk, "1", 5);
    defer l.deinit();
    try l.overrides.put(testing.allocator, "vip", .{ .rate = 1000, .burst = 2 });
    defer l.overrides.deinit(testing.allocator);
    try testing.expectEqual(@as(?u64, null), try l.allow("vip"));
    try testing.expectEqual(@as(?u64, null), try l.allow("vip"));
    try testing.expect((try l.allow("vip")) != null);
    for (0..5) |_| try testing.expectEqual(@as(?u64, null), try l.allow("other"));
    try testing.expect((try l.allow("other")) != null);
}

test "sweep forgets only full buckets" {
    var clk: FakeClock = .{};
    var l = try testLimiter(&clk, "1", 2);
    defer l.deinit();
    var buf: [32]u8 = undefined;
    for (0..max_buckets) |i| _ = try l.allow(try std.fmt.bufPrint(&buf, "client-{d}", .{i}));
    clk.ns += 10_000_000_000;
    for (0..500) |i| _ = try l.allow(try std.fmt.bufPrint(&buf, "newcomer-{d}", .{i}));
    try testing.expect(l.len() < max_buckets / 2);

    var l2 = try testLimiter(&clk, "0.001", 1);
    defer l2.deinit();
    _ = try l2.allow("hot");
    for (0..max_buckets + 500) |i| _ = try l2.allow(try std.fmt.bufPrint(&buf, "client-{d}", .{i}));
    try testing.expect((try l2.allow("hot")) != null);
    clk.ns += 2_000_000_000_000;
    for (0..64) |i| _ = try l2.allow(try std.fmt.bufPrint(&buf, "newcomer-{d}", .{i}));
    try testing.expect(l2.len() <= max_buckets);
}
