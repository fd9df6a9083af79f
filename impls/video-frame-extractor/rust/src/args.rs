//! The command line, timestamps and output size of ../README.md: pure functions, no FFmpeg.

use std::fmt;

/// The most timestamps one run accepts (after expanding `--every`).
pub const MAX_THUMBNAILS: usize = 10_000;

pub const USAGE: &str =
    "usage: video-frame-extractor [--width W] (--at T[,T...] | --every N) [--raw] <input> <outdir>";

/// What went wrong: a usage error (exit 2) or a runtime error (exit 1), with its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    Usage(String),
    Runtime(String),
}

impl Failure {
    pub fn exit_code(&self) -> i32 {
        match self {
            Failure::Usage(_) => 2,
            Failure::Runtime(_) => 1,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Usage(m) | Failure::Runtime(m) => f.write_str(m),
        }
    }
}

/// Which timestamps to extract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Times {
    /// `--at`: these, in microseconds, in this order.
    At(Vec<i64>),
    /// `--every`: this interval in microseconds, over `[0, duration)`.
    Every(i64),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    pub input: String,
    pub outdir: String,
    pub width: u32,
    pub times: Times,
    pub raw: bool,
}

fn usage(msg: impl Into<String>) -> Failure {
    Failure::Usage(msg.into())
}

