//! Energy-based voice activity chunker for 16-bit little-endian mono PCM at 16 kHz.
//!
//! The algorithm, the constants and the record format are those of
//! `impls/audio-chunker/README.md`. A [`Chunker`] is fed the stream in pieces of any size and
//! writes each record to its writer the moment the record is decided.

use std::io::{self, Write};

/// Samples per VAD frame (20 ms).
pub const FRAME: usize = 320;
/// Bytes per frame.
pub const FRAME_BYTES: usize = 2 * FRAME;
/// A frame with at least this energy starts speech (RMS 1000).
pub const ON: u64 = 320 * 1000 * 1000;
/// A frame with less than this energy ends speech (RMS 500).
pub const OFF: u64 = 320 * 500 * 500;
/// Consecutive non-speech frames that close a chunk.
pub const HANGOVER: u32 = 15;
/// Frames of pre-roll before the frame that opens a chunk.
pub const PREROLL: usize = 5;
/// Fewer speech frames than this: the chunk is dropped.
pub const MIN_VOICED: u16 = 5;
/// Longest chunk, in samples.
pub const MAX: usize = 80_000;
/// Samples shared by a chunk cut at `MAX` and its continuation.
pub const OVERLAP: usize = 8_000;
/// Bytes of a record header.
pub const HEADER: usize = 24;
/// The record magic.
pub const MAGIC: [u8; 4] = *b"ACHK";

/// Why a chunk ended (the header's `reason` byte).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Reason {
    /// `HANGOVER` non-speech frames.
    Silence = 0,
    /// The chunk reached `MAX` samples.
    Max = 1,
    /// The stream ended.
    Eos = 2,
}

/// Sum of squares of a frame's samples (exact; at most 320 × 32768²).
pub fn frame_energy(frame: &[u8]) -> u64 {
    frame
        .chunks_exact(2)
        .map(|b| {
            let s = i16::from_le_bytes([b[0], b[1]]) as i32;
            (s * s) as u32 as u64
        })
        .sum()
}

/// What the stream's end left over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Finish {
    /// The input had an odd number of bytes; the last one was ignored.
    pub odd_byte: bool,
}

/// The streaming chunker. One frame of carry-over, one chunk buffer; nothing else grows.
pub struct Chunker {
    speaking: bool,
    silent_run: u32,
    seq: u32,
    /// Index of the next frame.
    frame_index: u64,
    open: bool,
    /// First sample of the open chunk.
    start: u64,
    voiced: u16,
    /// `HEADER` bytes of room for the header, then the open chunk's samples as input bytes —
    /// or, while no chunk is open, the pre-roll (up to `PREROLL` frames after `floor`).
    buf: Vec<u8>,
    partial: [u8; FRAME_BYTES],
    partial_len: usize,
}

impl Default for Chunker {
    fn default() -> Self {
        Self::new()
    }
}

impl Chunker {
    pub fn new() -> Self {
        let mut buf = Vec::with_capacity(HEADER + 2 * MAX);
        buf.resize(HEADER, 0);
        Chunker {
            speaking: false,
            silent_run: 0,
            seq: 0,
            frame_index: 0,
            open: false,
            start: 0,
            voiced: 0,
            buf,
            partial: [0; FRAME_BYTES],
            partial_len: 0,
        }
    }

    /// Processes the next piece of the stream; records decided in it are written to `out`.
    pub fn feed<W: Write>(&mut self, mut data: &[u8], out: &mut W) -> io::Result<()> {
        if self.partial_len > 0 {
            let take = (FRAME_BYTES - self.partial_len).min(data.len());
            self.partial[self.partial_len..self.partial_len + take].copy_from_slice(&data[..take]);
            self.partial_len += take;
            data = &data[take..];
            if self.partial_len < FRAME_BYTES {
                return Ok(());
            }
            let frame = self.partial;
            self.partial_len = 0;
            self.frame(&frame, out)?;
        }
        let mut frames = data.chunks_exact(FRAME_BYTES);
        for frame in &mut frames {
            self.frame(frame, out)?;
        }
        let rest = frames.remainder();
        self.partial[..rest.len()].copy_from_slice(rest);
        self.partial_len = rest.len();
        Ok(())
    }

    /// Ends the stream: flushes the open chunk (with the partial frame) as `eos`.
    pub fn finish<W: Write>(&mut self, out: &mut W) -> io::Result<Finish> {
        let odd_byte = self.partial_len % 2 == 1;
        let whole = self.partial_len & !1;
        if self.open {
            self.buf.extend_from_slice(&self.partial[..whole]);
            self.close(Reason::Eos, out)?;
            self.open = false;
        }
        self.buf.truncate(HEADER);
        self.partial_len = 0;
        Ok(Finish { odd_byte })
    }

