//! What a project's numbers stand on: the input they were measured on (`200 MiB log`, `60 s
//! video`), the runs per language, whether that is fewer than the manifest asks of a published
//! number (*reduced sampling*), and the parameters that differ from the manifest's.
//!
//! Everything is derived from the latest report *and the current manifest*, so reports made
//! before the report recorded its sampling (`sampling`, `param_defaults`) are judged the same
//! way: reduced when a ranked language has fewer measured runs than the manifest's
//! `published_runs` (else `min_runs`). `runner render --check` fails on reduced sampling
//! (`render/reduced.rs`); this file only says what is.

use crate::manifest::{InputDef, Manifest};
use crate::report::{JobStatus, ProjectReport};
use crate::units;
use serde::Serialize;

/// How a project's numbers were measured.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Sampling {
    /// The input, e.g. `200 MiB log` or `60 s video + subs`; `None` without inputs (services).
    pub input: Option<String>,
    /// Measured runs per ranked language: `10`, or `5–8` when they differ.
    pub runs: String,
    /// The fewest measured runs of a ranked language.
    pub least: usize,
    /// The runs the manifest asks of a published number: `published_runs`, else `min_runs`.
    pub asked: u32,
    /// Fewer runs than `asked`.
    pub reduced: bool,
    /// Parameters whose value differs from the manifest's.
    pub changed: Vec<ParamChange>,
}

/// A parameter measured with another value than the manifest's.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ParamChange {
    /// Name.
    pub name: String,
    /// The value measured with.
    pub value: String,
    /// The manifest's value.
    pub default: String,
}

/// Parameters that say how long an input plays, in seconds.
const SECONDS: [&str; 2] = ["duration", "seconds"];
/// Parameters that only seed a generator: they say nothing of the input's size.
const SEEDS: [&str; 1] = ["seed"];

/// What `p` (the latest report of `m`'s project) stands on; `None` when no ranked language has
/// a number.
pub(super) fn sampling(m: &Manifest, p: &ProjectReport) -> Option<Sampling> {
    let runs: Vec<usize> = p
        .jobs
        .iter()
        .filter(|j| j.status == JobStatus::Ok && j.summary.is_some() && j.variant_of.is_none())
        .map(|j| j.samples.len())
        .collect();
    let (least, most) = (*runs.iter().min()?, *runs.iter().max()?);
    let asked = m.sampling.published_runs.unwrap_or(m.sampling.min_runs);
    Some(Sampling {
        input: input(m, p),
        runs: if least == most {
            least.to_string()
        } else {
            format!("{least}–{most}")
        },
        least,
        asked,
        reduced: least < asked as usize,
        changed: m
            .params
            .iter()
            .filter_map(|(name, default)| {
                let value = p.params.get(name)?;
                (value != default).then(|| ParamChange {
                    name: name.clone(),
                    value: value.clone(),
                    default: default.clone(),
                })
            })
            .collect(),
    })
}

/// The inputs whose making depends on a parameter, each as `<seconds> s <name>` when a duration
/// parameter sets it, else `<size> <name>`, with any other parameter it uses in parentheses
/// (`1.1 KiB program (scale 10)`); inputs of the same length share it (`60 s video + subs`).
/// Inputs no parameter shapes (a tool copied into the cache) are left out, unless no input
/// depends on a parameter (committed files): then every input, by size.
fn input(m: &Manifest, p: &ProjectReport) -> Option<String> {
    let used = |name: &str| -> Vec<String> {
        let argv = match m.inputs.get(name) {
            Some(InputDef::Generated { generate, .. }) => generate.join(" "),
            _ => String::new(),
        };
        m.params
            .keys()
            .filter(|k| argv.contains(&format!("{{param.{k}}}")))
            .cloned()
            .collect()
    };
    let shaped: Vec<_> = p
        .inputs
        .iter()
        .filter(|i| !used(&i.name).is_empty())
        .collect();
    let shown = if shaped.is_empty() {
        p.inputs.iter().collect()
    } else {
        shaped
    };
    // (how long or how big, names, other parameters), in the report's order.
    let mut parts: Vec<(String, Vec<String>, Vec<String>)> = Vec::new();
    for i in shown {
        let params = used(&i.name);
        let value = |k: &str| p.params.get(k).cloned().unwrap_or_default();
        let length = params
            .iter()
            .find(|k| SECONDS.contains(&k.as_str()))
            .map(|k| format!("{} s", value(k)))
            .unwrap_or_else(|| units::bytes(i.bytes as f64));
        let others: Vec<String> = params
            .iter()
            .filter(|k| !SECONDS.contains(&k.as_str()) && !SEEDS.contains(&k.as_str()))
            .filter(|k| !looks_like_size(&value(k)))
            .map(|k| format!("{k} {}", value(k)))
            .collect();
        match parts
            .iter_mut()
            .find(|(l, _, o)| *l == length && *o == others)
        {
            Some((_, names, _)) => names.push(i.name.clone()),
            None => parts.push((length, vec![i.name.clone()], others)),
        }
    }
    let text: Vec<String> = parts
        .into_iter()
        .map(|(length, names, others)| {
            let extra = if others.is_empty() {
                String::new()
            } else {
                format!(" ({})", others.join(", "))
            };
            format!("{length} {}{extra}", names.join(" + "))
        })
        .collect();
    (!text.is_empty()).then(|| text.join(", "))
}