/// Parses the arguments after the program name.
pub fn parse_args<S: AsRef<str>>(args: &[S]) -> Result<Options, Failure> {
    let mut width = 320u32;
    let mut at: Option<Vec<i64>> = None;
    let mut every: Option<i64> = None;
    let mut raw = false;
    let mut seen: Vec<&str> = Vec::new();
    let mut positional: Vec<&str> = Vec::new();
    let mut it = args.iter().map(AsRef::as_ref);
    while let Some(arg) = it.next() {
        if !arg.starts_with("--") {
            positional.push(arg);
            continue;
        }
        if seen.contains(&arg) {
            return Err(usage(format!("option {arg} given twice")));
        }
        seen.push(arg);
        if arg == "--raw" {
            raw = true;
            continue;
        }
        if !matches!(arg, "--width" | "--at" | "--every") {
            return Err(usage(format!("unknown option {arg}")));
        }
        let value = it
            .next()
            .ok_or_else(|| usage(format!("option {arg} needs a value")))?;
        match arg {
            "--width" => {
                width = match value.parse::<u32>() {
                    Ok(w) if (2..=16384).contains(&w) && !value.starts_with('+') => w,
                    _ => {
                        return Err(usage(format!(
                            "bad --width {value:?}: an integer in 2..16384"
                        )))
                    }
                }
            }
            "--at" => {
                let list = value
                    .split(',')
                    .map(|part| {
                        parse_seconds(part)
                            .map_err(|e| usage(format!("bad timestamp {part:?} in --at: {e}")))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                if list.len() > MAX_THUMBNAILS {
                    return Err(usage(format!(
                        "too many timestamps (more than {MAX_THUMBNAILS})"
                    )));
                }
                at = Some(list);
            }
            _ => {
                let us = parse_seconds(value)
                    .map_err(|e| usage(format!("bad --every {value:?}: {e}")))?;
                if us == 0 {
                    return Err(usage("--every must be greater than 0"));
                }
                every = Some(us);
            }
        }
    }
    let times = match (at, every) {
        (Some(list), None) => Times::At(list),
        (None, Some(us)) => Times::Every(us),
        _ => return Err(usage("give exactly one of --at and --every")),
    };
    let [input, outdir] = positional.as_slice() else {
        return Err(usage(format!(
            "expected <input> and <outdir>, got {} positional arguments",
            positional.len()
        )));
    };
    Ok(Options {
        input: input.to_string(),
        outdir: outdir.to_string(),
        width,
        times,
        raw,
    })
}

/// Decimal seconds ("4.5": 1-10 digits, optionally '.' and 1-6 digits) to microseconds, exactly.
pub fn parse_seconds(s: &str) -> Result<i64, &'static str> {
    let (int_part, frac) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if int_part.is_empty() || int_part.len() > 10 || !digits(int_part) {
        return Err("expected seconds as 1-10 digits, optionally '.' and 1-6 digits");
    }
    let mut us = int_part
        .bytes()
        .fold(0i64, |acc, b| acc * 10 + i64::from(b - b'0'))
        * 1_000_000;
    if let Some(frac) = frac {
        if frac.is_empty() || frac.len() > 6 || !digits(frac) {
            return Err("expected 1-6 digits after '.'");
        }
        let mut scale = 100_000;
        for b in frac.bytes() {
            us += i64::from(b - b'0') * scale;
            scale /= 10;
        }
    }
    Ok(us)
}

/// Microseconds as `SECONDS.UUUUUU`.
pub fn format_micros(us: i64) -> String {
    let sign = if us < 0 { "-" } else { "" };
    let a = us.unsigned_abs();
    format!("{sign}{}.{:06}", a / 1_000_000, a % 1_000_000)
}

/// `scale=W:-2`: the aspect-keeping height rounded to the nearest even number,
/// `av_rescale(W, srcH, 2·srcW)·2` (round half up on non-negative values).
pub fn output_height(width: u32, src_w: u32, src_h: u32) -> u32 {
    let (w, sw, sh) = (u64::from(width), u64::from(src_w), u64::from(src_h));
    ((w * sh + sw) / (2 * sw) * 2) as u32
}

/// `--every N` over `[0, duration)`.
pub fn every_timestamps(every: i64, duration: i64) -> Result<Vec<i64>, Failure> {
    let mut out = Vec::new();
    let mut t = 0;
    while t < duration {
        if out.len() == MAX_THUMBNAILS {
            return Err(usage(format!(
                "too many timestamps (more than {MAX_THUMBNAILS}): --every {} over {} s",
                format_micros(every),
                format_micros(duration)
            )));
        }
        out.push(t);
        t += every;
    }
    Ok(out)
}

/// File name of the i-th thumbnail (0-based): `001.png`, `002.png`, …
pub fn thumb_name(i: usize) -> String {
    format!("{:03}.png", i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_are_exact_microseconds() {
        for (s, us) in [
            ("0", 0),
            ("4.5", 4_500_000),
            ("59.966667", 59_966_667),
            ("1.000001", 1_000_001),
            ("9999999999", 9_999_999_999_000_000),
            ("007.25", 7_250_000),
        ] {
            assert_eq!(parse_seconds(s), Ok(us), "{s}");
        }
        for s in [
            "",
            ".5",
            "5.",
            "-1",
            "+1",
            "1e3",
            "1.1234567",
            "12345678901",
            " 1",
            "1,5",
            "1.2.3",
        ] {
            assert!(parse_seconds(s).is_err(), "{s:?} must be rejected");
        }
    }

    #[test]
    fn micros_format() {
        assert_eq!(format_micros(0), "0.000000");
        assert_eq!(format_micros(533_333), "0.533333");
        assert_eq!(format_micros(60_000_001), "60.000001");
    }

    #[test]
    fn height_is_scale_minus_2() {
        assert_eq!(output_height(320, 1280, 720), 180);
        assert_eq!(output_height(100, 320, 240), 76); // 75 -> nearest even 76
        assert_eq!(output_height(426, 1280, 720), 240); // 239.6 -> 240
        assert_eq!(output_height(2, 1280, 720), 2);
        assert_eq!(output_height(2, 1920, 100), 0);
        assert_eq!(output_height(1281, 1280, 720), 720);
    }

    #[test]
    fn every_excludes_the_end() {
        let ts = every_timestamps(4_500_000, 60_000_000).unwrap();
        assert_eq!((ts.len(), ts[0], ts[13]), (14, 0, 58_500_000));
        assert_eq!(
            every_timestamps(1_000_000, 2_000_000).unwrap(),
            vec![0, 1_000_000]
        );
        assert!(matches!(
            every_timestamps(1, 60_000_000),
            Err(Failure::Usage(_))
        ));
    }

    #[test]
    fn args() {
        let o = parse_args(&["in.mp4", "--every", "4.5", "out", "--raw"]).unwrap();
        assert_eq!(
            o,
            Options {
                input: "in.mp4".into(),
                outdir: "out".into(),
                width: 320,
                times: Times::Every(4_500_000),
                raw: true
            }
        );
        let o = parse_args(&["--width", "100", "--at", "0,1.5,1.5", "in", "out"]).unwrap();
        assert_eq!(
            (o.width, o.times, o.raw),
            (100, Times::At(vec![0, 1_500_000, 1_500_000]), false)
        );
        let bad: &[&[&str]] = &[
            &["in", "out"],
            &["--at", "1", "--every", "1", "in", "out"],
            &["--at", "1", "in"],
            &["--at", "1", "in", "out", "extra"],
            &["--at", "1", "--at", "2", "in", "out"],
            &["--at", "1", "--fast", "in", "out"],
            &["in", "out", "--at"],
            &["--at", "1,,2", "in", "out"],
            &["--at", "-1", "in", "out"],
            &["--every", "0", "in", "out"],
            &["--every", "0.0000001", "in", "out"],
            &["--width", "1", "--at", "1", "in", "out"],
            &["--width", "16385", "--at", "1", "in", "out"],
            &["--width", "abc", "--at", "1", "in", "out"],
        ];
        for args in bad {
            assert!(
                matches!(parse_args(args), Err(Failure::Usage(_))),
                "{args:?}"
            );
        }
    }
}
