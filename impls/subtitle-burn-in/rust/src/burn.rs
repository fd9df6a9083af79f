//! Decode, draw, encode, mux (README.md, "Which cues, which frames" and "Encoding and muxing").

use crate::draw::{Font, Layout};
use crate::subs::{cells, Cell, Subtitles};
use ff::codec::{self, packet::Packet, Id};
use ff::format::{self, Pixel};
use ff::util::error::EAGAIN;
use ff::util::frame;
use ff::util::picture;
use ff::{ffi, media, Dictionary, Rational};
use ffmpeg_next as ff;
use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

/// The program's one-line JSON report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub frames: usize,
    pub frames_with_text: usize,
    pub cues: usize,
    pub audio_packets: usize,
}

impl Summary {
    pub fn json(&self) -> String {
        format!(
            r#"{{"frames":{},"frames_with_text":{},"cues":{},"audio_packets":{}}}"#,
            self.frames, self.frames_with_text, self.cues, self.audio_packets
        )
    }
}

fn is_again(e: &ff::Error) -> bool {
    matches!(e, ff::Error::Eof) || *e == (ff::Error::Other { errno: EAGAIN })
}

fn rescale_ms(ts: i64, tb: Rational) -> i64 {
    // SAFETY: a pure arithmetic function.
    unsafe {
        ffi::av_rescale_rnd(
            ts,
            1000 * i64::from(tb.numerator()),
            i64::from(tb.denominator()),
            ffi::AVRounding::AV_ROUND_DOWN,
        )
    }
}

/// Runs the whole job. The MP4 is written to `<out>.partial` and renamed at the end; on error
/// the partial file is removed.
pub fn burn_in(
    input: &Path,
    subs_path: &Path,
    out: &Path,
    subs: &Subtitles,
    font: &Font,
) -> Result<Summary, String> {
    // init() registers the error strings that ffmpeg::Error's Display uses.
    ff::init().map_err(|e| e.to_string())?;
    ff::util::log::set_level(ff::util::log::Level::Quiet);
    let mut tmp = out.as_os_str().to_owned();
    tmp.push(".partial");
    let tmp = PathBuf::from(tmp);
    let mut job = Job {
        input,
        subs_path,
        out,
        subs,
        font,
        created: false,
        active: None,
        layout: None,
        cells: HashMap::new(),
        sum: Summary {
            cues: subs.cues.len(),
            ..Summary::default()
        },
    };
    match job.run(&tmp) {
        Ok(()) => fs::rename(&tmp, out).map_err(|e| {
            let _ = fs::remove_file(&tmp);
            format!("{}: {e}", out.display())
        })?,
        Err(e) => {
            if job.created {
                let _ = fs::remove_file(&tmp);
            }
            return Err(e);
        }
    }
    Ok(job.sum)
}

struct Job<'a> {
    input: &'a Path,
    subs_path: &'a Path,
    out: &'a Path,
    subs: &'a Subtitles,
    font: &'a Font,
    created: bool,
    active: Option<Vec<usize>>,
    layout: Option<Layout>,
    cells: HashMap<usize, Vec<Vec<Cell>>>,
    sum: Summary,
}

/// The open encoder and output of a run.
struct Sink {
    enc: codec::encoder::video::Encoder,
    octx: format::context::Output,
    enc_tb: Rational,
    vout_tb: Rational,
    /// One frame period in the encoder's time base (0: unknown).
    frame_dur: i64,
}

impl Sink {
    fn drain(&mut self, out: &Path) -> Result<(), String> {
        loop {
            let mut pkt = Packet::empty();
            match self.enc.receive_packet(&mut pkt) {
                Ok(()) => {}
                Err(e) if is_again(&e) => return Ok(()),
                Err(e) => return Err(format!("{}: {e}", out.display())),
            }
            pkt.set_stream(0);
            pkt.set_duration(self.frame_dur);
            pkt.rescale_ts(self.enc_tb, self.vout_tb);
            pkt.write_interleaved(&mut self.octx)
                .map_err(|e| format!("{}: {e}", out.display()))?;
        }
    }
}

