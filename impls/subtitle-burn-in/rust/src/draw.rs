//! The embedded font, the layout of a text block and the blend onto YUV 4:2:0 planes
//! (README.md, "Drawing").

use crate::subs::Cell;
use std::collections::HashMap;

/// The shared font file, embedded at build time.
pub const FONT_HEX: &str = include_str!("../../font.hex");

/// 8x16 glyphs by code point (one byte per row, MSB = leftmost pixel).
pub struct Font {
    glyphs: HashMap<char, [u8; 16]>,
    fallback: [u8; 16],
}

impl Font {
    /// Parses the font.hex format: `XXXX:` + 32 hex digits per line, `#` comments.
    pub fn parse(text: &str) -> Result<Font, String> {
        let mut glyphs = HashMap::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bad = || format!("font line {}: bad glyph {line:?}", i + 1);
            let (cp, rows) = line.split_once(':').ok_or_else(bad)?;
            let cp = u32::from_str_radix(cp, 16)
                .ok()
                .and_then(char::from_u32)
                .ok_or_else(bad)?;
            if rows.len() != 32 {
                return Err(bad());
            }
            let mut g = [0u8; 16];
            for (r, byte) in g.iter_mut().enumerate() {
                *byte = u8::from_str_radix(&rows[2 * r..2 * r + 2], 16).map_err(|_| bad())?;
            }
            glyphs.insert(cp, g);
        }
        let fallback = *glyphs.get(&'\u{FFFD}').ok_or("font has no U+FFFD glyph")?;
        Ok(Font { glyphs, fallback })
    }

    /// The embedded font.
    pub fn embedded() -> Font {
        Font::parse(FONT_HEX).expect("embedded font is valid")
    }

    pub fn len(&self) -> usize {
        self.glyphs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.glyphs.is_empty()
    }

    /// The glyph of `cp`, or U+FFFD's when the font lacks it.
    pub fn glyph(&self, cp: char) -> &[u8; 16] {
        self.glyphs.get(&cp).unwrap_or(&self.fallback)
    }

    pub fn has(&self, cp: char) -> bool {
        self.glyphs.contains_key(&cp)
    }
}

const BOX: u8 = 1;
const OUTLINE: u8 = 2;
const GLYPH: u8 = 3;

/// (Y, U, V) per class; class 0 is never drawn.
const COLOURS: [[i32; 3]; 4] = [[0, 0, 0], [16, 128, 128], [16, 128, 128], [210, 16, 146]];
/// Alpha per class, out of 256.
const ALPHAS: [i32; 4] = [0, 160, 256, 256];

/// The spec's blend: `(s·(256−a) + c·a + 128) >> 8`.
pub fn blend(s: i32, c: i32, a: i32) -> i32 {
    (s * (256 - a) + c * a + 128) >> 8
}

/// `LUTS[plane][class][sample]`; class 0 is the identity.
static LUTS: std::sync::LazyLock<[[[u8; 256]; 4]; 3]> = std::sync::LazyLock::new(|| {
    let mut t = [[[0u8; 256]; 4]; 3];
    for (p, plane) in t.iter_mut().enumerate() {
        for (cls, lut) in plane.iter_mut().enumerate() {
            for (s, v) in lut.iter_mut().enumerate() {
                *v = if cls == 0 {
                    s as u8
                } else {
                    blend(s as i32, COLOURS[cls][p], ALPHAS[cls]) as u8
                };
            }
        }
    }
    t
});

/// The box `[x0, x1) × [y0, y1)` of a text block and the class of each of its luma pixels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    pub x0: usize,
    pub y0: usize,
    pub x1: usize,
    pub y1: usize,
    /// Row-major classes, `(x1 − x0) · (y1 − y0)`.
    pub cls: Vec<u8>,
}

impl Layout {
    /// Lays a text block out on a `w×h` frame; `None` when nothing is to be drawn.
    pub fn new(font: &Font, block: &[Vec<Cell>], w: usize, h: usize) -> Option<Layout> {
        if block.iter().all(|cs| cs.is_empty()) {
            return None;
        }
        let (wi, hi) = (w as i64, h as i64);
        let s = (hi / 360).max(1);
        let n = block.len() as i64;
        let bh = (18 * n - 2) * s;
        let top = hi - 24 * s - bh;
        let xs: Vec<i64> = block
            .iter()
            .map(|cs| (wi - 8 * s * cs.len() as i64) >> 1)
            .collect();
        let used = || block.iter().zip(&xs).filter(|(cs, _)| !cs.is_empty());
        let x0 = used().map(|(_, &x)| x).min()? - 6 * s;
        let x1 = used().map(|(cs, &x)| x + 8 * s * cs.len() as i64).max()? + 6 * s;
        let (x0, x1) = ((x0 & !1).max(0), ((x1 + 1) & !1).min(wi));
        let (y0, y1) = (
            ((top - 4 * s) & !1).max(0),
            ((top + bh + 4 * s + 1) & !1).min(hi),
        );
        if x0 >= x1 || y0 >= y1 {
            return None;
        }
        let mut l = Layout {
            x0: x0 as usize,
            y0: y0 as usize,
            x1: x1 as usize,
            y1: y1 as usize,
            cls: vec![BOX; ((x1 - x0) * (y1 - y0)) as usize],
        };
        for (i, cs) in block.iter().enumerate() {
            l.paint_line(font, cs, xs[i], top + 18 * s * i as i64, s);
        }
        Some(l)
    }

