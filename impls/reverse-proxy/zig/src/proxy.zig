//! One client connection and its exchanges (README: What happens to one request). Runs on its
//! own thread (`Io.Group.concurrent`); the upstream side of each exchange runs on the same
//! thread with blocking reads and writes.

const std = @import("std");
const Io = std.Io;
const net = Io.net;
const Allocator = std.mem.Allocator;
const head = @import("head.zig");
const pool = @import("pool.zig");
const socket = @import("socket.zig");
const watchdog = @import("watchdog.zig");
const Balancer = @import("balancer.zig").Balancer;
const Config = @import("config.zig").Config;
const Upstream = pool.Upstream;

/// Size of a client connection's write buffer.
pub const client_write_buffer_size = 16 * 1024;
/// Size of the buffer chunked bodies are decoded through.
pub const transfer_buffer_size = 16 * 1024;
/// How long, and how much, unread client input is drained before closing after an error answer.
const linger_ms = 500;
const linger_bytes = 256 * 1024;

/// What every connection shares.
pub const Shared = struct {
    gpa: Allocator,
    io: Io,
    cfg: *const Config,
    lb: Balancer,
    pool: pool.Pool,
    dog: watchdog.Watchdog = .{},

    fn now(sh: *Shared) i64 {
        return watchdog.now_ns(sh.io);
    }
};

fn nanos(ms: u64) i64 {
    return @intCast(ms * std.time.ns_per_ms);
}

/// Accepts client connections and serves each on its own thread, with the watchdog on another;
/// returns only if the watchdog cannot be started or accepting fails for good.
pub fn serve(sh: *Shared, server: *net.Server) error{ WatchdogUnavailable, AcceptFailed }!void {
    const io = sh.io;
    var group: Io.Group = .init;
    defer group.cancel(io);
    group.concurrent(io, watchdog.Watchdog.run, .{ &sh.dog, io }) catch return error.WatchdogUnavailable;
    while (true) {
        const stream = server.accept(io) catch |err| switch (err) {
            error.ConnectionAborted, error.ProtocolFailure, error.BlockedByFirewall => continue,
            error.ProcessFdQuotaExceeded, error.SystemFdQuotaExceeded, error.SystemResources => {
                // Out of descriptors: wait for connections to end.
                io.sleep(.fromMilliseconds(10), .awake) catch return error.AcceptFailed;
                continue;
            },
            else => return error.AcceptFailed,
        };
        // No thread for it (the system's limit): drop the connection, keep serving the others.
        group.concurrent(io, serveClient, .{ sh, stream }) catch stream.close(io);
    }
}

/// Serves one client connection until it ends, then closes it.
pub fn serveClient(sh: *Shared, stream: net.Stream) void {
    const io = sh.io;
    defer stream.close(io);
    socket.setNoDelay(stream.socket.handle);
    const max_head = sh.cfg.max_header_bytes;
    const buffers = sh.gpa.alloc(u8, max_head + client_write_buffer_size + transfer_buffer_size) catch return;
    defer sh.gpa.free(buffers);

    var c: Client = undefined;
    c.sh = sh;
    c.stream = stream;
    c.reader = stream.reader(io, buffers[0..max_head]);
    c.writer = stream.writer(io, buffers[max_head..][0..client_write_buffer_size]);
    c.transfer = buffers[max_head + client_write_buffer_size ..];
    c.http = .{
        .in = &c.reader.interface,
        .state = .ready,
        .interface = undefined,
        .max_head_len = max_head,
        .side = .request,
    };
    c.slot = .{};
    c.ip = formatIp(stream.socket.address, &c.ip_buf);
    sh.dog.add(io, &c.slot);
    defer sh.dog.remove(io, &c.slot);
    while (c.serveOne()) {}
}

fn formatIp(address: net.IpAddress, buf: []u8) []const u8 {
    return switch (address) {
        .ip4 => |a| std.fmt.bufPrint(buf, "{d}.{d}.{d}.{d}", .{ a.bytes[0], a.bytes[1], a.bytes[2], a.bytes[3] }) catch unreachable,
        // The proxy listens on IPv4 only.
        .ip6 => "::",
    };
}

