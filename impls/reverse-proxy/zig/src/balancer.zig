//! Round robin with passive health (README: Round robin): one shared counter, and per backend
//! a down-until time set when a connection to it fails. Lock-free; times are monotonic
//! nanoseconds supplied by the caller.

const std = @import("std");
const Atomic = std.atomic.Value;
const Allocator = std.mem.Allocator;

pub const Balancer = struct {
    /// Per backend: clock reading until which it is left out (0 = up).
    down_until: []Atomic(i64),
    counter: Atomic(usize) = .init(0),
    down_ns: i64,

    pub fn init(gpa: Allocator, backends: usize, down_ms: u64) Allocator.Error!Balancer {
        const down_until = try gpa.alloc(Atomic(i64), backends);
        for (down_until) |*d| d.* = .init(0);
        return .{ .down_until = down_until, .down_ns = @intCast(down_ms * std.time.ns_per_ms) };
    }

    pub fn deinit(b: *Balancer, gpa: Allocator) void {
        gpa.free(b.down_until);
    }

    pub fn len(b: *const Balancer) usize {
        return b.down_until.len;
    }

    /// The index of the next backend that is up at `now`, or null when the N backends looked at
    /// were all down. Every look advances the shared counter by one.
    pub fn pick(b: *Balancer, now: i64) ?usize {
        const n = b.down_until.len;
        for (0..n) |_| {
            const i = b.counter.fetchAdd(1, .monotonic) % n;
            if (b.down_until[i].load(.monotonic) <= now) return i;
        }
        return null;
    }

    /// Leaves backend `i` out of the rotation from `now` for the down period.
    pub fn markDown(b: *Balancer, i: usize, now: i64) void {
        b.down_until[i].store(now + b.down_ns, .monotonic);
    }
};

const testing = std.testing;

test "round robin in list order" {
    var b = try Balancer.init(testing.allocator, 3, 1);
    defer b.deinit(testing.allocator);
    const want = [_]usize{ 0, 1, 2, 0, 1, 2, 0 };
    for (want) |w| try testing.expectEqual(@as(?usize, w), b.pick(1));
}

test "down backends are skipped evenly, then retried" {
    var b = try Balancer.init(testing.allocator, 3, 1); // down for 1 ms
    defer b.deinit(testing.allocator);
    b.markDown(1, 1);
    for ([_]usize{ 0, 2, 0, 2, 0, 2 }) |w| try testing.expectEqual(@as(?usize, w), b.pick(1));
    const later = 1 + std.time.ns_per_ms;
    for ([_]usize{ 0, 1, 2 }) |w| try testing.expectEqual(@as(?usize, w), b.pick(later));
    for (0..3) |i| b.markDown(i, later);
    try testing.expectEqual(@as(?usize, null), b.pick(later));
}