    fn len(&self) -> usize {
        (self.buf.len() - HEADER) / 2
    }

    fn frame<W: Write>(&mut self, frame: &[u8], out: &mut W) -> io::Result<()> {
        let energy = frame_energy(frame);
        if !self.speaking && energy >= ON {
            self.speaking = true;
        } else if self.speaking && energy < OFF {
            self.speaking = false;
        }
        self.silent_run = if self.speaking {
            0
        } else {
            self.silent_run.saturating_add(1)
        };
        let k = self.frame_index;
        self.frame_index += 1;

        if !self.open {
            if !self.speaking {
                // Keep at most PREROLL frames of pre-roll.
                if self.len() == PREROLL * FRAME {
                    self.buf.copy_within(HEADER + FRAME_BYTES.., HEADER);
                    self.buf.truncate(self.buf.len() - FRAME_BYTES);
                }
                self.buf.extend_from_slice(frame);
                return Ok(());
            }
            // The pre-roll holds min(PREROLL, frames since floor) frames: start is
            // max(320·(k − PREROLL), floor, 0).
            self.open = true;
            self.start = k * FRAME as u64 - self.len() as u64;
            self.voiced = 0;
        }

        self.buf.extend_from_slice(frame);
        if self.speaking {
            self.voiced += 1;
        }
        if self.silent_run >= HANGOVER {
            self.close(Reason::Silence, out)?;
            self.open = false;
            self.buf.truncate(HEADER);
        } else if self.len() == MAX {
            self.close(Reason::Max, out)?;
            let end = self.buf.len();
            self.buf.copy_within(end - 2 * OVERLAP..end, HEADER);
            self.buf.truncate(HEADER + 2 * OVERLAP);
            self.start += (MAX - OVERLAP) as u64;
            self.voiced = 0;
        }
        Ok(())
    }

    /// Writes the open chunk's record (header and samples in one write) unless it is too short.
    fn close<W: Write>(&mut self, reason: Reason, out: &mut W) -> io::Result<()> {
        if self.voiced < MIN_VOICED {
            return Ok(());
        }
        let length = self.len() as u32;
        let header = &mut self.buf[..HEADER];
        header[0..4].copy_from_slice(&MAGIC);
        header[4..8].copy_from_slice(&self.seq.to_le_bytes());
        header[8..16].copy_from_slice(&self.start.to_le_bytes());
        header[16..20].copy_from_slice(&length.to_le_bytes());
        header[20] = reason as u8;
        header[21] = 0;
        header[22..24].copy_from_slice(&self.voiced.to_le_bytes());
        out.write_all(&self.buf)?;
        out.flush()?;
        self.seq = self.seq.wrapping_add(1);
        Ok(())
    }
}

/// One parsed record (for tests and tools).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub seq: u32,
    pub start: u64,
    pub length: u32,
    pub reason: u8,
    pub voiced: u16,
    pub payload: Vec<u8>,
}

/// Splits a record stream; `None` if it is malformed.
pub fn parse_records(mut data: &[u8]) -> Option<Vec<Record>> {
    let mut records = Vec::new();
    while !data.is_empty() {
        if data.len() < HEADER || data[0..4] != MAGIC || data[21] != 0 {
            return None;
        }
        let length = u32::from_le_bytes(data[16..20].try_into().unwrap());
        let total = HEADER + 2 * length as usize;
        if data.len() < total {
            return None;
        }
        records.push(Record {
            seq: u32::from_le_bytes(data[4..8].try_into().unwrap()),
            start: u64::from_le_bytes(data[8..16].try_into().unwrap()),
            length,
            reason: data[20],
            voiced: u16::from_le_bytes(data[22..24].try_into().unwrap()),
            payload: data[HEADER..total].to_vec(),
        });
        data = &data[total..];
    }
    Some(records)
}

/// Chunks a whole stream given in pieces of `piece` bytes; returns the records and the finish.
pub fn chunk_all(input: &[u8], piece: usize) -> (Vec<u8>, Finish) {
    let mut out = Vec::new();
    let mut chunker = Chunker::new();
    for part in input.chunks(piece.max(1)) {
        chunker.feed(part, &mut out).expect("writing to a Vec");
    }
    let finish = chunker.finish(&mut out).expect("writing to a Vec");
    (out, finish)
}
