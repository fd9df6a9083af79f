//! Semantic checks of one parsed manifest: turns a `RawManifest` into a `Manifest`, collecting
//! **every** problem (not only the first), each with its span and a fix.
//!
//! Syntax, unknown keys and wrong types are found earlier (in `mod.rs`, by the TOML parser);
//! problems that span several manifests (duplicate ids) are found by `load_all`.

use super::error::{ManifestError, SourceFile};
use super::model::*;
use super::schema::*;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::Path;
use std::time::Duration;
use toml::Spanned;

mod identity;
mod inputs;
mod lang;
mod params;
mod placeholders;
mod reference;
mod requires;
mod service;
mod text;

use placeholders::Ctx;

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

    fn rel_path(&mut self, what: &str, p: &Spanned<String>, must_exist: bool) -> String {
        let s = p.get_ref();
        let path = Path::new(s);
        if !inside(s) {
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

/// Whether `path` is a relative path that stays inside its folder: not empty, not absolute,
/// without a `..` component.
fn inside(path: &str) -> bool {
    let p = Path::new(path);
    !path.is_empty()
        && !p.is_absolute()
        && !p
            .components()
            .any(|c| matches!(c, std::path::Component::ParentDir))
}

/// The names of the keys that are absent, in the order given: `keys` pairs each name with
/// whether the key is present.
fn missing<'k>(keys: &[(&'k str, bool)]) -> Vec<&'k str> {
    keys.iter()
        .filter(|(_, present)| !present)
        .map(|(name, _)| *name)
        .collect()
}

/// A table of strings (an `env`, a request's headers) without the spans of its values.
fn unspanned<C: FromIterator<(String, String)>>(table: &BTreeMap<String, Spanned<String>>) -> C {
    table
        .iter()
        .map(|(k, v)| (k.clone(), v.get_ref().clone()))
        .collect()
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

    let (id, slug) = identity::validate(&mut v, &raw, path);
    let (text, notes) = text::validate(&mut v, &raw);
    let params = params::validate(&mut v, &raw);
    let (executables, pkg_config) = requires::validate(&raw);

    let inputs = inputs::validate(&mut v, &raw);
    let langs = lang::validate(&mut v, &raw);
    let any_impl = langs.values().any(|d| matches!(d, LangDef::Impl(_)));
    let references = reference::validate(&mut v, &raw);

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
        notes,
        executables,
        pkg_config,
        params,
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
