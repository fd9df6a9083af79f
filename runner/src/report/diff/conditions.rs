//! What differs between the two reports of a comparison besides the code under test: the
//! machine (CPU model, cores), the backend and mode, the toolchains and the commit, and per
//! project the parameters, the manifest and a service's load window. A change measured across
//! such a difference includes it, so `runner compare` says so above its table instead of letting a
//! new machine pass for a faster program. Pure: two reports in, sentences out; it never decides a
//! verdict.
//!
//! Two levels: a *warning* for what the comparison cannot correct for and a reader would not
//! expect (another CPU, backend or mode, other parameters, an edited manifest); a *note* for what
//! is usually the point of comparing (another commit, other toolchain versions) or is already
//! corrected for (a service's load window: its rows are per request).

use crate::report::{ProjectReport, Report};
use crate::units;
use std::collections::BTreeSet;
use std::fmt;

/// How much a difference matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// The comparison cannot correct for it: changes below include it.
    Warning,
    /// Worth knowing; usually the point of comparing, or already corrected for.
    Note,
}

/// One difference between the baseline and the current report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    /// How much it matters.
    pub level: Level,
    /// What differs, in words (no trailing period).
    pub text: String,
}

impl fmt::Display for Condition {
    /// `warning: …` or `note: …`, as the terminal shows it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.level {
            Level::Warning => write!(f, "warning: {}", self.text),
            Level::Note => write!(f, "note: {}", self.text),
        }
    }
}

impl Condition {
    /// The line for a markdown comment: `**Warning**: …` or `Note: …`.
    pub fn markdown(&self) -> String {
        match self.level {
            Level::Warning => format!("**Warning**: {}", self.text),
            Level::Note => format!("Note: {}", self.text),
        }
    }
}

fn warning(text: String) -> Condition {
    Condition {
        level: Level::Warning,
        text,
    }
}

fn note(text: String) -> Condition {
    Condition {
        level: Level::Note,
        text,
    }
}

/// Every difference between `baseline` and `current`: the reports' headers first, then each
/// project present in both (in the current report's order).
pub fn conditions(baseline: &Report, current: &Report) -> Vec<Condition> {
    let mut out = header(baseline, current);
    for p in &current.projects {
        if let Some(b) = baseline.projects.iter().find(|b| b.slug == p.slug) {
            out.extend(project(b, p));
        }
    }
    out
}

/// Differences of the reports' headers: host, backend, mode, toolchains, commit.
fn header(b: &Report, c: &Report) -> Vec<Condition> {
    let mut out = Vec::new();
    let (hb, hc) = (&b.host, &c.host);
    if hb.cpu_model != hc.cpu_model || hb.cores != hc.cores {
        out.push(warning(format!(
            "measured on different CPUs: baseline {} ({} cores), current {} ({} cores); every change below includes the machine's",
            hb.cpu_model, hb.cores, hc.cpu_model, hc.cores
        )));
    }
    if b.backend != c.backend {
        out.push(warning(format!(
            "different backends: baseline {}, current {}",
            b.backend, c.backend
        )));
    }
    if b.mode != c.mode {
        out.push(warning(format!(
            "different modes: baseline {}, current {}",
            b.mode, c.mode
        )));
    }
    let names: BTreeSet<&String> = b.toolchains.keys().chain(c.toolchains.keys()).collect();
    for name in names {
        let first = |r: &Report| {
            r.toolchains
                .get(name)
                .and_then(|v| v.lines().next())
                .unwrap_or("none")
                .trim()
                .to_string()
        };
        let (vb, vc) = (first(b), first(c));
        if vb != vc {
            out.push(note(format!(
                "toolchain {name}: baseline {vb}, current {vc}"
            )));
        }
    }
    if b.git != c.git {
        let commit = |r: &Report| {
            let id: String = r
                .git
                .commit
                .as_deref()
                .map_or("no commit".into(), |c| c.chars().take(12).collect());
            if r.git.dirty {
                format!("{id} with uncommitted changes")
            } else {
                id
            }
        };
        out.push(note(format!(
            "different commits: baseline {}, current {}",
            commit(b),
            commit(c)
        )));
    }
    out
}

/// Differences of one project: parameters, manifest, a service's load window.
fn project(b: &ProjectReport, c: &ProjectReport) -> Vec<Condition> {
    let mut out = Vec::new();
    let keys: BTreeSet<&String> = b.params.keys().chain(c.params.keys()).collect();
    let changed: Vec<String> = keys
        .into_iter()
        .filter_map(|k| {
            let (vb, vc) = (b.params.get(k), c.params.get(k));
            let shown = |v: Option<&String>| v.map_or("(none)".to_string(), String::clone);
            (vb != vc).then(|| format!("{k} {} → {}", shown(vb), shown(vc)))
        })
        .collect();
    if !changed.is_empty() {
        out.push(warning(format!(
            "{}: parameters differ: {}",
            c.slug,
            changed.join(", ")
        )));
    }
    if !b.manifest_sha256.is_empty()
        && !c.manifest_sha256.is_empty()
        && b.manifest_sha256 != c.manifest_sha256
    {
        out.push(warning(format!(
            "{}: the manifest changed between the two reports (sha256 {} → {})",
            c.slug,
            &b.manifest_sha256[..b.manifest_sha256.len().min(12)],
            &c.manifest_sha256[..c.manifest_sha256.len().min(12)]
        )));
    }
    if c.is_service() {
        if let (Some(wb), Some(wc)) = (mean_window(b), mean_window(c)) {
            if (wc / wb - 1.0).abs() > 0.01 {
                out.push(note(format!(
                    "{}: load windows differ: baseline {}, current {} (compared per request, not per window)",
                    c.slug,
                    units::seconds(wb),
                    units::seconds(wc)
                )));
            }
        }
    }
    out
}

/// The mean load window of a service's measured rounds, seconds.
fn mean_window(p: &ProjectReport) -> Option<f64> {
    let windows: Vec<f64> = p
        .jobs
        .iter()
        .chain(p.references.iter())
        .flat_map(|j| j.samples.iter())
        .map(|s| s.wall_ns as f64 / 1e9)
        .collect();
    (!windows.is_empty()).then(|| windows.iter().sum::<f64>() / windows.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_read_as_the_terminal_and_markdown_show_them() {
        let w = warning("measured on different CPUs".into());
        let n = note("different commits".into());
        assert_eq!(w.to_string(), "warning: measured on different CPUs");
        assert_eq!(n.to_string(), "note: different commits");
        assert_eq!(w.markdown(), "**Warning**: measured on different CPUs");
        assert_eq!(n.markdown(), "Note: different commits");
    }
}
