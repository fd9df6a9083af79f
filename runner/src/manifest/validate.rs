//! Semantic checks of one parsed manifest: turns a `RawManifest` into a `Manifest`, collecting
//! **every** problem (not only the first), each with its span and a fix.
//!
//! Syntax, unknown keys and wrong types are found earlier (in `mod.rs`, by the TOML parser);
//! problems that span several manifests (duplicate ids) are found by `load_all`.

use super::error::{ManifestError, SourceFile};
use super::model::*;
use super::placeholder::{self, Piece};
use super::schema::*;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::Path;
use std::time::Duration;
use toml::Spanned;

mod quick;
mod requires;
mod service;

/// Where a command appears; decides which placeholders it may use.
#[derive(Clone, Copy)]
enum Ctx {
    Build,
    Run,
    Generate,
    Prepare,
    Reference,
    CheckCommand,
    Fixture,
}

impl Ctx {
    fn allows(self, name: &str) -> bool {
        let fixed: &[&str] = match self {
            Ctx::Build => &["dir", "root", "cpu.go", "cpu.rust", "cpu.zig"],
            Ctx::Run => &["artifact", "dir", "root", "out"],
            Ctx::Generate => &["out", "root"],
            Ctx::Prepare => &["root"],
            Ctx::Reference => &["root", "out"],
            Ctx::CheckCommand => &["root", "out", "lang", "stdout", "artifact"],
            Ctx::Fixture => &["root", "port", "bind"],
        };
        fixed.contains(&name)
    }
    fn takes_inputs(self) -> bool {
        matches!(
            self,
            Ctx::Run | Ctx::Reference | Ctx::CheckCommand | Ctx::Fixture
        )
    }
    /// Where `{port}` and `{fixture.NAME}` of a service may appear.
    fn takes_service(self) -> bool {
        matches!(self, Ctx::Run | Ctx::Reference | Ctx::CheckCommand)
    }
    fn describe(self) -> &'static str {
        match self {
            Ctx::Build => "{dir}, {root}, {cpu.go}, {cpu.rust}, {cpu.zig}, {param.NAME}",
            Ctx::Run => "{artifact}, {dir}, {root}, {out}, {input.NAME}, {param.NAME}; for services also {bind}, {port}, {fixture.NAME}, {fixture.NAME.N}",
            Ctx::Generate => "{out}, {root}, {param.NAME}",
            Ctx::Prepare => "{root}, {param.NAME}",
            Ctx::Reference => "{root}, {out}, {input.NAME}, {param.NAME}; for services also {bind}, {port}, {fixture.NAME}, {fixture.NAME.N}",
            Ctx::CheckCommand => "{root}, {out}, {stdout}, {lang}, {artifact}, {input.NAME}, {param.NAME}; for services also {port}, {client}, {fixture.NAME}, {fixture.NAME.N}",
            Ctx::Fixture => "{root}, {bind}, {port}, {input.NAME}, {param.NAME}",
        }
    }
}

struct Validator<'a> {
    src: &'a SourceFile,
    root: &'a Path,
    errors: Vec<ManifestError>,
    params: BTreeSet<String>,
    inputs: BTreeSet<String>,
    /// The manifest declares [service].
    service: bool,
    /// Fixture names and instance counts.
    fixtures: BTreeMap<String, u32>,
}

impl<'a> Validator<'a> {
    fn err(
        &mut self,
        span: Range<usize>,
        msg: impl Into<String>,
        label: &str,
        help: impl Into<String>,
    ) {
        let help = help.into();
        let help = (!help.is_empty()).then_some(help);
        let e = self.src.error(Some(span), msg, label, help);
        self.errors.push(e);
    }

