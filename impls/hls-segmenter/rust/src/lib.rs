//! HLS segmenter: remuxes a video into MPEG-TS segments cut at keyframes and writes a VOD
//! playlist, through FFmpeg's libavformat (`ffmpeg-next`). Specification: ../README.md.

mod playlist;
mod segment;

pub use playlist::{playlist, segment_name};
pub use segment::{run, Error, PLAYLIST_NAME};

pub const USAGE: &str = "usage: hls-segmenter INPUT OUTDIR [TARGET_SECONDS]";

/// Parsed command line: input, output directory, target duration in seconds.
#[derive(Debug, PartialEq, Eq)]
pub struct Args {
    pub input: String,
    pub out_dir: String,
    pub target: i64,
}

/// Parses the arguments after the program name; `Err` holds the usage message.
pub fn parse_args(args: &[String]) -> Result<Args, String> {
    if !(2..=3).contains(&args.len()) {
        return Err(USAGE.to_string());
    }
    let target = match args.get(2) {
        None => 6,
        Some(t) => parse_target(t).ok_or_else(|| {
            format!("invalid target duration {t:?} (an integer from 1 to 3600)\n{USAGE}")
        })?,
    };
    Ok(Args {
        input: args[0].clone(),
        out_dir: args[1].clone(),
        target,
    })
}

/// Decimal digits only, 1..=3600.
fn parse_target(s: &str) -> Option<i64> {
    if s.is_empty() || s.len() > 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let v: i64 = s.parse().ok()?;
    (1..=3600).contains(&v).then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn args() {
        assert_eq!(
            parse_args(&strings(&["a.mp4", "dir"])),
            Ok(Args {
                input: "a.mp4".into(),
                out_dir: "dir".into(),
                target: 6
            })
        );
        assert_eq!(
            parse_args(&strings(&["a", "b", "3600"])).unwrap().target,
            3600
        );
        for bad in [
            &[][..],
            &["a"][..],
            &["a", "b", "6", "x"][..],
            &["a", "b", "0"][..],
            &["a", "b", "3601"][..],
            &["a", "b", "-1"][..],
            &["a", "b", "6.5"][..],
            &["a", "b", ""][..],
            &["a", "b", "+6"][..],
            &["a", "b", "06x"][..],
        ] {
            assert!(parse_args(&strings(bad)).is_err(), "{bad:?} accepted");
        }
    }
}
