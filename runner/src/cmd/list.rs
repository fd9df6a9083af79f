//! `runner list`: projects, languages and their status from the latest reports.

use super::{out, print_load_errors, FAILED, OK};
use crate::manifest::{self, Lang};
use crate::output::table;
use crate::report::store;
use std::path::{Path, PathBuf};

/// `runner list`.
pub fn list(paths: &[PathBuf], reports: &Path) -> i32 {
    let (ok, bad) = manifest::load_all(paths);
    print_load_errors(&bad);
    let mut rows = Vec::new();
    for m in &ok {
        let latest = store::read_report(&store::latest_path(reports, &m.slug)).ok();
        let proj = latest
            .as_ref()
            .and_then(|r| r.projects.iter().find(|p| p.slug == m.slug));
        let lang_cell = |l: Lang| -> String {
            match (
                m.langs.get(&l),
                proj.and_then(|p| p.jobs.iter().find(|j| j.name == l.as_str())),
            ) {
                (Some(manifest::LangDef::Impl(_)), Some(j)) => serde_json::to_value(j.status)
                    .ok()
                    .and_then(|v| v.as_str().map(String::from))
                    .unwrap_or_default(),
                (Some(manifest::LangDef::Impl(_)), None) => "not measured".into(),
                _ => "—".into(),
            }
        };
        let name = m.text.get("en").map(|t| t.name.clone()).unwrap_or_default();
        rows.push(vec![
            m.id.clone(),
            m.slug.clone(),
            name,
            lang_cell(Lang::Go),
            lang_cell(Lang::Rust),
            lang_cell(Lang::Zig),
            crate::output::render::model::derived_status(m, proj)
                .as_str()
                .to_string(),
            latest.map(|r| r.started_at).unwrap_or_default(),
        ]);
    }
    out(&table::list(&rows));
    if bad.is_empty() {
        OK
    } else {
        FAILED
    }
}
