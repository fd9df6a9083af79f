//! Upstream connections (README: Pooling): a connection with its buffers, and a per-backend
//! LIFO list of idle keep-alive connections, at most `max_idle` each.

const std = @import("std");
const Io = std.Io;
const net = Io.net;
const linux = std.os.linux;
const posix = std.posix;
const socket = @import("socket.zig");
const connect = socket.connect;
const Allocator = std.mem.Allocator;

/// An idle connection unused for this long is closed when it is next looked at.
pub const idle_timeout_ns: i64 = 90 * std.time.ns_per_s;

/// Size of an upstream connection's write buffer.
pub const write_buffer_size = 16 * 1024;

/// One keep-alive connection to a backend, with its buffers. Heap-allocated: the reader and
/// writer interfaces point into the struct.
pub const Upstream = struct {
    stream: net.Stream,
    reader: net.Stream.Reader,
    writer: net.Stream.Writer,
    /// Response heads and bodies are read through this (its `in` is `reader.interface`).
    http: std.http.Reader,
    backend: usize,
    idle_since: i64 = 0,
    /// Read buffer (holds a whole response head) followed by the write buffer.
    buffers: []u8,

    pub fn create(gpa: Allocator, io: Io, stream: net.Stream, backend: usize, max_header_bytes: usize) Allocator.Error!*Upstream {
        const u = try gpa.create(Upstream);
        errdefer gpa.destroy(u);
        const buffers = try gpa.alloc(u8, max_header_bytes + write_buffer_size);
        u.* = .{
            .stream = stream,
            .reader = stream.reader(io, buffers[0..max_header_bytes]),
            .writer = stream.writer(io, buffers[max_header_bytes..]),
            .http = undefined,
            .backend = backend,
            .buffers = buffers,
        };
        u.http = .{
            .in = &u.reader.interface,
            .state = .ready,
            .interface = undefined,
            .max_head_len = max_header_bytes,
            .side = .response,
        };
        return u;
    }

    /// Closes the connection and frees it.
    pub fn destroy(u: *Upstream, gpa: Allocator, io: Io) void {
        u.stream.close(io);
        gpa.free(u.buffers);
        gpa.destroy(u);
    }

    /// Whether the backend has closed the idle connection (or sent something unasked):
    /// a non-blocking poll that finds the socket readable.
    fn isStale(u: *Upstream) bool {
        if (u.reader.interface.bufferedLen() != 0) return true;
        var fds = [_]linux.pollfd{.{ .fd = u.stream.socket.handle, .events = linux.POLL.IN, .revents = 0 }};
        const rc = linux.poll(&fds, 1, 0);
        if (posix.errno(rc) != .SUCCESS) return true;
        return rc != 0;
    }
};

const List = struct {
    mutex: Io.Mutex = .init,
    idle: std.ArrayList(*Upstream) = .empty,
};

pub const Pool = struct {
    gpa: Allocator,
    lists: []List,
    max_idle: usize,

    pub fn init(gpa: Allocator, backends: usize, max_idle: usize) Allocator.Error!Pool {
        const lists = try gpa.alloc(List, backends);
        errdefer gpa.free(lists);
        for (lists, 0..) |*l, i| {
            l.* = .{};
            // Room for every idle connection up front: put never allocates under the lock.
            l.idle = std.ArrayList(*Upstream).initCapacity(gpa, max_idle) catch |err| {
                for (lists[0..i]) |*done| done.idle.deinit(gpa);
                return err;
            };
        }
        return .{ .gpa = gpa, .lists = lists, .max_idle = max_idle };
    }

    pub fn deinit(p: *Pool, io: Io) void {
        for (p.lists) |*l| {
            for (l.idle.items) |u| u.destroy(p.gpa, io);
            l.idle.deinit(p.gpa);
        }
        p.gpa.free(p.lists);
    }

    /// The most recently returned idle connection to `backend` that is still usable; stale and
    /// expired ones are closed on the way.
    pub fn checkout(p: *Pool, io: Io, backend: usize, now: i64) ?*Upstream {
        const l = &p.lists[backend];
        while (true) {
            const u = blk: {
                l.mutex.lockUncancelable(io);
                defer l.mutex.unlock(io);
                break :blk l.idle.pop() orelse return null;
            };
            if (now - u.idle_since <= idle_timeout_ns and !u.isStale()) return u;
            u.destroy(p.gpa, io);
        }
    }

    /// Keeps `u` for reuse, or closes it when its backend's list is full.
    pub fn put(p: *Pool, io: Io, u: *Upstream, now: i64) void {
        u.idle_since = now;
        u.http.state = .ready;
        const l = &p.lists[u.backend];
        kept: {
            l.mutex.lockUncancelable(io);
            defer l.mutex.unlock(io);
            if (l.idle.items.len == p.max_idle) break :kept;
            l.idle.appendAssumeCapacity(u);
            return;
        }
        u.destroy(p.gpa, io);
    }
};

const testing = std.testing;

test "connect: refused, then accepted" {
    const io = testing.io;
    // A port nobody listens on: bind one, note it, close it.
    var probe = try net.IpAddress.listen(&.{ .ip4 = .loopback(0) }, io, .{});
    const port = probe.socket.address.getPort();
    probe.deinit(io);
    try testing.expectError(error.ConnectFailed, connect(.loopback(port), 1000));

    var server = try net.IpAddress.listen(&.{ .ip4 = .loopback(0) }, io, .{});
    defer server.deinit(io);
    const s = try connect(.loopback(server.socket.address.getPort()), 1000);
    s.close(io);
}

test "pool: LIFO reuse, limit, stale connections dropped" {
    const io = testing.io;
    const gpa = testing.allocator;
    var server = try net.IpAddress.listen(&.{ .ip4 = .loopback(0) }, io, .{});
    defer server.deinit(io);
    const port = server.socket.address.getPort();
    var pool = try Pool.init(gpa, 1, 2);
    defer pool.deinit(io);

    var ups: [3]*Upstream = undefined;
    var accepted: [3]net.Stream = undefined;
    for (&ups, &accepted) |*u, *a| {
        u.* = try Upstream.create(gpa, io, try connect(.loopback(port), 1000), 0, 8192);
        a.* = try server.accept(io);
    }
    defer for (accepted[1..]) |a| a.close(io);
    pool.put(io, ups[0], 1);
    pool.put(io, ups[1], 2);
    pool.put(io, ups[2], 3); // list full: closed
    try testing.expectEqual(@as(usize, 2), pool.lists[0].idle.items.len);
    // The backend closes the older one; the newer one comes out first anyway (LIFO).
    accepted[0].close(io);
    const first = pool.checkout(io, 0, 4).?;
    try testing.expectEqual(ups[1], first);
    first.destroy(gpa, io);
    // The closed one is found stale and dropped.
    var tries: usize = 0;
    while (tries < 100) : (tries += 1) {
        // The FIN may take a moment to arrive.
        if (pool.lists[0].idle.items.len == 0) break;
        if (pool.checkout(io, 0, 5)) |u| {
            pool.put(io, u, 5);
            io.sleep(.fromMilliseconds(5), .awake) catch {};
        }
    }
    try testing.expectEqual(@as(usize, 0), pool.lists[0].idle.items.len);
    // Expired connections are not reused.
    pool.put(io, try Upstream.create(gpa, io, try connect(.loopback(port), 1000), 0, 8192), 0);
    const late = try server.accept(io);
    defer late.close(io);
    try testing.expectEqual(@as(?*Upstream, null), pool.checkout(io, 0, idle_timeout_ns + 1));
}
