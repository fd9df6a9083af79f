//! `runner matrix`: which projects a CI benchmark run should measure, as the JSON matrix of a
//! GitHub Actions job (`{"include":[{"id","slug","name"}, …]}`). One entry per project, so the
//! three languages of one project run interleaved on one machine.
//!
//! Pure: it takes validated manifests (paths relative to the repository root) and an optional list
//! of changed files, and decides. It does not run git, read files or print; `cmd/matrix.rs` does that.
//! A project is selected when it has at least one implemented language (planned ones have
//! nothing to run) and either no change list is given, or one of its files changed: its
//! manifest, `impls/<slug>/`, an implementation's `dir`, an input's `path` or `sources`, or an
//! `exact` check's expected file. A change under [`GLOBAL`] (the runner, the pins, the shared
//! tools) selects every project.

use crate::manifest::{Check, InputDef, Manifest};
use serde::Serialize;

/// Paths whose change affects every project's numbers.
pub const GLOBAL: [&str; 3] = ["runner/", "toolchains.toml", "tools/"];

/// One job of the matrix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// Project id, e.g. "3.3" (what `runner bench --only` takes).
    pub id: String,
    /// Slug, e.g. "log-masker" (artifact names).
    pub slug: String,
    /// English name, for the job's title.
    pub name: String,
}

/// The matrix as GitHub's `strategy.matrix` wants it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Matrix {
    /// The jobs; empty when nothing needs measuring.
    pub include: Vec<Entry>,
}

/// Normalizes a repository-relative path: no leading `./`, forward slashes.
fn norm(p: &str) -> String {
    let p = p.trim().replace('\\', "/");
    p.strip_prefix("./").unwrap_or(&p).to_string()
}

