//! The quiet-machine gate: numbers measured while other work ran beside them do not survive a
//! rerun, so before each project and before each measured round the runner looks at the machine
//! for a window (`--gate-window`, 1 s) — CPU used by processes outside the benchmark's own
//! process tree, steal time, memory pressure, and on the bench's first look the load average
//! per CPU (`crate::activity`) — and compares each figure with its limit ([`GateLimits`], the
//! `--gate-*` flags).
//!
//! Over a limit, it says what is busy (the top consumers by name and pid, as an
//! [`Event::GateWaiting`]) and keeps looking until the machine is quiet, at most `--gate-wait`
//! seconds per project in all (60 s), so a machine that stays busy costs one wait, not one per
//! round. Every look is recorded in the project's report ([`GateCheck`]); a round that starts on
//! a machine still busy marks the jobs it measures `noisy`, with the reason, and a report with a
//! noisy job is not promoted to `latest/` unless the user accepts it (`--accept-noisy`, in
//! `cmd/bench.rs`). The look before a project only waits: it measures nothing, so it marks
//! nothing.
//!
//! When a measured round ends (before the next look, and after the last round), the gate also
//! looks *back* over the whole round ([`Gate::after_round`]): foreign CPU and steal time from the
//! round's start to its end, so work that came and went while the round ran marks its jobs too.
//! With that history, the load average — which lags by a minute and counts the benchmark's own
//! runs, so after a service's load round it stays high for a minute of the runner's own making
//! — is judged only on the bench's first look, when the gate knows nothing of what ran before.
//! The look back is off under `--backend docker` (the containers' processes belong to the
//! engine, not to the runner's process tree).
//!
//! The gate does not apply to `--backend fake` (nothing runs) nor to `--mode instructions`
//! (instruction counts do not depend on load); then it is off and records nothing. It never
//! prints: it emits events.

use crate::activity::{Activity, Snapshot};
use crate::event::{Event, EventSink};
use crate::exec::interrupt::Interrupt;
use crate::report::{GateCheck, GateLimits, ProjectReport};
use std::time::Duration;

/// A way to look at the machine over a window: /proc ([`Proc`]), or a script in tests.
pub trait Look {
    /// What the machine did over the next `window` (the call takes that long).
    fn look(&mut self, window: Duration) -> Activity;
    /// What the machine did from the end of the previous look until now (at once); `None`
    /// before the first look.
    fn since_last(&mut self) -> Option<Activity>;
}

/// Looks through /proc, counting this process and everything below it as the benchmark's own;
/// keeps the counters of the end of its last look.
#[derive(Default)]
pub struct Proc {
    last: Option<Snapshot>,
}

impl Look for Proc {
    fn look(&mut self, window: Duration) -> Activity {
        let a = Snapshot::take();
        std::thread::sleep(window);
        let b = Snapshot::take();
        let seen = crate::activity::between(&a, &b, std::process::id() as i32);
        self.last = Some(b);
        seen
    }

    fn since_last(&mut self) -> Option<Activity> {
        let last = self.last.as_ref()?;
        Some(crate::activity::between(
            last,
            &Snapshot::take(),
            std::process::id() as i32,
        ))
    }
}

/// Where the gate's looks are kept: a project's report (tests keep their own log).
pub trait Record {
    /// Keeps `check`; a busy check marks the jobs it names noisy.
    fn record(&mut self, check: GateCheck);
}

/// The gate of one bench: its limits, how it looks, the wait already spent on the current
/// project, and the round measured since its last look.
pub struct Gate {
    limits: Option<GateLimits>,
    look: Box<dyn Look>,
    waited: Duration,
    /// A look was made in this bench: the load average is no longer judged.
    looked: bool,
    /// The round that started after the last look: its label and jobs, until looked back on.
    measuring: Option<(String, Vec<String>)>,
    /// Whether a round is looked back on (off for `--backend docker`).
    look_back: bool,
}

