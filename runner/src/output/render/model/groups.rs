//! The group sections of the README: `templates/groups.toml` (headings and focus lines in each
//! language) and the projects of each group. Only groups that have a manifest are shown. Pure: the
//! projects come in already built, this file only sorts them under their heading.

use super::project::Project;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One group of the seed list, as `templates/groups.toml` describes it.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct GroupDef {
    /// Group number (the part of a project id before the dot).
    pub number: u32,
    /// Marked as new in the seed list (⭐).
    #[serde(default)]
    pub new: bool,
    /// Heading and focus line by language code (`en`, `th`).
    #[serde(flatten)]
    pub text: BTreeMap<String, GroupText>,
}

/// A group's heading and focus line in one language.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct GroupText {
    /// Heading, e.g. "Video & Media Processing".
    pub title: String,
    /// Focus line, e.g. "Focus on handling data streaming and memory layout".
    #[serde(default)]
    pub focus: String,
}

/// The file `templates/groups.toml`: `[[group]]` tables.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct GroupsFile {
    /// The groups, in any order.
    #[serde(default)]
    pub group: Vec<GroupDef>,
}

/// A group section.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Group {
    /// Number.
    pub number: u32,
    /// Heading in the page's language.
    pub title: String,
    /// Heading in English (the Thai page shows both, as the seed does).
    pub title_en: String,
    /// Focus line.
    pub focus: String,
    /// New in the seed list.
    pub new: bool,
    /// Its projects, by id.
    pub projects: Vec<Project>,
}

/// The group sections of `projects` (sorted by id), by group number, with headings in `lang`
/// (English when the group has no text in `lang`).
pub(super) fn sections(projects: &[Project], defs: &[GroupDef], lang: &str) -> Vec<Group> {
    let mut numbers: Vec<u32> = projects.iter().map(|p| p.group).collect();
    numbers.sort_unstable();
    numbers.dedup();
    numbers
        .into_iter()
        .map(|n| {
            let def = defs.iter().find(|g| g.number == n);
            let text = def.and_then(|g| g.text.get(lang).or_else(|| g.text.get("en")));
            let en = def.and_then(|g| g.text.get("en"));
            Group {
                number: n,
                title: text.map(|t| t.title.clone()).unwrap_or_default(),
                title_en: en.map(|t| t.title.clone()).unwrap_or_default(),
                focus: text.map(|t| t.focus.clone()).unwrap_or_default(),
                new: def.is_some_and(|g| g.new),
                projects: projects.iter().filter(|p| p.group == n).cloned().collect(),
            }
        })
        // A group without a manifest has nothing to show.
        .filter(|g| !g.projects.is_empty())
        .collect()
}