impl Job<'_> {
    fn in_err(&self, msg: impl std::fmt::Display) -> String {
        format!("{}: {msg}", self.input.display())
    }

    fn out_err(&self, e: ff::Error) -> String {
        format!("{}: {e}", self.out.display())
    }

    fn run(&mut self, tmp: &Path) -> Result<(), String> {
        let mut ictx =
            format::input(self.input).map_err(|e| self.in_err(format!("cannot open: {e}")))?;
        let vin = ictx
            .streams()
            .best(media::Type::Video)
            .ok_or_else(|| self.in_err("no video stream"))?;
        let (vidx, vtb, vfr, vdur, nb_frames) = (
            vin.index(),
            vin.time_base(),
            vin.avg_frame_rate(),
            vin.duration(),
            vin.frames(),
        );
        let vpar = vin.parameters();
        let ain = ictx
            .streams()
            .best(media::Type::Audio)
            .map(|s| (s.index(), s.time_base(), s.parameters()));
        // SAFETY: vpar wraps the stream's live AVCodecParameters.
        let p = unsafe { &*vpar.as_ptr() };
        if p.format != ffi::AVPixelFormat::AV_PIX_FMT_YUV420P as i32 {
            let name =
                Pixel::from(unsafe { std::mem::transmute::<i32, ffi::AVPixelFormat>(p.format) });
            return Err(self.in_err(format!("unsupported pixel format {name:?} (only yuv420p)")));
        }
        let (w, h) = (p.width as usize, p.height as usize);
        if w % 2 != 0 || h % 2 != 0 {
            return Err(self.in_err(format!("odd frame size {w}x{h}")));
        }
        self.check_duration(vdur, vtb, ictx.duration())?;

        // Decoder.
        let mut dctx = codec::Context::from_parameters(vpar.clone()).map_err(|e| self.in_err(e))?;
        // SAFETY: plain field writes on a context that is not open yet.
        unsafe {
            let d = dctx.as_mut_ptr();
            (*d).pkt_timebase = vtb.into();
            (*d).thread_count = 1;
        }
        let mut dec = dctx
            .decoder()
            .video()
            .map_err(|e| self.in_err(format!("cannot open decoder: {e}")))?;

        // Encoder.
        let x264 = codec::encoder::find_by_name("libx264")
            .ok_or_else(|| format!("{}: libx264 encoder not available", self.out.display()))?;
        let mut ectx = codec::Context::new_with_codec(x264)
            .encoder()
            .video()
            .map_err(|e| self.out_err(e))?;
        ectx.set_width(w as u32);
        ectx.set_height(h as u32);
        ectx.set_format(Pixel::YUV420P);
        ectx.set_time_base(vtb);
        ectx.set_frame_rate(Some(vfr));
        ectx.set_gop(60);
        // SAFETY: plain field writes on a context that is not open yet.
        unsafe {
            let e = ectx.as_mut_ptr();
            (*e).sample_aspect_ratio = p.sample_aspect_ratio;
            (*e).color_range = p.color_range;
            (*e).color_primaries = p.color_primaries;
            (*e).color_trc = p.color_trc;
            (*e).colorspace = p.color_space;
            (*e).chroma_sample_location = p.chroma_location;
            (*e).thread_count = 1;
            (*e).flags |= ffi::AV_CODEC_FLAG_GLOBAL_HEADER as i32;
        }
        let mut opts = Dictionary::new();
        opts.set("preset", "ultrafast");
        opts.set("qp", "0");

        // Output (created here: from now on the partial file must go on error).
        let mut octx = format::output_as(tmp, "mp4").map_err(|e| self.out_err(e))?;
        self.created = true;
        let enc = ectx
            .open_with(opts)
            .map_err(|e| format!("{}: cannot open libx264: {e}", self.out.display()))?;
        let enc_tb = vtb;
        octx.add_stream_with(&enc)
            .map_err(|e| self.out_err(e))?
            .set_time_base(enc_tb);
        if let Some((_, atb, apar)) = &ain {
            let mut aout = octx
                .add_stream(codec::encoder::find(Id::None))
                .map_err(|e| self.out_err(e))?;
            aout.set_parameters(apar.clone());
            // SAFETY: the stream's codecpar was just filled in.
            unsafe { (*(*aout.as_mut_ptr()).codecpar).codec_tag = 0 };
            aout.set_time_base(*atb);
        }
        octx.write_header().map_err(|e| self.out_err(e))?;
        let vout_tb = octx.stream(0).map(|s| s.time_base()).unwrap_or(enc_tb);
        let aout_tb = octx.stream(1).map(|s| s.time_base());
        let frame_dur = if vfr.numerator() > 0 && vfr.denominator() > 0 {
            // SAFETY: a pure arithmetic function.
            unsafe { ffi::av_rescale_q(1, vfr.invert().into(), enc_tb.into()) }
        } else {
            0
        };
        let mut sink = Sink {
            enc,
            octx,
            enc_tb,
            vout_tb,
            frame_dur,
        };

        // Transcode.
        let mut frame = frame::Video::empty();
        loop {
            let mut pkt = Packet::empty();
            match pkt.read(&mut ictx) {
                Ok(()) => {}
                Err(ff::Error::Eof) => break,
                Err(e) => return Err(self.in_err(e)),
            }
            if pkt.stream() == vidx {
                dec.send_packet(&pkt).map_err(|e| self.in_err(e))?;
                self.receive_frames(&mut dec, &mut frame, &mut sink, vtb, w, h)?;
            } else if let (Some((aidx, atb, _)), Some(aout_tb)) = (&ain, aout_tb) {
                if pkt.stream() == *aidx {
                    pkt.rescale_ts(*atb, aout_tb);
                    pkt.set_stream(1);
                    pkt.set_position(-1);
                    pkt.write_interleaved(&mut sink.octx)
                        .map_err(|e| self.out_err(e))?;
                    self.sum.audio_packets += 1;
                }
            }
        }
        dec.send_eof().map_err(|e| self.in_err(e))?;
        self.receive_frames(&mut dec, &mut frame, &mut sink, vtb, w, h)?;
        sink.enc.send_eof().map_err(|e| self.out_err(e))?;
        sink.drain(self.out)?;
        if nb_frames > 0 && self.sum.frames as i64 != nb_frames {
            return Err(self.in_err(format!(
                "truncated or corrupt: decoded {} of {nb_frames} frames",
                self.sum.frames
            )));
        }
        sink.octx.write_trailer().map_err(|e| self.out_err(e))?;
        // SAFETY: closes the output's AVIOContext; the context's destructor then sees pb = NULL.
        let ret = unsafe { ffi::avio_closep(&mut (*sink.octx.as_mut_ptr()).pb) };
        if ret < 0 {
            return Err(self.out_err(ff::Error::from(ret)));
        }
        Ok(())
    }

    fn check_duration(&self, vdur: i64, vtb: Rational, fmt_dur: i64) -> Result<(), String> {
        let d = if vdur > 0 {
            rescale_ms(vdur, vtb)
        } else if fmt_dur > 0 {
            fmt_dur / 1000
        } else {
            return Ok(());
        };
        match self.subs.cues.iter().find(|c| c.start >= d) {
            Some(c) => Err(format!(
                "{}:{}: cue starts at {} ms, at or after the end of the video ({d} ms)",
                self.subs_path.display(),
                c.line,
                c.start
            )),
            None => Ok(()),
        }
    }

    fn receive_frames(
        &mut self,
        dec: &mut codec::decoder::Video,
        frame: &mut frame::Video,
        sink: &mut Sink,
        vtb: Rational,
        w: usize,
        h: usize,
    ) -> Result<(), String> {
        loop {
            match dec.receive_frame(frame) {
                Ok(()) => {}
                Err(e) if is_again(&e) => return Ok(()),
                Err(e) => return Err(self.in_err(e)),
            }
            let n = self.sum.frames;
            let ts = frame
                .timestamp()
                .ok_or_else(|| self.in_err(format!("frame {n} has no timestamp")))?;
            if frame.format() != Pixel::YUV420P
                || frame.width() as usize != w
                || frame.height() as usize != h
            {
                return Err(self.in_err(format!("frame {n}: format or size changed")));
            }
            self.update_layout(rescale_ms(ts, vtb), w, h);
            if let Some(l) = &self.layout {
                // SAFETY: after av_frame_make_writable the frame owns its planes; each plane holds
                // linesize × plane height bytes, and the three planes do not overlap.
                unsafe {
                    let f = frame.as_mut_ptr();
                    let ret = ffi::av_frame_make_writable(f);
                    if ret < 0 {
                        return Err(self.in_err(ff::Error::from(ret)));
                    }
                    let ls = (*f).linesize.map(|l| l as usize);
                    let py = std::slice::from_raw_parts_mut((*f).data[0], ls[0] * h);
                    let pu = std::slice::from_raw_parts_mut((*f).data[1], ls[1] * h / 2);
                    let pv = std::slice::from_raw_parts_mut((*f).data[2], ls[2] * h / 2);
                    l.draw(py, pu, pv, ls[0], ls[1], ls[2]);
                }
                self.sum.frames_with_text += 1;
            }
            frame.set_pts(Some(ts));
            frame.set_kind(picture::Type::None);
            self.sum.frames += 1;
            sink.enc.send_frame(frame).map_err(|e| self.out_err(e))?;
            sink.drain(self.out)?;
        }
    }

    /// Recomputes the layout when the set of cues active at `ms` changes.
    fn update_layout(&mut self, ms: i64, w: usize, h: usize) {
        let act: Vec<usize> = (0..self.subs.cues.len())
            .filter(|&i| self.subs.cues[i].start <= ms && ms < self.subs.cues[i].end)
            .collect();
        if self.active.as_ref() == Some(&act) {
            return;
        }
        let mut block = Vec::new();
        for &i in &act {
            let cs = self
                .cells
                .entry(i)
                .or_insert_with(|| cells(&self.subs.cues[i], self.subs.vtt));
            block.extend(cs.iter().cloned());
        }
        self.layout = Layout::new(self.font, &block, w, h);
        self.active = Some(act);
    }
}

