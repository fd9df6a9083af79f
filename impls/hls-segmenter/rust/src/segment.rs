//! The remux itself: one libavformat MPEG-TS muxer whose output file is switched at every cut
//! (README.md, "Processing"). The safe `ffmpeg-next` wrappers do the input, the streams and the
//! packets; `ffmpeg::ffi` does what they lack (the muxer's `max_delay`, switching `pb`,
//! flushing, `av_opt_set`, `av_compare_ts`).

use std::ffi::{c_int, CString};
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::ptr;
use std::sync::Once;

use ffmpeg::format::context::Output;
use ffmpeg::{codec, encoder, ffi, format, media, Dictionary, Packet, Rational, Rescale};
use ffmpeg_next as ffmpeg;

use crate::playlist::{playlist, segment_name};

/// The playlist's file name inside the output directory.
pub const PLAYLIST_NAME: &str = "index.m3u8";

/// A failure and the file it concerns; displayed as `<path>: <reason>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub path: String,
    pub reason: String,
}

impl Error {
    fn new(path: impl AsRef<Path>, reason: impl fmt::Display) -> Self {
        Error {
            path: path.as_ref().display().to_string(),
            reason: reason.to_string(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.reason)
    }
}

impl std::error::Error for Error {}

/// The OS error text without Rust's " (os error N)" suffix.
fn io_reason(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

static INIT: Once = Once::new();

/// Segments `input` into `out_dir` (an existing directory) with segments of about `target`
/// seconds, then writes the playlist last. On failure every file it created is removed again.
pub fn run(input: &str, out_dir: &str, target: i64) -> Result<(), Error> {
    match fs::metadata(out_dir) {
        Err(e) => {
            return Err(Error::new(
                out_dir,
                format!("output directory: {}", io_reason(&e)),
            ))
        }
        Ok(m) if !m.is_dir() => return Err(Error::new(out_dir, "not a directory")),
        Ok(_) => {}
    }
    INIT.call_once(|| {
        let _ = ffmpeg::init();
        ffmpeg::log::set_level(ffmpeg::log::Level::Error);
    });
    let mut created = Vec::new();
    let out_dir = Path::new(out_dir);
    let result = segment(input, out_dir, target, &mut created)
        .and_then(|durations| write_playlist(out_dir, &durations, &mut created));
    if result.is_err() {
        for p in &created {
            let _ = fs::remove_file(p);
        }
    }
    result
}

fn write_playlist(
    out_dir: &Path,
    durations: &[i64],
    created: &mut Vec<PathBuf>,
) -> Result<(), Error> {
    let tmp = out_dir.join(format!("{PLAYLIST_NAME}.tmp"));
    created.push(tmp.clone());
    fs::write(&tmp, playlist(durations)).map_err(|e| Error::new(&tmp, io_reason(&e)))?;
    let fin = out_dir.join(PLAYLIST_NAME);
    fs::rename(&tmp, &fin).map_err(|e| Error::new(&fin, io_reason(&e)))
}

/// Opens segment `k` as the muxer's output file.
fn open_segment(
    octx: &mut Output,
    out_dir: &Path,
    k: usize,
    created: &mut Vec<PathBuf>,
) -> Result<(), Error> {
    let path = out_dir.join(segment_name(k));
    let cpath = CString::new(path.as_os_str().as_encoded_bytes())
        .map_err(|_| Error::new(&path, "path contains a NUL byte"))?;
    created.push(path.clone());
    let ret = unsafe {
        ffi::avio_open(
            &mut (*octx.as_mut_ptr()).pb,
            cpath.as_ptr(),
            ffi::AVIO_FLAG_WRITE as c_int,
        )
    };
    if ret < 0 {
        return Err(Error::new(&path, ffmpeg::Error::from(ret)));
    }
    Ok(())
}

/// Flushes what the muxer buffers into the current segment and closes its file.
fn close_segment(octx: &mut Output, path: &Path) -> Result<(), Error> {
    unsafe {
        let ret = ffi::av_write_frame(octx.as_mut_ptr(), ptr::null_mut());
        if ret < 0 {
            return Err(Error::new(path, ffmpeg::Error::from(ret)));
        }
        let ret = ffi::avio_closep(&mut (*octx.as_mut_ptr()).pb);
        if ret < 0 {
            return Err(Error::new(path, ffmpeg::Error::from(ret)));
        }
    }
    Ok(())
}

/// The remux; returns the segment durations in microseconds.
fn segment(
    input: &str,
    out_dir: &Path,
    target: i64,
    created: &mut Vec<PathBuf>,
) -> Result<Vec<i64>, Error> {
    let in_err = |e: ffmpeg::Error| Error::new(input, e);
    let mut ictx = format::input(input).map_err(in_err)?;

    // The first video stream and the first audio stream, in input order.
    let mut video = None;
    let mut audio = None;
    for st in ictx.streams() {
        match st.parameters().medium() {
            media::Type::Video if video.is_none() => video = Some(st.index()),
            media::Type::Audio if audio.is_none() => audio = Some(st.index()),
            _ => {}
        }
    }
    let video = video.ok_or_else(|| Error::new(input, "no video stream"))?;

    let mut octx = unsafe {
        let mut ps = ptr::null_mut();
        let ret = ffi::avformat_alloc_output_context2(
            &mut ps,
            ptr::null(),
            c"mpegts".as_ptr(),
            ptr::null(),
        );
        if ret < 0 {
            return Err(in_err(ffmpeg::Error::from(ret)));
        }
        (*ps).max_delay = 700_000; // 0.7 s, as the ffmpeg CLI's default -muxdelay
        Output::wrap(ps)
    };

    let n_in = ictx.nb_streams() as usize;
    let mut out_index: Vec<Option<usize>> = vec![None; n_in];
    let mut in_tb = vec![Rational::new(0, 1); n_in];
    for st in ictx.streams() {
        let i = st.index();
        if i != video && Some(i) != audio {
            continue;
        }
        let mut ost = octx
            .add_stream(encoder::find(codec::Id::None))
            .map_err(in_err)?;
        ost.set_parameters(st.parameters());
        unsafe { (*(*ost.as_mut_ptr()).codecpar).codec_tag = 0 };
        ost.set_time_base(st.time_base());
        ost.set_metadata(st.metadata().to_owned());
        out_index[i] = Some(ost.index());
        in_tb[i] = st.time_base();
    }

    let seg_path = |k: usize| out_dir.join(segment_name(k));
    open_segment(&mut octx, out_dir, 0, created)?;
    // One PAT/PMT per segment, no periodic tables (as FFmpeg's own HLS muxer sets them).
    let mut opts = Dictionary::new();
    opts.set("pat_period", "1073741822");
    opts.set("sdt_period", "1073741822");
    let left = octx
        .write_header_with(opts)
        .map_err(|e| Error::new(seg_path(0), e))?
        .iter()
        .count();
    if left != 0 {
        return Err(Error::new(seg_path(0), "muxer option not recognised"));
    }
    let out_tb: Vec<Rational> = octx.streams().map(|s| s.time_base()).collect();

    let us = Rational::new(1, 1_000_000);
    let vtb = in_tb[video];
    let mut seg = 0usize;
    let mut pts0: Option<i64> = None;
    let mut end = 0i64;
    let mut cuts: Vec<i64> = Vec::new(); // pts of the first video packet of every segment
    loop {
        let mut pkt = Packet::empty();
        match pkt.read(&mut ictx) {
            Ok(()) => {}
            Err(ffmpeg::Error::Eof) => break,
            Err(e) => return Err(Error::new(input, format!("read error: {e}"))),
        }
        let si = pkt.stream();
        let Some(oi) = out_index.get(si).copied().flatten() else {
            continue;
        };
        if pkt.is_corrupt() {
            return Err(Error::new(
                input,
                format!("corrupt packet in stream {si} (truncated or damaged file)"),
            ));
        }
        if si == video {
            let pts = pkt
                .pts()
                .ok_or_else(|| Error::new(input, "video packet without timestamp"))?;
            match pts0 {
                None => {
                    if !pkt.is_key() {
                        return Err(Error::new(input, "first video packet is not a keyframe"));
                    }
                    pts0 = Some(pts);
                    end = pts;
                    cuts.push(pts);
                }
                Some(p0) => {
                    let boundary = (seg as i64 + 1) * target * 1_000_000;
                    if pkt.is_key()
                        && unsafe { ffi::av_compare_ts(pts - p0, vtb.into(), boundary, us.into()) }
                            >= 0
                    {
                        close_segment(&mut octx, &seg_path(seg))?;
                        seg += 1;
                        open_segment(&mut octx, out_dir, seg, created)?;
                        unsafe {
                            ffi::av_opt_set(
                                (*octx.as_mut_ptr()).priv_data,
                                c"mpegts_flags".as_ptr(),
                                c"resend_headers".as_ptr(),
                                0,
                            );
                        }
                        cuts.push(pts);
                    }
                }
            }
            end = end.max(pts + pkt.duration());
        }
        pkt.rescale_ts(in_tb[si], out_tb[oi]);
        pkt.set_stream(oi);
        pkt.set_position(-1);
        pkt.write(&mut octx)
            .map_err(|e| Error::new(seg_path(seg), e))?;
    }
    if pts0.is_none() {
        return Err(Error::new(input, "no video packets"));
    }
    octx.write_trailer()
        .map_err(|e| Error::new(seg_path(seg), e))?;
    let ret = unsafe { ffi::avio_closep(&mut (*octx.as_mut_ptr()).pb) };
    if ret < 0 {
        return Err(Error::new(seg_path(seg), ffmpeg::Error::from(ret)));
    }

    // Segment k spans [cuts[k], cuts[k+1]), the last one [cuts[last], end); each duration is
    // converted to microseconds on its own (av_rescale_q rounds half away from zero).
    Ok((0..cuts.len())
        .map(|k| (cuts.get(k + 1).copied().unwrap_or(end) - cuts[k]).rescale(vtb, us))
        .collect())
}
