package main

/*
#cgo pkg-config: libavformat libavcodec libavutil
#include <stdlib.h>
#include <libavformat/avformat.h>
#include <libavutil/opt.h>

static int hls_averror_eof(void) { return AVERROR_EOF; }
static int hls_averror_enomem(void) { return AVERROR(ENOMEM); }
*/
import "C"

import (
	"fmt"
	"os"
	"path/filepath"
	"unsafe"
)

// PlaylistName is the playlist's file name inside the output directory.
const PlaylistName = "index.m3u8"

// Error is a failure with the file it concerns; Error() is the message printed after "hls-segmenter: ".
type Error struct {
	Path   string
	Reason string
}

func (e *Error) Error() string { return e.Path + ": " + e.Reason }

func avErr(code C.int) string {
	var buf [256]C.char
	C.av_strerror(code, &buf[0], C.size_t(len(buf)))
	return C.GoString(&buf[0])
}

func init() {
	C.av_log_set_level(C.AV_LOG_ERROR)
}

// segmenter holds every FFmpeg object of one run; close frees them all.
type segmenter struct {
	in      *C.AVFormatContext
	out     *C.AVFormatContext
	pkt     *C.AVPacket
	outDir  string
	created []string // files written so far, removed again if the run fails
}

func (s *segmenter) close() {
	if s.pkt != nil {
		C.av_packet_free(&s.pkt)
	}
	if s.out != nil {
		if s.out.pb != nil {
			C.avio_closep(&s.out.pb)
		}
		C.avformat_free_context(s.out)
		s.out = nil
	}
	if s.in != nil {
		C.avformat_close_input(&s.in)
	}
}

// openSegment opens segment i as the muxer's output file.
func (s *segmenter) openSegment(i int) error {
	p := filepath.Join(s.outDir, SegmentName(i))
	cp := C.CString(p)
	defer C.free(unsafe.Pointer(cp))
	s.created = append(s.created, p)
	if ret := C.avio_open(&s.out.pb, cp, C.AVIO_FLAG_WRITE); ret < 0 {
		return &Error{p, avErr(ret)}
	}
	return nil
}

// closeSegment flushes what the muxer buffers into the current segment and closes its file.
func (s *segmenter) closeSegment(i int) error {
	if ret := C.av_write_frame(s.out, nil); ret < 0 {
		return &Error{filepath.Join(s.outDir, SegmentName(i)), avErr(ret)}
	}
	if ret := C.avio_closep(&s.out.pb); ret < 0 {
		return &Error{filepath.Join(s.outDir, SegmentName(i)), avErr(ret)}
	}
	return nil
}

