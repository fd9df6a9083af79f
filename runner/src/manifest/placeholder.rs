//! Placeholders in manifest commands: `{artifact}`, `{input.log}`, `{param.size}`, …
//!
//! `{{` and `}}` stand for literal braces. This module parses and expands strings; which names are
//! allowed where is decided by the caller (`validate/` when checking, `plan` when expanding).

/// A problem in a placeholder string, at a byte offset inside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaceholderError {
    /// Byte offset of the problem inside the string.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

/// A parsed piece of a command argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// Literal text.
    Lit(String),
    /// A placeholder name (without braces) and its byte offset in the string.
    Var(String, usize),
}

/// Splits `s` into literal text and placeholders.
pub fn parse(s: &str) -> Result<Vec<Piece>, PlaceholderError> {
    let mut pieces = Vec::new();
    let mut lit = String::new();
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'{' if bytes.get(i + 1) == Some(&b'{') => {
                lit.push('{');
                i += 2;
            }
            b'}' if bytes.get(i + 1) == Some(&b'}') => {
                lit.push('}');
                i += 2;
            }
            b'{' => {
                let Some(len) = s[i + 1..].find('}') else {
                    return Err(PlaceholderError {
                        offset: i,
                        message: "unclosed `{`: write `{name}`, or `{{` for a literal brace".into(),
                    });
                };
                let name = &s[i + 1..i + 1 + len];
                let valid = !name.is_empty()
                    && name
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
                if !valid {
                    return Err(PlaceholderError {
                        offset: i,
                        message: format!("`{{{name}}}` is not a placeholder name"),
                    });
                }
                if !lit.is_empty() {
                    pieces.push(Piece::Lit(std::mem::take(&mut lit)));
                }
                pieces.push(Piece::Var(name.to_string(), i));
                i += len + 2;
            }
            b'}' => {
                return Err(PlaceholderError {
                    offset: i,
                    message: "stray `}`: write `}}` for a literal brace".into(),
                });
            }
            _ => {
                let ch = s[i..].chars().next().unwrap_or('\u{fffd}');
                lit.push(ch);
                i += ch.len_utf8().max(1);
            }
        }
    }
    if !lit.is_empty() {
        pieces.push(Piece::Lit(lit));
    }
    Ok(pieces)
}

/// Expands every placeholder of `s` with `lookup`; a name it does not know is an error.
pub fn expand(
    s: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<String, PlaceholderError> {
    let mut out = String::new();
    for piece in parse(s)? {
        match piece {
            Piece::Lit(t) => out.push_str(&t),
            Piece::Var(name, offset) => match lookup(&name) {
                Some(v) => out.push_str(&v),
                None => {
                    return Err(PlaceholderError {
                        offset,
                        message: format!("unknown placeholder `{{{name}}}`"),
                    })
                }
            },
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_expands() {
        let cases: &[(&str, Result<&str, usize>)] = &[
            ("plain", Ok("plain")),
            ("{artifact}", Ok("/bin/x")),
            ("{out}/masked.log", Ok("/o/masked.log")),
            ("--size={param.size}", Ok("--size=2M")),
            ("{{literal}}", Ok("{literal}")),
            ("ไทย {out}", Ok("ไทย /o")),
            ("{unclosed", Err(0)),
            ("a}b", Err(1)),
            ("{}", Err(0)),
            ("{bad name}", Err(0)),
            ("{nope}", Err(0)),
        ];
        let lookup = |n: &str| match n {
            "artifact" => Some("/bin/x".to_string()),
            "out" => Some("/o".to_string()),
            "param.size" => Some("2M".to_string()),
            _ => None,
        };
        for (input, want) in cases {
            let got = expand(input, &lookup).map_err(|e| e.offset);
            assert_eq!(
                got.as_deref().map_err(|e| *e),
                want.as_ref().map(|s| *s).map_err(|e| *e),
                "{input}"
            );
        }
    }
}
