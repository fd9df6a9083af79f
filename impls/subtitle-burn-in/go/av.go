package main

/*
#cgo pkg-config: libavformat libavcodec libavutil
#include <errno.h>
#include <stdlib.h>
#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>
#include <libavutil/avutil.h>
#include <libavutil/mathematics.h>
#include <libavutil/pixdesc.h>

static int err_again(void) { return AVERROR(EAGAIN); }
static int err_eof(void) { return AVERROR_EOF; }
static int64_t no_pts(void) { return AV_NOPTS_VALUE; }
static AVStream *stream_at(AVFormatContext *f, int i) { return f->streams[i]; }
*/
import "C"

import (
	"fmt"
	"os"
	"slices"
	"unsafe"
)

var (
	errAgain = C.err_again()
	errEOF   = C.err_eof()
	noPTS    = C.no_pts()
)

func averr(code C.int) string {
	var buf [256]C.char
	C.av_strerror(code, &buf[0], C.size_t(len(buf)))
	return C.GoString(&buf[0])
}

// Summary is the program's one-line JSON report.
type Summary struct {
	Frames, FramesWithText, Cues, AudioPackets int
}

func (s Summary) JSON() string {
	return fmt.Sprintf(`{"frames":%d,"frames_with_text":%d,"cues":%d,"audio_packets":%d}`,
		s.Frames, s.FramesWithText, s.Cues, s.AudioPackets)
}

// transcoder owns every FFmpeg object of one run; free releases them on every path.
type transcoder struct {
	inPath, subsPath, outPath, tmpPath string
	subs                               *Subtitles
	font                               *Font

	ic, oc     *C.AVFormatContext
	dec, enc   *C.AVCodecContext
	pkt        *C.AVPacket
	frame      *C.AVFrame
	vin, ain   *C.AVStream
	vout, aout *C.AVStream
	vidx, aidx C.int
	w, h       int
	frameDur   C.int64_t // one frame period in the encoder's time base (0: unknown)

	active []int   // indices of the cues active on the previous frame
	layout *Layout // their layout (nil: nothing to draw)
	cells  map[int][][]Cell
	sum    Summary
}

func (t *transcoder) free() {
	if t.oc != nil {
		if t.oc.pb != nil {
			C.avio_closep(&t.oc.pb)
		}
		C.avformat_free_context(t.oc)
		t.oc = nil
	}
	C.avcodec_free_context(&t.enc)
	C.avcodec_free_context(&t.dec)
	C.av_frame_free(&t.frame)
	C.av_packet_free(&t.pkt)
	C.avformat_close_input(&t.ic)
}

func (t *transcoder) inErr(format string, args ...any) error {
	return fmt.Errorf("%s: %s", t.inPath, fmt.Sprintf(format, args...))
}

func (t *transcoder) outErr(code C.int) error {
	return fmt.Errorf("%s: %s", t.outPath, averr(code))
}

// BurnIn runs the whole job: subtitles already parsed, video in, MP4 out.
func BurnIn(inPath, subsPath, outPath string, subs *Subtitles, font *Font) (Summary, error) {
	C.av_log_set_level(C.AV_LOG_QUIET)
	t := &transcoder{inPath: inPath, subsPath: subsPath, outPath: outPath, tmpPath: outPath + ".partial",
		subs: subs, font: font, cells: map[int][][]Cell{}}
	t.sum.Cues = len(subs.Cues)
	err := t.run()
	created := t.oc != nil && t.oc.pb != nil
	t.free()
	if err != nil {
		if created {
			os.Remove(t.tmpPath)
		}
		return Summary{}, err
	}
	if err := os.Rename(t.tmpPath, outPath); err != nil {
		os.Remove(t.tmpPath)
		return Summary{}, fmt.Errorf("%s: %v", outPath, err)
	}
	return t.sum, nil
}