// run remuxes input into MPEG-TS segments of about target seconds in outDir and returns the
// segment durations in microseconds. It does not write the playlist.
func (s *segmenter) run(input string, target int64) ([]int64, error) {
	cin := C.CString(input)
	defer C.free(unsafe.Pointer(cin))
	if ret := C.avformat_open_input(&s.in, cin, nil, nil); ret < 0 {
		return nil, &Error{input, avErr(ret)}
	}
	if ret := C.avformat_find_stream_info(s.in, nil); ret < 0 {
		return nil, &Error{input, avErr(ret)}
	}

	// The first video stream and the first audio stream, in input order.
	nIn := int(s.in.nb_streams)
	inStreams := unsafe.Slice(s.in.streams, nIn)
	videoIdx, audioIdx := -1, -1
	for i, st := range inStreams {
		switch st.codecpar.codec_type {
		case C.AVMEDIA_TYPE_VIDEO:
			if videoIdx < 0 {
				videoIdx = i
			}
		case C.AVMEDIA_TYPE_AUDIO:
			if audioIdx < 0 {
				audioIdx = i
			}
		}
	}
	if videoIdx < 0 {
		return nil, &Error{input, "no video stream"}
	}

	fmtName := C.CString("mpegts")
	defer C.free(unsafe.Pointer(fmtName))
	if ret := C.avformat_alloc_output_context2(&s.out, nil, fmtName, nil); ret < 0 {
		return nil, &Error{input, avErr(ret)}
	}
	// 0.7 s, as the ffmpeg CLI's default -muxdelay.
	s.out.max_delay = 700_000
	// Input stream index -> output stream index, or -1.
	outIndex := make([]C.int, nIn)
	for i := range outIndex {
		outIndex[i] = -1
	}
	for i, st := range inStreams {
		if i != videoIdx && i != audioIdx {
			continue
		}
		ost := C.avformat_new_stream(s.out, nil)
		if ost == nil {
			return nil, &Error{input, avErr(C.hls_averror_enomem())}
		}
		if ret := C.avcodec_parameters_copy(ost.codecpar, st.codecpar); ret < 0 {
			return nil, &Error{input, avErr(ret)}
		}
		ost.codecpar.codec_tag = 0
		if ret := C.av_dict_copy(&ost.metadata, st.metadata, 0); ret < 0 {
			return nil, &Error{input, avErr(ret)}
		}
		ost.time_base = st.time_base
		outIndex[i] = C.int(ost.index)
	}

	if err := s.openSegment(0); err != nil {
		return nil, err
	}
	// One PAT/PMT per segment (and at keyframes), no periodic tables: pat_period and
	// sdt_period of (INT_MAX/2)-1 seconds, as FFmpeg's own HLS muxer sets them.
	var opts *C.AVDictionary
	for _, kv := range [][2]string{{"pat_period", "1073741822"}, {"sdt_period", "1073741822"}} {
		k, v := C.CString(kv[0]), C.CString(kv[1])
		C.av_dict_set(&opts, k, v, 0)
		C.free(unsafe.Pointer(k))
		C.free(unsafe.Pointer(v))
	}
	ret := C.avformat_write_header(s.out, &opts)
	left := C.av_dict_count(opts)
	C.av_dict_free(&opts)
	if ret < 0 {
		return nil, &Error{filepath.Join(s.outDir, SegmentName(0)), avErr(ret)}
	}
	if left != 0 {
		return nil, &Error{filepath.Join(s.outDir, SegmentName(0)), "muxer option not recognised"}
	}
	outStreams := unsafe.Slice(s.out.streams, int(s.out.nb_streams))

	s.pkt = C.av_packet_alloc()
	if s.pkt == nil {
		return nil, &Error{input, avErr(C.hls_averror_enomem())}
	}
	vtb := inStreams[videoIdx].time_base
	usTB := C.AVRational{num: 1, den: 1_000_000}
	optName := C.CString("mpegts_flags")
	defer C.free(unsafe.Pointer(optName))
	optVal := C.CString("resend_headers")
	defer C.free(unsafe.Pointer(optVal))

	var (
		seg     int
		seenVid bool
		pts0    C.int64_t
		end     C.int64_t
		cuts    []C.int64_t // pts of the first video packet of every segment
		noPTS   = C.int64_t(C.AV_NOPTS_VALUE)
		eof     = C.hls_averror_eof()
		pkt     = s.pkt
		segPath = func() string { return filepath.Join(s.outDir, SegmentName(seg)) }
	)
	for {
		ret := C.av_read_frame(s.in, pkt)
		if ret == eof {
			break
		}
		if ret < 0 {
			return nil, &Error{input, "read error: " + avErr(ret)}
		}
		si := int(pkt.stream_index)
		if si >= nIn || outIndex[si] < 0 {
			C.av_packet_unref(pkt)
			continue
		}
		if pkt.flags&C.AV_PKT_FLAG_CORRUPT != 0 {
			C.av_packet_unref(pkt)
			return nil, &Error{input, fmt.Sprintf("corrupt packet in stream %d (truncated or damaged file)", si)}
		}
		if si == videoIdx {
			if pkt.pts == noPTS {
				C.av_packet_unref(pkt)
				return nil, &Error{input, "video packet without timestamp"}
			}
			key := pkt.flags&C.AV_PKT_FLAG_KEY != 0
			if !seenVid {
				if !key {
					C.av_packet_unref(pkt)
					return nil, &Error{input, "first video packet is not a keyframe"}
				}
				seenVid = true
				pts0 = pkt.pts
				end = pkt.pts
				cuts = append(cuts, pkt.pts)
			} else if key && C.av_compare_ts(pkt.pts-pts0, vtb, C.int64_t(int64(seg+1)*target*1_000_000), usTB) >= 0 {
				if err := s.closeSegment(seg); err != nil {
					C.av_packet_unref(pkt)
					return nil, err
				}
				seg++
				if err := s.openSegment(seg); err != nil {
					C.av_packet_unref(pkt)
					return nil, err
				}
				C.av_opt_set(s.out.priv_data, optName, optVal, 0)
				cuts = append(cuts, pkt.pts)
			}
			if e := pkt.pts + pkt.duration; e > end {
				end = e
			}
		}
		oi := outIndex[si]
		C.av_packet_rescale_ts(pkt, inStreams[si].time_base, outStreams[oi].time_base)
		pkt.stream_index = oi
		pkt.pos = -1
		ret = C.av_write_frame(s.out, pkt)
		C.av_packet_unref(pkt)
		if ret < 0 {
			return nil, &Error{segPath(), avErr(ret)}
		}
	}
	if !seenVid {
		return nil, &Error{input, "no video packets"}
	}
	if ret := C.av_write_trailer(s.out); ret < 0 {
		return nil, &Error{segPath(), avErr(ret)}
	}
	if ret := C.avio_closep(&s.out.pb); ret < 0 {
		return nil, &Error{segPath(), avErr(ret)}
	}

	// Segment k spans [cuts[k], cuts[k+1]), the last one [cuts[last], end); each duration is
	// converted to microseconds on its own (av_rescale_q rounds half away from zero).
	durs := make([]int64, len(cuts))
	for k := range cuts {
		next := end
		if k+1 < len(cuts) {
			next = cuts[k+1]
		}
		durs[k] = int64(C.av_rescale_q(next-cuts[k], vtb, usTB))
	}
	return durs, nil
}

// Run segments input into outDir (an existing directory) with the given target duration in
// seconds and writes the playlist last (via a temporary name). On failure every file it
// created is removed again.
func Run(input, outDir string, target int64) error {
	if fi, err := os.Stat(outDir); err != nil {
		return &Error{outDir, "output directory: " + errText(err)}
	} else if !fi.IsDir() {
		return &Error{outDir, "not a directory"}
	}
	s := &segmenter{outDir: outDir}
	durs, err := s.run(input, target)
	s.close()
	if err == nil {
		err = writePlaylist(outDir, durs, &s.created)
	}
	if err != nil {
		for _, p := range s.created {
			os.Remove(p)
		}
		return err
	}
	return nil
}

func writePlaylist(outDir string, durs []int64, created *[]string) error {
	tmp := filepath.Join(outDir, PlaylistName+".tmp")
	*created = append(*created, tmp)
	if err := os.WriteFile(tmp, []byte(Playlist(durs)), 0o644); err != nil {
		return &Error{tmp, errText(err)}
	}
	final := filepath.Join(outDir, PlaylistName)
	if err := os.Rename(tmp, final); err != nil {
		return &Error{final, errText(err)}
	}
	return nil
}

// errText strips the operation and path from an *os.PathError, which Error already carries.
func errText(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err.Error()
	}
	return err.Error()
}
