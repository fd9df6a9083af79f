//! Reduced sampling in published reports: a latest report whose ranked languages have fewer
//! measured runs than the manifest asks of a published number (`published_runs`, else
//! `min_runs`; `model/sampling.rs` says which) makes `runner render --check` fail — unless the
//! project is listed in `<reports>/reduced-sampling.allow`, a visible and temporary allowance for
//! reports committed before the check existed, whose lines go as the projects are measured again.
//!
//! This file reads that list and sorts the reduced projects against it; `cmd/render.rs` prints
//! and decides the exit code. A listed project that is no longer reduced is *stale*: said, so the
//! line is removed, but never a failure (re-measuring must not break the check).

use super::RenderError;
use std::path::Path;

/// The allowance file's name, inside the reports folder.
pub const ALLOW_FILE: &str = "reduced-sampling.allow";

/// A project whose latest report has reduced sampling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reduced {
    /// Project id.
    pub id: String,
    /// Slug (what the allowance file lists).
    pub slug: String,
    /// The fewest measured runs of a ranked language.
    pub least: usize,
    /// The runs the manifest asks of a published number.
    pub asked: u32,
}

/// The reduced projects, sorted against the allowance.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Judgement {
    /// Reduced and not listed: `render --check` fails.
    pub failing: Vec<Reduced>,
    /// Reduced and listed: they pass, with a notice.
    pub allowed: Vec<Reduced>,
    /// Listed, but no longer reduced (or no such project): their lines can go.
    pub stale: Vec<String>,
}

/// The slugs of an allowance file: one per line; `#` starts a comment; blank lines are skipped.
pub fn parse(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}

/// The allowance of the reports folder `reports` (none when the file does not exist).
pub fn read(reports: &Path) -> Result<Vec<String>, RenderError> {
    let path = reports.join(ALLOW_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(parse(&text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(source) => Err(RenderError::Io { path, source }),
    }
}

/// Sorts `reduced` against the `allowed` slugs.
pub fn judge(reduced: Vec<Reduced>, allowed: &[String]) -> Judgement {
    let stale = allowed
        .iter()
        .filter(|a| !reduced.iter().any(|r| &r.slug == *a))
        .cloned()
        .collect();
    let (allowed, failing) = reduced.into_iter().partition(|r| allowed.contains(&r.slug));
    Judgement {
        failing,
        allowed,
        stale,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(slug: &str) -> Reduced {
        Reduced {
            id: "1.1".into(),
            slug: slug.into(),
            least: 3,
            asked: 10,
        }
    }

    #[test]
    fn listed_projects_pass_others_fail_and_old_lines_are_stale() {
        let allowed = parse("# measured with --runs 3\nhls-segmenter  # issue 16\n\nlog-masker\n");
        assert_eq!(allowed, ["hls-segmenter", "log-masker"]);
        let j = judge(vec![r("hls-segmenter"), r("vector-ingester")], &allowed);
        assert_eq!(j.allowed, [r("hls-segmenter")]);
        assert_eq!(j.failing, [r("vector-ingester")]);
        assert_eq!(j.stale, ["log-masker"]);
    }

    #[test]
    fn no_file_allows_nothing() {
        let dir = tempfile::tempdir().unwrap();
        assert!(read(dir.path()).unwrap().is_empty());
    }
}
