//! Variants (docs/manifest.md, "`[[lang.*.variant]]`"): extra builds of an implemented language.
//! Each has a `name` (unique in its language, usable inside `<lang> (<name>)`), a `build` and an
//! `artifact`; `dir`, `run` and `env` default to the language's. Its program must not be the
//! language's own or another variant's file: one build would replace the program the other is
//! measured with. A `todo` language has no variants. A `note` is one text or `en`/`th` texts.
//!
//! The only disk access is checking that a variant's own `dir` exists. It never builds anything
//! and never decides whether a variant runs (that follows its language's selection, later).

use super::{missing, unspanned, Ctx, Validator};
use crate::manifest::model::{Implementation, Variant};
use crate::manifest::schema::{RawNote, RawVariant};
use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use toml::Spanned;

/// Checks the `[[lang.NAME.variant]]` tables of language `name`; `base` is its implementation
/// (`None` for a `todo` language, which may have none).
pub(super) fn validate(
    v: &mut Validator<'_>,
    name: &str,
    raw: &[Spanned<RawVariant>],
    base: Option<&Implementation>,
) -> Vec<Variant> {
    let Some(base) = base else {
        if let Some(first) = raw.first() {
            v.err(
                first.span(),
                format!("[lang.{name}] is not implemented (`todo`), so it cannot have variants"),
                "variant of a missing implementation",
                "a variant is another build of an implementation: write the implementation first, or remove the variant",
            );
        }
        return Vec::new();
    };
    let mut seen: Vec<String> = Vec::new();
    // The programs built so far in this language, with who builds each: the headline first.
    let mut programs: Vec<(PathBuf, String)> = Vec::new();
    if !base.dir.is_empty() && !base.artifact.is_empty() {
        programs.push((program(&base.dir, &base.artifact), format!("[lang.{name}]")));
    }
    let mut variants = Vec::new();
    for (index, entry) in raw.iter().enumerate() {
        let r = entry.get_ref();
        let span = entry.span();
        let missing = missing(&[
            ("name", r.name.is_some()),
            ("build", r.build.is_some()),
            ("artifact", r.artifact.is_some()),
        ]);
        if !missing.is_empty() {
            v.err(
                span.clone(),
                format!(
                    "[[lang.{name}.variant]] number {} is missing {}",
                    index + 1,
                    missing.join(", ")
                ),
                "incomplete variant",
                "a variant needs name, build and artifact (dir, run and env default to the language's)",
            );
        }
        let vname = r
            .name
            .as_ref()
            .map(|n| variant_name(v, name, n, &mut seen))
            .unwrap_or_default();
        let label = match &r.name {
            Some(_) => format!("variant `{vname}`"),
            None => format!("variant number {}", index + 1),
        };
        let what = |f: &str| format!("{label} of [lang.{name}]: {f}");
        let dir = match &r.dir {
            Some(d) => v.rel_path(&what("dir"), d, true),
            None => base.dir.clone(),
        };
        let build = r
            .build
            .as_ref()
            .map(|b| v.command(&what("build"), b, Ctx::Build, span.clone()))
            .unwrap_or_default();
        let artifact = r
            .artifact
            .as_ref()
            .map(|a| {
                let s = v.rel_path(&what("artifact"), a, false);
                if !dir.is_empty() && super::inside(&s) {
                    let p = program(&dir, &s);
                    if let Some((_, owner)) = programs.iter().find(|(q, _)| *q == p) {
                        v.err(
                            a.span(),
                            format!(
                                "{label} of [lang.{name}] builds to the same file as {owner} ({}): one build would replace the program the other is measured with",
                                p.display()
                            ),
                            "same program file",
                            "give this build its own output and point `artifact` at it, e.g. `zig build --prefix zig-out/fast` → \"zig-out/fast/bin/NAME\", `cargo build --target-dir target/NAME`, `go build -o bin/NAME`",
                        );
                    } else {
                        programs.push((p, label.clone()));
                    }
                }
                s
            })
            .unwrap_or_default();
        let run = match &r.run {
            Some(run) => v.command(&what("run"), run, Ctx::Run, span.clone()),
            None => base.run.clone(),
        };
        let mut env = base.env.clone();
        env.extend(unspanned::<BTreeMap<String, String>>(&r.env));
        let note = r
            .note
            .as_ref()
            .map(|n| note(v, name, n))
            .unwrap_or_default();
        variants.push(Variant {
            name: vname,
            note,
            imp: Implementation {
                dir,
                build,
                artifact,
                run,
                test: None,
                env,
                docker: None,
                variants: Vec::new(),
            },
        });
    }
    variants
}

/// The file a build writes, as a comparable path: `dir` joined with `artifact`, without `.`
/// components (both are relative paths inside the repository, already checked).
fn program(dir: &str, artifact: &str) -> PathBuf {
    Path::new(dir)
        .join(artifact)
        .components()
        .filter(|c| !matches!(c, Component::CurDir))
        .collect()
}

