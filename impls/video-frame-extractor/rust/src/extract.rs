//! The FFmpeg part of ../README.md through `ffmpeg-next`: open, seek, decode, scale, encode.
//!
//! Every FFmpeg object is owned by an `ffmpeg-next` wrapper whose `Drop` frees it
//! (`avformat_close_input`, `avcodec_free_context`, `av_frame_free`, `av_packet_unref`,
//! `sws_freeContext`), so every path — success or `?` — releases what it took.

use std::ffi::CStr;
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use ffmpeg::codec::{self, threading};
use ffmpeg::format::{self, Pixel};
use ffmpeg::software::scaling;
use ffmpeg::util::log;
use ffmpeg::{decoder, encoder, frame, media, Packet, Rational, Rescale};
use ffmpeg_next as ffmpeg;

use crate::args::{
    every_timestamps, format_micros, output_height, thumb_name, Failure, Options, Times,
};

/// One written thumbnail, as printed on standard output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thumb {
    pub name: String,
    /// Requested time, µs.
    pub t: i64,
    /// Presentation time of the decoded frame, µs from the start.
    pub frame_us: i64,
    /// Frame timestamp in the stream's time base.
    pub pts: i64,
}

impl Thumb {
    pub fn line(&self) -> String {
        format!(
            "{} t={} frame={} pts={}\n",
            self.name,
            format_micros(self.t),
            format_micros(self.frame_us),
            self.pts
        )
    }
}

/// FFmpeg's own text for an error code (`av_strerror`), the same text the C programs print.
fn averr(e: ffmpeg::Error) -> String {
    let mut buf = [0 as std::ffi::c_char; 256];
    unsafe {
        ffmpeg::ffi::av_strerror(i32::from(e), buf.as_mut_ptr(), buf.len());
        CStr::from_ptr(buf.as_ptr()).to_string_lossy().into_owned()
    }
}

fn fail(msg: String) -> Failure {
    Failure::Runtime(msg)
}

/// `.part` files of a run: renamed all at the end, or all removed on failure (on drop).
struct PartFiles {
    finals: Vec<PathBuf>,
    committed: bool,
}

impl PartFiles {
    fn new() -> Self {
        PartFiles {
            finals: Vec::new(),
            committed: false,
        }
    }

    fn part(path: &Path) -> PathBuf {
        let mut p = path.as_os_str().to_owned();
        p.push(".part");
        PathBuf::from(p)
    }

    /// Registers `final_path` and returns the `.part` name to write.
    fn add(&mut self, final_path: PathBuf) -> PathBuf {
        let part = Self::part(&final_path);
        self.finals.push(final_path);
        part
    }

    /// Renames every `.part` to its final name, in order; on a failure removes those already renamed.
    fn commit(&mut self) -> std::io::Result<()> {
        for (i, f) in self.finals.iter().enumerate() {
            if let Err(e) = fs::rename(Self::part(f), f) {
                for done in &self.finals[..i] {
                    let _ = fs::remove_file(done);
                }
                return Err(e);
            }
        }
        self.committed = true;
        Ok(())
    }
}

impl Drop for PartFiles {
    fn drop(&mut self) {
        if !self.committed {
            for f in &self.finals {
                let _ = fs::remove_file(Self::part(f));
            }
        }
    }
}

struct Extractor {
    input: format::context::Input,
    decoder: decoder::Video,
    stream_index: usize,
    time_base: Rational,
    /// `fmt->start_time` in µs, 0 when unknown.
    start: i64,
    width: u32,
    height: u32,
    scaler: Option<scaling::Context>,
}

impl Extractor {
    /// Spec steps 1-4: input, video stream, decoder (single-threaded), output size.
    fn open(path: &str, width: u32) -> Result<Self, Failure> {
        let input =
            format::input(path).map_err(|e| fail(format!("cannot open {path}: {}", averr(e))))?;
        let stream = input
            .streams()
            .best(media::Type::Video)
            .ok_or_else(|| fail(format!("{path}: no video stream")))?;
        let stream_index = stream.index();
        let time_base = stream.time_base();
        let mut ctx = codec::context::Context::from_parameters(stream.parameters())
            .map_err(|e| fail(format!("{path}: bad codec parameters: {}", averr(e))))?;
        ctx.set_threading(threading::Config::count(1));
        let decoder = match ctx.decoder().video() {
            Ok(d) => d,
            Err(ffmpeg::Error::DecoderNotFound) => {
                return Err(fail(format!("{path}: no decoder for the video stream")))
            }
            Err(e) => {
                return Err(fail(format!(
                    "{path}: cannot open the decoder: {}",
                    averr(e)
                )))
            }
        };
        let (src_w, src_h) = (decoder.width(), decoder.height());
        if src_w == 0 || src_h == 0 {
            return Err(fail(format!("{path}: video stream has no size")));
        }
        let height = output_height(width, src_w, src_h);
        if height == 0 {
            return Err(fail(format!(
                "{path}: output height for width {width} would be 0"
            )));
        }
        let start = match unsafe { (*input.as_ptr()).start_time } {
            ffmpeg::ffi::AV_NOPTS_VALUE => 0,
            s => s,
        };
        Ok(Extractor {
            input,
            decoder,
            stream_index,
            time_base,
            start,
            width,
            height,
            scaler: None,
        })
    }