func (t *transcoder) run() error {
	cin := C.CString(t.inPath)
	defer C.free(unsafe.Pointer(cin))
	if ret := C.avformat_open_input(&t.ic, cin, nil, nil); ret < 0 {
		return t.inErr("cannot open: %s", averr(ret))
	}
	if ret := C.avformat_find_stream_info(t.ic, nil); ret < 0 {
		return t.inErr("cannot open: %s", averr(ret))
	}
	var codec *C.AVCodec
	t.vidx = C.av_find_best_stream(t.ic, C.AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0)
	if t.vidx < 0 {
		return t.inErr("no video stream")
	}
	t.vin = C.stream_at(t.ic, t.vidx)
	t.aidx = C.av_find_best_stream(t.ic, C.AVMEDIA_TYPE_AUDIO, -1, -1, nil, 0)
	if t.aidx >= 0 {
		t.ain = C.stream_at(t.ic, t.aidx)
	}
	par := t.vin.codecpar
	if par.format != C.AV_PIX_FMT_YUV420P {
		return t.inErr("unsupported pixel format %s (only yuv420p)", pixFmtName(par.format))
	}
	t.w, t.h = int(par.width), int(par.height)
	if t.w%2 != 0 || t.h%2 != 0 {
		return t.inErr("odd frame size %dx%d", t.w, t.h)
	}
	if err := t.checkDuration(); err != nil {
		return err
	}

	// Decoder.
	t.dec = C.avcodec_alloc_context3(codec)
	if t.dec == nil {
		return t.inErr("out of memory")
	}
	if ret := C.avcodec_parameters_to_context(t.dec, par); ret < 0 {
		return t.inErr("%s", averr(ret))
	}
	t.dec.pkt_timebase = t.vin.time_base
	t.dec.thread_count = 1
	if ret := C.avcodec_open2(t.dec, codec, nil); ret < 0 {
		return t.inErr("cannot open decoder: %s", averr(ret))
	}

	// Output context, encoder, streams.
	cfmt, ctmp := C.CString("mp4"), C.CString(t.tmpPath)
	defer C.free(unsafe.Pointer(cfmt))
	defer C.free(unsafe.Pointer(ctmp))
	if ret := C.avformat_alloc_output_context2(&t.oc, nil, cfmt, ctmp); ret < 0 {
		return t.outErr(ret)
	}
	if err := t.openEncoder(); err != nil {
		return err
	}
	t.vout = C.avformat_new_stream(t.oc, nil)
	if t.vout == nil {
		return t.outErr(C.AVERROR_UNKNOWN)
	}
	if ret := C.avcodec_parameters_from_context(t.vout.codecpar, t.enc); ret < 0 {
		return t.outErr(ret)
	}
	t.vout.time_base = t.enc.time_base
	if t.ain != nil {
		t.aout = C.avformat_new_stream(t.oc, nil)
		if t.aout == nil {
			return t.outErr(C.AVERROR_UNKNOWN)
		}
		if ret := C.avcodec_parameters_copy(t.aout.codecpar, t.ain.codecpar); ret < 0 {
			return t.outErr(ret)
		}
		t.aout.codecpar.codec_tag = 0
		t.aout.time_base = t.ain.time_base
	}
	if ret := C.avio_open(&t.oc.pb, ctmp, C.AVIO_FLAG_WRITE); ret < 0 {
		return t.outErr(ret)
	}
	if ret := C.avformat_write_header(t.oc, nil); ret < 0 {
		return t.outErr(ret)
	}

	// Transcode.
	if t.pkt = C.av_packet_alloc(); t.pkt == nil {
		return t.inErr("out of memory")
	}
	if t.frame = C.av_frame_alloc(); t.frame == nil {
		return t.inErr("out of memory")
	}
	for {
		ret := C.av_read_frame(t.ic, t.pkt)
		if ret == errEOF {
			break
		}
		if ret < 0 {
			return t.inErr("%s", averr(ret))
		}
		switch t.pkt.stream_index {
		case t.vidx:
			ret = C.avcodec_send_packet(t.dec, t.pkt)
			C.av_packet_unref(t.pkt)
			if ret < 0 {
				return t.inErr("%s", averr(ret))
			}
			if err := t.receiveFrames(); err != nil {
				return err
			}
		case t.aidx:
			C.av_packet_rescale_ts(t.pkt, t.ain.time_base, t.aout.time_base)
			t.pkt.stream_index = 1
			t.pkt.pos = -1
			if ret := C.av_interleaved_write_frame(t.oc, t.pkt); ret < 0 {
				return t.outErr(ret)
			}
			t.sum.AudioPackets++
		default:
			C.av_packet_unref(t.pkt)
		}
	}
	if ret := C.avcodec_send_packet(t.dec, nil); ret < 0 {
		return t.inErr("%s", averr(ret))
	}
	if err := t.receiveFrames(); err != nil {
		return err
	}
	if ret := C.avcodec_send_frame(t.enc, nil); ret < 0 {
		return t.outErr(ret)
	}
	if err := t.receivePackets(); err != nil {
		return err
	}
	if nb := int(t.vin.nb_frames); nb > 0 && t.sum.Frames != nb {
		return t.inErr("truncated or corrupt: decoded %d of %d frames", t.sum.Frames, nb)
	}
	if ret := C.av_write_trailer(t.oc); ret < 0 {
		return t.outErr(ret)
	}
	if ret := C.avio_closep(&t.oc.pb); ret < 0 {
		return t.outErr(ret)
	}
	return nil
}