const Client = struct {
    sh: *Shared,
    stream: net.Stream,
    reader: net.Stream.Reader,
    writer: net.Stream.Writer,
    http: std.http.Reader,
    transfer: []u8,
    slot: watchdog.Slot,
    ip_buf: [16]u8,
    ip: []const u8,
    fields: [head.max_fields]head.Field,
    up_fields: [head.max_fields]head.Field,

    /// Reads and answers one request; returns whether the connection carries on.
    fn serveOne(c: *Client) bool {
        const sh = c.sh;
        const io = sh.io;
        c.http.state = .ready;
        c.slot.arm(io, c.stream.socket.handle, sh.now(), nanos(sh.cfg.header_timeout_ms));
        const bytes = c.http.receiveHead() catch |err| {
            _ = c.slot.disarm(io);
            // Truncated, closed, timed out: no answer. Too large: 431.
            if (err == error.HttpHeadersOversize) c.answer(.http11, 431, false);
            return false;
        };
        if (c.slot.disarm(io)) return false;
        const req = head.parseRequest(bytes, &c.fields) catch |err| {
            c.answer(.http11, head.statusOf(err), false);
            return false;
        };
        if (req.isOptionsStar()) {
            // Answered by the proxy itself, as Go's net/http does: 200 with no body.
            const w = &c.writer.interface;
            w.print("{s} 200 OK\r\nContent-Length: 0\r\n{s}\r\n", .{
                if (req.version == .http11) "HTTP/1.1" else "HTTP/1.0",
                if (req.keep_alive == (req.version == .http11)) "" else if (req.keep_alive) "Connection: keep-alive\r\n" else "Connection: close\r\n",
            }) catch return false;
            w.flush() catch return false;
            return req.keep_alive;
        }
        return c.forward(&req);
    }

    /// A proxy-generated answer (errors are ignored: the connection is ending anyway when they
    /// happen). When the connection is to be closed, the input the client may still be sending
    /// is drained first, as Go's net/http does: closing a socket with unread input sends a
    /// reset, which can destroy the answer before the client has read it.
    fn answer(c: *Client, version: head.Version, status: u16, keep_alive: bool) void {
        const w = &c.writer.interface;
        head.writeError(w, version, status, keep_alive) catch return;
        w.flush() catch return;
        if (!keep_alive) c.lingeringClose();
    }

    /// Shuts down the sending side, then discards input until the client closes, at most
    /// `linger_ms` (the watchdog ends the wait) or `linger_bytes`.
    fn lingeringClose(c: *Client) void {
        const io = c.sh.io;
        c.stream.shutdown(io, .send) catch return;
        c.slot.arm(io, c.stream.socket.handle, c.sh.now(), nanos(linger_ms));
        defer _ = c.slot.disarm(io);
        const in = &c.reader.interface;
        var discarded: usize = 0;
        while (discarded < linger_bytes) {
            discarded += in.bufferedLen();
            in.tossBuffered();
            in.fillMore() catch return;
        }
    }

    /// Answers `status` for a request whose exchange failed; the connection is kept only when
    /// the request body was fully read.
    fn fail(c: *Client, req: *const head.Request, status: u16, body_read: bool) Attempt {
        const keep = req.keep_alive and body_read;
        c.answer(req.version, status, keep);
        return .{ .done = keep };
    }

    const Conn = struct { up: *Upstream, reused: bool };

    /// An idle connection to backend `b`, or a new one; null if it cannot connect.
    fn connection(c: *Client, b: usize) ?Conn {
        const sh = c.sh;
        if (sh.pool.checkout(sh.io, b, sh.now())) |u| return .{ .up = u, .reused = true };
        const stream = socket.connect(sh.cfg.backends[b].address, sh.cfg.connect_timeout_ms) catch return null;
        const u = Upstream.create(sh.gpa, sh.io, stream, b, sh.cfg.max_header_bytes) catch {
            stream.close(sh.io);
            return null;
        };
        return .{ .up = u, .reused = false };
    }

    /// Round robin with failover (README steps 2-7); returns whether the connection carries on.
    fn forward(c: *Client, req: *const head.Request) bool {
        const sh = c.sh;
        var tried: usize = 0;
        backends: while (tried < sh.lb.len()) : (tried += 1) {
            const b = sh.lb.pick(sh.now()) orelse break;
            var conn = c.connection(b) orelse {
                sh.lb.markDown(b, sh.now());
                continue;
            };
            // Stale reused connections: try another one to the same backend, a bounded number
            // of times (each failure uses up one idle connection).
            var budget = sh.cfg.max_idle + 2;
            while (true) {
                switch (c.attempt(req, conn.up, conn.reused)) {
                    .done => |keep| return keep,
                    .stale => {
                        budget -= 1;
                        if (budget == 0) break :backends;
                        conn = c.connection(b) orelse {
                            sh.lb.markDown(b, sh.now());
                            continue :backends;
                        };
                    },
                }
            }
        }
        return c.fail(req, 502, req.framing == .none).done;
    }

    const Attempt = union(enum) {
        /// The exchange is over; whether the client connection carries on.
        done: bool,
        /// A reused connection failed before any response byte, and the request (which has no
        /// body) can be sent again. The connection has been closed.
        stale,
    };

    /// One exchange on connection `up`, which it consumes (pooled or closed).
    fn attempt(c: *Client, req: *const head.Request, up: *Upstream, reused: bool) Attempt {
        const sh = c.sh;
        const io = sh.io;
        // The head's slices are only valid until the client connection is read again (the body),
        // so everything needed afterwards is taken now.
        const can_replay = reused and req.replayable();
        const is_head = req.isHead();
        const uw = &up.writer.interface;
        var body_read = req.framing == .none;

        head.writeRequestHead(uw, req, c.ip, sh.cfg.backends[up.backend].text) catch {
            up.destroy(sh.gpa, io);
            return if (can_replay) .stale else c.fail(req, 502, body_read);
        };
        if (!body_read) {
            if (req.expect_continue and req.version == .http11) {
                const cw = &c.writer.interface;
                cw.writeAll("HTTP/1.1 100 Continue\r\n\r\n") catch {};
                cw.flush() catch {
                    up.destroy(sh.gpa, io);
                    return .{ .done = false };
                };
            }
            c.copyRequestBody(req.framing, up) catch |err| {
                up.destroy(sh.gpa, io);
                return switch (err) {
                    // The client went away or sent a broken chunked body.
                    error.ClientFailed => .{ .done = false },
                    error.UpstreamFailed => c.fail(req, 502, false),
                };
            };
            body_read = true;
        }
        uw.flush() catch {
            up.destroy(sh.gpa, io);
            return if (can_replay) .stale else c.fail(req, 502, body_read);
        };

        // Response head, within the upstream timeout; informational answers are skipped.
        c.slot.arm(io, up.stream.socket.handle, sh.now(), nanos(sh.cfg.upstream_timeout_ms));
        const res = while (true) {
            up.http.state = .ready;
            const bytes = up.http.receiveHead() catch |err| {
                const fired = c.slot.disarm(io);
                up.destroy(sh.gpa, io);
                if (fired) return c.fail(req, 504, body_read);
                if (can_replay and (err == error.HttpConnectionClosing or err == error.ReadFailed)) return .stale;
                return c.fail(req, 502, body_read);
            };
            const r = head.parseResponse(bytes, &c.up_fields) catch {
                _ = c.slot.disarm(io);
                up.destroy(sh.gpa, io);
                return c.fail(req, 502, body_read);
            };
            if (r.status == 101) {
                _ = c.slot.disarm(io);
                up.destroy(sh.gpa, io);
                return c.fail(req, 502, body_read);
            }
            if (r.status >= 200) break r;
        };
        if (c.slot.disarm(io)) {
            up.destroy(sh.gpa, io);
            return c.fail(req, 504, body_read);
        }

        const framing = res.framing(is_head);
        const client_framing: head.ClientFraming = switch (framing) {
            .none => .none,
            .length => .length,
            .chunked, .until_close => if (req.version == .http11) .chunked else .until_close,
        };
        const keep = req.keep_alive and client_framing != .until_close;
        const reusable = !res.close and framing != .until_close;
        head.writeResponseHead(&c.writer.interface, &res, req.version, client_framing, keep) catch {
            up.destroy(sh.gpa, io);
            return .{ .done = false };
        };
        c.copyResponseBody(up, framing, client_framing) catch {
            // The head has gone out: all that can be done is to close both connections.
            up.destroy(sh.gpa, io);
            return .{ .done = false };
        };
        const flushed = if (c.writer.interface.flush()) true else |_| false;
        if (reusable) sh.pool.put(io, up, sh.now()) else up.destroy(sh.gpa, io);
        return .{ .done = keep and flushed };
    }

    /// Streams the request body to the upstream writer (not flushed at the end).
    fn copyRequestBody(c: *Client, framing: head.Framing, up: *Upstream) error{ ClientFailed, UpstreamFailed }!void {
        const in = &c.reader.interface;
        const out = &up.writer.interface;
        switch (framing) {
            .length => |total| copyLength(in, out, total) catch |err| return switch (err) {
                error.ReadFailed => error.ClientFailed,
                error.WriteFailed => error.UpstreamFailed,
            },
            .chunked => {
                const body = c.http.bodyReader(c.transfer, .chunked, null);
                copyDecoded(in, body, out, .chunked) catch |err| return switch (err) {
                    error.ReadFailed => error.ClientFailed,
                    error.WriteFailed => error.UpstreamFailed,
                };
            },
            .none, .until_close => {},
        }
    }

    /// Streams the response body to the client writer (not flushed at the end).
    fn copyResponseBody(c: *Client, up: *Upstream, framing: head.Framing, to: head.ClientFraming) error{ ReadFailed, WriteFailed }!void {
        const in = &up.reader.interface;
        const out = &c.writer.interface;
        switch (framing) {
            .none => {},
            .length => |total| try copyLength(in, out, total),
            .chunked => try copyDecoded(in, up.http.bodyReader(c.transfer, .chunked, null), out, to),
            .until_close => try copyDecoded(in, in, out, to),
        }
    }
};