/// Decodes every frame of `path`'s best video stream into packed YUV 4:2:0 buffers (Y rows,
/// then U, then V). Used by the tests to compare outputs with inputs.
pub fn decode_frames(path: &Path) -> Result<Vec<Vec<u8>>, String> {
    ff::init().map_err(|e| e.to_string())?;
    ff::util::log::set_level(ff::util::log::Level::Quiet);
    let mut ictx = format::input(path).map_err(|e| e.to_string())?;
    let vin = ictx
        .streams()
        .best(media::Type::Video)
        .ok_or("no video stream")?;
    let vidx = vin.index();
    let mut dctx = codec::Context::from_parameters(vin.parameters()).map_err(|e| e.to_string())?;
    unsafe { (*dctx.as_mut_ptr()).thread_count = 1 };
    let mut dec = dctx.decoder().video().map_err(|e| e.to_string())?;
    let mut frames = Vec::new();
    let mut frame = frame::Video::empty();
    let mut collect = |dec: &mut codec::decoder::Video| loop {
        match dec.receive_frame(&mut frame) {
            Ok(()) => {}
            Err(e) if is_again(&e) => return Ok(()),
            Err(e) => return Err(e.to_string()),
        }
        let mut buf = Vec::new();
        for p in 0..3 {
            let (pw, ph, ls) = (
                frame.plane_width(p) as usize,
                frame.plane_height(p) as usize,
                frame.stride(p),
            );
            let data = frame.data(p);
            for y in 0..ph {
                buf.extend_from_slice(&data[y * ls..y * ls + pw]);
            }
        }
        frames.push(buf);
    };
    loop {
        let mut pkt = Packet::empty();
        match pkt.read(&mut ictx) {
            Ok(()) => {}
            Err(ff::Error::Eof) => break,
            Err(e) => return Err(e.to_string()),
        }
        if pkt.stream() == vidx {
            dec.send_packet(&pkt).map_err(|e| e.to_string())?;
            collect(&mut dec)?;
        }
    }
    dec.send_eof().map_err(|e| e.to_string())?;
    collect(&mut dec)?;
    Ok(frames)
}