    fn command(
        &mut self,
        what: &str,
        argv: &[Spanned<String>],
        ctx: Ctx,
        whole: Range<usize>,
    ) -> Vec<String> {
        if argv.is_empty() {
            self.err(
                whole,
                format!("{what} is an empty command"),
                "empty",
                "give the program and its arguments, e.g. [\"make\", \"build\"]",
            );
            return Vec::new();
        }
        for arg in argv {
            match placeholder::parse(arg.get_ref()) {
                Err(e) => {
                    let span = self.inner_span(arg, e.offset, 1, None);
                    self.err(span, format!("{what}: {}", e.message), "here", "")
                }
                Ok(pieces) => {
                    for p in pieces {
                        if let Piece::Var(name, off) = p {
                            let text = format!("{{{name}}}");
                            let span = self.inner_span(arg, off, text.len(), Some(&text));
                            self.placeholder(what, &name, ctx, span);
                        }
                    }
                }
            }
        }
        argv.iter().map(|a| a.get_ref().clone()).collect()
    }

    /// The source span of `len` bytes at `offset` inside the parsed string `arg`. When the TOML
    /// text differs from the parsed value (escapes, multi-line strings), `needle` is searched in
    /// the raw text instead; failing that, the whole string is underlined.
    fn inner_span(
        &self,
        arg: &Spanned<String>,
        offset: usize,
        len: usize,
        needle: Option<&str>,
    ) -> Range<usize> {
        let whole = arg.span();
        let raw = self.src.text().get(whole.clone()).unwrap_or("");
        let quote = if raw.starts_with("\"\"\"") || raw.starts_with("'''") {
            3
        } else {
            1
        };
        let mut start = whole.start + quote;
        let mut inner = raw
            .get(quote..raw.len().saturating_sub(quote))
            .unwrap_or("");
        if quote == 3 && inner.starts_with('\n') {
            start += 1;
            inner = &inner[1..];
        }
        if inner == arg.get_ref() {
            return start + offset..start + offset + len;
        }
        match needle.and_then(|n| inner.find(n)) {
            Some(at) => start + at..start + at + len,
            None => whole,
        }
    }

    fn placeholder(&mut self, what: &str, name: &str, ctx: Ctx, span: Range<usize>) {
        if let Some(p) = name.strip_prefix("param.") {
            if !self.params.contains(p) {
                let known = join(&self.params);
                self.err(
                    span,
                    format!("{what} uses `{{param.{p}}}`, but there is no parameter `{p}`"),
                    "unknown parameter",
                    format!("declare it under [params]; known: {known}"),
                );
            }
        } else if let Some(i) = name.strip_prefix("input.") {
            if !ctx.takes_inputs() {
                self.err(
                    span,
                    format!("{what} cannot use inputs"),
                    "not available here",
                    format!("placeholders allowed here: {}", ctx.describe()),
                );
            } else if !self.inputs.contains(i) {
                let known = join(&self.inputs);
                self.err(
                    span,
                    format!("{what} uses `{{input.{i}}}`, but there is no input `{i}`"),
                    "unknown input",
                    format!("declare it as [inputs.{i}]; known: {known}"),
                );
            }
        } else if ctx.takes_service()
            && (matches!(name, "port" | "bind" | "client") || name.starts_with("fixture."))
        {
            self.service_placeholder(what, name, span);
        } else if !ctx.allows(name) {
            const KNOWN: [&str; 9] = [
                "artifact", "dir", "root", "out", "lang", "stdout", "cpu.go", "cpu.rust", "cpu.zig",
            ];
            let (message, label) = if KNOWN.contains(&name) {
                (
                    format!("{what} cannot use `{{{name}}}`"),
                    "not available here",
                )
            } else {
                (
                    format!("{what} uses an unknown placeholder `{{{name}}}`"),
                    "unknown placeholder",
                )
            };
            self.err(
                span,
                message,
                label,
                format!("placeholders allowed here: {}", ctx.describe()),
            );
        }
    }

