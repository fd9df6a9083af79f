//! Generated regions of a hand-written document: the text between
//! `<!-- runner:begin NAME -->` and `<!-- runner:end NAME -->` belongs to the renderer, everything
//! else to the author and is kept byte for byte.
//!
//! A marker is a line of its own (surrounding spaces allowed); markers inside fenced code blocks
//! (```` ``` ````) are text, so documentation can show them. A missing, duplicated, nested or
//! unbalanced marker is an error naming the file, the marker and its line. Pure: text in, text out.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// A problem with the markers of a document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MarkerError {
    /// A required region has no markers.
    #[error("{}: marker `<!-- runner:begin {name} -->` is missing; add `<!-- runner:begin {name} -->` and `<!-- runner:end {name} -->`, each on its own line, where the generated {name} should go", file.display())]
    Missing {
        /// The document.
        file: PathBuf,
        /// The region.
        name: String,
    },
    /// A region appears twice.
    #[error("{}:{line}: duplicate marker `<!-- runner:begin {name} -->` (first at line {first}); keep one pair per region", file.display())]
    Duplicate {
        /// The document.
        file: PathBuf,
        /// The region.
        name: String,
        /// Line of the second begin marker (1-based).
        line: usize,
        /// Line of the first.
        first: usize,
    },
    /// Begin without end, end without begin, mismatched or nested markers.
    #[error("{}:{line}: unbalanced marker `{marker}`: {why}", file.display())]
    Unbalanced {
        /// The document.
        file: PathBuf,
        /// The marker as written.
        marker: String,
        /// Its line (1-based).
        line: usize,
        /// What is wrong and how to fix it.
        why: String,
    },
    /// A region no template renders.
    #[error("{}:{line}: unknown region `{name}`: no template renders it (known: {known})", file.display())]
    Unknown {
        /// The document.
        file: PathBuf,
        /// The region.
        name: String,
        /// Line of its begin marker.
        line: usize,
        /// The regions that exist.
        known: String,
    },
}

/// One generated region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    /// Its name.
    pub name: String,
    /// Byte range of its content: from after the begin marker's line to the start of the end
    /// marker's line.
    pub content: Range<usize>,
    /// Line of the begin marker (1-based).
    pub line: usize,
}

enum Marker<'a> {
    Begin(&'a str),
    End(&'a str),
}

fn marker(line: &str) -> Option<Marker<'_>> {
    let inner = line
        .trim()
        .strip_prefix("<!--")?
        .strip_suffix("-->")?
        .trim()
        .strip_prefix("runner:")?;
    if let Some(name) = inner.strip_prefix("begin ") {
        Some(Marker::Begin(name.trim()))
    } else {
        inner.strip_prefix("end ").map(|n| Marker::End(n.trim()))
    }
}

/// Finds the regions of `text` (read from `file`), in document order.
pub fn regions(text: &str, file: &Path) -> Result<Vec<Region>, MarkerError> {
    let mut out: Vec<Region> = Vec::new();
    let mut open: Option<(String, usize, usize)> = None; // name, line, content start
    let mut fenced = false;
    let mut offset = 0;
    for (i, raw) in text.split_inclusive('\n').enumerate() {
        let line_no = i + 1;
        let start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        let unbalanced = |why: String| MarkerError::Unbalanced {
            file: file.to_path_buf(),
            marker: line.trim().to_string(),
            line: line_no,
            why,
        };
        match marker(line) {
            Some(Marker::Begin(name)) => {
                if let Some((open_name, open_line, _)) = &open {
                    return Err(unbalanced(format!(
                        "region `{open_name}` opened at line {open_line} is not closed; add `<!-- runner:end {open_name} -->` before this line"
                    )));
                }
                if let Some(first) = out.iter().find(|r| r.name == name) {
                    return Err(MarkerError::Duplicate {
                        file: file.to_path_buf(),
                        name: name.to_string(),
                        line: line_no,
                        first: first.line,
                    });
                }
                open = Some((name.to_string(), line_no, offset));
            }
            Some(Marker::End(name)) => match open.take() {
                Some((open_name, open_line, content_start)) if open_name == name => {
                    out.push(Region {
                        name: open_name,
                        content: content_start..start,
                        line: open_line,
                    });
                }
                Some((open_name, open_line, _)) => {
                    return Err(unbalanced(format!(
                        "region `{open_name}` opened at line {open_line} must be closed first with `<!-- runner:end {open_name} -->`"
                    )));
                }
                None => {
                    return Err(unbalanced(format!(
                        "no `<!-- runner:begin {name} -->` before it"
                    )));
                }
            },
            None => {}
        }
    }
    if let Some((name, line, _)) = open {
        return Err(MarkerError::Unbalanced {
            file: file.to_path_buf(),
            marker: format!("<!-- runner:begin {name} -->"),
            line,
            why: format!("never closed; add `<!-- runner:end {name} -->` after it"),
        });
    }
    Ok(out)
}

