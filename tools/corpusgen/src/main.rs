//! Command line of `corpusgen`: a seeded corpus of Thai and English markdown and plain-text
//! documents for the vector ingester (project 3.2).
//!
//! ```text
//! corpusgen --seed <u64> --size <bytes>[K|M|G] --out <path> [--format dir|tar]
//! ```
//!
//! Documents are added until their sizes add up to at least `size`. Every corpus holds one empty
//! file, one ISO-8859-1 file and one file with corrupted UTF-8; from 100 MiB on it also holds
//! `large/book-NN.md` files of 51–70 MiB (one per ~170 MiB). The other documents are 64 B – 4 MiB
//! (log-uniform), of these kinds: English, Thai and mixed markdown, wrapped plain text (LF and
//! CRLF), Thai runs without spaces, base64 blobs, and a few more ISO-8859-1 and corrupted files.
//!
//! `--format dir` (the default) writes the files below the folder `<path>`; `--format tar` writes
//! one uncompressed POSIX ustar archive `<path>` with the files in ascending byte order of their
//! paths (fixed mode, owner and mtime, so the archive's bytes depend only on seed and size).
//! Exit codes: 0 success, 1 I/O error, 2 usage error.

mod docs;
// The same seeded generator as the log generator's: one copy, so a seed means the same stream.
#[path = "../../loggen/src/rng.rs"]
mod rng;
mod words;

use docs::Kind;
use rng::Rng;
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::process::ExitCode;

const USAGE: &str =
    "usage: corpusgen --seed <u64> --size <bytes>[K|M|G] --out <path> [--format dir|tar]";

const MIB: u64 = 1 << 20;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Dir,
    Tar,
}

struct Args {
    seed: u64,
    size: u64,
    out: String,
    format: Format,
}

/// One planned document.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Entry {
    path: String,
    kind: Kind,
    target: u64,
    seed: u64,
}

/// Parses a byte count: decimal digits with an optional `K`, `M` or `G` suffix (powers of 1024).
fn parse_size(s: &str) -> Option<u64> {
    let (digits, mult) = match s.as_bytes().last()? {
        b'K' | b'k' => (&s[..s.len() - 1], 1u64 << 10),
        b'M' | b'm' => (&s[..s.len() - 1], 1 << 20),
        b'G' | b'g' => (&s[..s.len() - 1], 1 << 30),
        _ => (s, 1),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse::<u64>().ok()?.checked_mul(mult)
}

/// `Ok(None)` means `--help` was asked for.
fn parse_args(args: &[String]) -> Result<Option<Args>, String> {
    let (mut seed, mut size, mut out, mut format) = (None, None, None, None);
    let mut i = 0;
    while i < args.len() {
        let arg = args[i].as_str();
        if arg == "-h" || arg == "--help" {
            return Ok(None);
        }
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            _ => (arg, None),
        };
        if !matches!(flag, "--seed" | "--size" | "--out" | "--format") {
            return Err(format!("unknown argument {arg}"));
        }
        let value = match inline {
            Some(v) => v,
            None => {
                i += 1;
                args.get(i)
                    .cloned()
                    .ok_or_else(|| format!("{flag} needs a value"))?
            }
        };
        let twice = || format!("{flag} given twice");
        match flag {
            "--seed" => {
                if seed.is_some() {
                    return Err(twice());
                }
                let ok = !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit());
                seed = Some(value.parse::<u64>().ok().filter(|_| ok).ok_or_else(|| {
                    format!("--seed: invalid value {value:?} (want an unsigned 64-bit integer)")
                })?);
            }
            "--size" => {
                if size.is_some() {
                    return Err(twice());
                }
                size = Some(parse_size(&value).ok_or_else(|| {
                    format!(
                        "--size: invalid value {value:?} (want bytes, optionally with K, M or G)"
                    )
                })?);
            }
            "--format" => {
                if format.is_some() {
                    return Err(twice());
                }
                format = Some(match value.as_str() {
                    "dir" => Format::Dir,
                    "tar" => Format::Tar,
                    _ => {
                        return Err(format!(
                            "--format: invalid value {value:?} (want dir or tar)"
                        ))
                    }
                });
            }
            _ => {
                if out.is_some() {
                    return Err(twice());
                }
                if value.is_empty() {
                    return Err("--out: empty path".into());
                }
                out = Some(value);
            }
        }
        i += 1;
    }
    Ok(Some(Args {
        seed: seed.ok_or("missing --seed")?,
        size: size.ok_or("missing --size")?,
        out: out.ok_or("missing --out")?,
        format: format.unwrap_or(Format::Dir),
    }))
}