    /// Marks the glyph and outline pixels of one line whose cell 0 starts at `(x, y)`.
    fn paint_line(&mut self, font: &Font, cs: &[Cell], x: i64, y: i64, s: i64) {
        if cs.is_empty() {
            return;
        }
        // Font-pixel grid with a one-pixel border: rows −1..16, columns −1..8n+8.
        let (gw, gh) = (8 * cs.len() + 10, 18);
        let mut ink = vec![false; gw * gh];
        for (k, cell) in cs.iter().enumerate() {
            let g = font.glyph(cell.cp);
            for (r, &bits) in g.iter().enumerate() {
                let mut row = u16::from(bits) << 8; // bit 15 = column 0
                if cell.bold {
                    row |= row >> 1;
                }
                let sh = if cell.italic { (15 - r) >> 2 } else { 0 };
                for c in 0..9 {
                    if row & (0x8000 >> c) != 0 {
                        ink[(r + 1) * gw + 8 * k + c + sh + 1] = true;
                    }
                }
            }
        }
        let bw = self.x1 - self.x0;
        let (bx0, by0, bx1, by1) = (
            self.x0 as i64,
            self.y0 as i64,
            self.x1 as i64,
            self.y1 as i64,
        );
        for gy in 0..gh {
            for gx in 0..gw {
                let cls = if ink[gy * gw + gx] {
                    GLYPH
                } else {
                    let near = (gy.saturating_sub(1)..(gy + 2).min(gh)).any(|ny| {
                        (gx.saturating_sub(1)..(gx + 2).min(gw)).any(|nx| ink[ny * gw + nx])
                    });
                    if near {
                        OUTLINE
                    } else {
                        continue;
                    }
                };
                let px = x + (gx as i64 - 1) * s;
                let py = y + (gy as i64 - 1) * s;
                let (ax, bx) = (px.max(bx0), (px + s).min(bx1));
                for yy in py.max(by0)..(py + s).min(by1) {
                    let row = (yy - by0) as usize * bw;
                    for xx in ax..bx {
                        self.cls[row + (xx - bx0) as usize] = cls;
                    }
                }
            }
        }
    }

    /// Blends the layout onto YUV 4:2:0 planes with line sizes `ly`, `lu`, `lv`.
    pub fn draw(
        &self,
        py: &mut [u8],
        pu: &mut [u8],
        pv: &mut [u8],
        ly: usize,
        lu: usize,
        lv: usize,
    ) {
        let luts = &*LUTS;
        let bw = self.x1 - self.x0;
        for (row, cls) in self.cls.chunks_exact(bw).enumerate() {
            let off = (self.y0 + row) * ly + self.x0;
            for (p, &c) in py[off..off + bw].iter_mut().zip(cls) {
                *p = luts[0][c as usize][*p as usize];
            }
        }
        let (tu, tv) = (&luts[1], &luts[2]);
        for (i, rows) in self.cls.chunks_exact(2 * bw).enumerate() {
            let (c0, c1) = rows.split_at(bw);
            let cy = self.y0 / 2 + i;
            let ru = &mut pu[cy * lu + self.x0 / 2..cy * lu + self.x1 / 2];
            let rv = &mut pv[cy * lv + self.x0 / 2..cy * lv + self.x1 / 2];
            for (j, (u, v)) in ru.iter_mut().zip(rv.iter_mut()).enumerate() {
                let k = [c0[2 * j], c0[2 * j + 1], c1[2 * j], c1[2 * j + 1]].map(usize::from);
                let (su, sv) = (*u as usize, *v as usize);
                *u = ((k.iter().map(|&c| u32::from(tu[c][su])).sum::<u32>() + 2) >> 2) as u8;
                *v = ((k.iter().map(|&c| u32::from(tv[c][sv])).sum::<u32>() + 2) >> 2) as u8;
            }
        }
    }
}