/// On a kernel without PSI (no `/proc/pressure/memory`), the machine is busy when less than
/// this share of its memory is available: swapping is near.
pub const LEAST_AVAILABLE_PCT: f64 = 5.0;

/// How often a long wait says again what is busy.
const REMIND: Duration = Duration::from_secs(10);

impl Gate {
    /// A gate looking through /proc; `None` limits: off. `look_back`: whether each measured
    /// round is looked back on when it ends (false when the programs under test run outside
    /// the runner's process tree, in containers).
    pub fn new(limits: Option<GateLimits>, look_back: bool) -> Gate {
        Gate {
            look_back,
            ..Gate::with(limits, Box::new(Proc::default()))
        }
    }

    /// A gate looking through `look`, looking back on rounds.
    pub fn with(limits: Option<GateLimits>, look: Box<dyn Look>) -> Gate {
        Gate {
            limits,
            look,
            waited: Duration::ZERO,
            looked: false,
            measuring: None,
            look_back: true,
        }
    }

    /// A gate that never looks (fake backend, instruction counts, tests).
    pub fn off() -> Gate {
        Gate::with(None, Box::new(Proc::default()))
    }

    /// The look before a project: the project's wait starts anew.
    pub fn before_project(
        &mut self,
        events: &mut dyn EventSink,
        interrupt: &Interrupt,
    ) -> Option<GateCheck> {
        self.waited = Duration::ZERO;
        self.measuring = None;
        self.check("project", Vec::new(), events, interrupt)
    }

    /// The look back over the round measured since the last look (`round N`, or `NAME run N`),
    /// recorded as `during round N` with the round's jobs: foreign CPU and steal time over the
    /// whole round, marking its jobs when over a limit. `None` when the gate is off, no round
    /// was measured since the last look, or rounds are not looked back on.
    pub fn after_round(&mut self, events: &mut dyn EventSink) -> Option<GateCheck> {
        let limits = self.limits.clone()?;
        let (round, jobs) = self.measuring.take()?;
        if !self.look_back {
            return None;
        }
        let activity = self.look.since_last()?;
        let over = busy_during(&activity, &limits);
        let during = format!("during {round}");
        if !over.is_empty() {
            events.emit(Event::GateDisturbed {
                during: round,
                busy: over.join("; "),
                top: consumers(&activity),
            });
        }
        Some(GateCheck {
            before: during,
            jobs,
            activity: (&activity).into(),
            waited_s: 0.0,
            busy: over,
        })
    }

    /// Looks at the machine before `before` (which measures `jobs`), waiting while it is busy
    /// for what is left of the project's wait; `None` when the gate is off.
    pub fn check(
        &mut self,
        before: &str,
        jobs: Vec<String>,
        events: &mut dyn EventSink,
        interrupt: &Interrupt,
    ) -> Option<GateCheck> {
        let limits = self.limits.clone()?;
        let window = Duration::from_secs_f64(limits.window_s.max(0.0));
        let budget = Duration::from_secs_f64(limits.wait_s.max(0.0));
        // Only the bench's first look judges the load average: later ones know the rounds
        // measured since (`after_round`), and the load average would count their own load.
        let first = !self.looked;
        self.looked = true;
        self.measuring = (!jobs.is_empty()).then(|| (before.to_string(), jobs.clone()));
        let judge = |a: &Activity| busy(a, &limits, first);
        let mut activity = self.look.look(window);
        let mut over = judge(&activity);
        let mut waited = Duration::ZERO;
        let mut reminded = Duration::ZERO;
        // With the project's wait spent, the look decides at once: no "waiting" to announce.
        if !over.is_empty() && self.waited < budget {
            events.emit(Event::GateWaiting {
                before: before.to_string(),
                busy: over.join("; "),
                top: consumers(&activity),
                wait_s: budget.saturating_sub(self.waited).as_secs_f64(),
            });
        }
        while !over.is_empty() && self.waited < budget && !interrupt.is_set() {
            activity = self.look.look(window);
            let took = Duration::from_secs_f64(activity.window_s.max(window.as_secs_f64()));
            waited += took;
            self.waited += took;
            over = judge(&activity);
            if !over.is_empty() && waited >= reminded + REMIND && self.waited < budget {
                reminded = waited;
                events.emit(Event::GateWaiting {
                    before: before.to_string(),
                    busy: over.join("; "),
                    top: consumers(&activity),
                    wait_s: budget.saturating_sub(self.waited).as_secs_f64(),
                });
            }
        }
        if over.is_empty() && !waited.is_zero() {
            events.emit(Event::GateQuiet {
                before: before.to_string(),
                waited_s: waited.as_secs_f64(),
            });
        } else if !over.is_empty() {
            events.emit(Event::GateNoisy {
                before: before.to_string(),
                busy: over.join("; "),
                top: consumers(&activity),
                waited_s: waited.as_secs_f64(),
                marks: !jobs.is_empty(),
            });
        }
        Some(GateCheck {
            before: before.to_string(),
            jobs,
            activity: (&activity).into(),
            waited_s: waited.as_secs_f64(),
            busy: over,
        })
    }
}

