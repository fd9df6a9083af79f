//! The remux: one libavformat MPEG-TS muxer whose output file is switched at every cut
//! (README.md, "Processing"), through the translate-c bindings of src/av.h.
const std = @import("std");
const Io = std.Io;
const Allocator = std.mem.Allocator;
const c = @import("av");
const playlist = @import("playlist.zig");

pub const playlist_name = "index.m3u8";

pub const Error = error{ Failed, OutOfMemory };

/// What went wrong: the file concerned and the reason (printed as `<path>: <reason>`).
pub const Diag = struct {
    path: []const u8 = "",
    reason: []const u8 = "",
    path_buf: [4096]u8 = undefined,
    reason_buf: [512]u8 = undefined,

    fn fail(d: *Diag, path: []const u8, comptime fmt: []const u8, args: anytype) error{Failed} {
        const n = @min(path.len, d.path_buf.len);
        @memcpy(d.path_buf[0..n], path[0..n]);
        d.path = d.path_buf[0..n];
        d.reason = std.mem.print(&d.reason_buf, fmt, args) catch &d.reason_buf;
        return error.Failed;
    }

    fn failAv(d: *Diag, path: []const u8, code: c_int) error{Failed} {
        var buf: [c.AV_ERROR_MAX_STRING_SIZE]u8 = undefined;
        _ = c.av_strerror(code, &buf, buf.len);
        return d.fail(path, "{s}", .{std.mem.sliceTo(&buf, 0)});
    }
};

const us_tb: c.AVRational = .{ .num = 1, .den = 1_000_000 };

