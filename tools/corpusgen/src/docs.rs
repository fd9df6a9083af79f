//! Document generators. Each kind fills a buffer with whole blocks (paragraphs, lists, code…)
//! until it holds at least the target size; the content depends only on the document's own seed.

use crate::rng::Rng;
use crate::words::*;

/// What a document looks like.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// English markdown: headings, paragraphs, lists, code blocks, quotes.
    EnMarkdown,
    /// Thai markdown with Latin technical terms.
    ThMarkdown,
    /// Markdown alternating English and Thai blocks.
    Mixed,
    /// English plain text hard-wrapped at 72 columns (`\n` inside paragraphs).
    PlainWrapped,
    /// Like `PlainWrapped` with CRLF line ends.
    PlainCrlf,
    /// Thai paragraphs of hundreds of words without a single space.
    ThaiRun,
    /// Long base64 tokens without spaces between English paragraphs.
    Blob,
    /// English text with ISO-8859-1 accented words (invalid UTF-8).
    Latin1,
    /// Thai and English text with corrupted UTF-8 sequences.
    Broken,
    /// Zero bytes.
    Empty,
}

impl Kind {
    /// Folder (under the corpus root) and file name stem and extension.
    pub fn naming(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Kind::EnMarkdown => ("en", "guide", "md"),
            Kind::ThMarkdown => ("th", "article", "md"),
            Kind::Mixed => ("mixed", "note", "md"),
            Kind::PlainWrapped => ("plain", "text", "txt"),
            Kind::PlainCrlf => ("plain", "windows", "txt"),
            Kind::ThaiRun => ("misc", "thai-run", "txt"),
            Kind::Blob => ("misc", "blob", "txt"),
            Kind::Latin1 => ("misc", "latin1", "txt"),
            Kind::Broken => ("misc", "broken", "md"),
            Kind::Empty => ("misc", "empty", "txt"),
        }
    }
}

/// Appends a whole document of kind `kind` of at least `target` bytes (none for `Empty`).
pub fn generate(kind: Kind, seed: u64, target: u64, out: &mut Vec<u8>) {
    let mut g = Gen {
        rng: Rng::new(seed),
        out,
    };
    let start = g.out.len();
    let target = target as usize;
    let done = |g: &Gen| g.out.len() - start >= target;
    match kind {
        Kind::Empty => {}
        Kind::EnMarkdown | Kind::ThMarkdown | Kind::Mixed | Kind::Broken => {
            let thai = |g: &mut Gen| match kind {
                Kind::EnMarkdown => false,
                Kind::ThMarkdown => g.rng.chance(9, 10),
                _ => g.rng.chance(1, 2),
            };
            let th = thai(&mut g);
            g.heading(1, th);
            while !done(&g) {
                g.out.extend_from_slice(b"\n\n");
                let th = thai(&mut g);
                match g.rng.below(100) {
                    0..=9 => {
                        let level = 2 + g.rng.below(2) as usize;
                        g.heading(level, th);
                    }
                    10..=24 => g.list(th),
                    25..=31 if !th => g.code(),
                    32..=38 => g.quote(th),
                    _ => g.paragraph(th),
                }
            }
            g.out.push(b'\n');
            if kind == Kind::Broken {
                let body = g.out[start..].to_vec();
                corrupt(&mut g.rng, &body, start, g.out);
            }
        }
        Kind::PlainWrapped | Kind::PlainCrlf => {
            let eol: &[u8] = if kind == Kind::PlainCrlf {
                b"\r\n"
            } else {
                b"\n"
            };
            let mut text = Vec::new();
            while !done(&g) {
                text.clear();
                let mut inner = Gen {
                    rng: Rng::new(g.rng.next_u64()),
                    out: &mut text,
                };
                inner.paragraph(false);
                wrap(&text, 72, eol, g.out);
                g.out.extend_from_slice(eol);
            }
        }
        Kind::ThaiRun => {
            while !done(&g) {
                let n = g.rng.range(300, 2000);
                for _ in 0..n {
                    let w = g.rng.pick(TH_WORDS);
                    g.out.extend_from_slice(w.as_bytes());
                }
                g.out.extend_from_slice(b"\n\n");
            }
        }
        Kind::Blob => {
            while !done(&g) {
                g.out.extend_from_slice(b"token: ");
                let n = g.rng.range(2000, 9000);
                for _ in 0..n {
                    let c = g.rng.pick(BASE64);
                    g.out.push(c);
                }
                g.out.extend_from_slice(b"\n\n");
                g.paragraph(false);
                g.out.extend_from_slice(b"\n\n");
            }
        }
        Kind::Latin1 => {
            while !done(&g) {
                let sentences = g.rng.range(2, 7);
                for i in 0..sentences {
                    if i > 0 {
                        g.out.push(b' ');
                    }
                    let words = g.rng.range(5, 16);
                    for j in 0..words {
                        if j > 0 {
                            g.out.push(b' ');
                        }
                        if g.rng.chance(1, 6) {
                            let w = g.rng.pick(LATIN1_WORDS);
                            g.out.extend_from_slice(w);
                        } else {
                            let w = g.rng.pick(EN_WORDS);
                            g.out.extend_from_slice(w.as_bytes());
                        }
                    }
                    g.out.push(b'.');
                }
                g.out.extend_from_slice(b"\n\n");
            }
        }
    }
}