    /// `fmt->duration` in µs, if known.
    fn duration(&self) -> Option<i64> {
        match self.input.duration() {
            ffmpeg::ffi::AV_NOPTS_VALUE => None,
            d => Some(d),
        }
    }

    /// Spec step 6: the PNG encoder, opened once.
    fn open_encoder(&self) -> Result<encoder::Video, Failure> {
        let png = encoder::find(codec::Id::PNG)
            .ok_or_else(|| fail("no PNG encoder in this libavcodec".into()))?;
        let mut enc = codec::context::Context::new_with_codec(png)
            .encoder()
            .video()
            .map_err(|e| fail(format!("cannot create the PNG encoder: {}", averr(e))))?;
        enc.set_width(self.width);
        enc.set_height(self.height);
        enc.set_format(Pixel::RGB24);
        enc.set_time_base(Rational(1, 1));
        enc.set_compression(Some(6));
        enc.set_threading(threading::Config::count(1));
        enc.open_as(png)
            .map_err(|e| fail(format!("cannot open the PNG encoder: {}", averr(e))))
    }

    /// Spec steps 7.1-7.3: the first frame at or after `t` (µs from the start).
    fn frame_at(&mut self, path: &str, t: i64) -> Result<frame::Video, Failure> {
        let target_us = t + self.start;
        self.input.seek(target_us, ..target_us).map_err(|e| {
            fail(format!(
                "{path}: seek to {} failed: {}",
                format_micros(t),
                averr(e)
            ))
        })?;
        self.decoder.flush();
        let target_pts = target_us.rescale(ffmpeg::rescale::TIME_BASE, self.time_base);
        let decode_err = |e| fail(format!("{path}: decode error: {}", averr(e)));
        let mut frame = frame::Video::empty();
        let mut draining = false;
        loop {
            if !draining {
                let mut packet = Packet::empty();
                match packet.read(&mut self.input) {
                    Ok(()) => {
                        if packet.stream() != self.stream_index {
                            continue;
                        }
                        self.decoder.send_packet(&packet).map_err(decode_err)?;
                    }
                    Err(ffmpeg::Error::Eof) => {
                        draining = true;
                        self.decoder.send_eof().map_err(decode_err)?;
                    }
                    Err(e) => return Err(fail(format!("{path}: read error: {}", averr(e)))),
                }
            }
            loop {
                match self.decoder.receive_frame(&mut frame) {
                    Ok(()) => {
                        if frame.timestamp().is_some_and(|ts| ts >= target_pts) {
                            return Ok(frame);
                        }
                    }
                    Err(ffmpeg::Error::Other {
                        errno: ffmpeg::util::error::EAGAIN,
                    }) => {
                        if draining {
                            return Err(fail(format!("{path}: decoder stalled while draining")));
                        }
                        break;
                    }
                    Err(ffmpeg::Error::Eof) => {
                        return Err(fail(format!(
                            "no frame at or after {} in {path}: the video ends before it",
                            format_micros(t)
                        )))
                    }
                    Err(e) => return Err(decode_err(e)),
                }
            }
        }
    }

    /// Spec step 7.4: a fresh W×H RGB24 frame (32-byte aligned buffers) scaled with SWS_BICUBIC.
    fn scale(&mut self, src: &frame::Video) -> Result<frame::Video, Failure> {
        let (fmt, w, h) = (src.format(), src.width(), src.height());
        let flags = scaling::Flags::BICUBIC;
        match &mut self.scaler {
            Some(s) => s.cached(fmt, w, h, Pixel::RGB24, self.width, self.height, flags),
            None => {
                let s =
                    scaling::Context::get(fmt, w, h, Pixel::RGB24, self.width, self.height, flags)
                        .map_err(|_| fail("cannot create the scaler".into()))?;
                self.scaler = Some(s);
            }
        }
        let mut rgb = frame::Video::new(Pixel::RGB24, self.width, self.height);
        self.scaler
            .as_mut()
            .expect("scaler set above")
            .run(src, &mut rgb)
            .map_err(|e| fail(format!("scaling failed: {}", averr(e))))?;
        Ok(rgb)
    }
}

