//! A bench session: what `runner bench` sets up once before its first project and closes after
//! its last — the prerequisites the runner's and the projects' `[requires]` declare and the
//! pinned toolchains (installed when missing and allowed), the instruction-count
//! prerequisites, the Ctrl-C handler, the measuring probe, the backend, the quiet-machine gate, and the report's header
//! and closing figures (end load, environment warnings). It never measures a project.

use super::args::BenchArgs;
use super::settings;
use super::USAGE;
use crate::event::{Event, EventSink};
use crate::exec::fake::Fake;
use crate::exec::interrupt::Interrupt;
use crate::exec::native::{self, Native};
use crate::exec::Backend;
use crate::manifest::{Lang, Manifest};
use crate::measure::{self, Counting, Mode, Settings};
use crate::output::progress::Progress;
use crate::prereq::provision::Privilege;
use crate::prereq::Missing;
use crate::report::host::{self, Host};
use crate::report::{DockerInfo, Git, Report, ScheduleInfo, SCHEMA_VERSION};
use crate::toolchain::cpu::Level;
use crate::toolchain::{Pins, Toolchains};
use std::path::{Path, PathBuf};

/// What a bench keeps for its whole run.
pub struct Session {
    /// Repository root (where `.runner/` lives).
    pub root: PathBuf,
    /// The pinned toolchains.
    pub toolchains: Toolchains,
    /// The versions pinned in `toolchains.toml`.
    pins: Pins,
    /// Where every job runs.
    pub backend: Box<dyn Backend>,
    /// Set by Ctrl-C / SIGTERM.
    pub interrupt: Interrupt,
    /// The fake backend: no toolchains, no environment warnings.
    fake: bool,
    /// The probe, as the report names it.
    probe_name: String,
    /// The engine, with `--backend docker`.
    docker: Option<DockerInfo>,
    /// The quiet-machine gate, kept from project to project: its history tells a later look
    /// what the earlier rounds did, so the benchmark's own load is not taken for a busy machine.
    pub gate: measure::Gate,
}

impl Session {
    /// Opens a session for `selected`: resolves the backend and the CPU level into `settings`,
    /// provisions missing toolchains, installs the Ctrl-C handler, finds the probe and connects
    /// the backend. On a usage or configuration problem it prints it and returns the exit code.
    pub fn open(
        args: &BenchArgs,
        selected: &[Manifest],
        root: &Path,
        settings: &mut Settings,
        progress: &mut Progress,
    ) -> Result<Session, i32> {
        let usage = |message: String| {
            eprintln!("error: {message}");
            USAGE
        };
        let (pins, pins_root) = Pins::find(root).map_err(|e| usage(format!("{e}\n  the runner reads the pinned toolchain versions from toolchains.toml at the repository root")))?;
        let toolchains = Toolchains::new(&pins_root, pins.clone());
        let backend_name = settings::backend(args, selected).map_err(|e| usage(e.to_string()))?;
        let fake = backend_name == "fake";
        if fake {
            // Nothing runs: the machine's load cannot disturb the numbers.
            settings.gate = None;
        }
        let docker = backend_name == "docker";
        let counts_instructions =
            settings.mode == Mode::Instructions || settings.instructions == Counting::All;
        if docker && counts_instructions {
            return Err(usage("instruction counts run under valgrind on this machine, not in containers: use --backend native with --mode instructions or --instructions".into()));
        }
        settings.cpu = args
            .cpu
            .as_deref()
            .and_then(Level::parse)
            .unwrap_or(pins.cpu.level);
        if !fake {
            let needs_pinned = selected.iter().any(|m| {
                m.implemented()
                    .any(|(l, _)| l != Lang::Rust && settings.langs.contains(&l))
            });
            prerequisites(
                &pins,
                &toolchains,
                selected,
                args.no_provision,
                needs_pinned,
                progress,
            )?;
            warn_unpinned_rust(&toolchains, progress);
        }
        if !fake && counts_instructions {
            check_valgrind(settings.cpu).map_err(usage)?;
        }
        if let Some(why) = declared_counts_off(settings, selected, fake, docker) {
            settings.instructions = Counting::Off;
            if let Some(message) = why {
                progress.emit(Event::Warning { message });
            }
        }
        let interrupt = if fake {
            Interrupt::none()
        } else {
            Interrupt::install()
                .map_err(|e| usage(format!("cannot install the Ctrl-C handler: {e}")))?
        };
        let probe = native::find_probe();
        let probe_name = match &probe {
            _ if fake => "none (fake backend)".to_string(),
            _ if docker => "runner-probe-static (in each container)".to_string(),
            None => "none".to_string(),
            Some(p) if p.prefix.is_empty() => "runner-probe".to_string(),
            Some(_) => "runner __probe".to_string(),
        };
        match &probe {
            _ if fake => {}
            None => progress.emit(Event::Warning { message: "runner-probe was not found beside the runner (build it with `cargo build --release -p runner`): peak RSS figures will include the runner's own memory".into() }),
            Some(p) if !p.prefix.is_empty() => progress.emit(Event::Warning { message: "runner-probe is not built (`cargo run` builds only the runner): the runner measures through itself, whose start-up adds ~0.7 MiB to every peak-RSS figure; `cargo build --release -p runner` builds the probe".into() }),
            Some(_) => {}
        }
        let mut docker_info = None;
        let backend: Box<dyn Backend> = if fake {
            Box::new(Fake::new())
        } else if docker {
            let native = Native::new(interrupt.clone(), probe);
            let d = connect_docker(interrupt.clone(), native, progress)
                .map_err(|e| usage(e.to_string()))?;
            let e = d.engine();
            docker_info = Some(DockerInfo {
                host: e.host.clone(),
                engine_version: e.version.clone(),
                api_version: e.api_version.clone(),
                network: "none".into(),
            });
            Box::new(d)
        } else {
            Box::new(Native::new(interrupt.clone(), probe))
        };
        Ok(Session {
            root: root.to_path_buf(),
            toolchains,
            pins,
            backend,
            interrupt,
            fake,
            probe_name,
            docker: docker_info,
            gate: measure::Gate::new(settings.gate.clone(), !docker),
        })
    }

