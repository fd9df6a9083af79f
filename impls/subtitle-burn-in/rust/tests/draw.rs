//! The blend arithmetic and the drawing of a text block on a small frame.

use std::fs;
use subtitle_burn_in::{blend, cells, parse, Cell, Font, Layout};

fn testdata(name: &str) -> String {
    fs::read_to_string(format!("{}/../testdata/{name}", env!("CARGO_MANIFEST_DIR")))
        .expect("read test data")
}

#[test]
fn blend_matches_the_table() {
    let table = testdata("blend.expected");
    for row in table.lines() {
        let v: Vec<i32> = row.split(' ').map(|f| f.parse().unwrap()).collect();
        assert_eq!(
            blend(v[0], v[1], v[2]),
            v[3],
            "blend({}, {}, {})",
            v[0],
            v[1],
            v[2]
        );
    }
}

/// The pattern frame of testdata/draw.expected.
fn draw_frame(w: usize, h: usize) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let y = (0..h)
        .flat_map(|r| (0..w).map(move |x| (7 * x + 13 * r) as u8))
        .collect();
    let u = (0..h / 2)
        .flat_map(|r| (0..w / 2).map(move |x| (5 * x + 3 * r + 64) as u8))
        .collect();
    let v = (0..h / 2)
        .flat_map(|r| (0..w / 2).map(move |x| (11 * x + 2 * r + 32) as u8))
        .collect();
    (y, u, v)
}

#[test]
fn draws_the_expected_pixels() {
    let (w, h) = (66, 64);
    let subs = parse(testdata("draw.srt").as_bytes()).unwrap();
    let block: Vec<Vec<Cell>> = subs.cues.iter().flat_map(|c| cells(c, subs.vtt)).collect();
    let layout = Layout::new(&Font::embedded(), &block, w, h).expect("something to draw");
    assert!(layout.x0 % 2 == 0 && layout.x1 % 2 == 0 && layout.y0 % 2 == 0 && layout.y1 % 2 == 0);
    let (mut y, mut u, mut v) = draw_frame(w, h);
    layout.draw(&mut y, &mut u, &mut v, w, w / 2, w / 2);
    let mut got = Vec::new();
    for (plane, pw) in [(&y, w), (&u, w / 2), (&v, w / 2)] {
        for row in plane.chunks(pw) {
            got.push(row.iter().map(|b| format!("{b:02x}")).collect::<String>());
        }
    }
    let want: Vec<String> = testdata("draw.expected")
        .lines()
        .map(String::from)
        .collect();
    assert_eq!(got.len(), want.len());
    for (i, (g, e)) in got.iter().zip(&want).enumerate() {
        assert_eq!(g, e, "row {i}");
    }
    let (y0, _, _) = draw_frame(w, h);
    for r in 0..h {
        for x in 0..w {
            let inside = (layout.x0..layout.x1).contains(&x) && (layout.y0..layout.y1).contains(&r);
            assert!(
                inside || y[r * w + x] == y0[r * w + x],
                "pixel {x},{r} outside the box changed"
            );
        }
    }
}

#[test]
fn empty_lines_draw_nothing() {
    assert!(Layout::new(&Font::embedded(), &[vec![], vec![]], 64, 64).is_none());
}

#[test]
fn font_is_the_shared_file() {
    let f = Font::embedded();
    assert!(f.len() >= 160);
    assert!(f.has('A') && f.has('é') && !f.has('\u{0E2A}'));
    assert_eq!(f.glyph('\u{0E2A}'), f.glyph('\u{FFFD}'));
}