/// The documents of a corpus of at least `size` bytes, sorted by path (bytes).
fn plan(seed: u64, size: u64) -> Vec<Entry> {
    let mut rng = Rng::new(seed);
    let mut entries = Vec::new();
    let mut total = 0u64;
    let mut serial = 0u32;
    let mut add = |rng: &mut Rng, kind: Kind, target: u64, entries: &mut Vec<Entry>| {
        serial += 1;
        let (dir, stem, ext) = kind.naming();
        let path = match kind {
            Kind::EnMarkdown | Kind::ThMarkdown | Kind::Mixed => {
                let topic = rng.pick(words::TOPICS);
                format!("{dir}/{topic}/{stem}-{serial:05}.{ext}")
            }
            _ => format!("{dir}/{stem}-{serial:05}.{ext}"),
        };
        let seed = rng.next_u64();
        entries.push(Entry {
            path,
            kind,
            target,
            seed,
        });
        target
    };
    total += add(&mut rng, Kind::Empty, 0, &mut entries);
    let t = rng.range(2 << 10, 20 << 10);
    total += add(&mut rng, Kind::Latin1, t, &mut entries);
    let t = rng.range(2 << 10, 40 << 10);
    total += add(&mut rng, Kind::Broken, t, &mut entries);
    let large = if size >= 100 * MIB {
        ((size + 85 * MIB) / (170 * MIB)).max(1)
    } else {
        0
    };
    for i in 0..large {
        let kind = [Kind::EnMarkdown, Kind::ThMarkdown, Kind::Mixed][(i % 3) as usize];
        let target = rng.range(51 * MIB, 70 * MIB);
        let seed = rng.next_u64();
        entries.push(Entry {
            path: format!("large/book-{i:02}.md"),
            kind,
            target,
            seed,
        });
        total += target;
    }
    const KINDS: &[(u32, Kind)] = &[
        (30, Kind::EnMarkdown),
        (25, Kind::ThMarkdown),
        (15, Kind::Mixed),
        (10, Kind::PlainWrapped),
        (4, Kind::PlainCrlf),
        (2, Kind::ThaiRun),
        (2, Kind::Blob),
        (1, Kind::Latin1),
        (2, Kind::Broken),
        (1, Kind::Empty),
    ];
    while total < size {
        let kind = rng.weighted(KINDS);
        let target = match kind {
            Kind::Empty => 0,
            Kind::ThaiRun | Kind::Blob => rng.range(8 << 10, 200 << 10),
            Kind::Latin1 | Kind::Broken => rng.range(2 << 10, 100 << 10),
            _ => {
                let bits = rng.range(6, 21);
                (1 << bits) + rng.below(1 << bits)
            }
        };
        // The last document is only as large as the corpus still needs (at least 64 bytes).
        let target = target.min((size - total).max(64));
        total += add(&mut rng, kind, target, &mut entries);
    }
    entries.sort_by(|a, b| a.path.as_bytes().cmp(b.path.as_bytes()));
    entries
}

/// A ustar header for a regular file (mode 0644, owner 0, mtime 0).
fn tar_header(path: &str, size: u64) -> [u8; 512] {
    assert!(path.len() <= 100 && size < (1 << 33));
    let mut h = [0u8; 512];
    h[..path.len()].copy_from_slice(path.as_bytes());
    let mut put = |at: usize, s: &str| h[at..at + s.len()].copy_from_slice(s.as_bytes());
    put(100, "0000644\0");
    put(108, "0000000\0");
    put(116, "0000000\0");
    put(124, &format!("{size:011o}\0"));
    put(136, "00000000000\0");
    put(148, "        ");
    put(156, "0");
    put(257, "ustar\0");
    put(263, "00");
    put(329, "0000000\0");
    put(337, "0000000\0");
    let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
    let s = format!("{sum:06o}\0 ");
    h[148..156].copy_from_slice(s.as_bytes());
    h
}

/// Totals of one run.
#[derive(Debug, PartialEq, Eq)]
struct Summary {
    bytes: u64,
    files: u64,
}

/// Generates every planned document, in path order, and hands it to `sink`.
fn generate(
    seed: u64,
    size: u64,
    mut sink: impl FnMut(&str, &[u8]) -> io::Result<()>,
) -> io::Result<Summary> {
    let mut buf = Vec::new();
    let mut s = Summary { bytes: 0, files: 0 };
    for e in plan(seed, size) {
        buf.clear();
        docs::generate(e.kind, e.seed, e.target, &mut buf);
        sink(&e.path, &buf)?;
        s.bytes += buf.len() as u64;
        s.files += 1;
    }
    Ok(s)
}