func pixFmtName(f C.int) string {
	if name := C.av_get_pix_fmt_name(int32(f)); name != nil {
		return C.GoString(name)
	}
	return fmt.Sprint(int(f))
}

// checkDuration rejects a cue that starts at or after the end of the video.
func (t *transcoder) checkDuration() error {
	var d int64 = -1
	if dur := t.vin.duration; dur > 0 && dur != noPTS {
		d = int64(C.av_rescale_rnd(dur, 1000*C.int64_t(t.vin.time_base.num), C.int64_t(t.vin.time_base.den),
			C.AV_ROUND_DOWN))
	} else if t.ic.duration > 0 && t.ic.duration != noPTS {
		d = int64(t.ic.duration) / 1000
	}
	if d < 0 {
		return nil
	}
	for _, c := range t.subs.Cues {
		if c.Start >= d {
			return fmt.Errorf("%s:%d: cue starts at %d ms, at or after the end of the video (%d ms)",
				t.subsPath, c.Line, c.Start, d)
		}
	}
	return nil
}

func (t *transcoder) openEncoder() error {
	name := C.CString("libx264")
	defer C.free(unsafe.Pointer(name))
	codec := C.avcodec_find_encoder_by_name(name)
	if codec == nil {
		return fmt.Errorf("%s: libx264 encoder not available", t.outPath)
	}
	if t.enc = C.avcodec_alloc_context3(codec); t.enc == nil {
		return t.outErr(C.AVERROR_UNKNOWN)
	}
	par := t.vin.codecpar
	e := t.enc
	e.width, e.height = par.width, par.height
	e.pix_fmt = C.AV_PIX_FMT_YUV420P
	e.time_base = t.vin.time_base
	e.framerate = t.vin.avg_frame_rate
	e.sample_aspect_ratio = par.sample_aspect_ratio
	e.color_range = par.color_range
	e.color_primaries = par.color_primaries
	e.color_trc = par.color_trc
	e.colorspace = par.color_space
	e.chroma_sample_location = par.chroma_location
	e.gop_size = 60
	e.thread_count = 1
	e.flags |= C.AV_CODEC_FLAG_GLOBAL_HEADER
	var opts *C.AVDictionary
	defer C.av_dict_free(&opts)
	for _, kv := range [][2]string{{"preset", "ultrafast"}, {"qp", "0"}} {
		k, v := C.CString(kv[0]), C.CString(kv[1])
		C.av_dict_set(&opts, k, v, 0)
		C.free(unsafe.Pointer(k))
		C.free(unsafe.Pointer(v))
	}
	if ret := C.avcodec_open2(e, codec, &opts); ret < 0 {
		return fmt.Errorf("%s: cannot open libx264: %s", t.outPath, averr(ret))
	}
	if fr := e.framerate; fr.num > 0 && fr.den > 0 {
		t.frameDur = C.av_rescale_q(1, C.AVRational{num: fr.den, den: fr.num}, e.time_base)
	}
	return nil
}

func (t *transcoder) receiveFrames() error {
	for {
		ret := C.avcodec_receive_frame(t.dec, t.frame)
		if ret == errAgain || ret == errEOF {
			return nil
		}
		if ret < 0 {
			return t.inErr("%s", averr(ret))
		}
		err := t.processFrame()
		C.av_frame_unref(t.frame)
		if err != nil {
			return err
		}
	}
}

func (t *transcoder) processFrame() error {
	f := t.frame
	ts := f.best_effort_timestamp
	if ts == noPTS {
		return t.inErr("frame %d has no timestamp", t.sum.Frames)
	}
	if f.format != C.AV_PIX_FMT_YUV420P || int(f.width) != t.w || int(f.height) != t.h {
		return t.inErr("frame %d: format or size changed", t.sum.Frames)
	}
	ms := int64(C.av_rescale_rnd(ts, 1000*C.int64_t(t.vin.time_base.num), C.int64_t(t.vin.time_base.den),
		C.AV_ROUND_DOWN))
	t.updateLayout(ms)
	if t.layout != nil {
		if ret := C.av_frame_make_writable(f); ret < 0 {
			return t.inErr("%s", averr(ret))
		}
		ly, lu, lv := int(f.linesize[0]), int(f.linesize[1]), int(f.linesize[2])
		py := unsafe.Slice((*byte)(unsafe.Pointer(f.data[0])), ly*t.h)
		pu := unsafe.Slice((*byte)(unsafe.Pointer(f.data[1])), lu*t.h/2)
		pv := unsafe.Slice((*byte)(unsafe.Pointer(f.data[2])), lv*t.h/2)
		t.layout.Draw(py, pu, pv, ly, lu, lv)
		t.sum.FramesWithText++
	}
	f.pts = ts
	f.pict_type = C.AV_PICTURE_TYPE_NONE
	t.sum.Frames++
	if ret := C.avcodec_send_frame(t.enc, f); ret < 0 {
		return t.outErr(ret)
	}
	return t.receivePackets()
}

