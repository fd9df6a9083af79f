//! Manifest diagnostics: every problem names the file, points at the line and column with a caret
//! snippet (miette), and says what to do.
//!
//! This module only describes problems; finding them is `validate/`'s job and deciding the exit
//! code is `main.rs`'s.

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, NamedSource, SourceSpan};
use std::fmt::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One problem in one manifest, with the source position it concerns.
#[derive(Debug, Clone, thiserror::Error, Diagnostic)]
#[error("{message}")]
pub struct ManifestError {
    /// What is wrong, in one sentence.
    pub message: String,
    #[source_code]
    src: NamedSource<Arc<String>>,
    #[label("{label}")]
    span: Option<SourceSpan>,
    label: String,
    /// What to do about it.
    #[help]
    pub help: Option<String>,
}

/// Everything that went wrong loading one manifest file.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read at all.
    #[error("{path}: cannot read manifest: {source}")]
    Read {
        /// The manifest path.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file was read and has one or more problems.
    #[error("{path}: {} problem(s)", errors.len())]
    Invalid {
        /// The manifest path.
        path: PathBuf,
        /// Every problem found, in source order.
        errors: Vec<ManifestError>,
    },
}

/// Builds diagnostics for one source file.
#[derive(Debug, Clone)]
pub struct SourceFile {
    name: String,
    text: Arc<String>,
}

impl SourceFile {
    /// Wraps the text of `path` for diagnostics.
    pub fn new(path: &Path, text: String) -> Self {
        Self {
            name: path.display().to_string(),
            text: Arc::new(text),
        }
    }

    /// The file's text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// A problem at `span` (byte range), with a label under the caret and an optional fix.
    pub fn error(
        &self,
        span: Option<Range<usize>>,
        message: impl Into<String>,
        label: impl Into<String>,
        help: Option<String>,
    ) -> ManifestError {
        let len = self.text.len();
        let span = span.map(|r| {
            let start = r.start.min(len);
            let mut end = r.end.clamp(start, len);
            // A table's span covers all its lines; point at its first line only.
            if let Some(nl) = self.text[start..end].find('\n') {
                end = start + nl;
            }
            SourceSpan::from(start..end)
        });
        ManifestError {
            message: message.into(),
            src: NamedSource::new(self.name.clone(), self.text.clone()),
            span,
            label: label.into(),
            help,
        }
    }

    /// 1-based line and column of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let before = &self.text[..offset.min(self.text.len())];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (line, col)
    }
}

impl ManifestError {
    /// The byte offset the problem points at, for sorting problems in source order.
    pub fn offset(&self) -> usize {
        self.span.map_or(0, |s| s.offset())
    }
}

/// Renders diagnostics as plain text (no colour, fixed width) for terminals, logs and snapshots.
pub fn render(errors: &[ManifestError]) -> String {
    let handler = GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
        .with_width(100)
        .with_links(false);
    let mut out = String::new();
    for e in errors {
        let mut one = String::new();
        if handler.render_report(&mut one, e).is_err() {
            let _ = writeln!(one, "{e}");
        }
        out.push_str(one.trim_end());
        out.push_str("\n\n");
    }
    out
}