/// Copies exactly `total` bytes. The destination is flushed before each read that would block,
/// so what has arrived is passed on; a body that arrived whole leaves in one write.
fn copyLength(in: *Io.Reader, out: *Io.Writer, total: u64) error{ ReadFailed, WriteFailed }!void {
    var remaining = total;
    while (remaining > 0) {
        if (in.bufferedLen() == 0) {
            try out.flush();
            in.fillMore() catch return error.ReadFailed; // end of stream too: truncated
        }
        const chunk = in.buffered()[0..@intCast(@min(in.bufferedLen(), remaining))];
        try out.writeAll(chunk);
        in.toss(chunk.len);
        remaining -= chunk.len;
    }
}

/// Copies a body read through `body` (a chunked decoder over `in`, or `in` itself when the body
/// ends at close) until its end, framing it for the destination.
fn copyDecoded(in: *Io.Reader, body: *Io.Reader, out: *Io.Writer, to: head.ClientFraming) error{ ReadFailed, WriteFailed }!void {
    while (true) {
        if (in.bufferedLen() == 0 and body.bufferedLen() == 0) try out.flush();
        body.fillMore() catch |err| switch (err) {
            error.EndOfStream => break,
            error.ReadFailed => return error.ReadFailed,
        };
        const data = body.buffered();
        if (data.len == 0) continue; // a chunk boundary
        if (to == .chunked) try out.print("{x}\r\n", .{data.len});
        try out.writeAll(data);
        if (to == .chunked) try out.writeAll("\r\n");
        body.toss(data.len);
    }
    if (to == .chunked) try out.writeAll("0\r\n\r\n");
}