fn write_tar(args: &Args) -> io::Result<Summary> {
    let mut w = BufWriter::with_capacity(1 << 20, File::create(&args.out)?);
    let s = generate(args.seed, args.size, |path, data| {
        w.write_all(&tar_header(path, data.len() as u64))?;
        w.write_all(data)?;
        let pad = (512 - data.len() % 512) % 512;
        w.write_all(&[0u8; 512][..pad])
    })?;
    w.write_all(&[0u8; 1024])?;
    w.flush()?;
    Ok(s)
}

fn write_dir(args: &Args) -> io::Result<Summary> {
    let root = Path::new(&args.out);
    fs::create_dir_all(root)?;
    generate(args.seed, args.size, |path, data| {
        let full = root.join(path);
        if let Some(parent) = full.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::write(full, data)
    })
}

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let args = match parse_args(&argv) {
        Ok(Some(a)) => a,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(msg) => {
            eprintln!("corpusgen: {msg} ({USAGE})");
            return ExitCode::from(2);
        }
    };
    let result = match args.format {
        Format::Tar => write_tar(&args),
        Format::Dir => write_dir(&args),
    };
    match result {
        Ok(s) => {
            println!(
                "{{\"bytes\":{},\"files\":{},\"seed\":{}}}",
                s.bytes, s.files, args.seed
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("corpusgen: {}: {e}", args.out);
            ExitCode::from(1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_args() {
        assert_eq!(parse_size("8M"), Some(8 << 20));
        assert_eq!(parse_size("500m"), Some(500 << 20));
        assert_eq!(parse_size("1.5M"), None);
        let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let a = parse_args(&v(&[
            "--seed",
            "7",
            "--size=1K",
            "--out",
            "x",
            "--format",
            "tar",
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(
            (a.seed, a.size, a.out.as_str(), a.format),
            (7, 1024, "x", Format::Tar)
        );
        let a = parse_args(&v(&["--seed", "7", "--size=1K", "--out", "x"]))
            .unwrap()
            .unwrap();
        assert_eq!(a.format, Format::Dir);
        for (bad, needle) in [
            (&["--seed", "1", "--size", "1"][..], "--out"),
            (&["--seed", "x", "--size", "1", "--out", "o"][..], "--seed"),
            (
                &[
                    "--seed", "1", "--size", "1", "--out", "o", "--format", "zip",
                ][..],
                "--format",
            ),
            (&["--bogus"][..], "--bogus"),
        ] {
            let err = parse_args(&v(bad)).err().unwrap();
            assert!(err.contains(needle), "{err}");
        }
    }

    #[test]
    fn plan_is_sorted_deterministic_and_covers_the_faults() {
        let p = plan(42, 8 * MIB);
        assert_eq!(p, plan(42, 8 * MIB));
        assert_ne!(p, plan(43, 8 * MIB));
        assert!(p
            .windows(2)
            .all(|w| w[0].path.as_bytes() < w[1].path.as_bytes()));
        assert!(p.iter().map(|e| e.target).sum::<u64>() >= 8 * MIB);
        for kind in [Kind::Empty, Kind::Latin1, Kind::Broken] {
            assert!(p.iter().any(|e| e.kind == kind), "{kind:?}");
        }
        assert!(!p.iter().any(|e| e.path.starts_with("large/")));
        let big = plan(42, 500 * MIB);
        let large: Vec<_> = big
            .iter()
            .filter(|e| e.path.starts_with("large/"))
            .collect();
        assert_eq!(large.len(), 3);
        assert!(large.iter().all(|e| e.target > 50 * MIB));
        assert_eq!(
            plan(1, 100 * MIB)
                .iter()
                .filter(|e| e.target > 50 * MIB)
                .count(),
            1
        );
    }

    #[test]
    fn tar_header_checksum() {
        let h = tar_header("en/a.md", 1234);
        let stored = u32::from_str_radix(std::str::from_utf8(&h[148..154]).unwrap(), 8).unwrap();
        let mut copy = h;
        copy[148..156].copy_from_slice(b"        ");
        assert_eq!(stored, copy.iter().map(|&b| u32::from(b)).sum::<u32>());
        assert_eq!(&h[124..136], b"00000002322\0");
    }
}