    fn rel_path(&mut self, what: &str, p: &Spanned<String>, must_exist: bool) -> String {
        let s = p.get_ref();
        let path = Path::new(s);
        if s.is_empty()
            || path.is_absolute()
            || path
                .components()
                .any(|c| matches!(c, std::path::Component::ParentDir))
        {
            self.err(
                p.span(),
                format!("{what} must be a relative path inside the repository"),
                "not a relative path",
                "write it relative to the repository root, without `..`",
            );
        } else if must_exist && !self.root.join(path).exists() {
            self.err(p.span(), format!("{what} `{s}` does not exist"), "not found", "paths are relative to the repository root (the folder above the manifest's folder)".to_string());
        }
        s.clone()
    }

    fn output_ref(&mut self, file: &Spanned<String>) -> OutputRef {
        if file.get_ref() == "stdout" {
            OutputRef::Stdout
        } else {
            let s = file.get_ref();
            if s.is_empty() || s.starts_with('/') || s.split('/').any(|c| c == "..") {
                self.err(
                    file.span(),
                    "an output file must be a name inside the run's output folder",
                    "not inside {out}",
                    "write e.g. \"masked.log\", or \"stdout\"",
                );
            }
            OutputRef::File(s.clone())
        }
    }
}

fn join(set: &BTreeSet<String>) -> String {
    if set.is_empty() {
        "none".to_string()
    } else {
        set.iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Validates `raw`, read from `src`; paths are checked against `root`.
pub fn validate(
    src: &SourceFile,
    raw: RawManifest,
    root: &Path,
    path: &Path,
) -> Result<Manifest, Vec<ManifestError>> {
    let mut v = Validator {
        src,
        root,
        errors: Vec::new(),
        params: raw.params.keys().cloned().collect(),
        inputs: raw.inputs.keys().cloned().collect(),
        service: raw.service.is_some(),
        fixtures: raw
            .fixture
            .iter()
            .map(|f| {
                let f = f.get_ref();
                (
                    f.name.get_ref().clone(),
                    f.count.as_ref().map_or(1, |c| *c.get_ref()),
                )
            })
            .collect(),
    };

    // Identity.
    let id = raw.id.get_ref().clone();
    let id_ok = id.split_once('.').is_some_and(|(a, b)| {
        !a.is_empty()
            && !b.is_empty()
            && a.bytes().all(|c| c.is_ascii_digit())
            && b.bytes().all(|c| c.is_ascii_digit())
    });
    if !id_ok {
        v.err(
            raw.id.span(),
            format!("id `{id}` is not of the form GROUP.NUMBER"),
            "bad id",
            "write e.g. id = \"3.3\"",
        );
    } else if id.split('.').next().and_then(|g| g.parse::<u32>().ok()) != Some(*raw.group.get_ref())
    {
        v.err(
            raw.group.span(),
            format!("group {} does not match id `{id}`", raw.group.get_ref()),
            "group differs from the id's prefix",
            "the group is the number before the dot of the id",
        );
    }
    let slug = raw.slug.get_ref().clone();
    let slug_ok = !slug.is_empty()
        && slug
            .bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
        && !slug.starts_with('-');
    if !slug_ok {
        v.err(
            raw.slug.span(),
            format!("slug `{slug}` must be lowercase letters, digits and dashes"),
            "bad slug",
            "write e.g. slug = \"log-masker\"",
        );
    }
    if let Some(stem) = path.file_stem().and_then(|s| s.to_str()) {
        if slug_ok && stem != slug {
            v.err(
                raw.slug.span(),
                format!("slug `{slug}` differs from the file name `{stem}.toml`"),
                "does not match the file name",
                format!("rename the file to {slug}.toml or change the slug"),
            );
        }
    }

    // Texts.
    let mut text = BTreeMap::new();
    for (code, t) in &raw.text {
        if code != "en" && code != "th" {
            v.err(
                t.span(),
                format!("unknown text language `{code}`"),
                "unknown",
                "texts are [text.en] and [text.th]",
            );
        }
        text.insert(code.clone(), t.get_ref().clone());
    }
    for code in ["en", "th"] {
        if !raw.text.contains_key(code) {
            v.err(
                raw.id.span(),
                format!("missing [text.{code}]"),
                "in this manifest",
                format!("add [text.{code}] with name, summary and skill"),
            );
        }
    }

    // Notes.
    if let Some(notes) = &raw.notes {
        for code in notes.keys() {
            if code != "en" && code != "th" {
                v.err(
                    raw.id.span(),
                    format!("unknown notes language `{code}`"),
                    "in this manifest",
                    "notes are keyed by en and th",
                );
            }
        }
    }

    // Params.
    let mut params = BTreeMap::new();
    for (k, val) in &raw.params {
        let s = match val.get_ref() {
            toml::Value::String(s) => s.clone(),
            toml::Value::Integer(i) => i.to_string(),
            toml::Value::Float(f) => f.to_string(),
            toml::Value::Boolean(b) => b.to_string(),
            _ => {
                v.err(
                    val.span(),
                    format!("parameter `{k}` must be a string, number or boolean"),
                    "not a scalar",
                    "",
                );
                continue;
            }
        };
        params.insert(k.clone(), s);
    }

    // Requirements and the quick profile.
    let requires = requires::validate(&mut v, &raw);
    let quick_params = quick::validate(&mut v, &raw, &params);

    // Inputs.
    let mut inputs = BTreeMap::new();
    for (name, inp) in &raw.inputs {
        let span = inp.span();
        let i = inp.get_ref();
        let def = match (&i.generate, &i.path) {
            (Some(g), None) => {
                let generate = v.command(
                    &format!("inputs.{name}.generate"),
                    g,
                    Ctx::Generate,
                    span.clone(),
                );
                let prepare = i.prepare.as_ref().map(|p| {
                    v.command(
                        &format!("inputs.{name}.prepare"),
                        p,
                        Ctx::Prepare,
                        span.clone(),
                    )
                });
                let sources = i
                    .sources
                    .iter()
                    .map(|s| v.rel_path(&format!("inputs.{name}.sources"), s, true))
                    .collect();
                Some(InputDef::Generated {
                    prepare,
                    generate,
                    sources,
                })
            }
            (None, Some(p)) => {
                if i.prepare.is_some() || !i.sources.is_empty() {
                    v.err(span.clone(), format!("input `{name}` is a file: `prepare` and `sources` belong to generated inputs"), "file input", "remove them, or use `generate` instead of `path`");
                }
                Some(InputDef::File(v.rel_path(
                    &format!("inputs.{name}.path"),
                    p,
                    true,
                )))
            }
            (Some(_), Some(_)) => {
                v.err(
                    span,
                    format!("input `{name}` has both `generate` and `path`"),
                    "choose one",
                    "an input is either generated by a command or a file in the repository",
                );
                None
            }
            (None, None) => {
                v.err(
                    span,
                    format!("input `{name}` has neither `generate` nor `path`"),
                    "incomplete input",
                    "add generate = [\"cmd\", \"--out\", \"{out}\"] or path = \"data/file\"",
                );
                None
            }
        };
        if let Some(d) = def {
            inputs.insert(name.clone(), d);
        }
    }

    // Languages.
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
        let def = if let Some(todo) = &l.todo {
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
        } else {
            let mut missing = Vec::new();
            if l.dir.is_none() {
                missing.push("dir");
            }
            if l.build.is_none() {
                missing.push("build");
            }
            if l.artifact.is_none() {
                missing.push("artifact");
            }
            if l.run.is_none() {
                missing.push("run");
            }
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
            let env = l
                .env
                .iter()
                .map(|(k, e)| (k.clone(), e.get_ref().clone()))
                .collect();
            let test = l
                .test
                .as_ref()
                .map(|t| v.command(&what("test"), t, Ctx::Build, span.clone()));
            let docker = l.docker.as_ref().map(|d| {
                let d = d.get_ref();
                let file = d.dockerfile.get_ref();
                let rel = Path::new(file);
                if file.is_empty()
                    || rel.is_absolute()
                    || rel
                        .components()
                        .any(|c| matches!(c, std::path::Component::ParentDir))
                {
                    v.err(
                        d.dockerfile.span(),
                        format!(
                            "{} must be a relative path inside the implementation's folder",
                            what("docker.dockerfile")
                        ),
                        "not a relative path",
                        "e.g. dockerfile = \"Dockerfile\" (the folder is the build context)",
                    );
                } else if !v.root.join(&dir).join(rel).is_file() {
                    v.err(
                        d.dockerfile.span(),
                        format!(
                            "{} `{file}` does not exist in {dir}",
                            what("docker.dockerfile")
                        ),
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
                                what("docker.program")
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
            });
            LangDef::Impl(Implementation {
                dir,
                build,
                artifact,
                run,
                test,
                env,
                docker,
            })
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
    let any_impl = langs.values().any(|d| matches!(d, LangDef::Impl(_)));

    // References.
    let mut references = Vec::new();
    for r in &raw.reference {
        let rr = r.get_ref();
        let run = v.command(
            &format!("reference `{}`", rr.name.get_ref()),
            &rr.run,
            Ctx::Reference,
            r.span(),
        );
        let env = rr
            .env
            .iter()
            .map(|(k, e)| (k.clone(), e.get_ref().clone()))
            .collect();
        references.push(ReferenceDef {
            name: rr.name.get_ref().clone(),
            run,
            verified: rr.verified,
            env,
        });
    }

    // Checks.
    let mut checks = Vec::new();
    for c in &raw.verify {
        if let Some(check) = check(&mut v, c) {
            checks.push(check);
        }
    }
    if any_impl && raw.verify.is_empty() {
        v.err(raw.id.span(), "an implemented project has no [[verify]] check", "in this manifest", "add at least one check, e.g. [[verify]] kind = \"cross_language\" files = [\"out.txt\"]: no number counts until outputs are verified");
    }

    // Metric.
    let metric = match &raw.metric {
        None => {
            if any_impl {
                v.err(raw.id.span(), "an implemented project has no [metric]", "in this manifest", "add [metric] headline = \"wall_time\" (or \"throughput\" with input, or \"reported\" with field, unit, better)");
            }
            None
        }
        Some(m) => metric(&mut v, m),
    };

    // Sampling.
    let s = &raw.sampling;
    let d = Sampling::default();
    let sampling = Sampling {
        warmup: s.warmup.as_ref().map_or(d.warmup, |x| *x.get_ref()),
        min_runs: s.min_runs.as_ref().map_or(d.min_runs, |x| *x.get_ref()),
        max_runs: s.max_runs.as_ref().map_or(d.max_runs, |x| *x.get_ref()),
        min_time: s.min_time.as_ref().map_or(d.min_time, |x| {
            Duration::from_secs_f64(x.get_ref().clamp(0.0, 1e9))
        }),
        target_rse: s.target_rse.as_ref().map_or(d.target_rse, |x| *x.get_ref()),
        timeout: s.timeout.as_ref().map_or(d.timeout, |x| {
            Duration::from_secs_f64(x.get_ref().clamp(0.0, 1e9))
        }),
    };
    if let Some(x) = &s.min_runs {
        if *x.get_ref() == 0 {
            v.err(
                x.span(),
                "min_runs must be at least 1",
                "zero",
                "use 2 or more to get a confidence interval",
            );
        }
    }
    if sampling.max_runs < sampling.min_runs {
        let span = s
            .max_runs
            .as_ref()
            .or(s.min_runs.as_ref())
            .map(|x| x.span())
            .unwrap_or(raw.id.span());
        v.err(
            span,
            format!(
                "max_runs ({}) is smaller than min_runs ({})",
                sampling.max_runs, sampling.min_runs
            ),
            "inconsistent",
            "make max_runs ≥ min_runs",
        );
    }
    if let Some(x) = &s.timeout {
        if x.get_ref().partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
            v.err(
                x.span(),
                "timeout must be a positive number of seconds",
                "not positive",
                "e.g. timeout = 60",
            );
        }
    }
    if let Some(x) = &s.min_time {
        if x.get_ref().is_nan() || *x.get_ref() < 0.0 {
            v.err(
                x.span(),
                "min_time must be zero or more seconds",
                "negative",
                "",
            );
        }
    }
    if let Some(x) = &s.target_rse {
        if !(*x.get_ref() > 0.0 && *x.get_ref() < 1.0) {
            v.err(
                x.span(),
                "target_rse must be between 0 and 1",
                "out of range",
                "e.g. target_rse = 0.01 stops once the standard error is 1% of the mean",
            );
        }
    }

    // Services, fixtures and load.
    let (service, fixtures, load) = service::validate(&mut v, &raw, any_impl, metric.as_ref());
    // Docker.
    let mut docker = DockerSettings::default();
    if let Some(d) = &raw.docker {
        let d = d.get_ref();
        docker.default = d.default.as_ref().is_some_and(|x| *x.get_ref());
        if let Some(m) = &d.memory {
            match crate::units::parse_bytes(m.get_ref()) {
                Some(b) if b >= 6 << 20 => docker.memory = Some(b),
                _ => v.err(
                    m.span(),
                    format!(
                        "docker.memory `{}` is not a size of at least 6M",
                        m.get_ref()
                    ),
                    "not a size",
                    "e.g. memory = \"512M\" or \"2G\" (Docker needs at least 6 MiB)",
                ),
            }
        }
        if let Some(c) = &d.cpus {
            let n = *c.get_ref();
            if n > 0.0 && n.is_finite() {
                docker.cpus = Some(n);
            } else {
                v.err(
                    c.span(),
                    "docker.cpus must be a positive number of CPUs",
                    "not positive",
                    "e.g. cpus = 1.5",
                );
            }
        }
        if let Some(n) = &d.network {
            match n.get_ref().parse::<crate::exec::Network>() {
                Ok(net) => docker.network = Some(net),
                Err(_) => v.err(
                    n.span(),
                    format!("docker.network `{}` is not a network mode", n.get_ref()),
                    "unknown mode",
                    "network = \"published\" (own network namespace, port published on 127.0.0.1) or \"host\" (the host's network namespace)",
                ),
            }
        }
    }

    if !v.errors.is_empty() {
        let mut errors = v.errors;
        errors.sort_by_key(|e| e.offset());
        return Err(errors);
    }
    Ok(Manifest {
        path: path.to_path_buf(),
        sha256: String::new(),
        id,
        slug,
        group: *raw.group.get_ref(),
        text,
        notes: raw.notes.clone().unwrap_or_default(),
        requires,
        params,
        quick_params,
        inputs,
        langs,
        references,
        checks,
        metric,
        sampling,
        service,
        fixtures,
        load,
        docker,
    })
}

fn check(v: &mut Validator<'_>, c: &Spanned<RawCheck>) -> Option<Check> {
    let span = c.span();
    let r = c.get_ref();
    let kind = r.kind.get_ref().as_str();
    let present: Vec<(&str, bool)> = vec![
        ("files", r.files.is_some()),
        ("stdout", r.stdout.is_some()),
        ("file", r.file.is_some()),
        ("expected", r.expected.is_some()),
        ("sha256", r.sha256.is_some()),
        ("fields", r.fields.is_some()),
        ("tolerance", r.tolerance.is_some()),
        ("run", r.run.is_some()),
        ("step", r.step.is_some()),
    ];
    let (needs, allows): (&[&str], &[&str]) = match kind {
        "cross_language" => (&[], &["files", "stdout"]),
        "exact" => (&["file", "expected"], &["file", "expected"]),
        "checksum" => (&["file", "sha256"], &["file", "sha256"]),
        "numeric" => (
            &["file", "fields", "tolerance"],
            &["file", "fields", "tolerance"],
        ),
        "command" => (&["run"], &["run"]),
        "http" => (&["step"], &["step"]),
        other => {
            v.err(
                r.kind.span(),
                format!("unknown check kind `{other}`"),
                "unknown kind",
                "kinds are cross_language, exact, checksum, numeric, command, http",
            );
            return None;
        }
    };
    let mut ok = true;
    for (field, is) in &present {
        if *is && !allows.contains(field) {
            v.err(
                span.clone(),
                format!("a `{kind}` check does not take `{field}`"),
                "in this check",
                format!("fields of a {kind} check: {}", allows.join(", ")),
            );
            ok = false;
        }
        if !*is && needs.contains(field) {
            v.err(
                span.clone(),
                format!("a `{kind}` check needs `{field}`"),
                "in this check",
                format!("fields of a {kind} check: {}", allows.join(", ")),
            );
            ok = false;
        }
    }
    if !ok {
        return None;
    }
    Some(match kind {
        "cross_language" => {
            let mut outs: Vec<OutputRef> =
                r.files.iter().flatten().map(|f| v.output_ref(f)).collect();
            if r.stdout.as_ref().is_some_and(|s| *s.get_ref()) {
                outs.push(OutputRef::Stdout);
            }
            if outs.is_empty() {
                v.err(
                    span,
                    "a cross_language check compares nothing",
                    "in this check",
                    "name files = [\"…\"] and/or stdout = true",
                );
                return None;
            }
            Check::CrossLanguage(outs)
        }
        "exact" => {
            let output = v.output_ref(r.file.as_ref()?);
            let expected = v.rel_path("exact check `expected`", r.expected.as_ref()?, true);
            Check::Exact { output, expected }
        }
        "checksum" => {
            let output = v.output_ref(r.file.as_ref()?);
            let sum = r.sha256.as_ref()?;
            let s = sum.get_ref().trim_start_matches("sha256:");
            if s.len() != 64
                || !s
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            {
                v.err(
                    sum.span(),
                    "sha256 must be 64 lower-case hex digits",
                    "not a SHA-256",
                    "compute it with `sha256sum FILE`",
                );
            }
            Check::Checksum {
                output,
                sha256: s.to_string(),
            }
        }
        "numeric" => {
            let output = v.output_ref(r.file.as_ref()?);
            let fields: Vec<String> = r
                .fields
                .as_ref()?
                .iter()
                .map(|f| f.get_ref().clone())
                .collect();
            if fields.is_empty() {
                v.err(
                    span,
                    "a numeric check needs at least one field",
                    "in this check",
                    "e.g. fields = [\"masked.card\"]",
                );
            }
            let tol = r.tolerance.as_ref()?;
            if tol.get_ref().is_nan() || *tol.get_ref() < 0.0 {
                v.err(
                    tol.span(),
                    "tolerance must be zero or positive",
                    "negative",
                    "a relative tolerance, e.g. 1e-6",
                );
            }
            Check::Numeric {
                output,
                fields,
                tolerance: *tol.get_ref(),
            }
        }
        "command" => {
            let run = v.command("verify command", r.run.as_ref()?, Ctx::CheckCommand, span);
            Check::Command(run)
        }
        "http" => {
            if !v.service {
                v.err(
                    r.kind.span(),
                    "an `http` check needs a [service]",
                    "no service here",
                    "declare [service] (the implementations are servers) or use another check kind",
                );
                return None;
            }
            Check::Http(service::steps(v, r.step.as_ref()?, span)?)
        }
        _ => return None,
    })
}

fn metric(v: &mut Validator<'_>, m: &Spanned<RawMetric>) -> Option<Metric> {
    let r = m.get_ref();
    let min_effect = r.min_effect.as_ref().map_or(0.02, |x| *x.get_ref());
    if let Some(x) = &r.min_effect {
        if !(0.0..1.0).contains(x.get_ref()) {
            v.err(
                x.span(),
                "min_effect must be in [0, 1)",
                "out of range",
                "e.g. 0.02 calls differences under 2% \"no significant difference\"",
            );
        }
    }
    let extra = |v: &mut Validator<'_>, name: &str, f: Option<Range<usize>>, kind: &str| {
        if let Some(span) = f {
            v.err(
                span,
                format!("`{name}` is only for headline = \"reported\""),
                "not used",
                format!("remove it: a {kind} metric's unit and direction are fixed"),
            );
        }
    };
    let kind = r.headline.get_ref().as_str();
    match kind {
        "wall_time" | "throughput" => {
            extra(v, "field", r.field.as_ref().map(|x| x.span()), kind);
            extra(v, "unit", r.unit.as_ref().map(|x| x.span()), kind);
            extra(v, "better", r.better.as_ref().map(|x| x.span()), kind);
            if kind == "wall_time" {
                if let Some(i) = &r.input {
                    v.err(
                        i.span(),
                        "`input` is only for headline = \"throughput\"",
                        "not used",
                        "",
                    );
                }
                Some(Metric {
                    kind: MetricKind::WallTime,
                    unit: "s".into(),
                    better: Better::Lower,
                    min_effect,
                })
            } else {
                let Some(input) = &r.input else {
                    v.err(
                        m.span(),
                        "a throughput metric needs `input`",
                        "in [metric]",
                        "name the input whose bytes are divided by the time, e.g. input = \"log\"",
                    );
                    return None;
                };
                if !v.inputs.contains(input.get_ref()) {
                    let known = join(&v.inputs);
                    v.err(
                        input.span(),
                        format!("there is no input `{}`", input.get_ref()),
                        "unknown input",
                        format!("known inputs: {known}"),
                    );
                }
                Some(Metric {
                    kind: MetricKind::Throughput {
                        input: input.get_ref().clone(),
                    },
                    unit: "MB/s".into(),
                    better: Better::Higher,
                    min_effect,
                })
            }
        }
        "reported" => {
            if let Some(i) = &r.input {
                v.err(
                    i.span(),
                    "`input` is only for headline = \"throughput\"",
                    "not used",
                    "a reported metric is read from the program's stdout",
                );
            }
            let mut missing = Vec::new();
            if r.field.is_none() {
                missing.push("field");
            }
            if r.unit.is_none() {
                missing.push("unit");
            }
            if r.better.is_none() {
                missing.push("better");
            }
            if !missing.is_empty() {
                v.err(
                    m.span(),
                    format!("a reported metric needs {}", missing.join(", ")),
                    "in [metric]",
                    "e.g. field = \"latency_us\", unit = \"µs\", better = \"lower\"",
                );
                return None;
            }
            let better = match r.better.as_ref()?.get_ref().as_str() {
                "lower" => Better::Lower,
                "higher" => Better::Higher,
                other => {
                    v.err(
                        r.better.as_ref()?.span(),
                        format!("better = `{other}` is neither \"lower\" nor \"higher\""),
                        "unknown direction",
                        "",
                    );
                    return None;
                }
            };
            Some(Metric {
                kind: MetricKind::Reported {
                    field: r.field.as_ref()?.get_ref().clone(),
                },
                unit: r.unit.as_ref()?.get_ref().clone(),
                better,
                min_effect,
            })
        }
        "requests" => {
            extra(v, "field", r.field.as_ref().map(|x| x.span()), kind);
            extra(v, "unit", r.unit.as_ref().map(|x| x.span()), kind);
            extra(v, "better", r.better.as_ref().map(|x| x.span()), kind);
            if let Some(i) = &r.input {
                v.err(
                    i.span(),
                    "`input` is only for headline = \"throughput\"",
                    "not used",
                    "",
                );
            }
            if !v.service {
                v.err(
                    r.headline.span(),
                    "headline = \"requests\" measures a service, but there is no [service]",
                    "needs [service] and [load]",
                    "declare [service] and [load], or use wall_time, throughput or reported",
                );
            }
            Some(Metric {
                kind: MetricKind::Requests,
                unit: "req/s".into(),
                better: Better::Higher,
                min_effect,
            })
        }
        other => {
            v.err(
                r.headline.span(),
                format!("unknown headline metric `{other}`"),
                "unknown metric",
                "use wall_time, throughput, reported or requests (services)",
            );
            None
        }
    }
}
