//! Output checks. A job's outputs are those of its verification run (before any measured run);
//! a job that fails any check gets no number.
//!
//! Per-job checks (`exact`, `checksum`, `command`) look at one job; cross-job checks
//! (`cross_language`, `numeric`) compare the jobs with each other: the largest group that agrees
//! (at least two, and strictly larger than any other group) is right, and every job outside it
//! fails, naming whom it disagrees with. With only one job there is nothing to compare: the
//! check is "not applicable", and a job needs at least one applicable check that passed.
//! Variants (other builds of a language) do not vote: they are held to the majority of the
//! others, so a second build of one language cannot outvote, or tie, the rest.

pub mod http;

use crate::exec::{Backend, RunSpec};
use crate::input::sha256_file;
use crate::manifest::{Check, OutputRef};
use crate::report::CheckResult;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Expands a check command for one job (placeholders → paths), or says why it cannot; `None`
/// when the check does not apply to the job (it starts `{artifact}`, which a reference lacks).
pub type ExpandCommand<'a> = &'a dyn Fn(&[String]) -> Result<Option<Vec<String>>, String>;

/// Where one job's verification outputs are.
#[derive(Debug, Clone)]
pub struct Outputs {
    /// Job name.
    pub name: String,
    /// The `{out}` folder of the verification run.
    pub dir: PathBuf,
    /// The captured stdout of the verification run.
    pub stdout: PathBuf,
    /// Whether it counts in a cross-job majority (false for a variant, which is only held to it).
    pub votes: bool,
}

impl Outputs {
    fn path(&self, r: &OutputRef) -> PathBuf {
        match r {
            OutputRef::Stdout => self.stdout.clone(),
            OutputRef::File(n) => self.dir.join(n),
        }
    }
}

fn result(check: String, passed: Option<bool>, detail: impl Into<String>) -> CheckResult {
    CheckResult {
        check,
        passed,
        detail: detail.into(),
    }
}

/// Runs the per-job checks of `checks` on `out`, made with the parameters `params`.
/// `command_argv` expands a check command for this job; commands run in `root` through
/// `backend` with a 10-minute timeout.
pub fn per_job(
    checks: &[Check],
    out: &Outputs,
    params: &BTreeMap<String, String>,
    root: &Path,
    env: &[(String, String)],
    command_argv: ExpandCommand<'_>,
    backend: &mut dyn Backend,
) -> Vec<CheckResult> {
    let mut results = Vec::new();
    for c in checks {
        match c {
            Check::Exact { output, expected } => {
                let name = format!("exact {output}");
                let got = std::fs::read(out.path(output));
                let want = std::fs::read(root.join(expected));
                results.push(match (got, want) {
                    (Err(e), _) => result(
                        name,
                        Some(false),
                        format!("cannot read output {}: {e}", out.path(output).display()),
                    ),
                    (_, Err(e)) => result(
                        name,
                        Some(false),
                        format!("cannot read expected file {expected}: {e}"),
                    ),
                    (Ok(g), Ok(w)) if g == w => {
                        result(name, Some(true), format!("identical to {expected}"))
                    }
                    (Ok(g), Ok(w)) => result(name, Some(false), first_difference(&g, &w, expected)),
                });
            }
            Check::Checksum {
                output,
                sha256,
                params: wanted,
            } => {
                let name = format!("checksum {output}");
                if let Some(why) = other_params(wanted, params) {
                    results.push(result(name, None, why));
                    continue;
                }
                results.push(match sha256_file(&out.path(output)) {
                    Err(e) => result(name, Some(false), format!("cannot read output: {e}")),
                    Ok(h) if &h == sha256 => result(name, Some(true), format!("sha256 {h}")),
                    Ok(h) => result(name, Some(false), format!("sha256 {h}, expected {sha256}")),
                });
            }
            Check::Command(argv) => {
                let name = "command".to_string();
                let argv = match command_argv(argv) {
                    Ok(Some(a)) => a,
                    Ok(None) => {
                        results.push(result(
                            name,
                            None,
                            format!(
                                "does not apply to {}: the command starts {{artifact}}, which a reference does not have",
                                out.name
                            ),
                        ));
                        continue;
                    }
                    Err(e) => {
                        results.push(result(name, Some(false), e));
                        continue;
                    }
                };
                let log = out.stdout.with_extension("check");
                let spec = RunSpec {
                    argv: argv.clone(),
                    cwd: root.to_path_buf(),
                    env: env.to_vec(),
                    stdin: None,
                    stdout: log.with_extension("check.out"),
                    stderr: log.with_extension("check.err"),
                    timeout: Duration::from_secs(600),
                    output_cap: 16 << 20,
                    pin: None,
                };
                results.push(match backend.run(&spec) {
                    Ok(o) if o.exit.success() => {
                        result(name, Some(true), format!("`{}` passed", argv.join(" ")))
                    }
                    Ok(o) => {
                        let tail = crate::input::tail_of(&spec.stderr, 6);
                        let tail = if tail.is_empty() {
                            crate::input::tail_of(&spec.stdout, 6)
                        } else {
                            tail
                        };
                        let how = if o.timed_out {
                            "timed out".to_string()
                        } else {
                            o.exit.to_string()
                        };
                        result(
                            name,
                            Some(false),
                            format!("`{}` failed ({how}): {tail}", argv.join(" ")),
                        )
                    }
                    Err(e) => result(
                        name,
                        Some(false),
                        format!("`{}` could not start: {e}", argv.join(" ")),
                    ),
                });
            }
            // Cross-job checks are `across`'s; http scripts run against a live service
            // (`http::script`).
            Check::CrossLanguage(_) | Check::Numeric { .. } | Check::Http(_) => {}
        }
    }
    results
}

