//! Resolved settings of `runner bench`, built once from the raw flags: languages parsed,
//! parameters split, seed chosen, the quiet-machine gate's limits checked. Errors name the flag and what to write instead.

use super::args::BenchArgs;
use crate::manifest::Lang;
use crate::measure::{Counting, Mode, Settings};
use crate::report::GateLimits;
use std::collections::BTreeMap;
use std::time::Duration;

/// A flag with a bad value.
#[derive(Debug, thiserror::Error)]
#[error("{flag}: {message}")]
pub struct OptionsError {
    /// The flag.
    pub flag: String,
    /// What is wrong and what to write.
    pub message: String,
}

/// The backend of a bench: `--backend`, else `docker` when every selected manifest asks for it
/// (`[docker] default = true`), else `native`.
pub fn backend(
    args: &BenchArgs,
    manifests: &[crate::manifest::Manifest],
) -> Result<String, OptionsError> {
    if let Some(b) = &args.backend {
        return Ok(b.clone());
    }
    let docker = manifests.iter().filter(|m| m.docker.default).count();
    match docker {
        0 => Ok("native".into()),
        n if n == manifests.len() => Ok("docker".into()),
        _ => Err(OptionsError {
            flag: "--backend".into(),
            message: format!(
                "the selected manifests disagree on the default backend ({docker} of {} say `[docker] default = true`): choose with --backend native or --backend docker",
                manifests.len()
            ),
        }),
    }
}

/// The sampling of `--quick` (what CI's smoke bench used to spell out): measured runs, warm-up
/// runs, and the services' load window and its warm-up in seconds. Explicit flags win.
pub const QUICK: (u32, u32, f64, f64) = (3, 1, 1.0, 0.3);

/// Resolves `args` into measurement settings.
pub fn settings(args: &BenchArgs) -> Result<Settings, OptionsError> {
    let mut langs = Vec::new();
    for l in args
        .lang
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let lang = Lang::parse(l).ok_or_else(|| OptionsError {
            flag: "--lang".into(),
            message: format!("unknown language `{l}`: use go, rust, zig (comma-separated)"),
        })?;
        if !langs.contains(&lang) {
            langs.push(lang);
        }
    }
    if langs.is_empty() {
        return Err(OptionsError {
            flag: "--lang".into(),
            message: "no language given: use e.g. --lang go,rust,zig".into(),
        });
    }
    let mut params = BTreeMap::new();
    for p in &args.params {
        let (k, v) = p.split_once('=').ok_or_else(|| OptionsError {
            flag: "--param".into(),
            message: format!("`{p}` is not NAME=VALUE"),
        })?;
        if k.is_empty() {
            return Err(OptionsError {
                flag: "--param".into(),
                message: format!("`{p}` has an empty name"),
            });
        }
        params.insert(k.to_string(), v.to_string());
    }
    if let Some(level) = &args.cpu {
        if crate::toolchain::cpu::Level::parse(level).is_none() {
            return Err(OptionsError {
                flag: "--cpu".into(),
                message: format!(
                    "unknown level `{level}`: use x86-64, x86-64-v2, x86-64-v3 or x86-64-v4"
                ),
            });
        }
    }
    if let Some(cpu) = args.pin {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        if cpu >= cores {
            return Err(OptionsError {
                flag: "--pin".into(),
                message: format!(
                    "CPU {cpu} does not exist: this machine has CPUs 0..{}",
                    cores - 1
                ),
            });
        }
    }
    if let Some(0) = args.runs {
        return Err(OptionsError {
            flag: "--runs".into(),
            message: "must be at least 1".into(),
        });
    }
    let timeout = match args.timeout {
        Some(t) if !(t > 0.0 && t.is_finite()) => {
            return Err(OptionsError {
                flag: "--timeout".into(),
                message: "must be a positive number of seconds".into(),
            })
        }
        Some(t) => Some(Duration::from_secs_f64(t)),
        None => None,
    };
    let secs = |v: Option<f64>, flag: &str, zero_ok: bool| match v {
        Some(t) if !(t.is_finite() && (t > 0.0 || (zero_ok && t == 0.0))) => Err(OptionsError {
            flag: flag.into(),
            message: format!(
                "must be a {} number of seconds",
                if zero_ok { "non-negative" } else { "positive" }
            ),
        }),
        Some(t) => Ok(Some(Duration::from_secs_f64(t))),
        None => Ok(None),
    };
    let quick = |flag: Option<f64>, q: f64| flag.or(args.quick.then_some(q));
    let load_duration = secs(quick(args.load_duration, QUICK.2), "--load-duration", false)?;
    let load_warmup = secs(quick(args.load_warmup, QUICK.3), "--load-warmup", true)?;
    let memory = match &args.memory {
        None => None,
        Some(m) => match crate::units::parse_bytes(m) {
            Some(b) if b >= 6 << 20 => Some(b),
            _ => {
                return Err(OptionsError {
                    flag: "--memory".into(),
                    message: format!("`{m}` is not a size of at least 6M: use e.g. 512M or 2G"),
                })
            }
        },
    };
    if let Some(c) = args.cpus {
        if !(c > 0.0 && c.is_finite()) {
            return Err(OptionsError {
                flag: "--cpus".into(),
                message: "must be a positive number of CPUs, e.g. 1.5".into(),
            });
        }
    }
    let gate = gate_limits(&args.gate)?;
    let seed = args.seed.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64 % 1_000_000_007)
    });
    Ok(Settings {
        langs,
        runs: args.runs.or(args.quick.then_some(QUICK.0)),
        warmup: args.warmup.or(args.quick.then_some(QUICK.1)),
        timeout,
        interleaved: !args.sequential,
        seed,
        params,
        quick: args.quick,
        output_cap: args.output_cap,
        build_timeout: Duration::from_secs(1800),
        no_references: args.no_references,
        // Replaced by the pin file's level in `cmd::session` unless --cpu is given.
        cpu: crate::toolchain::cpu::Level::default(),
        mode: if args.mode == "instructions" {
            Mode::Instructions
        } else {
            Mode::Time
        },
        // `cmd::session` turns it off where nothing can be counted (fake backend, containers).
        instructions: if args.instructions {
            Counting::All
        } else {
            Counting::Declared
        },
        pin: args.pin,
        load_duration,
        load_warmup,
        memory,
        cpus: args.cpus,
        network: args.docker_network.as_deref().and_then(|n| n.parse().ok()),
        // Instruction counts do not depend on load; `cmd::session` also turns it off for the
        // fake backend.
        gate: (args.mode != "instructions").then_some(gate),
    })
}

