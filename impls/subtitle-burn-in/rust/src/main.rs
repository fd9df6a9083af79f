//! `subtitle-burn-in <input-video> <subtitles.srt|.vtt> <output.mp4>` — see ../README.md.
//! Exit codes: 0 on success, 1 on any error (no output file is left), 2 on wrong usage.

use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<_> = std::env::args_os().skip(1).collect();
    if args.len() != 3 {
        eprintln!("usage: subtitle-burn-in <input-video> <subtitles.srt|.vtt> <output.mp4>");
        return ExitCode::from(2);
    }
    match subtitle_burn_in::burn_in_files(
        Path::new(&args[0]),
        Path::new(&args[1]),
        Path::new(&args[2]),
    ) {
        Ok(sum) => {
            println!("{}", sum.json());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("subtitle-burn-in: {e}");
            ExitCode::from(1)
        }
    }
}
