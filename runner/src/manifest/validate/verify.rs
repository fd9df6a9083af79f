//! Output checks (docs/manifest.md, "`[[verify]]`"): an implemented project has at least one;
//! each check has a known `kind` and exactly that kind's keys; output names stay inside `{out}`;
//! an `exact` check's `expected` file exists, a `sha256` is 64 hex digits (its `params` declared
//! parameters), a `tolerance` is not
//! negative, a `command` check uses the placeholders of a check, and an `http` check is only for
//! a service (its steps are checked in `service.rs`, next to the `[load]` requests they share
//! their request checks with).
//!
//! The only disk access is the existence of an `exact` check's `expected` file: it never reads
//! it, never runs a check and never compares outputs — that is `verify/`'s job when a job runs.

use super::{service, Ctx, Validator};
use crate::manifest::model::{Check, OutputRef};
use crate::manifest::schema::{RawCheck, RawManifest};
use std::collections::BTreeMap;
use std::ops::Range;
use toml::Spanned;

/// Checks every `[[verify]]` and that an implemented project has one; returns the well-formed
/// checks in the manifest's order.
pub(super) fn validate(v: &mut Validator<'_>, raw: &RawManifest, any_impl: bool) -> Vec<Check> {
    let mut checks = Vec::new();
    for c in &raw.verify {
        if let Some(check) = check(v, raw, c) {
            checks.push(check);
        }
    }
    if any_impl && raw.verify.is_empty() {
        v.err(raw.id.span(), "an implemented project has no [[verify]] check", "in this manifest", "add at least one check, e.g. [[verify]] kind = \"cross_language\" files = [\"out.txt\"]: no number counts until outputs are verified");
    }
    checks
}

/// Whether the check's `kind` is known and the check has exactly that kind's keys; reports an
/// unknown kind, and each key that is missing or belongs to another kind.
fn keys_fit(v: &mut Validator<'_>, r: &RawCheck, span: Range<usize>) -> bool {
    let kind = r.kind.get_ref().as_str();
    let present: Vec<(&str, bool)> = vec![
        ("files", r.files.is_some()),
        ("stdout", r.stdout.is_some()),
        ("file", r.file.is_some()),
        ("expected", r.expected.is_some()),
        ("sha256", r.sha256.is_some()),
        ("params", r.params.is_some()),
        ("fields", r.fields.is_some()),
        ("tolerance", r.tolerance.is_some()),
        ("run", r.run.is_some()),
        ("step", r.step.is_some()),
    ];
    let (needs, allows): (&[&str], &[&str]) = match kind {
        "cross_language" => (&[], &["files", "stdout"]),
        "exact" => (&["file", "expected"], &["file", "expected"]),
        "checksum" => (&["file", "sha256"], &["file", "sha256", "params"]),
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
            return false;
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
    ok
}

/// One `[[verify]]` table; `None` when it is not well formed (the problem is reported).
fn check(v: &mut Validator<'_>, raw: &RawManifest, c: &Spanned<RawCheck>) -> Option<Check> {
    let span = c.span();
    let r = c.get_ref();
    if !keys_fit(v, r, span.clone()) {
        return None;
    }
    let kind = r.kind.get_ref().as_str();
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
                params: v.checksum_params(raw, r.params.as_ref()),
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

impl Validator<'_> {
    /// A checksum's `params`: each a declared parameter, given as a scalar; returns them as
    /// text (as `{param.NAME}` would stand for them).
    fn checksum_params(
        &mut self,
        raw: &RawManifest,
        given: Option<&BTreeMap<String, Spanned<toml::Value>>>,
    ) -> BTreeMap<String, String> {
        let mut params = BTreeMap::new();
        for (k, val) in given.into_iter().flatten() {
            if !raw.params.contains_key(k) {
                let known: Vec<&str> = raw.params.keys().map(String::as_str).collect();
                self.err(
                    val.span(),
                    format!("the checksum is for parameter `{k}`, which [params] does not declare"),
                    "unknown parameter",
                    format!(
                        "name the declared parameters the output depends on; declared: {}",
                        if known.is_empty() {
                            "none".to_string()
                        } else {
                            known.join(", ")
                        }
                    ),
                );
                continue;
            }
            let text = match super::params::scalar_text(val.get_ref()) {
                Some(t) => t,
                None => {
                    self.err(
                        val.span(),
                        format!("checksum parameter `{k}` must be a string, number or boolean"),
                        "not a scalar",
                        "",
                    );
                    continue;
                }
            };
            params.insert(k.clone(), text);
        }
        params
    }

    /// An output name: `"stdout"`, or a file name inside the run's output folder.
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
