//! Streaming driver: reads big blocks, masks the complete lines of each, carries the partial last
//! line over to the next read, and produces the summary.

use std::fmt;
use std::io::{self, ErrorKind, Read, Write};

use crate::rules::{Rule, RULE_COUNT};
use crate::scan::{mask_block, Stats};

/// Size of one read. The buffer only grows beyond this to hold a line longer than it.
pub const BLOCK: usize = 1 << 20;

/// An I/O failure, tagged with the side it happened on so the CLI can name the right path.
#[derive(Debug)]
pub enum MaskError {
    /// Reading the input failed.
    Read(io::Error),
    /// Writing (or flushing) the output failed.
    Write(io::Error),
}

impl fmt::Display for MaskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MaskError::Read(e) => write!(f, "read error: {e}"),
            MaskError::Write(e) => write!(f, "write error: {e}"),
        }
    }
}

impl std::error::Error for MaskError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            MaskError::Read(e) | MaskError::Write(e) => Some(e),
        }
    }
}

/// What the summary line reports.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub bytes_in: u64,
    pub bytes_out: u64,
    pub lines: u64,
    pub masked: [u64; RULE_COUNT],
}

impl Summary {
    /// The summary as the spec's one-line JSON (no trailing newline).
    pub fn to_json(&self) -> String {
        let mut s = format!(
            "{{\"bytes_in\":{},\"bytes_out\":{},\"lines\":{},\"masked\":{{",
            self.bytes_in, self.bytes_out, self.lines
        );
        for (k, rule) in Rule::ALL.iter().enumerate() {
            if k > 0 {
                s.push(',');
            }
            s.push_str(&format!(
                "\"{}\":{}",
                rule.label(),
                self.masked[*rule as usize]
            ));
        }
        s.push_str("}}");
        s
    }
}

/// `read` that retries on `Interrupted`.
fn read_some<R: Read>(input: &mut R, buf: &mut [u8]) -> Result<usize, MaskError> {
    loop {
        match input.read(buf) {
            Ok(n) => return Ok(n),
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(MaskError::Read(e)),
        }
    }
}

/// Masks everything from `input` into `output` and flushes `output`.
///
/// Memory: one buffer of `BLOCK` bytes, grown (doubling) only while a single line does not fit.
///
/// # Errors
/// [`MaskError::Read`] if reading `input` fails, [`MaskError::Write`] if writing or flushing
/// `output` fails.
pub fn mask_stream<R: Read, O: Write>(mut input: R, output: &mut O) -> Result<Summary, MaskError> {
    let mut buf = vec![0u8; BLOCK];
    // `buf[..filled]` holds unprocessed input; it never contains a `\n` at the top of the loop
    // (it is the carried-over start of the current line).
    let mut filled = 0usize;
    let mut stats = Stats::default();
    let mut bytes_in = 0u64;
    let mut lines = 0u64;
    loop {
        if filled == buf.len() {
            // The current line is longer than the buffer: grow it (amortised doubling).
            buf.resize(buf.len() * 2, 0);
        }
        let n = read_some(&mut input, &mut buf[filled..])?;
        if n == 0 {
            // End of input: what is left is a last line without `\n` (or nothing).
            if filled > 0 {
                lines += 1;
                mask_block(&buf[..filled], output, &mut stats).map_err(MaskError::Write)?;
            }
            break;
        }
        bytes_in += n as u64;
        let new = &buf[filled..filled + n];
        // Performance: `memchr` (SIMD) counts the newlines and finds the last one; the carried
        // part before `filled` is known to hold none.
        lines += memchr::memchr_iter(b'\n', new).count() as u64;
        let cut = memchr::memrchr(b'\n', new).map(|k| filled + k + 1);
        filled += n;
        if let Some(cut) = cut {
            mask_block(&buf[..cut], output, &mut stats).map_err(MaskError::Write)?;
            // Carry the partial line (usually short) to the front of the buffer.
            buf.copy_within(cut..filled, 0);
            filled -= cut;
        }
    }
    output.flush().map_err(MaskError::Write)?;
    Ok(Summary {
        bytes_in,
        bytes_out: stats.bytes_out,
        lines,
        masked: stats.masked,
    })
}

/// Masks an in-memory input (convenience for tests and embedding).
pub fn mask_bytes(input: &[u8]) -> (Vec<u8>, Summary) {
    let mut out = Vec::with_capacity(input.len());
    match mask_stream(input, &mut out) {
        Ok(summary) => (out, summary),
        // Reading a slice and writing a Vec cannot fail.
        Err(e) => unreachable!("in-memory masking failed: {e}"),
    }
}
