//! Subtitle burn-in engine: parses SRT/WebVTT, draws the cues onto each decoded frame with its own
//! pixel code and re-encodes with libx264 (lossless), copying the audio. The spec is
//! `../README.md`.

pub mod burn;
pub mod draw;
pub mod subs;

use std::path::Path;

pub use burn::{burn_in, decode_frames, Summary};
pub use draw::{blend, Font, Layout};
pub use subs::{cells, dump, parse, Cell, Cue, SubtitleError, Subtitles};

/// Reads and parses the subtitle file, then runs the job. Errors read `<what>: <reason>`.
pub fn burn_in_files(input: &Path, subs_path: &Path, out: &Path) -> Result<Summary, String> {
    let data = std::fs::read(subs_path).map_err(|e| format!("{}: {e}", subs_path.display()))?;
    let subs = parse(&data).map_err(|e| format!("{}:{e}", subs_path.display()))?;
    burn_in(input, subs_path, out, &subs, &Font::embedded())
}