const Segmenter = struct {
    gpa: Allocator,
    out_dir: []const u8,
    diag: *Diag,
    in: [*c]c.AVFormatContext = null,
    out: [*c]c.AVFormatContext = null,
    pkt: [*c]c.AVPacket = null,
    /// Files written so far (removed again if the run fails).
    created: std.ArrayList([:0]u8) = .empty,
    durations: std.ArrayList(i64) = .empty,

    /// Frees every FFmpeg object (closing an open segment file).
    fn closeAv(s: *Segmenter) void {
        if (s.pkt != null) c.av_packet_free(&s.pkt);
        if (s.out != null) {
            if (s.out.*.pb != null) _ = c.avio_closep(&s.out.*.pb);
            c.avformat_free_context(s.out);
            s.out = null;
        }
        if (s.in != null) c.avformat_close_input(&s.in);
    }

    fn deinit(s: *Segmenter) void {
        s.closeAv();
        for (s.created.items) |p| s.gpa.free(p);
        s.created.deinit(s.gpa);
        s.durations.deinit(s.gpa);
    }

    fn removeCreated(s: *Segmenter, io: Io) void {
        for (s.created.items) |p| Io.Dir.cwd().deleteFile(io, p) catch {};
    }

    fn addPath(s: *Segmenter, name: []const u8) Error![:0]const u8 {
        const p = try std.fs.path.joinZ(s.gpa, &.{ s.out_dir, name });
        s.created.append(s.gpa, p) catch |e| {
            s.gpa.free(p);
            return e;
        };
        return p;
    }

    /// The segment file currently open (the last file created while remuxing).
    fn current(s: *Segmenter) []const u8 {
        return s.created.items[s.created.items.len - 1];
    }

    fn openSegment(s: *Segmenter, k: usize) Error!void {
        var buf: [32]u8 = undefined;
        const path = try s.addPath(playlist.segmentName(&buf, k));
        const ret = c.avio_open(&s.out.*.pb, path.ptr, c.AVIO_FLAG_WRITE);
        if (ret < 0) return s.diag.failAv(path, ret);
    }

    fn closeSegment(s: *Segmenter) Error!void {
        var ret = c.av_write_frame(s.out, null);
        if (ret < 0) return s.diag.failAv(s.current(), ret);
        ret = c.avio_closep(&s.out.*.pb);
        if (ret < 0) return s.diag.failAv(s.current(), ret);
    }

    fn segment(s: *Segmenter, input: [:0]const u8, target: i64) Error!void {
        const d = s.diag;
        var ret = c.avformat_open_input(&s.in, input.ptr, null, null);
        if (ret < 0) return d.failAv(input, ret);
        ret = c.avformat_find_stream_info(s.in, null);
        if (ret < 0) return d.failAv(input, ret);

        // The first video stream and the first audio stream, in input order.
        const in_streams = s.in.*.streams[0..s.in.*.nb_streams];
        var video: ?usize = null;
        var audio: ?usize = null;
        for (in_streams, 0..) |st, i| {
            const kind = st.*.codecpar.*.codec_type;
            if (kind == c.AVMEDIA_TYPE_VIDEO and video == null) video = i;
            if (kind == c.AVMEDIA_TYPE_AUDIO and audio == null) audio = i;
        }
        const vidx = video orelse return d.fail(input, "no video stream", .{});

        ret = c.avformat_alloc_output_context2(&s.out, null, "mpegts", null);
        if (ret < 0) return d.failAv(input, ret);
        s.out.*.max_delay = 700_000; // 0.7 s, as the ffmpeg CLI's default -muxdelay
        const out_index = try s.gpa.alloc(?c_int, in_streams.len);
        defer s.gpa.free(out_index);
        @memset(out_index, null);
        for (in_streams, 0..) |st, i| {
            if (i != vidx and (audio == null or i != audio.?)) continue;
            const ost = c.avformat_new_stream(s.out, null);
            if (ost == null) return error.OutOfMemory;
            ret = c.avcodec_parameters_copy(ost.*.codecpar, st.*.codecpar);
            if (ret < 0) return d.failAv(input, ret);
            ost.*.codecpar.*.codec_tag = 0;
            ost.*.time_base = st.*.time_base;
            ret = c.av_dict_copy(&ost.*.metadata, st.*.metadata, 0);
            if (ret < 0) return d.failAv(input, ret);
            out_index[i] = ost.*.index;
        }

        try s.openSegment(0);
        // One PAT/PMT per segment, no periodic tables (as FFmpeg's own HLS muxer sets them).
        var opts: ?*c.AVDictionary = null;
        _ = c.av_dict_set(&opts, "pat_period", "1073741822", 0);
        _ = c.av_dict_set(&opts, "sdt_period", "1073741822", 0);
        ret = c.avformat_write_header(s.out, &opts);
        const left = c.av_dict_count(opts);
        c.av_dict_free(&opts);
        if (ret < 0) return d.failAv(s.current(), ret);
        if (left != 0) return d.fail(s.current(), "muxer option not recognised", .{});
        const out_streams = s.out.*.streams[0..s.out.*.nb_streams];

        s.pkt = c.av_packet_alloc();
        if (s.pkt == null) return error.OutOfMemory;
        const pkt = s.pkt;
        const vtb = in_streams[vidx].*.time_base;
        var seg: usize = 0;
        var pts0: ?i64 = null;
        var end: i64 = 0;
        var cuts: std.ArrayList(i64) = .empty; // pts of the first video packet of every segment
        defer cuts.deinit(s.gpa);
        while (true) {
            ret = c.av_read_frame(s.in, pkt);
            if (ret == c.AVERROR_EOF) break;
            if (ret < 0) {
                var buf: [c.AV_ERROR_MAX_STRING_SIZE]u8 = undefined;
                _ = c.av_strerror(ret, &buf, buf.len);
                return d.fail(input, "read error: {s}", .{std.mem.sliceTo(&buf, 0)});
            }
            defer c.av_packet_unref(pkt);
            const si: usize = @intCast(pkt.*.stream_index);
            if (si >= out_index.len) continue;
            const oi = out_index[si] orelse continue;
            if (pkt.*.flags & c.AV_PKT_FLAG_CORRUPT != 0)
                return d.fail(input, "corrupt packet in stream {d} (truncated or damaged file)", .{si});
            if (si == vidx) {
                const pts = pkt.*.pts;
                if (pts == c.AV_NOPTS_VALUE) return d.fail(input, "video packet without timestamp", .{});
                const key = pkt.*.flags & c.AV_PKT_FLAG_KEY != 0;
                if (pts0) |p0| {
                    const boundary = (@as(i64, @intCast(seg)) + 1) * target * 1_000_000;
                    if (key and c.av_compare_ts(pts - p0, vtb, boundary, us_tb) >= 0) {
                        try s.closeSegment();
                        seg += 1;
                        try s.openSegment(seg);
                        _ = c.av_opt_set(s.out.*.priv_data, "mpegts_flags", "resend_headers", 0);
                        try cuts.append(s.gpa, pts);
                    }
                } else {
                    if (!key) return d.fail(input, "first video packet is not a keyframe", .{});
                    pts0 = pts;
                    end = pts;
                    try cuts.append(s.gpa, pts);
                }
                end = @max(end, pts + pkt.*.duration);
            }
            const ou: usize = @intCast(oi);
            c.av_packet_rescale_ts(pkt, in_streams[si].*.time_base, out_streams[ou].*.time_base);
            pkt.*.stream_index = oi;
            pkt.*.pos = -1;
            ret = c.av_write_frame(s.out, pkt);
            if (ret < 0) return d.failAv(s.current(), ret);
        }
        if (pts0 == null) return d.fail(input, "no video packets", .{});
        ret = c.av_write_trailer(s.out);
        if (ret < 0) return d.failAv(s.current(), ret);
        ret = c.avio_closep(&s.out.*.pb);
        if (ret < 0) return d.failAv(s.current(), ret);

        // Segment k spans [cuts[k], cuts[k+1]), the last one [cuts[last], end); each duration
        // is converted to microseconds on its own (av_rescale_q rounds half away from zero).
        try s.durations.ensureTotalCapacity(s.gpa, cuts.items.len);
        for (cuts.items, 0..) |cut, k| {
            const next = if (k + 1 < cuts.items.len) cuts.items[k + 1] else end;
            s.durations.appendAssumeCapacity(c.av_rescale_q(next - cut, vtb, us_tb));
        }
    }

    fn writePlaylist(s: *Segmenter, io: Io) Error!void {
        var aw: Io.Writer.Allocating = .init(s.gpa);
        defer aw.deinit();
        playlist.write(&aw.writer, s.durations.items) catch return error.OutOfMemory;
        const tmp = try s.addPath(playlist_name ++ ".tmp");
        const cwd = Io.Dir.cwd();
        cwd.writeFile(io, .{ .sub_path = tmp, .data = aw.written() }) catch |e|
            return s.diag.fail(tmp, "{s}", .{@errorName(e)});
        const final = try std.fs.path.join(s.gpa, &.{ s.out_dir, playlist_name });
        defer s.gpa.free(final);
        Io.Dir.rename(cwd, tmp, cwd, final, io) catch |e|
            return s.diag.fail(final, "{s}", .{@errorName(e)});
    }
};

/// Segments `input` into `out_dir` (an existing directory) with segments of about `target`
/// seconds, then writes the playlist last. On failure `diag` says why and every file the run
/// created has been removed again.
pub fn run(gpa: Allocator, io: Io, input: [:0]const u8, out_dir: []const u8, target: i64, diag: *Diag) Error!void {
    const st = Io.Dir.cwd().statFile(io, out_dir, .{}) catch |e|
        return diag.fail(out_dir, "output directory: {s}", .{@errorName(e)});
    if (st.kind != .directory) return diag.fail(out_dir, "not a directory", .{});
    c.av_log_set_level(c.AV_LOG_ERROR);

    var s: Segmenter = .{ .gpa = gpa, .out_dir = out_dir, .diag = diag };
    defer s.deinit();
    s.segment(input, target) catch |e| {
        if (e == error.OutOfMemory) diag.fail(input, "out of memory", .{}) catch {};
        s.closeAv();
        s.removeCreated(io);
        return e;
    };
    s.closeAv();
    s.writePlaylist(io) catch |e| {
        if (e == error.OutOfMemory) diag.fail(out_dir, "out of memory", .{}) catch {};
        s.removeCreated(io);
        return e;
    };
}