/// A variant's `name`: not empty, letters, digits, spaces and `.`, `_`, `+`, `-` (it is shown
/// inside `<lang> (<name>)`), without spaces at either end, and not used twice in `lang`.
fn variant_name(
    v: &mut Validator<'_>,
    lang: &str,
    n: &Spanned<String>,
    seen: &mut Vec<String>,
) -> String {
    let s = n.get_ref();
    let allowed = |c: char| c.is_ascii_alphanumeric() || " ._+-".contains(c);
    if s.trim().is_empty() || s.trim() != s || !s.chars().all(allowed) {
        v.err(
            n.span(),
            format!("variant name `{s}` of [lang.{lang}] is not a plain name"),
            "not a plain name",
            "use letters, digits, spaces, `.`, `_`, `+` and `-`, e.g. name = \"ReleaseFast\" (it is shown as `zig (ReleaseFast)`)",
        );
    } else if seen.iter().any(|o| o.eq_ignore_ascii_case(s)) {
        v.err(
            n.span(),
            format!("[lang.{lang}] has two variants named `{s}`"),
            "duplicate name",
            "every variant of a language needs its own name: it names the variant's row in reports",
        );
    } else {
        seen.push(s.clone());
    }
    s.clone()
}

/// A variant's `note`: one text, or texts under `en` and `th` only.
fn note(v: &mut Validator<'_>, lang: &str, n: &Spanned<RawNote>) -> BTreeMap<String, String> {
    match n.get_ref() {
        RawNote::Plain(text) => BTreeMap::from([("en".to_string(), text.clone())]),
        RawNote::ByLang(texts) => {
            let unknown: Vec<&str> = texts
                .keys()
                .map(String::as_str)
                .filter(|k| !matches!(*k, "en" | "th"))
                .collect();
            if !unknown.is_empty() || !texts.contains_key("en") {
                v.err(
                    n.span(),
                    format!(
                        "a variant note of [lang.{lang}] needs `en` and may have `th`, nothing else{}",
                        if unknown.is_empty() {
                            String::new()
                        } else {
                            format!(" (found {})", unknown.join(", "))
                        }
                    ),
                    "note texts",
                    "write note = \"…\" (shown on both pages), or note = { en = \"…\", th = \"…\" }",
                );
            }
            texts.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::manifest::{parse, Lang, LangDef};
    use std::path::Path;

    const MANIFEST: &str = r#"
id = "3.3"
slug = "x"
group = 3
[text.en]
name = "X"
summary = "x"
skill = "x"
[text.th]
name = "X"
summary = "x"
skill = "x"
[lang.go]
dir = "go"
build = ["go", "build", "-o", "bin/x", "."]
artifact = "bin/x"
run = ["{artifact}", "{out}/o.txt"]
env = { CGO_ENABLED = "0", GOGC = "100" }
[[lang.go.variant]]
name = "stdlib"
dir = "go-std"
build = ["go", "build", "-o", "bin/x", "."]
artifact = "bin/x"
env = { GOGC = "off" }
note = { en = "encoding/json", th = "ใช้ encoding/json" }
[lang.rust]
todo = "later"
[lang.zig]
dir = "zig"
build = ["zig", "build", "-Doptimize=ReleaseSafe"]
artifact = "zig-out/bin/x"
run = ["{artifact}", "{out}/o.txt"]
test = ["zig", "build", "test"]
[[lang.zig.variant]]
name = "ReleaseFast"
build = ["zig", "build", "-Doptimize=ReleaseFast", "--prefix", "zig-out/fast"]
artifact = "zig-out/fast/bin/x"
note = "no bounds or overflow checks"
[[verify]]
kind = "cross_language"
files = ["o.txt"]
[metric]
headline = "wall_time"
"#;

    #[test]
    fn a_variant_takes_what_it_leaves_out_from_its_language() {
        let root = tempfile::tempdir().unwrap();
        for d in ["go", "go-std", "zig"] {
            std::fs::create_dir(root.path().join(d)).unwrap();
        }
        let m = parse(Path::new("manifests/x.toml"), MANIFEST.into(), root.path())
            .unwrap_or_else(|e| panic!("{e:?}"));
        let all: Vec<(Lang, usize, &str)> = m
            .variants()
            .map(|(l, i, v)| (l, i, v.name.as_str()))
            .collect();
        assert_eq!(
            all,
            vec![(Lang::Go, 0, "stdlib"), (Lang::Zig, 0, "ReleaseFast")]
        );
        let LangDef::Impl(zig) = &m.langs[&Lang::Zig] else {
            panic!("zig is implemented")
        };
        let fast = &zig.variants[0];
        assert_eq!(fast.imp.dir, "zig");
        assert_eq!(fast.imp.run, zig.run);
        assert_eq!(fast.imp.artifact, "zig-out/fast/bin/x");
        assert_eq!(fast.imp.test, None, "tests are the language's");
        assert_eq!(fast.note["en"], "no bounds or overflow checks");
        let LangDef::Impl(go) = &m.langs[&Lang::Go] else {
            panic!("go is implemented")
        };
        let std = &go.variants[0];
        // Its own folder, so the same artifact name is another file.
        assert_eq!(std.imp.dir, "go-std");
        assert_eq!(std.imp.env["CGO_ENABLED"], "0");
        assert_eq!(std.imp.env["GOGC"], "off", "the variant's env wins");
        assert_eq!(std.note["th"], "ใช้ encoding/json");
    }
}
