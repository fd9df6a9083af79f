package main

/*
#cgo pkg-config: libavformat libavcodec libswscale libavutil
#include <errno.h>
#include <stdlib.h>
#include <stdint.h>
#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>
#include <libswscale/swscale.h>
#include <libavutil/avutil.h>
#include <libavutil/error.h>
#include <libavutil/frame.h>
#include <libavutil/log.h>

// Function-like macros cgo cannot evaluate, as plain constants.
enum { vfe_eagain = AVERROR(EAGAIN), vfe_eof = AVERROR_EOF };
#define vfe_nopts ((int64_t)INT64_MIN)

static AVStream *vfe_stream(AVFormatContext *f, int i) { return f->streams[i]; }
*/
import "C"

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"unsafe"
)

var timeBaseQ = C.AVRational{num: 1, den: C.AV_TIME_BASE}

// thumb is one written thumbnail, as printed on standard output.
type thumb struct {
	name    string
	t       int64 // requested, µs
	frameUs int64 // presentation time of the decoded frame, µs from the start
	pts     int64 // in the stream's time base
}

func (t thumb) line() string {
	return fmt.Sprintf("%s t=%s frame=%s pts=%d\n", t.name, formatMicros(t.t), formatMicros(t.frameUs), t.pts)
}

func averr(code C.int) string {
	var buf [256]C.char
	C.av_strerror(code, &buf[0], C.size_t(len(buf)))
	return C.GoString(&buf[0])
}

// extractor owns every FFmpeg object of one run; close frees them all.
type extractor struct {
	fmt   *C.AVFormatContext
	dec   *C.AVCodecContext
	enc   *C.AVCodecContext
	sws   *C.struct_SwsContext
	pkt   *C.AVPacket
	frame *C.AVFrame
	st    *C.AVStream
	vidx  C.int
	start int64 // fmt->start_time in µs, 0 when unknown
	w, h  int
}

func (x *extractor) close() {
	if x.sws != nil {
		C.sws_freeContext(x.sws)
		x.sws = nil
	}
	C.av_frame_free(&x.frame)
	C.av_packet_free(&x.pkt)
	C.avcodec_free_context(&x.enc)
	C.avcodec_free_context(&x.dec)
	if x.fmt != nil {
		C.avformat_close_input(&x.fmt)
	}
}

// open does steps 1-4 of the spec: input, video stream, decoder, output size.
func (x *extractor) open(path string, width int) error {
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	if r := C.avformat_open_input(&x.fmt, cpath, nil, nil); r < 0 {
		return fmt.Errorf("cannot open %s: %s", path, averr(r))
	}
	if r := C.avformat_find_stream_info(x.fmt, nil); r < 0 {
		return fmt.Errorf("cannot read stream info of %s: %s", path, averr(r))
	}
	x.vidx = C.av_find_best_stream(x.fmt, C.AVMEDIA_TYPE_VIDEO, -1, -1, nil, 0)
	if x.vidx < 0 {
		return fmt.Errorf("%s: no video stream", path)
	}
	x.st = C.vfe_stream(x.fmt, x.vidx)
	codec := C.avcodec_find_decoder(x.st.codecpar.codec_id)
	if codec == nil {
		return fmt.Errorf("%s: no decoder for the video stream", path)
	}
	if x.dec = C.avcodec_alloc_context3(codec); x.dec == nil {
		return errors.New("cannot allocate the decoder")
	}
	if r := C.avcodec_parameters_to_context(x.dec, x.st.codecpar); r < 0 {
		return fmt.Errorf("%s: bad codec parameters: %s", path, averr(r))
	}
	x.dec.thread_count = 1
	if r := C.avcodec_open2(x.dec, codec, nil); r < 0 {
		return fmt.Errorf("%s: cannot open the decoder: %s", path, averr(r))
	}
	srcW, srcH := int(x.st.codecpar.width), int(x.st.codecpar.height)
	if srcW <= 0 || srcH <= 0 {
		return fmt.Errorf("%s: video stream has no size", path)
	}
	x.w, x.h = width, outputHeight(width, srcW, srcH)
	if x.h == 0 {
		return fmt.Errorf("%s: output height for width %d would be 0", path, width)
	}
	if x.fmt.start_time != C.vfe_nopts {
		x.start = int64(x.fmt.start_time)
	}
	if x.pkt = C.av_packet_alloc(); x.pkt == nil {
		return errors.New("cannot allocate a packet")
	}
	if x.frame = C.av_frame_alloc(); x.frame == nil {
		return errors.New("cannot allocate a frame")
	}
	return nil
}

// duration is fmt->duration in µs, or -1 when unknown.
func (x *extractor) duration() int64 {
	if x.fmt.duration == C.vfe_nopts {
		return -1
	}
	return int64(x.fmt.duration)
}

