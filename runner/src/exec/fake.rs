//! A deterministic backend for tests: it runs nothing and reports the numbers its command asks
//! for, like hyperfine's mock executor.
//!
//! Only commands whose program is `fake` are accepted; their arguments are `key=value` items:
//! `wall=SECONDS` (default 0.01), `noise=FRACTION` (seeded ± jitter, default 0), `rss=BYTES`,
//! `exit=CODE`, `signal=N`, `hang` (times out), `stdout=TEXT` (a line written to stdout),
//! `write=PATH:TEXT` (a file written, e.g. `write={out}/result.txt:42`).
//! The jitter comes from a ChaCha RNG seeded by the argv (less any argument holding a path) and a
//! per-argv call counter, so a test
//! sees the same numbers on every run and every machine.

use super::{Backend, ExecError, Exit, RunOutcome, RunSpec};
use rand::{Rng, SeedableRng};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::time::Duration;

/// The fake backend.
#[derive(Debug, Default)]
pub struct Fake {
    calls: HashMap<Vec<String>, u64>,
}

impl Fake {
    /// A fresh fake backend.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Backend for Fake {
    fn name(&self) -> &'static str {
        "fake"
    }

    fn run(&mut self, spec: &RunSpec) -> Result<RunOutcome, ExecError> {
        let program = spec.argv.first().ok_or(ExecError::Empty)?;
        if program != "fake" {
            return Err(ExecError::Spawn {
                program: program.clone(),
                source: std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "the fake backend only runs `fake` commands",
                ),
            });
        }
        // Paths (e.g. a temporary `{out}`) must not change the numbers: they are left out of
        // the seed.
        let key: Vec<String> = spec
            .argv
            .iter()
            .filter(|a| !a.contains('/'))
            .cloned()
            .collect();
        let n = self.calls.entry(key.clone()).or_insert(0);
        *n += 1;
        let mut seed = Sha256::new();
        for a in &key {
            seed.update(a.as_bytes());
            seed.update([0]);
        }
        seed.update(n.to_le_bytes());
        let seed: [u8; 32] = seed.finalize().into();
        let mut rng = rand_chacha::ChaCha8Rng::from_seed(seed);

        let mut wall = 0.01f64;
        let mut noise = 0.0f64;
        let mut rss = 4_000_000u64;
        let mut exit = Exit::Code(0);
        let mut hang = false;
        let mut stdout = String::new();
        for arg in &spec.argv[1..] {
            let (k, v) = arg.split_once('=').unwrap_or((arg.as_str(), ""));
            match k {
                "wall" => wall = v.parse().unwrap_or(wall),
                "noise" => noise = v.parse().unwrap_or(noise),
                "rss" => rss = v.parse().unwrap_or(rss),
                "exit" => exit = Exit::Code(v.parse().unwrap_or(1)),
                "signal" => exit = Exit::Signal(v.parse().unwrap_or(libc::SIGSEGV)),
                "hang" => hang = true,
                "stdout" => {
                    stdout.push_str(v);
                    stdout.push('\n');
                }
                "write" => {
                    if let Some((path, text)) = v.split_once(':') {
                        let p = std::path::Path::new(path);
                        let p = if p.is_absolute() {
                            p.to_path_buf()
                        } else {
                            spec.cwd.join(p)
                        };
                        std::fs::write(&p, text).map_err(|source| ExecError::Io {
                            path: p.clone(),
                            source,
                        })?;
                    }
                }
                _ => {}
            }
        }
        std::fs::write(&spec.stdout, stdout).map_err(|source| ExecError::Io {
            path: spec.stdout.clone(),
            source,
        })?;
        std::fs::write(&spec.stderr, "").map_err(|source| ExecError::Io {
            path: spec.stderr.clone(),
            source,
        })?;
        let jitter = if noise > 0.0 {
            rng.gen_range(-noise..noise)
        } else {
            0.0
        };
        let secs = (wall * (1.0 + jitter)).max(0.0);
        let (wall, timed_out, exit) = if hang {
            (spec.timeout, true, Exit::Signal(libc::SIGKILL))
        } else {
            (Duration::from_secs_f64(secs), false, exit)
        };
        Ok(RunOutcome {
            wall,
            user: wall.mul_f64(0.9),
            sys: wall.mul_f64(0.05),
            max_rss: rss,
            exit,
            timed_out,
            output_overflow: false,
            interrupted: false,
            out_of_memory: None,
        })
    }
}