/// The `--gate-*` limits, each a finite number not below zero (a window above zero).
fn gate_limits(g: &super::args::GateArgs) -> Result<GateLimits, OptionsError> {
    for (flag, v, zero_ok) in [
        ("--gate-cpu", g.gate_cpu, true),
        ("--gate-steal", g.gate_steal, true),
        ("--gate-load", g.gate_load, true),
        ("--gate-memory", g.gate_memory, true),
        ("--gate-wait", g.gate_wait, true),
        ("--gate-window", g.gate_window, false),
    ] {
        if !(v.is_finite() && (v > 0.0 || (zero_ok && v == 0.0))) || v > 1e6 {
            return Err(OptionsError {
                flag: flag.into(),
                message: format!(
                    "`{v}` is not a {} number up to 1e6",
                    if zero_ok { "non-negative" } else { "positive" }
                ),
            });
        }
    }
    Ok(GateLimits {
        foreign_cpus: g.gate_cpu,
        steal_pct: g.gate_steal,
        load_per_cpu: g.gate_load,
        memory_pressure_pct: g.gate_memory,
        wait_s: g.gate_wait,
        window_s: g.gate_window,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn bench(args: &[&str]) -> BenchArgs {
        let mut argv = vec!["runner", "bench", "m.toml"];
        argv.extend(args);
        match crate::cmd::args::Cli::parse_from(argv).command {
            crate::cmd::args::Cmd::Bench(b) => *b,
            _ => unreachable!(),
        }
    }

    #[test]
    fn quick_sets_the_smoke_sampling_and_explicit_flags_win() {
        let s = settings(&bench(&["--quick"])).unwrap();
        assert!(s.quick);
        assert_eq!((s.runs, s.warmup), (Some(3), Some(1)));
        assert_eq!(s.load_duration, Some(Duration::from_secs(1)));
        assert_eq!(s.load_warmup, Some(Duration::from_millis(300)));
        let s = settings(&bench(&["--quick", "--runs", "5", "--load-duration", "2"])).unwrap();
        assert_eq!((s.runs, s.warmup), (Some(5), Some(1)));
        assert_eq!(s.load_duration, Some(Duration::from_secs(2)));
        let s = settings(&bench(&[])).unwrap();
        assert!(!s.quick);
        assert_eq!((s.runs, s.warmup, s.load_duration), (None, None, None));
    }
}
