//! The playlist text and segment names (README.md, "Playlist").

use std::fmt::Write;

/// File name of segment `i`: `seg00000.ts`, `seg00001.ts`, … (at least five digits).
pub fn segment_name(i: usize) -> String {
    format!("seg{i:05}.ts")
}

/// The VOD playlist for segments of the given durations in microseconds.
pub fn playlist(durations_us: &[i64]) -> String {
    let max = durations_us.iter().copied().max().unwrap_or(0);
    let target = (max + 999_999) / 1_000_000;
    let mut s = String::with_capacity(128 + durations_us.len() * 32);
    s.push_str("#EXTM3U\n#EXT-X-VERSION:3\n");
    let _ = writeln!(s, "#EXT-X-TARGETDURATION:{target}");
    s.push_str("#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n");
    for (i, d) in durations_us.iter().enumerate() {
        let _ = write!(
            s,
            "#EXTINF:{}.{:06},\n{}\n",
            d / 1_000_000,
            d % 1_000_000,
            segment_name(i)
        );
    }
    s.push_str("#EXT-X-ENDLIST\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_segments() {
        assert_eq!(
            playlist(&[6_000_000, 4_000_000]),
            "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n#EXT-X-MEDIA-SEQUENCE:0\n\
             #EXT-X-PLAYLIST-TYPE:VOD\n#EXTINF:6.000000,\nseg00000.ts\n#EXTINF:4.000000,\nseg00001.ts\n\
             #EXT-X-ENDLIST\n"
        );
    }

    #[test]
    fn matches_tiny_fixture() {
        let want = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../testdata/tiny.m3u8"
        ))
        .unwrap();
        assert_eq!(playlist(&[1_466_667, 1_466_667, 1_066_667]), want);
    }

    #[test]
    fn target_is_ceiling_and_six_decimals() {
        for (durs, target, extinf) in [
            (
                &[6_000_001][..],
                "#EXT-X-TARGETDURATION:7\n",
                "#EXTINF:6.000001,\n",
            ),
            (
                &[999_999][..],
                "#EXT-X-TARGETDURATION:1\n",
                "#EXTINF:0.999999,\n",
            ),
            (
                &[1, 2_000_000][..],
                "#EXT-X-TARGETDURATION:2\n",
                "#EXTINF:0.000001,\n",
            ),
            (
                &[12_345_678_901][..],
                "#EXT-X-TARGETDURATION:12346\n",
                "#EXTINF:12345.678901,\n",
            ),
        ] {
            let p = playlist(durs);
            assert!(p.contains(target) && p.contains(extinf), "{durs:?}: {p}");
        }
    }

    #[test]
    fn names() {
        assert_eq!(segment_name(7), "seg00007.ts");
        assert_eq!(segment_name(123_456), "seg123456.ts");
    }
}