// openEncoder opens the PNG encoder of spec step 6.
func (x *extractor) openEncoder() error {
	codec := C.avcodec_find_encoder(C.AV_CODEC_ID_PNG)
	if codec == nil {
		return errors.New("no PNG encoder in this libavcodec")
	}
	if x.enc = C.avcodec_alloc_context3(codec); x.enc == nil {
		return errors.New("cannot allocate the PNG encoder")
	}
	x.enc.width = C.int(x.w)
	x.enc.height = C.int(x.h)
	x.enc.pix_fmt = C.AV_PIX_FMT_RGB24
	x.enc.time_base = C.AVRational{num: 1, den: 1}
	x.enc.compression_level = 6
	x.enc.thread_count = 1
	if r := C.avcodec_open2(x.enc, codec, nil); r < 0 {
		return fmt.Errorf("cannot open the PNG encoder: %s", averr(r))
	}
	return nil
}

// seekDecode leaves in x.frame the first frame at or after targetUs (spec step 7.1-7.3).
func (x *extractor) seekDecode(path string, t, targetUs int64) error {
	if r := C.avformat_seek_file(x.fmt, -1, C.INT64_MIN, C.int64_t(targetUs), C.int64_t(targetUs), 0); r < 0 {
		return fmt.Errorf("%s: seek to %s failed: %s", path, formatMicros(t), averr(r))
	}
	C.avcodec_flush_buffers(x.dec)
	targetPts := C.av_rescale_q(C.int64_t(targetUs), timeBaseQ, x.st.time_base)
	draining := false
	for {
		if !draining {
			r := C.av_read_frame(x.fmt, x.pkt)
			switch {
			case r == C.vfe_eof:
				draining = true
				if r := C.avcodec_send_packet(x.dec, nil); r < 0 {
					return fmt.Errorf("%s: decode error: %s", path, averr(r))
				}
			case r < 0:
				return fmt.Errorf("%s: read error: %s", path, averr(r))
			default:
				if x.pkt.stream_index != x.vidx {
					C.av_packet_unref(x.pkt)
					continue
				}
				r = C.avcodec_send_packet(x.dec, x.pkt)
				C.av_packet_unref(x.pkt)
				if r < 0 {
					return fmt.Errorf("%s: decode error: %s", path, averr(r))
				}
			}
		}
		for {
			r := C.avcodec_receive_frame(x.dec, x.frame)
			if r == C.vfe_eagain {
				if draining {
					return fmt.Errorf("%s: decoder stalled while draining", path)
				}
				break
			}
			if r == C.vfe_eof {
				return fmt.Errorf("no frame at or after %s in %s: the video ends before it", formatMicros(t), path)
			}
			if r < 0 {
				return fmt.Errorf("%s: decode error: %s", path, averr(r))
			}
			ts := x.frame.best_effort_timestamp
			if ts != C.vfe_nopts && ts >= targetPts {
				return nil
			}
			C.av_frame_unref(x.frame)
		}
	}
}

// scale converts x.frame to a new W×H RGB24 frame (spec step 7.4). The caller frees it.
func (x *extractor) scale() (*C.AVFrame, error) {
	f := x.frame
	x.sws = C.sws_getCachedContext(x.sws, f.width, f.height, int32(f.format),
		C.int(x.w), C.int(x.h), C.AV_PIX_FMT_RGB24, C.SWS_BICUBIC, nil, nil, nil)
	if x.sws == nil {
		return nil, errors.New("cannot create the scaler")
	}
	rgb := C.av_frame_alloc()
	if rgb == nil {
		return nil, errors.New("cannot allocate a frame")
	}
	rgb.format = C.AV_PIX_FMT_RGB24
	rgb.width = C.int(x.w)
	rgb.height = C.int(x.h)
	if r := C.av_frame_get_buffer(rgb, 32); r < 0 {
		C.av_frame_free(&rgb)
		return nil, fmt.Errorf("cannot allocate the RGB frame: %s", averr(r))
	}
	r := C.sws_scale(x.sws, &f.data[0], &f.linesize[0], 0, f.height, &rgb.data[0], &rgb.linesize[0])
	if r != C.int(x.h) {
		C.av_frame_free(&rgb)
		return nil, errors.New("scaling failed")
	}
	return rgb, nil
}

// encode writes rgb as one PNG to path (spec step 7.6).
func (x *extractor) encode(rgb *C.AVFrame, path string) error {
	if r := C.avcodec_send_frame(x.enc, rgb); r < 0 {
		return fmt.Errorf("PNG encoding failed: %s", averr(r))
	}
	if r := C.avcodec_receive_packet(x.enc, x.pkt); r < 0 {
		return fmt.Errorf("PNG encoding failed: %s", averr(r))
	}
	defer C.av_packet_unref(x.pkt)
	data := unsafe.Slice((*byte)(unsafe.Pointer(x.pkt.data)), int(x.pkt.size))
	return os.WriteFile(path, data, 0o644)
}