/// Why a checksum computed for the parameter values `wanted` does not apply to a run made with
/// `params`; `None` when every one of them is in effect.
fn other_params(
    wanted: &BTreeMap<String, String>,
    params: &BTreeMap<String, String>,
) -> Option<String> {
    let differ: Vec<String> = wanted
        .iter()
        .filter(|(k, v)| params.get(*k) != Some(*v))
        .map(|(k, v)| {
            let now = params.get(k).map_or("unset", String::as_str);
            format!("{k} = {now}, not {v}")
        })
        .collect();
    (!differ.is_empty()).then(|| {
        format!(
            "does not apply: computed for other parameters ({})",
            differ.join(", ")
        )
    })
}

fn first_difference(got: &[u8], want: &[u8], expected: &str) -> String {
    let at = got
        .iter()
        .zip(want)
        .position(|(a, b)| a != b)
        .unwrap_or(got.len().min(want.len()));
    let line = want[..at.min(want.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1;
    format!(
        "differs from {expected} at byte {at} (line {line}); output {} bytes, expected {} bytes",
        got.len(),
        want.len()
    )
}

/// Runs the cross-job checks; returns results by job name. Jobs that vote decide the majority;
/// the others (variants) pass when they agree with it.
pub fn across(checks: &[Check], outs: &[Outputs]) -> BTreeMap<String, Vec<CheckResult>> {
    let mut by_job: BTreeMap<String, Vec<CheckResult>> =
        outs.iter().map(|o| (o.name.clone(), Vec::new())).collect();
    let (voters, followers): (Vec<&Outputs>, Vec<&Outputs>) = outs.iter().partition(|o| o.votes);
    for c in checks {
        match c {
            Check::CrossLanguage(refs) => {
                for r in refs {
                    let name = format!("cross_language {r}");
                    let keys = |of: &[&Outputs]| -> Vec<(String, Option<String>)> {
                        of.iter()
                            .map(|o| (o.name.clone(), sha256_file(&o.path(r)).ok()))
                            .collect()
                    };
                    let (keys, others) = (keys(&voters), keys(&followers));
                    let show = |h: &str| format!("sha256 {}", &h[..16]);
                    let results = agree(&name, &keys, show)
                        .into_iter()
                        .chain(follow(&name, &keys, &others, show));
                    for (job, res) in results {
                        by_job.entry(job).or_default().push(res);
                    }
                }
            }
            Check::Numeric {
                output,
                fields,
                tolerance,
            } => {
                for f in fields {
                    let name = format!("numeric {output} {f}");
                    let values = |of: &[&Outputs]| -> Vec<(String, Result<f64, String>)> {
                        of.iter()
                            .map(|o| (o.name.clone(), json_number(&o.path(output), f)))
                            .collect()
                    };
                    let (values, others) = (values(&voters), values(&followers));
                    let results = numeric(&name, &values, None, *tolerance)
                        .into_iter()
                        .chain(numeric(&name, &values, Some(&others), *tolerance));
                    for (job, res) in results {
                        by_job.entry(job).or_default().push(res);
                    }
                }
            }
            _ => {}
        }
    }
    by_job
}

/// The key of the largest group of identical keys, with its members, when that group has at
/// least two members and is strictly larger than every other group.
fn majority(keys: &[(String, Option<String>)]) -> Option<(&str, Vec<&str>)> {
    let mut groups: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (job, k) in keys {
        if let Some(k) = k {
            groups.entry(k.as_str()).or_default().push(job.as_str());
        }
    }
    let mut sizes: Vec<usize> = groups.values().map(|g| g.len()).collect();
    sizes.sort_unstable_by(|a, b| b.cmp(a));
    groups.into_iter().find(|(_, g)| {
        g.len() >= 2 && g.len() == sizes[0] && sizes.get(1).is_none_or(|s| *s < g.len())
    })
}

/// Jobs that do not vote (variants), held to the majority of `voters`: identical passes,
/// different fails, and without a majority (fewer than two outputs, or a tie) nothing applies.
fn follow(
    name: &str,
    voters: &[(String, Option<String>)],
    followers: &[(String, Option<String>)],
    show: impl Fn(&str) -> String,
) -> Vec<(String, CheckResult)> {
    let winner = majority(voters);
    followers
        .iter()
        .map(|(job, k)| {
            let res = match (k, &winner) {
                (None, _) => result(name.into(), Some(false), "output missing"),
                (Some(k), Some((w, members))) if k == w => result(
                    name.into(),
                    Some(true),
                    format!("identical to {} ({})", members.join(", "), show(k)),
                ),
                (Some(k), Some((w, members))) => result(
                    name.into(),
                    Some(false),
                    format!(
                        "differs from {} ({} vs {})",
                        members.join(", "),
                        show(k),
                        show(w)
                    ),
                ),
                (Some(_), None) => result(
                    name.into(),
                    None,
                    "no agreed output of the implementations to compare with",
                ),
            };
            (job.clone(), res)
        })
        .collect()
}

/// Majority agreement on opaque keys (`None` = output missing).
fn agree(
    name: &str,
    keys: &[(String, Option<String>)],
    show: impl Fn(&str) -> String,
) -> Vec<(String, CheckResult)> {
    let present = keys.iter().filter(|(_, k)| k.is_some()).count();
    let winner = majority(keys);
    keys.iter()
        .map(|(job, k)| {
            let res = match (k, &winner) {
                (None, _) => result(name.into(), Some(false), "output missing"),
                (Some(_), _) if present < 2 => result(
                    name.into(),
                    None,
                    "only one output: nothing to compare with",
                ),
                (Some(k), Some((w, members))) if k == w => {
                    let others: Vec<&str> = members.iter().copied().filter(|j| j != job).collect();
                    result(
                        name.into(),
                        Some(true),
                        format!("identical to {} ({})", others.join(", "), show(k)),
                    )
                }
                (Some(k), Some((w, members))) => result(
                    name.into(),
                    Some(false),
                    format!(
                        "differs from {} ({} vs {})",
                        members.join(", "),
                        show(k),
                        show(w)
                    ),
                ),
                (Some(k), None) => {
                    let others: Vec<&str> = keys
                        .iter()
                        .filter(|(j, kk)| j != job && kk.is_some())
                        .map(|(j, _)| j.as_str())
                        .collect();
                    result(
                        name.into(),
                        Some(false),
                        format!(
                            "no majority: differs from {} ({}); cannot tell which is right",
                            others.join(", "),
                            show(k)
                        ),
                    )
                }
            };
            (job.clone(), res)
        })
        .collect()
}

/// Numbers that agree within a relative tolerance, judged against the median of `values` (the
/// voters) and each other: the voters themselves, or with `followers`, those (variants) only.
fn numeric(
    name: &str,
    values: &[(String, Result<f64, String>)],
    followers: Option<&[(String, Result<f64, String>)]>,
    tol: f64,
) -> Vec<(String, CheckResult)> {
    let ok: Vec<f64> = values
        .iter()
        .filter_map(|(_, v)| v.as_ref().ok().copied())
        .collect();
    let mut sorted = ok.clone();
    sorted.sort_by(|a, b| a.total_cmp(b));
    let median = if sorted.is_empty() {
        0.0
    } else {
        sorted[(sorted.len() - 1) / 2]
    };
    // A voter is among `ok` itself, so it needs one more value within tolerance than a follower.
    let (judged, partners) = match followers {
        None => (values, 2),
        Some(f) => (f, 1),
    };
    judged
        .iter()
        .map(|(job, v)| {
            let res = match v {
                Err(e) => result(name.into(), Some(false), e.clone()),
                Ok(_) if ok.len() < 2 => result(
                    name.into(),
                    None,
                    "only one output: nothing to compare with",
                ),
                Ok(x) => {
                    let scale = median.abs().max(f64::MIN_POSITIVE);
                    let rel = (x - median).abs() / scale;
                    // Agreeing with the median is not enough with two values: each must also
                    // agree with at least one other job.
                    let partner =
                        ok.iter().filter(|y| (*y - x).abs() / scale <= tol).count() >= partners;
                    if rel <= tol && partner {
                        result(
                            name.into(),
                            Some(true),
                            format!("{x} (median {median}, tolerance {tol})"),
                        )
                    } else {
                        result(
                            name.into(),
                            Some(false),
                            format!("{x} differs from the median {median} by {rel:.3e} > {tol}"),
                        )
                    }
                }
            };
            (job.clone(), res)
        })
        .collect()
}

/// Reads a dotted field from a JSON file, or from the last non-empty line of a stdout capture.
pub fn json_number(path: &Path, field: &str) -> Result<f64, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let value: serde_json::Value = serde_json::from_str(&text).or_else(|_| {
        let last = text
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("");
        serde_json::from_str(last).map_err(|e| format!("no JSON line in {}: {e}", path.display()))
    })?;
    let mut cur = &value;
    for part in field.split('.') {
        cur = cur
            .get(part)
            .ok_or_else(|| format!("JSON has no field `{field}`"))?;
    }
    cur.as_f64()
        .ok_or_else(|| format!("field `{field}` is not a number"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(v: &[(&str, Option<&str>)]) -> Vec<(String, Option<String>)> {
        v.iter()
            .map(|(j, k)| (j.to_string(), k.map(|s| s.to_string())))
            .collect()
    }

    fn verdicts(v: &[(&str, Option<&str>)]) -> Vec<Option<bool>> {
        agree("x", &keys(v), |s| s.to_string())
            .into_iter()
            .map(|(_, r)| r.passed)
            .collect()
    }

    #[test]
    fn majority_decides_who_is_wrong() {
        assert_eq!(
            verdicts(&[("go", Some("a")), ("rust", Some("a")), ("zig", Some("a"))]),
            vec![Some(true); 3]
        );
        assert_eq!(
            verdicts(&[("go", Some("a")), ("rust", Some("a")), ("zig", Some("b"))]),
            vec![Some(true), Some(true), Some(false)]
        );
        assert_eq!(
            verdicts(&[("go", Some("a")), ("rust", Some("b")), ("zig", Some("c"))]),
            vec![Some(false); 3]
        );
        assert_eq!(
            verdicts(&[("go", Some("a")), ("rust", Some("b"))]),
            vec![Some(false); 2]
        );
        assert_eq!(verdicts(&[("go", Some("a"))]), vec![None]);
        assert_eq!(
            verdicts(&[("go", Some("a")), ("rust", None), ("zig", Some("a"))]),
            vec![Some(true), Some(false), Some(true)]
        );
    }

    #[test]
    fn numeric_tolerance() {
        let v = |x: &[f64]| -> Vec<(String, Result<f64, String>)> {
            x.iter()
                .enumerate()
                .map(|(i, v)| (i.to_string(), Ok(*v)))
                .collect()
        };
        let r: Vec<_> = numeric("n", &v(&[1.0, 1.0000001, 1.5]), None, 1e-6)
            .into_iter()
            .map(|(_, r)| r.passed)
            .collect();
        assert_eq!(r, vec![Some(true), Some(true), Some(false)]);
        let two: Vec<_> = numeric("n", &v(&[1.0, 2.0]), None, 1e-6)
            .into_iter()
            .map(|(_, r)| r.passed)
            .collect();
        assert_eq!(two, vec![Some(false), Some(false)]);
    }

    #[test]
    fn a_variant_is_held_to_the_majority_without_voting() {
        let follow = |voters: &[(&str, Option<&str>)], variant: Option<&str>| {
            follow("x", &keys(voters), &keys(&[("zig (fast)", variant)]), |s| {
                s.to_string()
            })[0]
                .1
                .passed
        };
        let three = [("go", Some("a")), ("rust", Some("a")), ("zig", Some("b"))];
        // zig is wrong; its variant agreeing with it does not make a 2–2 tie.
        assert_eq!(verdicts(&three), vec![Some(true), Some(true), Some(false)]);
        assert_eq!(follow(&three, Some("b")), Some(false));
        assert_eq!(follow(&three, Some("a")), Some(true));
        assert_eq!(follow(&three, None), Some(false), "missing output fails");
        // No majority among the implementations: nothing to hold the variant to.
        assert_eq!(follow(&[("zig", Some("a"))], Some("a")), None);
        assert_eq!(
            follow(&[("go", Some("a")), ("zig", Some("b"))], Some("a")),
            None
        );

        let v = |x: &[f64]| -> Vec<(String, Result<f64, String>)> {
            x.iter()
                .enumerate()
                .map(|(i, v)| (i.to_string(), Ok(*v)))
                .collect()
        };
        let judged = |variant: f64| {
            numeric("n", &v(&[1.0, 1.0, 1.5]), Some(&v(&[variant])), 1e-6)[0]
                .1
                .passed
        };
        assert_eq!(judged(1.0000001), Some(true));
        assert_eq!(judged(1.5), Some(false), "near an outvoted value only");
        assert_eq!(
            numeric("n", &v(&[1.0]), Some(&v(&[1.0])), 1e-6)[0].1.passed,
            None
        );
    }

    #[test]
    fn reads_json_fields_from_stdout_lines() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("stdout");
        std::fs::write(&p, "log line\n{\"masked\":{\"card\":5}}\n\n").unwrap();
        assert_eq!(json_number(&p, "masked.card").unwrap(), 5.0);
        assert!(json_number(&p, "masked.nope")
            .unwrap_err()
            .contains("no field"));
    }

    #[test]
    fn checksum_applies_only_with_its_parameters() {
        let dir = std::env::temp_dir().join(format!("runner-checksum-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("out.txt"), b"").unwrap();
        let out = Outputs {
            name: "go".into(),
            dir: dir.clone(),
            stdout: dir.join("stdout"),
            votes: true,
        };
        let p = |kv: &[(&str, &str)]| -> BTreeMap<String, String> {
            kv.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        let check = |sha: &str, wanted: &[(&str, &str)], run: &[(&str, &str)]| {
            let c = Check::Checksum {
                output: OutputRef::File("out.txt".into()),
                sha256: sha.into(),
                params: p(wanted),
            };
            let mut backend = crate::exec::fake::Fake::new();
            let r = per_job(&[c], &out, &p(run), &dir, &[], &|_| Ok(None), &mut backend);
            (r[0].passed, r[0].detail.clone())
        };
        let defaults = [("seed", "42"), ("size", "200M")];
        // No parameters named: it always applies.
        assert_eq!(check(empty, &[], &defaults).0, Some(true));
        assert_eq!(check(&"0".repeat(64), &[], &defaults).0, Some(false));
        // Its parameters in effect: it applies, and an unnamed one does not matter.
        assert_eq!(check(empty, &[("size", "200M")], &defaults).0, Some(true));
        assert_eq!(check(&"0".repeat(64), &defaults, &defaults).0, Some(false));
        // Another value (--quick, --param): it does not apply, whatever the output.
        let (passed, why) = check(
            &"0".repeat(64),
            &defaults,
            &[("seed", "42"), ("size", "8M")],
        );
        assert_eq!(passed, None);
        assert!(why.contains("size = 8M, not 200M"), "{why}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