/// `200M`, `1G`, `64KiB`: a size with its unit, already told by the input's size (a bare
/// number like `10` is a count, and is shown).
fn looks_like_size(v: &str) -> bool {
    v.ends_with(|c: char| c.is_ascii_alphabetic()) && units::parse_bytes(v).is_some()
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::report;
    use super::*;
    use crate::report::InputReport;

    fn manifest_with(extra: &str) -> Manifest {
        let text = format!(
            "id = \"1.1\"\nslug = \"t\"\ngroup = 1\n[text.en]\nname = \"T\"\nsummary = \"s\"\nskill = \"k\"\n[text.th]\nname = \"ท\"\nsummary = \"ส\"\nskill = \"ก\"\n[lang.go]\ndir = \"src\"\nbuild = [\"true\"]\nartifact = \"a\"\nrun = [\"a\"]\n[lang.rust]\ntodo = \"later\"\n[lang.zig]\ntodo = \"later\"\n[[verify]]\nkind = \"cross_language\"\nfiles = [\"o\"]\n[metric]\nheadline = \"wall_time\"\n{extra}"
        );
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        crate::manifest::parse(std::path::Path::new("manifests/t.toml"), text, root).unwrap()
    }

    fn input(name: &str, bytes: u64) -> InputReport {
        InputReport {
            name: name.into(),
            path: String::new(),
            bytes,
            sha256: String::new(),
            cache_key: None,
            cached: true,
        }
    }

    /// Issue 16's 1.2: a 60 s video instead of the manifest's 300 s, 3 runs instead of 10.
    #[test]
    fn a_shortened_input_and_three_runs_are_said_and_reduced() {
        let m = manifest_with(
            "[params]\nduration = 300\nseed = 1\n[inputs.video]\ngenerate = [\"gen\", \"{param.duration}\", \"{param.seed}\", \"{out}\"]\n[inputs.driver]\ngenerate = [\"cp\", \"d\", \"{out}\"]\n[sampling]\nmin_runs = 10\n",
        );
        let mut p = report([
            JobStatus::Ok,
            JobStatus::NotImplemented,
            JobStatus::NotImplemented,
        ]);
        p.params = [("duration", "60"), ("seed", "1")]
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .into();
        p.inputs = vec![input("driver", 650_000), input("video", 21_426_161)];
        p.jobs[0].samples = vec![sample(); 3];
        let s = sampling(&m, &p).unwrap();
        assert_eq!(s.input.as_deref(), Some("60 s video"));
        assert_eq!(
            (s.runs.as_str(), s.least, s.asked, s.reduced),
            ("3", 3, 10, true)
        );
        assert_eq!(
            s.changed,
            vec![ParamChange {
                name: "duration".into(),
                value: "60".into(),
                default: "300".into()
            }]
        );
    }

    #[test]
    fn sizes_come_from_the_input_and_published_runs_lower_the_bar() {
        let m = manifest_with(
            "[params]\nsize = \"200M\"\nscale = 10\n[inputs.log]\ngenerate = [\"gen\", \"{param.size}\", \"{out}\"]\n[inputs.program]\ngenerate = [\"asm\", \"{param.scale}\", \"{out}\"]\n[sampling]\nmin_runs = 10\npublished_runs = 3\n",
        );
        let mut p = report([
            JobStatus::Ok,
            JobStatus::NotImplemented,
            JobStatus::NotImplemented,
        ]);
        p.params = [("size", "200M"), ("scale", "10")]
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .into();
        p.inputs = vec![input("log", 209_715_401), input("program", 1151)];
        p.jobs[0].samples = vec![sample(); 3];
        let s = sampling(&m, &p).unwrap();
        assert_eq!(
            s.input.as_deref(),
            Some("200 MiB log, 1.12 KiB program (scale 10)")
        );
        assert_eq!((s.asked, s.reduced), (3, false));
        assert!(s.changed.is_empty());
    }

    #[test]
    fn no_ranked_number_no_sampling() {
        let m = manifest_with("");
        let p = report([
            JobStatus::BuildFailed,
            JobStatus::NotImplemented,
            JobStatus::NotImplemented,
        ]);
        assert!(sampling(&m, &p).is_none());
    }

    fn sample() -> crate::report::SampleReport {
        crate::report::SampleReport {
            wall_ns: 1,
            user_ns: 0,
            sys_ns: 0,
            max_rss_bytes: 0,
            exit: crate::exec::Exit::Code(0).into(),
            headline: 1.0,
        }
    }
}
