//! SRT and WebVTT parsing and cue text processing (README.md, "Subtitle files").

use std::fmt;

/// One cue: `[start, end)` in ms, the line number of its timing line, its raw text lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cue {
    pub start: i64,
    pub end: i64,
    pub line: usize,
    pub text: Vec<String>,
}

/// One character to draw, with its style.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cell {
    pub cp: char,
    pub bold: bool,
    pub italic: bool,
}

/// A parse error at a 1-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubtitleError {
    pub line: usize,
    pub msg: String,
}

impl fmt::Display for SubtitleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.line, self.msg)
    }
}

impl std::error::Error for SubtitleError {}

/// A parsed subtitle file.
#[derive(Debug, Clone)]
pub struct Subtitles {
    pub vtt: bool,
    pub cues: Vec<Cue>,
}

fn err(line: usize, msg: impl Into<String>) -> SubtitleError {
    SubtitleError {
        line,
        msg: msg.into(),
    }
}

fn is_blank(s: &str) -> bool {
    s.bytes().all(|b| b == b' ' || b == b'\t')
}

fn trim_st(s: &str) -> &str {
    s.trim_matches(|c| c == ' ' || c == '\t')
}

/// Parses an SRT or WebVTT file; the format is detected from the content.
pub fn parse(data: &[u8]) -> Result<Subtitles, SubtitleError> {
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    let text = std::str::from_utf8(data).map_err(|e| {
        let line = data[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        err(line, "invalid UTF-8")
    })?;
    let mut lines: Vec<&str> = text.split('\n').collect();
    if lines.last() == Some(&"") {
        lines.pop();
    }
    for l in lines.iter_mut() {
        *l = l.strip_suffix('\r').unwrap_or(l);
    }
    let vtt = text.starts_with("WEBVTT")
        && text
            .as_bytes()
            .get(6)
            .is_none_or(|b| b" \t\r\n".contains(b));
    let n = lines.len();
    let mut cues = Vec::new();
    let mut i = 0;
    if vtt {
        while i < n && !is_blank(lines[i]) {
            i += 1;
        }
    }
    while i < n {
        if is_blank(lines[i]) {
            i += 1;
            continue;
        }
        let first = lines[i];
        let t;
        if vtt {
            if is_keyword_block(first) {
                while i < n && !is_blank(lines[i]) {
                    i += 1;
                }
                continue;
            }
            if first.contains("-->") {
                t = i;
            } else {
                t = i + 1;
                if t >= n || !lines[t].contains("-->") {
                    return Err(err(
                        t + 1,
                        "expected a timing line after the cue identifier",
                    ));
                }
            }
        } else {
            if !trim_st(first).bytes().all(|b| b.is_ascii_digit()) {
                return Err(err(
                    i + 1,
                    format!("expected a cue number, found \"{first}\""),
                ));
            }
            t = i + 1;
        }
        let (start, end) = parse_timing(lines.get(t).copied().unwrap_or(""), t + 1, vtt)?;
        let mut j = t + 1;
        while j < n && !is_blank(lines[j]) {
            j += 1;
        }
        let text = lines[t + 1..j].iter().map(|s| s.to_string()).collect();
        cues.push(Cue {
            start,
            end,
            line: t + 1,
            text,
        });
        i = j;
    }
    Ok(Subtitles { vtt, cues })
}

fn is_keyword_block(line: &str) -> bool {
    ["NOTE", "STYLE", "REGION"].iter().any(|k| {
        line.strip_prefix(k)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
    })
}

fn parse_timing(line: &str, line_no: usize, vtt: bool) -> Result<(i64, i64), SubtitleError> {
    let fields: Vec<&str> = line.split([' ', '\t']).filter(|f| !f.is_empty()).collect();
    if fields.len() >= 3 && fields[1] == "-->" {
        if let (Some(start), Some(end)) = (
            parse_timestamp(fields[0], vtt),
            parse_timestamp(fields[2], vtt),
        ) {
            if end <= start {
                return Err(err(line_no, "cue ends before it starts"));
            }
            return Ok((start, end));
        }
    }
    Err(err(line_no, format!("bad timing line \"{line}\"")))
}

/// SRT `H:MM:SS,mmm` (`,` or `.`) or WebVTT `[H:]MM:SS.mmm`; hours have 1 to 4 digits.
pub fn parse_timestamp(s: &str, vtt: bool) -> Option<i64> {
    fn digits(s: &[u8]) -> Option<i64> {
        s.iter().try_fold(0i64, |v, &b| {
            b.is_ascii_digit().then(|| v * 10 + i64::from(b - b'0'))
        })
    }
    let b = s.as_bytes();
    if b.len() < 9 {
        return None;
    }
    let (head, tail) = b.split_at(b.len() - 9);
    if tail[2] != b':' || !(tail[5] == b'.' || (!vtt && tail[5] == b',')) {
        return None;
    }
    let mut h = 0;
    if !head.is_empty() || !vtt {
        if head.len() < 2 || head.len() > 5 || head[head.len() - 1] != b':' {
            return None;
        }
        h = digits(&head[..head.len() - 1])?;
    }
    let (m, sec, ms) = (
        digits(&tail[0..2])?,
        digits(&tail[3..5])?,
        digits(&tail[6..9])?,
    );
    if m > 59 || sec > 59 {
        return None;
    }
    Some(((h * 60 + m) * 60 + sec) * 1000 + ms)
}

const ENTITIES: [(&str, &str); 7] = [
    ("&amp;", "&"),
    ("&lt;", "<"),
    ("&gt;", ">"),
    ("&quot;", "\""),
    ("&nbsp;", "\u{a0}"),
    ("&lrm;", ""),
    ("&rlm;", ""),
];

/// A cue's text lines as styled cells: tags applied or removed, WebVTT entities decoded, tabs
/// made spaces, spaces trimmed at both ends of each line.
pub fn cells(cue: &Cue, vtt: bool) -> Vec<Vec<Cell>> {
    let (mut bold, mut italic) = (false, false);
    let mut out = Vec::with_capacity(cue.text.len());
    for line in &cue.text {
        let mut cs = Vec::new();
        let mut rest = line.as_str();
        'chars: while let Some(ch) = rest.chars().next() {
            if ch == '<' {
                if let Some(end) = rest[1..].find('>') {
                    match rest[1..1 + end].to_ascii_lowercase().as_str() {
                        "b" => bold = true,
                        "/b" => bold = false,
                        "i" => italic = true,
                        "/i" => italic = false,
                        _ => {}
                    }
                    rest = &rest[end + 2..];
                    continue;
                }
            }
            if vtt && ch == '&' {
                for (name, repl) in ENTITIES {
                    if let Some(after) = rest.strip_prefix(name) {
                        cs.extend(repl.chars().map(|cp| Cell { cp, bold, italic }));
                        rest = after;
                        continue 'chars;
                    }
                }
            }
            let cp = if ch == '\t' { ' ' } else { ch };
            cs.push(Cell { cp, bold, italic });
            rest = &rest[ch.len_utf8()..];
        }
        let a = cs.iter().position(|c| c.cp != ' ').unwrap_or(cs.len());
        let b = cs.iter().rposition(|c| c.cp != ' ').map_or(a, |p| p + 1);
        out.push(cs[a..b].to_vec());
    }
    out
}

/// The canonical text form of parsed cues (the unit tests' .expected files).
pub fn dump(subs: &Subtitles) -> String {
    let mut s = String::new();
    for cue in &subs.cues {
        let lines = cells(cue, subs.vtt);
        s.push_str(&format!(
            "cue {} {} line {} lines {}\n",
            cue.start,
            cue.end,
            cue.line,
            lines.len()
        ));
        for cs in &lines {
            s.push('|');
            let (mut bold, mut italic) = (false, false);
            for c in cs {
                if (c.bold, c.italic) != (bold, italic) {
                    s.push('{');
                    if c.bold {
                        s.push('b');
                    }
                    if c.italic {
                        s.push('i');
                    }
                    s.push('}');
                    (bold, italic) = (c.bold, c.italic);
                }
                if c.cp == '{' {
                    s.push_str("{{");
                } else {
                    s.push(c.cp);
                }
            }
            s.push('\n');
        }
    }
    s
}
