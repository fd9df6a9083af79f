//! Video frame extractor: PNG thumbnails of a video at given timestamps, decoded with FFmpeg's C
//! libraries through `ffmpeg-next`, as specified in ../README.md.

pub mod args;
pub mod extract;

use std::io::Write;

pub use args::{parse_args, Failure, Options, Times};
pub use extract::{extract, Thumb};

/// The whole program minus the process exit: returns the exit code.
pub fn run<S: AsRef<str>>(args: &[S], stdout: &mut impl Write, stderr: &mut impl Write) -> i32 {
    let result = parse_args(args).and_then(|o| extract(&o));
    match result {
        Ok(thumbs) => {
            let text: String = thumbs.iter().map(Thumb::line).collect();
            if let Err(e) = stdout
                .write_all(text.as_bytes())
                .and_then(|_| stdout.flush())
            {
                let _ = writeln!(stderr, "video-frame-extractor: <stdout>: {e}");
                return 1;
            }
            0
        }
        Err(f) => {
            let _ = writeln!(stderr, "video-frame-extractor: {f}");
            if let Failure::Usage(_) = f {
                let _ = writeln!(stderr, "{}", args::USAGE);
            }
            f.exit_code()
        }
    }
}
