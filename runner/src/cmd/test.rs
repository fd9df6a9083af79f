//! `runner test`: each implementation's own unit tests, run with the pinned toolchains at the
//! benches' CPU level. It never reports a cached pass (Go's test cache is off).

use super::{out, print_load_errors, FAILED, OK, USAGE};
use crate::exec::interrupt::Interrupt;
use crate::exec::native::Native;
use crate::exec::Backend;
use crate::manifest::{self, Lang, Manifest};
use crate::measure;
use crate::plan;
use crate::toolchain::{Pins, Toolchains};
use std::path::PathBuf;

/// `runner test`: each implementation's own unit tests, through the pinned toolchains.
pub fn test(paths: &[PathBuf], only: &[String], lang: &str) -> i32 {
    let langs: Vec<Lang> = match lang
        .split(',')
        .map(|l| Lang::parse(l.trim()).ok_or(l))
        .collect()
    {
        Ok(l) => l,
        Err(bad) => {
            eprintln!("error: --lang: unknown language `{bad}`: use go, rust, zig");
            return USAGE;
        }
    };
    let (all, bad) = manifest::load_all(paths);
    print_load_errors(&bad);
    let selected: Vec<&Manifest> = all
        .iter()
        .filter(|m| only.is_empty() || only.iter().any(|o| o == &m.id || o == &m.slug))
        .collect();
    let Some(first) = selected.first() else {
        eprintln!("error: no valid manifest selected");
        return USAGE;
    };
    let root = manifest::root_of(&first.path);
    let (tc, cpu) = match Pins::find(&root) {
        Ok((p, dir)) => {
            let cpu = p.cpu.level;
            (Toolchains::new(&dir, p), cpu)
        }
        Err(e) => {
            eprintln!("error: {e}");
            return USAGE;
        }
    };
    if let Err(e) = tc.provision() {
        eprintln!("warning: {e}");
    }
    // Tests build with the same CPU level as benches, so compiled dependencies are shared.
    let mut base_env = measure::merged_env(&tc.env(), &cpu.build_env());
    // A cached pass says nothing about files a test reads at run time (shared testdata): Go's
    // test cache is off here (Zig projects mark their test run step as having side effects).
    let goflags = base_env
        .iter()
        .rev()
        .find(|(k, _)| k == "GOFLAGS")
        .map(|(_, v)| v.clone())
        .or_else(|| std::env::var("GOFLAGS").ok())
        .unwrap_or_default();
    base_env.push((
        "GOFLAGS".into(),
        format!("{goflags} -count=1").trim().to_string(),
    ));
    let interrupt = Interrupt::install().unwrap_or_else(|_| Interrupt::none());
    let mut backend = Native::new(interrupt.clone(), None);
    let (mut passed, mut failed) = (0, 0);
    for m in selected {
        for (l, imp) in m.implemented() {
            if !langs.contains(&l) || interrupt.is_set() {
                continue;
            }
            let Some(argv) = &imp.test else {
                out(&format!("{} {l}: no test command in the manifest\n", m.id));
                continue;
            };
            let dir = root.join(&imp.dir);
            let Ok(argv) = plan::test_argv(m, l, argv, &dir, &root) else {
                out(&format!(
                    "{} {l}: FAILED: bad placeholder in the test command\n",
                    m.id
                ));
                failed += 1;
                continue;
            };
            let logs = root
                .join(".runner")
                .join("work")
                .join(&m.slug)
                .join(l.as_str());
            let _ = std::fs::create_dir_all(&logs);
            let spec = crate::exec::RunSpec {
                argv: argv.clone(),
                cwd: dir,
                env: measure::merged_env(
                    &base_env,
                    &imp.env
                        .iter()
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect::<Vec<_>>(),
                ),
                stdin: None,
                stdout: logs.join("test.stdout"),
                stderr: logs.join("test.stderr"),
                timeout: std::time::Duration::from_secs(1800),
                output_cap: 64 << 20,
                pin: None,
            };
            match backend.run(&spec) {
                Ok(o) if o.exit.success() => {
                    passed += 1;
                    out(&format!(
                        "{} {l}: ok ({}) `{}`\n",
                        m.id,
                        crate::units::duration(o.wall),
                        argv.join(" ")
                    ));
                }
                Ok(o) => {
                    failed += 1;
                    let mut tail = crate::input::tail_of(&spec.stderr, 15);
                    if tail.trim().is_empty() {
                        tail = crate::input::tail_of(&spec.stdout, 15);
                    }
                    let how = if o.timed_out {
                        "timed out".to_string()
                    } else {
                        o.exit.to_string()
                    };
                    out(&format!(
                        "{} {l}: FAILED ({how}) `{}`\n{tail}\n",
                        m.id,
                        argv.join(" ")
                    ));
                }
                Err(e) => {
                    failed += 1;
                    out(&format!(
                        "{} {l}: FAILED to start `{}`: {e}\n",
                        m.id,
                        argv.join(" ")
                    ));
                }
            }
        }
    }
    out(&format!("{passed} passed, {failed} failed\n"));
    if failed > 0 || !bad.is_empty() {
        FAILED
    } else {
        OK
    }
}
