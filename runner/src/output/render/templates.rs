//! The template environment (the only user of minijinja): every `*.j2` file of the templates
//! folder, read at run time so users can edit them without rebuilding; the per-language words of
//! `strings.toml`; the groups of `groups.toml`; and two filters:
//!
//! - `fill(**names)`: replaces `{name}` in a string from `strings.toml` with the given values, so
//!   each language can order the words of a sentence its own way
//!   (`"{winner} beats {loser} by {ratio}"` / `"{winner} ชนะ {loser} {ratio}"`);
//! - `cell`: makes a text safe inside a Markdown table cell (`|` escaped, no line breaks).
//!
//! A region `NAME` of a README is rendered by `NAME.md.j2` with `page` (the view model of
//! `model/`), `s` (the strings of the README's language) and `lang` (its code).

use super::model::{GroupDef, GroupsFile, Page};
use minijinja::syntax::SyntaxConfig;
use minijinja::value::{Kwargs, Serde, Value};
use minijinja::{Environment, Error, ErrorKind, UndefinedBehavior};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A problem with the templates folder.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    /// A file could not be read.
    #[error("{}: {source}", path.display())]
    Read {
        /// The file or folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A template does not parse, or failed while rendering.
    #[error("{}: {message}", path.display())]
    Template {
        /// The template.
        path: PathBuf,
        /// minijinja's message, with the line.
        message: String,
    },
    /// A region has no template.
    #[error("{}: not found; every generated region NAME needs a template NAME.md.j2", path.display())]
    Missing {
        /// The expected template.
        path: PathBuf,
    },
    /// `strings.toml` or `groups.toml` is not as expected.
    #[error("{}: {message}", path.display())]
    Data {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// The languages of the READMEs.
pub const LANGUAGES: [&str; 2] = ["en", "th"];

/// The loaded templates folder.
pub struct Templates {
    dir: PathBuf,
    env: Environment<'static>,
    strings: BTreeMap<String, toml::Value>,
}

impl std::fmt::Debug for Templates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Templates").field("dir", &self.dir).finish()
    }
}

fn read(path: &Path) -> Result<String, TemplateError> {
    std::fs::read_to_string(path).map_err(|source| TemplateError::Read {
        path: path.to_path_buf(),
        source,
    })
}

fn message(e: &Error) -> String {
    let mut m = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        m.push_str(&format!(": {s}"));
        source = s.source();
    }
    m
}

/// `fill`: replaces each `{name}` of `text` with the keyword argument `name`.
fn fill(text: String, kwargs: Kwargs) -> Result<String, Error> {
    let mut out = text;
    for key in kwargs.args().map(str::to_string).collect::<Vec<_>>() {
        let v: Value = kwargs.get(&key)?;
        out = out.replace(&format!("{{{key}}}"), &v.to_string());
    }
    if let Some(start) = out.find('{') {
        if let Some(len) = out[start..].find('}') {
            let name = &out[start + 1..start + len];
            if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(Error::new(
                    ErrorKind::MissingArgument,
                    format!("fill: no value given for {{{name}}}"),
                ));
            }
        }
    }
    Ok(out)
}

/// `cell`: safe inside a Markdown table cell.
fn cell(text: String) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// Paths of all leaf keys of a TOML table, dotted.
fn keys(prefix: &str, v: &toml::Value, out: &mut Vec<String>) {
    if let toml::Value::Table(t) = v {
        for (k, v) in t {
            let p = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            keys(&p, v, out);
        }
    } else {
        out.push(prefix.to_string());
    }
}