/// What in the window `a` is over its limit in `l`, in words; empty when the machine is quiet.
/// The load average counts only when `load` (the bench's first look).
pub fn busy(a: &Activity, l: &GateLimits, load: bool) -> Vec<String> {
    let mut v = busy_during(a, l);
    let per_cpu = a.load_avg / a.cpus.max(1) as f64;
    if load && per_cpu > l.load_per_cpu {
        v.push(format!(
            "load average {:.2} on {} CPUs ({per_cpu:.2} per CPU, limit {:.2})",
            a.load_avg, a.cpus, l.load_per_cpu
        ));
    }
    match a.memory_pressure_pct {
        Some(p) if p > l.memory_pressure_pct => v.push(format!(
            "memory pressure {p:.1}% (limit {:.1}%)",
            l.memory_pressure_pct
        )),
        None if a.memory_available_pct < LEAST_AVAILABLE_PCT => v.push(format!(
            "{:.1}% of memory available (at least {LEAST_AVAILABLE_PCT:.0}% wanted)",
            a.memory_available_pct
        )),
        _ => {}
    }
    v
}

/// What over a whole measured round `a` is over its limit in `l`: the figures a span measures
/// (foreign CPU, steal), not the ones read at its end (load average, memory pressure).
pub fn busy_during(a: &Activity, l: &GateLimits) -> Vec<String> {
    let mut v = Vec::new();
    if a.foreign_cpus > l.foreign_cpus {
        v.push(format!(
            "other processes used {:.2} CPUs (limit {:.2})",
            a.foreign_cpus, l.foreign_cpus
        ));
    }
    if a.steal_pct > l.steal_pct {
        v.push(format!(
            "steal time {:.1}% (limit {:.1}%)",
            a.steal_pct, l.steal_pct
        ));
    }
    v
}