// writeRows appends the H rows of 3·W bytes of rgb to w.
func (x *extractor) writeRows(w *bufio.Writer, rgb *C.AVFrame) error {
	stride := int(rgb.linesize[0])
	base := unsafe.Pointer(rgb.data[0])
	for y := 0; y < x.h; y++ {
		row := unsafe.Slice((*byte)(unsafe.Add(base, y*stride)), 3*x.w)
		if _, err := w.Write(row); err != nil {
			return err
		}
	}
	return nil
}

// partFiles tracks the .part files of a run, to rename them all at the end or remove them all.
type partFiles struct{ finals []string }

func (p *partFiles) add(final string) string {
	p.finals = append(p.finals, final)
	return final + ".part"
}

func (p *partFiles) removeAll() {
	for _, f := range p.finals {
		os.Remove(f + ".part")
	}
}

// commit renames every .part file to its final name; if one rename fails, the files already
// renamed are removed again, so a failing run leaves no final name behind.
func (p *partFiles) commit() error {
	for i, f := range p.finals {
		if err := os.Rename(f+".part", f); err != nil {
			for _, done := range p.finals[:i] {
				os.Remove(done)
			}
			return err
		}
	}
	return nil
}

// extract runs the whole job of the spec and returns the thumbnails written.
func extract(o *options) (thumbs []thumb, err error) {
	C.av_log_set_level(C.AV_LOG_QUIET)
	x := &extractor{}
	defer x.close()
	if err := x.open(o.input, o.width); err != nil {
		return nil, err
	}
	d := x.duration()
	times := o.at
	if o.every > 0 {
		if d < 0 {
			return nil, fmt.Errorf("%s: duration unknown, --every needs it", o.input)
		}
		if times, err = everyTimestamps(o.every, d); err != nil {
			return nil, err
		}
	}
	if d >= 0 {
		for _, t := range times {
			if t >= d {
				return nil, fmt.Errorf("timestamp %s is past the end of %s (%s s)", formatMicros(t), o.input, formatMicros(d))
			}
		}
	}
	if err := os.Mkdir(o.outdir, 0o777); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("cannot create %s: %v", o.outdir, err)
	}
	if err := x.openEncoder(); err != nil {
		return nil, err
	}

	rawParts := &partFiles{}
	defer func() {
		if err != nil {
			rawParts.removeAll()
		}
	}()
	var raw *os.File
	var rawBuf *bufio.Writer
	if o.raw {
		if raw, err = os.Create(rawParts.add(filepath.Join(o.outdir, "frames.rgb"))); err != nil {
			return nil, fmt.Errorf("cannot create %v", err)
		}
		defer raw.Close()
		rawBuf = bufio.NewWriterSize(raw, 1<<20)
	}
	pngParts := &partFiles{}
	defer func() {
		if err != nil {
			pngParts.removeAll()
		}
	}()

	for i, t := range times {
		name := thumbName(i)
		if err := x.seekDecode(o.input, t, t+x.start); err != nil {
			return nil, err
		}
		pts := int64(x.frame.best_effort_timestamp)
		rgb, err := x.scale()
		C.av_frame_unref(x.frame)
		if err != nil {
			return nil, err
		}
		if rawBuf != nil {
			if err := x.writeRows(rawBuf, rgb); err != nil {
				C.av_frame_free(&rgb)
				return nil, fmt.Errorf("cannot write %s: %v", raw.Name(), err)
			}
		}
		part := pngParts.add(filepath.Join(o.outdir, name))
		err = x.encode(rgb, part)
		C.av_frame_free(&rgb)
		if err != nil {
			return nil, err
		}
		frameUs := int64(C.av_rescale_q(C.int64_t(pts), x.st.time_base, timeBaseQ)) - x.start
		thumbs = append(thumbs, thumb{name: name, t: t, frameUs: frameUs, pts: pts})
	}
	if rawBuf != nil {
		if err := rawBuf.Flush(); err != nil {
			return nil, fmt.Errorf("cannot write %s: %v", raw.Name(), err)
		}
		if err := raw.Close(); err != nil {
			return nil, fmt.Errorf("cannot write %s: %v", raw.Name(), err)
		}
	}
	if err := pngParts.commit(); err != nil {
		return nil, fmt.Errorf("cannot rename: %v", err)
	}
	if err := rawParts.commit(); err != nil {
		for _, f := range pngParts.finals {
			os.Remove(f)
		}
		return nil, fmt.Errorf("cannot rename: %v", err)
	}
	return thumbs, nil
}
