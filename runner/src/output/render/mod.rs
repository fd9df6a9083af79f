//! `runner render`: the bilingual status README, regenerated from data so no number is ever typed
//! by hand. Reads the manifests and each project's latest report (`reports/latest/<slug>.json`);
//! writes the generated regions of `README.md` (English) and `README.th.md` (Thai) and one SVG
//! chart per measured project and metric under `reports/charts/`. With `check`, it writes nothing
//! and reports which files are stale, with a diff.
//!
//! `model/` turns manifests + reports into a view model (pure), `templates.rs` renders it with
//! the user-editable templates of `templates/`, `markers.rs` splices the result between the
//! `<!-- runner:begin NAME -->` / `<!-- runner:end NAME -->` markers, keeping every hand-written
//! byte around them, and `chart.rs` draws the charts. This module reads reports only: it never
//! measures, and a project without a latest report is simply "not measured".

pub mod chart;
pub mod markers;
pub mod model;
pub mod templates;

use crate::manifest::{self, LoadError, Manifest};
use crate::report::store::{self, StoreError};
use crate::report::Report;
use markers::MarkerError;
use model::Sources;
use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use templates::{TemplateError, Templates};

/// The generated regions every README must have, in the order they usually appear.
pub const REGIONS: [&str; 5] = ["status", "groups", "progress", "insights", "footer"];

/// What to render, resolved from the command line.
#[derive(Debug, Clone)]
pub struct Options {
    /// Manifest files; empty means `manifests/*.toml`.
    pub manifests: Vec<PathBuf>,
    /// Report folder (its `latest/` views are read).
    pub reports: PathBuf,
    /// English README.
    pub readme: PathBuf,
    /// Thai README.
    pub readme_th: PathBuf,
    /// Chart folder.
    pub charts: PathBuf,
    /// Templates folder.
    pub templates: PathBuf,
    /// Write nothing; report stale files.
    pub check: bool,
}

/// Why rendering could not be done.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// Some manifests are invalid.
    #[error("{} manifest(s) invalid", .0.len())]
    Manifests(Vec<LoadError>),
    /// No manifest given and none found.
    #[error("{}: no manifests found; pass manifest files or run from the repository root", .0.display())]
    NoManifests(PathBuf),
    /// A report is unreadable or of another schema version.
    #[error(transparent)]
    Report(#[from] StoreError),
    /// A latest view without the project it is named after.
    #[error("{}: not a latest view of project `{slug}` (no such project inside); re-run `runner bench --only {slug}`", path.display())]
    WrongReport {
        /// The file.
        path: PathBuf,
        /// The expected slug.
        slug: String,
    },
    /// A template, `strings.toml` or `groups.toml` problem.
    #[error(transparent)]
    Template(#[from] TemplateError),
    /// Markers of a README.
    #[error(transparent)]
    Markers(#[from] MarkerError),
    /// Reading or writing a file.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// A chart could not be drawn.
    #[error("{0}")]
    Chart(String),
}

/// One file the renderer produces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileResult {
    /// Where.
    pub path: PathBuf,
    /// Its content differs from what is on disk (written, unless checking).
    pub changed: bool,
    /// With `check`: a unified diff from the file on disk to the rendered one (text files).
    pub diff: Option<String>,
}

/// What a render did or would do.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// READMEs, then charts.
    pub files: Vec<FileResult>,
}

impl Outcome {
    /// Files that are (or were) out of date.
    pub fn stale(&self) -> impl Iterator<Item = &FileResult> {
        self.files.iter().filter(|f| f.changed)
    }
}

/// `manifests/*.toml` under the current folder, sorted.
fn default_manifests() -> Result<Vec<PathBuf>, RenderError> {
    let dir = PathBuf::from("manifests");
    let entries = std::fs::read_dir(&dir).map_err(|_| RenderError::NoManifests(dir.clone()))?;
    let mut v: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    v.sort();
    if v.is_empty() {
        return Err(RenderError::NoManifests(dir));
    }
    Ok(v)
}

/// Reads the latest view of each manifest's project that has one.
fn latest(reports: &Path, manifests: &[Manifest]) -> Result<BTreeMap<String, Report>, RenderError> {
    let mut out = BTreeMap::new();
    for m in manifests {
        let path = store::latest_path(reports, &m.slug);
        if !path.exists() {
            continue;
        }
        let r = store::read_report(&path)?;
        if model::project_in(&r, &m.slug).is_none() {
            return Err(RenderError::WrongReport {
                path,
                slug: m.slug.clone(),
            });
        }
        out.insert(m.slug.clone(), r);
    }
    Ok(out)
}

