//! Services (docs/manifest.md, "Services: `[service]`, `[[fixture]]`, `[load]`"): `[load]` and
//! `[[fixture]]` only with `[service]`; the readiness probe and its keys; a service's metric is
//! `requests` and, once implemented, it has a `[load]`; fixture names, counts and kinds; load
//! levels, durations, rate, threads and error budget; and the HTTP requests of `[load]` and of the
//! steps of `http` checks (method, path, header names and values), which share one check here.
//!
//! The `{port}`, `{bind}`, `{client}` and `{fixture.NAME}` placeholders are `placeholders.rs`'s.
//! It never starts a server or a fixture, never opens a port and never touches the disk.

use super::{unspanned, Ctx, Validator};
use crate::manifest::model::*;
use crate::manifest::schema::*;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::time::Duration;
use toml::Spanned;

impl Validator<'_> {
    fn positive(
        &mut self,
        x: &Option<Spanned<f64>>,
        what: &str,
        default: f64,
        zero_ok: bool,
    ) -> f64 {
        let Some(x) = x else { return default };
        let val = *x.get_ref();
        let ok = if zero_ok { val >= 0.0 } else { val > 0.0 };
        if !ok || !val.is_finite() {
            self.err(
                x.span(),
                format!(
                    "{what} must be a {} number of seconds",
                    if zero_ok { "non-negative" } else { "positive" }
                ),
                "out of range",
                "",
            );
            return default;
        }
        val
    }

    fn request(
        &mut self,
        what: &str,
        method: &Option<Spanned<String>>,
        path: &Spanned<String>,
        headers: &BTreeMap<String, Spanned<String>>,
        body: &Option<Spanned<String>>,
    ) -> HttpRequest {
        let m = method
            .as_ref()
            .map_or("GET".to_string(), |m| m.get_ref().clone());
        if let Some(ms) = method {
            if m.is_empty() || !m.bytes().all(|b| b.is_ascii_uppercase()) {
                self.err(
                    ms.span(),
                    format!("{what}: method `{m}` is not an HTTP method"),
                    "bad method",
                    "e.g. GET, POST, PUT, DELETE",
                );
            }
        }
        if !path.get_ref().starts_with('/') {
            self.err(
                path.span(),
                format!("{what}: path `{}` must start with `/`", path.get_ref()),
                "not a path",
                "e.g. path = \"/api/items?id=3\"",
            );
        }
        for (k, val) in headers {
            let token = !k.is_empty()
                && k.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
            if !token {
                self.err(
                    val.span(),
                    format!("{what}: `{k}` is not a valid header name"),
                    "bad header name",
                    "",
                );
            }
            if val.get_ref().bytes().any(|b| b == b'\r' || b == b'\n') {
                self.err(
                    val.span(),
                    format!("{what}: header `{k}` has a line break"),
                    "bad header value",
                    "",
                );
            }
        }
        HttpRequest {
            method: m,
            path: path.get_ref().clone(),
            headers: unspanned(headers),
            body: body
                .as_ref()
                .map(|b| b.get_ref().clone())
                .unwrap_or_default(),
        }
    }
}

/// The steps of an `http` check.
pub(super) fn steps(
    v: &mut Validator<'_>,
    steps: &[Spanned<RawStep>],
    span: Range<usize>,
) -> Option<Vec<HttpStep>> {
    if steps.is_empty() {
        v.err(
            span,
            "an http check has no step",
            "in this check",
            "add [[verify.step]] tables with path and status",
        );
        return None;
    }
    let mut out = Vec::new();
    for (i, s) in steps.iter().enumerate() {
        let r = s.get_ref();
        let what = format!("http step {}", i + 1);
        let request = v.request(&what, &r.method, &r.path, &r.headers, &r.body);
        let repeat = r.repeat.as_ref().map_or(1, |x| *x.get_ref());
        if let Some(x) = &r.repeat {
            if *x.get_ref() == 0 {
                v.err(x.span(), "repeat must be at least 1", "zero", "");
            }
        }
        let expects = r.status.is_some()
            || !r.expect_headers.is_empty()
            || r.body_equals.is_some()
            || r.body_contains.is_some()
            || !r.json.is_empty();
        if !expects {
            v.err(
                s.span(),
                format!("{what} expects nothing, so it checks nothing"),
                "in this step",
                "add status = 200 (and/or expect_headers, body_equals, body_contains, json)",
            );
        }
        let mut json = Vec::new();
        for (k, val) in &r.json {
            match serde_json::to_value(val.get_ref()) {
                Ok(j) => json.push((k.clone(), j)),
                Err(e) => v.err(
                    val.span(),
                    format!("{what}: json `{k}`: {e}"),
                    "not representable as JSON",
                    "",
                ),
            }
        }
        out.push(HttpStep {
            name: r
                .name
                .as_ref()
                .map(|n| n.get_ref().clone())
                .unwrap_or_else(|| format!("{} {}", request.method, request.path)),
            request,
            repeat,
            status: r.status.as_ref().map(|x| *x.get_ref()),
            headers: r
                .expect_headers
                .iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), v.get_ref().clone()))
                .collect(),
            body_equals: r.body_equals.as_ref().map(|x| x.get_ref().clone()),
            body_contains: r.body_contains.as_ref().map(|x| x.get_ref().clone()),
            json,
        });
    }
    Some(out)
}

