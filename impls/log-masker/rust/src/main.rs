//! `log-masker <input-file> <output-file>`: thin CLI around the `log_masker` library.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::process::ExitCode;

use log_masker::{mask_stream, MaskError};

/// Output buffer size. Performance: large enough that the writer issues few, big `write(2)`s.
const OUT_BUF: usize = 1 << 20;

/// The OS reason of an I/O error, without Rust's " (os error N)" suffix.
fn reason(e: &io::Error) -> String {
    let s = e.to_string();
    match s.rfind(" (os error ") {
        Some(k) if s.ends_with(')') => s[..k].to_string(),
        _ => s,
    }
}

/// Prints `log-masker: <path>: <reason>` and yields exit code 1.
fn fail(path: &Path, e: &io::Error) -> ExitCode {
    eprintln!("log-masker: {}: {}", path.display(), reason(e));
    ExitCode::from(1)
}

fn main() -> ExitCode {
    let args: Vec<_> = std::env::args_os().skip(1).collect();
    let [input_path, output_path] = args.as_slice() else {
        eprintln!("usage: log-masker <input-file> <output-file>");
        return ExitCode::from(2);
    };
    let (input_path, output_path) = (Path::new(input_path), Path::new(output_path));

    let input = match File::open(input_path) {
        Ok(f) => f,
        Err(e) => return fail(input_path, &e),
    };
    let output = match File::create(output_path) {
        Ok(f) => f,
        Err(e) => return fail(output_path, &e),
    };
    let mut writer = BufWriter::with_capacity(OUT_BUF, output);
    let summary = match mask_stream(input, &mut writer) {
        Ok(s) => s,
        Err(MaskError::Read(e)) => return fail(input_path, &e),
        Err(MaskError::Write(e)) => return fail(output_path, &e),
    };

    let mut stdout = io::stdout().lock();
    if let Err(e) = writeln!(stdout, "{}", summary.to_json()).and_then(|()| stdout.flush()) {
        return fail(Path::new("<stdout>"), &e);
    }
    ExitCode::SUCCESS
}
