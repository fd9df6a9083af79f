//! Socket set-up that `std.Io.net` (Zig 0.17, `Io.Threaded`) does not offer: a connect with a
//! timeout, TCP_NODELAY, and a listener with SO_REUSEADDR but without SO_REUSEPORT (the std
//! option sets both, which would let a second process share the port instead of failing).
//! Raw Linux system calls; the resulting descriptors are blocking and used through `std.Io`.

const std = @import("std");
const net = std.Io.net;
const linux = std.os.linux;
const posix = std.posix;

pub const ConnectError = error{ConnectFailed};

/// Opens a TCP connection to `address`, waiting at most `timeout_ms` (0: the system's limit).
/// The socket is created non-blocking so the wait can be bounded with poll, then switched back
/// to blocking mode for `Io.Threaded`.
pub fn connect(address: net.Ip4Address, timeout_ms: u64) ConnectError!net.Stream {
    const rc = linux.socket(linux.AF.INET, linux.SOCK.STREAM | linux.SOCK.NONBLOCK | linux.SOCK.CLOEXEC, 0);
    if (posix.errno(rc) != .SUCCESS) return error.ConnectFailed;
    const fd: posix.fd_t = @intCast(rc);
    errdefer _ = linux.close(fd);
    const sa: linux.sockaddr.in = .{
        .port = std.mem.nativeToBig(u16, address.port),
        .addr = @bitCast(address.bytes),
    };
    switch (posix.errno(linux.connect(fd, &sa, @sizeOf(linux.sockaddr.in)))) {
        .SUCCESS => {},
        .INPROGRESS, .AGAIN => {
            var fds = [_]linux.pollfd{.{ .fd = fd, .events = linux.POLL.OUT, .revents = 0 }};
            const timeout: i32 = if (timeout_ms == 0) -1 else @intCast(@min(timeout_ms, std.math.maxInt(i32)));
            while (true) {
                const n = linux.poll(&fds, 1, timeout);
                switch (posix.errno(n)) {
                    .SUCCESS => break,
                    .INTR => continue,
                    else => return error.ConnectFailed,
                }
            }
            var so_error: i32 = 0;
            var len: posix.socklen_t = @sizeOf(i32);
            if (posix.errno(linux.getsockopt(fd, linux.SOL.SOCKET, linux.SO.ERROR, @ptrCast(&so_error), &len)) != .SUCCESS or
                so_error != 0 or fds[0].revents & linux.POLL.OUT == 0)
                return error.ConnectFailed;
        },
        else => return error.ConnectFailed,
    }
    const flags = linux.fcntl(fd, linux.F.GETFL, 0);
    if (posix.errno(flags) != .SUCCESS) return error.ConnectFailed;
    if (posix.errno(linux.fcntl(fd, linux.F.SETFL, flags & ~@as(usize, linux.SOCK.NONBLOCK))) != .SUCCESS)
        return error.ConnectFailed;
    setNoDelay(fd);
    return .{ .socket = .{ .handle = fd, .address = .{ .ip4 = address } } };
}

/// Sets TCP_NODELAY (best effort).
pub fn setNoDelay(fd: posix.fd_t) void {
    const one: i32 = 1;
    _ = linux.setsockopt(fd, linux.IPPROTO.TCP, linux.TCP.NODELAY, @ptrCast(&one), @sizeOf(i32));
}

pub const ListenError = error{ AddressInUse, AccessDenied, ListenFailed };

/// A listening TCP socket on `address` with SO_REUSEADDR (as Go and tokio set it).
pub fn listen(address: net.Ip4Address, backlog: u31) ListenError!net.Server {
    const rc = linux.socket(linux.AF.INET, linux.SOCK.STREAM | linux.SOCK.CLOEXEC, 0);
    if (posix.errno(rc) != .SUCCESS) return error.ListenFailed;
    const fd: posix.fd_t = @intCast(rc);
    errdefer _ = linux.close(fd);
    const one: i32 = 1;
    _ = linux.setsockopt(fd, linux.SOL.SOCKET, linux.SO.REUSEADDR, @ptrCast(&one), @sizeOf(i32));
    const sa: linux.sockaddr.in = .{
        .port = std.mem.nativeToBig(u16, address.port),
        .addr = @bitCast(address.bytes),
    };
    switch (posix.errno(linux.bind(fd, @ptrCast(&sa), @sizeOf(linux.sockaddr.in)))) {
        .SUCCESS => {},
        .ADDRINUSE => return error.AddressInUse,
        .ACCES, .PERM => return error.AccessDenied,
        else => return error.ListenFailed,
    }
    if (posix.errno(linux.listen(fd, backlog)) != .SUCCESS) return error.ListenFailed;
    return .{ .socket = .{ .handle = fd, .address = .{ .ip4 = address } }, .options = {} };
}

test "listen: a port in use is refused" {
    const io = std.testing.io;
    var a = try listen(.loopback(0), 16);
    defer a.deinit(io);
    var bound: linux.sockaddr.in = undefined;
    var len: posix.socklen_t = @sizeOf(linux.sockaddr.in);
    _ = linux.getsockname(a.socket.handle, @ptrCast(&bound), &len);
    try std.testing.expectError(error.AddressInUse, listen(.loopback(std.mem.bigToNative(u16, bound.port)), 16));
}