/// Hard-wraps `text` (words separated by single spaces) at `width` bytes.
fn wrap(text: &[u8], width: usize, eol: &[u8], out: &mut Vec<u8>) {
    let mut col = 0;
    for (i, word) in text.split(|&b| b == b' ').enumerate() {
        if i > 0 {
            if col + 1 + word.len() > width {
                out.extend_from_slice(eol);
                col = 0;
            } else {
                out.push(b' ');
                col += 1;
            }
        }
        out.extend_from_slice(word);
        col += word.len();
    }
    out.extend_from_slice(eol);
}

/// Replaces `out[start..]` by `body` with corruptions: about every 400 bytes one of a truncated
/// multi-byte sequence, a stray continuation byte, an overlong, a surrogate, a code point above
/// U+10FFFF or a byte that never appears in UTF-8.
fn corrupt(rng: &mut Rng, body: &[u8], start: usize, out: &mut Vec<u8>) {
    out.truncate(start);
    let mut i = 0;
    while i < body.len() {
        let step = rng.range(200, 600) as usize;
        let end = (i + step).min(body.len());
        out.extend_from_slice(&body[i..end]);
        i = end;
        if i >= body.len() {
            break;
        }
        match rng.below(6) {
            0 => {
                // Drop the last byte of the next multi-byte sequence (a truncated code point).
                while i < body.len() && body[i] < 0x80 {
                    out.push(body[i]);
                    i += 1;
                }
                if i < body.len() {
                    let len = match body[i] {
                        0xC0..=0xDF => 2,
                        0xE0..=0xEF => 3,
                        _ => 4,
                    };
                    let end = (i + len).min(body.len());
                    out.extend_from_slice(&body[i..end - 1]);
                    i = end;
                }
            }
            1 => out.push(0x80 + rng.below(0x40) as u8),
            2 => out.extend_from_slice(b"\xc0\xaf"),
            3 => out.extend_from_slice(b"\xed\xa0\x80"),
            4 => out.extend_from_slice(b"\xf4\x90\x80\x80"),
            _ => out.push(if rng.chance(1, 2) { 0xff } else { 0xfe }),
        }
        // Never corrupt in the middle of a code point of the body: move to the next boundary.
        while i < body.len() && (body[i] & 0xC0) == 0x80 {
            out.push(body[i]);
            i += 1;
        }
    }
}

struct Gen<'a> {
    rng: Rng,
    out: &'a mut Vec<u8>,
}

