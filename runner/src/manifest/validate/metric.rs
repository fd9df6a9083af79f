//! The headline metric (docs/manifest.md, "`[metric]`"): an implemented project has one; its
//! `headline` is `wall_time`, `throughput` (with a declared `input`), `reported` (with `field`,
//! `unit` and `better`) or `requests` (a service); keys of another headline are errors;
//! `min_effect` is in [0, 1); `instructions = true` (a callgrind pass after the timed runs) is for
//! programs that run to completion, not services.
//!
//! That a service's metric is `requests` is checked in `service.rs`, which sees `[service]`. It
//! never touches the disk and never reads a program's output: a reported field is only named here.

use super::{join, missing, Validator};
use crate::manifest::model::{Better, Metric, MetricKind};
use crate::manifest::schema::{RawManifest, RawMetric};
use toml::Spanned;

/// Checks `[metric]` and that an implemented project has one; returns it when it is well formed.
pub(super) fn validate(v: &mut Validator<'_>, raw: &RawManifest, any_impl: bool) -> Option<Metric> {
    match &raw.metric {
        None => {
            if any_impl {
                v.err(raw.id.span(), "an implemented project has no [metric]", "in this manifest", "add [metric] headline = \"wall_time\" (or \"throughput\" with input, or \"reported\" with field, unit, better)");
            }
            None
        }
        Some(m) => {
            let mut x = metric(v, m)?;
            x.instructions = instructions(v, m.get_ref());
            Some(x)
        }
    }
}

/// `instructions = true`: a callgrind pass after the timed runs, which only a program that runs
/// to completion has (a service serves until it is stopped).
fn instructions(v: &mut Validator<'_>, r: &RawMetric) -> bool {
    let Some(x) = &r.instructions else {
        return false;
    };
    if *x.get_ref() && v.service {
        v.err(
            x.span(),
            "instruction counts do not apply to a service",
            "a service serves until it is stopped",
            "remove `instructions`: a service's cost is its CPU per request, which every bench records",
        );
        return false;
    }
    *x.get_ref()
}

/// The `[metric]` table, by its `headline`.
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
    let kind = r.headline.get_ref().as_str();
    match kind {
        "wall_time" => {
            fixed_unit(v, r, kind);
            no_input(v, r, "");
            Some(Metric {
                kind: MetricKind::WallTime,
                unit: "s".into(),
                better: Better::Lower,
                min_effect,
                instructions: false,
            })
        }
        "throughput" => {
            fixed_unit(v, r, kind);
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
                instructions: false,
            })
        }
        "reported" => reported(v, m, min_effect),
        "requests" => {
            fixed_unit(v, r, kind);
            no_input(v, r, "");
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
                instructions: false,
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

/// `headline = "reported"`: a number the program prints, named by `field`, with its `unit` and
/// `better` direction.
fn reported(v: &mut Validator<'_>, m: &Spanned<RawMetric>, min_effect: f64) -> Option<Metric> {
    let r = m.get_ref();
    no_input(v, r, "a reported metric is read from the program's stdout");
    let missing = missing(&[
        ("field", r.field.is_some()),
        ("unit", r.unit.is_some()),
        ("better", r.better.is_some()),
    ]);
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
        instructions: false,
    })
}

/// Reports `field`, `unit` and `better` under a `kind` whose unit and direction are fixed.
fn fixed_unit(v: &mut Validator<'_>, r: &RawMetric, kind: &str) {
    for (name, key) in [
        ("field", &r.field),
        ("unit", &r.unit),
        ("better", &r.better),
    ] {
        if let Some(key) = key {
            v.err(
                key.span(),
                format!("`{name}` is only for headline = \"reported\""),
                "not used",
                format!("remove it: a {kind} metric's unit and direction are fixed"),
            );
        }
    }
}

/// Reports `input` under a headline other than `throughput`, with `help` as the fix.
fn no_input(v: &mut Validator<'_>, r: &RawMetric, help: &str) {
    if let Some(i) = &r.input {
        v.err(
            i.span(),
            "`input` is only for headline = \"throughput\"",
            "not used",
            help,
        );
    }
}