/// Lexically normalised absolute form of `p` (no file system access).
fn absolute(p: &Path) -> PathBuf {
    let joined = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(p)
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    out
}

/// `to` as a link relative to the folder `from`, with `/` separators.
pub fn relative_link(from: &Path, to: &Path) -> String {
    let (from, to) = (absolute(from), absolute(to));
    let a: Vec<_> = from.components().collect();
    let b: Vec<_> = to.components().collect();
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut parts: Vec<String> = vec!["..".to_string(); a.len() - common];
    parts.extend(
        b[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

fn read_text(path: &Path) -> Result<String, RenderError> {
    std::fs::read_to_string(path).map_err(|source| RenderError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// A unified diff from `old` (on disk) to `new` (rendered).
fn diff(path: &Path, old: &str, new: &str) -> String {
    let name = path.display().to_string();
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("{name} (on disk)"), &format!("{name} (rendered)"))
        .to_string()
}

/// Renders the READMEs and charts; writes them unless `opts.check`.
pub fn run(opts: &Options) -> Result<Outcome, RenderError> {
    let paths = if opts.manifests.is_empty() {
        default_manifests()?
    } else {
        opts.manifests.clone()
    };
    let (manifests, bad) = manifest::load_all(&paths);
    if !bad.is_empty() {
        return Err(RenderError::Manifests(bad));
    }
    let latest = latest(&opts.reports, &manifests)?;
    let templates = Templates::load(&opts.templates)?;
    let groups = templates.groups()?;
    let sources = Sources {
        manifests: &manifests,
        latest: &latest,
        groups: &groups,
    };

    // Everything is rendered before anything is written: an error leaves every file as it was.
    let mut files: Vec<(PathBuf, String, String, bool)> = Vec::new(); // path, old, new, text
    for (lang, readme) in [("en", &opts.readme), ("th", &opts.readme_th)] {
        let dir = readme.parent().unwrap_or(Path::new(""));
        let mut charts = relative_link(dir, &opts.charts);
        if !charts.is_empty() {
            charts.push('/');
        }
        let specs = manifests
            .iter()
            .filter_map(|m| {
                let spec = manifest::root_of(&m.path)
                    .join("impls")
                    .join(&m.slug)
                    .join("README.md");
                spec.is_file()
                    .then(|| (m.slug.clone(), relative_link(dir, &spec)))
            })
            .collect();
        let page = model::build(&sources, lang, &model::Links { charts, specs });
        let mut contents = BTreeMap::new();
        for name in REGIONS {
            contents.insert(name.to_string(), templates.render(name, &page)?);
        }
        let old = read_text(readme)?;
        let new = markers::replace(&old, readme, &REGIONS, &contents)?;
        files.push((readme.to_path_buf(), old, new, true));
    }
    for c in model::charts(&sources) {
        let svg = chart::svg(&c).map_err(RenderError::Chart)?;
        let path = opts.charts.join(&c.file);
        let old = std::fs::read_to_string(&path).unwrap_or_default();
        files.push((path, old, svg, false));
    }

    let mut outcome = Outcome::default();
    for (path, old, new, text) in files {
        let changed = old != new;
        if changed && !opts.check {
            write(&path, &new)?;
        }
        outcome.files.push(FileResult {
            diff: (changed && opts.check && text).then(|| diff(&path, &old, &new)),
            path,
            changed,
        });
    }
    Ok(outcome)
}

fn write(path: &Path, text: &str) -> Result<(), RenderError> {
    store::write_atomic(path, text.as_bytes()).map_err(|e| match e {
        StoreError::Io { path, source } => RenderError::Io { path, source },
        other => RenderError::Report(other),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_relative_to_the_readme() {
        let cases = [
            ("", "reports/charts", "reports/charts"),
            (".", "reports/charts", "reports/charts"),
            ("docs", "reports/charts", "../reports/charts"),
            ("/a/b", "/a/c/d", "../c/d"),
        ];
        for (from, to, want) in cases {
            assert_eq!(relative_link(Path::new(from), Path::new(to)), want);
        }
    }
}