impl Gen<'_> {
    fn push(&mut self, s: &str) {
        self.out.extend_from_slice(s.as_bytes());
    }

    fn en_sentence(&mut self) {
        let n = self.rng.range(5, 22);
        for i in 0..n {
            if i > 0 {
                if self.rng.chance(1, 14) {
                    self.push(",");
                }
                self.push(" ");
            }
            let w = if self.rng.chance(1, 25) {
                self.rng.pick(EN_CAPITALISED)
            } else {
                self.rng.pick(EN_WORDS)
            };
            if i == 0 {
                let mut cs = w.chars();
                let first = cs.next().unwrap_or('x').to_ascii_uppercase();
                self.out.push(first as u8);
                self.push(cs.as_str());
            } else if self.rng.chance(1, 60) {
                self.push("`");
                self.push(w);
                self.push("`");
            } else if self.rng.chance(1, 80) {
                self.push("**");
                self.push(w);
                self.push("**");
            } else {
                self.push(w);
            }
            if self.rng.chance(1, 200) {
                let n = self.rng.range(1, 99999);
                self.push(&format!(" {n}"));
            }
        }
        let end = match self.rng.below(100) {
            0..=2 => "!",
            3..=9 => "?",
            _ => ".",
        };
        self.push(end);
    }

    fn th_phrase(&mut self) {
        let n = self.rng.range(2, 6);
        for _ in 0..n {
            let w = self.rng.pick(TH_WORDS);
            self.push(w);
        }
    }

    fn th_sentence(&mut self) {
        let n = self.rng.range(1, 4);
        for i in 0..n {
            if i > 0 {
                self.push(" ");
            }
            if self.rng.chance(1, 8) {
                let t = self.rng.pick(TECH_TERMS);
                self.push(t);
                self.push(" ");
            }
            self.th_phrase();
        }
    }

    fn paragraph(&mut self, thai: bool) {
        let n = self.rng.range(2, 9);
        for i in 0..n {
            if i > 0 {
                self.push(" ");
            }
            if thai {
                self.th_sentence();
            } else {
                self.en_sentence();
            }
        }
    }

    fn heading(&mut self, level: usize, thai: bool) {
        for _ in 0..level {
            self.push("#");
        }
        self.push(" ");
        if thai {
            self.th_phrase();
        } else {
            let n = self.rng.range(2, 6);
            for i in 0..n {
                if i > 0 {
                    self.push(" ");
                }
                let w = self.rng.pick(EN_WORDS);
                self.push(w);
            }
        }
    }

    fn list(&mut self, thai: bool) {
        let n = self.rng.range(2, 7);
        let numbered = self.rng.chance(1, 3);
        for i in 0..n {
            if i > 0 {
                self.push("\n");
            }
            if numbered {
                self.push(&format!("{}. ", i + 1));
            } else {
                self.push("- ");
            }
            if thai {
                self.th_sentence();
            } else {
                self.en_sentence();
            }
            if self.rng.chance(1, 10) {
                let topic = self.rng.pick(TOPICS);
                let n = self.rng.below(1000);
                self.push(&format!(" [see also](https://example.com/{topic}/{n})"));
            }
        }
    }

    fn code(&mut self) {
        self.push("```\n");
        let n = self.rng.range(1, 8);
        for _ in 0..n {
            let line = self.rng.pick(CODE_LINES);
            self.push(line);
            self.push("\n");
        }
        self.push("```");
    }

    fn quote(&mut self, thai: bool) {
        self.push("> ");
        self.paragraph(thai);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(kind: Kind, seed: u64, target: u64) -> Vec<u8> {
        let mut v = Vec::new();
        generate(kind, seed, target, &mut v);
        v
    }

    #[test]
    fn valid_kinds_are_valid_utf8_and_reach_the_target() {
        for kind in [
            Kind::EnMarkdown,
            Kind::ThMarkdown,
            Kind::Mixed,
            Kind::PlainWrapped,
            Kind::PlainCrlf,
            Kind::ThaiRun,
            Kind::Blob,
        ] {
            for target in [1u64, 5000, 100_000] {
                let d = doc(kind, 7, target);
                assert!(d.len() as u64 >= target, "{kind:?}");
                assert!(std::str::from_utf8(&d).is_ok(), "{kind:?}");
                assert_eq!(d, doc(kind, 7, target), "deterministic {kind:?}");
            }
        }
    }

    #[test]
    fn thai_is_thai_and_crlf_is_crlf() {
        let th = String::from_utf8(doc(Kind::ThMarkdown, 1, 20_000)).unwrap();
        let thai_chars = th
            .chars()
            .filter(|c| ('\u{0E00}'..='\u{0E7F}').contains(c))
            .count();
        assert!(thai_chars > th.chars().count() / 2);
        let crlf = doc(Kind::PlainCrlf, 1, 10_000);
        let lf = crlf.iter().filter(|&&b| b == b'\n').count();
        let crlf_n = crlf.windows(2).filter(|w| w == b"\r\n").count();
        assert_eq!(lf, crlf_n);
        let run = String::from_utf8(doc(Kind::ThaiRun, 1, 10_000)).unwrap();
        assert!(run.split("\n\n").all(|p| !p.contains(' ')));
    }

    #[test]
    fn broken_and_latin1_are_invalid_utf8() {
        for kind in [Kind::Broken, Kind::Latin1] {
            let d = doc(kind, 3, 20_000);
            assert!(std::str::from_utf8(&d).is_err(), "{kind:?}");
            assert!(d.len() >= 19_000);
        }
        assert!(doc(Kind::Empty, 3, 1000).is_empty());
    }
}
