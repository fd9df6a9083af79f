//! Languages (docs/manifest.md, "`[lang.go]`, `[lang.rust]`, `[lang.zig]`" and its subsection
//! "`[lang.*.docker]`"): only go, rust and zig; each table is either `todo` alone or an
//! implementation with `dir`, `build`, `artifact` and `run`, whose commands use the placeholders
//! of a build or a run; a manifest with any language has all three; a Dockerfile is a relative
//! path inside `dir` and a program in the image an absolute path.
//!
//! The only disk access is checking that `dir` and the Dockerfile exist. It never reads them,
//! never builds anything, and does not look for `artifact` (that exists only after the build).

use super::{missing, unspanned, Ctx, Validator};
use crate::manifest::model::{ImageDef, Implementation, Lang, LangDef};
use crate::manifest::schema::{RawLang, RawLangDocker, RawManifest};
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;
use toml::Spanned;

/// Checks every `[lang.*]` and that none of the three is missing; returns them by language.
pub(super) fn validate(v: &mut Validator<'_>, raw: &RawManifest) -> BTreeMap<Lang, LangDef> {
    let mut langs = BTreeMap::new();
    for (name, entry) in &raw.lang {
        let span = entry.span();
        let Some(lang) = Lang::parse(name) else {
            v.err(
                span,
                format!("unknown language `{name}`"),
                "unknown language",
                "languages are go, rust and zig",
            );
            continue;
        };
        let l = entry.get_ref();
        let def = match &l.todo {
            Some(todo) => not_written(v, name, l, todo),
            None => implementation(v, name, l, span),
        };
        langs.insert(lang, def);
    }
    if !langs.is_empty() {
        for lang in Lang::ALL {
            if !langs.contains_key(&lang) {
                let first = raw
                    .lang
                    .values()
                    .next()
                    .map(|l| l.span())
                    .unwrap_or(raw.id.span());
                v.err(first, format!("missing language `{lang}`"), "languages are declared here", format!("every project compares all three languages: add [lang.{lang}], or [lang.{lang}] todo = \"reason\" until it exists"));
            }
        }
    }
    langs
}

/// `[lang.NAME] todo = "…"`: a language not written yet, which must have nothing else.
fn not_written(v: &mut Validator<'_>, name: &str, l: &RawLang, todo: &Spanned<String>) -> LangDef {
    if l.dir.is_some()
        || l.build.is_some()
        || l.artifact.is_some()
        || l.run.is_some()
        || l.test.is_some()
        || !l.env.is_empty()
        || l.docker.is_some()
    {
        v.err(
            todo.span(),
            format!("[lang.{name}] has `todo` and also an implementation"),
            "todo",
            "remove `todo` once the implementation exists",
        );
    }
    LangDef::Todo(todo.get_ref().clone())
}

/// `[lang.NAME]` with `dir`, `build`, `artifact`, `run` (and optionally `test`, `env`, `docker`);
/// `span` is the table's, underlined for a missing key or an empty command.
fn implementation(v: &mut Validator<'_>, name: &str, l: &RawLang, span: Range<usize>) -> LangDef {
    let missing = missing(&[
        ("dir", l.dir.is_some()),
        ("build", l.build.is_some()),
        ("artifact", l.artifact.is_some()),
        ("run", l.run.is_some()),
    ]);
    if !missing.is_empty() {
        v.err(
            span.clone(),
            format!("[lang.{name}] is missing {}", missing.join(", ")),
            "incomplete implementation",
            "give dir, build, artifact and run — or todo = \"why it is not written yet\"",
        );
    }
    let what = |f: &str| format!("lang.{name}.{f}");
    let dir = l
        .dir
        .as_ref()
        .map(|d| v.rel_path(&what("dir"), d, true))
        .unwrap_or_default();
    let build = l
        .build
        .as_ref()
        .map(|b| v.command(&what("build"), b, Ctx::Build, span.clone()))
        .unwrap_or_default();
    let artifact = l
        .artifact
        .as_ref()
        .map(|a| v.rel_path(&what("artifact"), a, false))
        .unwrap_or_default();
    let run = l
        .run
        .as_ref()
        .map(|r| v.command(&what("run"), r, Ctx::Run, span.clone()))
        .unwrap_or_default();
    let env = unspanned(&l.env);
    let test = l
        .test
        .as_ref()
        .map(|t| v.command(&what("test"), t, Ctx::Build, span.clone()));
    let docker = l.docker.as_ref().map(|d| image(v, name, d.get_ref(), &dir));
    LangDef::Impl(Implementation {
        dir,
        build,
        artifact,
        run,
        test,
        env,
        docker,
    })
}

/// `[lang.NAME.docker]`: the Dockerfile exists inside `dir`, the program is an absolute path.
fn image(v: &mut Validator<'_>, name: &str, d: &RawLangDocker, dir: &str) -> ImageDef {
    let what = |f: &str| format!("lang.{name}.docker.{f}");
    let file = d.dockerfile.get_ref();
    if !super::inside(file) {
        v.err(
            d.dockerfile.span(),
            format!(
                "{} must be a relative path inside the implementation's folder",
                what("dockerfile")
            ),
            "not a relative path",
            "e.g. dockerfile = \"Dockerfile\" (the folder is the build context)",
        );
    } else if !v.root.join(dir).join(Path::new(file)).is_file() {
        v.err(
            d.dockerfile.span(),
            format!("{} `{file}` does not exist in {dir}", what("dockerfile")),
            "not found",
            "the path is relative to the implementation's folder (`dir`)",
        );
    }
    if let Some(p) = &d.program {
        if !p.get_ref().starts_with('/') {
            v.err(
                p.span(),
                format!(
                    "{} must be an absolute path inside the image",
                    what("program")
                ),
                "not absolute",
                "e.g. program = \"/bench/log-masker\"",
            );
        }
    }
    ImageDef {
        dockerfile: file.clone(),
        program: d.program.as_ref().map(|p| p.get_ref().clone()),
    }
}