/// `[service]`, `[[fixture]]` and `[load]`, in that order; without `[service]`, only that the
/// other two are absent. `any_impl`: the project has an implementation (then `[load]` is
/// required); `metric`: the validated `[metric]`, which a service's must be `requests`.
pub(super) fn validate(
    v: &mut Validator<'_>,
    raw: &RawManifest,
    any_impl: bool,
    metric: Option<&Metric>,
) -> (Option<ServiceDef>, Vec<FixtureDef>, Option<LoadDef>) {
    let Some(svc) = &raw.service else {
        if let Some(l) = &raw.load {
            v.err(
                l.span(),
                "[load] is only for services",
                "no [service]",
                "declare [service] when the implementations are servers",
            );
        }
        if let Some(f) = raw.fixture.first() {
            v.err(
                f.span(),
                "[[fixture]] is only for services",
                "no [service]",
                "declare [service] when the implementations are servers",
            );
        }
        return (None, Vec::new(), None);
    };
    let service = service(v, svc, raw, metric);
    let fixtures = fixtures(v, raw);
    let Some(l) = &raw.load else {
        if any_impl {
            v.err(
                svc.span(),
                "a service needs [load]",
                "in [service]",
                "add [load] connections = [16, 64] and at least one [[load.request]] path = \"/\"",
            );
        }
        return (Some(service), fixtures, None);
    };
    let load = load(v, l);
    (Some(service), fixtures, Some(load))
}

/// `[service]`: the readiness probe and the teardown grace, and that the metric is `requests`.
fn service(
    v: &mut Validator<'_>,
    svc: &Spanned<RawService>,
    raw: &RawManifest,
    metric: Option<&Metric>,
) -> ServiceDef {
    let s = svc.get_ref();
    let http = match s.ready.as_ref().map(|r| r.get_ref().as_str()) {
        None | Some("tcp") => false,
        Some("http") => true,
        Some(other) => {
            let sp = s.ready.as_ref().map(|r| r.span()).unwrap_or(svc.span());
            v.err(sp, format!("unknown readiness probe `{other}`"), "unknown", "ready = \"tcp\" (a connection is accepted) or \"http\" (GET ready_path answers ready_status)");
            false
        }
    };
    if !http {
        for (name, sp) in [
            ("ready_path", s.ready_path.as_ref().map(|x| x.span())),
            ("ready_status", s.ready_status.as_ref().map(|x| x.span())),
        ] {
            if let Some(sp) = sp {
                v.err(
                    sp,
                    format!("`{name}` is only for ready = \"http\""),
                    "not used",
                    "add ready = \"http\", or remove it",
                );
            }
        }
    }
    let ready_path = s
        .ready_path
        .as_ref()
        .map_or("/".to_string(), |p| p.get_ref().clone());
    if let Some(p) = &s.ready_path {
        if !p.get_ref().starts_with('/') {
            v.err(
                p.span(),
                "ready_path must start with `/`",
                "not a path",
                "e.g. ready_path = \"/healthz\"",
            );
        }
    }
    let service = ServiceDef {
        ready_http: http.then(|| {
            (
                ready_path,
                s.ready_status.as_ref().map_or(200, |x| *x.get_ref()),
            )
        }),
        ready_timeout: Duration::from_secs_f64(v.positive(
            &s.ready_timeout,
            "ready_timeout",
            10.0,
            false,
        )),
        grace: Duration::from_secs_f64(v.positive(&s.grace, "grace", 2.0, true)),
    };
    if let Some(m) = metric {
        if m.kind != MetricKind::Requests {
            let sp = raw.metric.as_ref().map(|m| m.span()).unwrap_or(svc.span());
            v.err(
                sp,
                "a service is measured in requests per second",
                "not a service metric",
                "write [metric] headline = \"requests\"",
            );
        }
    }
    service
}