impl Templates {
    /// Reads every `*.j2` template and `strings.toml` of `dir`.
    pub fn load(dir: &Path) -> Result<Templates, TemplateError> {
        let entries = std::fs::read_dir(dir).map_err(|source| TemplateError::Read {
            path: dir.to_path_buf(),
            source,
        })?;
        let mut files: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "j2"))
            .collect();
        files.sort();
        let mut env = Environment::new();
        let syntax = SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .build()
            .map_err(|e| TemplateError::Template {
                path: dir.to_path_buf(),
                message: message(&e),
            })?;
        env.set_syntax(syntax);
        // A misspelt name fails loudly instead of printing nothing; `{% if x %}` still works.
        env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
        env.add_filter("fill", fill);
        env.add_filter("cell", cell);
        for f in &files {
            let name = f
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            env.add_template_owned(name, read(f)?)
                .map_err(|e| TemplateError::Template {
                    path: f.clone(),
                    message: message(&e),
                })?;
        }

        let path = dir.join("strings.toml");
        let data = |message: String| TemplateError::Data {
            path: path.clone(),
            message,
        };
        let table: toml::Table = toml::from_str(&read(&path)?).map_err(|e| data(e.to_string()))?;
        let mut strings = BTreeMap::new();
        for lang in LANGUAGES {
            let v = table
                .get(lang)
                .filter(|v| v.is_table())
                .ok_or_else(|| data(format!("no [{lang}] table of words")))?;
            strings.insert(lang.to_string(), v.clone());
        }
        // Every word must exist in every language, so no README silently lacks one.
        let mut all: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (lang, v) in &strings {
            let mut k = Vec::new();
            keys("", v, &mut k);
            all.insert(lang.clone(), k);
        }
        for (lang, k) in &all {
            for (other, ok) in &all {
                let missing: Vec<&String> = ok.iter().filter(|x| !k.contains(x)).collect();
                if let Some(first) = missing.first() {
                    return Err(data(format!(
                        "[{lang}] lacks `{first}` that [{other}] has{}; give every key in both languages",
                        if missing.len() > 1 {
                            format!(" (and {} more)", missing.len() - 1)
                        } else {
                            String::new()
                        }
                    )));
                }
            }
        }
        Ok(Templates {
            dir: dir.to_path_buf(),
            env,
            strings,
        })
    }

    /// Reads `groups.toml` of the templates folder.
    pub fn groups(&self) -> Result<Vec<GroupDef>, TemplateError> {
        let path = self.dir.join("groups.toml");
        let f: GroupsFile = toml::from_str(&read(&path)?).map_err(|e| TemplateError::Data {
            path: path.clone(),
            message: e.to_string().trim().to_string(),
        })?;
        Ok(f.group)
    }

    /// Renders region `name` of the README in `page.lang`.
    pub fn render(&self, name: &str, page: &Page) -> Result<String, TemplateError> {
        let file = format!("{name}.md.j2");
        let path = self.dir.join(&file);
        let t = self
            .env
            .get_template(&file)
            .map_err(|_| TemplateError::Missing { path: path.clone() })?;
        let strings = self
            .strings
            .get(&page.lang)
            .cloned()
            .unwrap_or(toml::Value::Table(Default::default()));
        let ctx = minijinja::context! {
            page => Value::from(Serde(page)),
            s => Value::from(Serde(strings)),
            lang => page.lang.clone(),
        };
        t.render(ctx).map_err(|e| TemplateError::Template {
            path,
            message: message(&e),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters() {
        let mut env = Environment::new();
        env.add_filter("fill", fill);
        env.add_filter("cell", cell);
        let r = |src: &str| {
            env.render_str(src, minijinja::context! {})
                .map_err(|e| e.to_string())
        };
        assert_eq!(
            r("{{ '{w} ชนะ {l} {r}' | fill(w='Rust', l='Go', r='1.76×') }}").unwrap(),
            "Rust ชนะ Go 1.76×"
        );
        assert!(r("{{ '{w} beats {l}' | fill(w='Rust') }}")
            .unwrap_err()
            .contains("no value given for {l}"));
        assert_eq!(r("{{ 'a|b\nc' | cell }}").unwrap(), "a\\|b c");
    }
}
