//! Decode, draw, encode, mux (../README.md, "Which cues, which frames" and "Encoding and muxing").

const std = @import("std");
const Allocator = std.mem.Allocator;
const Io = std.Io;
const c = @import("av");
const subs_mod = @import("subs.zig");
const draw = @import("draw.zig");
const Subtitles = subs_mod.Subtitles;
const Cell = subs_mod.Cell;

const err_again: c_int = -@as(c_int, c.EAGAIN);
const err_eof: c_int = c.AVERROR_EOF;
const no_pts: i64 = std.math.minInt(i64);

/// The program's one-line JSON report.
pub const Summary = struct {
    frames: usize = 0,
    frames_with_text: usize = 0,
    cues: usize = 0,
    audio_packets: usize = 0,

    pub fn write(self: Summary, w: *Io.Writer) Io.Writer.Error!void {
        try w.print("{{\"frames\":{d},\"frames_with_text\":{d},\"cues\":{d},\"audio_packets\":{d}}}\n", .{
            self.frames, self.frames_with_text, self.cues, self.audio_packets,
        });
    }
};

/// Collects the one error message of a failed run.
pub const Diag = struct {
    gpa: Allocator,
    msg: std.ArrayList(u8) = .empty,

    pub fn deinit(self: *Diag) void {
        self.msg.deinit(self.gpa);
    }

    pub fn fail(self: *Diag, comptime fmt: []const u8, args: anytype) error{Failed} {
        self.msg.clearRetainingCapacity();
        self.msg.print(self.gpa, fmt, args) catch {};
        return error.Failed;
    }
};

fn averr(code: c_int, buf: *[256]u8) []const u8 {
    // Zeroed first: the NUL search below may read the whole buffer (vector loads).
    @memset(buf, 0);
    _ = c.av_strerror(code, buf, buf.len);
    return std.mem.sliceTo(buf, 0);
}

fn rescaleMs(ts: i64, tb: c.AVRational) i64 {
    return c.av_rescale_rnd(ts, 1000 * @as(i64, tb.num), tb.den, @intCast(c.AV_ROUND_DOWN));
}