// updateLayout recomputes the layout when the set of cues active at ms changes.
func (t *transcoder) updateLayout(ms int64) {
	var act []int
	for i := range t.subs.Cues {
		if c := &t.subs.Cues[i]; c.Start <= ms && ms < c.End {
			act = append(act, i)
		}
	}
	if t.active != nil && slices.Equal(act, t.active) {
		return
	}
	t.active = append(make([]int, 0, len(act)), act...)
	var block [][]Cell
	for _, i := range act {
		cs, ok := t.cells[i]
		if !ok {
			cs = Cells(&t.subs.Cues[i], t.subs.VTT)
			t.cells[i] = cs
		}
		block = append(block, cs...)
	}
	t.layout = NewLayout(t.font, block, t.w, t.h)
}

func (t *transcoder) receivePackets() error {
	for {
		ret := C.avcodec_receive_packet(t.enc, t.pkt)
		if ret == errAgain || ret == errEOF {
			return nil
		}
		if ret < 0 {
			return t.outErr(ret)
		}
		t.pkt.stream_index = 0
		t.pkt.duration = t.frameDur
		C.av_packet_rescale_ts(t.pkt, t.enc.time_base, t.vout.time_base)
		if ret := C.av_interleaved_write_frame(t.oc, t.pkt); ret < 0 {
			return t.outErr(ret)
		}
	}
}

// DecodeFrames decodes every frame of path's best video stream into packed YUV 4:2:0 buffers
// (Y rows, then U, then V, no padding). Used by the tests to compare outputs with inputs.
func DecodeFrames(path string) ([][]byte, error) {
	C.av_log_set_level(C.AV_LOG_QUIET)
	t := &transcoder{inPath: path}
	defer t.free()
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	if ret := C.avformat_open_input(&t.ic, cpath, nil, nil); ret < 0 {
		return nil, t.inErr("cannot open: %s", averr(ret))
	}
	if ret := C.avformat_find_stream_info(t.ic, nil); ret < 0 {
		return nil, t.inErr("cannot open: %s", averr(ret))
	}
	var codec *C.AVCodec
	if t.vidx = C.av_find_best_stream(t.ic, C.AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0); t.vidx < 0 {
		return nil, t.inErr("no video stream")
	}
	t.dec = C.avcodec_alloc_context3(codec)
	C.avcodec_parameters_to_context(t.dec, C.stream_at(t.ic, t.vidx).codecpar)
	t.dec.thread_count = 1
	if ret := C.avcodec_open2(t.dec, codec, nil); ret < 0 {
		return nil, t.inErr("%s", averr(ret))
	}
	t.pkt, t.frame = C.av_packet_alloc(), C.av_frame_alloc()
	var frames [][]byte
	collect := func() error {
		for {
			ret := C.avcodec_receive_frame(t.dec, t.frame)
			if ret == errAgain || ret == errEOF {
				return nil
			}
			if ret < 0 {
				return t.inErr("%s", averr(ret))
			}
			f := t.frame
			w, h := int(f.width), int(f.height)
			var buf []byte
			for p, pw, ph := 0, w, h; p < 3; p, pw, ph = p+1, w/2, h/2 {
				ls := int(f.linesize[p])
				plane := unsafe.Slice((*byte)(unsafe.Pointer(f.data[p])), ls*ph)
				for y := 0; y < ph; y++ {
					buf = append(buf, plane[y*ls:y*ls+pw]...)
				}
			}
			frames = append(frames, buf)
			C.av_frame_unref(f)
		}
	}
	for C.av_read_frame(t.ic, t.pkt) >= 0 {
		if t.pkt.stream_index == t.vidx {
			C.avcodec_send_packet(t.dec, t.pkt)
		}
		C.av_packet_unref(t.pkt)
		if err := collect(); err != nil {
			return nil, err
		}
	}
	C.avcodec_send_packet(t.dec, nil)
	return frames, collect()
}