/// The top consumers in words: `rustc (pids 12, 40) 0.81 CPUs, cc1 (pid 7) 0.30 CPUs`.
pub fn consumers(a: &Activity) -> String {
    a.top
        .iter()
        .map(|c| {
            let pids: Vec<String> = c.pids.iter().map(|p| p.to_string()).collect();
            let label = if c.pids.len() == 1 { "pid" } else { "pids" };
            format!(
                "{} ({label} {}) {:.2} CPUs",
                c.name,
                pids.join(", "),
                c.cpus
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// When a check looked, in words: `during round 3` as it is, `round 4` as `before round 4`.
fn when(before: &str) -> String {
    if before.starts_with("during ") {
        before.to_string()
    } else {
        format!("before {before}")
    }
}

impl Record for ProjectReport {
    fn record(&mut self, check: GateCheck) {
        let marks: Vec<String> = if check.busy.is_empty() {
            Vec::new()
        } else {
            check.jobs.clone()
        };
        self.gate.push(check);
        for name in marks {
            let busy: Vec<&GateCheck> = self
                .gate
                .iter()
                .filter(|c| !c.busy.is_empty() && c.jobs.contains(&name))
                .collect();
            let Some(first) = busy.first() else { continue };
            let reason = format!(
                "the machine was busy {}: {}",
                busy.iter()
                    .map(|c| when(&c.before))
                    .collect::<Vec<_>>()
                    .join(", "),
                first.busy.join("; ")
            );
            if let Some(j) = self
                .jobs
                .iter_mut()
                .chain(self.references.iter_mut())
                .find(|j| j.name == name)
            {
                j.noisy = Some(reason);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::activity::Consumer;
    use crate::event::Collect;
    use crate::report::JobReport;

    /// Answers each look with the next activity of a script (the last one forever), without
    /// waiting, and each look back with the next of its second script (quiet when it is out).
    struct Script(Vec<Activity>, Vec<Activity>);

    impl Script {
        fn looks(a: Vec<Activity>) -> Script {
            Script(a, Vec::new())
        }
    }

    impl Look for Script {
        fn look(&mut self, window: Duration) -> Activity {
            let a = if self.0.len() > 1 {
                self.0.remove(0)
            } else {
                self.0[0].clone()
            };
            Activity {
                window_s: window.as_secs_f64(),
                ..a
            }
        }

        fn since_last(&mut self) -> Option<Activity> {
            Some(if self.1.is_empty() {
                quiet()
            } else {
                self.1.remove(0)
            })
        }
    }

    fn quiet() -> Activity {
        Activity {
            cpus: 2,
            foreign_cpus: 0.05,
            load_avg: 0.5,
            memory_pressure_pct: Some(0.0),
            memory_available_pct: 80.0,
            ..Activity::default()
        }
    }

    fn hogged() -> Activity {
        Activity {
            foreign_cpus: 1.0,
            top: vec![Consumer {
                name: "hog.sh".into(),
                pids: vec![4242],
                cpus: 1.0,
            }],
            ..quiet()
        }
    }

    fn limits(wait_s: f64) -> GateLimits {
        GateLimits {
            wait_s,
            window_s: 1.0,
            ..GateLimits::default()
        }
    }

    #[test]
    fn each_limit_names_what_is_over_it() {
        let l = GateLimits::default();
        assert!(busy(&quiet(), &l, true).is_empty());
        for (a, word) in [
            (hogged(), "other processes used 1.00 CPUs"),
            (
                Activity {
                    steal_pct: 9.0,
                    ..quiet()
                },
                "steal time 9.0%",
            ),
            (
                Activity {
                    load_avg: 4.0,
                    ..quiet()
                },
                "load average 4.00 on 2 CPUs (2.00 per CPU",
            ),
            (
                Activity {
                    memory_pressure_pct: Some(30.0),
                    ..quiet()
                },
                "memory pressure 30.0%",
            ),
            (
                Activity {
                    memory_pressure_pct: None,
                    memory_available_pct: 3.0,
                    ..quiet()
                },
                "3.0% of memory available",
            ),
        ] {
            let b = busy(&a, &l, true);
            assert_eq!(b.len(), 1, "{b:?}");
            assert!(b[0].starts_with(word), "{b:?}");
        }
    }

    #[test]
    fn a_quiet_machine_passes_at_once_and_says_nothing() {
        let mut g = Gate::with(Some(limits(60.0)), Box::new(Script::looks(vec![quiet()])));
        let mut ev = Collect::default();
        let c = g
            .check("round 1", vec!["go".into()], &mut ev, &Interrupt::none())
            .unwrap();
        assert!(c.busy.is_empty());
        assert_eq!(c.waited_s, 0.0);
        assert!(ev.0.is_empty(), "{:?}", ev.0);
    }

    #[test]
    fn a_busy_machine_is_waited_for_until_it_calms_down() {
        let script = Script::looks(vec![hogged(), hogged(), hogged(), quiet()]);
        let mut g = Gate::with(Some(limits(60.0)), Box::new(script));
        let mut ev = Collect::default();
        let c = g
            .check("round 2", vec!["go".into()], &mut ev, &Interrupt::none())
            .unwrap();
        assert!(c.busy.is_empty());
        assert_eq!(c.waited_s, 3.0);
        match &ev.0[0] {
            Event::GateWaiting {
                before, busy, top, ..
            } => {
                assert_eq!(before, "round 2");
                assert!(busy.contains("other processes used 1.00 CPUs"), "{busy}");
                assert_eq!(top, "hog.sh (pid 4242) 1.00 CPUs");
            }
            e => panic!("{e:?}"),
        }
        assert!(matches!(&ev.0[1], Event::GateQuiet { waited_s, .. } if *waited_s == 3.0));
    }

    #[test]
    fn the_wait_is_bounded_per_project_and_then_the_round_is_noisy() {
        let mut g = Gate::with(Some(limits(5.0)), Box::new(Script::looks(vec![hogged()])));
        let mut ev = Collect::default();
        let none = Interrupt::none();
        let p = g.before_project(&mut ev, &none).unwrap();
        assert_eq!((p.waited_s, p.busy.len()), (5.0, 1));
        // The project's wait is spent: the next look does not wait again.
        let r = g
            .check("round 1", vec!["go".into()], &mut ev, &none)
            .unwrap();
        assert_eq!((r.waited_s, r.busy.len()), (0.0, 1));
        let noisy: Vec<bool> =
            ev.0.iter()
                .filter_map(|e| match e {
                    Event::GateNoisy { marks, .. } => Some(*marks),
                    _ => None,
                })
                .collect();
        assert_eq!(noisy, vec![false, true], "the project's look marks nothing");
        // A new project waits again.
        let p = g.before_project(&mut ev, &none).unwrap();
        assert_eq!(p.waited_s, 5.0);
    }

    #[test]
    fn an_interrupt_ends_the_wait() {
        let mut g = Gate::with(Some(limits(60.0)), Box::new(Script::looks(vec![hogged()])));
        let stop = Interrupt::none();
        stop.set();
        let c = g
            .check("round 1", vec![], &mut Collect::default(), &stop)
            .unwrap();
        assert_eq!(c.waited_s, 0.0);
    }

    #[test]
    fn off_records_nothing() {
        let mut g = Gate::off();
        assert!(g
            .before_project(&mut Collect::default(), &Interrupt::none())
            .is_none());
    }

    #[test]
    fn busy_rounds_mark_the_jobs_they_measured() {
        let mut r = ProjectReport {
            id: "1.1".into(),
            slug: "p".into(),
            group: 1,
            manifest: String::new(),
            manifest_sha256: String::new(),
            text: Default::default(),
            metric: None,
            params: Default::default(),
            param_defaults: Default::default(),
            sampling: None,
            gate: Vec::new(),
            inputs: Vec::new(),
            status: crate::report::ProjectStatus::Finished,
            reason: None,
            jobs: vec![
                JobReport::new("go", false, crate::report::JobStatus::Ok),
                JobReport::new("rust", false, crate::report::JobStatus::Ok),
            ],
            references: Vec::new(),
            comparisons: Vec::new(),
            warnings: Vec::new(),
        };
        let check = |before: &str, jobs: &[&str], busy: bool| GateCheck {
            before: before.into(),
            jobs: jobs.iter().map(|s| s.to_string()).collect(),
            activity: (&quiet()).into(),
            waited_s: 0.0,
            busy: if busy {
                vec!["other processes used 1.00 CPUs (limit 0.25)".into()]
            } else {
                vec![]
            },
        };
        r.record(check("project", &[], true));
        r.record(check("round 1", &["go", "rust"], false));
        assert!(
            r.noisy_jobs().is_empty(),
            "a busy project start marks nothing"
        );
        r.record(check("round 2", &["go"], true));
        r.record(check("round 3", &["go", "rust"], false));
        r.record(check("round 4", &["go"], true));
        assert_eq!(r.noisy_jobs().len(), 1);
        assert_eq!(
            r.jobs[0].noisy.as_deref(),
            Some("the machine was busy before round 2, before round 4: other processes used 1.00 CPUs (limit 0.25)")
        );
        assert!(r.jobs[1].noisy.is_none());
        r.record(check("during round 5", &["rust"], true));
        assert_eq!(
            r.jobs[1].noisy.as_deref(),
            Some(
                "the machine was busy during round 5: other processes used 1.00 CPUs (limit 0.25)"
            )
        );
        assert_eq!(r.gate.len(), 6);
    }

    fn loaded() -> Activity {
        Activity {
            load_avg: 4.0,
            ..quiet()
        }
    }

    #[test]
    fn the_load_average_counts_only_on_the_benchs_first_look() {
        // A service's load round leaves the 1-minute load average high for a minute of the
        // runner's own making: once the gate has history, it judges the rounds themselves.
        let mut g = Gate::with(Some(limits(0.0)), Box::new(Script::looks(vec![loaded()])));
        let mut ev = Collect::default();
        let none = Interrupt::none();
        let p = g.before_project(&mut ev, &none).unwrap();
        assert_eq!(p.busy.len(), 1, "{:?}", p.busy);
        assert!(p.busy[0].starts_with("load average 4.00"), "{:?}", p.busy);
        let r = g
            .check("round 1", vec!["go".into()], &mut ev, &none)
            .unwrap();
        assert!(r.busy.is_empty(), "{:?}", r.busy);
        // Other figures still count on every look.
        assert!(!busy(&hogged(), &GateLimits::default(), false).is_empty());
    }

    #[test]
    fn work_that_came_and_went_during_a_round_marks_it() {
        // Quiet at every look; a hog ran only while round 1 was measured.
        let mut g = Gate::with(
            Some(limits(0.0)),
            Box::new(Script(vec![quiet()], vec![hogged(), quiet()])),
        );
        let mut ev = Collect::default();
        let none = Interrupt::none();
        assert!(g.after_round(&mut ev).is_none(), "no round yet");
        g.before_project(&mut ev, &none);
        assert!(
            g.after_round(&mut ev).is_none(),
            "the look before a project starts no round"
        );
        g.check("round 1", vec!["go".into(), "rust".into()], &mut ev, &none);
        let back = g.after_round(&mut ev).unwrap();
        assert_eq!(back.before, "during round 1");
        assert_eq!(back.jobs, vec!["go".to_string(), "rust".to_string()]);
        assert_eq!(
            back.busy,
            vec!["other processes used 1.00 CPUs (limit 0.25)"]
        );
        assert!(
            g.after_round(&mut ev).is_none(),
            "a round is looked back on once"
        );
        g.check("round 2", vec!["go".into()], &mut ev, &none);
        assert!(g.after_round(&mut ev).unwrap().busy.is_empty());
        match &ev.0[..] {
            [Event::GateDisturbed { during, busy, top }] => {
                assert_eq!(during, "round 1");
                assert!(busy.starts_with("other processes used 1.00 CPUs"), "{busy}");
                assert_eq!(top, "hog.sh (pid 4242) 1.00 CPUs");
            }
            e => panic!("{e:?}"),
        }
        // Load and memory read at the end of a round say nothing of the round.
        let end = Activity {
            load_avg: 9.0,
            memory_pressure_pct: Some(50.0),
            ..quiet()
        };
        assert!(busy_during(&end, &GateLimits::default()).is_empty());
    }

    #[test]
    fn rounds_in_containers_are_not_looked_back_on() {
        let mut g = Gate::new(Some(limits(0.0)), false);
        let none = Interrupt::none();
        g.check("round 1", vec!["go".into()], &mut Collect::default(), &none);
        assert!(g.after_round(&mut Collect::default()).is_none());
    }
}