/// True when `changed` is `prefix` itself or lies inside it (as a folder).
fn touches(changed: &str, prefix: &str) -> bool {
    let prefix = norm(prefix);
    let prefix = prefix.trim_end_matches('/');
    if prefix.is_empty() {
        return false;
    }
    changed == prefix
        || changed
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// Repository-relative paths that belong to one project (`manifest_path` is its manifest's
/// path relative to the repository root).
pub fn project_paths(m: &Manifest, manifest_path: &str) -> Vec<String> {
    let mut paths = vec![norm(manifest_path), format!("impls/{}", m.slug)];
    for (_, imp) in m.implemented() {
        paths.push(norm(&imp.dir));
    }
    for input in m.inputs.values() {
        match input {
            InputDef::File(p) => paths.push(norm(p)),
            InputDef::Generated { sources, .. } => paths.extend(sources.iter().map(|s| norm(s))),
        }
    }
    for c in &m.checks {
        if let Check::Exact { expected, .. } = c {
            paths.push(norm(expected));
        }
    }
    paths.retain(|p| !p.contains('{'));
    paths
}

/// Selects the projects to measure. `projects` pairs each manifest with its path relative to
/// the repository root; `changed` is `None` for "all" (schedule, manual run), else the changed
/// files (one repository-relative path each). Entries come in id order of the input.
pub fn select(projects: &[(&Manifest, String)], changed: Option<&[String]>) -> Matrix {
    let changed: Option<Vec<String>> = changed.map(|c| {
        c.iter()
            .map(|p| norm(p))
            .filter(|p| !p.is_empty())
            .collect()
    });
    let everything = match &changed {
        None => true,
        Some(c) => c.iter().any(|f| GLOBAL.iter().any(|g| touches(f, g))),
    };
    let include = projects
        .iter()
        .filter(|(m, _)| m.implemented().next().is_some())
        .filter(|(m, path)| {
            everything
                || changed.as_ref().is_some_and(|c| {
                    let mine = project_paths(m, path);
                    c.iter().any(|f| mine.iter().any(|p| touches(f, p)))
                })
        })
        .map(|(m, _)| Entry {
            id: m.id.clone(),
            slug: m.slug.clone(),
            name: m
                .text
                .get("en")
                .map(|t| t.name.clone())
                .unwrap_or_else(|| m.slug.clone()),
        })
        .collect();
    Matrix { include }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest;

    /// Loads a manifest from a throwaway repository holding the files it names.
    fn manifest(slug: &str, id: &str, implemented: bool, extra: &str) -> Manifest {
        let root = tempfile::tempdir().unwrap();
        let lang = if implemented {
            std::fs::create_dir_all(root.path().join(format!("impls/{slug}/go"))).unwrap();
            format!(
                "[lang.go]\ndir = \"impls/{slug}/go\"\nbuild = [\"true\"]\nartifact = \"a\"\nrun = [\"{{artifact}}\"]\n\
                 [lang.rust]\ntodo = \"later\"\n[lang.zig]\ntodo = \"later\"\n\
                 [[verify]]\nkind = \"cross_language\"\nstdout = true\n\
                 [metric]\nheadline = \"wall_time\"\n"
            )
        } else {
            String::new()
        };
        for f in ["data/alpha.bin", "gens/beta/x"] {
            let f = root.path().join(f);
            std::fs::create_dir_all(f.parent().unwrap()).unwrap();
            std::fs::write(f, "x").unwrap();
        }
        let text = format!(
            "id = \"{id}\"\nslug = \"{slug}\"\ngroup = 1\n\
             [text.en]\nname = \"{slug} name\"\nsummary = \"s\"\nskill = \"k\"\n\
             [text.th]\nname = \"n\"\nsummary = \"s\"\nskill = \"k\"\n{extra}{lang}"
        );
        let path = root.path().join(format!("manifests/{slug}.toml"));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        manifest::load(&path).unwrap_or_else(|e| panic!("{e:?}"))
    }

    fn ids(m: &Matrix) -> Vec<&str> {
        m.include.iter().map(|e| e.id.as_str()).collect()
    }

    #[test]
    fn selection_by_changed_files() {
        let a = manifest(
            "alpha",
            "1.1",
            true,
            "[inputs.data]\npath = \"data/alpha.bin\"\n",
        );
        let b = manifest(
            "beta",
            "1.2",
            true,
            "[inputs.gen]\ngenerate = [\"gen\", \"{out}\"]\nsources = [\"gens/beta\"]\n",
        );
        let planned = manifest("gamma", "1.3", false, "");
        let all = [
            (&a, "manifests/alpha.toml".to_string()),
            (&b, "./manifests/beta.toml".to_string()),
            (&planned, "manifests/gamma.toml".to_string()),
        ];
        let cases: &[(&[&str], &[&str])] = &[
            (&[], &[]),
            (&["README.md", "docs/report.md"], &[]),
            (&["manifests/alpha.toml"], &["1.1"]),
            (&["manifests/beta.toml"], &["1.2"]),
            (&["impls/alpha/go/main.go"], &["1.1"]),
            (&["impls/alphabet/x"], &[]),
            (&["data/alpha.bin"], &["1.1"]),
            (&["gens/beta/src/main.rs"], &["1.2"]),
            (&["manifests/gamma.toml", "impls/gamma/README.md"], &[]),
            (&["runner/src/cmd/bench.rs"], &["1.1", "1.2"]),
            (&["toolchains.toml"], &["1.1", "1.2"]),
            (&["tools/loggen/src/main.rs"], &["1.1", "1.2"]),
            (&["impls/beta/README.md", "impls/alpha/x"], &["1.1", "1.2"]),
        ];
        for (changed, want) in cases {
            let changed: Vec<String> = changed.iter().map(|s| s.to_string()).collect();
            let got = select(&all, Some(&changed));
            assert_eq!(ids(&got), *want, "changed {changed:?}");
        }
        assert_eq!(
            ids(&select(&all, None)),
            ["1.1", "1.2"],
            "all, less planned"
        );
    }

    #[test]
    fn json_shape() {
        let a = manifest("alpha", "1.1", true, "");
        let m = select(&[(&a, "manifests/alpha.toml".into())], None);
        assert_eq!(
            serde_json::to_string(&m).unwrap(),
            r#"{"include":[{"id":"1.1","slug":"alpha","name":"alpha name"}]}"#
        );
        let none = select(&[(&a, "manifests/alpha.toml".into())], Some(&[]));
        assert_eq!(serde_json::to_string(&none).unwrap(), r#"{"include":[]}"#);
    }

    #[test]
    fn touches_is_by_path_component() {
        for (changed, prefix, want) in [
            ("impls/a/x", "impls/a", true),
            ("impls/a/x", "impls/a/", true),
            ("impls/a", "impls/a", true),
            ("impls/ab/x", "impls/a", false),
            ("toolchains.toml", "toolchains.toml", true),
            ("x", "", false),
        ] {
            assert_eq!(touches(changed, prefix), want, "{changed} in {prefix}");
        }
    }
}
