//! Commands and their placeholders (docs/manifest.md, "Placeholders", and the "Commands" rule
//! of "General rules"): a command is not empty, every `{NAME}` in it parses, and the name is one
//! the command may use — a declared `{param.NAME}` or `{input.NAME}`, a fixed name allowed where
//! the command stands ([`Ctx`]), or, in a service, `{port}`, `{bind}`, `{client}`,
//! `{fixture.NAME}` and `{fixture.NAME.N}` naming a declared fixture and instance.
//!
//! The `{…}` syntax itself is `placeholder.rs`'s; this file only decides which names are allowed
//! where. It never expands a placeholder (that is `plan`'s job) and never touches the disk.

use super::{join, Validator};
use crate::manifest::placeholder::{self, Piece};
use std::ops::Range;
use toml::Spanned;

/// Where a command appears; decides which placeholders it may use.
#[derive(Clone, Copy)]
pub(super) enum Ctx {
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

impl Validator<'_> {
    /// Checks the command `argv` (named `what` in messages, standing where `ctx` says) and returns
    /// it as plain strings; `whole` is underlined when it is empty.
    pub(super) fn command(
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

    /// `{port}`, `{bind}`, `{client}`, `{fixture.NAME}` or `{fixture.NAME.N}` in a command that
    /// may take them.
    fn service_placeholder(&mut self, what: &str, name: &str, span: Range<usize>) {
        if !self.service {
            self.err(
                span,
                format!("{what} uses `{{{name}}}`, but the project is not a service"),
                "needs [service]",
                "declare [service] when the implementations are servers",
            );
            return;
        }
        let Some(rest) = name.strip_prefix("fixture.") else {
            return; // {port}, {bind}, {client}
        };
        let (fname, index) = match rest.split_once('.') {
            Some((n, i)) => (n, Some(i)),
            None => (rest, None),
        };
        let Some(&count) = self.fixtures.get(fname) else {
            let known = join(&self.fixtures.keys().cloned().collect());
            self.err(
                span,
                format!("{what} uses `{{{name}}}`, but there is no fixture `{fname}`"),
                "unknown fixture",
                format!("declare it with [[fixture]] name = \"{fname}\"; known: {known}"),
            );
            return;
        };
        if let Some(i) = index {
            match i.parse::<u32>() {
                Ok(n) if n < count => {}
                _ => self.err(
                    span,
                    format!("{what} uses `{{{name}}}`, but fixture `{fname}` has instances 0 to {}", count - 1),
                    "no such instance",
                    format!("write {{fixture.{fname}}} for all instances (comma-separated), or an index below {count}"),
                ),
            }
        }
    }
}
