//! Head timeouts (README: Concurrency model). Zig 0.17's `Io.Threaded` blocks in recvmsg with no
//! read timeout, so each client connection registers a `Slot`; while it waits for a head it
//! arms the slot with the socket and a deadline. A watchdog task checks the slots every 100 ms
//! and shuts down the socket of every expired one, which ends the blocked read with end of
//! stream. Arming and disarming take the slot's own (uncontended) mutex; the socket is never
//! shut down after its owner has disarmed, so a reused descriptor number is never hit.

const std = @import("std");
const Io = std.Io;
const linux = std.os.linux;

/// How often the watchdog looks.
pub const period_ms = 100;

pub const Slot = struct {
    mutex: Io.Mutex = .init,
    fd: std.posix.fd_t = -1,
    /// Monotonic nanoseconds; 0 = not armed.
    deadline: i64 = 0,
    fired: bool = false,
    node: std.DoublyLinkedList.Node = .{},

    /// Watches `fd` until `deadline` (no-op when `timeout_ns` is 0: no limit).
    pub fn arm(s: *Slot, io: Io, fd: std.posix.fd_t, now: i64, timeout_ns: i64) void {
        if (timeout_ns == 0) return;
        s.mutex.lockUncancelable(io);
        defer s.mutex.unlock(io);
        s.fd = fd;
        s.deadline = now + timeout_ns;
        s.fired = false;
    }

    /// Stops watching; returns whether the deadline passed (the socket has been shut down).
    pub fn disarm(s: *Slot, io: Io) bool {
        s.mutex.lockUncancelable(io);
        defer s.mutex.unlock(io);
        s.deadline = 0;
        s.fd = -1;
        const fired = s.fired;
        s.fired = false;
        return fired;
    }

    fn expire(s: *Slot, io: Io, now: i64) void {
        s.mutex.lockUncancelable(io);
        defer s.mutex.unlock(io);
        if (s.deadline != 0 and now >= s.deadline) {
            _ = linux.shutdown(s.fd, linux.SHUT.RDWR);
            s.fired = true;
            s.deadline = 0;
        }
    }
};

pub const Watchdog = struct {
    mutex: Io.Mutex = .init,
    slots: std.DoublyLinkedList = .{},

    pub fn add(w: *Watchdog, io: Io, slot: *Slot) void {
        w.mutex.lockUncancelable(io);
        defer w.mutex.unlock(io);
        w.slots.append(&slot.node);
    }

    pub fn remove(w: *Watchdog, io: Io, slot: *Slot) void {
        w.mutex.lockUncancelable(io);
        defer w.mutex.unlock(io);
        w.slots.remove(&slot.node);
    }

    /// One pass over the slots at `now`.
    pub fn check(w: *Watchdog, io: Io, now: i64) void {
        w.mutex.lockUncancelable(io);
        defer w.mutex.unlock(io);
        var it = w.slots.first;
        while (it) |node| : (it = node.next) {
            const slot: *Slot = @fieldParentPtr("node", node);
            slot.expire(io, now);
        }
    }

    /// Runs until canceled.
    pub fn run(w: *Watchdog, io: Io) void {
        while (true) {
            io.sleep(.fromMilliseconds(period_ms), .awake) catch return;
            w.check(io, now_ns(io));
        }
    }
};

/// Monotonic clock in nanoseconds.
pub fn now_ns(io: Io) i64 {
    return @intCast(Io.Timestamp.now(io, .awake).nanoseconds);
}

test "an armed slot past its deadline is fired once; a disarmed one never" {
    const io = std.testing.io;
    var w: Watchdog = .{};
    var a: Slot = .{};
    var b: Slot = .{};
    w.add(io, &a);
    w.add(io, &b);
    defer w.remove(io, &a);
    defer w.remove(io, &b);
    a.arm(io, -1, 100, 50); // fd -1: shutdown fails harmlessly
    b.arm(io, -1, 100, 50);
    try std.testing.expect(!b.disarm(io));
    w.check(io, 149);
    try std.testing.expect(!a.fired);
    w.check(io, 150);
    try std.testing.expect(a.disarm(io));
    try std.testing.expect(!b.disarm(io));
}