/// Writes the H rows of 3·W bytes of `rgb` (no line padding).
fn write_rows(
    w: &mut impl Write,
    rgb: &frame::Video,
    width: u32,
    height: u32,
) -> std::io::Result<()> {
    let stride = rgb.stride(0);
    let data = rgb.data(0);
    let row = 3 * width as usize;
    for y in 0..height as usize {
        w.write_all(&data[y * stride..y * stride + row])?;
    }
    Ok(())
}

/// Runs the whole job of the spec and returns the thumbnails written.
pub fn extract(o: &Options) -> Result<Vec<Thumb>, Failure> {
    ffmpeg::init().map_err(|e| fail(format!("cannot initialise FFmpeg: {}", averr(e))))?;
    log::set_level(log::Level::Quiet);
    let path = o.input.as_str();
    let mut x = Extractor::open(path, o.width)?;
    let duration = x.duration();
    let times = match &o.times {
        Times::At(list) => list.clone(),
        Times::Every(every) => {
            let d = duration
                .ok_or_else(|| fail(format!("{path}: duration unknown, --every needs it")))?;
            every_timestamps(*every, d)?
        }
    };
    if let Some(d) = duration {
        if let Some(t) = times.iter().find(|&&t| t >= d) {
            return Err(fail(format!(
                "timestamp {} is past the end of {path} ({} s)",
                format_micros(*t),
                format_micros(d)
            )));
        }
    }
    let outdir = Path::new(&o.outdir);
    if let Err(e) = fs::create_dir(outdir) {
        if e.kind() != std::io::ErrorKind::AlreadyExists {
            return Err(fail(format!("cannot create {}: {}", o.outdir, reason(&e))));
        }
    }
    let mut png = x.open_encoder()?;

    // Dropped in reverse order on failure: both remove their .part files.
    let mut raw_parts = PartFiles::new();
    let mut png_parts = PartFiles::new();
    let mut raw = match o.raw {
        true => {
            let part = raw_parts.add(outdir.join("frames.rgb"));
            let file = File::create(&part)
                .map_err(|e| fail(format!("cannot create {}: {}", part.display(), reason(&e))))?;
            Some((BufWriter::with_capacity(1 << 20, file), part))
        }
        false => None,
    };

    let mut thumbs = Vec::with_capacity(times.len());
    let mut packet = Packet::empty();
    for (i, &t) in times.iter().enumerate() {
        let name = thumb_name(i);
        let frame = x.frame_at(path, t)?;
        let pts = frame
            .timestamp()
            .expect("frame_at returns a timestamped frame");
        let rgb = x.scale(&frame)?;
        drop(frame);
        if let Some((w, part)) = raw.as_mut() {
            write_rows(w, &rgb, x.width, x.height)
                .map_err(|e| fail(format!("cannot write {}: {}", part.display(), reason(&e))))?;
        }
        png.send_frame(&rgb)
            .map_err(|e| fail(format!("PNG encoding failed: {}", averr(e))))?;
        png.receive_packet(&mut packet)
            .map_err(|e| fail(format!("PNG encoding failed: {}", averr(e))))?;
        let part = png_parts.add(outdir.join(&name));
        fs::write(&part, packet.data().unwrap_or_default())
            .map_err(|e| fail(format!("cannot write {}: {}", part.display(), reason(&e))))?;
        let frame_us = pts.rescale(x.time_base, ffmpeg::rescale::TIME_BASE) - x.start;
        thumbs.push(Thumb {
            name,
            t,
            frame_us,
            pts,
        });
    }
    if let Some((w, part)) = raw.take() {
        // Flushes the buffer; the file is closed when the returned handle drops.
        w.into_inner().map_err(|e| {
            fail(format!(
                "cannot write {}: {}",
                part.display(),
                reason(e.error())
            ))
        })?;
    }
    png_parts
        .commit()
        .map_err(|e| fail(format!("cannot rename: {}", reason(&e))))?;
    if let Err(e) = raw_parts.commit() {
        for f in &png_parts.finals {
            let _ = fs::remove_file(f);
        }
        return Err(fail(format!("cannot rename: {}", reason(&e))));
    }
    Ok(thumbs)
}

/// The OS reason of an I/O error, without Rust's " (os error N)" suffix.
fn reason(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.rfind(" (os error ") {
        Some(k) if s.ends_with(')') => s[..k].to_string(),
        _ => s,
    }
}
