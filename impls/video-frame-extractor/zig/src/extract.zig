//! The FFmpeg part of ../README.md: open, seek, decode, scale, encode — libav called through the
//! module `av` that build.zig translates from src/av.h.
//!
//! Every FFmpeg object lives in `Extractor` and is freed by `Extractor.deinit` on every path.

const std = @import("std");
const Io = std.Io;
const c = @import("av");
const args = @import("args.zig");
const Failure = args.Failure;
const Options = args.Options;
const micros = args.micros;

/// AVERROR(EAGAIN) and AVERROR_EOF (FFERRTAG('E','O','F',' ')): function-like macros in C.
const averror_eagain: c_int = -c.EAGAIN;
const averror_eof: c_int = -@as(c_int, 'E' | ('O' << 8) | ('F' << 16) | (' ' << 24));
const nopts: i64 = std.math.minInt(i64); // AV_NOPTS_VALUE
const time_base_q: c.AVRational = .{ .num = 1, .den = c.AV_TIME_BASE };

/// FFmpeg's own text for an error code (`av_strerror`); print with "{f}".
const AvErr = struct {
    code: c_int,

    pub fn format(e: AvErr, w: *Io.Writer) Io.Writer.Error!void {
        var buf: [256]u8 = undefined;
        _ = c.av_strerror(e.code, &buf, buf.len);
        try w.writeAll(std.mem.sliceTo(&buf, 0));
    }
};

fn averr(code: c_int) AvErr {
    return .{ .code = code };
}

/// One written thumbnail, as printed on standard output.
pub const Thumb = struct {
    /// Requested time, µs.
    t: i64,
    /// Presentation time of the decoded frame, µs from the start.
    frame_us: i64,
    /// Frame timestamp in the stream's time base.
    pts: i64,
};