    /// The report as it stands before the first project: host, toolchains, pins, commit,
    /// settings, and every selected project as not yet run. `started` is RFC 3339.
    pub fn new_report(
        &self,
        settings: &Settings,
        selected: &[Manifest],
        argv: Vec<String>,
        started: String,
    ) -> Report {
        let pins = &self.pins;
        Report {
            schema_version: SCHEMA_VERSION,
            runner_version: env!("CARGO_PKG_VERSION").to_string(),
            started_at: started,
            finished_at: None,
            complete: false,
            interrupted: false,
            command: argv,
            backend: self.backend.name().to_string(),
            host: Host::detect(),
            toolchains: if self.fake {
                Default::default()
            } else {
                self.toolchains.versions()
            },
            pins: [
                ("go", &pins.go.version),
                ("zig", &pins.zig.version),
                ("rust", &pins.rust.version),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
            git: git_info(&self.root),
            cpu_target: Some(settings.cpu.target().into()),
            probe: self.probe_name.clone(),
            mode: if settings.mode == Mode::Instructions {
                "instructions".into()
            } else {
                "time".into()
            },
            pinned_cpu: settings.pin,
            load_avg_end: None,
            environment: Vec::new(),
            gate: settings.gate.clone(),
            schedule: ScheduleInfo {
                seed: settings.seed,
                interleaved: settings.interleaved,
            },
            projects: selected
                .iter()
                .map(|m| {
                    measure::initial_report(
                        m,
                        &measure::effective_params(m, &settings.params, settings.quick),
                        settings.mode,
                    )
                })
                .collect(),
            shards: Vec::new(),
            docker: self.docker.clone(),
        }
    }

    /// Closes `report`: finished or interrupted, the end time, and the machine's conditions
    /// ([`Session::conditions`]), whose warnings are also emitted as events.
    pub fn close_report(&self, report: &mut Report, settings: &Settings, progress: &mut Progress) {
        let interrupted = self.interrupt.is_set();
        report.interrupted = interrupted;
        report.complete = !interrupted;
        report.finished_at = Some(now().0);
        self.conditions(report, settings);
        for w in &report.environment {
            progress.emit(Event::Warning { message: w.clone() });
        }
    }

    /// The machine's conditions as of now, into `report`: the load average and the
    /// environment warnings (governor, turbo, virtualisation; none for the fake
    /// backend). A latest view written before the bench ends gets them as of its project's
    /// end, so no published file lacks them.
    pub fn conditions(&self, report: &mut Report, settings: &Settings) {
        report.host.load_avg_start = report.host.load_avg_start.max(0.0);
        let load_end = host::load_avg();
        report.load_avg_end = Some(load_end);
        if !self.fake {
            report.environment =
                host::environment_warnings(&report.host, settings.mode == Mode::Instructions);
        }
    }
}

/// Whether the counts the manifests ask for (`[metric] instructions = true`) cannot be made in
/// this bench, and the warning that says so: `Some(None)` quietly with the fake backend (nothing
/// runs), `Some(Some(why))` in containers or without a usable valgrind; `None` when they can, or
/// none is asked for. `--instructions` and `--mode instructions` fail instead (`Session::open`).
fn declared_counts_off(
    settings: &Settings,
    selected: &[Manifest],
    fake: bool,
    docker: bool,
) -> Option<Option<String>> {
    if settings.instructions != Counting::Declared || settings.mode != Mode::Time {
        return None;
    }
    let asking: Vec<&str> = selected
        .iter()
        .filter(|m| settings.instructions.applies(m))
        .map(|m| m.id.as_str())
        .collect();
    if asking.is_empty() {
        return None;
    }
    if fake {
        return Some(None);
    }
    let why = if docker {
        "they run under valgrind on this machine, not in containers: re-run them with --backend native".to_string()
    } else {
        check_valgrind(settings.cpu).err()?
    };
    Some(Some(format!(
        "{}: no instruction counts in this bench ([metric] instructions = true): {why}",
        asking.join(", ")
    )))
}

/// Instruction counts need valgrind, which cannot run AVX-512 code.
fn check_valgrind(cpu: Level) -> Result<(), String> {
    let has_valgrind = std::process::Command::new("valgrind")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_valgrind {
        return Err(
            "instruction counts need valgrind (callgrind): apt-get install valgrind".into(),
        );
    }
    if cpu == Level::V4 {
        return Err("valgrind cannot run AVX-512 code: use --cpu x86-64-v3 or lower with --mode instructions".into());
    }
    Ok(())
}

/// The prerequisites of the runner and of `selected`, from their `[requires]`: a program a
/// command starts undeclared is a warning (`runner doctor` fails on it); unless `no_provision`,
/// what is missing is installed — Debian packages when root or `sudo -n` allows, the pinned Go
/// and Zig when `toolchains`, PyPI pins — and when Debian packages are missing that this process
/// may not install, the bench stops here, before building, with the one command that would.
fn prerequisites(
    pins: &Pins,
    tc: &Toolchains,
    selected: &[Manifest],
    no_provision: bool,
    toolchains: bool,
    progress: &mut Progress,
) -> Result<(), i32> {
    let owners = crate::setup::declarations(pins, selected).map_err(|e| {
        eprintln!("error: {e}");
        USAGE
    })?;
    for (owner, list) in crate::setup::incomplete(&owners, selected) {
        for u in list {
            progress.emit(Event::Warning {
                message: format!("{owner}: {u}"),
            });
        }
    }
    if no_provision {
        return Ok(());
    }
    let privilege = Privilege::detect();
    let mut note = |what: String| progress.emit(Event::Provisioning { what });
    let left =
        crate::setup::provision(&owners, tc, privilege, toolchains, &mut note).map_err(|e| {
            eprintln!("error: {e}");
            USAGE
        })?;
    let Some(cmd) = crate::setup::apt_command(&left, privilege) else {
        return Ok(());
    };
    let mut text = String::from(
        "error: Debian packages are missing, and this process may not install them (not root; sudo asks for a password or is absent):\n",
    );
    for (owner, list) in &left {
        for m in list.iter().filter(|m| matches!(m, Missing::Apt { .. })) {
            text.push_str(&format!("  {owner} lacks {m}\n"));
        }
    }
    text.push_str(&format!(
        "  run: {cmd}\n  then this command again; or add --no-provision to skip the projects that need them"
    ));
    eprintln!("{text}");
    Err(USAGE)
}

/// Rust comes from the machine, not from a pin: say so when the versions differ.
fn warn_unpinned_rust(tc: &Toolchains, progress: &mut Progress) {
    if let Some(rust) = tc.status().into_iter().find(|s| s.name == "rust" && !s.ok) {
        progress.emit(Event::Warning {
            message: format!(
                "rustc is not the pinned {} (found {}); the report records the version used",
                rust.pinned.unwrap_or_default(),
                rust.found
                    .unwrap_or_else(|| "none".into())
                    .lines()
                    .next()
                    .unwrap_or("")
            ),
        });
    }
}

/// Connects the Docker backend: finds (or builds, in seconds) the static probe, reaches the
/// engine and removes containers left behind by runners that crashed.
fn connect_docker(
    interrupt: Interrupt,
    native: Native,
    progress: &mut Progress,
) -> Result<crate::exec::docker::Docker, crate::exec::docker::DockerError> {
    use crate::exec::docker;
    let probe = docker::static_probe(&mut || {
        progress.emit(Event::Provisioning {
            what: "the static probe for containers (runner-probe-static)".into(),
        })
    })
    .map_err(docker::DockerError::Probe)?;
    docker::Docker::connect(interrupt, native, probe)
}

/// The commit the report measures, and whether tracked files differ from it.
fn git_info(root: &Path) -> Git {
    let run = |args: &[&str]| {
        std::process::Command::new("git")
            .arg("-C")
            .arg(root)
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    Git {
        commit: run(&["rev-parse", "HEAD"]),
        dirty: run(&["status", "--porcelain", "--untracked-files=no"])
            .is_some_and(|s| !s.is_empty()),
    }
}

/// The time now, as RFC 3339 and as the compact form of report file names.
pub fn now() -> (String, String) {
    let t = time::OffsetDateTime::now_utc();
    let rfc = t
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let compact = t
        .format(time::macros::format_description!(
            "[year][month][day]T[hour][minute][second]Z"
        ))
        .unwrap_or_default();
    (rfc, compact)
}