/// Every FFmpeg object of one run; `deinit` releases them on every path.
const Job = struct {
    gpa: Allocator,
    diag: *Diag,
    in_path: [:0]const u8,
    subs_path: []const u8,
    out_path: []const u8,
    tmp_path: [:0]const u8,
    subs: *const Subtitles,
    font: *const draw.Font,

    ic: [*c]c.AVFormatContext = null,
    oc: [*c]c.AVFormatContext = null,
    dec: [*c]c.AVCodecContext = null,
    enc: [*c]c.AVCodecContext = null,
    pkt: [*c]c.AVPacket = null,
    frame: [*c]c.AVFrame = null,
    vin: [*c]c.AVStream = null,
    ain: [*c]c.AVStream = null,
    vout: [*c]c.AVStream = null,
    aout: [*c]c.AVStream = null,
    vidx: c_int = -1,
    aidx: c_int = -1,
    w: usize = 0,
    h: usize = 0,
    created: bool = false,
    /// One frame period in the encoder's time base (0: unknown).
    frame_dur: i64 = 0,

    active: std.ArrayList(usize) = .empty,
    have_active: bool = false,
    layout: ?draw.Layout = null,
    cells: std.AutoHashMapUnmanaged(usize, [][]Cell) = .empty,
    sum: Summary = .{},

    fn deinit(j: *Job) void {
        if (j.oc != null) {
            if (j.oc.*.pb != null) _ = c.avio_closep(&j.oc.*.pb);
            c.avformat_free_context(j.oc);
            j.oc = null;
        }
        c.avcodec_free_context(&j.enc);
        c.avcodec_free_context(&j.dec);
        c.av_frame_free(&j.frame);
        c.av_packet_free(&j.pkt);
        c.avformat_close_input(&j.ic);
        if (j.layout) |*l| l.deinit(j.gpa);
        var it = j.cells.valueIterator();
        while (it.next()) |v| subs_mod.freeCells(j.gpa, v.*);
        j.cells.deinit(j.gpa);
        j.active.deinit(j.gpa);
    }

    fn inErr(j: *Job, comptime fmt: []const u8, args: anytype) error{Failed} {
        var buf: [512]u8 = undefined;
        const msg = std.fmt.bufPrint(&buf, fmt, args) catch fmt;
        return j.diag.fail("{s}: {s}", .{ j.in_path, msg });
    }

    fn inAv(j: *Job, code: c_int) error{Failed} {
        var buf: [256]u8 = undefined;
        return j.diag.fail("{s}: {s}", .{ j.in_path, averr(code, &buf) });
    }

    fn outAv(j: *Job, code: c_int) error{Failed} {
        var buf: [256]u8 = undefined;
        return j.diag.fail("{s}: {s}", .{ j.out_path, averr(code, &buf) });
    }

    fn run(j: *Job) error{ Failed, OutOfMemory }!void {
        var buf: [256]u8 = undefined;
        const ret_in = c.avformat_open_input(&j.ic, j.in_path.ptr, null, null);
        if (ret_in < 0) return j.inErr("cannot open: {s}", .{averr(ret_in, &buf)});
        const ret_info = c.avformat_find_stream_info(j.ic, null);
        if (ret_info < 0) return j.inErr("cannot open: {s}", .{averr(ret_info, &buf)});
        var codec: [*c]const c.AVCodec = null;
        j.vidx = c.av_find_best_stream(j.ic, c.AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
        if (j.vidx < 0) return j.inErr("no video stream", .{});
        j.vin = j.ic.*.streams[@intCast(j.vidx)];
        j.aidx = c.av_find_best_stream(j.ic, c.AVMEDIA_TYPE_AUDIO, -1, -1, null, 0);
        if (j.aidx >= 0) j.ain = j.ic.*.streams[@intCast(j.aidx)];
        const par = j.vin.*.codecpar;
        if (par.*.format != c.AV_PIX_FMT_YUV420P) {
            const name = c.av_get_pix_fmt_name(par.*.format);
            return j.inErr("unsupported pixel format {s} (only yuv420p)", .{if (name != null) std.mem.span(name) else "?"});
        }
        j.w = @intCast(par.*.width);
        j.h = @intCast(par.*.height);
        if (j.w % 2 != 0 or j.h % 2 != 0) return j.inErr("odd frame size {d}x{d}", .{ j.w, j.h });
        try j.checkDuration();

        // Decoder.
        j.dec = c.avcodec_alloc_context3(codec);
        if (j.dec == null) return error.OutOfMemory;
        const ret_par_dec = c.avcodec_parameters_to_context(j.dec, par);
        if (ret_par_dec < 0) return j.inAv(ret_par_dec);
        j.dec.*.pkt_timebase = j.vin.*.time_base;
        j.dec.*.thread_count = 1;
        const ret_dec = c.avcodec_open2(j.dec, codec, null);
        if (ret_dec < 0) return j.inErr("cannot open decoder: {s}", .{averr(ret_dec, &buf)});

        // Output context, encoder, streams.
        const ret_oc = c.avformat_alloc_output_context2(&j.oc, null, "mp4", j.tmp_path.ptr);
        if (ret_oc < 0) return j.outAv(ret_oc);
        try j.openEncoder();
        j.vout = c.avformat_new_stream(j.oc, null);
        if (j.vout == null) return error.OutOfMemory;
        const ret_par = c.avcodec_parameters_from_context(j.vout.*.codecpar, j.enc);
        if (ret_par < 0) return j.outAv(ret_par);
        j.vout.*.time_base = j.enc.*.time_base;
        if (j.ain != null) {
            j.aout = c.avformat_new_stream(j.oc, null);
            if (j.aout == null) return error.OutOfMemory;
            const ret_copy = c.avcodec_parameters_copy(j.aout.*.codecpar, j.ain.*.codecpar);
            if (ret_copy < 0) return j.outAv(ret_copy);
            j.aout.*.codecpar.*.codec_tag = 0;
            j.aout.*.time_base = j.ain.*.time_base;
        }
        const ret_open = c.avio_open(&j.oc.*.pb, j.tmp_path.ptr, c.AVIO_FLAG_WRITE);
        if (ret_open < 0) return j.outAv(ret_open);
        j.created = true;
        const ret_hdr = c.avformat_write_header(j.oc, null);
        if (ret_hdr < 0) return j.outAv(ret_hdr);

        // Transcode.
        j.pkt = c.av_packet_alloc();
        j.frame = c.av_frame_alloc();
        if (j.pkt == null or j.frame == null) return error.OutOfMemory;
        while (true) {
            const ret = c.av_read_frame(j.ic, j.pkt);
            if (ret == err_eof) break;
            if (ret < 0) return j.inAv(ret);
            if (j.pkt.*.stream_index == j.vidx) {
                const sent = c.avcodec_send_packet(j.dec, j.pkt);
                c.av_packet_unref(j.pkt);
                if (sent < 0) return j.inAv(sent);
                try j.receiveFrames();
            } else if (j.pkt.*.stream_index == j.aidx) {
                c.av_packet_rescale_ts(j.pkt, j.ain.*.time_base, j.aout.*.time_base);
                j.pkt.*.stream_index = 1;
                j.pkt.*.pos = -1;
                const wr = c.av_interleaved_write_frame(j.oc, j.pkt);
                if (wr < 0) return j.outAv(wr);
                j.sum.audio_packets += 1;
            } else {
                c.av_packet_unref(j.pkt);
            }
        }
        const flush = c.avcodec_send_packet(j.dec, null);
        if (flush < 0) return j.inAv(flush);
        try j.receiveFrames();
        const eos = c.avcodec_send_frame(j.enc, null);
        if (eos < 0) return j.outAv(eos);
        try j.receivePackets();
        const nb = j.vin.*.nb_frames;
        if (nb > 0 and j.sum.frames != nb)
            return j.inErr("truncated or corrupt: decoded {d} of {d} frames", .{ j.sum.frames, nb });
        const ret_tr = c.av_write_trailer(j.oc);
        if (ret_tr < 0) return j.outAv(ret_tr);
        const ret_close = c.avio_closep(&j.oc.*.pb);
        if (ret_close < 0) return j.outAv(ret_close);
    }

    /// Rejects a cue that starts at or after the end of the video.
    fn checkDuration(j: *Job) error{Failed}!void {
        const dur = j.vin.*.duration;
        const d: i64 = if (dur > 0)
            rescaleMs(dur, j.vin.*.time_base)
        else if (j.ic.*.duration > 0)
            @divTrunc(j.ic.*.duration, 1000)
        else
            return;
        for (j.subs.cues) |cue| {
            if (cue.start >= d) return j.diag.fail("{s}:{d}: cue starts at {d} ms, at or after the end of the video ({d} ms)", .{
                j.subs_path, cue.line, cue.start, d,
            });
        }
    }

    fn openEncoder(j: *Job) error{ Failed, OutOfMemory }!void {
        const codec = c.avcodec_find_encoder_by_name("libx264");
        if (codec == null) return j.diag.fail("{s}: libx264 encoder not available", .{j.out_path});
        j.enc = c.avcodec_alloc_context3(codec);
        if (j.enc == null) return error.OutOfMemory;
        const par = j.vin.*.codecpar;
        const e = j.enc;
        e.*.width = par.*.width;
        e.*.height = par.*.height;
        e.*.pix_fmt = c.AV_PIX_FMT_YUV420P;
        e.*.time_base = j.vin.*.time_base;
        e.*.framerate = j.vin.*.avg_frame_rate;
        e.*.sample_aspect_ratio = par.*.sample_aspect_ratio;
        e.*.color_range = par.*.color_range;
        e.*.color_primaries = par.*.color_primaries;
        e.*.color_trc = par.*.color_trc;
        e.*.colorspace = par.*.color_space;
        e.*.chroma_sample_location = par.*.chroma_location;
        e.*.gop_size = 60;
        e.*.thread_count = 1;
        e.*.flags |= c.AV_CODEC_FLAG_GLOBAL_HEADER;
        var opts: ?*c.AVDictionary = null;
        defer c.av_dict_free(&opts);
        if (c.av_dict_set(&opts, "preset", "ultrafast", 0) < 0) return error.OutOfMemory;
        if (c.av_dict_set(&opts, "qp", "0", 0) < 0) return error.OutOfMemory;
        const ret = c.avcodec_open2(e, codec, &opts);
        if (ret < 0) {
            var buf: [256]u8 = undefined;
            return j.diag.fail("{s}: cannot open libx264: {s}", .{ j.out_path, averr(ret, &buf) });
        }
        const fr = e.*.framerate;
        if (fr.num > 0 and fr.den > 0) j.frame_dur = c.av_rescale_q(1, .{ .num = fr.den, .den = fr.num }, e.*.time_base);
    }

    fn receiveFrames(j: *Job) error{ Failed, OutOfMemory }!void {
        while (true) {
            const ret = c.avcodec_receive_frame(j.dec, j.frame);
            if (ret == err_again or ret == err_eof) return;
            if (ret < 0) return j.inAv(ret);
            defer c.av_frame_unref(j.frame);
            try j.processFrame();
        }
    }

    fn processFrame(j: *Job) error{ Failed, OutOfMemory }!void {
        const f = j.frame;
        const ts = f.*.best_effort_timestamp;
        if (ts == no_pts) return j.inErr("frame {d} has no timestamp", .{j.sum.frames});
        if (f.*.format != c.AV_PIX_FMT_YUV420P or f.*.width != j.w or f.*.height != j.h)
            return j.inErr("frame {d}: format or size changed", .{j.sum.frames});
        try j.updateLayout(rescaleMs(ts, j.vin.*.time_base));
        if (j.layout) |*l| {
            const ret = c.av_frame_make_writable(f);
            if (ret < 0) return j.inAv(ret);
            const ly: usize = @intCast(f.*.linesize[0]);
            const lu: usize = @intCast(f.*.linesize[1]);
            const lv: usize = @intCast(f.*.linesize[2]);
            l.draw(f.*.data[0][0 .. ly * j.h], f.*.data[1][0 .. lu * j.h / 2], f.*.data[2][0 .. lv * j.h / 2], ly, lu, lv);
            j.sum.frames_with_text += 1;
        }
        f.*.pts = ts;
        f.*.pict_type = c.AV_PICTURE_TYPE_NONE;
        j.sum.frames += 1;
        const ret = c.avcodec_send_frame(j.enc, f);
        if (ret < 0) return j.outAv(ret);
        try j.receivePackets();
    }

    /// Recomputes the layout when the set of cues active at `ms` changes.
    fn updateLayout(j: *Job, ms: i64) error{OutOfMemory}!void {
        var act: std.ArrayList(usize) = .empty;
        defer act.deinit(j.gpa);
        for (j.subs.cues, 0..) |cue, i| {
            if (cue.start <= ms and ms < cue.end) try act.append(j.gpa, i);
        }
        if (j.have_active and std.mem.eql(usize, act.items, j.active.items)) return;
        j.active.clearRetainingCapacity();
        try j.active.appendSlice(j.gpa, act.items);
        j.have_active = true;
        var block: std.ArrayList([]const Cell) = .empty;
        defer block.deinit(j.gpa);
        for (act.items) |i| {
            const entry = try j.cells.getOrPut(j.gpa, i);
            if (!entry.found_existing) {
                entry.value_ptr.* = subs_mod.cells(j.gpa, j.subs.cues[i], j.subs.vtt) catch |err| {
                    j.cells.removeByPtr(entry.key_ptr);
                    return err;
                };
            }
            for (entry.value_ptr.*) |line| try block.append(j.gpa, line);
        }
        if (j.layout) |*l| l.deinit(j.gpa);
        j.layout = null;
        j.layout = try draw.Layout.init(j.gpa, j.font, block.items, j.w, j.h);
    }

    fn receivePackets(j: *Job) error{Failed}!void {
        while (true) {
            const ret = c.avcodec_receive_packet(j.enc, j.pkt);
            if (ret == err_again or ret == err_eof) return;
            if (ret < 0) return j.outAv(ret);
            j.pkt.*.stream_index = 0;
            j.pkt.*.duration = j.frame_dur;
            c.av_packet_rescale_ts(j.pkt, j.enc.*.time_base, j.vout.*.time_base);
            const wr = c.av_interleaved_write_frame(j.oc, j.pkt);
            if (wr < 0) return j.outAv(wr);
        }
    }
};

/// Runs the whole job. The MP4 is written to `<out>.partial` and renamed at the end; on error the
/// partial file is removed and the message is in `diag`.
pub fn burnIn(
    gpa: Allocator,
    io: Io,
    in_path: [:0]const u8,
    subs_path: []const u8,
    out_path: []const u8,
    subs: *const Subtitles,
    font: *const draw.Font,
    diag: *Diag,
) error{ Failed, OutOfMemory }!Summary {
    c.av_log_set_level(c.AV_LOG_QUIET);
    const tmp = try std.fmt.allocPrintSentinel(gpa, "{s}.partial", .{out_path}, 0);
    defer gpa.free(tmp);
    var j: Job = .{
        .gpa = gpa,
        .diag = diag,
        .in_path = in_path,
        .subs_path = subs_path,
        .out_path = out_path,
        .tmp_path = tmp,
        .subs = subs,
        .font = font,
    };
    j.sum.cues = subs.cues.len;
    const result = j.run();
    const created = j.created;
    j.deinit();
    const cwd = Io.Dir.cwd();
    result catch |err| {
        if (created) cwd.deleteFile(io, tmp) catch {};
        return err;
    };
    Io.Dir.rename(cwd, tmp, cwd, out_path, io) catch |err| {
        cwd.deleteFile(io, tmp) catch {};
        return diag.fail("{s}: {s}", .{ out_path, @errorName(err) });
    };
    return j.sum;
}

/// Decodes every frame of `path`'s best video stream into packed YUV 4:2:0 buffers (Y rows, then
/// U, then V). Used by the tests to compare outputs with inputs. Free with `freeFrames`.
pub fn decodeFrames(gpa: Allocator, path: [:0]const u8) ![][]u8 {
    c.av_log_set_level(c.AV_LOG_QUIET);
    var ic: [*c]c.AVFormatContext = null;
    if (c.avformat_open_input(&ic, path.ptr, null, null) < 0) return error.CannotOpen;
    defer c.avformat_close_input(&ic);
    if (c.avformat_find_stream_info(ic, null) < 0) return error.CannotOpen;
    var codec: [*c]const c.AVCodec = null;
    const vidx = c.av_find_best_stream(ic, c.AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
    if (vidx < 0) return error.NoVideo;
    var dec = c.avcodec_alloc_context3(codec);
    defer c.avcodec_free_context(&dec);
    _ = c.avcodec_parameters_to_context(dec, ic.*.streams[@intCast(vidx)].*.codecpar);
    dec.*.thread_count = 1;
    if (c.avcodec_open2(dec, codec, null) < 0) return error.Decoder;
    var pkt = c.av_packet_alloc();
    defer c.av_packet_free(&pkt);
    var frame = c.av_frame_alloc();
    defer c.av_frame_free(&frame);
    var frames: std.ArrayList([]u8) = .empty;
    errdefer {
        for (frames.items) |f| gpa.free(f);
        frames.deinit(gpa);
    }
    var eof = false;
    while (true) {
        if (!eof) {
            if (c.av_read_frame(ic, pkt) < 0) {
                eof = true;
                _ = c.avcodec_send_packet(dec, null);
            } else {
                if (pkt.*.stream_index == vidx) _ = c.avcodec_send_packet(dec, pkt);
                c.av_packet_unref(pkt);
            }
        }
        while (true) {
            const ret = c.avcodec_receive_frame(dec, frame);
            if (ret == err_again) break;
            if (ret == err_eof) return frames.toOwnedSlice(gpa);
            if (ret < 0) return error.Decode;
            defer c.av_frame_unref(frame);
            const w: usize = @intCast(frame.*.width);
            const h: usize = @intCast(frame.*.height);
            const buf = try gpa.alloc(u8, w * h * 3 / 2);
            var off: usize = 0;
            for (0..3) |p| {
                const pw = if (p == 0) w else w / 2;
                const ph = if (p == 0) h else h / 2;
                const ls: usize = @intCast(frame.*.linesize[p]);
                for (0..ph) |y| {
                    @memcpy(buf[off..][0..pw], frame.*.data[p][y * ls ..][0..pw]);
                    off += pw;
                }
            }
            frames.append(gpa, buf) catch |err| {
                gpa.free(buf);
                return err;
            };
        }
    }
}

pub fn freeFrames(gpa: Allocator, frames: [][]u8) void {
    for (frames) |f| gpa.free(f);
    gpa.free(frames);
}
