//! The view model of the README: manifests + latest reports → rows, cells, group sections,
//! progress, insights and the methodology footer, ready for the templates. Pure: no I/O, no
//! current time, stable order (projects by id, languages Go, Rust, Zig), so the same inputs always
//! give the same page.
//!
//! Numbers are formatted here through `units` (the only place that formats numbers); words are not:
//! a cell says *what* it is (`kind = "build_failed"`) and the templates pick the words of their
//! language from `templates/strings.toml`. The only texts chosen here are the project's own
//! (name, summary, skill, notes) in the page's language, and the English words inside charts,
//! which both READMEs share.
//!
//! One file per part of the page: `cell.rs` (status-table cells, why a number is noisy, derived
//! status), `verdict.rs` (pairwise verdicts and the winner), `project.rs` (one project's view),
//! `sampling.rs` (what its numbers stand on: input, runs, reduced sampling), `groups.rs` (group
//! sections), `overview.rs` (progress and insights), `footer.rs` (methodology footer),
//! `cost.rs` (a service's requests per CPU-second and instruction counts, beside the headline),
//! `variant.rs` (other builds of a language, shown but never ranked) and `chart_data.rs` (what
//! the charts show). This file holds the page and its inputs.

mod cell;
mod chart_data;
mod cost;
#[cfg(test)]
mod fixtures;
mod footer;
mod groups;
mod overview;
mod project;
mod sampling;
mod variant;
mod verdict;

pub use cell::{derived_status, Cell, CellKind, Noisy, Status};
pub use chart_data::{chart_file, charts, Bar, BarValue, ChartData, ChartKind};
pub use footer::{Footer, HostInfo, RunInfo, ToolchainInfo};
pub use groups::{Group, GroupDef, GroupText, GroupsFile};
pub use overview::{Extreme, Insights, Progress, Tally};
pub use project::{ChartLinks, MetricView, Project};
pub use sampling::{ParamChange, Sampling};
pub use variant::{VariantRow, Versus};
pub use verdict::{winner, Verdict};

use crate::manifest::{self, Manifest};
use crate::report::{ProjectReport, Report};
use serde::Serialize;
use std::collections::BTreeMap;

/// The whole page in one language.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Page {
    /// Language code.
    pub lang: String,
    /// All projects, by id (the status table).
    pub projects: Vec<Project>,
    /// Group sections.
    pub groups: Vec<Group>,
    /// Progress.
    pub progress: Progress,
    /// Insights.
    pub insights: Insights,
    /// Footer.
    pub footer: Footer,
}

/// Everything the page is built from.
#[derive(Debug, Clone, Copy)]
pub struct Sources<'a> {
    /// Validated manifests, by id.
    pub manifests: &'a [Manifest],
    /// Latest reports by slug; each holds that project.
    pub latest: &'a BTreeMap<String, Report>,
    /// Groups.
    pub groups: &'a [GroupDef],
}

/// Links that depend on where a README is: charts folder (ending in `/`) and specs by slug.
#[derive(Debug, Clone, Default)]
pub struct Links {
    /// The charts folder as seen from the README, e.g. `reports/charts/`.
    pub charts: String,
    /// Each existing spec as seen from the README, by slug.
    pub specs: BTreeMap<String, String>,
}

/// The project of `slug` in a latest report.
pub fn project_in<'a>(r: &'a Report, slug: &str) -> Option<&'a ProjectReport> {
    r.projects.iter().find(|p| p.slug == slug)
}

/// Builds the page in `lang`, with links as seen from its README.
pub fn build(sources: &Sources<'_>, lang: &str, links: &Links) -> Page {
    let mut manifests: Vec<&Manifest> = sources.manifests.iter().collect();
    manifests.sort_by_key(|m| manifest::id_key(&m.id));
    let projects: Vec<Project> = manifests
        .iter()
        .map(|m| project::project(m, sources.latest.get(&m.slug), lang, Some(links)))
        .collect();
    let groups = groups::sections(&projects, sources.groups, lang);
    let progress = overview::progress(&projects, groups.len());
    let insights = overview::insights(sources, &projects, lang);
    let footer = footer::footer(sources, &projects);
    Page {
        lang: lang.to_string(),
        projects,
        groups,
        progress,
        insights,
        footer,
    }
}