/// Every `[[fixture]]`: a unique lower-case name, a count of 1 to 64, and exactly one of
/// `builtin = "http"` and a `run` command with a fixture's placeholders.
fn fixtures(v: &mut Validator<'_>, raw: &RawManifest) -> Vec<FixtureDef> {
    let mut fixtures = Vec::new();
    let mut seen = BTreeSet::new();
    for f in &raw.fixture {
        let r = f.get_ref();
        let name = r.name.get_ref().clone();
        if name.is_empty()
            || !name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
        {
            v.err(
                r.name.span(),
                format!("fixture name `{name}` must be lowercase letters, digits, `-` or `_`"),
                "bad name",
                "e.g. name = \"backend\"",
            );
        }
        if !seen.insert(name.clone()) {
            v.err(
                r.name.span(),
                format!("fixture `{name}` is declared twice"),
                "duplicate",
                "give each fixture its own name",
            );
        }
        let count = r.count.as_ref().map_or(1, |c| *c.get_ref());
        if let Some(c) = &r.count {
            if !(1..=64).contains(c.get_ref()) {
                v.err(
                    c.span(),
                    "count must be between 1 and 64",
                    "out of range",
                    "",
                );
            }
        }
        let kind = match (&r.builtin, &r.run) {
            (Some(b), None) => {
                if b.get_ref() != "http" {
                    v.err(
                        b.span(),
                        format!("unknown built-in fixture `{}`", b.get_ref()),
                        "unknown",
                        "the built-in fixture is builtin = \"http\" (an HTTP backend)",
                    );
                }
                if let Some(e) = r.env.values().next() {
                    v.err(
                        e.span(),
                        "`env` is for command fixtures (`run`)",
                        "not used",
                        "",
                    );
                }
                FixtureKind::BuiltinHttp {
                    body_bytes: r.body_bytes.as_ref().map_or(1024, |x| *x.get_ref()),
                    delay_ms: r.delay_ms.as_ref().map_or(0, |x| *x.get_ref()),
                }
            }
            (None, Some(run)) => {
                for (n, sp) in [
                    ("body_bytes", r.body_bytes.as_ref().map(|x| x.span())),
                    ("delay_ms", r.delay_ms.as_ref().map(|x| x.span())),
                ] {
                    if let Some(sp) = sp {
                        v.err(
                            sp,
                            format!("`{n}` is for the built-in backend (builtin = \"http\")"),
                            "not used",
                            "",
                        );
                    }
                }
                let run = v.command(
                    &format!("fixture `{name}` run"),
                    run,
                    Ctx::Fixture,
                    f.span(),
                );
                FixtureKind::Command {
                    run,
                    env: unspanned(&r.env),
                }
            }
            _ => {
                v.err(f.span(), format!("fixture `{name}` needs exactly one of `builtin` and `run`"), "in this fixture", "builtin = \"http\" for the runner's HTTP backend, or run = [\"prog\", \"--port\", \"{port}\"]");
                continue;
            }
        };
        fixtures.push(FixtureDef { name, count, kind });
    }
    fixtures
}

/// `[load]`: the connection counts and the headline one, the durations, the rate, the threads,
/// the error budget and at least one well-formed request.
fn load(v: &mut Validator<'_>, l: &Spanned<RawLoad>) -> LoadDef {
    let r = l.get_ref();
    let mut connections = Vec::new();
    for c in &r.connections {
        let n = *c.get_ref();
        if !(1..=10_000).contains(&n) {
            v.err(
                c.span(),
                "a connection count must be between 1 and 10000",
                "out of range",
                "",
            );
        } else if connections.contains(&n) {
            v.err(
                c.span(),
                format!("connection count {n} is listed twice"),
                "duplicate",
                "",
            );
        } else {
            connections.push(n);
        }
    }
    if r.connections.is_empty() {
        v.err(
            l.span(),
            "[load] connections is empty",
            "in [load]",
            "e.g. connections = [16, 64, 256]",
        );
    }
    let headline = match &r.headline_connections {
        Some(h) => {
            if !connections.contains(h.get_ref()) {
                v.err(
                    h.span(),
                    format!(
                        "headline_connections = {} is not one of the connection counts",
                        h.get_ref()
                    ),
                    "not measured",
                    format!("pick one of {connections:?}"),
                );
            }
            *h.get_ref()
        }
        None => connections.last().copied().unwrap_or(1),
    };
    let rate = r.rate.as_ref().map(|x| {
        if !(*x.get_ref() > 0.0 && x.get_ref().is_finite()) {
            v.err(
                x.span(),
                "rate must be a positive number of requests per second",
                "out of range",
                "",
            );
        }
        *x.get_ref()
    });
    let threads = r.threads.as_ref().map_or(0, |t| *t.get_ref());
    if let Some(t) = &r.threads {
        if !(1..=256).contains(t.get_ref()) {
            v.err(
                t.span(),
                "threads must be between 1 and 256",
                "out of range",
                "",
            );
        }
    }
    let max_error_rate = r.max_error_rate.as_ref().map_or(0.001, |x| *x.get_ref());
    if let Some(x) = &r.max_error_rate {
        if !(0.0..=1.0).contains(x.get_ref()) {
            v.err(
                x.span(),
                "max_error_rate is a fraction between 0 and 1",
                "out of range",
                "e.g. 0.001 allows one failed request in a thousand",
            );
        }
    }
    if r.request.is_empty() {
        v.err(
            l.span(),
            "[load] has no request to send",
            "in [load]",
            "add [[load.request]] path = \"/\" (method, headers, body optional)",
        );
    }
    let requests = r
        .request
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let q = q.get_ref();
            v.request(
                &format!("load request {}", i + 1),
                &q.method,
                &q.path,
                &q.headers,
                &q.body,
            )
        })
        .collect();
    LoadDef {
        connections,
        headline_connections: headline,
        duration: Duration::from_secs_f64(v.positive(&r.duration, "duration", 10.0, false)),
        warmup: Duration::from_secs_f64(v.positive(&r.warmup, "warmup", 2.0, true)),
        rate,
        timeout: Duration::from_secs_f64(v.positive(&r.timeout, "timeout", 5.0, false)),
        threads,
        max_error_rate,
        requests,
    }
}