const Extractor = struct {
    fmt: [*c]c.AVFormatContext = null,
    dec: [*c]c.AVCodecContext = null,
    enc: [*c]c.AVCodecContext = null,
    sws: ?*c.struct_SwsContext = null,
    pkt: [*c]c.AVPacket = null,
    frame: [*c]c.AVFrame = null,
    st: [*c]c.AVStream = null,
    vidx: c_int = -1,
    /// fmt->start_time in µs, 0 when unknown.
    start: i64 = 0,
    width: u32 = 0,
    height: u32 = 0,

    fn deinit(x: *Extractor) void {
        c.sws_freeContext(x.sws);
        c.av_frame_free(&x.frame);
        c.av_packet_free(&x.pkt);
        c.avcodec_free_context(&x.enc);
        c.avcodec_free_context(&x.dec);
        if (x.fmt != null) c.avformat_close_input(&x.fmt);
    }

    /// Spec steps 1-4: input, video stream, decoder (single-threaded), output size.
    fn open(x: *Extractor, path: [:0]const u8, width: u32, fail: *Failure) error{Failed}!void {
        var r = c.avformat_open_input(&x.fmt, path.ptr, null, null);
        if (r < 0) return fail.runtime("cannot open {s}: {f}", .{ path, averr(r) });
        r = c.avformat_find_stream_info(x.fmt, null);
        if (r < 0) return fail.runtime("cannot read stream info of {s}: {f}", .{ path, averr(r) });
        x.vidx = c.av_find_best_stream(x.fmt, c.AVMEDIA_TYPE_VIDEO, -1, -1, null, 0);
        if (x.vidx < 0) return fail.runtime("{s}: no video stream", .{path});
        x.st = x.fmt.*.streams[@intCast(x.vidx)];
        const par = x.st.*.codecpar;
        const codec = c.avcodec_find_decoder(par.*.codec_id);
        if (codec == null) return fail.runtime("{s}: no decoder for the video stream", .{path});
        x.dec = c.avcodec_alloc_context3(codec);
        if (x.dec == null) return fail.runtime("cannot allocate the decoder", .{});
        r = c.avcodec_parameters_to_context(x.dec, par);
        if (r < 0) return fail.runtime("{s}: bad codec parameters: {f}", .{ path, averr(r) });
        x.dec.*.thread_count = 1;
        r = c.avcodec_open2(x.dec, codec, null);
        if (r < 0) return fail.runtime("{s}: cannot open the decoder: {f}", .{ path, averr(r) });
        if (par.*.width <= 0 or par.*.height <= 0) return fail.runtime("{s}: video stream has no size", .{path});
        x.width = width;
        x.height = args.outputHeight(width, @intCast(par.*.width), @intCast(par.*.height));
        if (x.height == 0) return fail.runtime("{s}: output height for width {d} would be 0", .{ path, width });
        if (x.fmt.*.start_time != nopts) x.start = x.fmt.*.start_time;
        x.pkt = c.av_packet_alloc();
        if (x.pkt == null) return fail.runtime("cannot allocate a packet", .{});
        x.frame = c.av_frame_alloc();
        if (x.frame == null) return fail.runtime("cannot allocate a frame", .{});
    }

    /// fmt->duration in µs, or null when unknown.
    fn duration(x: *const Extractor) ?i64 {
        return if (x.fmt.*.duration == nopts) null else x.fmt.*.duration;
    }

    /// Spec step 6: the PNG encoder, opened once.
    fn openEncoder(x: *Extractor, fail: *Failure) error{Failed}!void {
        const codec = c.avcodec_find_encoder(c.AV_CODEC_ID_PNG);
        if (codec == null) return fail.runtime("no PNG encoder in this libavcodec", .{});
        x.enc = c.avcodec_alloc_context3(codec);
        if (x.enc == null) return fail.runtime("cannot allocate the PNG encoder", .{});
        x.enc.*.width = @intCast(x.width);
        x.enc.*.height = @intCast(x.height);
        x.enc.*.pix_fmt = c.AV_PIX_FMT_RGB24;
        x.enc.*.time_base = .{ .num = 1, .den = 1 };
        x.enc.*.compression_level = 6;
        x.enc.*.thread_count = 1;
        const r = c.avcodec_open2(x.enc, codec, null);
        if (r < 0) return fail.runtime("cannot open the PNG encoder: {f}", .{averr(r)});
    }

    /// Spec steps 7.1-7.3: leaves in x.frame the first frame at or after `t` (µs from the start).
    fn seekDecode(x: *Extractor, path: []const u8, t: i64, fail: *Failure) error{Failed}!void {
        const target_us = t + x.start;
        var r = c.avformat_seek_file(x.fmt, -1, std.math.minInt(i64), target_us, target_us, 0);
        if (r < 0) return fail.runtime("{s}: seek to {f} failed: {f}", .{ path, micros(t), averr(r) });
        c.avcodec_flush_buffers(x.dec);
        const target_pts = c.av_rescale_q(target_us, time_base_q, x.st.*.time_base);
        var draining = false;
        while (true) {
            if (!draining) {
                r = c.av_read_frame(x.fmt, x.pkt);
                if (r == averror_eof) {
                    draining = true;
                    r = c.avcodec_send_packet(x.dec, null);
                    if (r < 0) return fail.runtime("{s}: decode error: {f}", .{ path, averr(r) });
                } else if (r < 0) {
                    return fail.runtime("{s}: read error: {f}", .{ path, averr(r) });
                } else {
                    if (x.pkt.*.stream_index != x.vidx) {
                        c.av_packet_unref(x.pkt);
                        continue;
                    }
                    r = c.avcodec_send_packet(x.dec, x.pkt);
                    c.av_packet_unref(x.pkt);
                    if (r < 0) return fail.runtime("{s}: decode error: {f}", .{ path, averr(r) });
                }
            }
            while (true) {
                r = c.avcodec_receive_frame(x.dec, x.frame);
                if (r == averror_eagain) {
                    if (draining) return fail.runtime("{s}: decoder stalled while draining", .{path});
                    break;
                }
                if (r == averror_eof)
                    return fail.runtime("no frame at or after {f} in {s}: the video ends before it", .{ micros(t), path });
                if (r < 0) return fail.runtime("{s}: decode error: {f}", .{ path, averr(r) });
                const ts = x.frame.*.best_effort_timestamp;
                if (ts != nopts and ts >= target_pts) return;
                c.av_frame_unref(x.frame);
            }
        }
    }

    /// Spec step 7.4: x.frame to a fresh W×H RGB24 frame (32-byte aligned), SWS_BICUBIC.
    /// The caller frees the result with av_frame_free.
    fn scale(x: *Extractor, fail: *Failure) error{Failed}![*c]c.AVFrame {
        const f = x.frame;
        x.sws = c.sws_getCachedContext(x.sws, f.*.width, f.*.height, f.*.format, @intCast(x.width), @intCast(x.height), c.AV_PIX_FMT_RGB24, c.SWS_BICUBIC, null, null, null);
        if (x.sws == null) return fail.runtime("cannot create the scaler", .{});
        var rgb = c.av_frame_alloc();
        if (rgb == null) return fail.runtime("cannot allocate a frame", .{});
        rgb.*.format = c.AV_PIX_FMT_RGB24;
        rgb.*.width = @intCast(x.width);
        rgb.*.height = @intCast(x.height);
        const r = c.av_frame_get_buffer(rgb, 32);
        if (r < 0) {
            c.av_frame_free(&rgb);
            return fail.runtime("cannot allocate the RGB frame: {f}", .{averr(r)});
        }
        const n = c.sws_scale(x.sws, @ptrCast(&f.*.data), &f.*.linesize, 0, f.*.height, @ptrCast(&rgb.*.data), &rgb.*.linesize);
        if (n != @as(c_int, @intCast(x.height))) {
            c.av_frame_free(&rgb);
            return fail.runtime("scaling failed", .{});
        }
        return rgb;
    }
};

