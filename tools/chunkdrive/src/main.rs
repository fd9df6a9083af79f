//! chunkdrive — measurement driver for 2.2 audio-chunker (impls/audio-chunker/README.md,
//! "Measurement"), and the generator of its input.
//!
//! ```text
//! chunkdrive gen --seed S --seconds N --out FILE
//! chunkdrive [--pace fast|realtime|Nx] [--block SAMPLES] --input FILE --out RECORDS -- PROGRAM [ARGS...]
//! ```
//! Exit codes: 0 success, 1 failure of the program or of I/O, 2 usage.

mod drive;
mod gen;

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: chunkdrive gen --seed S --seconds N --out FILE\n       \
chunkdrive [--pace fast|realtime|Nx] [--block SAMPLES] --input FILE --out RECORDS -- PROGRAM [ARGS...]";

fn usage(msg: &str) -> ExitCode {
    eprintln!("chunkdrive: {msg}\n{USAGE}");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("gen") {
        return gen_main(&args[1..]);
    }
    let mut opts = drive::Options {
        pace: drive::Pace::Fast,
        block: 160,
        input: PathBuf::new(),
        out: PathBuf::new(),
        program: Vec::new(),
    };
    let (mut have_input, mut have_out) = (false, false);
    let mut i = 0;
    while i < args.len() {
        let arg = args[i].as_str();
        if arg == "--" {
            opts.program = args[i + 1..].to_vec();
            break;
        }
        let Some(value) = args.get(i + 1) else {
            return usage(&format!("{arg} needs a value"));
        };
        match arg {
            "--pace" => match drive::Pace::parse(value) {
                Some(p) => opts.pace = p,
                None => {
                    return usage(&format!(
                        "bad --pace {value:?}: fast, realtime or Nx (e.g. 20x)"
                    ))
                }
            },
            "--block" => match value.parse::<usize>() {
                Ok(b) if b > 0 => opts.block = b,
                _ => {
                    return usage(&format!(
                        "bad --block {value:?}: a positive number of samples"
                    ))
                }
            },
            "--input" => {
                opts.input = PathBuf::from(value);
                have_input = true;
            }
            "--out" => {
                opts.out = PathBuf::from(value);
                have_out = true;
            }
            _ => return usage(&format!("unknown argument {arg:?}")),
        }
        i += 2;
    }
    if !have_input || !have_out || opts.program.is_empty() {
        return usage("--input, --out and -- PROGRAM are required");
    }
    match drive::run(&opts) {
        Ok(summary) => {
            println!("{summary}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("chunkdrive: {e}");
            ExitCode::from(1)
        }
    }
}

fn gen_main(args: &[String]) -> ExitCode {
    let (mut seed, mut seconds, mut out) = (None, None, None);
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let Some(value) = it.next() else {
            return usage(&format!("{arg} needs a value"));
        };
        match arg.as_str() {
            "--seed" => seed = value.parse::<u64>().ok(),
            "--seconds" => seconds = value.parse::<u64>().ok().filter(|&s| s > 0),
            "--out" => out = Some(PathBuf::from(value)),
            _ => return usage(&format!("unknown argument {arg:?}")),
        }
    }
    let (Some(seed), Some(seconds), Some(out)) = (seed, seconds, out) else {
        return usage("gen needs --seed N, --seconds N (> 0) and --out FILE");
    };
    let bytes = gen::generate(seed, seconds);
    let part = out.with_extension("part");
    if let Err(e) = std::fs::write(&part, &bytes).and_then(|()| std::fs::rename(&part, &out)) {
        let _ = std::fs::remove_file(&part);
        eprintln!("chunkdrive: {}: {e}", out.display());
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}
