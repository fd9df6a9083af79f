//! audio-chunker < input.pcm > records.bin — see impls/audio-chunker/README.md.
//!
//! Exit codes: 0 success, 1 read or write error, 2 usage.

use std::fs::File;
use std::io::{self, Read};
use std::os::fd::AsFd;
use std::process::ExitCode;

use audio_chunker::Chunker;

const READ_BUFFER: usize = 64 * 1024;

fn main() -> ExitCode {
    if std::env::args_os().len() != 1 {
        eprintln!("usage: audio-chunker < input.pcm > records.bin");
        return ExitCode::from(2);
    }
    // The standard streams as plain files: every read is one read(2) that returns what has
    // arrived, every record one write(2) — no std buffering in between. (Rust ignores SIGPIPE,
    // so a closed stdout is an EPIPE error.)
    let (mut input, mut output) = match (dup(io::stdin().as_fd()), dup(io::stdout().as_fd())) {
        (Ok(i), Ok(o)) => (i, o),
        (Err(e), _) | (_, Err(e)) => return fail("standard streams", &e),
    };
    let mut chunker = Chunker::new();
    let mut buffer = vec![0u8; READ_BUFFER];
    loop {
        let n = match input.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return fail("stdin", &e),
        };
        if let Err(e) = chunker.feed(&buffer[..n], &mut output) {
            return fail("stdout", &e);
        }
    }
    match chunker.finish(&mut output) {
        Ok(finish) => {
            if finish.odd_byte {
                eprintln!("audio-chunker: warning: input ends with an odd byte; ignored");
            }
            ExitCode::SUCCESS
        }
        Err(e) => fail("stdout", &e),
    }
}

fn dup(fd: std::os::fd::BorrowedFd<'_>) -> io::Result<File> {
    Ok(File::from(fd.try_clone_to_owned()?))
}

fn fail(what: &str, err: &io::Error) -> ExitCode {
    eprintln!("audio-chunker: {what}: {err}");
    ExitCode::from(1)
}