/// `.part` files of a run in `dir`: renamed all at the end, or all removed on failure.
const PartFiles = struct {
    finals: std.ArrayList([]const u8) = .empty,

    fn partName(buf: []u8, name: []const u8) []const u8 {
        return std.fmt.bufPrint(buf, "{s}.part", .{name}) catch unreachable;
    }

    fn removeAll(p: *const PartFiles, io: Io, dir: Io.Dir) void {
        var buf: [64]u8 = undefined;
        for (p.finals.items) |name| dir.deleteFile(io, partName(&buf, name)) catch {};
    }

    /// Renames every .part file to its final name, in order; on a failure removes those done.
    fn commit(p: *const PartFiles, io: Io, dir: Io.Dir) !void {
        var buf: [64]u8 = undefined;
        for (p.finals.items, 0..) |name, i| {
            dir.rename(partName(&buf, name), dir, name, io) catch |e| {
                for (p.finals.items[0..i]) |done| dir.deleteFile(io, done) catch {};
                return e;
            };
        }
    }
};

/// Runs the whole job of the spec; returns the thumbnails written (allocated in fail.arena).
pub fn extract(io: Io, o: Options, fail: *Failure) error{Failed}![]const Thumb {
    const arena = fail.arena;
    c.av_log_set_level(c.AV_LOG_QUIET);
    var x: Extractor = .{};
    defer x.deinit();
    try x.open(o.input, o.width, fail);

    const duration = x.duration();
    const times: []const i64 = switch (o.times) {
        .at => |list| list,
        .every => |every| blk: {
            const d = duration orelse return fail.runtime("{s}: duration unknown, --every needs it", .{o.input});
            break :blk try args.everyTimestamps(every, d, fail);
        },
    };
    if (duration) |d| for (times) |t| {
        if (t >= d) return fail.runtime("timestamp {f} is past the end of {s} ({f} s)", .{ micros(t), o.input, micros(d) });
    };

    const cwd = Io.Dir.cwd();
    cwd.createDir(io, o.outdir, .default_dir) catch |e| switch (e) {
        error.PathAlreadyExists => {},
        else => return fail.runtime("cannot create {s}: {s}", .{ o.outdir, @errorName(e) }),
    };
    var dir = cwd.openDir(io, o.outdir, .{}) catch |e| return fail.runtime("cannot open {s}: {s}", .{ o.outdir, @errorName(e) });
    defer dir.close(io);
    try x.openEncoder(fail);

    var raw_parts: PartFiles = .{};
    var png_parts: PartFiles = .{};
    var committed = false;
    defer if (!committed) {
        png_parts.removeAll(io, dir);
        raw_parts.removeAll(io, dir);
    };

    var raw_file: ?Io.File = null;
    defer if (raw_file) |f| f.close(io);
    const raw_buffer = arena.alloc(u8, 1 << 20) catch return fail.runtime("out of memory", .{});
    var raw_writer: Io.File.Writer = undefined;
    if (o.raw) {
        raw_parts.finals.append(arena, "frames.rgb") catch return fail.runtime("out of memory", .{});
        const f = dir.createFile(io, "frames.rgb.part", .{}) catch |e|
            return fail.runtime("cannot create {s}/frames.rgb.part: {s}", .{ o.outdir, @errorName(e) });
        raw_file = f;
        raw_writer = .initStreaming(f, io, raw_buffer);
    }

    const thumbs = arena.alloc(Thumb, times.len) catch return fail.runtime("out of memory", .{});
    for (times, 0..) |t, i| {
        var name_buf: [32]u8 = undefined;
        const name = arena.dupe(u8, args.thumbName(&name_buf, i)) catch return fail.runtime("out of memory", .{});
        try x.seekDecode(o.input, t, fail);
        const pts = x.frame.*.best_effort_timestamp;
        const rgb_or_err = x.scale(fail);
        c.av_frame_unref(x.frame);
        var rgb = try rgb_or_err;
        defer c.av_frame_free(&rgb);

        if (o.raw) {
            const stride: usize = @intCast(rgb.*.linesize[0]);
            const row = 3 * @as(usize, x.width);
            for (0..x.height) |y| {
                raw_writer.interface.writeAll(rgb.*.data[0][y * stride ..][0..row]) catch
                    return fail.runtime("cannot write {s}/frames.rgb.part: {s}", .{ o.outdir, @errorName(raw_writer.err orelse error.WriteFailed) });
            }
        }

        var r = c.avcodec_send_frame(x.enc, rgb);
        if (r < 0) return fail.runtime("PNG encoding failed: {f}", .{averr(r)});
        r = c.avcodec_receive_packet(x.enc, x.pkt);
        if (r < 0) return fail.runtime("PNG encoding failed: {f}", .{averr(r)});
        defer c.av_packet_unref(x.pkt);
        png_parts.finals.append(arena, name) catch return fail.runtime("out of memory", .{});
        var part_buf: [64]u8 = undefined;
        const part = PartFiles.partName(&part_buf, name);
        dir.writeFile(io, .{ .sub_path = part, .data = x.pkt.*.data[0..@intCast(x.pkt.*.size)] }) catch |e|
            return fail.runtime("cannot write {s}/{s}: {s}", .{ o.outdir, part, @errorName(e) });
        const frame_us = c.av_rescale_q(pts, x.st.*.time_base, time_base_q) - x.start;
        thumbs[i] = .{ .t = t, .frame_us = frame_us, .pts = pts };
    }
    if (raw_file) |f| {
        raw_writer.interface.flush() catch
            return fail.runtime("cannot write {s}/frames.rgb.part: {s}", .{ o.outdir, @errorName(raw_writer.err orelse error.WriteFailed) });
        f.close(io);
        raw_file = null;
    }
    png_parts.commit(io, dir) catch |e| return fail.runtime("cannot rename in {s}: {s}", .{ o.outdir, @errorName(e) });
    raw_parts.commit(io, dir) catch |e| {
        for (png_parts.finals.items) |name| dir.deleteFile(io, name) catch {};
        return fail.runtime("cannot rename in {s}: {s}", .{ o.outdir, @errorName(e) });
    };
    committed = true;
    return thumbs;
}
