//! `http` checks (TechEmpower-style): a script of requests sent in order to a fresh instance of a
//! service, each answer held to its step's expectations — status, headers, exact body, a
//! substring, JSON fields. Every failing step is reported; the check passes only if none fails.

use crate::loadgen::Answer;
use crate::manifest::{HttpRequest, HttpStep};
use crate::report::CheckResult;

/// Sends one request and returns the whole answer, or says why there is none.
pub type Send<'a> = &'a mut dyn FnMut(&HttpRequest) -> Result<Answer, String>;

/// What is wrong with `a` as an answer to `step`, if anything.
pub fn judge(step: &HttpStep, a: &Answer) -> Vec<String> {
    let mut wrong = Vec::new();
    if let Some(s) = step.status {
        if a.status != s {
            wrong.push(format!("status {} (expected {s})", a.status));
        }
    }
    for (k, want) in &step.headers {
        let got: Vec<&str> = a
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(k))
            .map(|(_, v)| v.as_str())
            .collect();
        if !got.contains(&want.as_str()) {
            let got = if got.is_empty() {
                "absent".to_string()
            } else {
                format!("{:?}", got.join(", "))
            };
            wrong.push(format!("header {k}: {got} (expected {want:?})"));
        }
    }
    if let Some(want) = &step.body_equals {
        if a.body != want.as_bytes() {
            wrong.push(format!(
                "body {} (expected {})",
                excerpt(&a.body),
                excerpt(want.as_bytes())
            ));
        }
    }
    if let Some(want) = &step.body_contains {
        if !String::from_utf8_lossy(&a.body).contains(want.as_str()) {
            wrong.push(format!(
                "body {} does not contain {want:?}",
                excerpt(&a.body)
            ));
        }
    }
    if !step.json.is_empty() {
        match serde_json::from_slice::<serde_json::Value>(&a.body) {
            Err(e) => wrong.push(format!("body is not JSON ({e}): {}", excerpt(&a.body))),
            Ok(v) => {
                for (path, want) in &step.json {
                    let got = path.split('.').try_fold(&v, |cur, part| cur.get(part));
                    match got {
                        None => wrong.push(format!("JSON field `{path}` is absent")),
                        Some(g) if !json_equal(g, want) => {
                            wrong.push(format!("JSON field `{path}` = {g} (expected {want})"))
                        }
                        Some(_) => {}
                    }
                }
            }
        }
    }
    wrong
}

/// JSON values equal, treating integers and floats of the same value as equal.
fn json_equal(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) if a.is_number() && b.is_number() => x == y,
        _ => a == b,
    }
}

fn excerpt(b: &[u8]) -> String {
    let s = String::from_utf8_lossy(&b[..b.len().min(120)]).into_owned();
    if b.len() > 120 {
        format!("{s:?}… ({} bytes)", b.len())
    } else {
        format!("{s:?}")
    }
}

/// `steps` with `{client}` in expected header values replaced by `client` (the address the
/// server sees requests come from: 127.0.0.1, or a container bridge's host side).
pub fn with_client(steps: &[HttpStep], client: &str) -> Vec<HttpStep> {
    steps
        .iter()
        .map(|s| HttpStep {
            headers: s
                .headers
                .iter()
                .map(|(k, v)| (k.clone(), v.replace("{client}", client)))
                .collect(),
            ..s.clone()
        })
        .collect()
}

/// Runs a script; one result for the whole check.
pub fn script(steps: &[HttpStep], send: Send<'_>) -> CheckResult {
    let mut failures = Vec::new();
    let mut sent = 0;
    for (i, step) in steps.iter().enumerate() {
        for k in 0..step.repeat {
            sent += 1;
            let label = if step.repeat > 1 {
                format!("step {} ({}) #{}", i + 1, step.name, k + 1)
            } else {
                format!("step {} ({})", i + 1, step.name)
            };
            match send(&step.request) {
                Err(e) => failures.push(format!("{label}: no answer: {e}")),
                Ok(a) => {
                    let wrong = judge(step, &a);
                    if !wrong.is_empty() {
                        failures.push(format!("{label}: {}", wrong.join("; ")));
                    }
                }
            }
        }
    }
    let passed = failures.is_empty();
    let detail = if passed {
        format!(
            "{} step(s), {sent} request(s), all as expected",
            steps.len()
        )
    } else {
        let n = failures.len();
        let mut shown: Vec<String> = failures.into_iter().take(5).collect();
        if n > 5 {
            shown.push(format!("… and {} more", n - 5));
        }
        format!("{n} failed: {}", shown.join(" | "))
    };
    CheckResult {
        check: "http".into(),
        passed: Some(passed),
        detail,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step() -> HttpStep {
        HttpStep {
            name: "s".into(),
            request: HttpRequest::default(),
            repeat: 1,
            status: Some(200),
            headers: vec![("content-type".into(), "application/json".into())],
            body_equals: None,
            body_contains: Some("ok".into()),
            json: vec![("a.b".into(), serde_json::json!(3))],
        }
    }

    fn answer(status: u16, ct: &str, body: &str) -> Answer {
        Answer {
            status,
            headers: vec![("content-type".into(), ct.into())],
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn a_matching_answer_passes() {
        let a = answer(200, "application/json", r#"{"a":{"b":3.0},"s":"ok"}"#);
        assert!(judge(&step(), &a).is_empty());
    }

    #[test]
    fn every_difference_is_named() {
        let a = answer(429, "text/plain", r#"{"a":{"b":4}}"#);
        let w = judge(&step(), &a);
        assert_eq!(w.len(), 4, "{w:?}");
        assert!(w[0].contains("status 429 (expected 200)"));
        assert!(w[1].contains("header content-type"));
        assert!(w[2].contains("does not contain"));
        assert!(w[3].contains("`a.b` = 4 (expected 3)"));
    }

    #[test]
    fn garbage_is_not_json() {
        let a = answer(200, "application/json", "ok<html>");
        let w = judge(&step(), &a);
        assert!(w.iter().any(|x| x.contains("not JSON")), "{w:?}");
    }

    #[test]
    fn a_script_counts_repeats_and_reports_failures() {
        let mut s = step();
        s.repeat = 3;
        s.headers.clear();
        s.json.clear();
        let mut n = 0;
        let r = script(&[s], &mut |_| {
            n += 1;
            Ok(answer(if n < 3 { 200 } else { 429 }, "x", "ok"))
        });
        assert_eq!(r.passed, Some(false));
        assert!(r.detail.contains("#3: status 429"), "{}", r.detail);
    }
}