/// Replaces the content of each region of `text` with `contents[name]`, checking that every
/// name of `required` has a region and every region has content. Each region's new content is
/// followed by exactly one newline before its end marker.
pub fn replace(
    text: &str,
    file: &Path,
    required: &[&str],
    contents: &BTreeMap<String, String>,
) -> Result<String, MarkerError> {
    let found = regions(text, file)?;
    for name in required {
        if !found.iter().any(|r| r.name == *name) {
            return Err(MarkerError::Missing {
                file: file.to_path_buf(),
                name: name.to_string(),
            });
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for r in &found {
        let Some(content) = contents.get(&r.name) else {
            return Err(MarkerError::Unknown {
                file: file.to_path_buf(),
                name: r.name.clone(),
                line: r.line,
                known: contents.keys().cloned().collect::<Vec<_>>().join(", "),
            });
        };
        out.push_str(&text[at..r.content.start]);
        let body = content.trim_matches('\n');
        if !body.is_empty() {
            out.push_str(body);
            out.push('\n');
        }
        at = r.content.end;
    }
    out.push_str(&text[at..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contents(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn replaces_only_inside_markers() {
        let text = "# ชื่อ\nprose\n<!-- runner:begin a -->\nold\n<!-- runner:end a -->\nmore ไทย\n  <!-- runner:begin b -->\n<!-- runner:end b -->\nend";
        let out = replace(
            text,
            Path::new("R.md"),
            &["a", "b"],
            &contents(&[("a", "new\n"), ("b", "B")]),
        )
        .unwrap();
        assert_eq!(
            out,
            "# ชื่อ\nprose\n<!-- runner:begin a -->\nnew\n<!-- runner:end a -->\nmore ไทย\n  <!-- runner:begin b -->\nB\n<!-- runner:end b -->\nend"
        );
        // Idempotent.
        let again = replace(
            &out,
            Path::new("R.md"),
            &["a", "b"],
            &contents(&[("a", "new\n"), ("b", "B")]),
        )
        .unwrap();
        assert_eq!(again, out);
    }

    #[test]
    fn markers_in_code_fences_are_text() {
        let text = "```\n<!-- runner:begin a -->\n```\n<!-- runner:begin a -->\nx\n<!-- runner:end a -->\n";
        let r = regions(text, Path::new("R.md")).unwrap();
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].line, 4);
    }

    #[test]
    fn errors_name_the_file_and_marker() {
        let f = Path::new("README.th.md");
        let cases: &[(&str, &[&str], &str)] = &[
            (
                "<!-- runner:begin a -->\n<!-- runner:end a -->\n",
                &["a", "status"],
                "README.th.md: marker `<!-- runner:begin status -->` is missing",
            ),
            (
                "<!-- runner:begin a -->\nx\n",
                &["a"],
                "README.th.md:1: unbalanced marker `<!-- runner:begin a -->`: never closed",
            ),
            (
                "x\n<!-- runner:end a -->\n",
                &["a"],
                "README.th.md:2: unbalanced marker `<!-- runner:end a -->`: no `<!-- runner:begin a -->` before it",
            ),
            (
                "<!-- runner:begin a -->\n<!-- runner:begin b -->\n",
                &["a"],
                "README.th.md:2: unbalanced marker `<!-- runner:begin b -->`: region `a` opened at line 1 is not closed",
            ),
            (
                "<!-- runner:begin a -->\n<!-- runner:end b -->\n",
                &["a"],
                "README.th.md:2: unbalanced marker `<!-- runner:end b -->`: region `a` opened at line 1 must be closed first",
            ),
            (
                "<!-- runner:begin a -->\n<!-- runner:end a -->\n<!-- runner:begin a -->\n<!-- runner:end a -->\n",
                &["a"],
                "README.th.md:3: duplicate marker `<!-- runner:begin a -->` (first at line 1)",
            ),
            (
                "<!-- runner:begin zz -->\n<!-- runner:end zz -->\n",
                &[],
                "README.th.md:1: unknown region `zz`: no template renders it (known: a)",
            ),
        ];
        for (text, required, want) in cases {
            let err = replace(text, f, required, &contents(&[("a", "")]))
                .expect_err(text)
                .to_string();
            assert!(err.starts_with(want), "{text:?}\n got: {err}\nwant: {want}");
        }
    }
}
