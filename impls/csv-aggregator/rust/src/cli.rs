//! Command line, files and exit codes: 0 success, 1 I/O error or malformed input, 2 usage.

use crate::agg::{aggregate, write_output, Error};
use std::ffi::OsString;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::Path;

/// Runs the program with `args` (without the program name); returns the exit code.
pub fn run(args: &[OsString], stdout: &mut dyn Write, stderr: &mut dyn Write) -> i32 {
    if args.len() != 2 {
        let _ = writeln!(stderr, "usage: csv-aggregator <input.csv> <output.csv>");
        return 2;
    }
    let (in_path, out_path) = (Path::new(&args[0]), Path::new(&args[1]));
    let input = match File::open(in_path) {
        Ok(f) => f,
        Err(e) => return fail(stderr, in_path, &reason(&e)),
    };
    let output = match File::create(out_path) {
        Ok(f) => f,
        Err(e) => return fail(stderr, out_path, &reason(&e)),
    };
    // Only a regular file is deleted after an error, never a device such as /dev/null.
    let regular = output.metadata().map(|m| m.is_file()).unwrap_or(false);
    let abort = |stderr: &mut dyn Write, path: &Path, msg: &str| {
        if regular {
            let _ = fs::remove_file(out_path);
        }
        fail(stderr, path, msg)
    };
    let result = match aggregate(input) {
        Ok(r) => r,
        Err(Error::Parse(p)) => {
            drop(output);
            return abort(stderr, in_path, &p.to_string());
        }
        Err(Error::Io(e)) => {
            drop(output);
            return abort(stderr, in_path, &reason(&e));
        }
    };
    if let Err(e) = write_output(output, &result.groups) {
        return abort(stderr, out_path, &reason(&e));
    }
    let _ = stdout.write_all(result.summary().as_bytes());
    let _ = stdout.flush();
    0
}

fn fail(stderr: &mut dyn Write, path: &Path, msg: &str) -> i32 {
    let _ = writeln!(stderr, "csv-aggregator: {}: {}", path.display(), msg);
    1
}

/// The OS error's text in lower case, without Rust's " (os error N)" suffix.
fn reason(e: &io::Error) -> String {
    let s = e.to_string();
    let s = match s.find(" (os error") {
        Some(i) => &s[..i],
        None => &s[..],
    };
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}
